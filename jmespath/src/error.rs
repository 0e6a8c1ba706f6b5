//! Errors: a kind (the compliance suite's error classes), a message and, for errors found while
//! parsing, where.

use std::fmt;

/// What went wrong, as the JMESPath compliance suite classifies errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The expression is not valid JMESPath (`syntax`).
    Syntax,
    /// A function got an argument of the wrong type (`invalid-type`).
    InvalidType,
    /// A value is out of its domain: a slice step of 0 (`invalid-value`).
    InvalidValue,
    /// A function got the wrong number of arguments (`invalid-arity`).
    InvalidArity,
    /// No built-in function has that name (`unknown-function`).
    UnknownFunction,
}

impl ErrorKind {
    /// The suite's name for the kind: `syntax`, `invalid-type`, `invalid-value`, `invalid-arity`
    /// or `unknown-function`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "syntax",
            ErrorKind::InvalidType => "invalid-type",
            ErrorKind::InvalidValue => "invalid-value",
            ErrorKind::InvalidArity => "invalid-arity",
            ErrorKind::UnknownFunction => "unknown-function",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from parsing or evaluating an expression.
///
/// Displayed as `syntax error at position 4: expected an identifier after '.'` (parse errors carry
/// the position) or `invalid-type: abs() expects a number as argument 1, got a string`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    position: Option<usize>,
}

impl Error {
    /// An error found at a place in the expression (`position` counts characters from 0).
    pub(crate) fn at(kind: ErrorKind, position: usize, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), position: Some(position) }
    }

    /// An error found while evaluating.
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), position: None }
    }

    /// The kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// What went wrong, without the kind or position.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// For errors found while parsing, the offset in the expression in characters (not bytes),
    /// counted from 0; the length of the expression for an unexpected end.
    pub fn position(&self) -> Option<usize> {
        self.position
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, self.position) {
            (ErrorKind::Syntax, Some(p)) => write!(f, "syntax error at position {p}: {}", self.message),
            (kind, Some(p)) => write!(f, "{kind} at position {p}: {}", self.message),
            (kind, None) => write!(f, "{kind}: {}", self.message),
        }
    }
}

impl std::error::Error for Error {}
