//! The part of a client that does not depend on the service: endpoint resolution, signing, retries,
//! timeouts, and turning HTTP responses into outputs or typed errors.
//!
//! A generated `Client` holds an `Arc<Handle>` and calls [`Handle::call`] with an input; everything
//! that happens to a request happens here, in this order: validate, fill idempotency tokens, serialize,
//! then per attempt — credentials, sign, send, read — and finally parse the output or the error.
//!
//! With the `tracing` feature, each call is a span, each attempt a span within it, and the request,
//! response, retries and failures are events (see the `trace` hooks; no header or body is ever
//! recorded).
//!
//! Safety rails, all here: the endpoint's host comes only from the rule set over a validated region
//! or from an endpoint URL the user configured; waiting for a response is bounded by the read
//! timeout and reading its body by stalled-stream protection and the body size limit; a response
//! saying the request's time is off corrects the client's clock offset (kept per client) and the
//! request is signed again.

use crate::config::Config;
use crate::credentials::{CredentialsError, CredentialsErrorKind};
use crate::endpoint::{Endpoint, Params, Partitions, RuleSet, Value};
use crate::error::{Error, ErrorKind, RawResponse, ServiceError};
use crate::event_stream::EventBody;
use crate::http::{BoxFuture, HttpError, HttpErrorKind, HttpResponse};
use crate::operation::{self, OpSpec, Operation, OperationError, Response, Validator};
use crate::retry::{Retrier, RetryClass, Timeouts};
use crate::sigv4::{sha256_hex, EventSigner, Signer, SigningParams, SigningSettings, STREAMING_EVENTS_PAYLOAD};
use crate::types::DateTime;
use bytes::Bytes;
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};

pub(crate) mod trace;

/// What a generated crate tells the runtime about its service.
#[derive(Debug)]
pub struct ServiceInfo {
    /// Service id (`Lambda`), for `AWS_ENDPOINT_URL_<ID>`.
    pub service_id: &'static str,
    /// SigV4 signing name.
    pub signing_name: &'static str,
    /// API version.
    pub api_version: &'static str,
    /// The generated crate's name and version, for the user agent (`stratus-lambda/0.1.0`).
    pub crate_version: &'static str,
    /// The endpoint rule set (JSON).
    pub endpoint_rules: &'static str,
}

/// The service-independent state of a client.
pub struct Handle {
    config: Config,
    info: &'static ServiceInfo,
    endpoint: Result<Endpoint, String>,
    signing_region: Option<String>,
    signer: Signer,
    retrier: Retrier,
    user_agent: String,
    /// Server time minus local time, in milliseconds, learned from clock-skew errors.
    clock_offset_ms: AtomicI64,
}

/// A clock difference larger than this, on an error that says the request's time is wrong, is
/// corrected (the services' tolerance is five minutes).
const MAX_SKEW_MS: i64 = 4 * 60 * 1000;

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("service", &self.info.service_id)
            .field("endpoint", &self.endpoint.as_ref().map(|e| &e.url))
            .field("region", &self.signing_region)
            .finish()
    }
}

impl Handle {
    /// Builds the handle: resolves the endpoint once. A resolution failure is kept and reported by
    /// every call, so building a client never fails.
    pub fn new(config: &Config, info: &'static ServiceInfo) -> Handle {
        let explicit = config.endpoint_url_for(info.service_id).map(str::to_string);
        let endpoint = resolve(config, info, explicit.as_deref());
        // Without a region, a custom endpoint (a local test server) is still usable: sign for
        // us-east-1, as the AWS CLI does.
        let signing_region = config
            .region()
            .map(str::to_string)
            .or_else(|| explicit.as_ref().map(|_| "us-east-1".to_string()))
            .or_else(|| endpoint.as_ref().ok().and_then(signing_region_of));
        let mut user_agent = format!(
            "stratus/{} {} api/{}#{} os/{} lang/rust",
            env!("CARGO_PKG_VERSION"),
            info.crate_version,
            info.service_id.to_ascii_lowercase().replace(' ', "-"),
            info.api_version,
            std::env::consts::OS
        );
        if let Some(app) = config.app_name() {
            user_agent.push_str(" app/");
            user_agent.push_str(app);
        }
        Handle {
            config: config.clone(),
            info,
            endpoint,
            signing_region,
            signer: Signer::new(),
            retrier: Retrier::new(config.retry()),
            user_agent,
            clock_offset_ms: AtomicI64::new(0),
        }
    }

    /// The clock offset this client applies when signing, in milliseconds (server time minus local
    /// time; positive when the server is ahead), as learned from clock-skew errors.
    pub fn clock_offset_ms(&self) -> i64 {
        self.clock_offset_ms.load(Ordering::Relaxed)
    }

    /// The current time corrected by the learned offset.
    fn signing_time(&self) -> DateTime {
        let now = DateTime::now();
        match self.clock_offset_ms() {
            0 => now,
            offset => DateTime::from_millis(now.to_millis().saturating_add(offset)),
        }
    }

    /// On an error that blames the request's time, compares the response's `Date` with the
    /// corrected local clock; when they differ by more than the tolerance, adopts the server's
    /// clock and reports that the request should be signed again.
    fn correct_skew(&self, code: &str, raw: &RawResponse) -> bool {
        if !crate::retry::is_clock_skew_code(code) {
            return false;
        }
        let Some(server) =
            raw.headers.get("date").and_then(|v| v.to_str().ok()).and_then(|v| DateTime::parse_http_date(v).ok())
        else {
            return false;
        };
        let offset = server.to_millis().saturating_sub(DateTime::now().to_millis());
        if offset.saturating_sub(self.clock_offset_ms()).abs() <= MAX_SKEW_MS {
            return false;
        }
        self.clock_offset_ms.store(offset, Ordering::Relaxed);
        true
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The resolved endpoint URL.
    pub fn endpoint_url(&self) -> Result<&str, &str> {
        self.endpoint.as_ref().map(|e| e.url.as_str()).map_err(String::as_str)
    }

    /// Runs an operation.
    pub async fn call<I: Operation>(&self, input: I) -> Result<I::Output, Error<I::Error>> {
        let span = trace::operation(self.info.service_id, I::SPEC.name, self.signing_region.as_deref());
        let call = async {
            let result = self.run::<I>(input).await;
            if let Err(e) = &result {
                trace::operation_failed(e);
            }
            result
        };
        trace::instrument(call, span).await
    }

    /// The typed part of a call: validate, fill idempotency tokens and serialize the input; then the
    /// wire part, which no operation type appears in ([`exchange`](Self::exchange)); then parse the
    /// output or type the error. Keeping the generic part this thin keeps each operation's share
    /// of a program small: the retry loop, signing, sending and reading exist once.
    async fn run<I: Operation>(&self, mut input: I) -> Result<I::Output, Error<I::Error>> {
        let name = I::SPEC.name;
        let err = |kind| Error::new(name, kind);
        let mut v = Validator::default();
        input.validate(&mut v);
        v.finish().map_err(|e| err(ErrorKind::Validation(e)))?;
        input.prepare();
        let request = operation::serialize(&input).map_err(|e| err(ErrorKind::Validation(e)))?;
        let events = if I::SPEC.body == operation::BodyKind::EventStream { input.take_event_stream() } else { None };
        drop(input);
        let mut response = self
            .exchange(&I::SPEC, request, events, &classify_error::<I::Error>)
            .await
            .map_err(|e| e.with_service_error(|raw| typed_error::<I::Error>(raw).0))?;
        I::parse(&mut response).map_err(|e| err(ErrorKind::Response(e)))
    }

    /// The wire part of a call: resolve the URL, then per attempt — credentials, sign, send, read —
    /// with retries, timeouts and clock-skew correction; the successful response is returned
    /// unparsed. `classify` reads an error response's code, message and modeled retry class.
    async fn exchange(
        &self,
        spec: &'static OpSpec,
        request: operation::SerializedRequest,
        events: Option<EventBody>,
        classify: &ClassifyError,
    ) -> Result<Response, Error<()>> {
        let name = spec.name;
        let err = |kind| Error::new(name, kind);
        let endpoint = self.endpoint.as_ref().map_err(|e| err(ErrorKind::Config(e.clone())))?;
        let region = self.signing_region.as_deref().ok_or_else(|| {
            err(ErrorKind::Config(
                "no region: set AWS_REGION, a profile `region`, or Config::builder().region(..)".into(),
            ))
        })?;
        let uri = join_url(&endpoint.url, &request.path_and_query, request.host_prefix.as_deref())
            .map_err(|e| err(ErrorKind::Config(e)))?;
        let timeouts =
            Timeouts { attempt: self.config.timeouts().attempt, operation: self.config.timeouts().operation };
        let wire = Wire { spec, request: &request, uri: &uri, endpoint, region, classify };
        if spec.body == operation::BodyKind::EventStream {
            // A streamed body cannot be sent twice: one attempt, within the tighter of the limits.
            let once = trace::instrument(self.attempt(&wire, STREAMING_EVENTS_PAYLOAD, events), trace::attempt(1));
            let limit = match (timeouts.attempt, timeouts.operation) {
                (Some(a), Some(o)) => Some(a.min(o)),
                (a, o) => a.or(o),
            };
            return match limit {
                Some(t) => tokio::time::timeout(t, once).await.unwrap_or_else(|_| {
                    Err(<Error<()> as crate::retry::RetryableError>::timeout(
                        name,
                        crate::error::TimeoutKind::Attempt,
                        t,
                    ))
                }),
                None => once.await,
            };
        }
        let payload_hash = sha256_hex(&request.body);
        self.retrier
            .run(name, timeouts, |n| trace::instrument(self.attempt(&wire, &payload_hash, None), trace::attempt(n)))
            .await
    }

    /// One attempt: [`send_attempt`](Self::send_attempt), its failure traced.
    async fn attempt(
        &self,
        wire: &Wire<'_>,
        payload_hash: &str,
        events: Option<EventBody>,
    ) -> Result<Response, Error<()>> {
        let result = self.send_attempt(wire, payload_hash, events).await;
        if let Err(e) = &result {
            trace::attempt_failed(e);
        }
        result
    }

    async fn send_attempt(
        &self,
        wire: &Wire<'_>,
        payload_hash: &str,
        events: Option<EventBody>,
    ) -> Result<Response, Error<()>> {
        let Wire { spec, request, uri, endpoint, region, .. } = *wire;
        let err = |kind| Error::new(spec.name, kind);
        let mut builder = http::Request::builder().method(request.method).uri(uri.clone());
        for (k, v) in &request.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        for (k, values) in &endpoint.headers {
            for v in values {
                builder = builder.header(k.as_str(), v.as_str());
            }
        }
        builder =
            builder.header("user-agent", self.user_agent.as_str()).header("x-amz-user-agent", self.user_agent.as_str());
        if !request.body.is_empty() {
            builder = builder.header("content-length", request.body.len());
        }
        // The http crate's message names the part at fault, never its value.
        let http_request = builder.body(request.body.clone()).map_err(|e| err(ErrorKind::Build(e.to_string())))?;
        let streaming = spec.body == operation::BodyKind::EventStream;
        if (spec.unsigned || !self.config.signs()) && !streaming {
            // Operations that obtain credentials are sent without any.
            let sent = trace::request_sent(http_request.method(), http_request.uri(), Some(http_request.body().len()));
            let sending = self.config.http_client().call(http_request);
            return self.receive(wire, sending, sent).await;
        }
        let credentials =
            self.config.credentials_provider().provide().await.map_err(|e| err(ErrorKind::Credentials(e)))?;
        let (mut parts, body) = http_request.into_parts();
        let params = SigningParams {
            credentials: &credentials,
            region,
            service: self.info.signing_name,
            time: self.signing_time(),
            // A streamed body's hash is a marker the service needs to see.
            settings: SigningSettings { content_sha256_header: streaming, ..SigningSettings::default() },
        };
        let signed = self.signer.sign(&mut parts, payload_hash, &params).map_err(|e| {
            if e.is_credentials_error() {
                err(ErrorKind::Credentials(CredentialsError {
                    provider: credentials.provider(),
                    kind: CredentialsErrorKind::InvalidConfiguration,
                    message: e.message().to_string(),
                }))
            } else {
                err(ErrorKind::Build(e.message().to_string()))
            }
        })?;
        let sent = trace::request_sent(&parts.method, &parts.uri, (!streaming).then_some(body.len()));
        let sending = if streaming {
            let signer = EventSigner::new(&credentials, region, self.info.signing_name, &signed.signature);
            let stream = SignedEvents { events, signer, offset_ms: self.clock_offset_ms(), ended: false };
            let body: crate::http::RequestStream = Box::pin(stream);
            self.config.http_client().call_streaming(http::Request::from_parts(parts, body))
        } else {
            self.config.http_client().call(http::Request::from_parts(parts, body))
        };
        self.receive(wire, sending, sent).await
    }

    /// Waits for the response to a request being sent (within the read timeout) and reads it: a
    /// success is returned as it is, an error response becomes a classified service error.
    async fn receive(
        &self,
        wire: &Wire<'_>,
        sending: BoxFuture<'_, Result<HttpResponse, HttpError>>,
        sent: trace::Clock,
    ) -> Result<Response, Error<()>> {
        let spec = wire.spec;
        let err = |kind| Error::new(spec.name, kind);
        let response = match self.config.timeouts().read {
            Some(limit) => tokio::time::timeout(limit, sending).await.unwrap_or_else(|_| {
                Err(HttpError::new(
                    HttpErrorKind::Timeout,
                    format!("no response within {} ms (the read timeout)", limit.as_millis()),
                ))
            }),
            None => sending.await,
        }
        .map_err(|e| err(ErrorKind::Dispatch(e)))?;
        let (head, mut body) = response.into_parts();
        trace::response_received(head.status.as_u16(), &head.headers, &sent);
        if let Some(settings) = self.config.stalled_stream() {
            body = body.with_stall_protection(settings);
        }
        let status = head.status.as_u16();
        let success = (200..300).contains(&status);
        let (body, stream) = if success && spec.streaming_output {
            (Bytes::new(), Some(body))
        } else {
            (
                read_limited(&head.headers, body, self.config.max_response_body())
                    .await
                    .map_err(|e| err(ErrorKind::Dispatch(e)))?,
                None,
            )
        };
        let resp = Response { status, headers: head.headers, body, stream };
        if success {
            return Ok(resp);
        }
        Err(error_response(spec.name, resp, wire.classify, |code, raw| self.correct_skew(code, raw)))
    }
}

/// What every attempt of one call shares.
struct Wire<'a> {
    spec: &'static OpSpec,
    request: &'a operation::SerializedRequest,
    uri: &'a http::Uri,
    endpoint: &'a Endpoint,
    region: &'a str,
    classify: &'a ClassifyError,
}

/// Reads an error response: its code, its message, and the retry class its modeled exception has
/// (if the code names one that has the `retryable` trait).
type ClassifyError = dyn Fn(&RawResponse) -> (String, Option<String>, Option<RetryClass>) + Sync;

/// The typed error of an error response and the code reported: the variant is found by the JSON
/// type, or for a query-compatible service by either that or the query code (`x-amzn-query-error`),
/// and the code reported is the query code, as the AWS CLI shows.
fn typed_error<E: OperationError>(raw: &RawResponse) -> (E, String, Option<String>) {
    let (mut code, message) = operation::error_code_and_message(raw);
    let mut error = E::from_response(&code, message.as_deref(), raw);
    if let Some(query_code) = operation::query_error_code(raw) {
        if error.is_unhandled() {
            error = E::from_response(&query_code, message.as_deref(), raw);
        }
        code = query_code;
    }
    (error, code, message)
}

/// [`ClassifyError`] for the operation whose errors are `E`.
fn classify_error<E: OperationError>(raw: &RawResponse) -> (String, Option<String>, Option<RetryClass>) {
    let (error, code, message) = typed_error::<E>(raw);
    (code, message, error.retry_class())
}

/// An error response as a service error, classified for retries (`skewed` says whether the error
/// blamed the clock and the clock was corrected); its typed form is made after the retries.
fn error_response(
    operation: &'static str,
    resp: Response,
    classify: &ClassifyError,
    skewed: impl FnOnce(&str, &RawResponse) -> bool,
) -> Error<()> {
    let status = resp.status;
    let raw = RawResponse { status, headers: resp.headers, body: resp.body };
    let (code, message, modeled) = classify(&raw);
    let retry = if skewed(&code, &raw) {
        RetryClass::ClockSkew
    } else {
        crate::retry::classify_response(&code, status, modeled)
    };
    Error::new(operation, ErrorKind::Service(ServiceError { error: (), code, message, retry, raw: Box::new(raw) }))
}

/// An operation's result from a response that has arrived: the output on success (read by the
/// operation's `parse`), else its typed service error (`skewed` as in [`error_response`]).
pub(crate) fn read_response<I: Operation>(
    mut resp: Response,
    skewed: impl FnOnce(&str, &RawResponse) -> bool,
) -> Result<I::Output, Error<I::Error>> {
    if (200..300).contains(&resp.status) {
        return I::parse(&mut resp).map_err(|e| Error::new(I::SPEC.name, ErrorKind::Response(e)));
    }
    Err(error_response(I::SPEC.name, resp, &classify_error::<I::Error>, skewed)
        .with_service_error(|raw| typed_error::<I::Error>(raw).0))
}

/// The body of a request that sends an event stream: each encoded event wrapped in its signed
/// envelope as it comes, then the signed empty envelope that ends the stream.
struct SignedEvents {
    events: Option<EventBody>,
    signer: EventSigner,
    offset_ms: i64,
    ended: bool,
}

impl futures_core::Stream for SignedEvents {
    type Item = Result<Bytes, HttpError>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        let this = self.get_mut();
        if this.ended {
            return Poll::Ready(None);
        }
        let payload = match this.events.as_mut().map(|e| e.poll_message(cx)) {
            Some(Poll::Pending) => return Poll::Pending,
            Some(Poll::Ready(Some(Ok(message)))) => message,
            Some(Poll::Ready(Some(Err(e)))) => {
                this.ended = true;
                return Poll::Ready(Some(Err(HttpError::new(HttpErrorKind::Request, e.to_string()))));
            }
            Some(Poll::Ready(None)) | None => {
                this.ended = true;
                Bytes::new()
            }
        };
        let now = DateTime::now();
        let time = match this.offset_ms {
            0 => now,
            offset => DateTime::from_millis(now.to_millis().saturating_add(offset)),
        };
        Poll::Ready(Some(Ok(Bytes::from(this.signer.sign(payload, time).encode()))))
    }
}

/// Reads a buffered body, refusing one larger than `max` — at once when `Content-Length` says so.
async fn read_limited(headers: &http::HeaderMap, body: crate::http::Body, max: usize) -> Result<Bytes, HttpError> {
    let announced = headers.get(http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > max as u64) {
        return Err(HttpError::new(
            HttpErrorKind::TooLarge,
            format!("the response body exceeds the limit of {max} bytes (Content-Length says more)"),
        ));
    }
    body.collect_limited(max).await
}

fn signing_region_of(endpoint: &Endpoint) -> Option<String> {
    let schemes = endpoint.properties.get("authSchemes")?.as_array()?;
    schemes.iter().find_map(|s| s.get("signingRegion")?.as_str().map(str::to_string))
}

fn resolve(config: &Config, info: &ServiceInfo, explicit: Option<&str>) -> Result<Endpoint, String> {
    let rules = RuleSet::parse(info.endpoint_rules).map_err(|e| e.to_string())?;
    let mut params = Params::new();
    let mut set = |builtin: &str, value: Value| {
        if let Some(name) = rules.parameter_for_builtin(builtin) {
            params.insert(name.to_string(), value);
        }
    };
    // A `Config` only exists through `ConfigBuilder::build`, which has checked that the region is a
    // valid host label.
    if let Some(region) = config.region() {
        set("AWS::Region", Value::from(region));
    }
    set("AWS::UseFIPS", Value::Bool(config.use_fips()));
    set("AWS::UseDualStack", Value::Bool(config.use_dual_stack()));
    set("AWS::STS::UseGlobalEndpoint", Value::Bool(config.sts_global_endpoint()));
    if let Some(url) = explicit {
        set("SDK::Endpoint", Value::from(url));
    }
    let endpoint = rules.resolve(Partitions::builtin(), &params).map_err(|e| {
        if config.region().is_none() && explicit.is_none() {
            format!("{e} (no region is configured: set AWS_REGION or Config::builder().region(..))")
        } else {
            e.to_string()
        }
    })?;
    crate::config::check_url(&endpoint.url)
        .map_err(|e| format!("the endpoint rules produced an unusable URL: {}", e.0))?;
    Ok(endpoint)
}

/// Joins the endpoint URL (which may carry a base path) with the request's path and query, and
/// prepends the host prefix.
fn join_url(base: &str, path_and_query: &str, host_prefix: Option<&str>) -> Result<http::Uri, String> {
    let base_uri: http::Uri = base.parse().map_err(|e| format!("endpoint `{base}` is not a valid URL: {e}"))?;
    let scheme = base_uri.scheme_str().unwrap_or("https");
    let authority = base_uri.authority().ok_or_else(|| format!("endpoint `{base}` has no host"))?.as_str();
    let base_path = base_uri.path().trim_end_matches('/');
    let authority = match host_prefix {
        Some(p) => format!("{p}{authority}"),
        None => authority.to_string(),
    };
    format!("{scheme}://{authority}{base_path}{path_and_query}")
        .parse()
        .map_err(|e| format!("cannot form a request URL from `{base}` and `{path_and_query}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_join_with_base_paths_and_prefixes() {
        assert_eq!(
            join_url("http://127.0.0.1:5000", "/a/b?c=d", None).unwrap().to_string(),
            "http://127.0.0.1:5000/a/b?c=d"
        );
        assert_eq!(
            join_url("https://x.example.com/base/", "/a", None).unwrap().to_string(),
            "https://x.example.com/base/a"
        );
        assert_eq!(
            join_url("https://example.com", "/a", Some("data.")).unwrap().to_string(),
            "https://data.example.com/a"
        );
        assert!(join_url("not a url", "/a", None).is_err());
    }
}
