//! Building a request: scalar parameters and their text forms, URI templates, query strings,
//! headers, bodies, and idempotency tokens.

use super::{BodyKind, Operation};
use crate::error::ValidationError;
use crate::types::IndexMap;
use crate::types::{Blob, DateTime};
use bytes::Bytes;
use serde::Serialize;
use std::borrow::Cow;

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

impl<T: QueryValue> QueryValue for IndexMap<String, T> {
    fn write_query(&self, _key: &str, out: &mut Vec<(String, String)>) {
        for (k, v) in self {
            // Parameters bound by name win over map entries of the same name.
            if !out.iter().any(|(existing, _)| existing == k) {
                v.write_query(k, out);
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
    pub fn prefix_headers(&mut self, prefix: &str, map: Option<&IndexMap<String, String>>) {
        if let Some(m) = map {
            for (k, v) in m {
                self.headers.push((format!("{prefix}{k}"), v.clone()));
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

    /// Sets an XML body: the input's body members inside `root` (rest-xml).
    #[cfg(feature = "xml")]
    pub fn xml_body<T: crate::xml::ToXml>(&mut self, root: &str, attributes: &[(&str, &str)], input: &T) {
        let mut w = crate::xml::Writer::default();
        input.write_xml(&mut w, root, attributes);
        self.body = Some((Bytes::from(w.finish()), "application/xml"));
    }

    /// Sets a structure payload as an XML document whose root is `name`.
    #[cfg(feature = "xml")]
    pub fn xml_payload<T: crate::xml::ToXml>(&mut self, name: &str, attributes: &[(&str, &str)], value: Option<&T>) {
        if let Some(v) = value {
            let mut w = crate::xml::Writer::default();
            v.write_xml(&mut w, name, attributes);
            self.body = Some((Bytes::from(w.finish()), "application/xml"));
        }
    }

    /// Sets a CBOR body: the input as a CBOR map (smithy-rpc-v2-cbor).
    #[cfg(feature = "cbor")]
    pub fn cbor_body<T: crate::cbor::ToCbor>(&mut self, input: &T) {
        let mut out = Vec::new();
        crate::cbor::encode(&input.to_cbor(), &mut out);
        self.body = Some((Bytes::from(out), "application/cbor"));
    }

    /// Sets a query-protocol body: `Action`, `Version` and the input's members as form
    /// parameters.
    #[cfg(feature = "query")]
    pub fn form_body<T: crate::query::QueryValue>(&mut self, action: &str, version: &str, input: &T) {
        let mut w = crate::query::Writer::new(action, version);
        input.write(&mut w, "");
        self.body = Some((w.into_body(), "application/x-www-form-urlencoded; charset=utf-8"));
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
    if let Some((version, target)) = spec.aws_json {
        let content_type = match version {
            "1.1" => "application/x-amz-json-1.1",
            _ => "application/x-amz-json-1.0",
        };
        headers.push(("content-type".into(), content_type.into()));
        headers.push(("x-amz-target".into(), target.into()));
    }
    if spec.query_compatible {
        headers.push(("x-amzn-query-mode".into(), "true".into()));
    }
    if spec.cbor {
        headers.push(("smithy-protocol".into(), "rpc-v2-cbor".into()));
        headers.push(("accept".into(), "application/cbor".into()));
    }
    let body = match req.body {
        Some((bytes, content_type)) => {
            if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-type")) {
                headers.push(("content-type".into(), content_type.into()));
            }
            bytes
        }
        None => {
            if spec.body == BodyKind::EventStream {
                headers.push(("content-type".into(), "application/vnd.amazon.eventstream".into()));
            }
            Bytes::new()
        }
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
