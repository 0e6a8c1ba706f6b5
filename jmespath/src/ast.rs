//! The syntax tree the parser produces and the interpreter walks.

use serde_json::Value;
use std::fmt;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparator {
    /// `==`: deep equality (numbers compare by value, so `1 == 1.0`).
    Eq,
    /// `!=`.
    Ne,
    /// `<`: numbers only (anything else compares to `null`).
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

impl Comparator {
    /// The operator as written (`"=="`, `"<="`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Comparator::Eq => "==",
            Comparator::Ne => "!=",
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
        }
    }
}

impl fmt::Display for Comparator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed JMESPath expression.
///
/// Every node is evaluated against a *current* value (the document at the top). The shapes the
/// parser builds for the common forms:
///
/// | text | tree |
/// |---|---|
/// | `a.b` | `Subexpr(Field("a"), Field("b"))` |
/// | `a[0]` | `Subexpr(Field("a"), Index(0))` |
/// | `a[1:3].b` | `Projection(Subexpr(Field("a"), Slice{..}), Field("b"))` |
/// | `a[*].b` | `Projection(Field("a"), Field("b"))` |
/// | `a[].b` | `Projection(Flatten(Field("a")), Field("b"))` |
/// | `a[].b[]` | `Projection(Flatten(Projection(Flatten(Field("a")), Field("b"))), Identity)` |
/// | `a.*.b` | `ValueProjection(Field("a"), Field("b"))` |
/// | `a[?c].b` | `FilterProjection(Field("a"), Field("c"), Field("b"))` |
///
/// A projection's right-hand side is applied to each element; the elements for which it is `null`
/// are dropped. A projection stops at `|`, `||`, `&&`, a comparison and `[]`, which apply to the
/// projected list as a whole.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `@`: the current value.
    Identity,
    /// An identifier (`name` or `"quoted name"`): the member of an object, `null` for anything else.
    Field(String),
    /// `lhs.rhs`: `rhs` evaluated on the result of `lhs`.
    Subexpr(Box<Expr>, Box<Expr>),
    /// `[n]` on the current value: an element of a list (negative counts from the end); `null` when
    /// out of range or not a list.
    Index(i64),
    /// `[start:stop:step]` on the current value: a list (Python slice semantics); `null` for
    /// anything but a list. The parser wraps it in a [`Expr::Projection`].
    Slice {
        /// First index (default: the start, or the end for a negative step).
        start: Option<i64>,
        /// Index not reached (default: past the end, or before the start for a negative step).
        stop: Option<i64>,
        /// Stride (default 1; 0 is an `invalid-value` error).
        step: Option<i64>,
    },
    /// `lhs[*].rhs` (list projection): `rhs` on each element of the list `lhs` evaluates to
    /// (`null` if it is not a list), the `null` results dropped.
    Projection(Box<Expr>, Box<Expr>),
    /// `lhs.*.rhs` (object projection): `rhs` on each value of the object `lhs` evaluates to
    /// (`null` if it is not an object), the `null` results dropped.
    ValueProjection(Box<Expr>, Box<Expr>),
    /// `lhs[?condition].rhs` — fields in that order: `lhs`, `condition`, `rhs`. `rhs` on each
    /// element of the list `lhs` for which `condition` (evaluated on the element) is truthy.
    FilterProjection(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `lhs[]` (the left-hand side of a projection): the list with its list elements spliced in one
    /// level; `null` if it is not a list.
    Flatten(Box<Expr>),
    /// `[a, b]`: a list of each expression's value (`null` on a `null` current value).
    MultiSelectList(Vec<Expr>),
    /// `{k: a, l: b}`: an object of each expression's value (`null` on a `null` current value), in
    /// the order written.
    MultiSelectHash(Vec<(String, Expr)>),
    /// `` `json` `` or `'raw string'`.
    Literal(Value),
    /// `!a`: `true` when `a` is falsy (`null`, `false`, `""`, `[]`, `{}`).
    Not(Box<Expr>),
    /// `a && b`: `a` if it is falsy, else `b`.
    And(Box<Expr>, Box<Expr>),
    /// `a || b`: `a` if it is truthy, else `b`.
    Or(Box<Expr>, Box<Expr>),
    /// `a <op> b`.
    Compare(Comparator, Box<Expr>, Box<Expr>),
    /// `a | b`: `b` on the result of `a` (ends any projection in `a`).
    Pipe(Box<Expr>, Box<Expr>),
    /// `name(args…)`: a built-in function. The parser accepts only known names with a valid number
    /// of arguments; a hand-built tree is checked when evaluated.
    Function(String, Vec<Expr>),
    /// `&expr`: an expression reference, for the arguments of `sort_by`, `max_by`, `min_by` and
    /// `map`. Evaluating one anywhere else is an `invalid-type` error.
    ExpRef(Box<Expr>),
}
