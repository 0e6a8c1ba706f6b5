//! Hello world on stratus-lambda: a client from static credentials and an endpoint URL, then
//! ListFunctions. With `--calls N --op get|list`, N calls and the process's CPU time.

mod common;

use stratus_runtime::credentials::Credentials;
use stratus_runtime::Config;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = common::Args::parse();
    let config = Config::builder()
        .endpoint_url(&args.endpoint)
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "static"))
        .build()?;
    let client = stratus_lambda::Client::new(&config);
    let (start, cpu) = (std::time::Instant::now(), common::cpu_seconds());
    for _ in 0..args.calls {
        if args.op == "get" {
            client.get_function().function_name("bench-fn").send().await?;
        } else {
            let out = client.list_functions().send().await?;
            assert!(!out.functions.unwrap_or_default().is_empty());
        }
    }
    common::report(args.calls, start.elapsed(), cpu);
    Ok(())
}
