//! What moto does not implement — provisioned concurrency, GetAccountSettings, GetLayerVersionByArn —
//! end to end against an in-process fake that speaks Lambda's wire format (routes by method and
//! path, reads JSON bodies, answers as the service does).

#[path = "../../runtime/tests/common/mod.rs"]
mod common;

use common::{serve, Reply};
use std::sync::{Arc, Mutex};
use stratus_lambda::Client;
use stratus_runtime::credentials::Credentials;
use stratus_runtime::Config;

fn client_for(url: &str) -> Client {
    let config = Config::builder()
        .endpoint_url(url)
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .max_attempts(1)
        .build()
        .unwrap();
    Client::new(&config)
}

fn json(status: u16, v: serde_json::Value) -> Reply {
    Reply::Normal(status, vec![("content-type".into(), "application/json".into())], v.to_string())
}

/// A fake holding provisioned-concurrency configs by qualifier.
async fn fake() -> common::Server {
    let configs: Arc<Mutex<Vec<(String, i64)>>> = Arc::new(Mutex::new(Vec::new()));
    serve(move |_, req| {
        let (path, query) = req.path.split_once('?').unwrap_or((&req.path, ""));
        let qualifier = query.split('&').find_map(|p| p.strip_prefix("Qualifier=")).unwrap_or_default().to_string();
        match (req.method.as_str(), path) {
            ("PUT", "/2019-09-30/functions/f/provisioned-concurrency") => {
                let body: serde_json::Value = serde_json::from_str(&req.body).unwrap_or_default();
                let n = body["ProvisionedConcurrentExecutions"].as_i64().unwrap_or_default();
                configs.lock().unwrap().push((qualifier, n));
                json(202, serde_json::json!({"RequestedProvisionedConcurrentExecutions": n, "Status": "IN_PROGRESS"}))
            }
            ("GET", "/2019-09-30/functions/f/provisioned-concurrency") if query.contains("List=ALL") => {
                let items: Vec<_> = configs
                    .lock()
                    .unwrap()
                    .iter()
                    .map(|(q, n)| serde_json::json!({"FunctionArn": format!("arn:aws:lambda:us-east-1:1:function:f:{q}"), "RequestedProvisionedConcurrentExecutions": n, "Status": "READY"}))
                    .collect();
                json(200, serde_json::json!({"ProvisionedConcurrencyConfigs": items}))
            }
            ("GET", "/2019-09-30/functions/f/provisioned-concurrency") => {
                match configs.lock().unwrap().iter().find(|(q, _)| *q == qualifier) {
                    Some((_, n)) => json(200, serde_json::json!({"RequestedProvisionedConcurrentExecutions": n, "AllocatedProvisionedConcurrentExecutions": n, "Status": "READY"})),
                    None => json(404, serde_json::json!({"__type": "ProvisionedConcurrencyConfigNotFoundException", "message": "No config"})),
                }
            }
            ("DELETE", "/2019-09-30/functions/f/provisioned-concurrency") => {
                configs.lock().unwrap().retain(|(q, _)| *q != qualifier);
                Reply::Normal(204, vec![], String::new())
            }
            ("GET", "/2016-08-19/account-settings") => json(
                200,
                serde_json::json!({"AccountLimit": {"TotalCodeSize": 80530636800i64, "ConcurrentExecutions": 1000}, "AccountUsage": {"FunctionCount": 3}}),
            ),
            ("GET", "/2018-10-31/layers") if query.starts_with("find=LayerVersion&Arn=") => json(
                200,
                serde_json::json!({"LayerVersionArn": "arn:aws:lambda:us-east-1:1:layer:shared:3", "Version": 3, "CompatibleRuntimes": ["python3.12"]}),
            ),
            _ => json(400, serde_json::json!({"__type": "InvalidRequestContentException", "message": format!("unexpected {} {}", req.method, req.path)})),
        }
    })
    .await
}

#[tokio::test]
async fn provisioned_concurrency_round_trip() {
    let server = fake().await;
    let client = client_for(&server.url);
    let put = client
        .put_provisioned_concurrency_config()
        .function_name("f")
        .qualifier("live")
        .provisioned_concurrent_executions(10)
        .send()
        .await
        .unwrap();
    assert_eq!(put.requested_provisioned_concurrent_executions, Some(10));
    assert_eq!(put.status.as_ref().map(|s| s.as_str()), Some("IN_PROGRESS"));
    let got = client.get_provisioned_concurrency_config().function_name("f").qualifier("live").send().await.unwrap();
    assert_eq!(got.allocated_provisioned_concurrent_executions, Some(10));
    let mut items = client.list_provisioned_concurrency_configs().function_name("f").into_paginator().items();
    let first = items.next_item().await.unwrap().unwrap();
    assert_eq!(first.function_arn.as_deref(), Some("arn:aws:lambda:us-east-1:1:function:f:live"));
    assert!(items.next_item().await.is_none());
    client.delete_provisioned_concurrency_config().function_name("f").qualifier("live").send().await.unwrap();
    let err =
        client.get_provisioned_concurrency_config().function_name("f").qualifier("live").send().await.unwrap_err();
    assert!(matches!(
        err.service_error(),
        Some(
            stratus_lambda::error::GetProvisionedConcurrencyConfigError::ProvisionedConcurrencyConfigNotFoundException(
                _
            )
        )
    ));
}

#[tokio::test]
async fn account_settings_and_layer_version_by_arn() {
    let server = fake().await;
    let client = client_for(&server.url);
    let settings = client.get_account_settings().send().await.unwrap();
    assert_eq!(settings.account_limit.unwrap().concurrent_executions, Some(1000));
    assert_eq!(settings.account_usage.unwrap().function_count, Some(3));
    let layer =
        client.get_layer_version_by_arn().arn("arn:aws:lambda:us-east-1:1:layer:shared:3").send().await.unwrap();
    assert_eq!(layer.version, Some(3));
    assert_eq!(layer.compatible_runtimes.unwrap()[0].as_str(), "python3.12");
}
