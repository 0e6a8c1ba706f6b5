//! The restJson1 wiring shared by every generated operation.
//!
//! A generated operation is an input type implementing [`Operation`]: a static [`OpSpec`] (method, URI
//! template, success status, body kind) and a few lines that bind members to URI labels, query
//! parameters, headers and payloads through [`Request`] and [`Response`]. Everything generic lives
//! here: URI template expansion (RFC 3986 percent-encoding, greedy `{Label+}` labels), literal query
//! strings merged with query members, list and map query parameters, header lists, JSON bodies, error
//! code extraction, and client-side validation ([`Validator`]).
//!
//! One file per step: `request` building (parameters, URI templates, bodies, idempotency
//! tokens), `response` reading (headers, payloads, error codes) and `validate` (the model's
//! constraints); this module holds the traits that tie them to a generated operation.

mod request;
mod response;
mod validate;

pub use request::*;
pub use response::*;
pub use validate::*;

use crate::error::RawResponse;
pub use crate::error::ResponseError;
use serde::de::DeserializeOwned;
use serde::Serialize;
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
    /// The body is an event stream the input sends ([`Operation::take_event_stream`]), signed
    /// message by message; the request is sent once, never retried.
    EventStream,
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
    /// The JSON RPC protocol's version and target, for `json` services: every input is the JSON
    /// body, `Content-Type` is `application/x-amz-json-<version>`, `X-Amz-Target` the target.
    pub aws_json: Option<(&'static str, &'static str)>,
    /// A query-compatible service: requests say `x-amzn-query-mode: true`, and errors may carry
    /// their query code in `x-amzn-query-error`.
    pub query_compatible: bool,
    /// The smithy-rpc-v2-cbor protocol: `smithy-protocol: rpc-v2-cbor` and `Accept:
    /// application/cbor` on every request.
    pub cbor: bool,
    /// Sent without a signature and without asking for credentials (operations that obtain
    /// credentials, such as STS `AssumeRoleWithWebIdentity`).
    pub unsigned: bool,
}

impl OpSpec {
    /// An operation with no body and a buffered response.
    pub const fn new(name: &'static str, method: &'static str, uri: &'static str, status: u16) -> OpSpec {
        OpSpec {
            name,
            method,
            uri,
            status,
            body: BodyKind::None,
            host_prefix: None,
            streaming_output: false,
            aws_json: None,
            query_compatible: false,
            cbor: false,
            unsigned: false,
        }
    }

    /// The operation is sent unsigned.
    pub const fn unsigned(mut self) -> OpSpec {
        self.unsigned = true;
        self
    }

    /// A smithy-rpc-v2-cbor operation (its body, when it has an input, is set by `bind`).
    pub const fn rpc_v2_cbor(mut self) -> OpSpec {
        self.cbor = true;
        self.body = BodyKind::Payload;
        self
    }

    /// A JSON RPC operation (`json` protocol) of `version` (`1.0`, `1.1`) and `target`
    /// (`DynamoDB_20120810.PutItem`): the input is always the JSON body.
    pub const fn aws_json(mut self, version: &'static str, target: &'static str) -> OpSpec {
        self.aws_json = Some((version, target));
        self.body = BodyKind::Json;
        self
    }

    /// Marks a query-compatible service's operation.
    pub const fn query_compatible(mut self) -> OpSpec {
        self.query_compatible = true;
        self
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

    /// Sends an input event stream as the body.
    pub const fn event_stream(mut self) -> OpSpec {
        self.body = BodyKind::EventStream;
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

    /// The events to send, for an operation whose body is an input event stream (taken: a stream is
    /// sent once).
    fn take_event_stream(&self) -> Option<crate::event_stream::EventBody> {
        None
    }

    /// Builds the output from a successful response: by default the JSON body.
    fn parse(resp: &mut Response) -> Result<Self::Output, ResponseError> {
        resp.json()
    }
}

/// The error enum of a service: one variant per modeled exception, built from an error response.
pub trait OperationError: Sized {
    /// Picks the modeled error for `code`, or `Unhandled`.
    fn from_response(code: &str, message: Option<&str>, raw: &RawResponse) -> Self;

    /// The error the variant holds: its code, retry class and message.
    fn details(&self) -> &dyn ErrorDetails;

    /// The retry class the model gives this error (its `retryable` trait), if any.
    fn retry_class(&self) -> Option<crate::retry::RetryClass> {
        self.details().retry_class()
    }

    /// Whether no modeled error matched.
    fn is_unhandled(&self) -> bool {
        self.details().is_unhandled()
    }
}

/// What any error a service returns says about itself: its code, its retry class, and (as
/// `Display`) its code and message. Every [`ErrorShape`] and [`Unhandled`] has it.
pub trait ErrorDetails: std::fmt::Display + Send + Sync {
    /// The error code.
    fn code(&self) -> &str;

    /// The retry class of the model's `retryable` trait, if the error has one.
    fn retry_class(&self) -> Option<crate::retry::RetryClass> {
        None
    }

    /// Whether this is an error the client does not model.
    fn is_unhandled(&self) -> bool {
        false
    }
}

impl<T: ErrorShape + std::fmt::Display + Send + Sync> ErrorDetails for T {
    fn code(&self) -> &str {
        T::CODE
    }

    fn retry_class(&self) -> Option<crate::retry::RetryClass> {
        T::RETRY
    }
}

impl ErrorDetails for Unhandled {
    fn code(&self) -> &str {
        &self.code
    }

    fn is_unhandled(&self) -> bool {
        true
    }
}

/// An exception structure read from an error response.
pub trait ErrorShape: DeserializeOwned + Default {
    /// The error code on the wire.
    const CODE: &'static str;

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

    /// [`parse`](ErrorShape::parse) for smithy-rpc-v2-cbor: the structure from the CBOR body.
    #[cfg(feature = "cbor")]
    fn cbor(raw: &RawResponse, message: Option<&str>) -> Self
    where
        Self: crate::cbor::FromCbor,
    {
        let mut v: Self = crate::cbor::decode(&raw.body)
            .ok()
            .and_then(|b| <Self as crate::cbor::FromCbor>::from_cbor(&b).ok())
            .unwrap_or_default();
        v.read_headers(raw);
        v.fill_message(message);
        v
    }

    /// [`parse`](ErrorShape::parse) for XML protocols: the structure from the body's `<Error>`.
    #[cfg(feature = "xml")]
    fn xml(raw: &RawResponse, message: Option<&str>) -> Self
    where
        Self: crate::xml::FromXml,
    {
        let root = crate::xml::parse(&raw.body).ok();
        let mut v: Self = root
            .as_ref()
            .and_then(response::xml_error_element)
            .and_then(|e| <Self as crate::xml::FromXml>::from_xml(e).ok())
            .unwrap_or_default();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::IndexMap;
    use bytes::Bytes;

    #[derive(Serialize, Default)]
    struct In {
        name: String,
        #[serde(skip)]
        tags: Vec<String>,
        #[serde(skip)]
        key: Option<String>,
    }

    #[derive(Debug, Clone)]
    struct NoErr(Unhandled);
    impl OperationError for NoErr {
        fn from_response(code: &str, message: Option<&str>, _: &RawResponse) -> Self {
            NoErr(Unhandled::new(code, message))
        }

        fn details(&self) -> &dyn ErrorDetails {
            &self.0
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
            aws_json: None,
            query_compatible: false,
            cbor: false,
            unsigned: false,
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
            vars: Option<IndexMap<String, String>>,
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
        let env = Env { vars: Some(IndexMap::from([("a".into(), "1".into()), ("b".into(), "2".into())])) };
        v.nested("Environment", Some(&env));
        assert_eq!(v.finish().unwrap_err().path, "Environment.Variables");
        let mut v = Validator::default();
        v.required("FunctionName", &String::new());
        v.length("FunctionName", Some(&"x".repeat(200)), Some(1), Some(140));
        assert!(v.finish().unwrap_err().message.contains("required"));
    }

    #[test]
    fn header_lists_and_uuid() {
        assert_eq!(response::split_header_list(r#"a, "b,c", d"#), vec!["a", "b,c", "d"]);
        assert_eq!(vec!["a".to_string(), "b,c".to_string()].header_value().unwrap(), r#"a, "b,c""#);
        let u = uuid_v4();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_ne!(uuid_v4(), u);
    }
}
