//! Hello world on aws-sdk-lambda + aws-config: a client from static credentials and an endpoint URL,
//! then ListFunctions. With `--calls N --op get|list`, N calls and the process's CPU time.

#[path = "../../stratus-hello/src/common.rs"]
mod common;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = common::Args::parse();
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(&args.endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_lambda::config::Credentials::new("AKID", "SECRET", None, None, "static"))
        .load()
        .await;
    let client = aws_sdk_lambda::Client::new(&config);
    let (start, cpu) = (std::time::Instant::now(), common::cpu_seconds());
    for _ in 0..args.calls {
        if args.op == "get" {
            client.get_function().function_name("bench-fn").send().await?;
        } else {
            let out = client.list_functions().send().await?;
            assert!(!out.functions().is_empty());
        }
    }
    common::report(args.calls, start.elapsed(), cpu);
    Ok(())
}
