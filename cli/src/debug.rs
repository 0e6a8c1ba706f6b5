//! `--debug`: every request and response the tool makes, on standard error — method, URL, headers
//! (credentials and tokens replaced by `***`), body sizes and time taken. Bodies are not printed:
//! they can carry secrets (STS and SSO answers are credentials).

use std::sync::Arc;
use std::time::Instant;
use stratus_runtime::http::{BoxFuture, HttpClient, HttpError, HttpRequest, HttpResponse, RequestStream};

/// Headers whose values are secrets.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "x-amz-security-token",
    "x-amz-sso_bearer_token",
    "x-aws-ec2-metadata-token",
    "cookie",
    "set-cookie",
    "proxy-authorization",
];

/// Logs around another client.
#[derive(Debug)]
pub struct DebugHttp {
    /// The client doing the work.
    pub inner: Arc<dyn HttpClient>,
}

fn headers(map: &http::HeaderMap) -> String {
    let mut out = String::new();
    for (k, v) in map {
        let shown = if SECRET_HEADERS.contains(&k.as_str()) || v.is_sensitive() {
            "***".to_string()
        } else {
            String::from_utf8_lossy(v.as_bytes()).into_owned()
        };
        out.push_str(&format!("\n    {k}: {shown}"));
    }
    out
}

fn log_request(method: &http::Method, uri: &http::Uri, h: &http::HeaderMap, body: Option<usize>) {
    let size = body.map_or("streamed".to_string(), |n| format!("{n} bytes"));
    eprintln!("DEBUG request: {method} {uri} (body: {size}){}", headers(h));
}

fn log_response(result: &Result<HttpResponse, HttpError>, start: Instant) {
    let ms = start.elapsed().as_millis();
    match result {
        Ok(r) => eprintln!("DEBUG response: {} after {ms} ms{}", r.status(), headers(r.headers())),
        Err(e) => eprintln!("DEBUG failed after {ms} ms: {e}"),
    }
}

impl HttpClient for DebugHttp {
    fn call(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        log_request(request.method(), request.uri(), request.headers(), Some(request.body().len()));
        Box::pin(async move {
            let start = Instant::now();
            let result = self.inner.call(request).await;
            log_response(&result, start);
            result
        })
    }

    fn call_streaming(&self, request: http::Request<RequestStream>) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        log_request(request.method(), request.uri(), request.headers(), None);
        Box::pin(async move {
            let start = Instant::now();
            let result = self.inner.call_streaming(request).await;
            log_response(&result, start);
            result
        })
    }
}
