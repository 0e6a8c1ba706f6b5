//! The intermediate representation: everything the emitters need, resolved once from the model.
//!
//! [`build`] reads a loaded model in one pass: every shape that becomes a Rust item gets a
//! [`TypeId`] before any member is resolved, so types refer to each other by id and never by name;
//! every generated name (types, fields, variants, methods, builders, error enums, waiter methods)
//! is decided here, once and unique; each member gets one [`Binding`] saying where it travels on the
//! wire; the validation plan, the JSON codec's naming choices and the waiters' typed JMESPath are
//! computed here. Documentation is converted to Markdown. Emitters only turn this into tokens.
//!
//! Nothing of [`crate::model`] leaks into the IR: it holds its own enums and plain values.

mod build;
mod names;
mod validate;
mod waiter;

pub use build::{build, build_service};
pub use names::{escape_ident, UNKNOWN_VARIANT};
pub use waiter::{AcceptorIr, AcceptorState, AcceptorTest, ErrorTest, JmExpr, Leaf, PathMode, Step, WaiterIr};

use indexmap::IndexMap;
use std::fmt;

/// The resolved service.
#[derive(Debug, Clone)]
pub struct Ir {
    /// Service-wide facts.
    pub service: ServiceInfo,
    /// Generated Rust items, in model order (synthetic operation inputs last); [`TypeId`] indexes it.
    pub types: Vec<TypeDef>,
    /// The Rust type of every shape of the model, by shape name.
    pub shape_types: IndexMap<String, RustType>,
    /// Operations, in model order; [`OpId`] indexes it.
    pub operations: Vec<OperationIr>,
    /// The endpoint rule set (JSON text); a generic one when the model has none.
    pub endpoint_rules: String,
    /// Paginators, in model order.
    pub paginators: Vec<PaginatorIr>,
    /// Waiters, in model order.
    pub waiters: Vec<WaiterIr>,
}

/// A generated item: an index into [`Ir::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub(crate) usize);

/// An operation: an index into [`Ir::operations`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OpId(pub(crate) usize);

impl Ir {
    /// The item `id` refers to.
    pub fn def(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    /// The Rust name of item `id`.
    pub fn name(&self, id: TypeId) -> &str {
        self.def(id).name()
    }

    /// The structure `id` refers to, if it is one.
    pub fn structure(&self, id: TypeId) -> Option<&StructDef> {
        match self.def(id) {
            TypeDef::Struct(s) => Some(s),
            _ => None,
        }
    }

    /// The operations with their ids.
    pub fn ops(&self) -> impl Iterator<Item = (OpId, &OperationIr)> {
        self.operations.iter().enumerate().map(|(i, op)| (OpId(i), op))
    }

    /// The operation `id` refers to.
    pub fn op(&self, id: OpId) -> &OperationIr {
        &self.operations[id.0]
    }

    /// An operation's input structure (every operation has one; see [`OperationIr::input`]).
    pub fn input(&self, op: &OperationIr) -> Option<&StructDef> {
        self.structure(op.input)
    }

    /// An operation's output structure, when it has one.
    pub fn output(&self, op: &OperationIr) -> Option<&StructDef> {
        op.output.and_then(|o| self.structure(o))
    }

    /// The Rust name of an operation's output, or `()`.
    pub fn output_name(&self, op: &OperationIr) -> &str {
        op.output.map_or("()", |o| self.name(o))
    }

    /// Whether `ty` is a generated string enum.
    pub fn is_enum(&self, ty: &RustType) -> bool {
        matches!(ty, RustType::Named(id) if matches!(self.def(*id), TypeDef::Enum(_)))
    }

    /// The service's exception structures, in model order: the variants of its error enum.
    pub fn exceptions(&self) -> impl Iterator<Item = (&StructDef, &ErrorInfo)> {
        self.types.iter().filter_map(|t| match t {
            TypeDef::Struct(s) => Some((s, s.error.as_ref()?)),
            _ => None,
        })
    }

    /// The modeled errors of an operation as (variant = type name, wire code).
    pub fn error_variants<'a>(&'a self, op: &'a OperationIr) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        op.errors.iter().map(|id| {
            let code = self.structure(*id).and_then(|s| s.error.as_ref()).map_or(self.name(*id), |e| e.code.as_str());
            (self.name(*id), code)
        })
    }

    /// Whether an operation's body is an event stream the client sends.
    pub fn sends_events(&self, op: &OperationIr) -> bool {
        self.input(op).and_then(StructDef::payload).is_some_and(|p| matches!(p.ty, RustType::EventSender(_)))
    }

    /// The paginator of an operation, if it has one.
    pub fn paginator(&self, op: OpId) -> Option<&PaginatorIr> {
        self.paginators.iter().find(|p| p.operation == op)
    }

    /// A type spelled compactly, for listings and docs (`Vec<String>`, `IndexMap<String, Foo>`).
    pub fn display<'a>(&'a self, ty: &'a RustType) -> impl fmt::Display + 'a {
        TypeDisplay { ir: self, ty }
    }
}

struct TypeDisplay<'a> {
    ir: &'a Ir,
    ty: &'a RustType,
}

impl fmt::Display for TypeDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sub = |ty| TypeDisplay { ir: self.ir, ty };
        match self.ty {
            RustType::String => f.write_str("String"),
            RustType::Bool => f.write_str("bool"),
            RustType::I8 => f.write_str("i8"),
            RustType::I16 => f.write_str("i16"),
            RustType::I32 => f.write_str("i32"),
            RustType::I64 => f.write_str("i64"),
            RustType::F32 => f.write_str("f32"),
            RustType::F64 => f.write_str("f64"),
            RustType::Blob => f.write_str("Blob"),
            RustType::DateTime => f.write_str("DateTime"),
            RustType::Document => f.write_str("Document"),
            RustType::Named(id) => f.write_str(self.ir.name(*id)),
            RustType::List(t) => write!(f, "Vec<{}>", sub(t)),
            RustType::Map(k, v) => write!(f, "IndexMap<{}, {}>", sub(k), sub(v)),
            RustType::EventStream(t) => write!(f, "EventStream<{}>", sub(t)),
            RustType::EventSender(t) => write!(f, "EventSender<{}>", sub(t)),
        }
    }
}

/// A paginated operation.
#[derive(Debug, Clone)]
pub struct PaginatorIr {
    /// The operation.
    pub operation: OpId,
    /// Input fields carrying the token (usually one; several make the token a tuple).
    pub input_tokens: Vec<Field>,
    /// Where each next token is in the output, one per input token: alternatives tried in order
    /// (botocore's `A || B`), each a path of steps from the output down.
    pub output_tokens: Vec<Vec<Vec<TokenStep>>>,
    /// The output tokens as the model writes them (for docs).
    pub output_token_text: String,
    /// Where the results are (botocore's `result_key`: one or several, each a member of the
    /// output or a path through nested structures): the fields from the output down.
    pub results: Vec<Vec<Field>>,
    /// Input field limiting the page size.
    pub limit: Option<Field>,
    /// What `items()` yields; `None` when the results are several lists of different types (the
    /// paginator then offers pages only).
    pub item: Option<PageItem>,
    /// Output members kept from the first page when pages are merged (botocore's
    /// `non_aggregate_keys`), as JMESPath.
    pub non_aggregate_keys: Vec<String>,
    /// Every `result_key` as the model writes it, counters included (botocore adds up numbers
    /// when it merges pages); [`PaginatorIr::results`] holds the collections among them.
    pub result_keys: Vec<String>,
}

/// The items of a paginator's pages.
#[derive(Debug, Clone, PartialEq)]
pub enum PageItem {
    /// The elements of one list result (or of several lists of the same type, in order).
    Element(RustType),
    /// The entries of one map result, as `(key, value)`.
    Entry(RustType, RustType),
}

/// One step of a path to a pagination token.
#[derive(Debug, Clone)]
pub struct TokenStep {
    /// The field.
    pub field: Field,
    /// `[-1]`: the last element of the list the field holds.
    pub last: bool,
}

impl PaginatorIr {
    /// The input token members, for docs (`Marker`, or `KeyMarker`, `UploadIdMarker`).
    pub fn input_token_text(&self) -> String {
        self.input_tokens.iter().map(|f| f.member.as_str()).collect::<Vec<_>>().join("`, `")
    }

    /// The result members, for documentation (`Functions`, or `Folders`, `Documents`).
    pub fn result_members(&self) -> String {
        self.results
            .iter()
            .map(|path| format!("`{}`", path.iter().map(|f| f.member.as_str()).collect::<Vec<_>>().join(".")))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The wire protocol of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Protocol {
    /// REST with JSON bodies (`rest-json`).
    RestJson,
    /// JSON RPC (`json`): every operation a `POST /` naming its target in `X-Amz-Target`.
    AwsJson {
        /// `1.0` or `1.1` (the `Content-Type` is `application/x-amz-json-<version>`).
        version: String,
        /// The target prefix (`DynamoDB_20120810`): targets are `<prefix>.<operation>`.
        target_prefix: String,
        /// The service keeps its former query protocol's error codes (`awsQueryCompatible`).
        query_compatible: bool,
    },
    /// The query protocol (`query`): form-encoded `POST /` requests naming `Action` and `Version`,
    /// XML responses.
    Query {
        /// The API version sent as `Version`.
        version: String,
    },
    /// REST with XML bodies (`rest-xml`).
    RestXml,
    /// Smithy RPC v2 with CBOR bodies (`smithy-rpc-v2-cbor`): `POST /service/<name>/operation/<op>`.
    RpcV2Cbor {
        /// The service name in the path (the model's `targetPrefix`).
        service: String,
        /// The service keeps its former query protocol's error codes (`awsQueryCompatible`).
        query_compatible: bool,
    },
    /// The EC2 protocol (`ec2`): the query protocol with EC2's request names (`queryName`, or the
    /// capitalized `locationName`), lists numbered directly under their name, and unwrapped XML
    /// responses.
    Ec2 {
        /// The API version sent as `Version`.
        version: String,
    },
}

impl Protocol {
    /// Whether responses are XML.
    pub fn is_xml(&self) -> bool {
        matches!(self, Protocol::Query { .. } | Protocol::Ec2 { .. } | Protocol::RestXml)
    }

    /// Whether structures get codecs generated per structure (the XML, form and CBOR protocols)
    /// rather than serde's JSON form.
    pub fn has_codecs(&self) -> bool {
        self.is_xml() || matches!(self, Protocol::RpcV2Cbor { .. })
    }

    /// The API version of a form-encoded protocol (query, ec2).
    pub fn form_version(&self) -> Option<&str> {
        match self {
            Protocol::Query { version } | Protocol::Ec2 { version } => Some(version),
            _ => None,
        }
    }
}

/// Service-wide facts.
#[derive(Debug, Clone)]
pub struct ServiceInfo {
    /// Service id (`Lambda`).
    pub service_id: String,
    /// Full name (`AWS Lambda`).
    pub full_name: String,
    /// API version.
    pub api_version: String,
    /// Wire protocol.
    pub protocol: Protocol,
    /// SigV4 signing name.
    pub signing_name: String,
    /// Endpoint prefix.
    pub endpoint_prefix: String,
    /// Service documentation (Markdown).
    pub docs: String,
    /// The generic builder type (`Builder`): `Builder<T, C>` with the setters of every structure
    /// sent in requests, `send()` when `C` is a client, `wait()` when it is a waiter's context.
    pub builder: String,
    /// The enum of the service's modeled errors (`ServiceError`); each operation's error type is
    /// an alias of it.
    pub error: String,
}

/// A Rust item generated for a shape.
#[derive(Debug, Clone)]
pub enum TypeDef {
    /// A structure (including operation inputs/outputs and errors).
    Struct(StructDef),
    /// A string enum.
    Enum(EnumDef),
    /// A tagged union (or event stream).
    Union(UnionDef),
}

impl TypeDef {
    /// The model shape name (empty for synthetic inputs).
    pub fn shape(&self) -> &str {
        match self {
            TypeDef::Struct(s) => &s.shape,
            TypeDef::Enum(e) => &e.shape,
            TypeDef::Union(u) => &u.shape,
        }
    }

    /// The Rust name.
    pub fn name(&self) -> &str {
        match self {
            TypeDef::Struct(s) => &s.name,
            TypeDef::Enum(e) => &e.name,
            TypeDef::Union(u) => &u.name,
        }
    }
}

/// How a shape is used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Roles {
    /// An operation input.
    pub input: bool,
    /// An operation output.
    pub output: bool,
    /// An error.
    pub error: bool,
    /// A member of another shape.
    pub nested: bool,
}

/// A structure.
#[derive(Debug, Clone)]
pub struct StructDef {
    /// Model shape name (empty for a synthetic input).
    pub shape: String,
    /// Rust type name.
    pub name: String,
    /// Whether it has setters on the crate's [`builder`](ServiceInfo::builder): it is sent in
    /// requests (an operation input, or inside one).
    pub builder: bool,
    /// Markdown docs.
    pub docs: String,
    /// Members, in model order.
    pub fields: Vec<Field>,
    /// How the shape is used.
    pub roles: Roles,
    /// Whether the whole structure is sensitive.
    pub sensitive: bool,
    /// Deprecation note.
    pub deprecated: Option<String>,
    /// Error details, for exceptions.
    pub error: Option<ErrorInfo>,
    /// Whether this is an event of an event stream.
    pub event: bool,
    /// The operations taking it as input.
    pub input_of: Vec<OpId>,
    /// The operations returning it.
    pub output_of: Vec<OpId>,
    /// Whether values are checked before sending: some member has a [`Check`] (directly or in a
    /// nested structure). Only meaningful for structures reachable from inputs.
    pub validated: bool,
    /// The JSON codec's key convention for body members (serde's `rename_all`), chosen to fit most
    /// of them; members it does not fit carry [`Field::json_rename`].
    pub rename_all: Option<RenameAll>,
    /// Written by a request codec of its own (reachable from an operation input, for protocols
    /// whose requests are not the serde form: query).
    pub encoded: bool,
    /// Read by a response codec of its own (reachable from an output or an error, for XML
    /// protocols).
    pub decoded: bool,
}

impl StructDef {
    /// The member bound to the HTTP payload, if any.
    pub fn payload(&self) -> Option<&Field> {
        self.fields.iter().find(|f| matches!(f.binding, Binding::Payload(_)))
    }
}

/// A key convention for JSON members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenameAll {
    /// `FunctionName`.
    PascalCase,
    /// `functionName`.
    CamelCase,
}

impl RenameAll {
    /// serde's name of the convention.
    pub fn as_str(self) -> &'static str {
        match self {
            RenameAll::PascalCase => "PascalCase",
            RenameAll::CamelCase => "camelCase",
        }
    }
}

/// Error details of an exception structure.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    /// Wire error code.
    pub code: String,
    /// A second code that also means this error: the shape name of a query-compatible service's
    /// error whose query code differs (the JSON `__type` carries the one, `x-amzn-query-error`
    /// the other).
    pub alt_code: Option<String>,
    /// HTTP status.
    pub status: Option<u16>,
    /// Whether the service is at fault.
    pub fault: bool,
    /// Whether the error is retryable.
    pub retryable: bool,
    /// Whether it is a throttling error.
    pub throttling: bool,
}

/// Where a member travels on the wire. One value per member: emitters match on it rather than
/// recombining flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// A member of the serialized body (a JSON key named [`Field::wire_name`]).
    Body,
    /// A label of the URI template.
    Label,
    /// A query-string parameter (a map member: one parameter per entry).
    Query,
    /// One header.
    Header,
    /// One header carrying base64-encoded JSON (`jsonvalue`).
    HeaderJson,
    /// A map of headers sharing the prefix [`Field::wire_name`].
    PrefixHeaders,
    /// The response status code.
    StatusCode,
    /// The whole HTTP payload.
    Payload(PayloadKind),
    /// A header of an event-stream message.
    EventHeader,
    /// The payload of an event-stream message (in an event structure).
    EventPayload,
}

impl Binding {
    /// The model's `location` for HTTP-bound members (`uri`, `querystring`, `header`, `headers`,
    /// `statusCode`), for listings and diffs.
    pub fn location(&self) -> Option<&'static str> {
        match self {
            Binding::Label => Some("uri"),
            Binding::Query => Some("querystring"),
            Binding::Header | Binding::HeaderJson => Some("header"),
            Binding::PrefixHeaders => Some("headers"),
            Binding::StatusCode => Some("statusCode"),
            _ => None,
        }
    }

    /// Whether the member is written and read by the body codec (everything the HTTP layer does not
    /// bind elsewhere).
    pub fn in_body(&self) -> bool {
        matches!(self, Binding::Body | Binding::EventHeader | Binding::EventPayload)
    }
}

/// What an HTTP payload member carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadKind {
    /// Raw bytes; `streaming` when the model marks the blob as a stream.
    Blob {
        /// Whether the model marks it streaming.
        streaming: bool,
    },
    /// Text (a string or a string enum).
    Text,
    /// A structure, union or document as JSON.
    Json,
    /// An event stream.
    EventStream,
}

/// A timestamp format on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampFormat {
    /// Seconds since the Unix epoch.
    EpochSeconds,
    /// RFC 3339.
    Iso8601,
    /// RFC 7231 HTTP-date.
    HttpDate,
}

/// A member of a structure (or a variant of a union).
#[derive(Debug, Clone)]
pub struct Field {
    /// Model member name.
    pub member: String,
    /// Rust field name (snake_case, escaped), or variant name for unions (UpperCamelCase); unique
    /// within its item.
    pub name: String,
    /// Rust type (without `Option`/`Box`).
    pub ty: RustType,
    /// Whether the model requires the member.
    pub required: bool,
    /// Markdown docs.
    pub docs: String,
    /// Whether values must not be printed.
    pub sensitive: bool,
    /// Deprecation note.
    pub deprecated: Option<String>,
    /// Where it travels.
    pub binding: Binding,
    /// Name on the wire (`locationName` or the member name): header name, query key, URI label,
    /// JSON key, event type.
    pub wire_name: String,
    /// The JSON key, when the structure's [`RenameAll`] does not produce [`Field::wire_name`].
    pub json_rename: bool,
    /// Left out of the JSON form: an earlier member has the same wire name (S3's `Event` and its
    /// flattened list `Events`, both `<Event>` in XML; only XML protocols have such models, and
    /// their JSON form is not the wire).
    pub json_skip: bool,
    /// Timestamp format, for timestamp members that have one.
    pub timestamp_format: Option<TimestampFormat>,
    /// Filled with a UUID when unset.
    pub idempotency_token: bool,
    /// Boxed (a recursive structure member).
    pub boxed: bool,
    /// Names and layout of the member in XML and query forms.
    pub xml: XmlNames,
    /// Model constraints (for docs; the checks derived from them are [`Field::checks`]).
    pub constraints: Constraints,
    /// What validation checks before sending.
    pub checks: Vec<Check>,
}

/// How a member is laid out in XML documents and query forms, beyond its [`Field::wire_name`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XmlNames {
    /// A list or map whose elements or entries are not wrapped.
    pub flattened: bool,
    /// The element name of a list's members (`member` unless the model names it).
    pub member: Option<String>,
    /// The element name of a map's keys (`key` unless renamed).
    pub key: Option<String>,
    /// The element name of a map's values (`value` unless renamed).
    pub value: Option<String>,
    /// An XML attribute rather than an element.
    pub attribute: bool,
    /// The name in an ec2 request (`queryName`, or the capitalized `locationName`), when it
    /// differs from [`Field::wire_name`].
    pub ec2_name: Option<String>,
    /// The XML namespace declared on the member's element, as an attribute (`xmlns` or
    /// `xmlns:prefix`) and its URI.
    pub namespace: Option<(String, String)>,
    /// The namespace declared on a list's member elements.
    pub member_namespace: Option<(String, String)>,
    /// The namespace declared on a map's key elements.
    pub key_namespace: Option<(String, String)>,
    /// The namespace declared on a map's value elements.
    pub value_namespace: Option<(String, String)>,
    /// The layout of the list's members or the map's values, when they are lists or maps too.
    pub inner: Option<Box<XmlNames>>,
}

impl XmlNames {
    /// Whether a collection with these names is written as one with none: `member` elements, or
    /// wrapped `entry`/`key`/`value`, without namespaces, all the way down.
    pub fn is_default_layout(&self) -> bool {
        !self.flattened
            && self.member.is_none()
            && self.key.is_none()
            && self.value.is_none()
            && self.member_namespace.is_none()
            && self.key_namespace.is_none()
            && self.value_namespace.is_none()
            && self.inner.as_ref().map_or(true, |i| i.is_default_layout())
    }
}

/// A validation check on one member.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// A required string must not be empty.
    NotEmpty,
    /// Length (of a string, blob, list or map) within bounds.
    Length {
        /// Minimum.
        min: Option<usize>,
        /// Maximum.
        max: Option<usize>,
    },
    /// Number within bounds.
    Range {
        /// Minimum.
        min: Option<f64>,
        /// Maximum.
        max: Option<f64>,
    },
    /// The value is a validated structure, or a list or map of them.
    Nested(Nesting),
}

/// How a nested validated structure is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// Directly.
    One,
    /// As list elements.
    Each,
    /// As map values.
    EachValue,
}

/// Model constraints of a member's target.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    /// Minimum (length or value).
    pub min: Option<f64>,
    /// Maximum (length or value).
    pub max: Option<f64>,
    /// Regex the value must match (documentation only).
    pub pattern: Option<String>,
}

/// A string enum.
#[derive(Debug, Clone)]
pub struct EnumDef {
    /// Model shape name.
    pub shape: String,
    /// Rust type name.
    pub name: String,
    /// Markdown docs.
    pub docs: String,
    /// Known values.
    pub variants: Vec<Variant>,
    /// Deprecation note.
    pub deprecated: Option<String>,
}

/// A value of a string enum.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Rust variant name.
    pub name: String,
    /// Wire value.
    pub value: String,
}

/// A union (one member set) or an event stream.
#[derive(Debug, Clone)]
pub struct UnionDef {
    /// Model shape name.
    pub shape: String,
    /// Rust type name.
    pub name: String,
    /// Markdown docs.
    pub docs: String,
    /// Variants (the members).
    pub variants: Vec<Field>,
    /// Whether this is an event stream.
    pub event_stream: bool,
    /// Whether this is an event stream the client sends (an input member's), rather than one it
    /// receives.
    pub sent: bool,
    /// Written by a request codec of its own (see [`StructDef::encoded`]).
    pub encoded: bool,
    /// Read by a response codec of its own (see [`StructDef::decoded`]).
    pub decoded: bool,
    /// Whether the whole union is sensitive.
    pub sensitive: bool,
}

/// An operation.
#[derive(Debug, Clone)]
pub struct OperationIr {
    /// Model name (`GetFunction`).
    pub name: String,
    /// Client method name (`get_function`).
    pub method: String,
    /// The method taking a complete input (`get_function_with`).
    pub with_method: String,
    /// Name of its error enum (`GetFunctionError`, or `GetFunctionOperationError` when a type
    /// already has that name).
    pub error_enum: String,
    /// Markdown docs.
    pub docs: String,
    /// Input structure (a synthetic empty one when the model has none: it carries the operation).
    pub input: TypeId,
    /// Output structure.
    pub output: Option<TypeId>,
    /// Modeled errors, each once, in model order.
    pub errors: Vec<TypeId>,
    /// Deprecation note.
    pub deprecated: Option<String>,
    /// HTTP method.
    pub http_method: String,
    /// URI template (with any literal query).
    pub request_uri: String,
    /// Success status.
    pub status: u16,
    /// Host prefix template.
    pub host_prefix: Option<String>,
    /// Sent without a signature (`authtype: none`, or `auth: [smithy.api#noAuth]`): STS's
    /// `AssumeRoleWithWebIdentity`, SSO's `GetRoleCredentials`.
    pub unsigned: bool,
    /// Worked examples from `examples-1.json`.
    pub examples: Vec<ExampleIr>,
    /// The waiters polling it.
    pub waiters: Vec<usize>,
    /// The element wrapping the output in an XML RPC response (`GetCallerIdentityResult`).
    pub result_wrapper: Option<String>,
    /// Input members that are labels of the host prefix (named by the member), besides wherever
    /// else they are bound.
    pub host_labels: Vec<String>,
    /// The root element of a rest-xml request body, and its namespace attribute.
    pub input_root: Option<(String, Option<(String, String)>)>,
}

/// A worked example of an operation, its prose converted to Markdown.
#[derive(Debug, Clone)]
pub struct ExampleIr {
    /// Title (Markdown).
    pub title: String,
    /// What it shows (Markdown).
    pub description: Option<String>,
    /// Comments on input, then output, members (Markdown).
    pub comments: Vec<(String, String)>,
    /// Input parameters, as JSON in botocore's form.
    pub input: Option<serde_json::Value>,
    /// Expected output, as JSON.
    pub output: Option<serde_json::Value>,
}

/// The Rust type that carries a shape's values.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RustType {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i8`.
    I8,
    /// `i16`.
    I16,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// The runtime's blob type.
    Blob,
    /// The runtime's date-time type.
    DateTime,
    /// The runtime's untyped JSON document.
    Document,
    /// A generated item.
    Named(TypeId),
    /// `Vec<T>`.
    List(Box<RustType>),
    /// `IndexMap<K, V>`.
    Map(Box<RustType>, Box<RustType>),
    /// The runtime's typed event stream over a generated union: events the service sends.
    EventStream(Box<RustType>),
    /// The runtime's event sender over a generated union: events the client sends.
    EventSender(Box<RustType>),
}

impl RustType {
    /// Whether values contain floats (and so do not compare with `Eq`).
    pub fn is_float(&self) -> bool {
        match self {
            RustType::F32 | RustType::F64 => true,
            RustType::List(t) => t.is_float(),
            RustType::Map(k, v) => k.is_float() || v.is_float(),
            _ => false,
        }
    }

    /// Whether values have a length (string, blob, list, map).
    pub fn has_length(&self) -> bool {
        matches!(self, RustType::String | RustType::Blob | RustType::List(_) | RustType::Map(..))
    }

    /// Whether it is a number type.
    pub fn is_number(&self) -> bool {
        matches!(self, RustType::I8 | RustType::I16 | RustType::I32 | RustType::I64 | RustType::F32 | RustType::F64)
    }
}

/// An error building the IR: the model is valid botocore but something cannot be generated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}: at `{path}`: {message}")]
pub struct IrError {
    /// The model file.
    pub file: String,
    /// JSON path of the offending element.
    pub path: String,
    /// What cannot be generated.
    pub message: String,
}
