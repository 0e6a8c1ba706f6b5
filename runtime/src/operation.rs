//! The restJson1 wiring shared by every generated operation.
//!
//! A generated operation is an input type implementing [`Operation`]: a static [`OpSpec`] (method, URI
//! template, success status, body kind) and a few lines that bind members to URI labels, query
//! parameters, headers and payloads through [`Request`] and [`Response`]. Everything generic lives
//! here: URI template expansion (RFC 3986 percent-encoding, greedy `{Label+}` labels), literal query
//! strings merged with query members, list and map query parameters, header lists, JSON bodies, error
//! code extraction, and client-side validation ([`Validator`]).

pub use crate::error::ResponseError;
use crate::error::{RawResponse, ValidationError};
use crate::types::{Blob, DateTime};
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;

/// How an operation's request body is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// No body.
    None,
    /// The JSON object of the members not bound elsewhere (the input's serde form).
    Json,
    /// One member is the body; [`Operation::bind`] sets it.
    Payload,
}

/// Reads a header of an error response (for header-bound members of exceptions); `None` when
/// absent or unparseable.
pub fn raw_header<T: FromParam>(raw: &RawResponse, name: &str) -> Option<T> {
    T::from_param(&String::from_utf8_lossy(raw.headers.get(name)?.as_bytes()))
}

/// The static description of an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpSpec {
    /// Operation name (`GetFunction`).
    pub name: &'static str,
    /// HTTP method.
    pub method: &'static str,
    /// URI template, possibly with a literal query string (`/2018-10-31/layers?find=LayerVersion`).
    pub uri: &'static str,
    /// Status of a successful response.
    pub status: u16,
    /// Body kind.
    pub body: BodyKind,
    /// Host prefix template (`{AccountId}.`), when the operation has one.
    pub host_prefix: Option<&'static str>,
    /// The response body is a stream (event stream or streaming blob) and is not read up front.
    pub streaming_output: bool,
}

impl OpSpec {
    /// An operation with no body and a buffered response.
    pub const fn new(name: &'static str, method: &'static str, uri: &'static str, status: u16) -> OpSpec {
        OpSpec { name, method, uri, status, body: BodyKind::None, host_prefix: None, streaming_output: false }
    }

    /// Sends the unbound members as a JSON body.
    pub const fn json(mut self) -> OpSpec {
        self.body = BodyKind::Json;
        self
    }

    /// Sends one member as the body.
    pub const fn payload(mut self) -> OpSpec {
        self.body = BodyKind::Payload;
        self
    }

    /// Reads the response body as a stream.
    pub const fn streaming(mut self) -> OpSpec {
        self.streaming_output = true;
        self
    }

    /// Prefixes the host.
    pub const fn host_prefix(mut self, prefix: &'static str) -> OpSpec {
        self.host_prefix = Some(prefix);
        self
    }
}

/// An operation, implemented by its input type.
pub trait Operation: Serialize + Send + Sync + Sized + 'static {
    /// The output.
    type Output: DeserializeOwned + Default + Send + 'static;
    /// The operation's error enum.
    type Error: OperationError + Send + 'static;
    /// The static description.
    const SPEC: OpSpec;

    /// Checks the model's constraints before anything is sent.
    fn validate(&self, _v: &mut Validator) {}

    /// Fills idempotency tokens that are not set.
    fn prepare(&mut self) {}

    /// Binds members to the URI, query string, headers and payload.
    fn bind(&self, _req: &mut Request) {}

    /// Builds the output from a successful response: by default the JSON body.
    fn parse(resp: &mut Response) -> Result<Self::Output, ResponseError> {
        resp.json()
    }
}

/// The error enum of an operation: built from an error response.
pub trait OperationError: Sized {
    /// Picks the modeled error for `code`, or `Unhandled`.
    fn from_response(code: &str, message: Option<&str>, raw: &RawResponse) -> Self;

    /// The retry class the model gives this error (its `retryable` trait), if any.
    fn retry_class(&self) -> Option<crate::retry::RetryClass> {
        None
    }
}

/// An exception structure read from an error response.
pub trait ErrorShape: DeserializeOwned + Default {
    /// The retry class of the model's `retryable` trait (`throttling` or not), if the exception
    /// has one.
    const RETRY: Option<crate::retry::RetryClass> = None;

    /// Reads the structure from the JSON body (or defaults, for an empty or non-JSON body), then
    /// its header members, then fills its message from `message` when the body named it otherwise.
    fn parse(raw: &RawResponse, message: Option<&str>) -> Self {
        let mut v: Self = serde_json::from_slice(&raw.body).unwrap_or_default();
        v.read_headers(raw);
        v.fill_message(message);
        v
    }

    /// Sets header-bound members.
    fn read_headers(&mut self, _raw: &RawResponse) {}

    /// Sets the message member when it is empty.
    fn fill_message(&mut self, _message: Option<&str>) {}
}

/// Sends an input through a client: implemented by generated clients, used by builders' `send()`.
pub trait Dispatch<I> {
    /// What sending returns.
    type Output;
    /// Sends `input`.
    fn dispatch(self, input: I) -> impl Future<Output = Self::Output> + Send;
}

/// Where a value is written, which decides its text form (timestamps differ by location).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamLocation {
    /// A URI label.
    Label,
    /// A query parameter.
    Query,
    /// A header.
    Header,
}

/// A scalar that can be written to a URI label, query parameter or header.
pub trait Param {
    /// The text form at `at`.
    fn to_param(&self, at: ParamLocation) -> Cow<'_, str>;

    /// Whether an item with a comma or quote is quoted in a header list (not for HTTP-dates,
    /// whose commas the format defines).
    fn quote_in_list(&self) -> bool {
        true
    }
}

impl Param for String {
    fn to_param(&self, _: ParamLocation) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl Param for str {
    fn to_param(&self, _: ParamLocation) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl Param for bool {
    fn to_param(&self, _: ParamLocation) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }
}

macro_rules! int_param {
    ($($t:ty),*) => {$(
        impl Param for $t {
            fn to_param(&self, _: ParamLocation) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
        }
    )*};
}
int_param!(i8, i16, i32, i64);

macro_rules! float_param {
    ($($t:ty),*) => {$(
        impl Param for $t {
            fn to_param(&self, _: ParamLocation) -> Cow<'_, str> {
                Cow::Owned(if self.is_nan() {
                    "NaN".to_string()
                } else if self.is_infinite() {
                    if *self > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
                } else {
                    self.to_string()
                })
            }
        }
    )*};
}
float_param!(f32, f64);

impl Param for DateTime {
    /// ISO 8601 in URIs and query strings, HTTP-date in headers (the restJson1 defaults).
    fn to_param(&self, at: ParamLocation) -> Cow<'_, str> {
        Cow::Owned(match at {
            ParamLocation::Header => self.to_http_date(),
            _ => self.to_iso8601(),
        })
    }

    fn quote_in_list(&self) -> bool {
        false
    }
}

impl Param for Blob {
    fn to_param(&self, _: ParamLocation) -> Cow<'_, str> {
        use base64::Engine as _;
        Cow::Owned(base64::engine::general_purpose::STANDARD.encode(self.as_bytes()))
    }
}

/// A member bound to a URI label: a scalar, or an optional one (unset gives an empty label, which
/// is refused).
pub trait LabelValue {
    /// The label's text.
    fn label_value(&self) -> String;
}

impl<T: Param + ?Sized> LabelValue for T {
    fn label_value(&self) -> String {
        self.to_param(ParamLocation::Label).into_owned()
    }
}

impl<T: Param> LabelValue for Option<T> {
    fn label_value(&self) -> String {
        self.as_ref().map(|v| v.to_param(ParamLocation::Label).into_owned()).unwrap_or_default()
    }
}

/// A member bound to the query string: a scalar, an optional, a list (repeated key) or a map (its
/// entries become parameters).
pub trait QueryValue {
    /// Appends its parameters.
    fn write_query(&self, key: &str, out: &mut Vec<(String, String)>);
}

impl<T: Param + ?Sized> QueryValue for T {
    fn write_query(&self, key: &str, out: &mut Vec<(String, String)>) {
        out.push((key.to_string(), self.to_param(ParamLocation::Query).into_owned()));
    }
}

impl<T: QueryValue> QueryValue for Option<T> {
    fn write_query(&self, key: &str, out: &mut Vec<(String, String)>) {
        if let Some(v) = self {
            v.write_query(key, out);
        }
    }
}

impl<T: Param> QueryValue for Vec<T> {
    fn write_query(&self, key: &str, out: &mut Vec<(String, String)>) {
        for v in self {
            out.push((key.to_string(), v.to_param(ParamLocation::Query).into_owned()));
        }
    }
}

impl<T: QueryValue> QueryValue for HashMap<String, T> {
    fn write_query(&self, _key: &str, out: &mut Vec<(String, String)>) {
        let mut keys: Vec<&String> = self.keys().collect();
        keys.sort();
        for k in keys {
            // Parameters bound by name win over map entries of the same name.
            if !out.iter().any(|(existing, _)| existing == k) {
                self[k].write_query(k, out);
            }
        }
    }
}

/// A member bound to a header: a scalar, an optional, or a list (comma-joined).
pub trait HeaderValue {
    /// The header's value, `None` when the member is unset.
    fn header_value(&self) -> Option<String>;
}

impl<T: Param + ?Sized> HeaderValue for T {
    fn header_value(&self) -> Option<String> {
        Some(self.to_param(ParamLocation::Header).into_owned())
    }
}

impl<T: HeaderValue> HeaderValue for Option<T> {
    fn header_value(&self) -> Option<String> {
        self.as_ref().and_then(HeaderValue::header_value)
    }
}

impl<T: Param> HeaderValue for Vec<T> {
    fn header_value(&self) -> Option<String> {
        let items: Vec<String> = self
            .iter()
            .map(|v| {
                let s = v.to_param(ParamLocation::Header);
                if v.quote_in_list() && s.contains([',', '"']) {
                    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
                } else {
                    s.into_owned()
                }
            })
            .collect();
        Some(items.join(", "))
    }
}

pub use crate::encoding::percent_encode;

/// The parts of a request an operation binds.
#[derive(Debug, Default)]
pub struct Request {
    labels: Vec<(&'static str, String)>,
    host_labels: Vec<(&'static str, String)>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<(Bytes, &'static str)>,
}

impl Request {
    /// Binds a URI label.
    pub fn label(&mut self, name: &'static str, value: &(impl LabelValue + ?Sized)) {
        self.labels.push((name, value.label_value()));
    }

    /// Binds a host-prefix label.
    pub fn host_label(&mut self, name: &'static str, value: &(impl LabelValue + ?Sized)) {
        self.host_labels.push((name, value.label_value()));
    }

    /// Binds a query member.
    pub fn query(&mut self, key: &str, value: &(impl QueryValue + ?Sized)) {
        value.write_query(key, &mut self.query);
    }

    /// Binds a header member.
    pub fn header(&mut self, name: &str, value: &(impl HeaderValue + ?Sized)) {
        if let Some(v) = value.header_value() {
            self.headers.push((name.to_string(), v));
        }
    }

    /// Binds a timestamp URI label in a non-default format.
    pub fn label_timestamp(&mut self, name: &'static str, value: &DateTime, format: TimestampFormat) {
        self.labels.push((name, format.write(value)));
    }

    /// Binds a timestamp query parameter in a non-default format.
    pub fn query_timestamp(&mut self, key: &str, value: Option<&DateTime>, format: TimestampFormat) {
        if let Some(t) = value {
            self.query.push((key.to_string(), format.write(t)));
        }
    }

    /// Binds a timestamp header in a non-default format.
    pub fn header_timestamp(&mut self, name: &str, value: Option<&DateTime>, format: TimestampFormat) {
        if let Some(t) = value {
            self.headers.push((name.to_string(), format.write(t)));
        }
    }

    /// Binds a `jsonvalue` header: the JSON text, base64-encoded.
    pub fn header_json(&mut self, name: &str, value: Option<&String>) {
        if let Some(v) = value {
            use base64::Engine as _;
            self.headers.push((name.to_string(), base64::engine::general_purpose::STANDARD.encode(v.as_bytes())));
        }
    }

    /// Binds a map of headers sharing a prefix.
    pub fn prefix_headers(&mut self, prefix: &str, map: Option<&HashMap<String, String>>) {
        if let Some(m) = map {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for k in keys {
                self.headers.push((format!("{prefix}{k}"), m[k].clone()));
            }
        }
    }

    /// Sets a blob payload as the raw body.
    pub fn blob_payload(&mut self, blob: Option<&Blob>) {
        if let Some(b) = blob {
            self.body = Some((Bytes::copy_from_slice(b.as_bytes()), "application/octet-stream"));
        }
    }

    /// Sets a string (or enum) payload as the raw body.
    pub fn text_payload(&mut self, text: Option<&str>) {
        if let Some(t) = text {
            self.body = Some((Bytes::copy_from_slice(t.as_bytes()), "text/plain"));
        }
    }

    /// Sets a structure (or document) payload as the JSON body; an unset structure is `{}`.
    pub fn json_payload<T: Serialize>(&mut self, value: Option<&T>) {
        let bytes = match value {
            Some(v) => serde_json::to_vec(v).unwrap_or_else(|_| b"{}".to_vec()),
            None => b"{}".to_vec(),
        };
        self.body = Some((Bytes::from(bytes), "application/json"));
    }

    fn set_json_body<T: Serialize>(&mut self, input: &T) -> Result<(), ValidationError> {
        let bytes = serde_json::to_vec(input).map_err(|e| ValidationError {
            path: String::new(),
            message: format!("cannot serialize the input: {}", crate::types::json_error_text(&e)),
        })?;
        self.body = Some((Bytes::from(bytes), "application/json"));
        Ok(())
    }
}

/// The HTTP parts of a serialized request, before endpoint and signing.
#[derive(Debug, Clone, PartialEq)]
pub struct SerializedRequest {
    /// Method.
    pub method: &'static str,
    /// Path and query, percent-encoded.
    pub path_and_query: String,
    /// Host prefix to prepend to the endpoint host.
    pub host_prefix: Option<String>,
    /// Headers (without host, signing and user-agent headers).
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Bytes,
}

/// Serializes `input` (already validated and prepared): expands the URI template, merges the query
/// string, and makes the body.
pub fn serialize<I: Operation>(input: &I) -> Result<SerializedRequest, ValidationError> {
    let spec = &I::SPEC;
    let mut req = Request::default();
    input.bind(&mut req);
    if spec.body == BodyKind::Json {
        req.set_json_body(input)?;
    }
    let (template, literal_query) = spec.uri.split_once('?').unwrap_or((spec.uri, ""));
    let mut path = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        path.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            path.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let name = &rest[open + 1..open + close];
        let (name, greedy) = match name.strip_suffix('+') {
            Some(n) => (n, true),
            None => (name, false),
        };
        let value = req.labels.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str()).unwrap_or_default();
        if value.is_empty() {
            return Err(ValidationError { path: name.to_string(), message: "a URI label must not be empty".into() });
        }
        // `.` and `..` are sent as they are (RFC 3986 leaves dots unencoded), and every party on
        // the way — SigV4's canonical path included — resolves them: the request would reach a
        // different resource than the one named. A greedy label must not hold such a segment.
        let dot_segment = |s: &str| s == "." || s == "..";
        if (greedy && value.split('/').any(dot_segment)) || (!greedy && dot_segment(value)) {
            return Err(ValidationError {
                path: name.to_string(),
                message: "a URI label must not be `.` or `..` (nor contain such a path segment)".into(),
            });
        }
        percent_encode(value, greedy, &mut path);
        rest = &rest[open + close + 1..];
    }
    path.push_str(rest);
    let mut query = String::new();
    let mut push = |k: &str, v: Option<&str>| {
        query.push(if query.is_empty() { '?' } else { '&' });
        percent_encode(k, false, &mut query);
        if let Some(v) = v {
            query.push('=');
            percent_encode(v, false, &mut query);
        }
    };
    for pair in literal_query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some((k, v)) => push(k, Some(v)),
            None => push(pair, None),
        }
    }
    for (k, v) in &req.query {
        push(k, Some(v));
    }
    path.push_str(&query);
    let host_prefix = spec.host_prefix.map(|template| {
        let mut out = template.to_string();
        for (name, value) in &req.host_labels {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    });
    if let Some(prefix) = &host_prefix {
        let host = prefix.trim_end_matches('.');
        if host.split('.').any(|l| l.is_empty() || !l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')) {
            return Err(ValidationError {
                path: "hostPrefix".into(),
                message: format!("`{prefix}` is not a valid host prefix"),
            });
        }
    }
    let mut headers = req.headers;
    let body = match req.body {
        Some((bytes, content_type)) => {
            if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-type")) {
                headers.push(("content-type".into(), content_type.into()));
            }
            bytes
        }
        None => Bytes::new(),
    };
    Ok(SerializedRequest { method: spec.method, path_and_query: path, host_prefix, headers, body })
}

/// A non-default timestamp format (from `timestampFormat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampFormat {
    /// Epoch seconds.
    EpochSeconds,
    /// ISO 8601.
    Iso8601,
    /// HTTP-date.
    HttpDate,
}

impl TimestampFormat {
    /// Writes `t` in this format.
    pub fn write(self, t: &DateTime) -> String {
        match self {
            TimestampFormat::EpochSeconds => t.to_epoch_string(),
            TimestampFormat::Iso8601 => t.to_iso8601(),
            TimestampFormat::HttpDate => t.to_http_date(),
        }
    }
}

/// A scalar read from a header.
pub trait FromParam: Sized {
    /// Parses the header text.
    fn from_param(s: &str) -> Option<Self>;
}

impl FromParam for String {
    fn from_param(s: &str) -> Option<Self> {
        Some(s.to_string())
    }
}

impl FromParam for bool {
    fn from_param(s: &str) -> Option<Self> {
        match s.trim() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }
}

macro_rules! parse_param {
    ($($t:ty),*) => {$(
        impl FromParam for $t {
            fn from_param(s: &str) -> Option<Self> {
                s.trim().parse().ok()
            }
        }
    )*};
}
parse_param!(i8, i16, i32, i64, f32, f64);

impl FromParam for DateTime {
    fn from_param(s: &str) -> Option<Self> {
        DateTime::parse_http_date(s).or_else(|_| DateTime::parse_iso8601(s)).or_else(|_| DateTime::parse_epoch(s)).ok()
    }
}

impl FromParam for Blob {
    fn from_param(s: &str) -> Option<Self> {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.decode(s.trim()).ok().map(Blob::from)
    }
}

/// A response, with its body read (or, for streaming operations, still to read).
#[derive(Debug)]
pub struct Response {
    /// Status.
    pub status: u16,
    /// Headers.
    pub headers: http::HeaderMap,
    /// The body, when read up front.
    pub body: Bytes,
    /// The body stream, for streaming operations.
    pub stream: Option<crate::http::Body>,
}

impl Response {
    fn raw(&self) -> RawResponse {
        RawResponse { status: self.status, headers: self.headers.clone(), body: self.body.clone() }
    }

    fn error(&self, message: String) -> ResponseError {
        ResponseError { message, raw: Box::new(self.raw()) }
    }

    /// The JSON body; an empty body gives the default value. A wrong Content-Type is tolerated.
    pub fn json<T: DeserializeOwned + Default>(&self) -> Result<T, ResponseError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(T::default());
        }
        serde_json::from_slice(&self.body)
            .map_err(|e| self.error(format!("invalid JSON body: {}", crate::types::json_error_text(&e))))
    }

    /// The JSON body as a payload member.
    pub fn json_payload<T: DeserializeOwned>(&self) -> Result<Option<T>, ResponseError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        serde_json::from_slice(&self.body)
            .map(Some)
            .map_err(|e| self.error(format!("invalid JSON body: {}", crate::types::json_error_text(&e))))
    }

    /// A header member.
    pub fn header<T: FromParam>(&self, name: &str) -> Result<Option<T>, ResponseError> {
        let Some(v) = self.headers.get(name) else { return Ok(None) };
        let text = String::from_utf8_lossy(v.as_bytes());
        T::from_param(&text)
            .map(Some)
            .ok_or_else(|| self.error(format!("header `{name}` has an invalid value `{text}`")))
    }

    /// A list header member (comma-separated, quoted items allowed).
    pub fn header_list<T: FromParam>(&self, name: &str) -> Result<Option<Vec<T>>, ResponseError> {
        let values: Vec<String> =
            self.headers.get_all(name).iter().map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()).collect();
        if values.is_empty() {
            return Ok(None);
        }
        let mut out = Vec::new();
        for item in values.iter().flat_map(|v| split_header_list(v)) {
            out.push(
                T::from_param(&item)
                    .ok_or_else(|| self.error(format!("header `{name}` has an invalid item `{item}`")))?,
            );
        }
        Ok(Some(out))
    }

    /// A `jsonvalue` header: base64 of JSON text.
    pub fn header_json(&self, name: &str) -> Result<Option<String>, ResponseError> {
        let Some(blob) = self.header::<Blob>(name)? else { return Ok(None) };
        String::from_utf8(blob.into_inner())
            .map(Some)
            .map_err(|_| self.error(format!("header `{name}` is not UTF-8 JSON")))
    }

    /// Headers sharing a prefix, as a map keyed by the rest of the name.
    pub fn prefix_headers(&self, prefix: &str) -> Option<HashMap<String, String>> {
        let prefix = prefix.to_ascii_lowercase();
        let map: HashMap<String, String> = self
            .headers
            .iter()
            .filter_map(|(k, v)| {
                let rest = k.as_str().strip_prefix(&prefix)?;
                Some((rest.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            })
            .collect();
        (!map.is_empty()).then_some(map)
    }

    /// The body as a blob payload.
    pub fn blob(&self) -> Option<Blob> {
        Some(Blob::from(self.body.to_vec()))
    }

    /// The body as text (`None` when empty).
    pub fn text(&self) -> Option<String> {
        (!self.body.is_empty()).then(|| String::from_utf8_lossy(&self.body).into_owned())
    }

    /// The status code.
    pub fn status_code(&self) -> Option<i32> {
        Some(i32::from(self.status))
    }

    /// Takes the body stream (streaming operations).
    pub fn take_stream(&mut self) -> crate::http::Body {
        self.stream.take().unwrap_or_else(|| crate::http::Body::from_bytes(self.body.clone()))
    }
}

/// Splits a header list: `a, "b,c", d` -> `a`, `b,c`, `d`.
fn split_header_list(v: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' if quoted => cur.extend(chars.next()),
            ',' if !quoted => out.push(std::mem::take(&mut cur).trim().to_string()),
            c => cur.push(c),
        }
    }
    out.push(cur.trim().to_string());
    out
}

/// Extracts the error code and message of an error response: the code from `X-Amzn-ErrorType`,
/// else the body's `__type`, `code` or `Code`, with namespace prefixes (`aws.lambda#`) and `:`
/// suffixes stripped; the message from the body's `message`, `Message` or `errorMessage`. A body
/// that is not JSON (an HTML error page) gives the status text as the code.
pub fn error_code_and_message(raw: &RawResponse) -> (String, Option<String>) {
    let body: Option<serde_json::Value> = serde_json::from_slice(&raw.body).ok();
    let field = |names: &[&str]| -> Option<String> {
        let obj = body.as_ref()?.as_object()?;
        names.iter().find_map(|n| obj.get(*n)?.as_str().map(str::to_string))
    };
    let header_code = raw.headers.get("x-amzn-errortype").and_then(|v| v.to_str().ok()).map(str::to_string);
    let code = header_code.or_else(|| field(&["__type", "code", "Code"])).map(|c| {
        let c = c.split(':').next().unwrap_or_default();
        c.rsplit('#').next().unwrap_or_default().trim().to_string()
    });
    let message = field(&["message", "Message", "errorMessage"]);
    let code = code.filter(|c| !c.is_empty()).unwrap_or_else(|| {
        let reason =
            http::StatusCode::from_u16(raw.status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Unknown");
        format!("Http{}{}", raw.status, reason.replace(' ', ""))
    });
    let message = message.or_else(|| {
        // Not JSON: keep a little of the body (an HTML page, a proxy's text) to say what happened.
        let text = String::from_utf8_lossy(&raw.body);
        let text = text.trim();
        (!text.is_empty() && body.is_none()).then(|| text.chars().take(200).collect())
    });
    (code, message)
}

/// An error response that no variant of the operation's error enum models.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unhandled {
    /// The error code.
    pub code: String,
    /// The message, if any.
    pub message: Option<String>,
}

impl std::fmt::Display for Unhandled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.code)?;
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Unhandled {}

/// Fills an idempotency token with a random UUID v4 when it is not set.
pub fn fill_token(token: &mut Option<String>) {
    if token.as_deref().map_or(true, str::is_empty) {
        *token = Some(uuid_v4());
    }
}

/// Fills a required idempotency token with a random UUID v4 when it is empty.
pub fn fill_required_token(token: &mut String) {
    if token.is_empty() {
        *token = uuid_v4();
    }
}

/// A random UUID v4.
pub fn uuid_v4() -> String {
    use ring::rand::SecureRandom as _;
    let mut b = [0u8; 16];
    if ring::rand::SystemRandom::new().fill(&mut b).is_err() {
        // No system randomness: fall back to time-derived bytes; uniqueness is all a token needs.
        let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        b.copy_from_slice(&n.to_le_bytes());
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// Checks the model's constraints, collecting the first failure with the member's path.
#[derive(Debug, Default)]
pub struct Validator {
    path: Vec<&'static str>,
    error: Option<ValidationError>,
}

/// Something with a length (strings count characters; blobs bytes; lists and maps entries).
pub trait HasLength {
    /// The length.
    fn length(&self) -> usize;
}

impl HasLength for String {
    fn length(&self) -> usize {
        self.chars().count()
    }
}

impl HasLength for Blob {
    fn length(&self) -> usize {
        self.len()
    }
}

impl<T> HasLength for Vec<T> {
    fn length(&self) -> usize {
        self.len()
    }
}

impl<K, V> HasLength for HashMap<K, V> {
    fn length(&self) -> usize {
        self.len()
    }
}

/// A numeric value for range checks.
pub trait Number: Copy {
    /// As f64.
    fn as_f64(self) -> f64;
}

macro_rules! number {
    ($($t:ty),*) => {$(
        impl Number for $t {
            fn as_f64(self) -> f64 {
                self as f64
            }
        }
    )*};
}
number!(i8, i16, i32, i64, f32, f64);

/// A structure whose members have constraints.
pub trait Validate {
    /// Checks its members.
    fn validate(&self, v: &mut Validator);
}

impl<T: Validate> Validate for Box<T> {
    fn validate(&self, v: &mut Validator) {
        (**self).validate(v)
    }
}

impl Validator {
    /// The first failure, if any.
    pub fn finish(self) -> Result<(), ValidationError> {
        self.error.map_or(Ok(()), Err)
    }

    fn fail(&mut self, member: &str, message: String) {
        if self.error.is_none() {
            let mut path = self.path.join(".");
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(member);
            self.error = Some(ValidationError { path, message });
        }
    }

    /// A required string (or enum) member must not be empty.
    pub fn required(&mut self, member: &str, value: &impl AsRef<str>) {
        if value.as_ref().is_empty() {
            self.fail(member, "is required but not set".into());
        }
    }

    /// Length bounds.
    pub fn length<T: HasLength>(&mut self, member: &str, value: Option<&T>, min: Option<usize>, max: Option<usize>) {
        let Some(v) = value else { return };
        let n = v.length();
        if n == 0 && min.is_some_and(|m| m > 0) {
            self.fail(member, "is required but not set (it must not be empty)".into());
        } else if let Some(min) = min.filter(|m| n < *m) {
            self.fail(member, format!("length {n} is below the minimum of {min}"));
        } else if let Some(max) = max.filter(|m| n > *m) {
            self.fail(member, format!("length {n} is above the maximum of {max}"));
        }
    }

    /// Value bounds.
    pub fn range<T: Number>(&mut self, member: &str, value: Option<&T>, min: Option<f64>, max: Option<f64>) {
        let Some(v) = value else { return };
        let x = v.as_f64();
        if let Some(min) = min.filter(|m| x < *m) {
            self.fail(member, format!("value {x} is below the minimum of {min}"));
        } else if let Some(max) = max.filter(|m| x > *m) {
            self.fail(member, format!("value {x} is above the maximum of {max}"));
        }
    }

    /// Validates a nested structure.
    pub fn nested<T: Validate>(&mut self, member: &'static str, value: Option<&T>) {
        if let Some(v) = value {
            self.path.push(member);
            v.validate(self);
            self.path.pop();
        }
    }

    /// Validates each element of a list of structures.
    pub fn each<T: Validate>(&mut self, member: &'static str, value: Option<&Vec<T>>) {
        if let Some(items) = value {
            self.path.push(member);
            for item in items {
                item.validate(self);
            }
            self.path.pop();
        }
    }

    /// Validates each value of a map of structures (keyed by strings or by an enum).
    pub fn each_value<K, T: Validate>(&mut self, member: &'static str, value: Option<&HashMap<K, T>>) {
        if let Some(items) = value {
            self.path.push(member);
            for item in items.values() {
                item.validate(self);
            }
            self.path.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Default)]
    struct In {
        name: String,
        #[serde(skip)]
        tags: Vec<String>,
        #[serde(skip)]
        key: Option<String>,
    }

    #[derive(Debug, Clone)]
    struct NoErr;
    impl OperationError for NoErr {
        fn from_response(_: &str, _: Option<&str>, _: &RawResponse) -> Self {
            NoErr
        }
    }

    impl Operation for In {
        type Output = ();
        type Error = NoErr;
        const SPEC: OpSpec = OpSpec {
            name: "Op",
            method: "POST",
            uri: "/things/{Name}/{Key+}?find=Thing",
            status: 200,
            body: BodyKind::Json,
            host_prefix: None,
            streaming_output: false,
        };
        fn bind(&self, req: &mut Request) {
            req.label("Name", &self.name);
            req.label("Key", self.key.as_deref().unwrap_or_default());
            req.query("tag", &self.tags);
        }
    }

    #[test]
    fn uri_labels_query_and_body() {
        let input =
            In { name: "a b:c".into(), tags: vec!["x".into(), "y&z".into()], key: Some("dir/file name".into()) };
        let r = serialize(&input).unwrap();
        assert_eq!(r.path_and_query, "/things/a%20b%3Ac/dir/file%20name?find=Thing&tag=x&tag=y%26z");
        assert_eq!(r.body, Bytes::from_static(b"{\"name\":\"a b:c\"}"));
        assert!(r.headers.contains(&("content-type".into(), "application/json".into())));
        let empty = In { name: String::new(), ..Default::default() };
        assert_eq!(serialize(&empty).unwrap_err().path, "Name");
    }

    #[test]
    fn error_codes_are_normalised() {
        let raw = |headers: &[(&'static str, &'static str)], body: &'static str, status| {
            let mut h = http::HeaderMap::new();
            for (k, v) in headers {
                h.insert(*k, http::HeaderValue::from_static(v));
            }
            RawResponse { status, headers: h, body: Bytes::from_static(body.as_bytes()) }
        };
        let r = raw(&[("x-amzn-errortype", "ResourceNotFoundException:http://internal.amazon.com/")], "{}", 404);
        assert_eq!(error_code_and_message(&r).0, "ResourceNotFoundException");
        let r = raw(&[], r#"{"__type":"aws.lambda#TooManyRequestsException","message":"slow"}"#, 429);
        assert_eq!(error_code_and_message(&r), ("TooManyRequestsException".into(), Some("slow".into())));
        let r = raw(&[], r#"{"Code":"Foo","Message":"bar"}"#, 400);
        assert_eq!(error_code_and_message(&r), ("Foo".into(), Some("bar".into())));
        let r = raw(&[], "<html><body>Bad Gateway</body></html>", 502);
        let (code, msg) = error_code_and_message(&r);
        assert_eq!(code, "Http502BadGateway");
        assert!(msg.unwrap().contains("Bad Gateway"));
        let r = raw(&[], "", 500);
        assert_eq!(error_code_and_message(&r), ("Http500InternalServerError".into(), None));
    }

    #[test]
    fn validator_names_the_path() {
        struct Env {
            vars: Option<HashMap<String, String>>,
        }
        impl Validate for Env {
            fn validate(&self, v: &mut Validator) {
                v.length("Variables", self.vars.as_ref(), None, Some(1));
            }
        }
        let mut v = Validator::default();
        v.range("MemorySize", Some(&64), Some(128.0), Some(10240.0));
        assert_eq!(
            v.finish().unwrap_err().to_string(),
            "invalid parameter `MemorySize`: value 64 is below the minimum of 128"
        );
        let mut v = Validator::default();
        let env = Env { vars: Some(HashMap::from([("a".into(), "1".into()), ("b".into(), "2".into())])) };
        v.nested("Environment", Some(&env));
        assert_eq!(v.finish().unwrap_err().path, "Environment.Variables");
        let mut v = Validator::default();
        v.required("FunctionName", &String::new());
        v.length("FunctionName", Some(&"x".repeat(200)), Some(1), Some(140));
        assert!(v.finish().unwrap_err().message.contains("required"));
    }

    #[test]
    fn header_lists_and_uuid() {
        assert_eq!(split_header_list(r#"a, "b,c", d"#), vec!["a", "b,c", "d"]);
        assert_eq!(vec!["a".to_string(), "b,c".to_string()].header_value().unwrap(), r#"a, "b,c""#);
        let u = uuid_v4();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_ne!(uuid_v4(), u);
    }
}
