//! Operations that share an input shape get an input type each (the `shared` fixture): each
//! implements its own operation and reaches its own URI.

use std::sync::Arc;
use stratus_runtime::credentials::Credentials;
use stratus_runtime::http::CaptureClient;
use stratus_runtime::Config;

#[tokio::test]
async fn each_operation_has_its_own_input_type() {
    let fake = Arc::new(CaptureClient::always(200, r#"{"Enabled":true}"#));
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .http_client(fake.clone())
        .build()
        .unwrap();
    let client = fixture_shared::Client::new(&config);
    let out = client.enable_thing().id("a").reason("why").send().await.unwrap();
    assert_eq!(out.enabled, Some(true));
    client.disable_thing().id("b").send().await.unwrap();
    client
        .delete_thing_with(fixture_shared::types::DeleteThingInput { id: "c".into(), ..Default::default() })
        .await
        .unwrap();
    let seen: Vec<_> = fake.requests().iter().map(|r| format!("{} {}", r.method(), r.uri().path())).collect();
    assert_eq!(seen, ["POST /things/a/enable", "POST /things/b/disable", "DELETE /things/c"]);
    // Validation is per input type too: the copy keeps the model's constraints.
    let e = client.disable_thing().id("").send().await.unwrap_err();
    assert!(matches!(e.kind(), stratus_runtime::error::ErrorKind::Validation(_)), "{e}");
}
