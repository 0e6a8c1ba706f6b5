//! Serde types mirroring the botocore JSON model files, and the loader that reads and validates them.
//!
//! The types follow botocore's own format field for field (camelCase keys as in the files), so a model
//! can be read without translation and every later stage works on one faithful picture of it. Fields
//! the format allows but the generator does not use yet are still kept here, so adding a feature never
//! means re-reading the files. Unknown keys are ignored, as botocore ignores them. The endpoint
//! rule-set and partition types are not mirrored here: they are the `stratus-endpoint` crate's, the
//! very types the runtime evaluates, so a rule set the loader accepts is one the runtime can read.
//!
//! Loading never panics: a bad file gives a [`ModelError`] naming the file, the JSON path inside it,
//! and for syntax errors the line and column.

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;
use std::fmt;
use std::path::{Path, PathBuf};
/// The endpoint rule-set and partition types: `stratus-endpoint`'s, the ones the runtime evaluates.
pub use stratus_endpoint::{Condition, Expr, Parameter, Partition, Partitions, Rule, RuleEndpoint, RuleSet};

/// A `service-2.json` file: the service's metadata, operations and shapes.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    /// Format version of the file (`"2.0"`).
    #[serde(default)]
    pub version: Option<String>,
    /// Service-wide facts: protocol, API version, signing name...
    pub metadata: Metadata,
    /// Operations by name, in file order.
    #[serde(default)]
    pub operations: IndexMap<String, Operation>,
    /// Shapes by name, in file order.
    #[serde(default)]
    pub shapes: IndexMap<String, Shape>,
    /// Service documentation (HTML).
    #[serde(default)]
    pub documentation: Option<String>,
}

/// The `metadata` object of a service model.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// The API version, e.g. `2015-03-31`.
    #[serde(default)]
    pub api_version: String,
    /// Wire protocol.
    pub protocol: Protocol,
    /// Protocols the service supports (names botocore does not know are kept, and skipped by
    /// [`Metadata::wire_protocol`]).
    #[serde(default)]
    pub protocols: Vec<String>,
    /// Present (an empty object) when a JSON service keeps the error codes of its former query
    /// protocol (`x-amzn-query-mode`, `x-amzn-query-error`).
    #[serde(default)]
    pub aws_query_compatible: Option<Value>,
    /// DNS prefix of the endpoint.
    #[serde(default)]
    pub endpoint_prefix: Option<String>,
    /// Full human name (`AWS Lambda`).
    #[serde(default)]
    pub service_full_name: Option<String>,
    /// Short human name.
    #[serde(default)]
    pub service_abbreviation: Option<String>,
    /// Stable identifier used for SDK names and environment variables (`Lambda`).
    #[serde(default)]
    pub service_id: Option<String>,
    /// Signature version (`v4`).
    #[serde(default)]
    pub signature_version: Option<String>,
    /// Name used in SigV4 credential scopes.
    #[serde(default)]
    pub signing_name: Option<String>,
    /// Auth schemes (`aws.auth#sigv4`).
    #[serde(default)]
    pub auth: Vec<String>,
    /// Unique id `<endpoint>-<version>`.
    #[serde(default)]
    pub uid: Option<String>,
    /// JSON version for the `json` protocol.
    #[serde(default)]
    pub json_version: Option<String>,
    /// Target prefix for the `json` protocol.
    #[serde(default)]
    pub target_prefix: Option<String>,
    /// Global endpoint, for global services.
    #[serde(default)]
    pub global_endpoint: Option<String>,
}

impl Metadata {
    /// The protocol a client speaks, chosen as botocore chooses it: the first of `protocols` in
    /// botocore's priority order (json, rest-json, rest-xml, smithy-rpc-v2-cbor, query, ec2) —
    /// names it does not know are skipped — else `protocol`.
    pub fn wire_protocol(&self) -> Protocol {
        Protocol::PRIORITY
            .into_iter()
            .find(|p| self.protocols.iter().any(|name| name == p.as_str()))
            .unwrap_or(self.protocol)
    }
}

/// A wire protocol named in `metadata.protocol`.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// REST with JSON bodies (Lambda's protocol).
    #[serde(rename = "rest-json")]
    RestJson,
    /// RPC over JSON with `X-Amz-Target`.
    #[serde(rename = "json")]
    Json,
    /// REST with XML bodies.
    #[serde(rename = "rest-xml")]
    RestXml,
    /// AWS query protocol.
    #[serde(rename = "query")]
    Query,
    /// EC2 query protocol.
    #[serde(rename = "ec2")]
    Ec2,
    /// Smithy RPC v2 with CBOR bodies.
    #[serde(rename = "smithy-rpc-v2-cbor")]
    SmithyRpcV2Cbor,
}

impl Protocol {
    /// botocore's preference among the protocols a service lists.
    pub const PRIORITY: [Protocol; 6] = [
        Protocol::Json,
        Protocol::RestJson,
        Protocol::RestXml,
        Protocol::SmithyRpcV2Cbor,
        Protocol::Query,
        Protocol::Ec2,
    ];

    /// The protocol's name as written in models.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::RestJson => "rest-json",
            Protocol::Json => "json",
            Protocol::RestXml => "rest-xml",
            Protocol::Query => "query",
            Protocol::Ec2 => "ec2",
            Protocol::SmithyRpcV2Cbor => "smithy-rpc-v2-cbor",
        }
    }
}

/// One operation of a service.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// Operation name (`GetFunction`).
    pub name: String,
    /// HTTP binding.
    pub http: Http,
    /// Input shape.
    #[serde(default)]
    pub input: Option<ShapeRef>,
    /// Output shape.
    #[serde(default)]
    pub output: Option<ShapeRef>,
    /// Modeled errors.
    #[serde(default)]
    pub errors: Vec<ShapeRef>,
    /// Documentation (HTML).
    #[serde(default)]
    pub documentation: Option<String>,
    /// Link to the online reference.
    #[serde(default)]
    pub documentation_url: Option<String>,
    /// Deprecated operation.
    #[serde(default)]
    pub deprecated: bool,
    /// Why it is deprecated.
    #[serde(default)]
    pub deprecated_message: Option<String>,
    /// Safe to retry.
    #[serde(default)]
    pub idempotent: bool,
    /// Has no side effects.
    #[serde(default)]
    pub readonly: bool,
    /// Endpoint trait: host prefix template.
    #[serde(default)]
    pub endpoint: Option<EndpointTrait>,
    /// Auth type override (`none`, `v4-unsigned-body`).
    #[serde(default)]
    pub authtype: Option<String>,
    /// Auth schemes override.
    #[serde(default)]
    pub auth: Vec<String>,
    /// Requires a `Content-MD5`/checksum header.
    #[serde(default)]
    pub http_checksum_required: bool,
    /// Flexible checksum settings.
    #[serde(default)]
    pub http_checksum: Option<Value>,
    /// Request compression.
    #[serde(default)]
    pub requestcompression: Option<RequestCompression>,
    /// Endpoint-rule parameters fixed for this operation.
    #[serde(default)]
    pub static_context_params: IndexMap<String, Value>,
}

/// The `http` object of an operation.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Http {
    /// HTTP method.
    pub method: String,
    /// URI template, possibly with a literal query string.
    pub request_uri: String,
    /// Status code of a successful response.
    #[serde(default)]
    pub response_code: Option<u16>,
}

/// The `endpoint` trait of an operation.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EndpointTrait {
    /// Template prepended to the host (`{Foo}-data.`).
    pub host_prefix: String,
}

/// The `requestcompression` trait of an operation.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct RequestCompression {
    /// Supported encodings, preferred first.
    #[serde(default)]
    pub encodings: Vec<String>,
}

/// A reference to a shape from an operation.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ShapeRef {
    /// Target shape name.
    pub shape: String,
    /// Documentation (HTML).
    #[serde(default)]
    pub documentation: Option<String>,
    /// XML element name.
    #[serde(default)]
    pub location_name: Option<String>,
    /// The element wrapping an XML RPC output (`GetCallerIdentityResult`).
    #[serde(default)]
    pub result_wrapper: Option<String>,
    /// The XML namespace of a rest-xml input's root element.
    #[serde(default)]
    pub xml_namespace: Option<Value>,
}

/// The kind of a shape.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum ShapeType {
    /// A structure (or a union or document, by trait).
    Structure,
    /// A list of one member shape.
    List,
    /// A map from key to value shapes.
    Map,
    /// A string, possibly with an `enum` of known values.
    String,
    /// 32-bit integer.
    Integer,
    /// 64-bit integer.
    Long,
    /// 32-bit float.
    Float,
    /// 64-bit float.
    Double,
    /// Boolean.
    Boolean,
    /// Bytes.
    Blob,
    /// A point in time.
    Timestamp,
    /// 8-bit integer.
    Byte,
    /// 16-bit integer.
    Short,
    /// Arbitrary-precision integer.
    #[serde(rename = "bigInteger", alias = "biginteger")]
    BigInteger,
    /// Arbitrary-precision decimal.
    #[serde(rename = "bigDecimal", alias = "bigdecimal")]
    BigDecimal,
}

/// One shape of the model.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Shape {
    /// The shape's type.
    #[serde(rename = "type")]
    pub kind: ShapeType,
    /// Members of a structure, in file order.
    #[serde(default)]
    pub members: IndexMap<String, Member>,
    /// Required member names of a structure.
    #[serde(default)]
    pub required: Vec<String>,
    /// Element of a list.
    #[serde(default)]
    pub member: Option<Member>,
    /// Key of a map.
    #[serde(default)]
    pub key: Option<Member>,
    /// Value of a map.
    #[serde(default)]
    pub value: Option<Member>,
    /// Known values of a string enum.
    #[serde(default, rename = "enum")]
    pub enum_values: Vec<String>,
    /// Minimum length or value.
    #[serde(default)]
    pub min: Option<f64>,
    /// Maximum length or value.
    #[serde(default)]
    pub max: Option<f64>,
    /// Regular expression a string must match.
    #[serde(default)]
    pub pattern: Option<String>,
    /// Documentation (HTML).
    #[serde(default)]
    pub documentation: Option<String>,
    /// Values must not be logged.
    #[serde(default)]
    pub sensitive: bool,
    /// The shape is deprecated.
    #[serde(default)]
    pub deprecated: bool,
    /// Why it is deprecated.
    #[serde(default)]
    pub deprecated_message: Option<String>,
    /// A nullable ("boxed") primitive.
    #[serde(default, rename = "box")]
    pub boxed: bool,
    /// Error details, for error shapes.
    #[serde(default)]
    pub error: Option<ErrorTrait>,
    /// The shape is an exception.
    #[serde(default)]
    pub exception: bool,
    /// The exception is the service's fault (5xx).
    #[serde(default)]
    pub fault: bool,
    /// Retry hints for an exception.
    #[serde(default)]
    pub retryable: Option<Retryable>,
    /// Member bound to the HTTP payload.
    #[serde(default)]
    pub payload: Option<String>,
    /// A streaming blob.
    #[serde(default)]
    pub streaming: bool,
    /// A stream whose length must be known.
    #[serde(default)]
    pub requires_length: bool,
    /// An event stream union.
    #[serde(default)]
    pub eventstream: bool,
    /// An event of an event stream.
    #[serde(default)]
    pub event: bool,
    /// A tagged union.
    #[serde(default)]
    pub union: bool,
    /// An untyped JSON document.
    #[serde(default)]
    pub document: bool,
    /// Timestamp format of a timestamp shape.
    #[serde(default)]
    pub timestamp_format: Option<TimestampFormat>,
    /// XML name, for XML protocols.
    #[serde(default)]
    pub location_name: Option<String>,
    /// Flattened XML list or map.
    #[serde(default)]
    pub flattened: bool,
    /// XML namespace.
    #[serde(default)]
    pub xml_namespace: Option<Value>,
}

/// The `error` trait of an exception shape.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ErrorTrait {
    /// Error code on the wire, when it differs from the shape name.
    #[serde(default)]
    pub code: Option<String>,
    /// HTTP status of the error.
    #[serde(default)]
    pub http_status_code: Option<u16>,
    /// The client is at fault.
    #[serde(default)]
    pub sender_fault: bool,
}

/// The `retryable` trait of an exception shape.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Retryable {
    /// A throttling error.
    #[serde(default)]
    pub throttling: bool,
}

/// A member of a structure, or the element/key/value of a list or map.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// Target shape name.
    pub shape: String,
    /// Documentation (HTML).
    #[serde(default)]
    pub documentation: Option<String>,
    /// Where the member goes in an HTTP message.
    #[serde(default)]
    pub location: Option<Location>,
    /// Name on the wire (header name, query key, URI label, or JSON key).
    #[serde(default)]
    pub location_name: Option<String>,
    /// Filled with a UUID when absent.
    #[serde(default)]
    pub idempotency_token: bool,
    /// A JSON value carried as base64 in a header.
    #[serde(default)]
    pub jsonvalue: bool,
    /// Used in the operation's host prefix.
    #[serde(default)]
    pub host_label: bool,
    /// The payload of an event.
    #[serde(default)]
    pub eventpayload: bool,
    /// A header of an event.
    #[serde(default)]
    pub eventheader: bool,
    /// A streaming member.
    #[serde(default)]
    pub streaming: bool,
    /// The member is deprecated.
    #[serde(default)]
    pub deprecated: bool,
    /// Why it is deprecated.
    #[serde(default)]
    pub deprecated_message: Option<String>,
    /// A nullable ("boxed") member.
    #[serde(default, rename = "box")]
    pub boxed: bool,
    /// Timestamp format override.
    #[serde(default)]
    pub timestamp_format: Option<TimestampFormat>,
    /// XML attribute.
    #[serde(default)]
    pub xml_attribute: bool,
    /// XML namespace.
    #[serde(default)]
    pub xml_namespace: Option<Value>,
    /// Flattened XML list or map.
    #[serde(default)]
    pub flattened: bool,
    /// Name in the EC2 query protocol.
    #[serde(default)]
    pub query_name: Option<String>,
}

/// Where a member is bound in an HTTP message.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "camelCase")]
pub enum Location {
    /// A label of the URI template.
    Uri,
    /// A query-string parameter.
    Querystring,
    /// One header.
    Header,
    /// A map of headers sharing a prefix.
    Headers,
    /// The response status code.
    StatusCode,
}

impl Location {
    /// The location's name as written in models.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Uri => "uri",
            Location::Querystring => "querystring",
            Location::Header => "header",
            Location::Headers => "headers",
            Location::StatusCode => "statusCode",
        }
    }
}

/// The format of a timestamp on the wire.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Hash)]
pub enum TimestampFormat {
    /// Seconds since the Unix epoch, with optional fraction.
    #[serde(rename = "unixTimestamp")]
    UnixTimestamp,
    /// RFC 3339 / ISO 8601.
    #[serde(rename = "iso8601")]
    Iso8601,
    /// RFC 7231 HTTP-date.
    #[serde(rename = "rfc822")]
    Rfc822,
}

/// A `paginators-1.json` file (or its `sdk-extras` merge, after merging).
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
pub struct Paginators {
    /// Paginators by operation name.
    #[serde(default)]
    pub pagination: IndexMap<String, Paginator>,
}

/// One paginator.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
pub struct Paginator {
    /// Input member(s) carrying the token.
    #[serde(default)]
    pub input_token: Option<OneOrMany>,
    /// Output path(s) carrying the next token.
    #[serde(default)]
    pub output_token: Option<OneOrMany>,
    /// Input member limiting the page size.
    #[serde(default)]
    pub limit_key: Option<String>,
    /// Output path(s) of the items.
    #[serde(default)]
    pub result_key: Option<OneOrMany>,
    /// Output member saying more results exist.
    #[serde(default)]
    pub more_results: Option<String>,
    /// Output members that are not aggregated across pages.
    #[serde(default)]
    pub non_aggregate_keys: Vec<String>,
}

/// A string or a list of strings, as paginator keys are written.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum OneOrMany {
    /// A single key.
    One(String),
    /// Several keys.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The keys as a slice.
    pub fn as_slice(&self) -> &[String] {
        match self {
            OneOrMany::One(s) => std::slice::from_ref(s),
            OneOrMany::Many(v) => v,
        }
    }
}

/// The `paginators-1.sdk-extras.json` file: fields merged into paginators.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
pub struct PaginatorExtras {
    /// The merge document.
    #[serde(default)]
    pub merge: PaginatorExtrasMerge,
}

/// The `merge` object of the paginator extras.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
pub struct PaginatorExtrasMerge {
    /// Per-operation fields to merge.
    #[serde(default)]
    pub pagination: IndexMap<String, IndexMap<String, Value>>,
}

/// A `waiters-2.json` file.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
pub struct Waiters {
    /// Format version (2).
    #[serde(default)]
    pub version: Option<u32>,
    /// Waiters by name.
    #[serde(default)]
    pub waiters: IndexMap<String, Waiter>,
}

/// One waiter.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Waiter {
    /// What the waiter waits for.
    #[serde(default)]
    pub description: Option<String>,
    /// Seconds between attempts.
    pub delay: u64,
    /// Attempts before giving up.
    pub max_attempts: u32,
    /// Operation polled.
    pub operation: String,
    /// Acceptors, tried in order.
    pub acceptors: Vec<Acceptor>,
}

/// One acceptor of a waiter.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Acceptor {
    /// How the response is matched.
    pub matcher: Matcher,
    /// The value expected.
    pub expected: Value,
    /// What a match means.
    pub state: AcceptorState,
    /// JMESPath expression, for the path matchers.
    #[serde(default)]
    pub argument: Option<String>,
}

/// How an acceptor matches.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Matcher {
    /// The expression's value equals `expected`.
    Path,
    /// Every element of the projection equals `expected`.
    PathAll,
    /// Some element of the projection equals `expected`.
    PathAny,
    /// The HTTP status equals `expected`.
    Status,
    /// The error code equals `expected` (or `true`/`false`: any error / no error).
    Error,
}

/// What an acceptor's match means.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum AcceptorState {
    /// The wait is over, successfully.
    Success,
    /// The wait is over, the resource failed.
    Failure,
    /// Poll again.
    Retry,
}

/// An `examples-1.json` file.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
pub struct Examples {
    /// Format version.
    #[serde(default)]
    pub version: Option<String>,
    /// Examples by operation name.
    #[serde(default)]
    pub examples: IndexMap<String, Vec<Example>>,
}

/// One worked example of an operation.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Example {
    /// Input parameters, as JSON.
    #[serde(default)]
    pub input: Option<Value>,
    /// Expected output, as JSON.
    #[serde(default)]
    pub output: Option<Value>,
    /// Comments on input and output members.
    #[serde(default)]
    pub comments: Option<ExampleComments>,
    /// What the example shows.
    #[serde(default)]
    pub description: Option<String>,
    /// Stable id.
    #[serde(default)]
    pub id: Option<String>,
    /// Short title.
    #[serde(default)]
    pub title: Option<String>,
}

/// Comments of an example, by member.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
pub struct ExampleComments {
    /// Comments on input members.
    #[serde(default)]
    pub input: IndexMap<String, Value>,
    /// Comments on output members.
    #[serde(default)]
    pub output: IndexMap<String, Value>,
}

/// Everything read from one model directory (`model/<service>/<api-version>/`).
#[derive(Debug, Clone)]
pub struct ServiceModel {
    /// The directory it was read from.
    pub dir: PathBuf,
    /// `service-2.json`.
    pub service: Service,
    /// `paginators-1.json`, with `paginators-1.sdk-extras.json` merged in.
    pub paginators: Paginators,
    /// `waiters-2.json`.
    pub waiters: Waiters,
    /// `examples-1.json`.
    pub examples: Examples,
    /// `endpoint-rule-set-1.json`, when present, parsed into the types the runtime evaluates
    /// (`stratus-endpoint`'s).
    pub endpoint_rules: Option<RuleSet>,
    /// The text of `endpoint-rule-set-1.json`, embedded as is in generated crates.
    pub endpoint_rules_json: Option<String>,
}

/// What went wrong while loading a model.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelErrorKind {
    /// The file could not be read.
    Io(String),
    /// The file is not valid JSON.
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// Valid JSON that does not fit the format (a wrong type, a missing field, an unknown value).
    Schema {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// A reference to a shape (or operation, or member) that does not exist.
    DanglingReference {
        /// What kind of thing was referenced.
        what: &'static str,
        /// The missing name.
        target: String,
    },
    /// A member location that makes no sense where it is used.
    BadLocation(String),
    /// The protocol is not one botocore knows.
    UnknownProtocol(String),
    /// Any other inconsistency.
    Invalid(String),
}

/// An error loading a model: the file, the JSON path within it, and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelError {
    /// The file.
    pub file: PathBuf,
    /// JSON path inside the file (`shapes.Foo.members.Bar.shape`), empty for the whole file.
    pub path: String,
    /// What is wrong.
    pub kind: ModelErrorKind,
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.display();
        match &self.kind {
            ModelErrorKind::Syntax { line, column, message } => {
                write!(f, "{file}:{line}:{column}: invalid JSON: {message}")
            }
            kind => {
                write!(f, "{file}")?;
                if let ModelErrorKind::Schema { line, column, .. } = kind {
                    write!(f, ":{line}:{column}")?;
                }
                if !self.path.is_empty() {
                    write!(f, ": at `{}`", self.path)?;
                }
                match kind {
                    ModelErrorKind::Io(e) => write!(f, ": cannot read: {e}"),
                    ModelErrorKind::Schema { message, .. } => {
                        write!(f, ": does not match the model format: {message}")
                    }
                    ModelErrorKind::DanglingReference { what, target } => {
                        write!(f, ": refers to {what} `{target}`, which does not exist")
                    }
                    ModelErrorKind::BadLocation(why) => write!(f, ": bad member location: {why}"),
                    ModelErrorKind::UnknownProtocol(p) => write!(
                        f,
                        ": unknown protocol `{p}` (known: rest-json, json, rest-xml, query, ec2, smithy-rpc-v2-cbor)"
                    ),
                    ModelErrorKind::Invalid(why) => write!(f, ": {why}"),
                    ModelErrorKind::Syntax { .. } => Ok(()),
                }
            }
        }
    }
}

impl std::error::Error for ModelError {}

impl ModelError {
    fn new(file: &Path, path: impl Into<String>, kind: ModelErrorKind) -> Self {
        ModelError { file: file.to_path_buf(), path: path.into(), kind }
    }
}

/// Parses JSON text into `T`, turning serde errors into [`ModelError`]s with the path and position.
pub fn parse_json<T: serde::de::DeserializeOwned>(file: &Path, text: &str) -> Result<T, ModelError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let (line, column) = (inner.line(), inner.column());
        let message = strip_position(&inner.to_string());
        // Only a data error means the JSON was well-formed; syntax and EOF errors are syntax.
        if inner.is_data() {
            // A bad protocol name is worth its own error: it is the first thing a wrong model trips on.
            if path == "metadata.protocol" || path.starts_with("metadata.protocols") {
                let value = protocol_at(text).unwrap_or_default();
                return ModelError::new(file, path, ModelErrorKind::UnknownProtocol(value));
            }
            ModelError::new(
                file,
                if path == "." { String::new() } else { path },
                ModelErrorKind::Schema { line, column, message },
            )
        } else {
            ModelError::new(file, "", ModelErrorKind::Syntax { line, column, message })
        }
    })
}

fn protocol_at(text: &str) -> Option<String> {
    let v: Value = serde_json::from_str(text).ok()?;
    Some(match v.get("metadata")?.get("protocol")? {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// serde_json appends " at line L column C"; we report the position separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Reads a model file, decompressing it when its name ends in `.gz`.
pub fn read(file: &Path) -> Result<String, ModelError> {
    let io = |e: std::io::Error| ModelError::new(file, "", ModelErrorKind::Io(e.to_string()));
    if file.extension().is_some_and(|e| e == "gz") {
        // botocore ships its large files gzip-compressed; read them as they are.
        use std::io::Read as _;
        let mut text = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(file).map_err(io)?).read_to_string(&mut text).map_err(io)?;
        return Ok(text);
    }
    std::fs::read_to_string(file).map_err(io)
}

/// The model file `name` in `dir`, as `name` or, as botocore ships large files, `name.gz`.
pub fn model_file(dir: &Path, name: &str) -> PathBuf {
    let plain = dir.join(name);
    let gz = dir.join(format!("{name}.gz"));
    if !plain.exists() && gz.exists() {
        gz
    } else {
        plain
    }
}

fn read_optional<T: serde::de::DeserializeOwned + Default>(file: &Path) -> Result<T, ModelError> {
    if file.exists() {
        parse_json(file, &read(file)?)
    } else {
        Ok(T::default())
    }
}

impl ServiceModel {
    /// Reads and validates the model files in `dir`. `service-2.json` is required; the others are
    /// optional. Each may also be gzip-compressed (`service-2.json.gz`), as botocore ships them.
    pub fn load(dir: impl AsRef<Path>) -> Result<ServiceModel, ModelError> {
        let dir = dir.as_ref();
        let service_file = model_file(dir, "service-2.json");
        let service: Service = parse_json(&service_file, &read(&service_file)?)?;
        validate_service(&service_file, &service)?;

        let pag_file = model_file(dir, "paginators-1.json");
        let mut paginators: Paginators = read_optional(&pag_file)?;
        let extras_file = model_file(dir, "paginators-1.sdk-extras.json");
        let extras: PaginatorExtras = read_optional(&extras_file)?;
        merge_paginator_extras(&extras_file, &mut paginators, extras)?;
        for (op, pag) in &paginators.pagination {
            check_op(&pag_file, &service, op, format!("pagination.{op}"))?;
            validate_paginator(&pag_file, &service, op, pag)?;
        }

        let waiters_file = model_file(dir, "waiters-2.json");
        let waiters: Waiters = read_optional(&waiters_file)?;
        for (name, w) in &waiters.waiters {
            check_op(&waiters_file, &service, &w.operation, format!("waiters.{name}.operation"))?;
        }

        let examples_file = model_file(dir, "examples-1.json");
        let examples: Examples = read_optional(&examples_file)?;
        for op in examples.examples.keys() {
            check_op(&examples_file, &service, op, format!("examples.{op}"))?;
        }

        let rules_file = model_file(dir, "endpoint-rule-set-1.json");
        let (endpoint_rules, endpoint_rules_json) = if rules_file.exists() {
            let text = read(&rules_file)?;
            (Some(parse_json::<RuleSet>(&rules_file, &text)?), Some(text))
        } else {
            (None, None)
        };

        Ok(ServiceModel {
            dir: dir.to_path_buf(),
            service,
            paginators,
            waiters,
            examples,
            endpoint_rules,
            endpoint_rules_json,
        })
    }
}

/// Reads `partitions.json` into the partition types the runtime uses (`stratus-endpoint`'s), and
/// checks that every partition's `outputs` hold the facts rule sets read from `aws.partition`:
/// `name`, `dnsSuffix` and `dualStackDnsSuffix` strings, `supportsFIPS` and `supportsDualStack`
/// booleans, and `implicitGlobalRegion`, when present, a string.
pub fn load_partitions(file: impl AsRef<Path>) -> Result<Partitions, ModelError> {
    let file = file.as_ref();
    let partitions: Partitions = parse_json(file, &read(file)?)?;
    let required = [
        ("name", true, false),
        ("dnsSuffix", true, false),
        ("dualStackDnsSuffix", true, false),
        ("supportsFIPS", true, true),
        ("supportsDualStack", true, true),
        ("implicitGlobalRegion", false, false),
    ];
    for (i, p) in partitions.partitions.iter().enumerate() {
        for (key, needed, boolean) in required {
            let ok = match p.outputs.get(key) {
                None => !needed,
                Some(Value::Bool(_)) => boolean,
                Some(Value::String(_)) => !boolean,
                Some(_) => false,
            };
            if !ok {
                let kind = if boolean { "a boolean" } else { "a string" };
                return Err(ModelError::new(
                    file,
                    format!("partitions[{i}].outputs.{key}"),
                    ModelErrorKind::Invalid(format!("partition `{}` needs `{key}`, {kind}", p.id)),
                ));
            }
        }
    }
    Ok(partitions)
}

fn check_op(file: &Path, service: &Service, op: &str, path: String) -> Result<(), ModelError> {
    if service.operations.contains_key(op) {
        Ok(())
    } else {
        Err(ModelError::new(
            file,
            path,
            ModelErrorKind::DanglingReference { what: "operation", target: op.to_string() },
        ))
    }
}

fn merge_paginator_extras(file: &Path, paginators: &mut Paginators, extras: PaginatorExtras) -> Result<(), ModelError> {
    for (op, fields) in extras.merge.pagination {
        let path = format!("merge.pagination.{op}");
        let Some(pag) = paginators.pagination.get_mut(&op) else {
            return Err(ModelError::new(
                file,
                path,
                ModelErrorKind::DanglingReference { what: "paginator", target: op },
            ));
        };
        for (key, value) in fields {
            let key_path = format!("{path}.{key}");
            let as_strings = |v: Value| -> Result<Vec<String>, ModelError> {
                serde_json::from_value(v).map_err(|e| {
                    ModelError::new(
                        file,
                        &key_path,
                        ModelErrorKind::Invalid(format!("expected a list of strings: {e}")),
                    )
                })
            };
            match key.as_str() {
                "non_aggregate_keys" => pag.non_aggregate_keys.extend(as_strings(value)?),
                other => {
                    return Err(ModelError::new(
                        file,
                        &key_path,
                        ModelErrorKind::Invalid(format!("merging `{other}` into a paginator is not supported")),
                    ))
                }
            }
        }
    }
    Ok(())
}

fn validate_paginator(file: &Path, service: &Service, op: &str, pag: &Paginator) -> Result<(), ModelError> {
    let operation = &service.operations[op];
    let input = operation.input.as_ref().and_then(|r| service.shapes.get(&r.shape));
    let invalid = |field: &str, why: String| {
        Err(ModelError::new(file, format!("pagination.{op}.{field}"), ModelErrorKind::Invalid(why)))
    };
    for key in pag.input_token.iter().flat_map(OneOrMany::as_slice).chain(pag.limit_key.iter()) {
        if !input.is_some_and(|s| s.members.contains_key(key)) {
            return invalid("input_token", format!("input member `{key}` does not exist on `{op}`'s input"));
        }
    }
    if pag.input_token.is_none() || pag.output_token.is_none() {
        return invalid("", "a paginator needs input_token and output_token".to_string());
    }
    Ok(())
}

/// The locations allowed on the members of a shape, given how operations use it.
#[derive(Default, Clone, Copy)]
struct Usage {
    input: bool,
    output: bool,
    error: bool,
}

/// A cycle of lists and maps from `start` back to itself (`L -> L`, `M -> value L -> member M`),
/// as the chain of shape names; `None` when the shape is not a collection or no such cycle exists.
/// Cycles through a structure or union are fine (they are boxed); this one would make every
/// recursive walk of the model loop forever.
fn collection_cycle(service: &Service, start: &str) -> Option<String> {
    let is_collection =
        |name: &str| service.shapes.get(name).is_some_and(|s| matches!(s.kind, ShapeType::List | ShapeType::Map));
    if !is_collection(start) {
        return None;
    }
    let next = |name: &str| -> Vec<String> {
        service.shapes.get(name).map_or(Vec::new(), |s| {
            [&s.member, &s.key, &s.value]
                .into_iter()
                .flatten()
                .map(|m| m.shape.clone())
                .filter(|t| is_collection(t))
                .collect()
        })
    };
    // Depth-first over collection edges, keeping the path for the message.
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![(start.to_string(), vec![start.to_string()])];
    while let Some((name, path)) = stack.pop() {
        for t in next(&name) {
            if t == start {
                return Some(format!("{} -> {start}", path.join(" -> ")));
            }
            if seen.insert(t.clone()) {
                let mut p = path.clone();
                p.push(t.clone());
                stack.push((t, p));
            }
        }
    }
    None
}

/// Checks the references and bindings of a service model.
pub fn validate_service(file: &Path, service: &Service) -> Result<(), ModelError> {
    let err = |path: String, kind| Err(ModelError::new(file, path, kind));
    let shape_exists = |name: &str| service.shapes.contains_key(name);
    let dangling = |path: String, target: &str| {
        err(path, ModelErrorKind::DanglingReference { what: "shape", target: target.to_string() })
    };

    let mut usage: IndexMap<&str, Usage> = IndexMap::new();
    for (op_name, op) in &service.operations {
        let base = format!("operations.{op_name}");
        if let Some(input) = &op.input {
            if !shape_exists(&input.shape) {
                return dangling(format!("{base}.input.shape"), &input.shape);
            }
            usage.entry(&input.shape).or_default().input = true;
        }
        if let Some(output) = &op.output {
            if !shape_exists(&output.shape) {
                return dangling(format!("{base}.output.shape"), &output.shape);
            }
            usage.entry(&output.shape).or_default().output = true;
        }
        for (i, e) in op.errors.iter().enumerate() {
            if !shape_exists(&e.shape) {
                return dangling(format!("{base}.errors[{i}].shape"), &e.shape);
            }
            usage.entry(&e.shape).or_default().error = true;
        }
        if !op.http.request_uri.starts_with('/') {
            return err(
                format!("{base}.http.requestUri"),
                ModelErrorKind::Invalid(format!("request URI `{}` must start with `/`", op.http.request_uri)),
            );
        }
    }

    for (shape_name, shape) in &service.shapes {
        let base = format!("shapes.{shape_name}");
        let refs = [("member", &shape.member), ("key", &shape.key), ("value", &shape.value)];
        for (field, m) in refs {
            if let Some(m) = m {
                if !shape_exists(&m.shape) {
                    return dangling(format!("{base}.{field}.shape"), &m.shape);
                }
            }
        }
        if let Some(path) = collection_cycle(service, shape_name) {
            return err(
                base,
                ModelErrorKind::Invalid(format!(
                    "the collection contains itself with no structure in between ({path}); no type can hold that"
                )),
            );
        }
        match shape.kind {
            ShapeType::List if shape.member.is_none() => {
                return err(base, ModelErrorKind::Invalid("a list shape needs a `member`".into()))
            }
            ShapeType::Map if shape.key.is_none() || shape.value.is_none() => {
                return err(base, ModelErrorKind::Invalid("a map shape needs a `key` and a `value`".into()))
            }
            _ => {}
        }
        for r in &shape.required {
            if !shape.members.contains_key(r) {
                return err(
                    format!("{base}.required"),
                    ModelErrorKind::DanglingReference { what: "member", target: r.clone() },
                );
            }
        }
        if let Some(p) = &shape.payload {
            if !shape.members.contains_key(p) {
                return err(
                    format!("{base}.payload"),
                    ModelErrorKind::DanglingReference { what: "member", target: p.clone() },
                );
            }
        }
        let use_ = usage.get(shape_name.as_str()).copied().unwrap_or_default();
        for (member_name, member) in &shape.members {
            let path = format!("{base}.members.{member_name}");
            if !shape_exists(&member.shape) {
                return dangling(format!("{path}.shape"), &member.shape);
            }
            if let Some(loc) = member.location {
                let allowed = match loc {
                    // botocore ignores request-only locations on responses; so do we.
                    Location::Uri | Location::Querystring => use_.input || use_.output || use_.error,
                    Location::Header | Location::Headers => use_.input || use_.output || use_.error,
                    Location::StatusCode => use_.output || use_.error,
                };
                if !allowed {
                    let role = if use_.input || use_.output || use_.error {
                        "a shape used only as an operation's output or error"
                    } else {
                        "a shape that is not an operation's input, output or error (a nested shape)"
                    };
                    return err(
                        format!("{path}.location"),
                        ModelErrorKind::BadLocation(format!("`{}` on a member of {role}", loc.as_str())),
                    );
                }
            }
        }
    }

    // Every URI label must be bound to a `uri` member of the input, and every `uri` member must have
    // a label.
    for (op_name, op) in &service.operations {
        let input = op.input.as_ref().map(|r| &service.shapes[&r.shape]);
        let path_part = op.http.request_uri.split('?').next().unwrap_or_default();
        let labels: Vec<&str> =
            path_part.split('{').skip(1).filter_map(|s| s.split('}').next()).map(|s| s.trim_end_matches('+')).collect();
        for label in &labels {
            let bound = input.is_some_and(|s| {
                s.members.iter().any(|(name, m)| {
                    m.location == Some(Location::Uri) && m.location_name.as_deref().unwrap_or(name) == *label
                })
            });
            if !bound {
                return err(
                    format!("operations.{op_name}.http.requestUri"),
                    ModelErrorKind::BadLocation(format!("URI label `{{{label}}}` has no `uri` member in the input")),
                );
            }
        }
        if let (Some(input_ref), Some(input)) = (&op.input, input) {
            for (name, m) in &input.members {
                let wire = m.location_name.as_deref().unwrap_or(name);
                if m.location == Some(Location::Uri) && !labels.contains(&wire) {
                    return err(
                        format!("shapes.{}.members.{name}.location", input_ref.shape),
                        ModelErrorKind::BadLocation(format!(
                            "`uri` member `{wire}` has no label in `{op_name}`'s request URI `{}`",
                            op.http.request_uri
                        )),
                    );
                }
            }
        }
    }
    Ok(())
}
