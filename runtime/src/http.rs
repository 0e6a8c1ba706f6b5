//! HTTP transport: a small [`HttpClient`] trait, the default hyper 1 + rustls implementation, and a
//! capturing fake for tests.
//!
//! The trait is the only thing the rest of the runtime knows about HTTP, so users can plug in their
//! own client (a proxy-aware one, a recorder) and tests can run every layer without sockets.
//!
//! The default client pools connections (hyper-util), speaks HTTP/1.1, and does TLS with rustls on the
//! `ring` provider. It trusts the Mozilla roots from `webpki-roots` (compiled in, no system files
//! needed), or the operating system's store with the `native-roots` feature
//! ([`HttpSettings::trust_roots`]), or only a CA bundle ([`HttpSettings::ca_bundle`]). It goes
//! through an HTTP proxy when [`HttpSettings::proxy`] says so ([`ProxyConfig`]: `HTTPS_PROXY`,
//! `HTTP_PROXY`, `NO_PROXY`). It accepts `http://` URIs because the caller may have configured a
//! plain-HTTP endpoint explicitly (a local test server); endpoints resolved from the rule set are
//! always `https://`.
//!
//! Requests whose body is streamed (the input event streams of bidirectional operations) go through
//! [`HttpClient::call_streaming`]. With the `http2` feature (which crates generated for services
//! with such operations switch on) they are sent over HTTP/2 — negotiated by ALPN over TLS, or with
//! prior knowledge on `http://` — as AWS requires; without it, over HTTP/1.1 with chunked encoding.

use bytes::Bytes;
use http_body_util::BodyExt;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod proxy;

pub use proxy::ProxyConfig;

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An HTTP request with a buffered body.
pub type HttpRequest = http::Request<Bytes>;

/// An HTTP response whose body may still be streaming.
pub type HttpResponse = http::Response<Body>;

/// A request body sent as it is produced.
pub type RequestStream = Pin<Box<dyn futures_core::Stream<Item = Result<Bytes, HttpError>> + Send>>;

/// The body of a request through hyper: buffered, or streamed.
enum RequestBody {
    Full(Option<Bytes>),
    Stream(RequestStream),
}

impl hyper::body::Body for RequestBody {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, HttpError>>> {
        match self.get_mut() {
            RequestBody::Full(bytes) => std::task::Poll::Ready(bytes.take().map(|b| Ok(hyper::body::Frame::data(b)))),
            RequestBody::Stream(stream) => {
                stream.as_mut().poll_next(cx).map(|c| c.map(|c| c.map(hyper::body::Frame::data)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, RequestBody::Full(None))
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        match self {
            RequestBody::Full(b) => hyper::body::SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64)),
            RequestBody::Stream(_) => hyper::body::SizeHint::default(),
        }
    }
}

/// A response body: buffered, or streamed from the connection.
///
/// A body can be guarded against stalls ([`Body::with_stall_protection`]): when it delivers less
/// than a minimum throughput over a grace period, reading it fails with a timeout instead of
/// waiting forever. The client guards every response body and event stream it reads.
pub struct Body {
    source: Source,
    guard: Option<StallGuard>,
}

enum Source {
    Full(Option<Bytes>),
    Hyper(hyper::body::Incoming),
    Chunks(std::collections::VecDeque<Result<Bytes, HttpError>>),
    Stream(BoxStream),
}

type BoxStream = Pin<Box<dyn futures_core::Stream<Item = Result<Bytes, HttpError>> + Send>>;

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Full(b) => write!(f, "Body({} bytes)", b.as_ref().map_or(0, Bytes::len)),
            Source::Hyper(_) | Source::Stream(_) => f.write_str("Body(streaming)"),
            Source::Chunks(c) => write!(f, "Body({} chunks)", c.len()),
        }
    }
}

/// Stalled-stream protection: a body must deliver at least `min_bytes_per_sec`, averaged over
/// any `grace_period`, once `grace_period` has passed since it started (so a body that sends
/// nothing fails after `grace_period`, and one that drips a byte every few seconds fails too).
/// The default, as aws-sdk-rust's: 1 byte per second over 20 seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StalledStreamProtection {
    /// The window over which throughput is measured, and the time allowed before the first bytes.
    pub grace_period: Duration,
    /// The minimum throughput, in bytes per second (0 disables the check).
    pub min_bytes_per_sec: u64,
}

impl Default for StalledStreamProtection {
    fn default() -> Self {
        StalledStreamProtection { grace_period: Duration::from_secs(20), min_bytes_per_sec: 1 }
    }
}

struct StallGuard {
    settings: StalledStreamProtection,
    started: tokio::time::Instant,
    /// Arrival time and size of the chunks received within the last grace period, oldest first.
    window: std::collections::VecDeque<(tokio::time::Instant, usize)>,
}

impl StallGuard {
    fn threshold(&self) -> f64 {
        self.settings.min_bytes_per_sec as f64 * self.settings.grace_period.as_secs_f64()
    }

    /// The moment the body counts as stalled if nothing more arrives: when the newest chunks that
    /// together reach the threshold have left the window (newest first, so a fast body costs one
    /// step); before the grace period has passed since the start, never.
    fn deadline(&self) -> tokio::time::Instant {
        let grace = self.settings.grace_period;
        let threshold = self.threshold();
        let mut recent = 0.0;
        for (at, n) in self.window.iter().rev() {
            recent += *n as f64;
            if recent >= threshold {
                return (self.started + grace).max(*at + grace);
            }
        }
        self.started + grace
    }

    fn record(&mut self, now: tokio::time::Instant, len: usize) {
        let grace = self.settings.grace_period;
        while self.window.front().is_some_and(|(at, _)| *at + grace <= now) {
            self.window.pop_front();
        }
        self.window.push_back((now, len));
    }

    fn stalled_error(&self) -> HttpError {
        HttpError::new(
            HttpErrorKind::Timeout,
            format!(
                "the response body stalled: less than {} byte(s) per second over {} ms",
                self.settings.min_bytes_per_sec,
                self.settings.grace_period.as_millis()
            ),
        )
    }
}

impl Body {
    fn of(source: Source) -> Self {
        Body { source, guard: None }
    }

    /// An empty body.
    pub fn empty() -> Self {
        Self::of(Source::Full(None))
    }

    /// A body of the given bytes.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        Self::of(Source::Full(Some(bytes.into())))
    }

    /// A body delivered as these chunks (or errors), in order: for fakes that simulate streaming
    /// and broken connections.
    pub fn from_chunks(chunks: impl IntoIterator<Item = Result<Bytes, HttpError>>) -> Self {
        Self::of(Source::Chunks(chunks.into_iter().collect()))
    }

    /// A body read from a stream of chunks (for custom transports and fakes that deliver data
    /// over time).
    pub fn from_stream(stream: impl futures_core::Stream<Item = Result<Bytes, HttpError>> + Send + 'static) -> Self {
        Self::of(Source::Stream(Box::pin(stream)))
    }

    /// Guards the body against stalls (see [`StalledStreamProtection`]); the clock starts now.
    pub fn with_stall_protection(mut self, settings: StalledStreamProtection) -> Self {
        let buffered = matches!(self.source, Source::Full(_) | Source::Chunks(_));
        if settings.min_bytes_per_sec > 0 && !settings.grace_period.is_zero() && !buffered {
            let started = tokio::time::Instant::now();
            self.guard = Some(StallGuard { settings, started, window: std::collections::VecDeque::new() });
        }
        self
    }

    /// The next chunk of data, `None` at the end.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, HttpError>> {
        let Some(guard) = &mut self.guard else { return self.source.next().await };
        match tokio::time::timeout_at(guard.deadline(), self.source.next()).await {
            Ok(Some(Ok(chunk))) => {
                guard.record(tokio::time::Instant::now(), chunk.len());
                Some(Ok(chunk))
            }
            Ok(other) => other,
            Err(_) => Some(Err(guard.stalled_error())),
        }
    }

    /// Reads the whole body.
    pub async fn collect(self) -> Result<Bytes, HttpError> {
        self.collect_limited(usize::MAX).await
    }

    /// Reads the whole body, failing as soon as it exceeds `max` bytes.
    pub async fn collect_limited(mut self, max: usize) -> Result<Bytes, HttpError> {
        let too_large =
            || HttpError::new(HttpErrorKind::TooLarge, format!("the response body exceeds the limit of {max} bytes"));
        if let Source::Full(b) = &mut self.source {
            let b = b.take().unwrap_or_default();
            return if b.len() > max { Err(too_large()) } else { Ok(b) };
        }
        let mut buf = Vec::new();
        while let Some(chunk) = self.next_chunk().await {
            let chunk = chunk?;
            if buf.len().saturating_add(chunk.len()) > max {
                return Err(too_large());
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(buf))
    }
}

impl Source {
    async fn next(&mut self) -> Option<Result<Bytes, HttpError>> {
        match self {
            Source::Full(b) => b.take().filter(|b| !b.is_empty()).map(Ok),
            Source::Chunks(c) => c.pop_front(),
            Source::Stream(s) => std::future::poll_fn(|cx| s.as_mut().poll_next(cx)).await,
            Source::Hyper(incoming) => loop {
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
    /// The response body is larger than the configured limit.
    TooLarge,
    /// The client's settings are unusable (a proxy URL, a CA bundle, the certificate store).
    Config,
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

    /// Whether retrying may help (every transport failure except a malformed request, a body
    /// over the size limit or unusable settings).
    pub fn is_retryable(&self) -> bool {
        !matches!(self.kind, HttpErrorKind::Request | HttpErrorKind::TooLarge | HttpErrorKind::Config)
    }

    fn config(message: impl Into<String>) -> Self {
        HttpError::new(HttpErrorKind::Config, message)
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            HttpErrorKind::Connect => "connection failed",
            HttpErrorKind::Timeout => "timed out",
            HttpErrorKind::Io => "connection error",
            HttpErrorKind::Request => "invalid request",
            HttpErrorKind::TooLarge => "response too large",
            HttpErrorKind::Config => "invalid HTTP settings",
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

    /// Sends a request whose body is streamed, and returns the response once its head has arrived
    /// (the body may still be sending: a bidirectional stream). Clients that cannot stream a
    /// request body refuse, which is the default.
    fn call_streaming(&self, request: http::Request<RequestStream>) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        drop(request);
        Box::pin(async {
            Err(HttpError::new(HttpErrorKind::Request, "this HTTP client does not send streaming request bodies"))
        })
    }
}

/// Settings of the default client.
///
/// Built with struct update syntax: `HttpSettings { proxy, ..HttpSettings::default() }`. `Debug`
/// shows proxy URLs without their user info and the CA bundle's size only.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpSettings {
    /// How long to wait for a connection: TCP and the TLS handshake together (and, through a
    /// proxy, the `CONNECT` exchange).
    pub connect_timeout: Duration,
    /// How long an idle pooled connection is kept.
    pub pool_idle_timeout: Duration,
    /// Which requests go through a proxy (default: none; [`ProxyConfig::from_env`] reads
    /// `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY`).
    pub proxy: ProxyConfig,
    /// PEM certificates to trust *instead of* [`trust_roots`](Self::trust_roots) — the bytes of
    /// the file `AWS_CA_BUNDLE` or the profile's `ca_bundle` names.
    ///
    /// This is what botocore and the AWS CLI do: they hand the bundle to urllib3 as its
    /// `ca_certs`, which loads only that file into a fresh SSL context, so the default roots
    /// (certifi's) are no longer trusted. To trust a private CA *and* the public roots, put both
    /// in the bundle (append the private CA to a copy of the system or Mozilla bundle).
    ///
    /// Every `CERTIFICATE` section must parse; other sections (keys, comments) are ignored; a
    /// bundle without a certificate is an error.
    pub ca_bundle: Option<Vec<u8>>,
    /// The roots trusted when there is no [`ca_bundle`](Self::ca_bundle).
    pub trust_roots: TrustRoots,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            connect_timeout: Duration::from_secs(3),
            pool_idle_timeout: Duration::from_secs(90),
            proxy: ProxyConfig::none(),
            ca_bundle: None,
            trust_roots: TrustRoots::default(),
        }
    }
}

impl fmt::Debug for HttpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpSettings")
            .field("connect_timeout", &self.connect_timeout)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("proxy", &self.proxy)
            .field("ca_bundle", &self.ca_bundle.as_ref().map(|b| format!("{} bytes of PEM", b.len())))
            .field("trust_roots", &self.trust_roots)
            .finish()
    }
}

/// The certificate authorities the default client trusts (unless a CA bundle replaces them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustRoots {
    /// The Mozilla roots compiled into the program (`webpki-roots`): the same everywhere, no
    /// system files read.
    #[default]
    WebPki,
    /// The operating system's store, read when the client is built (`rustls-native-certs`: the
    /// system bundle on Linux, also `SSL_CERT_FILE` and `SSL_CERT_DIR` of the process
    /// environment; the keychain on macOS; the Windows store). Needs the `native-roots` feature;
    /// without it, building the client fails with an error saying so.
    Native,
}

/// The root store the settings ask for.
fn root_store(settings: &HttpSettings) -> Result<rustls::RootCertStore, HttpError> {
    if let Some(pem) = &settings.ca_bundle {
        return ca_bundle_roots(pem);
    }
    match settings.trust_roots {
        TrustRoots::WebPki => Ok(rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() }),
        TrustRoots::Native => native_roots(),
    }
}

/// The certificates of a PEM CA bundle, every one of which must be usable.
fn ca_bundle_roots(pem: &[u8]) -> Result<rustls::RootCertStore, HttpError> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for (i, cert) in rustls::pki_types::CertificateDer::pem_slice_iter(pem).enumerate() {
        let n = i + 1;
        let cert = cert.map_err(|e| HttpError::config(format!("CA bundle: certificate {n} is not valid PEM: {e}")))?;
        roots.add(cert).map_err(|e| {
            HttpError::config(format!("CA bundle: certificate {n} is not a usable CA certificate: {e}"))
        })?;
    }
    if roots.is_empty() {
        return Err(HttpError::config(
            "CA bundle: no certificate found (expected PEM `-----BEGIN CERTIFICATE-----` sections)",
        ));
    }
    Ok(roots)
}

#[cfg(feature = "native-roots")]
fn native_roots() -> Result<rustls::RootCertStore, HttpError> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = rustls::RootCertStore::empty();
    let (added, _unusable) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        let why = found.errors.first().map(|e| format!(" ({e})")).unwrap_or_default();
        return Err(HttpError::config(format!(
            "no usable certificate in the operating system's certificate store{why}"
        )));
    }
    Ok(roots)
}

#[cfg(not(feature = "native-roots"))]
fn native_roots() -> Result<rustls::RootCertStore, HttpError> {
    Err(HttpError::config("TrustRoots::Native needs the `native-roots` feature of stratus-runtime, which is off"))
}

type Connector = TimeoutConnector<hyper_rustls::HttpsConnector<proxy::ProxyConnector>>;

/// A connector whose whole connection set-up — TCP and the TLS handshake — is bounded by a timeout
/// (hyper's own connect timeout covers TCP only, so a stalled handshake would otherwise hang).
#[derive(Clone)]
pub struct TimeoutConnector<C> {
    inner: C,
    timeout: Duration,
}

/// The error of a connection set-up that exceeded its time.
#[derive(Debug)]
struct ConnectTimeout(Duration);

impl fmt::Display for ConnectTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "connecting (TCP and TLS, through any proxy) took longer than {} ms", self.0.as_millis())
    }
}

impl std::error::Error for ConnectTimeout {}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl<C> tower_service::Service<http::Uri> for TimeoutConnector<C>
where
    C: tower_service::Service<http::Uri>,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<C::Response, BoxError>>;

    fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(result) => result.map_err(Into::into),
                Err(_) => Err(Box::new(ConnectTimeout(timeout)) as BoxError),
            }
        })
    }
}

/// Whether an error's chain holds a [`ConnectTimeout`].
fn is_connect_timeout(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if err.is::<ConnectTimeout>() {
            return true;
        }
        cur = err.source();
    }
    false
}

type Pool = hyper_util::client::legacy::Client<Connector, RequestBody>;

/// The default client: hyper 1 over a pooled connector, TLS by rustls, through a proxy when
/// configured.
#[derive(Clone)]
pub struct HyperClient {
    client: Pool,
    /// HTTP/2 only, for streamed request bodies (every proxied request tunnelled).
    #[cfg(feature = "http2")]
    h2: Pool,
    connect_timeout: Duration,
    proxies: Arc<ProxyConfig>,
}

impl fmt::Debug for HyperClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperClient")
            .field("connect_timeout", &self.connect_timeout)
            .field("proxy", &self.proxies)
            .finish()
    }
}

impl HyperClient {
    /// Builds the client. Must be called within a Tokio runtime's context only when used.
    ///
    /// Fails (kind [`HttpErrorKind::Config`]) when the CA bundle holds no usable certificate, or
    /// the operating system's store was asked for and cannot be read.
    pub fn new(settings: HttpSettings) -> Result<Self, HttpError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots = root_store(&settings)?;
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| HttpError::config(format!("TLS setup: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(settings.connect_timeout));
        http.set_nodelay(true);
        let proxies = Arc::new(settings.proxy);
        #[cfg(feature = "http2")]
        let h2 = {
            let tcp = proxy::ProxyConnector { tcp: http.clone(), proxies: proxies.clone(), tunnel_http: true };
            let connector = hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config(tls.clone())
                .https_or_http()
                .enable_http2()
                .wrap_connector(tcp);
            let connector = TimeoutConnector { inner: connector, timeout: settings.connect_timeout };
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .pool_idle_timeout(settings.pool_idle_timeout)
                .pool_timer(hyper_util::rt::TokioTimer::new())
                .timer(hyper_util::rt::TokioTimer::new())
                .http2_only(true)
                .build(connector)
        };
        let tcp = proxy::ProxyConnector { tcp: http, proxies: proxies.clone(), tunnel_http: false };
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        let connector = TimeoutConnector { inner: connector, timeout: settings.connect_timeout };
        let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .pool_idle_timeout(settings.pool_idle_timeout)
            .pool_timer(hyper_util::rt::TokioTimer::new())
            .build(connector);
        Ok(HyperClient {
            client,
            #[cfg(feature = "http2")]
            h2,
            connect_timeout: settings.connect_timeout,
            proxies,
        })
    }

    /// Adds the proxy's credentials to a request that a proxy forwards (an `http://` request over
    /// HTTP/1.1): the only case in which the request itself carries them. Requests inside a tunnel
    /// never do — they reach the real host.
    fn authorize_forwarding<B>(&self, request: &mut http::Request<B>) {
        let forwarded = request.uri().scheme_str().is_some_and(|s| s.eq_ignore_ascii_case("http"));
        if !forwarded {
            return;
        }
        if let Some(auth) = self.proxies.route(request.uri()).and_then(|p| p.auth.clone()) {
            request.headers_mut().insert(http::header::PROXY_AUTHORIZATION, auth);
        }
    }

    async fn send(pool: &Pool, request: http::Request<RequestBody>) -> Result<HttpResponse, HttpError> {
        match pool.request(request).await {
            Ok(response) => Ok(response.map(|incoming| Body::of(Source::Hyper(incoming)))),
            Err(e) => {
                let kind = if is_connect_timeout(&e) {
                    HttpErrorKind::Timeout
                } else if e.is_connect() {
                    HttpErrorKind::Connect
                } else {
                    HttpErrorKind::Io
                };
                let message = chain(&e);
                Err(HttpError::new(kind, message))
            }
        }
    }
}

impl HttpClient for HyperClient {
    fn call(&self, mut request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        self.authorize_forwarding(&mut request);
        Box::pin(Self::send(&self.client, request.map(|b| RequestBody::Full(Some(b)))))
    }

    #[cfg_attr(feature = "http2", allow(unused_mut))]
    fn call_streaming(
        &self,
        mut request: http::Request<RequestStream>,
    ) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        // The HTTP/2 pool tunnels every proxied request.
        #[cfg(feature = "http2")]
        let pool = &self.h2;
        #[cfg(not(feature = "http2"))]
        let pool = {
            self.authorize_forwarding(&mut request);
            &self.client
        };
        Box::pin(Self::send(pool, request.map(RequestBody::Stream)))
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

    /// Reads the whole streamed body (up to 64 MiB), then records and answers the request as
    /// [`call`](HttpClient::call) does.
    fn call_streaming(&self, request: http::Request<RequestStream>) -> BoxFuture<'_, Result<HttpResponse, HttpError>> {
        Box::pin(async move {
            let (parts, stream) = request.into_parts();
            let body = Body::from_stream(stream).collect_limited(64 * 1024 * 1024).await?;
            self.call(http::Request::from_parts(parts, body)).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CA: &[u8] = include_bytes!("../tests/data/tls/ca.pem");

    #[tokio::test]
    async fn bodies_are_collected_whole_in_order_and_within_the_limit() {
        let chunks =
            |parts: &[&'static str]| Body::from_chunks(parts.iter().map(|p| Ok(Bytes::from_static(p.as_bytes()))));
        assert_eq!(chunks(&["one chunk"]).collect().await.unwrap(), "one chunk");
        assert_eq!(chunks(&["", "a", "", "bc", "def"]).collect().await.unwrap(), "abcdef");
        assert_eq!(chunks(&[]).collect().await.unwrap(), "");
        assert_eq!(chunks(&["abc", "def"]).collect_limited(6).await.unwrap(), "abcdef");
        let err = chunks(&["abc", "defg"]).collect_limited(6).await.unwrap_err();
        assert_eq!(err.kind, HttpErrorKind::TooLarge);
        let err = chunks(&["abcdefg"]).collect_limited(6).await.unwrap_err();
        assert_eq!(err.kind, HttpErrorKind::TooLarge);
    }

    #[test]
    fn a_ca_bundle_replaces_the_default_roots() {
        let default = root_store(&HttpSettings::default()).unwrap();
        assert_eq!(default.len(), webpki_roots::TLS_SERVER_ROOTS.len());
        let bundle = HttpSettings { ca_bundle: Some(CA.to_vec()), ..HttpSettings::default() };
        assert_eq!(root_store(&bundle).unwrap().len(), 1);
        let native = HttpSettings { trust_roots: TrustRoots::Native, ..bundle };
        assert_eq!(root_store(&native).unwrap().len(), 1, "the bundle wins over the store choice");
    }
}
