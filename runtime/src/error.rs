//! The error type of every operation: [`Error<E>`], where `E` is the operation's generated enum of
//! modeled exceptions.
//!
//! One level of nesting: `err.kind()` says what happened (the service answered an error, validation
//! failed before any I/O, no credentials, the connection failed, a timeout, an unreadable response);
//! `err.service_error()` gives the typed exception directly; `code()`, `message()`, `request_id()`,
//! `is_retryable()` and `raw_response()` work on every kind where they make sense. `Display` prints one
//! line saying what happened and in which operation.

use crate::credentials::CredentialsError;
use crate::http::HttpError;
use bytes::Bytes;
use std::fmt;
use std::time::Duration;

/// A response as received, kept for errors. Its `Debug` shows the body's size, not its content: an
/// error body may echo sensitive members.
#[derive(Clone, PartialEq)]
pub struct RawResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers.
    pub headers: http::HeaderMap,
    /// Body.
    pub body: Bytes,
}

impl fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("headers", &crate::types::RedactedHeaders(&self.headers))
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

impl RawResponse {
    /// The request id the service assigned (`x-amzn-requestid` or `x-amz-request-id`).
    pub fn request_id(&self) -> Option<&str> {
        ["x-amzn-requestid", "x-amz-request-id"].iter().find_map(|h| self.headers.get(*h)?.to_str().ok())
    }
}

/// An error response from the service.
#[derive(Clone, Debug)]
pub struct ServiceError<E> {
    /// The typed error (a modeled exception, or `Unhandled`).
    pub error: E,
    /// The error code (`ResourceNotFoundException`).
    pub code: String,
    /// The error message, when the service sent one.
    pub message: Option<String>,
    /// How the retrier treats it (throttling, server faults, a modeled retryable error, a clock
    /// skew the client corrected), decided once by [`crate::retry::classify_response`].
    pub retry: crate::retry::RetryClass,
    /// The response.
    pub raw: Box<RawResponse>,
}

/// A parameter that fails the model's constraints; no request was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// Path of the member (`Environment.Variables`).
    pub path: String,
    /// The constraint it breaks.
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid parameter `{}`: {}", self.path, self.message)
    }
}

/// Which limit a timeout hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeoutKind {
    /// One attempt (connect, send, and read the response).
    Attempt,
    /// The whole operation, retries included.
    Operation,
}

/// A response that could not be understood.
#[derive(Clone, Debug)]
pub struct ResponseError {
    /// What could not be parsed.
    pub message: String,
    /// The response.
    pub raw: Box<RawResponse>,
}

/// What went wrong in an operation.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind<E> {
    /// The service answered with an error.
    Service(ServiceError<E>),
    /// A parameter failed validation; nothing was sent.
    Validation(ValidationError),
    /// Credentials could not be had.
    Credentials(CredentialsError),
    /// The client is misconfigured (no region, no endpoint).
    Config(String),
    /// The request could not be built or signed (a header value HTTP does not allow); nothing was
    /// sent.
    Build(String),
    /// The request could not be sent, or the connection failed.
    Dispatch(HttpError),
    /// A timeout expired.
    Timeout {
        /// Which one.
        kind: TimeoutKind,
        /// Its length.
        after: Duration,
    },
    /// The response could not be understood.
    Response(ResponseError),
}

/// The error of an operation.
#[derive(Debug)]
pub struct Error<E> {
    operation: &'static str,
    kind: ErrorKind<E>,
}

impl Error<()> {
    /// The same error with its service error typed: the runtime's wire path classifies an error
    /// response without knowing the operation's error type, which the typed half of the call then
    /// makes from the response.
    pub(crate) fn with_service_error<E>(self, typed: impl FnOnce(&RawResponse) -> E) -> Error<E> {
        let kind = match self.kind {
            ErrorKind::Service(s) => ErrorKind::Service(ServiceError {
                error: typed(&s.raw),
                code: s.code,
                message: s.message,
                retry: s.retry,
                raw: s.raw,
            }),
            ErrorKind::Validation(e) => ErrorKind::Validation(e),
            ErrorKind::Credentials(e) => ErrorKind::Credentials(e),
            ErrorKind::Config(e) => ErrorKind::Config(e),
            ErrorKind::Build(e) => ErrorKind::Build(e),
            ErrorKind::Dispatch(e) => ErrorKind::Dispatch(e),
            ErrorKind::Timeout { kind, after } => ErrorKind::Timeout { kind, after },
            ErrorKind::Response(e) => ErrorKind::Response(e),
        };
        Error { operation: self.operation, kind }
    }
}

impl<E> Error<E> {
    /// An error of `operation`.
    pub fn new(operation: &'static str, kind: ErrorKind<E>) -> Self {
        Error { operation, kind }
    }

    /// The operation that failed (`GetFunction`).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind<E> {
        &self.kind
    }

    /// Takes what went wrong.
    pub fn into_kind(self) -> ErrorKind<E> {
        self.kind
    }

    /// The typed service error, when the service answered with one.
    pub fn service_error(&self) -> Option<&E> {
        match &self.kind {
            ErrorKind::Service(s) => Some(&s.error),
            _ => None,
        }
    }

    /// The service's error code, when the service answered with one.
    pub fn code(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::Service(s) => Some(&s.code),
            _ => None,
        }
    }

    /// A message: the service's, or a description of the local failure.
    pub fn message(&self) -> Option<String> {
        match &self.kind {
            ErrorKind::Service(s) => s.message.clone(),
            _ => Some(self.describe_kind()),
        }
    }

    /// The request id, when a response was received.
    pub fn request_id(&self) -> Option<&str> {
        self.raw_response().and_then(RawResponse::request_id)
    }

    /// The response, when one was received.
    pub fn raw_response(&self) -> Option<&RawResponse> {
        match &self.kind {
            ErrorKind::Service(s) => Some(&s.raw),
            ErrorKind::Response(r) => Some(&r.raw),
            _ => None,
        }
    }

    /// Whether retrying the same request may succeed.
    ///
    /// This is exactly what the retrier decides ([`crate::retry::classify`]).
    pub fn is_retryable(&self) -> bool {
        crate::retry::classify(&self.kind) != crate::retry::RetryClass::Final
    }

    fn describe_kind(&self) -> String {
        match &self.kind {
            ErrorKind::Service(s) => {
                let mut out = format!("service error {} (HTTP {}", s.code, s.raw.status);
                if let Some(id) = s.raw.request_id() {
                    out.push_str(&format!(", request id {id}"));
                }
                out.push(')');
                if let Some(m) = &s.message {
                    out.push_str(": ");
                    out.push_str(m);
                }
                out
            }
            ErrorKind::Validation(v) => v.to_string(),
            ErrorKind::Credentials(c) => c.to_string(),
            ErrorKind::Config(c) => format!("configuration: {c}"),
            ErrorKind::Build(b) => format!("cannot build the request: {b}"),
            ErrorKind::Dispatch(d) => format!("request not completed: {d}"),
            ErrorKind::Timeout { kind: TimeoutKind::Attempt, after } => {
                format!("attempt timed out after {} ms", after.as_millis())
            }
            ErrorKind::Timeout { kind: TimeoutKind::Operation, after } => {
                format!("operation timed out after {} ms (retries included)", after.as_millis())
            }
            ErrorKind::Response(r) => {
                format!("unreadable response (HTTP {}): {}", r.raw.status, r.message)
            }
        }
    }
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.operation, self.describe_kind())
    }
}

impl<E: fmt::Debug + fmt::Display + 'static> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Credentials(c) => Some(c),
            ErrorKind::Dispatch(d) => Some(d),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_line_with_operation_and_request_id() {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-amzn-requestid", http::HeaderValue::from_static("abc-123"));
        let e: Error<()> = Error::new(
            "GetFunction",
            ErrorKind::Service(ServiceError {
                error: (),
                code: "ResourceNotFoundException".into(),
                message: Some("Function not found".into()),
                retry: crate::retry::RetryClass::Final,
                raw: Box::new(RawResponse { status: 404, headers, body: Bytes::new() }),
            }),
        );
        assert_eq!(
            e.to_string(),
            "GetFunction: service error ResourceNotFoundException (HTTP 404, request id abc-123): Function not found"
        );
        assert_eq!(e.request_id(), Some("abc-123"));
        assert_eq!(e.code(), Some("ResourceNotFoundException"));
        assert!(!e.is_retryable());
        let t: Error<()> =
            Error::new("Invoke", ErrorKind::Timeout { kind: TimeoutKind::Operation, after: Duration::from_secs(2) });
        assert_eq!(t.to_string(), "Invoke: operation timed out after 2000 ms (retries included)");
        assert!(!t.to_string().contains('\n'));
    }
}
