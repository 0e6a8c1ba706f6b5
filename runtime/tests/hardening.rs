//! Findings of the security and fault-tolerance audit at the runtime level: container credential
//! hosts, the web identity fall-through, shared failures of a slow provider, event streams polled
//! from two tasks, and out-of-range timestamps.

mod common;

use bytes::Bytes;
use common::{ok, serve};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use stratus_runtime::credentials::*;
use stratus_runtime::env::Env;
use stratus_runtime::event_stream::{EventStream, EventStreamError, EventUnion, HeaderValue, Message};
use stratus_runtime::http::{Body, BoxFuture, HttpClient, HttpError, HttpSettings, HyperClient};
use stratus_runtime::types::DateTime;

fn http() -> Arc<dyn HttpClient> {
    Arc::new(HyperClient::new(HttpSettings::default()).unwrap())
}

fn env(vars: &[(&str, &str)]) -> Env {
    let mut all = vec![("HOME", "/nonexistent")];
    all.extend_from_slice(vars);
    Env::from_vars(all.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

const CREDS: &str = r#"{"AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"2099-01-01T00:00:00Z"}"#;

#[tokio::test]
async fn container_uris_cannot_move_the_host() {
    for (var, value) in [
        ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "@evil.test/x"),
        ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", ".evil.test/x"),
        ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "//evil.test/x"),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.evil.test/creds"),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1@evil.test/creds"),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.2.evil.test/creds"),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://203.0.113.9/creds"),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "file:///etc/passwd"),
    ] {
        // A transport that fails the test if anything is sent.
        let e = ContainerProvider::new(
            env(&[(var, value), ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok")]),
            Arc::new(NoSend),
        )
        .provide()
        .await
        .unwrap_err();
        assert_eq!(e.kind, CredentialsErrorKind::InvalidConfiguration, "{value}: {e}");
    }
    // Loopback by address and by a name that resolves only to loopback are fine.
    let server = serve(|_, req| if req.header("authorization") == Some("tok") { ok(CREDS) } else { ok("{}") }).await;
    let port = server.url.rsplit(':').next().unwrap().to_string();
    for host in ["127.0.0.1", "localhost"] {
        let uri = format!("http://{host}:{port}/creds");
        let vars = [("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri.as_str()), ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok")];
        let c = ContainerProvider::new(env(&vars), http()).provide().await.unwrap();
        assert_eq!(c.access_key_id(), "A", "{host}");
    }
}

#[derive(Debug)]
struct NoSend;

impl HttpClient for NoSend {
    fn call(&self, request: http::Request<Bytes>) -> BoxFuture<'_, Result<http::Response<Body>, HttpError>> {
        panic!("nothing may be sent, but {} was", request.uri())
    }
}

#[tokio::test]
async fn web_identity_never_falls_through_to_another_identity() {
    // On EKS with IRSA: the token file and role are set, and the node's IMDS answers with the
    // node's role. The chain must stop with an error rather than run as the node.
    let imds = serve(|n, _| match n {
        0 => ok("TOKEN"),
        1 => ok("node-role"),
        _ => ok(CREDS),
    })
    .await;
    let vars = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"),
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/pod-role"),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url.as_str()),
    ];
    let e = DefaultChain::new(env(&vars), http()).provide().await.unwrap_err();
    assert_eq!(e.kind, CredentialsErrorKind::InvalidConfiguration, "{e}");
    assert!(e.to_string().contains("AWS_WEB_IDENTITY_TOKEN_FILE"), "{e}");
    assert_eq!(imds.hits(), 0, "IMDS was not asked");
    // Static keys in the environment still come first, as in aws-config.
    let vars =
        [("AWS_WEB_IDENTITY_TOKEN_FILE", "/token"), ("AWS_ACCESS_KEY_ID", "ENV_AKID"), ("AWS_SECRET_ACCESS_KEY", "S")];
    assert_eq!(DefaultChain::new(env(&vars), http()).provide().await.unwrap().access_key_id(), "ENV_AKID");
}

/// Takes 300 ms and fails.
#[derive(Debug, Default)]
struct SlowFailure {
    calls: AtomicUsize,
}

impl ProvideCredentials for SlowFailure {
    fn provide(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            self.calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(300)).await;
            Err(CredentialsError {
                provider: "slow",
                kind: CredentialsErrorKind::ProviderError,
                message: "the source is down".into(),
            })
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_share_one_failure() {
    let inner = Arc::new(SlowFailure::default());
    let cache = Arc::new(CachingProvider::new(inner.clone()));
    let start = Instant::now();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let c = cache.clone();
            tokio::spawn(async move { c.provide().await })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap().unwrap_err().message.contains("down"));
    }
    // Queued one after another they would take 20 x 300 ms.
    assert!(start.elapsed() < Duration::from_millis(900), "{:?}", start.elapsed());
    assert_eq!(inner.calls.load(Ordering::SeqCst), 1);
    // A later caller tries again.
    let _ = cache.provide().await;
    assert_eq!(inner.calls.load(Ordering::SeqCst), 2);
}

/// An event union that keeps the payload of every event.
#[derive(Debug)]
struct Text(String);

impl EventUnion for Text {
    fn from_event(_: &str, message: &Message) -> Result<Option<Self>, EventStreamError> {
        Ok(Some(Text(String::from_utf8_lossy(&message.payload).into_owned())))
    }
}

fn frame(payload: &'static str) -> Bytes {
    Bytes::from(
        Message {
            headers: vec![
                (":message-type".into(), HeaderValue::String("event".into())),
                (":event-type".into(), HeaderValue::String("Chunk".into())),
            ],
            payload: Bytes::from_static(payload.as_bytes()),
        }
        .encode(),
    )
}

/// A body fed from a channel.
struct ChannelBody(tokio::sync::mpsc::UnboundedReceiver<Bytes>);

impl futures_core::Stream for ChannelBody {
    type Item = Result<Bytes, HttpError>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx).map(|o| o.map(Ok))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_stream_polled_from_two_clones_wakes_both() {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let stream = EventStream::<Text>::new(Body::from_stream(ChannelBody(rx)));
    let (mut a, mut b) = (stream.clone(), stream.clone());
    let first = tokio::spawn(async move { a.recv().await.map(|r| r.map(|t| t.0)) });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let second = tokio::spawn(async move { b.recv().await.map(|r| r.map(|t| t.0)) });
    tokio::time::sleep(Duration::from_millis(50)).await;
    // Both tasks wait. One event goes to one of them; the other must wake up for the next one
    // (it used to sleep forever: only the last poller's waker was kept).
    tx.send(frame("one")).unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    tx.send(frame("two")).unwrap();
    let bound = Duration::from_secs(3);
    let r1 = tokio::time::timeout(bound, first).await.expect("first task woke").unwrap();
    let r2 = tokio::time::timeout(bound, second).await.expect("second task woke").unwrap();
    let mut got = vec![r1.unwrap().unwrap(), r2.unwrap().unwrap()];
    got.sort();
    assert_eq!(got, ["one", "two"]);
}

#[test]
fn out_of_range_timestamps_are_errors() {
    for s in [
        "Tue, 14 Nov 300000000000 22:13:20 GMT",
        "Tue, 14 Nov -5 22:13:20 GMT",
        "Tue, 14 Nov 99999999999999999999 22:13:20 GMT",
    ] {
        assert!(DateTime::parse_http_date(s).is_err(), "{s}");
    }
    assert!(DateTime::parse_epoch("1e300").is_err());
    assert!(DateTime::parse_epoch("99999999999999999999999").is_err());
    // Huge but representable values format without overflowing.
    let far = DateTime::from_secs(i64::MAX);
    let _ = (far.to_iso8601(), far.to_http_date(), far.to_epoch_string());
    let _ = DateTime::from_secs(i64::MIN).to_iso8601();
    // Credentials that expire in year 9999 are fine; beyond is refused rather than overflowing.
    let c = stratus_runtime::__fuzz::credentials_json(
        br#"{"AccessKeyId":"A","SecretAccessKey":"S","Expiration":"9999-12-31T23:59:59Z"}"#,
    )
    .unwrap();
    assert!(c.expiry().is_some());
}
