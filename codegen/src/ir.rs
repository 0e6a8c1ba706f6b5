//! The intermediate representation: everything the emitters need, resolved once from the model.
//!
//! Names are settled here (Rust type, field and variant names, unique and valid), every shape is mapped
//! to the Rust type that carries it, documentation is converted to Markdown, recursive members are
//! boxed, and operation inputs/outputs are recognised. Emitters only render; they make no decisions
//! that another emitter would have to repeat.

use crate::docs::html_to_markdown;
use crate::model::{Location, Protocol, Service, ServiceModel, Shape, ShapeType, TimestampFormat};
use heck::{ToSnakeCase, ToUpperCamelCase};
use indexmap::{IndexMap, IndexSet};
use std::collections::HashSet;
use std::fmt;

/// The resolved service.
#[derive(Debug, Clone)]
pub struct Ir {
    /// Service-wide facts.
    pub service: ServiceInfo,
    /// Generated Rust items, in model order.
    pub types: Vec<TypeDef>,
    /// The Rust type of every shape of the model, by shape name.
    pub shape_types: IndexMap<String, RustType>,
    /// Operations, in model order.
    pub operations: Vec<OperationIr>,
    /// The endpoint rule set (JSON text); a generic one when the model has none.
    pub endpoint_rules: String,
    /// Paginators, in model order.
    pub paginators: Vec<PaginatorIr>,
    /// Waiters, in model order.
    pub waiters: Vec<WaiterIr>,
}

/// A waiter.
#[derive(Debug, Clone)]
pub struct WaiterIr {
    /// Waiter name (`FunctionActive`).
    pub name: String,
    /// Operation polled.
    pub operation: String,
    /// What it waits for.
    pub description: Option<String>,
    /// Seconds between attempts (the minimum).
    pub delay: u64,
    /// The model's attempt count (documentation: timing is bounded by the caller's `max_wait`).
    pub max_attempts: u32,
    /// Acceptors, in order.
    pub acceptors: Vec<AcceptorIr>,
}

/// An acceptor, its JMESPath parsed.
#[derive(Debug, Clone)]
pub struct AcceptorIr {
    /// Matcher.
    pub matcher: crate::model::Matcher,
    /// Expected value.
    pub expected: serde_json::Value,
    /// What a match means.
    pub state: crate::model::AcceptorState,
    /// The parsed argument of path matchers.
    pub expr: Option<crate::jmespath::Expr>,
}

/// A paginated operation.
#[derive(Debug, Clone)]
pub struct PaginatorIr {
    /// Operation name.
    pub operation: String,
    /// Input field carrying the token.
    pub input_token: Field,
    /// Output field carrying the next token.
    pub output_token: Field,
    /// Where the results are (botocore's `result_key`: one or several, each a member of the
    /// output or a path through nested structures): the fields from the output down.
    pub results: Vec<Vec<Field>>,
    /// Input field limiting the page size.
    pub limit: Option<Field>,
    /// What `items()` yields; `None` when the results are several lists of different types (the
    /// paginator then offers pages only).
    pub item: Option<PageItem>,
}

/// The items of a paginator's pages.
#[derive(Debug, Clone, PartialEq)]
pub enum PageItem {
    /// The elements of one list result (or of several lists of the same type, in order).
    Element(RustType),
    /// The entries of one map result, as `(key, value)`.
    Entry(RustType, RustType),
}

impl PaginatorIr {
    /// The result members, for documentation (`Functions`, or `Folders`, `Documents`).
    pub fn result_members(&self) -> String {
        self.results
            .iter()
            .map(|path| format!("`{}`", path.iter().map(|f| f.member.as_str()).collect::<Vec<_>>().join(".")))
            .collect::<Vec<_>>()
            .join(", ")
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
    /// The model shape the item comes from.
    pub fn shape(&self) -> &str {
        match self {
            TypeDef::Struct(s) => &s.shape,
            TypeDef::Enum(e) => &e.shape,
            TypeDef::Union(u) => &u.shape,
        }
    }

    /// The item's Rust name.
    pub fn name(&self) -> &str {
        match self {
            TypeDef::Struct(s) => &s.name,
            TypeDef::Enum(e) => &e.name,
            TypeDef::Union(u) => &u.name,
        }
    }
}

/// How a structure is used by operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Roles {
    /// Input of some operation.
    pub input: bool,
    /// Output of some operation.
    pub output: bool,
    /// A modeled error of some operation (or marked as an exception).
    pub error: bool,
    /// A member, element or value of another shape.
    pub nested: bool,
}

/// A generated structure.
#[derive(Debug, Clone)]
pub struct StructDef {
    /// Model shape name.
    pub shape: String,
    /// Rust type name.
    pub name: String,
    /// Markdown docs.
    pub docs: String,
    /// Fields, in model order.
    pub fields: Vec<Field>,
    /// How operations use it.
    pub roles: Roles,
    /// Every field is sensitive.
    pub sensitive: bool,
    /// Deprecation note, if deprecated.
    pub deprecated: Option<String>,
    /// Error facts, for exception shapes.
    pub error: Option<ErrorInfo>,
    /// Member bound to the HTTP payload.
    pub payload: Option<String>,
    /// An event of an event stream.
    pub event: bool,
}

/// Facts about an exception shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorInfo {
    /// The error code on the wire.
    pub code: String,
    /// HTTP status, when modeled.
    pub status: Option<u16>,
    /// The server is at fault.
    pub fault: bool,
    /// The model marks it retryable (`retryable` trait).
    pub retryable: bool,
    /// The model marks it a throttling error (`retryable: {throttling: true}`).
    pub throttling: bool,
}

/// A field of a structure or a variant of a union.
#[derive(Debug, Clone)]
pub struct Field {
    /// Member name in the model.
    pub member: String,
    /// Rust field name (snake case; raw identifier when a keyword). For union variants, the
    /// variant name.
    pub name: String,
    /// Rust type, without the `Option` of a non-required field.
    pub ty: RustType,
    /// The target shape.
    pub target: String,
    /// Required by the model.
    pub required: bool,
    /// Markdown docs.
    pub docs: String,
    /// The value must not be printed.
    pub sensitive: bool,
    /// Deprecation note, if deprecated.
    pub deprecated: Option<String>,
    /// HTTP binding, when bound outside the body.
    pub location: Option<Location>,
    /// Name on the wire: JSON key, header name, query key or URI label.
    pub wire_name: String,
    /// Timestamp format override on the member or its target.
    pub timestamp_format: Option<TimestampFormat>,
    /// Filled with a UUID when absent.
    pub idempotency_token: bool,
    /// A JSON value in a header.
    pub jsonvalue: bool,
    /// Used in the host prefix.
    pub host_label: bool,
    /// Boxed to break a recursive cycle.
    pub boxed: bool,
    /// Length or value constraints of the target.
    pub constraints: Constraints,
    /// A streaming blob.
    pub streaming: bool,
    /// Payload of an event.
    pub event_payload: bool,
}

/// Constraints a value must meet (checked before a request is sent).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    /// Minimum length (strings, blobs, lists, maps) or value (numbers).
    pub min: Option<f64>,
    /// Maximum length or value.
    pub max: Option<f64>,
    /// Regular expression (documented, not enforced).
    pub pattern: Option<String>,
}

/// A generated string enum.
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
    /// Deprecation note, if deprecated.
    pub deprecated: Option<String>,
}

/// A known value of a string enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// Rust variant name.
    pub name: String,
    /// The value on the wire.
    pub value: String,
}

/// A generated tagged union.
#[derive(Debug, Clone)]
pub struct UnionDef {
    /// Model shape name.
    pub shape: String,
    /// Rust type name.
    pub name: String,
    /// Markdown docs.
    pub docs: String,
    /// One variant per member (`name` is the variant name).
    pub variants: Vec<Field>,
    /// An event stream rather than a plain union.
    pub event_stream: bool,
    /// Values must not be printed.
    pub sensitive: bool,
}

/// An operation.
#[derive(Debug, Clone)]
pub struct OperationIr {
    /// Model name (`GetFunction`).
    pub name: String,
    /// Client method name (`get_function`).
    pub method: String,
    /// The operation's error enum (`GetFunctionError`; `…OperationError` when the model has a
    /// type of that name, as ivs and location do).
    pub error_enum: String,
    /// Markdown docs.
    pub docs: String,
    /// Input structure's Rust name, when the operation has input.
    pub input: Option<String>,
    /// Output structure's Rust name, when the operation has output.
    pub output: Option<String>,
    /// Rust names of the modeled errors.
    pub errors: Vec<String>,
    /// Deprecation note, if deprecated.
    pub deprecated: Option<String>,
    /// HTTP method.
    pub http_method: String,
    /// URI template.
    pub request_uri: String,
    /// Status of a successful response.
    pub status: u16,
    /// Host prefix template.
    pub host_prefix: Option<String>,
    /// Modeled errors as (Rust name, wire code).
    pub error_codes: Vec<(String, String)>,
    /// Worked examples from `examples-1.json`.
    pub examples: Vec<crate::model::Example>,
}

impl Ir {
    /// A generated structure by its Rust name.
    pub fn find_struct(&self, name: &str) -> Option<&StructDef> {
        self.types.iter().find_map(|t| match t {
            TypeDef::Struct(s) if s.name == name => Some(s),
            _ => None,
        })
    }

    /// A generated item by its Rust name.
    pub fn find_type(&self, name: &str) -> Option<&TypeDef> {
        self.types.iter().find(|t| t.name() == name)
    }
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
    /// A generated item, by Rust name.
    Named(String),
    /// `Vec<T>`.
    List(Box<RustType>),
    /// `HashMap<K, V>`.
    Map(Box<RustType>, Box<RustType>),
    /// The runtime's typed event stream over a generated union.
    EventStream(Box<RustType>),
}

impl RustType {
    /// Whether values compare with `Eq` (no floats or documents inside).
    pub fn is_float(&self) -> bool {
        match self {
            RustType::F32 | RustType::F64 => true,
            RustType::List(t) => t.is_float(),
            RustType::Map(k, v) => k.is_float() || v.is_float(),
            _ => false,
        }
    }
}

impl fmt::Display for RustType {
    /// A compact spelling used in API listings and docs (`Vec<String>`, `HashMap<String, i32>`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
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
            RustType::Named(n) => f.write_str(n),
            RustType::List(t) => write!(f, "Vec<{t}>"),
            RustType::Map(k, v) => write!(f, "HashMap<{k}, {v}>"),
            RustType::EventStream(t) => write!(f, "EventStream<{t}>"),
        }
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

/// Rust keywords, which become raw identifiers (`r#type`). The language's own list, not a table of
/// special cases: any identifier equal to one of these must be escaped.
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in",
    "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
    "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn", "abstract", "become", "box",
    "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Keywords that cannot be raw identifiers; they get a trailing underscore instead.
const NOT_RAW: &[&str] = &["crate", "self", "super", "Self"];

/// Makes `name` a valid Rust identifier: keywords become raw identifiers (or get a trailing `_` when
/// that is not allowed), a leading digit gets a `_` prefix, other characters are dropped.
pub fn escape_ident(name: &str) -> String {
    let cleaned: String = name.chars().filter(|c| c.is_alphanumeric() || *c == '_').collect();
    let cleaned = if cleaned.is_empty() { "_".to_string() } else { cleaned };
    if cleaned.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("_{cleaned}");
    }
    if NOT_RAW.contains(&cleaned.as_str()) {
        format!("{cleaned}_")
    } else if KEYWORDS.contains(&cleaned.as_str()) {
        format!("r#{cleaned}")
    } else {
        cleaned
    }
}

/// Returns `base`, or `base2`, `base3`... the first not in `taken`, and marks it taken.
fn unique(base: String, taken: &mut HashSet<String>) -> String {
    let key = |s: &str| s.trim_start_matches("r#").to_string();
    if taken.insert(key(&base)) {
        return base;
    }
    let stem = base.trim_start_matches("r#").trim_end_matches('_').to_string();
    (2..).map(|n| format!("{stem}{n}")).find(|candidate| taken.insert(key(candidate))).unwrap_or(base)
}

/// A type name for a shape: UpperCamelCase, valid, not starting with a digit.
fn type_name(shape: &str) -> String {
    let camel = shape.to_upper_camel_case();
    let camel: String = camel.chars().filter(|c| c.is_alphanumeric()).collect();
    if camel.is_empty() || camel.starts_with(|c: char| c.is_ascii_digit()) {
        format!("Shape{camel}")
    } else {
        escape_ident(&camel)
    }
}

/// A variant name for an enum value: `nodejs4.3-edge` -> `Nodejs43Edge`, `1.0` -> `V10`.
fn variant_name(value: &str) -> String {
    let camel: String = value.to_upper_camel_case().chars().filter(|c| c.is_alphanumeric()).collect();
    if camel.is_empty() {
        "Empty".to_string()
    } else if camel.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{camel}")
    } else {
        escape_ident(&camel)
    }
}

/// A field name for a member: `KMSKeyArn` -> `kms_key_arn`, `Type` -> `r#type`.
fn field_name(member: &str) -> String {
    let snake = member.to_snake_case();
    escape_ident(if snake.is_empty() { "field" } else { &snake })
}

/// The name of the catch-all variant of generated enums and unions.
pub const UNKNOWN_VARIANT: &str = "Unknown";

/// Builds the IR of a loaded model.
pub fn build(model: &ServiceModel) -> Result<Ir, IrError> {
    let mut ir = build_service(&model.service, &model.dir.join("service-2.json").display().to_string())?;
    if let Some(rules) = &model.endpoint_rules_json {
        ir.endpoint_rules = rules.clone();
    }
    for op in &mut ir.operations {
        op.examples = model.examples.examples.get(&op.name).cloned().unwrap_or_default();
    }
    let file = model.dir.join("paginators-1.json").display().to_string();
    for (op_name, p) in &model.paginators.pagination {
        let err = |message: String| IrError { file: file.clone(), path: format!("pagination.{op_name}"), message };
        let op = ir.operations.iter().find(|o| &o.name == op_name).ok_or_else(|| err("no such operation".into()))?;
        let single = |what: &str, keys: Option<&crate::model::OneOrMany>| -> Result<String, IrError> {
            match keys.map(crate::model::OneOrMany::as_slice) {
                Some([one]) if !one.contains(['.', '[', ' ']) => Ok(one.clone()),
                Some(other) => {
                    Err(err(format!("{what} `{}` is not a single top-level member; not supported", other.join(", "))))
                }
                None => Err(err(format!("no {what}"))),
            }
        };
        let field = |s: Option<&str>, member: &str| -> Result<Field, IrError> {
            s.and_then(|s| ir.find_struct(s))
                .and_then(|s| s.fields.iter().find(|f| f.member == member))
                .cloned()
                .ok_or_else(|| err(format!("member `{member}` not found")))
        };
        let input_token = field(op.input.as_deref(), &single("input_token", p.input_token.as_ref())?)?;
        let output_token = field(op.output.as_deref(), &single("output_token", p.output_token.as_ref())?)?;
        let keys = p.result_key.as_ref().map(crate::model::OneOrMany::as_slice).unwrap_or_default();
        if keys.is_empty() {
            return Err(err("no result_key".into()));
        }
        let mut results = Vec::new();
        for key in keys {
            if key.contains(['[', ' ', '|', '(']) {
                return Err(err(format!("result_key `{key}` is an expression; only member paths are supported")));
            }
            // `A.B.C`: each step a member of the structure the previous one holds.
            let mut path: Vec<Field> = Vec::new();
            for member in key.split('.') {
                let owner = match path.last() {
                    None => op.output.clone(),
                    Some(Field { ty: RustType::Named(n), .. }) => Some(n.clone()),
                    Some(f) => return Err(err(format!("result_key `{key}`: `{}` is not a structure", f.member))),
                };
                path.push(field(owner.as_deref(), member)?);
            }
            results.push(path);
        }
        let limit = match &p.limit_key {
            Some(k) => Some(field(op.input.as_deref(), k)?),
            None => None,
        };
        // A result key that is not a collection (devops-guru's `InsightId` beside its log groups) is
        // a per-page value, not a source of items: it stays on the pages.
        results.retain(|path| path.last().is_some_and(|f| matches!(f.ty, RustType::List(_) | RustType::Map(..))));
        if results.is_empty() {
            return Err(err("no result_key is a list or a map".into()));
        }
        let kinds: Vec<PageItem> = results
            .iter()
            .filter_map(|path| path.last())
            .filter_map(|r| match &r.ty {
                RustType::List(inner) => Some(PageItem::Element((**inner).clone())),
                RustType::Map(k, v) => Some(PageItem::Entry((**k).clone(), (**v).clone())),
                _ => None,
            })
            .collect();
        // One kind of item: `items()` yields it; several kinds: pages only.
        let item = kinds.iter().all(|k| *k == kinds[0]).then(|| kinds[0].clone());
        if input_token.ty != RustType::String || output_token.ty != RustType::String {
            return Err(err("pagination tokens must be strings".into()));
        }
        ir.paginators.push(PaginatorIr { operation: op_name.clone(), input_token, output_token, results, limit, item });
    }
    let file = model.dir.join("waiters-2.json").display().to_string();
    for (name, w) in &model.waiters.waiters {
        let mut acceptors = Vec::new();
        for (i, a) in w.acceptors.iter().enumerate() {
            let expr = match &a.argument {
                Some(arg) => Some(crate::jmespath::parse(arg).map_err(|e| IrError {
                    file: file.clone(),
                    path: format!("waiters.{name}.acceptors[{i}].argument"),
                    message: format!("waiter `{name}`: JMESPath `{arg}` is outside the supported subset: {e}"),
                })?),
                None => None,
            };
            acceptors.push(AcceptorIr { matcher: a.matcher, expected: a.expected.clone(), state: a.state, expr });
        }
        ir.waiters.push(WaiterIr {
            name: name.clone(),
            operation: w.operation.clone(),
            description: w.description.clone(),
            delay: w.delay,
            max_attempts: w.max_attempts,
            acceptors,
        });
    }
    Ok(ir)
}

/// The rule set of a model that has none: the configured endpoint if any, else
/// `https://{prefix}.{Region}.{dnsSuffix}` of the region's partition.
fn default_rules(endpoint_prefix: &str) -> String {
    format!(
        r#"{{"version":"1.0","parameters":{{"Region":{{"builtIn":"AWS::Region","required":false,"type":"String"}},"UseFIPS":{{"builtIn":"AWS::UseFIPS","required":true,"default":false,"type":"Boolean"}},"UseDualStack":{{"builtIn":"AWS::UseDualStack","required":true,"default":false,"type":"Boolean"}},"Endpoint":{{"builtIn":"SDK::Endpoint","required":false,"type":"String"}}}},"rules":[{{"conditions":[{{"fn":"isSet","argv":[{{"ref":"Endpoint"}}]}}],"endpoint":{{"url":{{"ref":"Endpoint"}}}},"type":"endpoint"}},{{"conditions":[{{"fn":"isSet","argv":[{{"ref":"Region"}}]}},{{"fn":"aws.partition","argv":[{{"ref":"Region"}}],"assign":"P"}}],"endpoint":{{"url":"https://{endpoint_prefix}.{{Region}}.{{P#dnsSuffix}}"}},"type":"endpoint"}},{{"conditions":[],"error":"Invalid Configuration: Missing Region","type":"error"}}]}}"#
    )
}

/// Gives every operation an input shape of its own. An input type implements its operation's
/// `Operation` trait, so two operations cannot share one: when several take the same shape
/// (rolesanywhere's `ScalarCrlRequest`), the first keeps it and each other gets a copy named after
/// it (`DisableCrlRequest`), the way smithy-rs gives each operation synthetic input shapes. The
/// result is `None` when nothing is shared.
fn split_shared_inputs(service: &Service) -> Option<Service> {
    let mut users: IndexMap<&str, Vec<&str>> = IndexMap::new();
    for (name, op) in &service.operations {
        if let Some(input) = &op.input {
            users.entry(input.shape.as_str()).or_default().push(name.as_str());
        }
    }
    let shared: Vec<(String, Vec<String>)> = users
        .into_iter()
        .filter(|(_, ops)| ops.len() > 1)
        .map(|(shape, ops)| (shape.to_string(), ops[1..].iter().map(|o| o.to_string()).collect()))
        .collect();
    if shared.is_empty() {
        return None;
    }
    let mut out = service.clone();
    for (shape, ops) in shared {
        for op in ops {
            let mut name = format!("{op}Request");
            let mut n = 2;
            while out.shapes.contains_key(&name) {
                name = format!("{op}Request{n}");
                n += 1;
            }
            let copy = out.shapes[&shape].clone();
            out.shapes.insert(name.clone(), copy);
            if let Some(input) = out.operations.get_mut(&op).and_then(|o| o.input.as_mut()) {
                input.shape = name;
            }
        }
    }
    Some(out)
}

/// Builds the IR of a service description (`file` is used in error messages).
pub fn build_service(service: &Service, file: &str) -> Result<Ir, IrError> {
    let normalized = split_shared_inputs(service);
    let service = normalized.as_ref().unwrap_or(service);
    let shapes = &service.shapes;
    let meta = &service.metadata;
    if meta.protocol != Protocol::RestJson {
        return Err(IrError {
            file: file.to_string(),
            path: "metadata.protocol".into(),
            message: format!(
                "protocol `{}` is not supported by the generator yet (rest-json is)",
                meta.protocol.as_str()
            ),
        });
    }

    // How shapes are used.
    let mut roles: IndexMap<&str, Roles> = IndexMap::new();
    let mut input_of: IndexMap<&str, Vec<&str>> = IndexMap::new();
    let mut output_of: IndexMap<&str, Vec<&str>> = IndexMap::new();
    for (name, op) in &service.operations {
        if let Some(r) = &op.input {
            roles.entry(&r.shape).or_default().input = true;
            input_of.entry(&r.shape).or_default().push(name);
        }
        if let Some(r) = &op.output {
            roles.entry(&r.shape).or_default().output = true;
            output_of.entry(&r.shape).or_default().push(name);
        }
        for e in &op.errors {
            roles.entry(&e.shape).or_default().error = true;
        }
    }
    for (name, shape) in shapes {
        if shape.error.is_some() || shape.exception {
            roles.entry(name).or_default().error = true;
        }
        for target in member_targets(shape) {
            roles.entry(target).or_default().nested = true;
        }
    }

    // Name every shape that becomes an item. Inputs and outputs used by exactly one operation and
    // nowhere else are named after the operation (`GetFunctionInput`), as users look them up by
    // operation.
    let mut taken = HashSet::new();
    let mut names: IndexMap<&str, String> = IndexMap::new();
    let mut op_named: Vec<(&str, String)> = Vec::new();
    for (name, shape) in shapes {
        if !is_item(shape) {
            continue;
        }
        let r = roles.get(name.as_str()).copied().unwrap_or_default();
        let only_input = r.input && !r.output && !r.error && !r.nested && input_of[name.as_str()].len() == 1;
        let only_output = r.output && !r.input && !r.error && !r.nested && output_of[name.as_str()].len() == 1;
        if only_input {
            op_named.push((name, format!("{}Input", type_name(input_of[name.as_str()][0]))));
        } else if only_output {
            op_named.push((name, format!("{}Output", type_name(output_of[name.as_str()][0]))));
        } else {
            names.insert(name, String::new());
        }
    }
    // Operation-derived names first: they are what users will look for.
    for (shape, wanted) in op_named {
        let n = unique(wanted, &mut taken);
        names.insert(shape, n);
    }
    let shape_order: Vec<&str> = names.keys().copied().collect();
    for shape in shape_order {
        if names[shape].is_empty() {
            let n = unique(type_name(shape), &mut taken);
            names.insert(shape, n);
        }
    }

    // The Rust type of every shape.
    let mut shape_types = IndexMap::new();
    for name in shapes.keys() {
        shape_types.insert(name.clone(), rust_type(shapes, &names, name));
    }

    let boxed_edges = recursive_edges(service);
    let mut types = Vec::new();
    for (shape_name, shape) in shapes {
        let Some(rust_name) = names.get(shape_name.as_str()) else { continue };
        let docs = html_to_markdown(shape.documentation.as_deref().unwrap_or_default());
        let deprecated = deprecation(shape.deprecated, shape.deprecated_message.as_deref());
        let r = roles.get(shape_name.as_str()).copied().unwrap_or_default();
        if shape.kind == ShapeType::String {
            let mut used = HashSet::from([UNKNOWN_VARIANT.to_string()]);
            let variants = shape
                .enum_values
                .iter()
                .map(|v| Variant { name: unique(variant_name(v), &mut used), value: v.clone() })
                .collect();
            let docs = or_default_doc(docs, || format!("Known values of `{shape_name}`."));
            types.push(TypeDef::Enum(EnumDef {
                shape: shape_name.clone(),
                name: rust_name.clone(),
                docs,
                variants,
                deprecated,
            }));
            continue;
        }
        let fields = fields(service, &shape_types, shape_name, shape, &boxed_edges, shape.union || shape.eventstream);
        if shape.union || shape.eventstream {
            let docs = or_default_doc(docs, || format!("One of the members of `{shape_name}`."));
            types.push(TypeDef::Union(UnionDef {
                shape: shape_name.clone(),
                name: rust_name.clone(),
                docs,
                variants: fields,
                event_stream: shape.eventstream,
                sensitive: shape.sensitive,
            }));
            continue;
        }
        let docs = or_default_doc(docs, || {
            if r.input && !r.nested {
                format!("Input of the `{}` operation.", input_of[shape_name.as_str()].join("`, `"))
            } else if r.output && !r.nested {
                format!("Output of the `{}` operation.", output_of[shape_name.as_str()].join("`, `"))
            } else {
                format!("The `{shape_name}` structure.")
            }
        });
        let error = (r.error).then(|| ErrorInfo {
            code: shape.error.as_ref().and_then(|e| e.code.clone()).unwrap_or_else(|| shape_name.clone()),
            status: shape.error.as_ref().and_then(|e| e.http_status_code),
            fault: shape.fault,
            retryable: shape.retryable.is_some(),
            throttling: shape.retryable.as_ref().is_some_and(|r| r.throttling),
        });
        types.push(TypeDef::Struct(StructDef {
            shape: shape_name.clone(),
            name: rust_name.clone(),
            docs,
            fields,
            roles: r,
            sensitive: shape.sensitive,
            deprecated,
            error,
            payload: shape.payload.clone(),
            event: shape.event,
        }));
    }

    // An operation without input still needs an input type: it carries the operation.
    let mut synthetic_inputs: IndexMap<&str, String> = IndexMap::new();
    for (name, op) in &service.operations {
        if op.input.is_none() {
            let rust_name = unique(format!("{}Input", type_name(name)), &mut taken);
            types.push(TypeDef::Struct(StructDef {
                shape: String::new(),
                name: rust_name.clone(),
                docs: format!("Input of the `{name}` operation (it takes no parameters)."),
                fields: Vec::new(),
                roles: Roles { input: true, ..Roles::default() },
                sensitive: false,
                deprecated: None,
                error: None,
                payload: None,
                event: false,
            }));
            synthetic_inputs.insert(name, rust_name);
        }
    }

    let mut methods = HashSet::new();
    let operations: Vec<OperationIr> = service
        .operations
        .iter()
        .map(|(name, op)| {
            // A model may list one error twice (appsync's CreateApiKey): it is one variant.
            let op_errors: IndexSet<&String> = op.errors.iter().map(|e| &e.shape).collect();
            // Error enums live in `error`, types in `types`; both are glob-imported together, so an
            // error enum must not take a type's name.
            let wanted = format!("{name}Error");
            let error_enum = if taken.contains(&wanted) {
                unique(format!("{name}OperationError"), &mut taken)
            } else {
                taken.insert(wanted.clone());
                wanted
            };
            OperationIr {
                name: name.clone(),
                method: unique(field_name(name), &mut methods),
                error_enum,
                docs: or_default_doc(html_to_markdown(op.documentation.as_deref().unwrap_or_default()), || {
                    format!("Calls the `{name}` operation.")
                }),
                input: match &op.input {
                    Some(r) => Some(names[r.shape.as_str()].clone()),
                    None => synthetic_inputs.get(name.as_str()).cloned(),
                },
                output: op.output.as_ref().map(|r| names[r.shape.as_str()].clone()),
                errors: op_errors.iter().map(|e| names[e.as_str()].clone()).collect(),
                deprecated: deprecation(op.deprecated, op.deprecated_message.as_deref()).map(|note| {
                    if note.is_empty() {
                        // No message: the model's docs open with the advice (InvokeAsync: "use Invoke").
                        plain_first_sentence(&html_to_markdown(op.documentation.as_deref().unwrap_or_default()))
                    } else {
                        note
                    }
                }),
                http_method: op.http.method.clone(),
                request_uri: op.http.request_uri.clone(),
                status: op.http.response_code.unwrap_or(200),
                host_prefix: op.endpoint.as_ref().map(|e| e.host_prefix.clone()),
                error_codes: op_errors
                    .iter()
                    .map(|e| {
                        let code = shapes
                            .get(e.as_str())
                            .and_then(|s| s.error.as_ref())
                            .and_then(|err| err.code.clone())
                            .unwrap_or_else(|| e.to_string());
                        (names[e.as_str()].clone(), code)
                    })
                    .collect(),
                examples: Vec::new(),
            }
        })
        .collect();
    // Link inputs and outputs to the client methods that take or return them.
    for t in types.iter_mut() {
        let TypeDef::Struct(s) = t else { continue };
        let link =
            |op: &OperationIr| format!("[`Client::{m}`](crate::Client::{m})", m = op.method.trim_start_matches("r#"));
        let takes: Vec<String> =
            operations.iter().filter(|o| o.input.as_deref() == Some(s.name.as_str())).map(link).collect();
        let returns: Vec<String> =
            operations.iter().filter(|o| o.output.as_deref() == Some(s.name.as_str())).map(link).collect();
        if !takes.is_empty() {
            s.docs.push_str(&format!("\n\nThe input of {}.", takes.join(", ")));
        }
        if !returns.is_empty() {
            s.docs.push_str(&format!("\n\nReturned by {}.", returns.join(", ")));
        }
    }

    let service_id = meta.service_id.clone().unwrap_or_else(|| meta.endpoint_prefix.clone().unwrap_or_default());
    Ok(Ir {
        service: ServiceInfo {
            full_name: meta.service_full_name.clone().unwrap_or_else(|| service_id.clone()),
            service_id,
            api_version: meta.api_version.clone(),
            protocol: meta.protocol,
            signing_name: meta.signing_name.clone().or_else(|| meta.endpoint_prefix.clone()).unwrap_or_default(),
            endpoint_prefix: meta.endpoint_prefix.clone().unwrap_or_default(),
            docs: html_to_markdown(service.documentation.as_deref().unwrap_or_default()),
        },
        types,
        shape_types,
        operations,
        endpoint_rules: default_rules(meta.endpoint_prefix.as_deref().unwrap_or("service")),
        paginators: Vec::new(),
        waiters: Vec::new(),
    })
}

fn or_default_doc(docs: String, default: impl FnOnce() -> String) -> String {
    if docs.trim().is_empty() {
        default()
    } else {
        docs
    }
}

/// The first sentence of Markdown docs as plain text (for `#[deprecated(note)]`).
fn plain_first_sentence(markdown: &str) -> String {
    let s = crate::docs::first_sentence(markdown);
    let s = s.trim_start_matches("> ").replace("**Note:** ", "").replace("**Important:** ", "");
    s.replace(['`', '*', '\\'], "")
}

fn deprecation(deprecated: bool, message: Option<&str>) -> Option<String> {
    deprecated.then(|| message.map(html_to_markdown).unwrap_or_default())
}

/// Whether a shape becomes a generated item (rather than a std or runtime type).
fn is_item(shape: &Shape) -> bool {
    match shape.kind {
        ShapeType::Structure => !shape.document,
        ShapeType::String => !shape.enum_values.is_empty(),
        _ => false,
    }
}

fn member_targets(shape: &Shape) -> impl Iterator<Item = &str> {
    shape
        .members
        .values()
        .chain(shape.member.iter())
        .chain(shape.key.iter())
        .chain(shape.value.iter())
        .map(|m| m.shape.as_str())
}

fn rust_type(shapes: &IndexMap<String, Shape>, names: &IndexMap<&str, String>, name: &str) -> RustType {
    // Validation guarantees every reference resolves; a missing shape (only possible for an
    // unvalidated model) falls back to a document rather than panicking.
    let Some(shape) = shapes.get(name) else { return RustType::Document };
    if let Some(n) = names.get(name) {
        return RustType::Named(n.clone());
    }
    let elem = |m: &Option<crate::model::Member>| {
        m.as_ref().map_or(RustType::Document, |m| rust_type(shapes, names, &m.shape))
    };
    match shape.kind {
        ShapeType::Structure => RustType::Document,
        ShapeType::String => RustType::String,
        ShapeType::Boolean => RustType::Bool,
        ShapeType::Byte => RustType::I8,
        ShapeType::Short => RustType::I16,
        ShapeType::Integer => RustType::I32,
        ShapeType::Long => RustType::I64,
        ShapeType::Float => RustType::F32,
        ShapeType::Double => RustType::F64,
        ShapeType::Blob => RustType::Blob,
        ShapeType::Timestamp => RustType::DateTime,
        ShapeType::BigInteger | ShapeType::BigDecimal => RustType::Document,
        ShapeType::List => RustType::List(Box::new(elem(&shape.member))),
        ShapeType::Map => RustType::Map(Box::new(elem(&shape.key)), Box::new(elem(&shape.value))),
    }
}

/// Whether values of a shape must not be printed: the shape is sensitive, or it is a collection of
/// sensitive values. Structures redact their own fields, so they are not looked into.
fn is_sensitive(shapes: &IndexMap<String, Shape>, name: &str, depth: usize) -> bool {
    let Some(shape) = shapes.get(name) else { return false };
    if shape.sensitive {
        return true;
    }
    if depth > 32 {
        return false;
    }
    match shape.kind {
        ShapeType::List => shape.member.as_ref().is_some_and(|m| is_sensitive(shapes, &m.shape, depth + 1)),
        ShapeType::Map => {
            [&shape.key, &shape.value].into_iter().flatten().any(|m| is_sensitive(shapes, &m.shape, depth + 1))
        }
        _ => false,
    }
}

/// The (structure, member) edges that must be boxed: direct structure-to-structure members that lie
/// on a cycle. Members inside lists and maps are already behind a pointer.
fn recursive_edges(service: &Service) -> HashSet<(String, String)> {
    let shapes = &service.shapes;
    let direct = |name: &str| -> Vec<(String, String)> {
        shapes.get(name).map_or(Vec::new(), |s| {
            if s.kind != ShapeType::Structure || s.document {
                return Vec::new();
            }
            s.members
                .iter()
                .filter(|(_, m)| shapes.get(&m.shape).is_some_and(|t| t.kind == ShapeType::Structure && !t.document))
                .map(|(mn, m)| (mn.clone(), m.shape.clone()))
                .collect()
        })
    };
    let reaches = |from: &str, to: &str| -> bool {
        let mut seen = IndexSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            if seen.insert(n.clone()) {
                stack.extend(direct(&n).into_iter().map(|(_, t)| t));
            }
        }
        false
    };
    let mut edges = HashSet::new();
    for name in shapes.keys() {
        for (member, target) in direct(name) {
            if reaches(&target, name) {
                edges.insert((name.clone(), member));
            }
        }
    }
    edges
}

fn fields(
    service: &Service,
    shape_types: &IndexMap<String, RustType>,
    shape_name: &str,
    shape: &Shape,
    boxed_edges: &HashSet<(String, String)>,
    variants: bool,
) -> Vec<Field> {
    let shapes = &service.shapes;
    let mut used = HashSet::new();
    if variants {
        used.insert(UNKNOWN_VARIANT.to_string());
    } else {
        // The builder's finishing method shares the setters' namespace.
        used.insert("build".to_string());
    }
    shape
        .members
        .iter()
        .map(|(member_name, m)| {
            let target = shapes.get(&m.shape);
            let mut docs = html_to_markdown(m.documentation.as_deref().unwrap_or_default());
            if docs.trim().is_empty() {
                docs = html_to_markdown(target.and_then(|t| t.documentation.as_deref()).unwrap_or_default());
            }
            if docs.trim().is_empty() {
                docs = format!("The `{member_name}` member.");
            }
            let name = if variants { variant_name(member_name) } else { field_name(member_name) };
            // The name on the wire: `locationName` when given (a header name, a query key, or the
            // JSON key of a body member), else the member name.
            let wire_name = m.location_name.clone().unwrap_or_else(|| member_name.clone());
            let mut ty = shape_types.get(&m.shape).cloned().unwrap_or(RustType::Document);
            if target.is_some_and(|t| t.eventstream) && !variants {
                ty = RustType::EventStream(Box::new(ty));
            }
            Field {
                member: member_name.clone(),
                name: unique(name, &mut used),
                ty,
                target: m.shape.clone(),
                required: shape.required.contains(member_name),
                docs,
                sensitive: shape.sensitive || is_sensitive(shapes, &m.shape, 0),
                deprecated: deprecation(
                    m.deprecated || target.is_some_and(|t| t.deprecated && t.kind != ShapeType::Structure),
                    m.deprecated_message.as_deref().or(target.and_then(|t| t.deprecated_message.as_deref())),
                ),
                location: m.location,
                wire_name,
                timestamp_format: m.timestamp_format.or(target.and_then(|t| t.timestamp_format)),
                idempotency_token: m.idempotency_token,
                jsonvalue: m.jsonvalue,
                host_label: m.host_label,
                boxed: boxed_edges.contains(&(shape_name.to_string(), member_name.clone())),
                constraints: target.map_or_else(Constraints::default, |t| Constraints {
                    min: t.min,
                    max: t.max,
                    pattern: t.pattern.clone(),
                }),
                streaming: target.is_some_and(|t| t.streaming) || m.streaming,
                event_payload: m.eventpayload,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert_eq!(escape_ident("type"), "r#type");
        assert_eq!(escape_ident("self"), "self_");
        assert_eq!(escape_ident("Self"), "Self_");
        assert_eq!(escape_ident("9lives"), "_9lives");
        assert_eq!(field_name("KMSKeyArn"), "kms_key_arn");
        assert_eq!(field_name("Type"), "r#type");
        assert_eq!(field_name("S3Bucket"), "s3_bucket");
    }

    #[test]
    fn enum_variants_are_valid() {
        assert_eq!(variant_name("nodejs4.3-edge"), "Nodejs43Edge");
        assert_eq!(variant_name("go1.x"), "Go1X");
        assert_eq!(variant_name("FunctionError.InitTimeout"), "FunctionErrorInitTimeout");
        assert_eq!(variant_name("1.0"), "V10");
        assert_eq!(variant_name(""), "Empty");
        assert_eq!(variant_name("*"), "Empty");
        assert_eq!(variant_name("self"), "Self_");
    }

    #[test]
    fn unique_names() {
        let mut taken = HashSet::new();
        assert_eq!(unique("Foo".into(), &mut taken), "Foo");
        assert_eq!(unique("Foo".into(), &mut taken), "Foo2");
        assert_eq!(unique("r#type".into(), &mut taken), "r#type");
        assert_eq!(unique("r#type".into(), &mut taken), "type2");
    }
}
