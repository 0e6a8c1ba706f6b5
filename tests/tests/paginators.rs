//! Paginators against an in-process fake of Lambda's ListFunctions (moto ignores Marker/MaxItems).

#[path = "../../runtime/tests/common/mod.rs"]
mod common;

use common::{serve, Reply};
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

fn query_param(path: &str, key: &str) -> Option<String> {
    let query = path.split_once('?')?.1;
    query.split('&').find_map(|p| p.strip_prefix(&format!("{key}=")).map(str::to_string))
}

/// ListFunctions over `total` functions named fn-000..., honouring Marker and MaxItems.
async fn fake_lambda(total: usize) -> common::Server {
    serve(move |_, req| {
        let start: usize = query_param(&req.path, "Marker").and_then(|m| m.parse().ok()).unwrap_or(0);
        let max: usize = query_param(&req.path, "MaxItems").and_then(|m| m.parse().ok()).unwrap_or(50).min(50);
        let end = (start + max).min(total);
        let functions: Vec<serde_json::Value> =
            (start..end).map(|i| serde_json::json!({"FunctionName": format!("fn-{i:03}")})).collect();
        let mut body = serde_json::json!({ "Functions": functions });
        if end < total {
            body["NextMarker"] = serde_json::json!(end.to_string());
        }
        Reply::Normal(200, vec![], body.to_string())
    })
    .await
}

#[tokio::test]
async fn items_of_250_functions_in_pages_of_50() {
    let server = fake_lambda(250).await;
    let client = client_for(&server.url);
    let mut items = client.list_functions().max_items(50).into_paginator().items();
    let mut names = Vec::new();
    while let Some(f) = items.next_item().await {
        names.push(f.unwrap().function_name.unwrap());
    }
    let expected: Vec<String> = (0..250).map(|i| format!("fn-{i:03}")).collect();
    assert_eq!(names, expected, "250 distinct items, in order");
    assert_eq!(server.hits(), 5, "five pages of 50");
    let markers: Vec<Option<String>> = server.seen().iter().map(|r| query_param(&r.path, "Marker")).collect();
    assert_eq!(markers, vec![None, Some("50".into()), Some("100".into()), Some("150".into()), Some("200".into())]);
}

#[tokio::test]
async fn pages_stop_at_the_last_page_and_work_as_a_stream() {
    let server = fake_lambda(120).await;
    let client = client_for(&server.url);
    let pages = client.list_functions().max_items(50).into_paginator().pages();
    // Drive it through the futures_core::Stream impl.
    let mut pages = Box::pin(pages);
    let mut sizes = Vec::new();
    while let Some(page) = std::future::poll_fn(|cx| futures_core::Stream::poll_next(pages.as_mut(), cx)).await {
        sizes.push(page.unwrap().functions.unwrap().len());
    }
    assert_eq!(sizes, vec![50, 50, 20]);
}

#[tokio::test]
async fn a_repeated_token_is_an_error_not_a_loop() {
    let server =
        serve(|_, _| Reply::Normal(200, vec![], r#"{"Functions":[{"FunctionName":"x"}],"NextMarker":"same"}"#.into()))
            .await;
    let client = client_for(&server.url);
    let mut pages = client.list_functions().into_paginator().pages();
    assert!(pages.next_page().await.unwrap().is_ok());
    assert!(pages.next_page().await.unwrap().is_ok(), "the second page carries the token a second time");
    let err = pages.next_page().await.unwrap().unwrap_err();
    assert!(err.to_string().contains("pagination token \"same\" twice"), "{err}");
    assert!(pages.next_page().await.is_none());
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn an_empty_token_ends_the_stream_and_errors_stop_it() {
    let server = serve(|n, _| {
        if n == 0 {
            Reply::Normal(200, vec![], r#"{"Functions":[],"NextMarker":""}"#.into())
        } else {
            Reply::Normal(500, vec![], "{}".into())
        }
    })
    .await;
    let client = client_for(&server.url);
    let mut pages = client.list_functions().into_paginator().pages();
    assert!(pages.next_page().await.unwrap().is_ok());
    assert!(pages.next_page().await.is_none());
    assert_eq!(server.hits(), 1);
}
