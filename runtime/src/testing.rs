//! Support for tests of generated clients: run one call against the capturing transport and check
//! the request it sent against what the model says.
//!
//! Generated crates use it in their `tests/wire` suite; users can use it to test code that builds
//! requests, without a network.

use crate::credentials::Credentials;
use crate::http::{CaptureClient, HttpRequest};
use crate::Config;
use std::future::Future;
use std::sync::Arc;

/// What a request should look like.
#[derive(Clone, Copy, Debug)]
pub struct Expect {
    /// HTTP method.
    pub method: &'static str,
    /// Path (labels expanded, percent-encoded).
    pub path: &'static str,
    /// Query parameter names, in any order (repeated names repeated).
    pub query: &'static [&'static str],
    /// Header names that must be present (lower case).
    pub headers: &'static [&'static str],
    /// Names of the JSON body's members, in any order (empty: no JSON body expected).
    pub body: &'static [&'static str],
    /// A raw payload is expected instead of a JSON body.
    pub payload: bool,
}

/// Reads a response as operation `I`'s result, exactly as a client does after a call, without
/// building or sending a request: for protocol tests of response parsing.
pub fn parse_response<I: crate::operation::Operation>(
    status: u16,
    headers: http::HeaderMap,
    body: bytes::Bytes,
) -> Result<I::Output, crate::Error<I::Error>> {
    let (body, stream) = if (200..300).contains(&status) && I::SPEC.streaming_output {
        (bytes::Bytes::new(), Some(crate::http::Body::from_bytes(body)))
    } else {
        (body, None)
    };
    let resp = crate::operation::Response { status, headers, body, stream };
    crate::client::read_response::<I>(resp, |_, _| false)
}

/// A config for tests: region `us-east-1`, static credentials, one attempt, the given transport.
pub fn test_config(http: Arc<CaptureClient>) -> Result<Config, crate::config::ConfigError> {
    Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .http_client(http)
        .max_attempts(1)
        .build()
}

/// Runs `call` with a test config whose transport answers `200 {}` and returns the one request it
/// sent.
pub async fn capture<F, Fut, T>(call: F) -> Result<HttpRequest, String>
where
    F: FnOnce(Config) -> Fut,
    Fut: Future<Output = T>,
{
    let fake = Arc::new(CaptureClient::always(200, "{}"));
    let config = test_config(fake.clone()).map_err(|e| e.to_string())?;
    let _ = call(config).await;
    let mut requests = fake.requests();
    match requests.len() {
        1 => Ok(requests.remove(0)),
        0 => Err("no request was sent (did validation fail?)".into()),
        n => Err(format!("{n} requests were sent, expected one")),
    }
}

/// Checks a request against `expect`; the error says what differs.
pub fn check(req: &HttpRequest, expect: &Expect) -> Result<(), String> {
    if req.method().as_str() != expect.method {
        return Err(format!("method {} != {}", req.method(), expect.method));
    }
    if req.uri().path() != expect.path {
        return Err(format!("path {} != {}", req.uri().path(), expect.path));
    }
    let mut query: Vec<&str> = req
        .uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split('=').next().unwrap_or_default())
        .collect();
    query.sort_unstable();
    let mut want = expect.query.to_vec();
    want.sort_unstable();
    if query != want {
        return Err(format!("query keys {query:?} != {want:?}"));
    }
    if let Some(h) = expect.headers.iter().find(|h| !req.headers().contains_key(**h)) {
        return Err(format!("header {h} missing"));
    }
    if expect.payload {
        if req.body().is_empty() {
            return Err("payload missing".into());
        }
    } else if expect.body.is_empty() {
        // A JSON RPC request always carries an object, `{}` when it has no members.
        let rpc =
            req.headers().get("content-type").is_some_and(|v| v.as_bytes().starts_with(b"application/x-amz-json"));
        let empty = req.body().is_empty() || (rpc && req.body().as_ref() == b"{}");
        if !empty {
            return Err(format!("unexpected body {}", String::from_utf8_lossy(req.body())));
        }
    } else {
        let body: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(req.body()).map_err(|e| format!("body is not a JSON object: {e}"))?;
        let mut keys: Vec<&str> = body.keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut want = expect.body.to_vec();
        want.sort_unstable();
        if keys != want {
            return Err(format!("body members {keys:?} != {want:?}"));
        }
    }
    Ok(())
}

/// Checks a generated string enum against the model's values: each value parses to a known variant
/// (distinct from the others) and serializes back byte for byte, and an unknown value round-trips.
pub fn check_enum<T>(values: &[&str])
where
    T: serde::Serialize + serde::de::DeserializeOwned + std::fmt::Debug + PartialEq,
{
    let mut seen: Vec<T> = Vec::new();
    for value in values {
        let json = serde_json::to_string(value).unwrap_or_default();
        let parsed: T = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{value}: {e}"));
        assert!(!format!("{parsed:?}").starts_with("Unknown("), "{value} is not a known variant");
        assert_eq!(serde_json::to_string(&parsed).ok().as_deref(), Some(json.as_str()));
        assert!(!seen.contains(&parsed), "{value} maps to the same variant as another value");
        seen.push(parsed);
    }
    let unknown = "\"stratus-unknown-value\"";
    let parsed: T = serde_json::from_str(unknown).unwrap_or_else(|e| panic!("unknown value: {e}"));
    assert!(format!("{parsed:?}").starts_with("Unknown("));
    assert_eq!(serde_json::to_string(&parsed).ok().as_deref(), Some(unknown));
}
