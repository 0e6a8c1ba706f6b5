//! End to end against moto, a Lambda-compatible server we did not write.
//!
//! `cargo xtask test` installs moto into `target/moto-venv`, starts it on a free loopback port and
//! runs these tests with `STRATUS_MOTO_URL` set. Run alone (`cargo test`), they are ignored; run with
//! `--include-ignored` and no server, they fail rather than skip.

use bytes::Bytes;
use stratus_lambda::types::*;
use stratus_lambda::Client;
use stratus_runtime::credentials::Credentials;
use stratus_runtime::http::{HttpClient, HttpSettings, HyperClient};
use stratus_runtime::types::IndexMap;
use stratus_runtime::Config;

const ACCOUNT: &str = "123456789012";

fn moto_url() -> String {
    std::env::var("STRATUS_MOTO_URL")
        .expect("STRATUS_MOTO_URL is not set: these tests need moto; run them with `cargo xtask test`")
}

fn creds() -> Credentials {
    Credentials::new("testing", "testing", None, None, "test")
}

fn client() -> Client {
    let config = Config::builder().endpoint_url(moto_url()).region("us-east-1").credentials(creds()).build().unwrap();
    Client::new(&config)
}

async fn setup() -> (Client, String) {
    // Docker-free Lambda.
    let http = HyperClient::new(HttpSettings::default()).unwrap();
    let req = http::Request::post(format!("{}/moto-api/config", moto_url()))
        .body(Bytes::from_static(br#"{"lambda":{"use_docker":false}}"#))
        .unwrap();
    let resp = http.call(req).await.expect("moto is not reachable");
    assert!(resp.status().is_success());
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    static ROLES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = ROLES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let role = format!("stratus-role-{}-{n}", std::process::id());
    let config = Config::builder().endpoint_url(moto_url()).region("us-east-1").credentials(creds()).build().unwrap();
    stratus_iam::Client::new(&config)
        .create_role()
        .role_name(&role)
        .assume_role_policy_document(policy)
        .send()
        .await
        .unwrap();
    (client(), format!("arn:aws:iam::{ACCOUNT}:role/{role}"))
}

/// A zip archive with one stored (uncompressed) file.
fn zip(name: &str, content: &[u8]) -> Vec<u8> {
    let crc = crc32fast::hash(content);
    let mut out = Vec::new();
    let mut local = Vec::new();
    local.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    local.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]); // version, flags, stored, time, date
    local.extend_from_slice(&crc.to_le_bytes());
    local.extend_from_slice(&(content.len() as u32).to_le_bytes());
    local.extend_from_slice(&(content.len() as u32).to_le_bytes());
    local.extend_from_slice(&(name.len() as u16).to_le_bytes());
    local.extend_from_slice(&0u16.to_le_bytes());
    local.extend_from_slice(name.as_bytes());
    out.extend_from_slice(&local);
    out.extend_from_slice(content);
    let central_start = out.len();
    out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    out.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&(content.len() as u32).to_le_bytes());
    out.extend_from_slice(&(content.len() as u32).to_le_bytes());
    out.extend_from_slice(&(name.len() as u16).to_le_bytes());
    out.extend_from_slice(&[0; 12]); // extra, comment, disk, internal attrs
    out.extend_from_slice(&0o100644u32.wrapping_shl(16).to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes()); // local header offset
    out.extend_from_slice(name.as_bytes());
    let central_len = out.len() - central_start;
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]);
    out.extend_from_slice(&(central_len as u32).to_le_bytes());
    out.extend_from_slice(&(central_start as u32).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

const HANDLER: &[u8] = b"def lambda_handler(event, context):\n    return {'echo': event}\n";

async fn create(client: &Client, role: &str, name: &str) -> FunctionConfiguration {
    client
        .create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role(role)
        .handler("lambda_function.lambda_handler")
        .code(FunctionCode { zip_file: Some(zip("lambda_function.py", HANDLER).into()), ..Default::default() })
        .description("created by stratus")
        .timeout(30)
        .memory_size(256)
        .environment(Environment { variables: Some(IndexMap::from([("MODE".into(), "test".into())])) })
        .tags(IndexMap::from([("team".into(), "stratus".into())]))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask test`"]
async fn functions_versions_aliases_and_invoke() {
    let (client, role) = setup().await;
    let name = "stratus-e2e-fn";
    let created = create(&client, &role, name).await;
    assert_eq!(created.function_name.as_deref(), Some(name));
    assert_eq!(created.runtime, Some(Runtime::Python312));
    let arn = created.function_arn.clone().unwrap();

    // Get, by name and by ARN (the ARN's colons go through the URI label encoding).
    let got = client.get_function().function_name(name).send().await.unwrap();
    assert_eq!(got.configuration.unwrap().memory_size, Some(256));
    let got = client.get_function_configuration().function_name(&arn).send().await.unwrap();
    assert_eq!(got.timeout, Some(30));

    let updated = client
        .update_function_configuration()
        .function_name(name)
        .memory_size(512)
        .description("v2")
        .send()
        .await
        .unwrap();
    assert_eq!(updated.memory_size, Some(512));
    let code = client
        .update_function_code()
        .function_name(name)
        .zip_file(zip("lambda_function.py", b"def lambda_handler(e, c):\n    return 2\n"))
        .send()
        .await
        .unwrap();
    assert!(code.code_sha256.is_some());

    let listed = client.list_functions().send().await.unwrap();
    assert!(listed.functions.unwrap().iter().any(|f| f.function_name.as_deref() == Some(name)));

    // Versions and aliases with routing config.
    let v1 = client.publish_version().function_name(name).description("first").send().await.unwrap();
    let v1 = v1.version.unwrap();
    let versions = client.list_versions_by_function().function_name(name).send().await.unwrap();
    assert!(versions.versions.unwrap().iter().any(|v| v.version.as_deref() == Some(v1.as_str())));
    let alias = client
        .create_alias()
        .function_name(name)
        .name("live")
        .function_version(&v1)
        .description("live traffic")
        .send()
        .await
        .unwrap();
    assert_eq!(alias.name.as_deref(), Some("live"));
    let alias = client.get_alias().function_name(name).name("live").send().await.unwrap();
    assert_eq!(alias.function_version.as_deref(), Some(v1.as_str()));
    let routed = client
        .update_alias()
        .function_name(name)
        .name("live")
        .routing_config(AliasRoutingConfiguration {
            additional_version_weights: Some(IndexMap::from([("$LATEST".to_string(), 0.25)])),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(routed.name.as_deref(), Some("live"));
    let aliases = client.list_aliases().function_name(name).send().await.unwrap();
    assert_eq!(aliases.aliases.unwrap().len(), 1);

    // Invoke (payload blob, headers) and InvokeAsync.
    let out = client
        .invoke()
        .function_name(name)
        .payload(b"{\"hello\":\"world\"}".as_slice())
        .log_type(LogType::Tail)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status_code, Some(200));
    assert!(out.payload.is_some());
    let out = client
        .invoke()
        .function_name(name)
        .invocation_type(InvocationType::Event)
        .payload(b"{}".as_slice())
        .send()
        .await
        .unwrap();
    assert_eq!(out.status_code, Some(202));
    #[allow(deprecated)]
    {
        let out = client.invoke_async().function_name(name).invoke_args(b"{}".as_slice()).send().await.unwrap();
        assert_eq!(out.status, Some(202));
    }

    client.delete_alias().function_name(name).name("live").send().await.unwrap();
    client.delete_function().function_name(name).send().await.unwrap();
    let err = client.get_function().function_name(name).send().await.unwrap_err();
    assert!(
        matches!(err.service_error(), Some(stratus_lambda::error::GetFunctionError::ResourceNotFoundException(_))),
        "{err}"
    );
    assert_eq!(err.code(), Some("ResourceNotFoundException"));
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask test`"]
async fn permissions_concurrency_tags_and_event_invoke_configs() {
    let (client, role) = setup().await;
    let name = "stratus-e2e-perm";
    let arn = create(&client, &role, name).await.function_arn.unwrap();

    let added = client
        .add_permission()
        .function_name(name)
        .statement_id("s3-invoke")
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .source_arn("arn:aws:s3:::my-bucket")
        .send()
        .await
        .unwrap();
    assert!(added.statement.unwrap().contains("s3-invoke"));
    let policy = client.get_policy().function_name(name).send().await.unwrap();
    assert!(policy.policy.unwrap().contains("s3-invoke"));
    client.remove_permission().function_name(name).statement_id("s3-invoke").send().await.unwrap();

    let c =
        client.put_function_concurrency().function_name(name).reserved_concurrent_executions(5).send().await.unwrap();
    assert_eq!(c.reserved_concurrent_executions, Some(5));
    let c = client.get_function_concurrency().function_name(name).send().await.unwrap();
    assert_eq!(c.reserved_concurrent_executions, Some(5));
    client.delete_function_concurrency().function_name(name).send().await.unwrap();

    client.tag_resource().resource(&arn).tags(IndexMap::from([("env".into(), "e2e".into())])).send().await.unwrap();
    let tags = client.list_tags().resource(&arn).send().await.unwrap().tags.unwrap();
    assert_eq!(tags.get("env").map(String::as_str), Some("e2e"));
    assert_eq!(tags.get("team").map(String::as_str), Some("stratus"));
    client.untag_resource().resource(&arn).tag_keys(vec!["env".into(), "team".into()]).send().await.unwrap();
    let tags = client.list_tags().resource(&arn).send().await.unwrap().tags.unwrap_or_default();
    assert!(tags.is_empty(), "{tags:?}");

    let cfg =
        client.put_function_event_invoke_config().function_name(name).maximum_retry_attempts(1).send().await.unwrap();
    assert_eq!(cfg.maximum_retry_attempts, Some(1));
    let cfg = client
        .update_function_event_invoke_config()
        .function_name(name)
        .maximum_event_age_in_seconds(120)
        .send()
        .await
        .unwrap();
    assert_eq!(cfg.maximum_event_age_in_seconds, Some(120));
    let cfg = client.get_function_event_invoke_config().function_name(name).send().await.unwrap();
    assert_eq!(cfg.maximum_retry_attempts, Some(1));
    let listed = client.list_function_event_invoke_configs().function_name(name).send().await.unwrap();
    assert_eq!(listed.function_event_invoke_configs.unwrap().len(), 1);
    client.delete_function_event_invoke_config().function_name(name).send().await.unwrap();

    client.delete_function().function_name(name).send().await.unwrap();
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask test`"]
async fn event_source_mappings_with_an_sqs_queue() {
    let (client, role) = setup().await;
    let name = "stratus-e2e-esm";
    create(&client, &role, name).await;
    let queue = "stratus-e2e-queue";
    let sqs_config =
        Config::builder().endpoint_url(moto_url()).region("us-east-1").credentials(creds()).build().unwrap();
    stratus_sqs::Client::new(&sqs_config).create_queue().queue_name(queue).send().await.unwrap();
    let queue_arn = format!("arn:aws:sqs:us-east-1:{ACCOUNT}:{queue}");

    let esm = client
        .create_event_source_mapping()
        .function_name(name)
        .event_source_arn(&queue_arn)
        .batch_size(5)
        .send()
        .await
        .unwrap();
    let uuid = esm.uuid.unwrap();
    assert_eq!(esm.batch_size, Some(5));
    let got = client.get_event_source_mapping().uuid(&uuid).send().await.unwrap();
    assert_eq!(got.event_source_arn.as_deref(), Some(queue_arn.as_str()));
    let updated = client.update_event_source_mapping().uuid(&uuid).batch_size(7).send().await.unwrap();
    assert_eq!(updated.batch_size, Some(7));
    let listed = client.list_event_source_mappings().function_name(name).send().await.unwrap();
    assert!(listed.event_source_mappings.unwrap().iter().any(|m| m.uuid.as_deref() == Some(uuid.as_str())));
    client.delete_event_source_mapping().uuid(&uuid).send().await.unwrap();
    client.delete_function().function_name(name).send().await.unwrap();
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask test`"]
async fn layers_and_layer_permissions() {
    let (client, _role) = setup().await;
    let layer = "stratus-e2e-layer";
    let published = client
        .publish_layer_version()
        .layer_name(layer)
        .description("shared code")
        .content(LayerVersionContentInput {
            zip_file: Some(zip("python/shared.py", b"X = 1\n").into()),
            ..Default::default()
        })
        .compatible_runtimes(vec![Runtime::Python312])
        .send()
        .await
        .unwrap();
    let version = published.version.unwrap();
    let layers = client.list_layers().send().await.unwrap().layers.unwrap();
    assert!(layers.iter().any(|l| l.layer_name.as_deref() == Some(layer)));
    let versions = client.list_layer_versions().layer_name(layer).send().await.unwrap();
    assert!(versions.layer_versions.unwrap().iter().any(|v| v.version == Some(version)));
    let got = client.get_layer_version().layer_name(layer).version_number(version).send().await.unwrap();
    assert_eq!(got.description.as_deref(), Some("shared code"));

    let perm = client
        .add_layer_version_permission()
        .layer_name(layer)
        .version_number(version)
        .statement_id("everyone")
        .action("lambda:GetLayerVersion")
        .principal("*")
        .send()
        .await
        .unwrap();
    assert!(perm.statement.unwrap().contains("everyone"));
    let policy = client.get_layer_version_policy().layer_name(layer).version_number(version).send().await.unwrap();
    assert!(policy.policy.unwrap().contains("everyone"));
    client
        .remove_layer_version_permission()
        .layer_name(layer)
        .version_number(version)
        .statement_id("everyone")
        .send()
        .await
        .unwrap();
    client.delete_layer_version().layer_name(layer).version_number(version).send().await.unwrap();
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask test`"]
async fn waiter_against_moto() {
    let (client, role) = setup().await;
    let name = "stratus-e2e-wait";
    create(&client, &role, name).await;
    let waited =
        client.wait_until_function_active().function_name(name).wait(std::time::Duration::from_secs(60)).await.unwrap();
    assert_eq!(waited.result.unwrap().state, Some(State::Active));
    let exists = client.wait_until_function_exists().function_name(name).wait(std::time::Duration::from_secs(30)).await;
    assert!(exists.is_ok());
    client.delete_function().function_name(name).send().await.unwrap();
}
