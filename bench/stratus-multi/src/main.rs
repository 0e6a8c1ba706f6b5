//! A program on four Stratus clients (Lambda, SQS, DynamoDB, STS) configured by stratus-config:
//! what a service talking to several AWS APIs builds. With `--calls N --op list|query|receive|identity`,
//! N calls of Lambda ListFunctions, DynamoDB Query, SQS ReceiveMessage or STS GetCallerIdentity and
//! the process's CPU time.

#[path = "../../stratus-hello/src/common.rs"]
mod common;

use stratus_dynamodb::types::AttributeValue;
use stratus_runtime::credentials::Credentials;
use stratus_runtime::types::IndexMap;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = common::Args::parse();
    let endpoint = args.endpoint.clone();
    let config = stratus_config::Loader::new()
        .customize(move |b| {
            b.endpoint_url(endpoint)
                .region("us-east-1")
                .credentials(Credentials::new("AKID", "SECRET", None, None, "static"))
        })
        .load()
        .await?;
    let lambda = stratus_lambda::Client::new(&config);
    let sqs = stratus_sqs::Client::new(&config);
    let db = stratus_dynamodb::Client::new(&config);
    let sts = stratus_sts::Client::new(&config);
    let queue = format!("{}/123456789012/bench", args.endpoint);
    let key = IndexMap::from([(":pk".to_string(), AttributeValue { s: Some("a".into()), ..Default::default() })]);
    let (start, cpu) = (std::time::Instant::now(), common::cpu_seconds());
    for _ in 0..args.calls {
        match args.op.as_str() {
            "query" => {
                let out = db
                    .query()
                    .table_name("bench")
                    .key_condition_expression("pk = :pk")
                    .expression_attribute_values(key.clone())
                    .send()
                    .await?;
                assert_eq!(out.items.unwrap_or_default().len(), 100);
            }
            "receive" => {
                let out = sqs.receive_message().queue_url(&queue).max_number_of_messages(10).send().await?;
                assert_eq!(out.messages.unwrap_or_default().len(), 10);
            }
            "identity" => {
                let out = sts.get_caller_identity().send().await?;
                assert!(out.account.is_some());
            }
            _ => {
                let out = lambda.list_functions().send().await?;
                assert!(!out.functions.unwrap_or_default().is_empty());
            }
        }
    }
    common::report(args.calls, start.elapsed(), cpu);
    Ok(())
}
