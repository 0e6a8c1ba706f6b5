//! Quickstart: create a function, wait until it is active, invoke it, list functions with the
//! paginator, and delete it.
//!
//! ```text
//! cargo run -p stratus-lambda --example quickstart -- [--endpoint-url URL] [--role ARN] [--create-role]
//! ```
//!
//! Credentials and region come from the environment (`AWS_ACCESS_KEY_ID`, `AWS_REGION`, profiles...).
//! `--create-role` creates the execution role first with a raw IAM call to the same endpoint: a
//! convenience for local servers such as moto.

use std::time::Duration;
use stratus_lambda::types::*;
use stratus_lambda::Client;
use stratus_runtime::config::ConfigBuilder;
use stratus_runtime::env::Env;

const HANDLER: &[u8] = b"def lambda_handler(event, context):\n    return {'hello': event.get('name', 'world')}\n";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut endpoint = None;
    let mut role = "arn:aws:iam::123456789012:role/stratus-quickstart".to_string();
    let mut create_role = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--endpoint-url" => endpoint = Some(args.next().ok_or("--endpoint-url needs a URL")?),
            "--role" => role = args.next().ok_or("--role needs an ARN")?,
            "--create-role" => create_role = true,
            other => return Err(format!("unknown argument `{other}`").into()),
        }
    }
    let mut builder = ConfigBuilder::from_env(Env::process()).await?;
    if let Some(url) = &endpoint {
        builder = builder.endpoint_url(url);
    }
    let config = builder.build()?;
    let lambda = Client::new(&config);

    if create_role {
        let url = endpoint.as_deref().ok_or("--create-role needs --endpoint-url")?;
        role = create_execution_role(&config, url).await?;
        println!("created role {role}");
    }

    let name = "stratus-quickstart";
    let created = lambda
        .create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role(&role)
        .handler("lambda_function.lambda_handler")
        .code(FunctionCode { zip_file: Some(stored_zip("lambda_function.py", HANDLER).into()), ..Default::default() })
        .send()
        .await?;
    println!("created {} ({})", name, created.function_arn.unwrap_or_default());

    let waited = lambda.wait_until_function_active().function_name(name).wait(Duration::from_secs(120)).await?;
    println!("active after {} poll(s)", waited.attempts);

    let out = lambda.invoke().function_name(name).payload(br#"{"name":"stratus"}"#.as_slice()).send().await?;
    let payload = out.payload.map(|p| String::from_utf8_lossy(p.as_bytes()).into_owned()).unwrap_or_default();
    println!("invoked: status {:?}, payload {payload}", out.status_code);

    let mut functions = lambda.list_functions().max_items(50).into_paginator().items();
    let mut count = 0;
    while let Some(function) = functions.next_item().await {
        let function = function?;
        count += 1;
        println!("  listed {}", function.function_name.unwrap_or_default());
    }
    println!("{count} function(s) listed");

    lambda.delete_function().function_name(name).send().await?;
    println!("deleted {name}");
    Ok(())
}

/// Creates a role Lambda can assume, with one SigV4-signed IAM `CreateRole` call.
async fn create_execution_role(
    config: &stratus_runtime::Config,
    endpoint: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    use stratus_runtime::sigv4::{sha256_hex, Signer, SigningParams, SigningSettings};
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let mut encoded = String::new();
    stratus_runtime::operation::percent_encode(policy, false, &mut encoded);
    let name = format!("stratus-quickstart-{}", std::process::id());
    let form = format!("Action=CreateRole&Version=2010-05-08&RoleName={name}&AssumeRolePolicyDocument={encoded}");
    let (mut parts, body) = http::Request::post(format!("{}/", endpoint.trim_end_matches('/')))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(bytes::Bytes::from(form))?
        .into_parts();
    let credentials = config.credentials_provider().provide().await?;
    let params = SigningParams {
        credentials: &credentials,
        region: config.region().unwrap_or("us-east-1"),
        service: "iam",
        time: stratus_runtime::types::DateTime::now(),
        settings: SigningSettings::default(),
    };
    Signer::new().sign(&mut parts, &sha256_hex(&body), &params)?;
    let response = config.http_client().call(http::Request::from_parts(parts, body)).await?;
    if !response.status().is_success() {
        return Err(format!("CreateRole failed: HTTP {}", response.status()).into());
    }
    Ok(format!("arn:aws:iam::123456789012:role/{name}"))
}

/// A zip archive holding one file, stored without compression (all a Lambda deployment package
/// needs).
fn stored_zip(name: &str, content: &[u8]) -> Vec<u8> {
    let crc = crc32(content);
    let size = (content.len() as u32).to_le_bytes();
    let name_len = (name.len() as u16).to_le_bytes();
    let mut out = Vec::new();
    out.extend_from_slice(&[0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&size);
    out.extend_from_slice(&size);
    out.extend_from_slice(&name_len);
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(content);
    let central = out.len() as u32;
    out.extend_from_slice(&[0x50, 0x4b, 0x01, 0x02, 20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&size);
    out.extend_from_slice(&size);
    out.extend_from_slice(&name_len);
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&(0o100644u32 << 16).to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(name.as_bytes());
    let central_len = out.len() as u32 - central;
    out.extend_from_slice(&[0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 1, 0, 1, 0]);
    out.extend_from_slice(&central_len.to_le_bytes());
    out.extend_from_slice(&central.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

/// CRC-32 (IEEE), bitwise: a few hundred bytes need no table.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}
