//! The interpreter: an [`Expr`] evaluated on a `serde_json::Value`.
//!
//! Values are borrowed from the document where possible (`Cow`), so a path through a large
//! document copies only what it returns.

use crate::ast::{Comparator, Expr};
use crate::error::{Error, ErrorKind};
use crate::functions;
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::cmp::Ordering;

static NULL: Value = Value::Null;

/// Evaluates `expr` on `data`.
pub(crate) fn search(expr: &Expr, data: &Value) -> Result<Value, Error> {
    eval(expr, data).map(Cow::into_owned)
}

/// `expr` on the result of a previous step, keeping a borrowed result borrowed.
fn then<'a>(lhs: Cow<'a, Value>, expr: &Expr) -> Result<Cow<'a, Value>, Error> {
    match lhs {
        Cow::Borrowed(v) => eval(expr, v),
        Cow::Owned(v) => Ok(Cow::Owned(eval(expr, &v)?.into_owned())),
    }
}

/// `rhs` on each of `items`, the `null` results dropped.
fn project<'v>(items: impl Iterator<Item = &'v Value>, rhs: &Expr) -> Result<Value, Error> {
    let mut out = Vec::new();
    for item in items {
        let r = eval(rhs, item)?;
        if !r.is_null() {
            out.push(r.into_owned());
        }
    }
    Ok(Value::Array(out))
}

/// Evaluates `expr` on `v`.
///
/// This recurses once per level of the tree (through one helper), so it keeps a small stack frame
/// (which matters in unoptimized builds): every arm is a call whose result is returned as it is.
pub(crate) fn eval<'a>(expr: &Expr, v: &'a Value) -> Result<Cow<'a, Value>, Error> {
    match expr {
        Expr::Identity => Ok(Cow::Borrowed(v)),
        Expr::Field(name) => Ok(Cow::Borrowed(v.as_object().and_then(|m| m.get(name)).unwrap_or(&NULL))),
        Expr::Subexpr(a, b) | Expr::Pipe(a, b) => chain(a, b, v),
        Expr::Index(i) => Ok(Cow::Borrowed(match v {
            Value::Array(items) => index(items, *i).unwrap_or(&NULL),
            _ => &NULL,
        })),
        Expr::Slice { start, stop, step } => slice(v, *start, *stop, *step),
        Expr::Projection(lhs, rhs) => list_projection(lhs, rhs, v),
        Expr::ValueProjection(lhs, rhs) => value_projection(lhs, rhs, v),
        Expr::FilterProjection(lhs, cond, rhs) => filter_projection(lhs, cond, rhs, v),
        Expr::Flatten(inner) => flatten(inner, v),
        Expr::MultiSelectList(items) => multi_select_list(items, v),
        Expr::MultiSelectHash(pairs) => multi_select_hash(pairs, v),
        Expr::Literal(value) => Ok(Cow::Owned(value.clone())),
        Expr::Not(a) => not(a, v),
        Expr::And(a, b) => logical(a, b, v, false),
        Expr::Or(a, b) => logical(a, b, v, true),
        Expr::Compare(op, a, b) => compare(*op, a, b, v),
        Expr::Function(name, args) => functions::call(name, args, v).map(Cow::Owned),
        Expr::ExpRef(_) => Err(expref_misplaced()),
    }
}

#[cold]
#[inline(never)]
fn expref_misplaced() -> Error {
    Error::new(
        ErrorKind::InvalidType,
        "an expression reference (&…) is only valid as the argument of a function that takes one",
    )
}

/// `a.b` and `a | b`: `b` on the result of `a`.
fn chain<'a>(a: &Expr, b: &Expr, v: &'a Value) -> Result<Cow<'a, Value>, Error> {
    then(eval(a, v)?, b)
}

fn list_projection<'a>(lhs: &Expr, rhs: &Expr, v: &'a Value) -> Result<Cow<'a, Value>, Error> {
    let base = eval(lhs, v)?;
    match &*base {
        Value::Array(items) => project(items.iter(), rhs).map(Cow::Owned),
        _ => Ok(Cow::Borrowed(&NULL)),
    }
}

fn value_projection<'a>(lhs: &Expr, rhs: &Expr, v: &'a Value) -> Result<Cow<'a, Value>, Error> {
    let base = eval(lhs, v)?;
    match &*base {
        Value::Object(map) => project(map.values(), rhs).map(Cow::Owned),
        _ => Ok(Cow::Borrowed(&NULL)),
    }
}

fn filter_projection<'a>(lhs: &Expr, cond: &Expr, rhs: &Expr, v: &'a Value) -> Result<Cow<'a, Value>, Error> {
    let base = eval(lhs, v)?;
    let Value::Array(items) = &*base else { return Ok(Cow::Borrowed(&NULL)) };
    let mut kept = Vec::new();
    for item in items {
        if truthy(&*eval(cond, item)?) {
            kept.push(item);
        }
    }
    project(kept.into_iter(), rhs).map(Cow::Owned)
}

fn flatten<'a>(inner: &Expr, v: &'a Value) -> Result<Cow<'a, Value>, Error> {
    let base = eval(inner, v)?;
    let Value::Array(items) = &*base else { return Ok(Cow::Borrowed(&NULL)) };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::Array(inner) => out.extend(inner.iter().cloned()),
            other => out.push(other.clone()),
        }
    }
    Ok(Cow::Owned(Value::Array(out)))
}

fn multi_select_list<'a>(items: &[Expr], v: &'a Value) -> Result<Cow<'a, Value>, Error> {
    if v.is_null() {
        return Ok(Cow::Borrowed(&NULL));
    }
    let mut out = Vec::with_capacity(items.len());
    for e in items {
        out.push(eval(e, v)?.into_owned());
    }
    Ok(Cow::Owned(Value::Array(out)))
}

fn multi_select_hash<'a>(pairs: &[(String, Expr)], v: &'a Value) -> Result<Cow<'a, Value>, Error> {
    if v.is_null() {
        return Ok(Cow::Borrowed(&NULL));
    }
    let mut map = Map::new();
    for (key, e) in pairs {
        map.insert(key.clone(), eval(e, v)?.into_owned());
    }
    Ok(Cow::Owned(Value::Object(map)))
}

fn not<'a>(a: &Expr, v: &'a Value) -> Result<Cow<'a, Value>, Error> {
    let value = eval(a, v)?;
    Ok(Cow::Owned(Value::Bool(!truthy(&value))))
}

/// `a || b` (`or`) and `a && b`.
fn logical<'a>(a: &Expr, b: &Expr, v: &'a Value, or: bool) -> Result<Cow<'a, Value>, Error> {
    let left = eval(a, v)?;
    if truthy(&left) == or {
        Ok(left)
    } else {
        eval(b, v)
    }
}

fn compare<'a>(op: Comparator, a: &Expr, b: &Expr, v: &'a Value) -> Result<Cow<'a, Value>, Error> {
    let left = eval(a, v)?;
    let right = eval(b, v)?;
    Ok(Cow::Owned(compare_values(op, &left, &right)))
}

/// The element at `i` (negative: from the end).
fn index(items: &[Value], i: i64) -> Option<&Value> {
    let len = i128::try_from(items.len()).ok()?;
    let i = i128::from(i);
    let at = if i < 0 { len + i } else { i };
    usize::try_from(at).ok().and_then(|at| items.get(at))
}

fn slice<'a>(v: &'a Value, start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> Result<Cow<'a, Value>, Error> {
    match v {
        Value::Array(items) => Ok(Cow::Owned(Value::Array(slice_items(items, start, stop, step)?))),
        _ => Ok(Cow::Borrowed(&NULL)),
    }
}

/// Python slice semantics, in `i128` so no bound or step can overflow.
fn slice_items(items: &[Value], start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> Result<Vec<Value>, Error> {
    let step = i128::from(step.unwrap_or(1));
    if step == 0 {
        return Err(Error::new(ErrorKind::InvalidValue, "a slice step cannot be 0"));
    }
    let len = items.len() as i128;
    // A bound as an index in `lo..=hi`: negative counts from the end.
    let clamp = |b: i64, lo: i128, hi: i128| {
        let b = i128::from(b);
        let b = if b < 0 { b + len } else { b };
        b.clamp(lo, hi)
    };
    let (start, stop) = if step > 0 {
        (start.map_or(0, |s| clamp(s, 0, len)), stop.map_or(len, |s| clamp(s, 0, len)))
    } else {
        (start.map_or(len - 1, |s| clamp(s, -1, len - 1)), stop.map_or(-1, |s| clamp(s, -1, len - 1)))
    };
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        if let Some(item) = usize::try_from(i).ok().and_then(|i| items.get(i)) {
            out.push(item.clone());
        }
        i += step;
    }
    Ok(out)
}

/// JMESPath truthiness: `null`, `false`, `""`, `[]` and `{}` are false; everything else (including
/// `0`) is true.
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::Number(_) => true,
    }
}

fn compare_values(op: Comparator, a: &Value, b: &Value) -> Value {
    match op {
        Comparator::Eq => Value::Bool(equal(a, b)),
        Comparator::Ne => Value::Bool(!equal(a, b)),
        _ => match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                let ord = number_cmp(x, y);
                Value::Bool(match op {
                    Comparator::Lt => ord == Ordering::Less,
                    Comparator::Le => ord != Ordering::Greater,
                    Comparator::Gt => ord == Ordering::Greater,
                    _ => ord != Ordering::Less,
                })
            }
            _ => Value::Null,
        },
    }
}

/// Orders two numbers by value: exactly between integers, as `f64` otherwise.
pub(crate) fn number_cmp(a: &Number, b: &Number) -> Ordering {
    let int = |n: &Number| n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from));
    match (int(a), int(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => {
            let (x, y) = (a.as_f64().unwrap_or(f64::NAN), b.as_f64().unwrap_or(f64::NAN));
            x.partial_cmp(&y).unwrap_or(Ordering::Equal)
        }
    }
}

/// Deep equality, numbers by value (`1 == 1.0`), objects regardless of key order. Iterative, so a
/// deeply nested document cannot exhaust the stack.
pub(crate) fn equal(a: &Value, b: &Value) -> bool {
    let mut pending = vec![(a, b)];
    while let Some((a, b)) = pending.pop() {
        match (a, b) {
            (Value::Null, Value::Null) => {}
            (Value::Bool(x), Value::Bool(y)) if x == y => {}
            (Value::String(x), Value::String(y)) if x == y => {}
            (Value::Number(x), Value::Number(y)) if number_cmp(x, y) == Ordering::Equal => {}
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => pending.extend(x.iter().zip(y)),
            (Value::Object(x), Value::Object(y)) if x.len() == y.len() => {
                for (k, xv) in x {
                    match y.get(k) {
                        Some(yv) => pending.push((xv, yv)),
                        None => return false,
                    }
                }
            }
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn slices() {
        let items: Vec<Value> = (0..10).map(Value::from).collect();
        let s = |a, b, c| slice_items(&items, a, b, c).unwrap();
        assert_eq!(s(None, None, Some(-1)), (0..10).rev().map(Value::from).collect::<Vec<_>>());
        assert_eq!(s(Some(10), Some(-20), Some(-1)).len(), 10);
        assert_eq!(s(Some(-4), Some(-1), None), vec![json!(6), json!(7), json!(8)]);
        assert_eq!(s(None, None, Some(i64::MAX)), vec![json!(0)]);
        assert_eq!(s(None, None, Some(i64::MIN)), vec![json!(9)]);
        assert_eq!(s(Some(i64::MIN), Some(i64::MAX), None).len(), 10);
        assert_eq!(s(Some(i64::MAX), Some(i64::MIN), Some(-1)).len(), 10);
        assert!(slice_items(&items, None, None, Some(0)).is_err());
        assert!(slice_items(&[], None, None, Some(-1)).unwrap().is_empty());
    }

    #[test]
    fn equality_and_order() {
        assert!(equal(&json!({"a": [1, 2.0]}), &json!({"a": [1.0, 2]})));
        assert!(!equal(&json!([1]), &json!([true])));
        assert!(!equal(&json!({"a": 1}), &json!({"b": 1})));
        assert_eq!(number_cmp(&Number::from(u64::MAX), &Number::from(i64::MIN)), Ordering::Greater);
        assert_eq!(compare_values(Comparator::Lt, &json!("a"), &json!("b")), Value::Null);
        assert_eq!(index(&[json!(1)], i64::MIN), None);
    }
}
