//! Waiters against the capturing fake, on tokio's paused clock: polls are counted and elapsed
//! (virtual) time is bounded.

use bytes::Bytes;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use stratus_lambda::Client;
use stratus_runtime::credentials::Credentials;
use stratus_runtime::http::{Body, CaptureClient};
use stratus_runtime::waiter::WaitError;
use stratus_runtime::Config;

/// A fake whose n-th GetFunctionConfiguration (0-based) answers with `state(n)`.
fn fake(state: impl Fn(usize) -> &'static str + Send + Sync + 'static) -> (Client, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let http = Arc::new(CaptureClient::new(move |_| {
        let n = c.fetch_add(1, Ordering::SeqCst);
        let body =
            format!(r#"{{"FunctionName":"f","State":"{}","Configuration":{{"State":"{}"}}}}"#, state(n), state(n));
        Ok(http::Response::new(Body::from_bytes(Bytes::from(body))))
    }));
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .http_client(http)
        .build()
        .unwrap();
    (Client::new(&config), calls)
}

#[tokio::test(start_paused = true)]
async fn active_after_four_polls() {
    let (client, calls) = fake(|n| if n < 3 { "Pending" } else { "Active" });
    let start = tokio::time::Instant::now();
    let waited = client.wait_until_function_active().function_name("f").wait(Duration::from_secs(300)).await.unwrap();
    let elapsed = start.elapsed();
    assert_eq!(waited.attempts, 4);
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    assert_eq!(waited.acceptor, 0, "the success acceptor");
    assert_eq!(waited.result.unwrap().state.unwrap().as_str(), "Active");
    // Three waits: each at least the model's 5 s, growing to at most 5, 10, 20 s.
    assert!(elapsed >= Duration::from_secs(15) && elapsed <= Duration::from_secs(35), "{elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn failed_state_ends_the_wait_with_the_failure_acceptor() {
    let (client, calls) = fake(|n| if n < 2 { "Pending" } else { "Failed" });
    let err = client.wait_until_function_active().function_name("f").wait(Duration::from_secs(300)).await.unwrap_err();
    match err {
        WaitError::Failure { acceptor, attempts, last, .. } => {
            assert_eq!((acceptor, attempts), (1, 3));
            assert_eq!(last.unwrap().state.unwrap().as_str(), "Failed");
        }
        other => panic!("{other}"),
    }
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test(start_paused = true)]
async fn a_wait_that_never_succeeds_times_out_within_max_wait() {
    let (client, calls) = fake(|_| "Pending");
    let start = tokio::time::Instant::now();
    let err =
        client.wait_until_function_active_v2().function_name("f").wait(Duration::from_secs(60)).await.unwrap_err();
    let elapsed = start.elapsed();
    match err {
        WaitError::Timeout { attempts, .. } => {
            assert_eq!(attempts as usize, calls.load(Ordering::SeqCst));
            // FunctionActiveV2 waits at least 1 s, at most 1, 2, 4, 8, 16, 32 s: between 6 and 60 polls
            // fit in 60 s.
            assert!((6..=60).contains(&attempts), "{attempts} polls");
        }
        other => panic!("{other}"),
    }
    assert!(elapsed <= Duration::from_secs(60), "never past max_wait: {elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn function_exists_retries_on_not_found() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let http = Arc::new(CaptureClient::new(move |_| {
        let n = c.fetch_add(1, Ordering::SeqCst);
        let (status, body) = if n < 2 {
            (404, r#"{"__type":"ResourceNotFoundException","Message":"no"}"#)
        } else {
            (200, r#"{"Configuration":{"FunctionName":"f"}}"#)
        };
        let mut r = http::Response::new(Body::from_bytes(Bytes::from_static(body.as_bytes())));
        *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
        Ok(r)
    }));
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .http_client(http)
        .build()
        .unwrap();
    let waited = Client::new(&config)
        .wait_until_function_exists()
        .function_name("f")
        .wait(Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(waited.attempts, 3);
    assert_eq!(waited.acceptor, 0);
}

/// The fixture's compiled JMESPath acceptors (projections, `length`, `contains`, `&&`/`||`/`!`,
/// nested paths, `pathAll`/`pathAny`) decide as JMESPath would.
#[tokio::test(start_paused = true)]
async fn compiled_jmespath_acceptors() {
    async fn acceptor_for(body: &'static str) -> Result<usize, String> {
        let http = Arc::new(CaptureClient::new(move |_| {
            Ok(http::Response::new(Body::from_bytes(Bytes::from_static(body.as_bytes()))))
        }));
        let config = Config::builder()
            .region("us-east-1")
            .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
            .http_client(http)
            .build()
            .unwrap();
        let client = fixture_waiters::Client::new(&config);
        match client.wait_until_thing_ready().name("t").wait(Duration::from_secs(5)).await {
            Ok(w) => Ok(w.acceptor),
            Err(WaitError::Failure { acceptor, .. }) => Err(format!("failure {acceptor}")),
            Err(e) => Err(e.to_string()),
        }
    }
    assert_eq!(acceptor_for(r#"{"State":"ready"}"#).await, Ok(0));
    assert_eq!(acceptor_for(r#"{"Items":[{"State":"ready"},{"State":"ready"}]}"#).await, Ok(1));
    assert_eq!(acceptor_for(r#"{"Items":[{"State":"ready"},{"State":"failed"}]}"#).await, Err("failure 2".into()));
    assert_eq!(acceptor_for(r#"{"Names":["go","stop"]}"#).await, Err("failure 4".into()));
    assert_eq!(acceptor_for(r#"{"Count":12}"#).await, Err("failure 4".into()));
    assert_eq!(acceptor_for(r#"{"Items":[{"Tags":["a"]},{"Tags":["urgent"]}]}"#).await, Ok(6));
    // Retry acceptors (3: more than two items and not done; 5: nested pending) keep polling until
    // max_wait.
    let timed_out = acceptor_for(r#"{"Items":[{},{},{}],"Done":false}"#).await.unwrap_err();
    assert!(timed_out.contains("gave up"), "{timed_out}");
    let timed_out = acceptor_for(r#"{"Nested":{"Inner":{"State":"pending"}}}"#).await.unwrap_err();
    assert!(timed_out.contains("gave up"), "{timed_out}");
    // No acceptor matches a plain success: it is retried too (a waiter waits for a state).
    assert!(acceptor_for(r#"{}"#).await.unwrap_err().contains("gave up"));
}

/// Filter projections (`Items[?cond]`, with `||`, `!`, `length()` and comparisons inside) and map
/// value projections (`Checks.*.Name`), as botocore's DynamoDB, ECS and SES waiters use them.
#[tokio::test(start_paused = true)]
async fn compiled_filters_and_value_projections() {
    async fn acceptor_for(body: &'static str) -> Result<usize, String> {
        let http = Arc::new(CaptureClient::new(move |_| {
            Ok(http::Response::new(Body::from_bytes(Bytes::from_static(body.as_bytes()))))
        }));
        let config = Config::builder()
            .region("us-east-1")
            .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
            .http_client(http)
            .build()
            .unwrap();
        let client = fixture_waiters::Client::new(&config);
        match client.wait_until_thing_settled().name("t").wait(Duration::from_secs(3)).await {
            Ok(w) => Ok(w.acceptor),
            Err(WaitError::Failure { acceptor, .. }) => Err(format!("failure {acceptor}")),
            Err(e) => Err(e.to_string()),
        }
    }
    // `Checks.*.Name`, pathAll: every value's name is "ok" (in any order of the map).
    assert_eq!(acceptor_for(r#"{"Checks":{"ready":{"Name":"ok"},"failed":{"Name":"ok"}}}"#).await, Ok(0));
    let not_all = acceptor_for(r#"{"Checks":{"ready":{"Name":"ok"},"failed":{"Name":"bad"}}}"#).await;
    assert!(not_all.unwrap_err().contains("gave up"));
    // Every item failed or stuck: failure; one of them ready: not.
    let failed = r#"{"Items":[{"State":"failed"},{"State":"stuck","Tags":["x"]}]}"#;
    assert_eq!(acceptor_for(failed).await, Err("failure 1".into()));
    // No item is outside "ready with exactly one tag": success (acceptor 2).
    assert_eq!(
        acceptor_for(r#"{"Items":[{"State":"ready","Tags":["a"]},{"State":"ready","Tags":["b"]}]}"#).await,
        Ok(2)
    );
    // One ready item has two tags: acceptor 2 does not match; the ready items' tags include
    // "urgent": acceptor 3 (a filter followed by a flattening projection).
    let urgent = r#"{"Items":[{"State":"ready","Tags":["a","urgent"]},{"State":"failed","Tags":["urgent"]}]}"#;
    assert_eq!(acceptor_for(urgent).await, Ok(3));
    // "urgent" only on an item that is not ready: nothing matches.
    let other = r#"{"Items":[{"State":"ready","Tags":["a","b"]},{"State":"failed","Tags":["urgent"]}]}"#;
    assert!(acceptor_for(other).await.unwrap_err().contains("gave up"));
    // An empty list: no item is outside the condition, so acceptor 2 matches (JMESPath semantics);
    // acceptor 1 needs at least one item.
    assert_eq!(acceptor_for(r#"{"Items":[]}"#).await, Ok(2));
    assert!(acceptor_for(r#"{}"#).await.unwrap_err().contains("gave up"));
}
