//! The fault matrix: a hostile or broken server on 127.0.0.1, driven through the generated Lambda
//! client (`Client::…send()`), with short but non-default limits so each case finishes quickly.
//! Every case is bounded in time and asserts the outcome and the number of attempts the server saw.
//! The README's fault table lists these tests by name.

use bytes::Bytes;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use stratus_lambda::types::InvokeWithResponseStreamResponseEvent;
use stratus_lambda::Client;
use stratus_runtime::config::{ConfigBuilder, TimeoutConfig};
use stratus_runtime::credentials::{Credentials, CredentialsErrorKind, ProfileProvider};
use stratus_runtime::env::Env;
use stratus_runtime::error::{ErrorKind, TimeoutKind};
use stratus_runtime::http::{HttpErrorKind, StalledStreamProtection};
use stratus_runtime::retry::{RetryConfig, RetryMode};
use stratus_runtime::types::DateTime;
use stratus_runtime::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with one request.
#[derive(Clone)]
enum Act {
    /// Status, headers and body (with a correct Content-Length).
    Answer(u16, Vec<(&'static str, String)>, Vec<u8>),
    /// Reads the request and never answers.
    Hang,
    /// Sends the head announcing `announced` bytes and the bytes `sent`, then stalls.
    HeadThenStall { announced: Option<usize>, sent: Vec<u8>, content_type: &'static str },
    /// Sends the head announcing `len` bytes, then one byte every `every`.
    Drip { len: usize, every: Duration },
    /// Sends the head and half the body, then resets the connection.
    ResetMidBody,
    /// Announces more than it sends, then closes.
    Short,
    /// 1 GiB of body, announced by Content-Length or sent chunked; writes until the client stops.
    Huge { chunked: bool },
}

/// A request as the server saw it (head only).
#[derive(Clone, Debug)]
struct Seen {
    headers: Vec<(String, String)>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

struct Server {
    url: String,
    hits: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// Reads a request head (and a Content-Length body); `None` when the peer goes away.
async fn read_request(sock: &mut TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        let n = sock.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8_lossy(&buf[..end]).to_string();
    let headers: Vec<(String, String)> = head
        .split("\r\n")
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let seen = Seen { headers };
    let len: usize = seen.header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    while buf.len() < end + 4 + len {
        let n = sock.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(seen)
}

fn head(status: u16, headers: &[(&str, String)], len: Option<usize>) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} Status\r\n");
    if let Some(len) = len {
        out.push_str(&format!("content-length: {len}\r\n"));
    }
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.into_bytes()
}

async fn act(sock: &mut TcpStream, act: Act) {
    let forever = || tokio::time::sleep(Duration::from_secs(3600));
    match act {
        Act::Answer(status, headers, body) => {
            let mut out = head(status, &headers, Some(body.len()));
            out.extend_from_slice(&body);
            let _ = sock.write_all(&out).await;
        }
        Act::Hang => forever().await,
        Act::HeadThenStall { announced, sent, content_type } => {
            let mut out = head(200, &[("content-type", content_type.to_string())], announced);
            out.extend_from_slice(&sent);
            let _ = sock.write_all(&out).await;
            forever().await;
        }
        Act::Drip { len, every } => {
            let _ = sock.write_all(&head(200, &[], Some(len))).await;
            for _ in 0..len {
                tokio::time::sleep(every).await;
                if sock.write_all(b" ").await.is_err() {
                    return;
                }
            }
        }
        Act::ResetMidBody => {
            let body = br#"{"Functions":[{"FunctionName":"a"},{"FunctionName":"b"}]}"#;
            let mut out = head(200, &[], Some(body.len()));
            out.extend_from_slice(&body[..body.len() / 2]);
            let _ = sock.write_all(&out).await;
            let _ = sock.flush().await;
            #[allow(deprecated)]
            let _ = sock.set_linger(Some(Duration::ZERO));
        }
        Act::Short => {
            let _ = sock.write_all(&head(200, &[], Some(1000))).await;
            let _ = sock.write_all(b"{\"Functions\":[").await;
        }
        Act::Huge { chunked } => {
            const GIB: usize = 1 << 30;
            let block = vec![b' '; 1 << 16];
            if chunked {
                let _ = sock.write_all(&head(200, &[("transfer-encoding", "chunked".into())], None)).await;
                let frame = [format!("{:x}\r\n", block.len()).into_bytes(), block, b"\r\n".to_vec()].concat();
                for _ in 0..GIB / (1 << 16) {
                    if sock.write_all(&frame).await.is_err() {
                        return;
                    }
                }
            } else {
                let _ = sock.write_all(&head(200, &[], Some(GIB))).await;
                for _ in 0..GIB / block.len() {
                    if sock.write_all(&block).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// Serves each connection's requests with `script(n, request)`, n counting requests from 0.
async fn serve(script: impl Fn(usize, &Seen) -> Act + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let script = Arc::new(script);
    let h = hits.clone();
    let task = tokio::spawn(async move {
        for _ in 0..100 {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let (script, hits) = (script.clone(), h.clone());
            tokio::spawn(async move {
                // Keep-alive: several requests may come over one connection.
                while let Some(req) = read_request(&mut sock).await {
                    let n = hits.fetch_add(1, Ordering::SeqCst);
                    let a = script(n, &req);
                    let keep = matches!(a, Act::Answer(..));
                    act(&mut sock, a).await;
                    if !keep {
                        return;
                    }
                }
            });
        }
    });
    Server { url, hits, task }
}

/// Short limits: 3 attempts with backoff of at most 100 ms, 500 ms to connect and to get a response
/// head, bodies stalled when under 4 bytes/s over 500 ms.
fn limits(b: ConfigBuilder) -> ConfigBuilder {
    b.region("us-east-1")
        .credentials(Credentials::new("AKIDEXAMPLE", "SECRET", None, None, "test"))
        .retry(RetryConfig {
            mode: RetryMode::Standard,
            max_attempts: 3,
            base: Duration::from_millis(10),
            max_backoff: Duration::from_millis(100),
        })
        .timeouts(TimeoutConfig {
            connect: Duration::from_millis(500),
            read: Some(Duration::from_millis(500)),
            attempt: None,
            operation: None,
        })
        .stalled_stream_protection(Some(StalledStreamProtection {
            grace_period: Duration::from_millis(500),
            min_bytes_per_sec: 4,
        }))
}

fn client(url: &str, tweak: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Client {
    Client::new(&tweak(limits(Config::builder().endpoint_url(url))).build().unwrap())
}

/// Runs `f`, failing the test if it takes longer than `bound`.
async fn bounded<T>(bound: Duration, f: impl std::future::Future<Output = T>) -> (T, Duration) {
    let start = Instant::now();
    let out = tokio::time::timeout(bound, f).await.expect("the call did not finish within its bound");
    (out, start.elapsed())
}

const OK_LIST: &str = r#"{"Functions":[]}"#;

fn ok_json(body: &str) -> Act {
    Act::Answer(200, vec![], body.as_bytes().to_vec())
}

#[tokio::test]
async fn fault_accepts_and_never_answers() {
    let server = serve(|_, _| Act::Hang).await;
    let (r, elapsed) = bounded(Duration::from_secs(5), client(&server.url, |b| b).list_functions().send()).await;
    let err = r.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Dispatch(e) if e.kind == HttpErrorKind::Timeout), "{err}");
    assert!(err.to_string().contains("read timeout") && err.operation() == "ListFunctions", "{err}");
    assert_eq!(server.hits(), 3, "each attempt times out and is retried");
    assert!(elapsed >= Duration::from_millis(1500), "{elapsed:?}");
}

#[tokio::test]
async fn fault_tls_handshake_stalls() {
    // The server accepts TCP and never answers the ClientHello: the connect timeout covers TLS.
    let server = serve(|_, _| Act::Hang).await;
    let https = server.url.replace("http://", "https://");
    let no_read_timeout = |b: ConfigBuilder| {
        b.max_attempts(1).timeouts(TimeoutConfig {
            connect: Duration::from_millis(300),
            read: None,
            attempt: None,
            operation: None,
        })
    };
    let (r, elapsed) = bounded(Duration::from_secs(3), client(&https, no_read_timeout).list_functions().send()).await;
    let err = r.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Dispatch(e) if e.kind == HttpErrorKind::Timeout), "{err}");
    assert!(err.to_string().contains("TCP and TLS"), "{err}");
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
}

#[tokio::test]
async fn fault_headers_then_stalled_body() {
    let server = serve(|_, _| Act::HeadThenStall {
        announced: Some(1000),
        sent: b"{\"Functions\":[".to_vec(),
        content_type: "application/json",
    })
    .await;
    let (r, _) = bounded(Duration::from_secs(5), client(&server.url, |b| b).list_functions().send()).await;
    let err = r.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Dispatch(e) if e.kind == HttpErrorKind::Timeout), "{err}");
    assert!(err.to_string().contains("stalled"), "{err}");
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn fault_body_drips_slower_than_the_minimum() {
    // 2 bytes per second against a minimum of 4: stalled after the grace period, retried.
    let server = serve(|_, _| Act::Drip { len: 100, every: Duration::from_millis(500) }).await;
    let (r, elapsed) =
        bounded(Duration::from_secs(8), client(&server.url, |b| b.max_attempts(2)).list_functions().send()).await;
    let err = r.unwrap_err();
    assert!(err.to_string().contains("stalled"), "{err}");
    assert_eq!(server.hits(), 2);
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
}

#[tokio::test]
async fn fault_slow_but_steady_body_is_not_stalled() {
    // The positive control: 200 bytes per second for over a second (longer than the grace period)
    // is slow but steady, and is read whole. (The drip sends spaces, which read as an empty body.)
    let server = serve(|_, _| Act::Drip { len: 220, every: Duration::from_millis(5) }).await;
    let (r, elapsed) =
        bounded(Duration::from_secs(5), client(&server.url, |b| b.max_attempts(1)).list_functions().send()).await;
    r.unwrap();
    assert_eq!(server.hits(), 1);
    assert!(elapsed > Duration::from_millis(800), "the body took longer than the grace period: {elapsed:?}");
}

#[tokio::test]
async fn fault_reset_mid_body() {
    let server = serve(|n, _| if n < 2 { Act::ResetMidBody } else { ok_json(OK_LIST) }).await;
    let (r, _) = bounded(Duration::from_secs(5), client(&server.url, |b| b).list_functions().send()).await;
    r.unwrap();
    assert_eq!(server.hits(), 3, "two broken attempts, then success");
}

#[tokio::test]
async fn fault_content_length_larger_than_sent() {
    let server = serve(|_, _| Act::Short).await;
    let (r, _) = bounded(Duration::from_secs(5), client(&server.url, |b| b).list_functions().send()).await;
    let err = r.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Dispatch(e) if e.kind == HttpErrorKind::Io), "{err}");
    assert!(err.is_retryable());
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn fault_one_gib_body_is_refused() {
    for chunked in [false, true] {
        let server = serve(move |_, _| Act::Huge { chunked }).await;
        let c = client(&server.url, |b| b.max_response_body(1 << 20));
        let (r, elapsed) = bounded(Duration::from_secs(10), c.list_functions().send()).await;
        let err = r.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Dispatch(e) if e.kind == HttpErrorKind::TooLarge), "{err}");
        assert!(!err.is_retryable());
        assert_eq!(server.hits(), 1, "chunked: {chunked}");
        assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    }
}

#[tokio::test]
async fn fault_the_default_body_limit_applies() {
    // Without a configured limit, the documented default stops a 1 GiB answer too.
    let server = serve(|_, _| Act::Huge { chunked: false }).await;
    let config = limits(Config::builder().endpoint_url(&server.url)).build().unwrap();
    assert_eq!(config.max_response_body(), stratus_runtime::config::DEFAULT_MAX_RESPONSE_BODY);
    let (r, elapsed) = bounded(Duration::from_secs(5), Client::new(&config).list_functions().send()).await;
    assert!(matches!(r.unwrap_err().kind(), ErrorKind::Dispatch(e) if e.kind == HttpErrorKind::TooLarge));
    assert!(elapsed < Duration::from_secs(1), "refused on Content-Length, nothing read: {elapsed:?}");
}

#[tokio::test]
async fn fault_invalid_json_and_non_utf8_bodies() {
    for body in [&b"{\"Functions\": [ nope"[..], &[0xff, 0xfe, 0x00, 0x80][..]] {
        let body = body.to_vec();
        let server = serve(move |_, _| Act::Answer(200, vec![], body.clone())).await;
        let (r, _) = bounded(Duration::from_secs(5), client(&server.url, |b| b).list_functions().send()).await;
        let err = r.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Response(_)), "{err}");
        assert!(!err.is_retryable());
        assert_eq!(server.hits(), 1, "an unreadable 200 is not retried");
    }
}

#[tokio::test]
async fn fault_502_with_an_html_page() {
    let html = b"<html><body><h1>502 Bad Gateway</h1></body></html>".to_vec();
    let server = serve(move |_, _| Act::Answer(502, vec![("content-type", "text/html".into())], html.clone())).await;
    let (r, _) =
        bounded(Duration::from_secs(5), client(&server.url, |b| b).get_function().function_name("f").send()).await;
    let err = r.unwrap_err();
    assert_eq!(err.code(), Some("Http502BadGateway"), "{err}");
    assert!(err.message().unwrap_or_default().contains("502 Bad Gateway"), "{err}");
    assert!(err.is_retryable());
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn fault_unparseable_501_is_neither_retried_nor_called_retryable() {
    // The retrier and is_retryable() agree (they used to disagree on an unparseable 501).
    let server = serve(|_, _| Act::Answer(501, vec![], b"not json".to_vec())).await;
    let (r, _) = bounded(Duration::from_secs(5), client(&server.url, |b| b).list_functions().send()).await;
    let err = r.unwrap_err();
    assert!(!err.is_retryable(), "{err}");
    assert_eq!(server.hits(), 1);
}

/// A 429 with the given header, then success; returns the time the call took.
async fn throttled_once(header: &'static str, value: String, max_backoff: Duration) -> Duration {
    let server = serve(move |n, _| {
        if n == 0 {
            Act::Answer(429, vec![(header, value.clone())], br#"{"__type":"TooManyRequestsException"}"#.to_vec())
        } else {
            ok_json(OK_LIST)
        }
    })
    .await;
    let c = client(&server.url, |b| {
        b.retry(RetryConfig {
            mode: RetryMode::Standard,
            max_attempts: 2,
            base: Duration::from_millis(10),
            max_backoff,
        })
    });
    let (r, elapsed) = bounded(Duration::from_secs(10), c.list_functions().send()).await;
    r.unwrap();
    assert_eq!(server.hits(), 2);
    elapsed
}

#[tokio::test]
async fn fault_429_retry_after_values() {
    let cap = Duration::from_secs(1);
    // Honoured when sane.
    let t = throttled_once("retry-after", "0.2".into(), cap).await;
    assert!(t >= Duration::from_millis(200), "{t:?}");
    // Absurd values never panic and are capped at the maximum backoff.
    for v in ["1e20", "-1", "NaN", "inf", "99999999999999999999999"] {
        let t = throttled_once("retry-after", v.into(), cap).await;
        assert!(t < cap + Duration::from_millis(500), "{v}: {t:?}");
    }
    let t = throttled_once("x-amz-retry-after", "1e23".into(), cap).await;
    assert!(t < cap + Duration::from_millis(500), "{t:?}");
    // An HTTP-date two seconds ahead: a wait of one to two seconds (the date has whole seconds).
    let at = DateTime::from_secs(DateTime::now().secs() + 2).to_http_date();
    let t = throttled_once("retry-after", at, Duration::from_secs(5)).await;
    assert!(t >= Duration::from_millis(900) && t < Duration::from_millis(2600), "{t:?}");
}

#[tokio::test]
async fn fault_403_clock_skew_is_corrected_and_remembered() {
    // The server's clock is 10 minutes ahead: it rejects requests dated more than 5 minutes off.
    let skew = 600;
    let server = serve(move |_, req| {
        let server_now = DateTime::now().secs() + skew;
        let sent = req.header("x-amz-date").unwrap_or_default().to_string();
        let sent_at = DateTime::parse_iso8601(&format!(
            "{}-{}-{}T{}:{}:{}Z",
            &sent[0..4],
            &sent[4..6],
            &sent[6..8],
            &sent[9..11],
            &sent[11..13],
            &sent[13..15]
        ))
        .map(|d| d.secs())
        .unwrap_or(0);
        if (server_now - sent_at).abs() > 300 {
            let date = DateTime::from_secs(server_now).to_http_date();
            Act::Answer(
                403,
                vec![("date", date), ("x-amzn-errortype", "InvalidSignatureException".into())],
                br#"{"message":"Signature expired: the request is more than 5 minutes old"}"#.to_vec(),
            )
        } else {
            ok_json(OK_LIST)
        }
    })
    .await;
    let c = client(&server.url, |b| b);
    let (r, elapsed) = bounded(Duration::from_secs(5), c.list_functions().send()).await;
    r.unwrap();
    assert_eq!(server.hits(), 2, "rejected once, then re-signed with the server's time");
    assert!(elapsed < Duration::from_millis(500), "no backoff for a corrected clock: {elapsed:?}");
    // The offset is kept by the client: the next call is right the first time.
    bounded(Duration::from_secs(5), c.list_functions().send()).await.0.unwrap();
    assert_eq!(server.hits(), 3);
    // A signature error without skew is not retried.
    let server = serve(|_, _| {
        Act::Answer(
            403,
            vec![("date", DateTime::now().to_http_date()), ("x-amzn-errortype", "InvalidSignatureException".into())],
            b"{}".to_vec(),
        )
    })
    .await;
    let (r, _) = bounded(Duration::from_secs(5), client(&server.url, |b| b).list_functions().send()).await;
    assert_eq!(r.unwrap_err().code(), Some("InvalidSignatureException"));
    assert_eq!(server.hits(), 1);
}

fn event(kind: &str, payload: &'static [u8]) -> Vec<u8> {
    use stratus_runtime::event_stream::{HeaderValue, Message};
    Message {
        headers: vec![
            (":message-type".into(), HeaderValue::String("event".into())),
            (":event-type".into(), HeaderValue::String(kind.into())),
        ],
        payload: Bytes::from_static(payload),
    }
    .encode()
}

#[tokio::test]
async fn fault_event_stream_goes_idle() {
    let server = serve(|_, _| Act::HeadThenStall {
        announced: None,
        sent: event("PayloadChunk", b"hello"),
        content_type: "application/vnd.amazon.eventstream",
    })
    .await;
    let c = client(&server.url, |b| b);
    let (out, _) = bounded(Duration::from_secs(5), c.invoke_with_response_stream().function_name("f").send()).await;
    let mut stream = out.unwrap().event_stream.unwrap();
    let first = bounded(Duration::from_secs(2), stream.recv()).await.0.unwrap().unwrap();
    assert!(matches!(first, InvokeWithResponseStreamResponseEvent::PayloadChunk(_)));
    let (idle, elapsed) = bounded(Duration::from_secs(3), stream.recv()).await;
    let err = idle.unwrap().unwrap_err();
    assert!(err.to_string().contains("stalled"), "{err}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
}

#[tokio::test]
async fn fault_operation_timeouts_name_the_operation() {
    let server = serve(|_, _| Act::Hang).await;
    let c = client(&server.url, |b| {
        b.timeouts(TimeoutConfig {
            connect: Duration::from_millis(500),
            read: None,
            attempt: Some(Duration::from_millis(100)),
            operation: Some(Duration::from_millis(250)),
        })
    });
    let (r, _) = bounded(Duration::from_secs(2), c.get_function().function_name("f").send()).await;
    let err = r.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Timeout { kind: TimeoutKind::Operation, .. }), "{err}");
    assert_eq!(err.operation(), "GetFunction");
}

// ---- Credentials sources: IMDS and credential_process, through the client's default chain ----

#[path = "../../runtime/tests/common/mod.rs"]
mod common;

/// A config whose only credentials source is IMDS at `imds_url` (no files, no environment keys).
async fn imds_client(imds_url: &str, endpoint: &str) -> Client {
    let env = Env::from_vars([
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds_url),
        ("HOME", "/nonexistent"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", endpoint),
    ]);
    let b = ConfigBuilder::from_env(env).await.unwrap().max_attempts(1);
    Client::new(&b.build().unwrap())
}

fn imds_credentials(expiration: &str) -> String {
    format!(
        r#"{{"Code":"Success","AccessKeyId":"IMDS_AKID","SecretAccessKey":"S","Token":"T","Expiration":"{expiration}"}}"#
    )
}

#[tokio::test]
async fn fault_imds_token_request_hangs() {
    let imds = common::serve(|_, _| common::Reply::Slow(Duration::from_secs(30), 200, "late".into())).await;
    let service = serve(|_, _| ok_json(OK_LIST)).await;
    let c = imds_client(&imds.url, &service.url).await;
    let (r, elapsed) = bounded(Duration::from_secs(5), c.list_functions().send()).await;
    let err = r.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Credentials(e) if e.kind == CredentialsErrorKind::NotLoaded), "{err}");
    assert!(elapsed < Duration::from_millis(1800), "{elapsed:?}");
    // Unreachable IMDS is remembered: the next call does not wait on it again.
    let (r, elapsed) = bounded(Duration::from_secs(5), c.list_functions().send()).await;
    assert!(r.unwrap_err().to_string().contains("not retried"));
    assert!(elapsed < Duration::from_millis(200), "{elapsed:?}");
    assert_eq!(imds.hits(), 1);
    assert_eq!(service.hits(), 0, "nothing unsigned was sent");
}

#[tokio::test]
async fn fault_imds_token_403_and_405() {
    for (status, kind, text) in [
        (403, CredentialsErrorKind::NotLoaded, "no credentials found"),
        (405, CredentialsErrorKind::ProviderError, "IMDSv2"),
    ] {
        let imds = common::serve(move |_, _| common::status(status, "")).await;
        let service = serve(|_, _| ok_json(OK_LIST)).await;
        let c = imds_client(&imds.url, &service.url).await;
        let (r, _) = bounded(Duration::from_secs(5), c.list_functions().send()).await;
        let err = r.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Credentials(e) if e.kind == kind), "{status}: {err}");
        assert!(err.to_string().contains(text), "{status}: {err}");
        assert_eq!((imds.hits(), service.hits()), (1, 0), "{status}");
    }
}

#[tokio::test]
async fn fault_imds_bad_role_name() {
    let imds = common::serve(|n, _| if n == 0 { common::ok("TOKEN") } else { common::ok("../../evil") }).await;
    let service = serve(|_, _| ok_json(OK_LIST)).await;
    let (r, _) =
        bounded(Duration::from_secs(5), imds_client(&imds.url, &service.url).await.list_functions().send()).await;
    let err = r.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Credentials(e) if e.kind == CredentialsErrorKind::ProviderError), "{err}");
    assert!(err.to_string().contains("invalid role name"), "{err}");
    assert_eq!((imds.hits(), service.hits()), (2, 0));
}

#[tokio::test]
async fn fault_imds_credentials_already_expired() {
    // IMDS hands out credentials that expired yesterday: they are used (with their expiry pushed
    // ahead) instead of making every call ask IMDS again.
    let imds = common::serve(|_, req| match req.path.as_str() {
        "/latest/api/token" => common::ok("TOKEN"),
        "/latest/meta-data/iam/security-credentials/" => common::ok("role"),
        _ => common::ok(&imds_credentials("2020-01-01T00:00:00Z")),
    })
    .await;
    let service = serve(|_, _| ok_json(OK_LIST)).await;
    let c = imds_client(&imds.url, &service.url).await;
    for _ in 0..3 {
        bounded(Duration::from_secs(5), c.list_functions().send()).await.0.unwrap();
    }
    assert_eq!(imds.hits(), 3, "fetched once: token, role, credentials");
    assert_eq!(service.hits(), 3);
}

/// Runs `command` as the credential_process of a fresh profile (timeout 500 ms) in front of a
/// service that must never be called; returns the error and how long the call took.
async fn credential_process_failure(
    name: &str,
    command: &str,
) -> (stratus_runtime::Error<stratus_lambda::error::ListFunctionsError>, Duration) {
    let dir = std::env::temp_dir().join(format!("stratus-faults-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config"), format!("[default]\ncredential_process = {command}\n")).unwrap();
    let cfg = dir.join("config").display().to_string();
    let env = Env::from_vars([("AWS_CONFIG_FILE", cfg.as_str()), ("HOME", "/nonexistent")]);
    let provider = ProfileProvider::new(env).with_process_timeout(Duration::from_millis(500));
    let service = serve(|_, _| ok_json(OK_LIST)).await;
    let config =
        limits(Config::builder().endpoint_url(&service.url)).credentials_provider(Arc::new(provider)).build().unwrap();
    let (r, elapsed) = bounded(Duration::from_secs(10), Client::new(&config).list_functions().send()).await;
    assert_eq!(service.hits(), 0);
    let _ = std::fs::remove_dir_all(&dir);
    (r.unwrap_err(), elapsed)
}

#[tokio::test]
async fn fault_credential_process_sleeps_past_its_timeout() {
    let (err, elapsed) = credential_process_failure("sleep", "sleep 30").await;
    assert!(err.to_string().contains("did not finish within 500 ms"), "{err}");
    assert!(!err.to_string().contains("sleep 30"), "the command line is not quoted: {err}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
}

#[tokio::test]
async fn fault_credential_process_prints_a_gigabyte() {
    let (err, elapsed) = credential_process_failure("flood", "head -c 1073741824 /dev/zero").await;
    assert!(err.to_string().contains("printed more than"), "{err}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}
