//! Waiters: acceptors with their JMESPath parsed and typed against the polled operation's output.
//!
//! A path becomes field steps over the generated structures (each step knows whether the field is
//! optional or boxed) ending in a [`Leaf`] that says how the value is seen by the comparisons; an
//! expression that does not fit the output is an error naming the waiter and the acceptor.

use super::{Ir, OpId, RustType, TypeDef};
use crate::jmespath::{self, Expr};
use crate::model;
use serde_json::Value;

/// A waiter.
#[derive(Debug, Clone)]
pub struct WaiterIr {
    /// Waiter name (`FunctionActive`).
    pub name: String,
    /// The client method starting it (`wait_until_function_active`).
    pub method: String,
    /// Operation polled.
    pub operation: OpId,
    /// What it waits for.
    pub description: Option<String>,
    /// Seconds between attempts (the minimum).
    pub delay: u64,
    /// The model's attempt count (documentation: timing is bounded by the caller's `max_wait`).
    pub max_attempts: u32,
    /// The distinct expressions of the path acceptors, each evaluated once per poll.
    pub paths: Vec<JmExpr>,
    /// Acceptors, in order.
    pub acceptors: Vec<AcceptorIr>,
}

/// An acceptor.
#[derive(Debug, Clone)]
pub struct AcceptorIr {
    /// What a match means.
    pub state: AcceptorState,
    /// What is matched.
    pub test: AcceptorTest,
}

/// What an acceptor's match means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptorState {
    /// The wait is over, successfully.
    Success,
    /// The wait is over, the resource failed.
    Failure,
    /// Poll again.
    Retry,
}

/// What an acceptor matches.
#[derive(Debug, Clone)]
pub enum AcceptorTest {
    /// A path of the output (an index into [`WaiterIr::paths`]) against a value.
    Path {
        /// The path.
        path: usize,
        /// How the value is compared.
        mode: PathMode,
        /// The expected value.
        expected: Value,
    },
    /// The HTTP status.
    Status(u16),
    /// The error.
    Error(ErrorTest),
}

/// How a path's value is compared with the expected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathMode {
    /// Equal.
    Equals,
    /// Every element of the projection equal.
    All,
    /// Some element of the projection equal.
    Any,
}

/// What an error acceptor expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorTest {
    /// Any error.
    Any,
    /// No error.
    None,
    /// An error with this code.
    Code(String),
}

/// A JMESPath expression typed against the generated structures. Evaluated on an `Option<&T>`.
#[derive(Debug, Clone, PartialEq)]
pub enum JmExpr {
    /// Field steps from the current value (none: the value itself), then the value as a JMESPath
    /// value.
    Path {
        /// The steps.
        steps: Vec<Step>,
        /// How the value at the end is seen.
        leaf: Leaf,
    },
    /// `list[].each`: `each` evaluated on every element of the list at `steps`.
    Project {
        /// Steps to the list.
        steps: Vec<Step>,
        /// What is taken from each element.
        each: Box<JmExpr>,
        /// `a[].b[]`: the inner lists are spliced into one.
        splice: bool,
    },
    /// `list[?cond].each`: `each` on every element of the list at `steps` for which `cond` (also
    /// evaluated on the element) is truthy.
    Filter {
        /// Steps to the list.
        steps: Vec<Step>,
        /// The condition.
        cond: Box<JmExpr>,
        /// What is taken from each element kept.
        each: Box<JmExpr>,
        /// `a[?c].b[]`: the inner lists are spliced into one.
        splice: bool,
    },
    /// `map.*.each`: `each` on every value of the map at `steps` (in no particular order).
    Values {
        /// Steps to the map.
        steps: Vec<Step>,
        /// What is taken from each value.
        each: Box<JmExpr>,
        /// `a.*.b[]`: the inner lists are spliced into one.
        splice: bool,
    },
    /// A literal.
    Literal(Value),
    /// `length(x)`.
    Length(Box<JmExpr>),
    /// `contains(a, b)`.
    Contains(Box<JmExpr>, Box<JmExpr>),
    /// A comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`).
    Compare(&'static str, Box<JmExpr>, Box<JmExpr>),
    /// `a && b`.
    And(Box<JmExpr>, Box<JmExpr>),
    /// `a || b`.
    Or(Box<JmExpr>, Box<JmExpr>),
    /// `!a`.
    Not(Box<JmExpr>),
}

/// One field step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The Rust field name.
    pub field: String,
    /// Whether the field is required (not an `Option`).
    pub required: bool,
    /// Whether the field is boxed.
    pub boxed: bool,
}

/// How the value at the end of a path is seen by JMESPath.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaf {
    /// A scalar or a list of scalars: its value.
    Value,
    /// A structure, union, map, document, blob, timestamp or stream: an opaque object.
    Object,
    /// A list of structures: a list of opaque objects.
    Objects,
}

/// Builds a waiter; errors carry the JSON path below the waiter and a message.
pub(super) fn build(ir: &Ir, name: &str, op: OpId, w: &model::Waiter) -> Result<WaiterIr, (String, String)> {
    let operation = ir.op(op);
    let mut paths: Vec<JmExpr> = Vec::new();
    let mut acceptors = Vec::new();
    for (i, a) in w.acceptors.iter().enumerate() {
        let at = |what: &str| format!(".acceptors[{i}]{what}");
        let test = match a.matcher {
            model::Matcher::Path | model::Matcher::PathAll | model::Matcher::PathAny => {
                let arg = a.argument.as_deref().ok_or((at(""), format!("acceptor {i} has no argument")))?;
                let expr = jmespath::parse(arg)
                    .map_err(|e| (at(".argument"), format!("JMESPath `{arg}` is outside the supported subset: {e}")))?;
                let output = operation.output.ok_or((at(""), "path acceptor on an operation without output".into()))?;
                let typed = typed(ir, &expr, &RustType::Named(output))
                    .map_err(|e| (at(".argument"), format!("JMESPath `{arg}` does not fit the output: {e}")))?;
                let path = paths.iter().position(|p| *p == typed).unwrap_or_else(|| {
                    paths.push(typed);
                    paths.len() - 1
                });
                let mode = match a.matcher {
                    model::Matcher::Path => PathMode::Equals,
                    model::Matcher::PathAll => PathMode::All,
                    _ => PathMode::Any,
                };
                AcceptorTest::Path { path, mode, expected: a.expected.clone() }
            }
            model::Matcher::Status => {
                let code = a
                    .expected
                    .as_u64()
                    .and_then(|c| u16::try_from(c).ok())
                    .ok_or((at(".expected"), format!("status acceptor {i} expects a status code")))?;
                AcceptorTest::Status(code)
            }
            model::Matcher::Error => AcceptorTest::Error(match &a.expected {
                Value::Bool(true) => ErrorTest::Any,
                Value::Bool(false) => ErrorTest::None,
                Value::String(code) => ErrorTest::Code(code.clone()),
                other => {
                    return Err((
                        at(".expected"),
                        format!("error acceptor {i} expects a code or a boolean, not {other}"),
                    ))
                }
            }),
        };
        let state = match a.state {
            model::AcceptorState::Success => AcceptorState::Success,
            model::AcceptorState::Failure => AcceptorState::Failure,
            model::AcceptorState::Retry => AcceptorState::Retry,
        };
        acceptors.push(AcceptorIr { state, test });
    }
    Ok(WaiterIr {
        name: name.to_string(),
        method: format!("wait_until_{}", heck::ToSnakeCase::to_snake_case(name)),
        operation: op,
        description: w.description.clone(),
        delay: w.delay,
        max_attempts: w.max_attempts,
        paths,
        acceptors,
    })
}

/// Field steps for a path of fields on `ty`, and the type reached; `None` when `e` is not a path.
fn navigate(ir: &Ir, e: &Expr, ty: &RustType) -> Result<Option<(Vec<Step>, RustType)>, String> {
    Ok(match e {
        Expr::Current => Some((Vec::new(), ty.clone())),
        Expr::Field(member) => {
            let RustType::Named(id) = ty else {
                return Err(format!("`{member}` of a non-structure ({})", ir.display(ty)));
            };
            let Some(s) = ir.structure(*id) else {
                return Err(format!("`{member}` of {}, not a structure", ir.name(*id)));
            };
            let f =
                s.fields.iter().find(|f| &f.member == member).ok_or(format!("{} has no member `{member}`", s.name))?;
            Some((vec![Step { field: f.name.clone(), required: f.required, boxed: f.boxed }], f.ty.clone()))
        }
        Expr::Sub(a, b) => match navigate(ir, a, ty)? {
            Some((mut steps, t)) => navigate(ir, b, &t)?.map(|(more, t)| {
                steps.extend(more);
                (steps, t)
            }),
            None => None,
        },
        _ => None,
    })
}

/// How a value of `ty` is seen by JMESPath.
fn leaf(ir: &Ir, ty: &RustType) -> Leaf {
    let is_object = |t: &RustType| matches!(t, RustType::Named(id) if !matches!(ir.def(*id), TypeDef::Enum(_)));
    match ty {
        RustType::Named(_) if is_object(ty) => Leaf::Object,
        RustType::List(inner) if is_object(inner) => Leaf::Objects,
        RustType::Map(..)
        | RustType::Document
        | RustType::Blob
        | RustType::DateTime
        | RustType::EventStream(_)
        | RustType::EventSender(_) => Leaf::Object,
        _ => Leaf::Value,
    }
}

/// Types an expression evaluated on a value of `ty`.
fn typed(ir: &Ir, e: &Expr, ty: &RustType) -> Result<JmExpr, String> {
    if let Some((steps, t)) = navigate(ir, e, ty)? {
        return Ok(JmExpr::Path { steps, leaf: leaf(ir, &t) });
    }
    let two = |a: &Expr, b: &Expr| -> Result<(Box<JmExpr>, Box<JmExpr>), String> {
        Ok((Box::new(typed(ir, a, ty)?), Box::new(typed(ir, b, ty)?)))
    };
    Ok(match e {
        Expr::Project(list, rest, _) => {
            let (steps, t) = navigate(ir, list, ty)?.ok_or("a projection needs a field path on its left")?;
            let RustType::List(inner) = t else {
                return Err(format!("projection over a non-list ({})", ir.display(&t)));
            };
            let each = typed(ir, rest, &inner)?;
            // `a[].b[]`: the inner flatten splices each element's list into one.
            let splice = matches!(**rest, Expr::Project(_, _, true));
            JmExpr::Project { steps, each: Box::new(each), splice }
        }
        Expr::Filter(list, cond, rest) => {
            let (steps, t) = navigate(ir, list, ty)?.ok_or("a filter needs a field path on its left")?;
            let RustType::List(inner) = t else { return Err(format!("filter over a non-list ({})", ir.display(&t))) };
            let cond = typed(ir, cond, &inner)?;
            let each = typed(ir, rest, &inner)?;
            let splice = matches!(**rest, Expr::Project(_, _, true));
            JmExpr::Filter { steps, cond: Box::new(cond), each: Box::new(each), splice }
        }
        Expr::Values(map, rest) => {
            let (steps, t) = navigate(ir, map, ty)?.ok_or("`.*` needs a field path on its left")?;
            let RustType::Map(_, value) = t else {
                return Err(format!("`.*` over a non-map ({}); only maps are objects here", ir.display(&t)));
            };
            let splice = matches!(**rest, Expr::Project(_, _, true));
            JmExpr::Values { steps, each: Box::new(typed(ir, rest, &value)?), splice }
        }
        Expr::Literal(v) => JmExpr::Literal(v.clone()),
        Expr::Call(f, args) => match (f.as_str(), args.as_slice()) {
            ("length", [a]) => JmExpr::Length(Box::new(typed(ir, a, ty)?)),
            ("contains", [a, b]) => {
                let (a, b) = two(a, b)?;
                JmExpr::Contains(a, b)
            }
            _ => return Err(format!("function {f}")),
        },
        Expr::Compare(op, a, b) => {
            let (a, b) = two(a, b)?;
            JmExpr::Compare(op, a, b)
        }
        Expr::And(a, b) => {
            let (a, b) = two(a, b)?;
            JmExpr::And(a, b)
        }
        Expr::Or(a, b) => {
            let (a, b) = two(a, b)?;
            JmExpr::Or(a, b)
        }
        Expr::Not(a) => JmExpr::Not(Box::new(typed(ir, a, ty)?)),
        Expr::Current | Expr::Field(_) | Expr::Sub(..) => return Err("unsupported path".into()),
    })
}
