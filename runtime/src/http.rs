//! HTTP transport: a small [`HttpClient`] trait, the default hyper 1 + rustls implementation, and a
//! capturing fake for tests.
//!
//! The trait is the only thing the rest of the runtime knows about HTTP, so users can plug in their
//! own client (a proxy-aware one, a recorder) and tests can run every layer without sockets.
//!
//! The default client pools connections (hyper-util), speaks HTTP/1.1, and does TLS with rustls on the
//! `ring` provider and the Mozilla roots from `webpki-roots` (no system files needed). It accepts
//! `http://` URIs because the caller may have configured a plain-HTTP endpoint explicitly (a local
//! test server); endpoints resolved from the rule set are always `https://`.

use bytes::Bytes;
use http_body_util::BodyExt;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An HTTP request with a buffered body.
pub type HttpRequest = http::Request<Bytes>;

/// An HTTP response whose body may still be streaming.
pub type HttpResponse = http::Response<Body>;

/// A response body: buffered, or streamed from the connection.
pub struct Body {
    inner: BodyInner,
}

enum BodyInner {
    Full(Option<Bytes>),
    Hyper(hyper::body::Incoming),
    Chunks(std::collections::VecDeque<Result<Bytes, HttpError>>),
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            BodyInner::Full(b) => write!(f, "Body({} bytes)", b.as_ref().map_or(0, Bytes::len)),
            BodyInner::Hyper(_) => f.write_str("Body(streaming)"),
            BodyInner::Chunks(c) => write!(f, "Body({} chunks)", c.len()),
        }
    }
}

impl Body {
    /// An empty body.
    pub fn empty() -> Self {
        Body { inner: BodyInner::Full(None) }
    }

    /// A body of the given bytes.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        Body { inner: BodyInner::Full(Some(bytes.into())) }
    }

    /// A body delivered as these chunks (or errors), in order: for fakes that simulate streaming
    /// and broken connections.
    pub fn from_chunks(chunks: impl IntoIterator<Item = Result<Bytes, HttpError>>) -> Self {
        Body { inner: BodyInner::Chunks(chunks.into_iter().collect()) }
    }

    /// The next chunk of data, `None` at the end.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, HttpError>> {
        match &mut self.inner {
            BodyInner::Full(b) => b.take().filter(|b| !b.is_empty()).map(Ok),
            BodyInner::Chunks(c) => c.pop_front(),
            BodyInner::Hyper(incoming) => loop {
                match incoming.frame().await? {
                    Ok(frame) => {
                        if let Ok(data) = frame.into_data() {
                            return Some(Ok(data));
                        }
                        // Trailers: skip.
                    }
                    Err(e) => return Some(Err(HttpError::from_hyper(&e))),
                }
            },
        }
    }

    /// Reads the whole body.
    pub async fn collect(mut self) -> Result<Bytes, HttpError> {
        if let BodyInner::Full(b) = &mut self.inner {
            return Ok(b.take().unwrap_or_default());
        }
        let mut buf = Vec::new();
        while let Some(chunk) = self.next_chunk().await {
            buf.extend_from_slice(&chunk?);
        }
        Ok(Bytes::from(buf))
    }
}

/// What kind of transport failure happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpErrorKind {
    /// The connection could not be made (refused, DNS, TLS handshake).
    Connect,
    /// The request or response did not complete in time.
    Timeout,
    /// The connection broke while sending or receiving.
    Io,
    /// The request could not be sent at all (bad URI, bad header).
    Request,
}

/// A transport failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpError {
    /// The kind.
    pub kind: HttpErrorKind,
    /// What happened, with the underlying causes.
    pub message: String,
}

impl HttpError {
    /// A new error.
    pub fn new(kind: HttpErrorKind, message: impl Into<String>) -> Self {
        HttpError { kind, message: message.into() }
    }

    fn from_hyper(e: &hyper::Error) -> Self {
        let kind = if e.is_timeout() { HttpErrorKind::Timeout } else { HttpErrorKind::Io };
        HttpError::new(kind, chain(e))
    }

    /// Whether retrying may help (every transport failure except a malformed request).
    pub fn is_retryable(&self) -> bool {
        self.kind != HttpErrorKind::Request
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            HttpErrorKind::Connect => "connection failed",
            HttpErrorKind::Timeout => "timed out",
            HttpErrorKind::Io => "connection error",
            HttpErrorKind::Request => "invalid request",
        };
        write!(f, "{what}: {}", self.message)
    }
}

impl std::error::Error for HttpError {}

/// An error and its sources, joined with `: `.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        let text = inner.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        src = inner.source();
    }
    s
}

/// Sends HTTP requests. Implementations must be cheap to share (`Arc<dyn HttpClient>`).
pub trait HttpClient: Send + Sync + fmt::Debug {
    /// Sends one request and returns the response once its head has arrived.
    fn call(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>>;
}

/// Settings of the default client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpSettings {
    /// How long to wait for a TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// How long an idle pooled connection is kept.
    pub pool_idle_timeout: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings { connect_timeout: Duration::from_secs(3), pool_idle_timeout: Duration::from_secs(90) }
    }
}

type Connector = hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>;

/// The default client: hyper 1 over a pooled connector, TLS by rustls.
#[derive(Clone)]
pub struct HyperClient {
    client: hyper_util::client::legacy::Client<Connector, http_body_util::Full<Bytes>>,
    connect_timeout: Duration,
}

impl fmt::Debug for HyperClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperClient").field("connect_timeout", &self.connect_timeout).finish()
    }
}

impl HyperClient {
    /// Builds the client. Must be called within a Tokio runtime's context only when used.
    pub fn new(settings: HttpSettings) -> Result<Self, HttpError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| HttpError::new(HttpErrorKind::Request, format!("TLS setup: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(settings.connect_timeout));
        http.set_nodelay(true);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .pool_idle_timeout(settings.pool_idle_timeout)
            .pool_timer(hyper_util::rt::TokioTimer::new())
            .build(connector);
        Ok(HyperClient { client, connect_timeout: settings.connect_timeout })
    }
}

impl HttpClient for HyperClient {
    fn call(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let request = http::Request::from_parts(parts, http_body_util::Full::new(body));
            match self.client.request(request).await {
                Ok(response) => Ok(response.map(|incoming| Body { inner: BodyInner::Hyper(incoming) })),
                Err(e) => {
                    let kind = if e.is_connect() { HttpErrorKind::Connect } else { HttpErrorKind::Io };
                    let message = chain(&e);
                    Err(HttpError::new(kind, message))
                }
            }
        })
    }
}

/// A canned response for [`CaptureClient`].
pub type Responder = dyn Fn(&HttpRequest) -> Result<HttpResponse, HttpError> + Send + Sync;

/// A fake client that records every request and answers from a function: for tests of generated
/// clients and of the runtime, without sockets.
pub struct CaptureClient {
    requests: Mutex<Vec<HttpRequest>>,
    responder: Box<Responder>,
}

impl fmt::Debug for CaptureClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CaptureClient({} requests)", self.requests.lock().map_or(0, |r| r.len()))
    }
}

impl CaptureClient {
    /// Answers every request with `responder`.
    pub fn new(responder: impl Fn(&HttpRequest) -> Result<HttpResponse, HttpError> + Send + Sync + 'static) -> Self {
        CaptureClient { requests: Mutex::new(Vec::new()), responder: Box::new(responder) }
    }

    /// Answers every request with the same status and body.
    pub fn always(status: u16, body: &'static str) -> Self {
        Self::new(move |_| {
            let mut response = http::Response::new(Body::from_bytes(Bytes::from_static(body.as_bytes())));
            *response.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
            Ok(response)
        })
    }

    /// The requests seen so far.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// How many requests were sent.
    pub fn count(&self) -> usize {
        self.requests.lock().map_or(0, |r| r.len())
    }
}

impl HttpClient for CaptureClient {
    fn call(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        let result = (self.responder)(&request);
        if let Ok(mut r) = self.requests.lock() {
            r.push(request);
        }
        Box::pin(async move { result })
    }
}
