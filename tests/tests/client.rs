//! The generated Lambda client as a user would drive it: against a local HTTP server and against the
//! capturing fake — requests on the wire, typed outputs, typed errors, validation, event streams.

#[path = "../../runtime/tests/common/mod.rs"]
mod common;

use bytes::Bytes;
use common::{serve, Reply};
use std::sync::Arc;
use stratus_lambda::error::*;
use stratus_lambda::types::*;
use stratus_lambda::Client;
use stratus_runtime::credentials::Credentials;
use stratus_runtime::error::ErrorKind;
use stratus_runtime::http::{Body, CaptureClient};
use stratus_runtime::Config;

fn creds() -> Credentials {
    Credentials::new("AKIDEXAMPLE", "SECRET", None, None, "test")
}

/// A client for `url` with static credentials, as a new user would build it.
fn client_for(url: &str) -> Client {
    let config =
        Config::builder().endpoint_url(url).region("us-east-1").credentials(creds()).max_attempts(1).build().unwrap();
    Client::new(&config)
}

fn fake_client(fake: Arc<CaptureClient>) -> Client {
    let config =
        Config::builder().region("us-west-2").credentials(creds()).http_client(fake).max_attempts(1).build().unwrap();
    Client::new(&config)
}

const LIST: &str = r#"{"Functions":[{"FunctionName":"a","Runtime":"python3.12","MemorySize":128},{"FunctionName":"b","Runtime":"cobol"}],"NextMarker":"m2"}"#;

#[tokio::test]
async fn list_functions_against_a_local_server() {
    let server = serve(|_, _| Reply::Normal(200, vec![("x-amzn-requestid".into(), "req-1".into())], LIST.into())).await;
    let client = client_for(&server.url);
    let out = client.list_functions().max_items(10).send().await.unwrap();
    let names: Vec<_> =
        out.functions.unwrap().into_iter().map(|f| (f.function_name.unwrap(), f.runtime.unwrap())).collect();
    assert_eq!(names[0], ("a".to_string(), Runtime::Python312));
    assert_eq!(names[1].1.as_str(), "cobol");
    assert_eq!(out.next_marker.as_deref(), Some("m2"));
    let seen = &server.seen()[0];
    assert_eq!((seen.method.as_str(), seen.path.as_str()), ("GET", "/2015-03-31/functions?MaxItems=10"));
    let auth = seen.header("authorization").unwrap();
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") && auth.contains("/us-east-1/lambda/aws4_request"),
        "{auth}"
    );
    assert!(seen.header("user-agent").unwrap().starts_with("stratus/"));
}

#[tokio::test]
async fn a_closed_port_is_a_dispatch_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let err = client_for(&url).list_functions().send().await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Dispatch(_)), "{err}");
    assert!(err.to_string().starts_with("ListFunctions: request not completed: connection failed"), "{err}");
}

#[tokio::test]
async fn validation_fails_before_any_request() {
    let fake = Arc::new(CaptureClient::always(200, "{}"));
    let client = fake_client(fake.clone());

    let err = client.get_function().send().await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Validation(v) if v.path == "FunctionName"), "{err}");

    let err = client.get_function().function_name("x".repeat(300)).send().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "GetFunction: invalid parameter `FunctionName`: length 300 is above the maximum of 256"
    );

    let err = client.update_function_configuration().function_name("f").memory_size(64).send().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "UpdateFunctionConfiguration: invalid parameter `MemorySize`: value 64 is below the minimum of 128"
    );

    // Nested members are checked with their path.
    let err = client
        .create_function()
        .function_name("f")
        .role("arn:aws:iam::123456789012:role/r")
        .code(FunctionCode::default())
        .ephemeral_storage(EphemeralStorage { size: 100_000 })
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("`EphemeralStorage.Size`: value 100000 is above the maximum of 32768"), "{err}");
    assert_eq!(fake.count(), 0, "no request was sent");
}

#[tokio::test]
async fn invoke_sends_the_payload_and_reads_headers() {
    let fake = Arc::new(CaptureClient::new(|_| {
        let mut r = http::Response::new(Body::from_bytes(Bytes::from_static(b"{\"ok\":1}")));
        r.headers_mut().insert("x-amz-executed-version", "$LATEST".parse().unwrap());
        r.headers_mut().insert("x-amz-function-error", "Unhandled".parse().unwrap());
        Ok(r)
    }));
    let client = fake_client(fake.clone());
    let out = client
        .invoke()
        .function_name("arn:aws:lambda:us-west-2:123456789012:function:my-fn")
        .invocation_type(InvocationType::RequestResponse)
        .log_type("Tail")
        .payload(b"{\"x\":1}".as_slice())
        .qualifier("live")
        .send()
        .await
        .unwrap();
    assert_eq!(out.status_code, Some(200));
    assert_eq!(out.executed_version.as_deref(), Some("$LATEST"));
    assert_eq!(out.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(out.payload.unwrap().as_bytes(), b"{\"ok\":1}");

    let req = &fake.requests()[0];
    assert_eq!(req.method(), "POST");
    assert_eq!(
        req.uri().to_string(),
        "https://lambda.us-west-2.amazonaws.com/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-west-2%3A123456789012%3Afunction%3Amy-fn/invocations?Qualifier=live"
    );
    assert_eq!(req.headers()["x-amz-invocation-type"], "RequestResponse");
    assert_eq!(req.headers()["x-amz-log-type"], "Tail");
    assert_eq!(req.headers()["content-type"], "application/octet-stream");
    assert_eq!(req.body(), &Bytes::from_static(b"{\"x\":1}"));
}

#[tokio::test]
async fn untag_resource_repeats_list_query_keys() {
    let fake = Arc::new(CaptureClient::always(204, ""));
    let client = fake_client(fake.clone());
    client
        .untag_resource()
        .resource("arn:aws:lambda:us-west-2:1:function:f")
        .tag_keys(vec!["a".into(), "b c".into()])
        .send()
        .await
        .unwrap();
    let uri = fake.requests()[0].uri().to_string();
    assert!(
        uri.ends_with("/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-west-2%3A1%3Afunction%3Af?tagKeys=a&tagKeys=b%20c"),
        "{uri}"
    );
}

#[tokio::test]
async fn literal_query_strings_merge_with_members() {
    let fake = Arc::new(CaptureClient::always(200, "{}"));
    let client = fake_client(fake.clone());
    client.get_layer_version_by_arn().arn("arn:aws:lambda:us-west-2:1:layer:l:1").send().await.unwrap();
    let uri = fake.requests()[0].uri().to_string();
    assert!(
        uri.ends_with("/2018-10-31/layers?find=LayerVersion&Arn=arn%3Aaws%3Alambda%3Aus-west-2%3A1%3Alayer%3Al%3A1"),
        "{uri}"
    );
}

#[tokio::test]
async fn modeled_errors_become_typed_variants() {
    let fake = Arc::new(CaptureClient::new(|_| {
        let mut r = http::Response::new(Body::from_bytes(Bytes::from_static(
            br#"{"Type":"User","message":"Rate exceeded","Reason":"CallerRateLimitExceeded"}"#,
        )));
        *r.status_mut() = http::StatusCode::TOO_MANY_REQUESTS;
        r.headers_mut()
            .insert("x-amzn-errortype", "TooManyRequestsException:http://internal.amazon.com/".parse().unwrap());
        r.headers_mut().insert("retry-after", "7".parse().unwrap());
        r.headers_mut().insert("x-amzn-requestid", "rid-9".parse().unwrap());
        Ok(r)
    }));
    let client = fake_client(fake.clone());
    let err = client.get_function().function_name("f").send().await.unwrap_err();
    match err.service_error() {
        Some(GetFunctionError::TooManyRequestsException(e)) => {
            assert_eq!(e.retry_after_seconds.as_deref(), Some("7"));
            assert_eq!(e.message.as_deref(), Some("Rate exceeded"));
            assert_eq!(e.reason.as_ref().map(ThrottleReason::as_str), Some("CallerRateLimitExceeded"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(err.code(), Some("TooManyRequestsException"));
    assert_eq!(err.request_id(), Some("rid-9"));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn unmodeled_and_html_errors_are_still_useful() {
    let fake = Arc::new(CaptureClient::new(|_| {
        let mut r = http::Response::new(Body::from_bytes(Bytes::from_static(b"<html><h1>502 Bad Gateway</h1></html>")));
        *r.status_mut() = http::StatusCode::BAD_GATEWAY;
        Ok(r)
    }));
    let err = fake_client(fake).get_function().function_name("f").send().await.unwrap_err();
    assert!(matches!(err.service_error(), Some(GetFunctionError::Unhandled(u)) if u.code == "Http502BadGateway"));
    assert!(err.to_string().contains("HTTP 502") && err.to_string().contains("502 Bad Gateway"), "{err}");

    let fake = Arc::new(CaptureClient::new(|_| {
        let mut r = http::Response::new(Body::from_bytes(Bytes::from_static(
            br#"{"__type":"aws.lambda#ResourceNotFoundException","Message":"Function not found: f"}"#,
        )));
        *r.status_mut() = http::StatusCode::NOT_FOUND;
        Ok(r)
    }));
    let err = fake_client(fake).get_function().function_name("f").send().await.unwrap_err();
    match err.service_error() {
        Some(GetFunctionError::ResourceNotFoundException(e)) => {
            assert_eq!(e.message.as_deref(), Some("Function not found: f"))
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn garbage_success_bodies_are_response_errors() {
    let fake = Arc::new(CaptureClient::always(200, "{\"Functions\": [tru"));
    let err = fake_client(fake).list_functions().send().await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Response(_)), "{err}");
    assert!(err.to_string().contains("invalid JSON body"), "{err}");
}

#[tokio::test]
async fn a_success_body_that_is_not_utf8_is_a_response_error_naming_the_byte() {
    let fake = Arc::new(CaptureClient::new(|_| {
        Ok(http::Response::new(Body::from_bytes(Bytes::from_static(b"{\"Functions\": [{\"Description\": \"\xff\"}]}"))))
    }));
    let err = fake_client(fake).list_functions().send().await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Response(_)), "{err}");
    assert!(err.to_string().contains("invalid JSON body: not UTF-8 (invalid byte at offset 32)"), "{err}");
}

#[tokio::test]
async fn invoke_with_response_stream_yields_typed_events() {
    use stratus_runtime::event_stream::{HeaderValue, Message};
    let event = |kind: &str, payload: &'static [u8]| {
        Message {
            headers: vec![
                (":message-type".into(), HeaderValue::String("event".into())),
                (":event-type".into(), HeaderValue::String(kind.into())),
            ],
            payload: Bytes::from_static(payload),
        }
        .encode()
    };
    let mut body = event("PayloadChunk", b"hello ");
    body.extend(event("PayloadChunk", b"world"));
    body.extend(event("InvokeComplete", br#"{"LogResult":"bG9n"}"#));
    let fake = Arc::new(CaptureClient::new(move |_| {
        let mut r = http::Response::new(Body::from_chunks(
            body.chunks(7).map(|c| Ok(Bytes::copy_from_slice(c))).collect::<Vec<_>>(),
        ));
        r.headers_mut().insert("content-type", "application/vnd.amazon.eventstream".parse().unwrap());
        Ok(r)
    }));
    let out = fake_client(fake).invoke_with_response_stream().function_name("f").send().await.unwrap();
    assert_eq!(out.response_stream_content_type.as_deref(), Some("application/vnd.amazon.eventstream"));
    let mut stream = out.event_stream.unwrap();
    let mut text = Vec::new();
    let mut log = None;
    while let Some(event) = stream.recv().await {
        match event.unwrap() {
            InvokeWithResponseStreamResponseEvent::PayloadChunk(c) => text.extend(c.payload.unwrap().into_inner()),
            InvokeWithResponseStreamResponseEvent::InvokeComplete(c) => log = c.log_result,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(text, b"hello world");
    assert_eq!(log.as_deref(), Some("bG9n"));
}

#[tokio::test]
async fn idempotency_tokens_are_filled() {
    let fake = Arc::new(CaptureClient::always(200, "{}"));
    let client = fake_client(fake.clone());
    client
        .checkpoint_durable_execution()
        .durable_execution_arn("arn:aws:lambda:us-west-2:1:function:f:1/durable-execution/x/y")
        .checkpoint_token("t")
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(fake.requests()[0].body()).unwrap();
    let token = body["ClientToken"].as_str().unwrap();
    assert_eq!(token.len(), 36, "{body}");
}
