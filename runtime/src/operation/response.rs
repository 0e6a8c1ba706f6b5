//! Reading a response: header values, payloads, JSON bodies, and the code and message of an error.

use super::ResponseError;
use crate::error::RawResponse;
use crate::types::IndexMap;
use crate::types::{Blob, DateTime};
use bytes::Bytes;
use serde::de::DeserializeOwned;

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

    /// The output of an XML RPC response (query, ec2): the element named `wrapper` inside the root
    /// (`<GetCallerIdentityResult>` in `<GetCallerIdentityResponse>`), or the root itself when there
    /// is no wrapper or it is absent; an empty body gives the default value.
    #[cfg(feature = "xml")]
    pub fn xml_result<T: crate::xml::FromXml + Default>(&self, wrapper: Option<&str>) -> Result<T, ResponseError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(T::default());
        }
        let root = crate::xml::parse(&self.body).map_err(|e| self.error(e.to_string()))?;
        let el = wrapper.and_then(|w| root.child(w)).unwrap_or(&root);
        T::from_xml(el).map_err(|e| self.error(format!("invalid XML body: {e}")))
    }

    /// The CBOR body; an empty body gives the default value.
    #[cfg(feature = "cbor")]
    pub fn cbor<T: crate::cbor::FromCbor + Default>(&self) -> Result<T, ResponseError> {
        if self.body.is_empty() {
            return Ok(T::default());
        }
        let v = crate::cbor::decode(&self.body).map_err(|e| self.error(e.to_string()))?;
        T::from_cbor(&v).map_err(|e| self.error(format!("invalid CBOR body: {e}")))
    }

    /// The XML body as a structure payload (its root element); `None` for an empty body.
    #[cfg(feature = "xml")]
    pub fn xml_payload<T: crate::xml::FromXml>(&self) -> Result<Option<T>, ResponseError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        let root = crate::xml::parse(&self.body).map_err(|e| self.error(e.to_string()))?;
        T::from_xml(&root).map(Some).map_err(|e| self.error(format!("invalid XML body: {e}")))
    }

    /// The JSON body; an empty body gives the default value. A wrong Content-Type is tolerated.
    pub fn json<T: DeserializeOwned + Default>(&self) -> Result<T, ResponseError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(T::default());
        }
        serde_json::from_str(self.json_text()?)
            .map_err(|e| self.error(format!("invalid JSON body: {}", crate::types::json_error_text(&e))))
    }

    /// The body as JSON text: UTF-8 checked once for the whole body (RFC 8259 requires it), so the
    /// parser need not check each string it copies out.
    fn json_text(&self) -> Result<&str, ResponseError> {
        std::str::from_utf8(&self.body).map_err(|e| {
            self.error(format!("invalid JSON body: not UTF-8 (invalid byte at offset {})", e.valid_up_to()))
        })
    }

    /// The JSON body as a payload member.
    pub fn json_payload<T: DeserializeOwned>(&self) -> Result<Option<T>, ResponseError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        serde_json::from_str(self.json_text()?)
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
    pub fn prefix_headers(&self, prefix: &str) -> Option<IndexMap<String, String>> {
        let prefix = prefix.to_ascii_lowercase();
        let map: IndexMap<String, String> = self
            .headers
            .iter()
            .filter_map(|(k, v)| {
                let rest = k.as_str().strip_prefix(&prefix)?;
                Some((rest.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            })
            .collect();
        // As botocore: the map is there, empty when no header has the prefix.
        Some(map)
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
pub(super) fn split_header_list(v: &str) -> Vec<String> {
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
    #[cfg(feature = "xml")]
    if let Some(found) = xml_error_code_and_message(raw) {
        return found;
    }
    #[cfg(feature = "cbor")]
    if let Some(found) = cbor_error_code_and_message(raw) {
        return found;
    }
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

/// The `<Error>` element of an XML error body: the root (rest-xml), `ErrorResponse/Error` (query) or
/// `Response/Errors/Error` (ec2).
#[cfg(feature = "xml")]
pub fn xml_error_element(root: &crate::xml::Element) -> Option<&crate::xml::Element> {
    if root.name == "Error" {
        return Some(root);
    }
    root.child("Error").or_else(|| root.child("Errors")?.child("Error"))
}

#[cfg(feature = "xml")]
fn xml_error_code_and_message(raw: &RawResponse) -> Option<(String, Option<String>)> {
    let start = raw.body.iter().position(|b| !b.is_ascii_whitespace())?;
    if raw.body[start] != b'<' {
        return None;
    }
    let root = crate::xml::parse(&raw.body).ok()?;
    let error = xml_error_element(&root)?;
    let code = error.child_text("Code").filter(|c| !c.is_empty())?.to_string();
    Some((code, error.child_text("Message").map(str::to_string)))
}

#[cfg(feature = "cbor")]
fn cbor_error_code_and_message(raw: &RawResponse) -> Option<(String, Option<String>)> {
    let cbor = raw.headers.get("content-type").is_some_and(|v| v.as_bytes().starts_with(b"application/cbor"))
        || raw.headers.contains_key("smithy-protocol");
    if !cbor {
        return None;
    }
    let body = crate::cbor::decode(&raw.body).ok()?;
    let text = |key: &str| -> Option<String> {
        crate::cbor::fields(&body).ok()?.find(|(k, _)| *k == key).and_then(|(_, v)| match v {
            crate::cbor::Value::Text(t) => Some(t.clone()),
            _ => None,
        })
    };
    let code = text("__type")?;
    let code = code.rsplit('#').next().unwrap_or_default().to_string();
    Some((code, text("message").or_else(|| text("Message"))))
}

/// The query code of an error from a query-compatible JSON service: the first part of
/// `x-amzn-query-error: <code>;<Sender|Receiver>`, when the header has that form.
pub fn query_error_code(raw: &RawResponse) -> Option<String> {
    let header = raw.headers.get("x-amzn-query-error")?.to_str().ok()?;
    match header.split(';').collect::<Vec<_>>()[..] {
        [code, _] if !code.is_empty() => Some(code.to_string()),
        _ => None,
    }
}

/// An error response that no variant of the operation's error enum models.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unhandled {
    /// The error code.
    pub code: String,
    /// The message, if any.
    pub message: Option<String>,
}

impl Unhandled {
    /// The error of `code`, with its message.
    pub fn new(code: &str, message: Option<&str>) -> Self {
        Unhandled { code: code.to_owned(), message: message.map(str::to_owned) }
    }
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
