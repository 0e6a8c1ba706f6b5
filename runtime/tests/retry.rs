//! Retries against an in-process fault server on 127.0.0.1: throttling, 5xx, resets, truncated and
//! slow responses; attempts counted by the server.

mod common;

use bytes::Bytes;
use common::{ok, serve, status, Reply};
use std::sync::Arc;
use std::time::{Duration, Instant};
use stratus_runtime::error::{Error, ErrorKind, RawResponse, ServiceError, TimeoutKind};
use stratus_runtime::http::{HttpClient, HttpSettings, HyperClient};
use stratus_runtime::retry::{Retrier, RetryConfig, RetryMode, Timeouts};

fn http() -> Arc<dyn HttpClient> {
    Arc::new(HyperClient::new(HttpSettings::default()).unwrap())
}

/// A minimal operation: GET `url`; 200 is success, anything else a service error.
async fn call(http: &dyn HttpClient, url: &str) -> Result<String, Error<()>> {
    let dispatch = |e| Error::new("Test", ErrorKind::Dispatch(e));
    let req = http::Request::get(url).body(Bytes::new()).unwrap();
    let resp = http.call(req).await.map_err(dispatch)?;
    let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
    let body = resp.into_body().collect().await.map_err(dispatch)?;
    if status == 200 {
        return Ok(String::from_utf8_lossy(&body).into_owned());
    }
    let code = if status == 429 { "ThrottlingException" } else { "SomeError" };
    Err(Error::new(
        "Test",
        ErrorKind::Service(ServiceError {
            error: (),
            code: code.into(),
            message: None,
            retry: stratus_runtime::retry::classify_response(code, status, None),
            raw: Box::new(RawResponse { status, headers, body }),
        }),
    ))
}

fn fast(max_attempts: u32) -> RetryConfig {
    RetryConfig {
        mode: RetryMode::Standard,
        max_attempts,
        base: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
    }
}

#[tokio::test]
async fn transient_errors_are_retried_until_success() {
    let server = serve(|n, _| match n {
        0 => status(503, "busy"),
        1 => status(500, "oops"),
        _ => ok("done"),
    })
    .await;
    let (http, retrier) = (http(), Retrier::new(fast(3)));
    let out = retrier.run("Test", Timeouts::default(), |_| call(&*http, &server.url)).await;
    assert_eq!(out.unwrap(), "done");
    assert_eq!(server.hits(), 3);
    // Two retries cost 10 tokens; the success refunds the cost of the retry that succeeded.
    assert_eq!(retrier.quota(), 495);
}

#[tokio::test]
async fn resets_and_truncated_bodies_are_retried() {
    let server = serve(|n, _| match n {
        0 => Reply::Reset,
        1 => Reply::Truncated(200, "partial".into()),
        _ => ok("whole"),
    })
    .await;
    let (http, retrier) = (http(), Retrier::new(fast(3)));
    let out = retrier.run("Test", Timeouts::default(), |_| call(&*http, &server.url)).await;
    assert_eq!(out.unwrap(), "whole");
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn non_retryable_errors_are_not_retried() {
    let server = serve(|_, _| status(400, "bad")).await;
    let (http, retrier) = (http(), Retrier::new(fast(5)));
    let err = retrier.run("Test", Timeouts::default(), |_| call(&*http, &server.url)).await.unwrap_err();
    assert_eq!(err.code(), Some("SomeError"));
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn attempts_are_capped_and_backoff_bounded() {
    let server = serve(|_, _| status(503, "busy")).await;
    let (http, retrier) = (http(), Retrier::new(fast(4)));
    let start = Instant::now();
    let err = retrier.run("Test", Timeouts::default(), |_| call(&*http, &server.url)).await.unwrap_err();
    let elapsed = start.elapsed();
    assert_eq!(server.hits(), 4);
    assert_eq!(err.raw_response().unwrap().status, 503);
    // Three waits of at most 20 ms each, plus the requests themselves.
    assert!(elapsed < Duration::from_millis(3 * 20 + 500), "{elapsed:?}");
}

#[tokio::test]
async fn a_retry_after_hint_is_honoured() {
    let server = serve(|n, _| {
        if n == 0 {
            Reply::Normal(429, vec![("retry-after".into(), "0.25".into())], "slow down".into())
        } else {
            ok("ok")
        }
    })
    .await;
    let config = RetryConfig { max_backoff: Duration::from_secs(1), ..fast(2) };
    let (http, retrier) = (http(), Retrier::new(config));
    let start = Instant::now();
    retrier.run("Test", Timeouts::default(), |_| call(&*http, &server.url)).await.unwrap();
    assert!(start.elapsed() >= Duration::from_millis(250), "{:?}", start.elapsed());
}

#[tokio::test]
async fn an_exhausted_quota_stops_retries() {
    let server = serve(|_, _| status(503, "busy")).await;
    let config = RetryConfig { base: Duration::from_millis(1), max_backoff: Duration::from_millis(1), ..fast(3) };
    let (http, retrier) = (http(), Retrier::new(config));
    // Each failed operation spends two retries of 5 tokens: 50 operations empty the bucket of 500.
    for _ in 0..50 {
        let _ = retrier.run("Test", Timeouts::default(), |_| call(&*http, &server.url)).await;
    }
    assert_eq!(retrier.quota(), 0);
    assert_eq!(server.hits(), 150);
    let before = server.hits();
    let err = retrier.run("Test", Timeouts::default(), |_| call(&*http, &server.url)).await.unwrap_err();
    assert_eq!(server.hits() - before, 1, "no retry without quota");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn the_operation_timeout_is_never_exceeded() {
    let server = serve(|_, _| Reply::Slow(Duration::from_secs(5), 200, "late".into())).await;
    let (http, retrier) = (http(), Retrier::new(fast(10)));
    let limit = Duration::from_millis(300);
    let start = Instant::now();
    let timeouts = Timeouts { attempt: None, operation: Some(limit) };
    let err = retrier.run("Test", timeouts, |_| call(&*http, &server.url)).await.unwrap_err();
    let elapsed = start.elapsed();
    assert!(matches!(err.kind(), ErrorKind::Timeout { kind: TimeoutKind::Operation, .. }), "{err}");
    assert!(elapsed >= limit && elapsed < limit + Duration::from_millis(50), "{elapsed:?}");

    // Attempt timeouts are retried, and the operation timeout still bounds the whole.
    let timeouts = Timeouts { attempt: Some(Duration::from_millis(100)), operation: Some(Duration::from_millis(250)) };
    let start = Instant::now();
    let err = retrier.run("Test", timeouts, |_| call(&*http, &server.url)).await.unwrap_err();
    let elapsed = start.elapsed();
    assert!(elapsed < Duration::from_millis(300), "{elapsed:?}");
    assert!(matches!(err.kind(), ErrorKind::Timeout { .. }), "{err}");
    assert!(server.hits() >= 3, "the slow attempts were retried: {}", server.hits());
}

#[tokio::test]
async fn a_closed_port_is_a_dispatch_error_not_a_hang() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let (http, retrier) = (http(), Retrier::new(fast(2)));
    let start = Instant::now();
    let err = retrier.run("Test", Timeouts::default(), |_| call(&*http, &url)).await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Dispatch(_)), "{err}");
    assert!(err.to_string().contains("connection failed"), "{err}");
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn adaptive_mode_completes_under_throttling() {
    let server = serve(|n, _| if n % 2 == 0 { status(429, "throttled") } else { ok("ok") }).await;
    let (http, retrier) = (http(), Retrier::new(RetryConfig { mode: RetryMode::Adaptive, ..fast(3) }));
    let start = Instant::now();
    for _ in 0..2 {
        retrier.run("Test", Timeouts::default(), |_| call(&*http, &server.url)).await.unwrap();
    }
    assert_eq!(server.hits(), 4);
    // After the first throttle the client-side limiter spaces requests out (standard mode would
    // only wait the few milliseconds of backoff).
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(500) && elapsed < Duration::from_secs(8), "{elapsed:?}");
}
