//! The same program on aws-sdk-lambda, aws-sdk-sqs, aws-sdk-dynamodb, aws-sdk-sts and aws-config.
//! With `--calls N --op list|query|receive|identity`, N calls and the process's CPU time.

#[path = "../../stratus-hello/src/common.rs"]
mod common;

use aws_sdk_dynamodb::types::AttributeValue;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = common::Args::parse();
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(&args.endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_lambda::config::Credentials::new("AKID", "SECRET", None, None, "static"))
        .load()
        .await;
    let lambda = aws_sdk_lambda::Client::new(&config);
    let sqs = aws_sdk_sqs::Client::new(&config);
    let db = aws_sdk_dynamodb::Client::new(&config);
    let sts = aws_sdk_sts::Client::new(&config);
    let queue = format!("{}/123456789012/bench", args.endpoint);
    let (start, cpu) = (std::time::Instant::now(), common::cpu_seconds());
    for _ in 0..args.calls {
        match args.op.as_str() {
            "query" => {
                let out = db
                    .query()
                    .table_name("bench")
                    .key_condition_expression("pk = :pk")
                    .expression_attribute_values(":pk", AttributeValue::S("a".into()))
                    .send()
                    .await?;
                assert_eq!(out.items().len(), 100);
            }
            "receive" => {
                let out = sqs.receive_message().queue_url(&queue).max_number_of_messages(10).send().await?;
                assert_eq!(out.messages().len(), 10);
            }
            "identity" => {
                let out = sts.get_caller_identity().send().await?;
                assert!(out.account().is_some());
            }
            _ => {
                let out = lambda.list_functions().send().await?;
                assert!(!out.functions().is_empty());
            }
        }
    }
    common::report(args.calls, start.elapsed(), cpu);
    Ok(())
}
