//! One test per finding of the security and fault-tolerance audit that shows through a generated
//! client: what reaches the wire (or does not), how errors are classed, and waiter bounds.

use bytes::Bytes;
use std::sync::Arc;
use std::time::{Duration, Instant};
use stratus_lambda::Client;
use stratus_runtime::config::TimeoutConfig;
use stratus_runtime::credentials::{Credentials, CredentialsErrorKind};
use stratus_runtime::env::Env;
use stratus_runtime::error::ErrorKind;
use stratus_runtime::http::{Body, CaptureClient};
use stratus_runtime::retry::{RetryConfig, RetryMode};
use stratus_runtime::Config;

fn creds() -> Credentials {
    Credentials::new("AKIDEXAMPLE", "SECRET", None, None, "test")
}

fn fake_client(fake: Arc<CaptureClient>) -> Client {
    let config = Config::builder().region("us-west-2").credentials(creds()).http_client(fake).build().unwrap();
    Client::new(&config)
}

#[tokio::test]
async fn a_region_that_is_not_a_host_label_is_a_configuration_error() {
    for region in ["evil.test/", "x@evil.test#", "us-east-1.evil.test", "a b", "", "-bad", &"a".repeat(64)] {
        let e = Config::builder().region(region).credentials(creds()).build().unwrap_err();
        assert!(e.to_string().contains("not a valid region name"), "{region}: {e}");
    }
    // From the environment and from a profile, the error names where the value came from.
    let e = Config::from_env_with(Env::from_vars([("AWS_REGION", "x@evil.test#")])).await.unwrap_err();
    assert!(e.to_string().contains("AWS_REGION") && e.to_string().contains("not a valid region"), "{e}");
    let dir = std::env::temp_dir().join(format!("stratus-hardening-region-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config"), "[default]\nregion = evil.test/\n").unwrap();
    let cfg = dir.join("config").display().to_string();
    let e = Config::from_env_with(Env::from_vars([("AWS_CONFIG_FILE", cfg.as_str()), ("HOME", "/nonexistent")]))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("config:2"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
    // Valid regions still resolve to the service's host.
    let fake = Arc::new(CaptureClient::always(200, "{}"));
    let config =
        Config::builder().region("eu-central-2").credentials(creds()).http_client(fake.clone()).build().unwrap();
    Client::new(&config).list_functions().send().await.unwrap();
    assert_eq!(fake.requests()[0].uri().host(), Some("lambda.eu-central-2.amazonaws.com"));
}

#[tokio::test]
async fn endpoint_urls_must_be_absolute_and_unambiguous() {
    for url in [
        "localhost:5000",
        "ftp://example.com",
        "https://lambda.us-east-1.amazonaws.com@evil.test",
        "https://example.com/?x=1",
        "https://example.com/#frag",
        "/relative",
    ] {
        let e = Config::builder().endpoint_url(url).build().unwrap_err();
        assert!(e.to_string().contains("endpoint URL"), "{url}: {e}");
        let e = Config::from_env_with(Env::from_vars([("AWS_ENDPOINT_URL_LAMBDA", url)])).await.unwrap_err();
        assert!(e.to_string().contains("endpoint URL"), "{url}: {e}");
    }
    Config::builder().endpoint_url("http://127.0.0.1:5000/base").build().unwrap();
}

#[tokio::test]
async fn dot_segment_labels_are_refused_before_io() {
    let fake = Arc::new(CaptureClient::always(200, "{}"));
    let client = fake_client(fake.clone());
    for name in [".", ".."] {
        let e = client.delete_alias().function_name("f").name(name).send().await.unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Validation(v) if v.path == "Name"), "{e}");
        let e = client.get_function().function_name(name).send().await.unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Validation(_)), "{e}");
    }
    assert_eq!(fake.count(), 0, "nothing was sent");
    // Dots inside a name are fine.
    client.delete_alias().function_name("f").name("v1..2").send().await.unwrap();
    assert_eq!(fake.requests()[0].uri().path(), "/2015-03-31/functions/f/aliases/v1..2");
}

#[tokio::test]
async fn signing_failures_are_credentials_errors_that_do_not_echo_the_token() {
    let fake = Arc::new(CaptureClient::always(200, "{}"));
    let bad = Credentials::new("AKID", "SECRET", Some("TOKEN-CANARY\nInjected: yes".into()), None, "test");
    let config = Config::builder().region("us-east-1").credentials(bad).http_client(fake.clone()).build().unwrap();
    let e = Client::new(&config).list_functions().send().await.unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::Credentials(c) if c.kind == CredentialsErrorKind::InvalidConfiguration),
        "{e}"
    );
    assert!(e.to_string().contains("session token"), "{e}");
    assert!(!format!("{e} {e:?}").contains("CANARY"), "{e:?}");
    assert_eq!(fake.count(), 0);
    // A header value HTTP does not allow is a request-building error, not a validation error.
    let e =
        fake_client(fake.clone()).invoke().function_name("f").client_context("line\nbreak").send().await.unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Build(_)), "{e:?}");
    assert_eq!(fake.count(), 0);
}

/// A fixture client whose fake answers every request with `status` and error code `code`.
fn fixture_answering(status: u16, code: &'static str) -> (fixture_waiters::Client, Arc<CaptureClient>) {
    let fake = Arc::new(CaptureClient::new(move |_| {
        let mut r = http::Response::new(Body::from_bytes(Bytes::from_static(b"{}")));
        *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
        r.headers_mut().insert("x-amzn-errortype", http::HeaderValue::from_static(code));
        Ok(r)
    }));
    let retry = RetryConfig {
        mode: RetryMode::Standard,
        max_attempts: 3,
        base: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
    };
    let config = Config::builder()
        .region("us-east-1")
        .credentials(creds())
        .http_client(fake.clone())
        .retry(retry)
        .build()
        .unwrap();
    (fixture_waiters::Client::new(&config), fake)
}

#[tokio::test]
async fn the_models_retryable_traits_decide_retries() {
    use fixture_waiters::error::DescribeThingError;
    // `Busy` is modeled throttling (400), `Flaky` retryable (409): both retried; `NotFound` not.
    for (status, code, attempts) in [(400, "BusyNow", 3), (409, "Flaky", 3), (404, "NotFound", 1)] {
        let (client, fake) = fixture_answering(status, code);
        let e = client.describe_thing().name("x").send().await.unwrap_err();
        assert_eq!(fake.count(), attempts, "{code}");
        assert_eq!(e.is_retryable(), attempts > 1, "{code}");
        match (code, e.service_error()) {
            ("BusyNow", Some(DescribeThingError::Busy(_)))
            | ("Flaky", Some(DescribeThingError::Flaky(_)))
            | ("NotFound", Some(DescribeThingError::NotFound(_))) => {}
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn a_waiter_gives_up_at_max_wait_even_while_a_poll_hangs() {
    // A server that accepts and never answers, and no read timeout: only max_wait bounds the wait.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
    let config = Config::builder()
        .endpoint_url(&url)
        .region("us-east-1")
        .credentials(creds())
        .timeouts(TimeoutConfig { read: None, ..TimeoutConfig::default() })
        .build()
        .unwrap();
    let start = Instant::now();
    let waited = tokio::time::timeout(
        Duration::from_secs(5),
        Client::new(&config).wait_until_function_active().function_name("f").wait(Duration::from_millis(300)),
    )
    .await
    .expect("the waiter returned");
    let err = waited.unwrap_err();
    assert!(err.to_string().contains("gave up"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(1), "{:?}", start.elapsed());
    server.abort();
}

#[tokio::test]
async fn maps_keyed_by_an_enum_are_validated_and_duplicate_errors_are_one_variant() {
    use fixture_waiters::types::{Check, State};
    let (client, fake) = fixture_answering(404, "NotFound");
    let checks = std::iter::once((State::Ready, Check::default())).collect::<stratus_runtime::types::IndexMap<_, _>>();
    let e = client.describe_thing().name("x").checks(checks).send().await.unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Validation(v) if v.path == "Checks.Name"), "{e}");
    assert_eq!(fake.count(), 0);
    // The model lists NotFound twice for DescribeThing; the enum has it once and it still matches.
    let e = client.describe_thing().name("x").send().await.unwrap_err();
    assert!(matches!(e.service_error(), Some(fixture_waiters::error::DescribeThingError::NotFound(_))), "{e}");
}
