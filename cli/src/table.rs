//! The types of the generated tables (`services/`), and the conversions the generated `call`
//! functions use between JSON and the typed inputs and outputs.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

/// A service the tool speaks.
#[derive(Debug)]
pub struct Service {
    /// Command name (`lambda`).
    pub name: &'static str,
    /// Full name (`AWS Lambda`).
    pub title: &'static str,
    /// Documentation (Markdown).
    pub docs: &'static str,
    /// Operations, in model order.
    pub ops: &'static [Op],
    /// Shapes, referenced by index from members.
    pub shapes: &'static [Shape],
    /// Waiters (`stratus <service> wait <waiter>`).
    pub waiters: &'static [Waiter],
    /// Timestamps travel as ISO 8601 text (the XML protocols), not epoch seconds.
    pub xml_timestamps: bool,
}

/// A waiter: polls an operation until a state is reached.
#[derive(Debug)]
pub struct Waiter {
    /// Model name (`TableExists`).
    pub name: &'static str,
    /// Command name (`table-exists`).
    pub cli: &'static str,
    /// The operation polled (model name); its options are the waiter's.
    pub op: &'static str,
    /// Seconds between polls.
    pub delay: u64,
    /// Polls before giving up.
    pub max_attempts: u32,
}

/// The timing of the AWS CLI's waiters: the model's delay between polls, the model's number of
/// polls.
pub fn options(delay: u64, max_attempts: u32) -> stratus_runtime::waiter::WaitOptions {
    let delay = std::time::Duration::from_secs(delay);
    stratus_runtime::waiter::WaitOptions {
        min_delay: delay,
        max_delay: delay,
        max_wait: delay * max_attempts.saturating_sub(1) + std::time::Duration::from_millis(500),
    }
}

/// An operation.
#[derive(Debug)]
pub struct Op {
    /// Model name (`GetFunction`).
    pub name: &'static str,
    /// Command name (`get-function`).
    pub cli: &'static str,
    /// Documentation (Markdown).
    pub docs: &'static str,
    /// Members of the input.
    pub input: &'static [Member],
    /// Members of the output.
    pub output: &'static [Member],
    /// How to page through results.
    pub paginator: Option<Paginator>,
    /// Whether the tool can run it (operations with event streams cannot).
    pub supported: bool,
    /// The output member written to the file a positional argument names (a blob payload, such
    /// as Lambda `Invoke`'s `Payload`).
    pub outfile: Option<&'static str>,
}

/// botocore's paginator of an operation.
#[derive(Debug)]
pub struct Paginator {
    /// Input members carrying the token.
    pub input_tokens: &'static [&'static str],
    /// Where each token is in the output (`NextMarker`, `A || B`, `Items[-1].Id`).
    pub output_tokens: &'static [&'static str],
    /// Input member limiting the page size.
    pub limit: Option<&'static str>,
    /// Where the results are (`Functions`, `Contents`).
    pub results: &'static [&'static str],
    /// Members kept from the first page when pages are merged.
    pub non_aggregate: &'static [&'static str],
}

/// A member of a structure.
#[derive(Debug)]
pub struct Member {
    /// Key in the JSON form.
    pub key: &'static str,
    /// Option name without `--` (`function-name`).
    pub cli: &'static str,
    /// Index into [`Service::shapes`].
    pub shape: u32,
    /// Required by the model.
    pub required: bool,
    /// Documentation (Markdown).
    pub docs: &'static str,
}

/// What a value is.
#[derive(Debug)]
// Not every set of services has every shape (none of today's has a float or a document).
#[allow(dead_code)]
pub enum Shape {
    /// Text.
    String,
    /// A 32-bit (or smaller) integer.
    Integer,
    /// A 64-bit integer.
    Long,
    /// A 32-bit float.
    Float,
    /// A 64-bit float.
    Double,
    /// `true` or `false`.
    Boolean,
    /// Bytes (base64 in JSON).
    Blob,
    /// A point in time.
    Timestamp,
    /// Any JSON.
    Document,
    /// One of these strings.
    Enum(&'static [&'static str]),
    /// A list of the shape at this index.
    List(u32),
    /// A map from and to the shapes at these indexes.
    Map(u32, u32),
    /// A structure.
    Struct(&'static [Member]),
    /// Exactly one of these members.
    Union(&'static [Member]),
    /// An event stream (not usable from the command line).
    Stream,
    /// A string holding URL-encoded JSON (IAM's policy documents), shown decoded as botocore
    /// does.
    QuotedJson,
}

impl Shape {
    /// Whether the value is a scalar (given as one word on the command line).
    pub fn is_scalar(&self) -> bool {
        !matches!(self, Shape::List(_) | Shape::Map(..) | Shape::Struct(_) | Shape::Union(_) | Shape::Document)
    }
}

/// Why a call did not produce an output.
#[derive(Debug)]
pub enum CallError {
    /// The input does not fit the operation (exit 252).
    Param(String),
    /// The service, or the client before sending, refused (exit 254, or 253/255 by kind).
    Service(Box<dyn ServiceFailure>),
    /// The tool cannot run this operation.
    Unsupported(String),
    /// A waiter ended without success (exit 255).
    Waiter(String),
    /// The call succeeded but its output cannot be shown (exit 255).
    Output(String),
}

/// A failed call, as the tool reports it.
pub trait ServiceFailure: std::fmt::Debug + std::fmt::Display + Send + Sync {
    /// The error code, for a service error.
    fn code(&self) -> Option<String>;
    /// Whether it failed before anything was sent (validation: a parameter error).
    fn is_validation(&self) -> bool;
    /// Whether the configuration or credentials are at fault.
    fn is_config(&self) -> bool;
    /// The operation name.
    fn operation(&self) -> &str;
    /// The service's message.
    fn message(&self) -> Option<String>;
}

impl<E: std::fmt::Debug + std::fmt::Display + Send + Sync + 'static> ServiceFailure for stratus_runtime::Error<E> {
    fn code(&self) -> Option<String> {
        stratus_runtime::Error::code(self).map(str::to_string)
    }
    fn is_validation(&self) -> bool {
        matches!(self.kind(), stratus_runtime::error::ErrorKind::Validation(_))
    }
    fn is_config(&self) -> bool {
        matches!(
            self.kind(),
            stratus_runtime::error::ErrorKind::Credentials(_) | stratus_runtime::error::ErrorKind::Config(_)
        )
    }
    fn operation(&self) -> &str {
        stratus_runtime::Error::operation(self)
    }
    fn message(&self) -> Option<String> {
        stratus_runtime::Error::message(self)
    }
}

impl CallError {
    /// From a failed call of a generated client.
    pub fn from_service<E: std::fmt::Debug + std::fmt::Display + Send + Sync + 'static>(
        e: stratus_runtime::Error<E>,
    ) -> Self {
        CallError::Service(Box::new(e))
    }

    /// From a waiter that did not succeed, in the AWS CLI's words.
    pub fn from_wait<T, E: std::fmt::Debug + std::fmt::Display + Send + Sync + 'static>(
        e: stratus_runtime::waiter::WaitError<T, E>,
    ) -> Self {
        use stratus_runtime::waiter::WaitError;
        match e {
            WaitError::Failure { waiter, .. } => {
                CallError::Waiter(format!("Waiter {waiter} failed: Waiter encountered a terminal failure state"))
            }
            WaitError::Timeout { waiter, .. } => {
                CallError::Waiter(format!("Waiter {waiter} failed: Max attempts exceeded"))
            }
            WaitError::Operation(e) => CallError::from_service(e),
        }
    }

    /// An operation or service the tool does not run.
    pub fn unsupported(what: &str) -> Self {
        CallError::Unsupported(what.to_string())
    }
}

/// The JSON input of a call, read member by member into the typed input.
pub struct Input<'a> {
    value: &'a Value,
}

impl<'a> Input<'a> {
    /// Over a JSON object (anything else reads as empty).
    pub fn new(value: &'a Value) -> Self {
        Input { value }
    }

    fn read<T: DeserializeOwned>(&self, key: &str, v: &Value) -> Result<T, CallError> {
        serde_json::from_value(v.clone())
            .map_err(|e| CallError::Param(format!("Invalid value for parameter {key}: {e}")))
    }

    /// A required member (the model requires it; missing is a parameter error).
    pub fn req<T: DeserializeOwned>(&self, key: &str) -> Result<T, CallError> {
        match self.value.get(key) {
            Some(v) if !v.is_null() => self.read(key, v),
            _ => Err(CallError::Param(format!("Missing required parameter in input: \"{key}\""))),
        }
    }

    /// An optional member.
    pub fn opt<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, CallError> {
        match self.value.get(key) {
            Some(v) if !v.is_null() => self.read(key, v).map(Some),
            _ => Ok(None),
        }
    }
}

/// The JSON output of a call: the body members through their serde form, the others added.
pub struct Output {
    map: Map<String, Value>,
}

impl Output {
    /// The body members of `out`.
    pub fn new<T: Serialize>(out: &T) -> Result<Self, CallError> {
        match serde_json::to_value(out) {
            Ok(Value::Object(map)) => Ok(Output { map }),
            Ok(_) => Ok(Output { map: Map::new() }),
            Err(e) => Err(CallError::Output(format!("cannot show the output: {e}"))),
        }
    }

    /// Adds a member bound outside the body (a header, the status code); absent values are left out.
    pub fn put<T: Serialize>(&mut self, key: &str, value: &T) -> Result<(), CallError> {
        let v = serde_json::to_value(value).map_err(|e| CallError::Output(format!("cannot show {key}: {e}")))?;
        if !v.is_null() {
            self.map.insert(key.to_string(), v);
        }
        Ok(())
    }

    /// The output.
    pub fn finish(self) -> Value {
        Value::Object(self.map)
    }
}
