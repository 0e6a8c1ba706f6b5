//! [JMESPath](https://jmespath.org/specification.html) over `serde_json::Value`: a lexer and a
//! Pratt parser to a public syntax tree ([`Expr`]), and an interpreter with every built-in
//! function of the specification.
//!
//! ```
//! use serde_json::json;
//!
//! let doc = json!({"Reservations": [
//!     {"Instances": [{"InstanceId": "i-1", "State": {"Name": "running"}},
//!                    {"InstanceId": "i-2", "State": {"Name": "stopped"}}]},
//! ]});
//! let expr = stratus_jmespath::compile("Reservations[].Instances[?State.Name == 'running'].InstanceId[]")?;
//! assert_eq!(expr.search(&doc)?, json!(["i-1"]));
//!
//! let err = stratus_jmespath::compile("Reservations[0").unwrap_err();
//! assert_eq!(err.kind(), stratus_jmespath::ErrorKind::Syntax);
//! assert_eq!(err.to_string(), "syntax error at position 14: expected ']' after an index, found the end of the expression");
//! # Ok::<(), stratus_jmespath::Error>(())
//! ```
//!
//! Two users in Stratus: the code generator parses waiter acceptor paths with [`parse`] and
//! compiles the tree to Rust; the CLI evaluates `--query` with [`compile`] and
//! [`Expression::search`]. The crate passes every case of the JMESPath compliance suite
//! (`tests/data/jmespath/`, run by `tests/compliance.rs`).
//!
//! # Semantics worth knowing
//!
//! - **Errors** have an [`ErrorKind`] named as the compliance suite names them. Unknown functions,
//!   wrong argument counts and a slice step of 0 are found when parsing; argument types when
//!   evaluating (they depend on the data).
//! - **Numbers** keep their JSON kind: integers stay integers where the result is one (`abs`,
//!   `sum` of integers, `ceil`, `floor`, `length`, `to_number('12')`), floats stay floats (`avg`
//!   is always a float). Comparisons are by value, so `` `1` == `1.0` `` is true, and ordering
//!   (`<`, `<=`, `>`, `>=`) is defined on numbers only: anything else compares to `null`.
//! - **Object order** is serde_json's (sorted keys unless its `preserve_order` feature is on):
//!   `keys()`, `values()` and `*` follow it.
//! - **Precedence** follows jmespath.py, which the AWS CLI uses (and the other reference
//!   implementations agree): `!` binds tighter than `.` and comparisons (`!a.b` is `(!a).b`; write
//!   `!(a.b)`), and the right-hand side of a `.*` projection is one step (`a.*.b.c` is
//!   `(a.*.b).c`). Where jmespath.py departs from the specification, this crate follows the
//!   specification: a slice after an index (`a[0][1:].b`) is a projection, ordering comparisons
//!   of strings are `null`, and a function's arguments are separated by commas.
//! - **Legacy literals**: `` `foo` `` (not JSON) is the string `"foo"`, as the suite still expects.
//! - **Limits**: an expression may nest at most [`MAX_DEPTH`] levels (parentheses, brackets, `!`,
//!   function arguments, projections and each step of a chain count), so a hostile expression is
//!   a syntax error rather than a stack overflow. Index and slice numbers beyond the `i64` range
//!   saturate (no list is that long, so the meaning is unchanged).
//! - `to_string` writes compact JSON with non-ASCII characters as they are (jmespath.py escapes
//!   them as `\uXXXX`).
//!
//! One file per stage: `lexer`, `parser`, `ast` ([`Expr`]), `interpreter`, `functions`, `error`.

#![deny(missing_docs)]

mod ast;
mod error;
mod functions;
mod interpreter;
mod lexer;
mod parser;

pub use ast::{Comparator, Expr};
pub use error::{Error, ErrorKind};
pub use parser::MAX_DEPTH;

use serde_json::Value;
use std::fmt;
use std::str::FromStr;

/// Parses an expression to its syntax tree.
///
/// Errors are [`ErrorKind::Syntax`] (with the position), [`ErrorKind::UnknownFunction`],
/// [`ErrorKind::InvalidArity`] or [`ErrorKind::InvalidValue`] (a slice step of 0).
pub fn parse(expression: &str) -> Result<Expr, Error> {
    parser::parse(expression)
}

/// Evaluates a syntax tree on `data`.
///
/// Errors are [`ErrorKind::InvalidType`] (a function argument of the wrong type, or an `&expr`
/// outside a function argument), and, for trees not built by [`parse`], whatever [`parse`] would
/// have reported (unknown functions, arity, a slice step of 0).
pub fn search(expr: &Expr, data: &Value) -> Result<Value, Error> {
    interpreter::search(expr, data)
}

/// Parses an expression once, to evaluate it on any number of documents.
pub fn compile(expression: &str) -> Result<Expression, Error> {
    Ok(Expression { source: expression.to_string(), ast: parse(expression)? })
}

/// A compiled expression: its text and its syntax tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    source: String,
    ast: Expr,
}

impl Expression {
    /// Evaluates the expression on `data`.
    pub fn search(&self, data: &Value) -> Result<Value, Error> {
        interpreter::search(&self.ast, data)
    }

    /// The syntax tree.
    pub fn ast(&self) -> &Expr {
        &self.ast
    }

    /// The syntax tree, by value.
    pub fn into_ast(self) -> Expr {
        self.ast
    }

    /// The text it was compiled from.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl FromStr for Expression {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        compile(s)
    }
}
