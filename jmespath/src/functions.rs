//! The built-in functions: their signatures (checked when an expression is parsed, for the name
//! and arity, and when it is evaluated, for the types) and their implementations.
//!
//! Numbers: integers stay integers where the result is one (`abs`, `sum` of integers, `ceil`,
//! `floor`, `length`, `to_number('12')`); `avg` and anything involving a float are floats.

use crate::ast::Expr;
use crate::error::{Error, ErrorKind};
use crate::interpreter::{equal, eval, number_cmp, search};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::cmp::Ordering;

/// A parameter type of the specification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Any,
    Number,
    String,
    Array,
    Object,
    ArrayNumber,
    ArrayString,
    ExpRef,
}

impl Ty {
    fn describe(self) -> &'static str {
        match self {
            Ty::Any => "any value",
            Ty::Number => "a number",
            Ty::String => "a string",
            Ty::Array => "an array",
            Ty::Object => "an object",
            Ty::ArrayNumber => "an array of numbers",
            Ty::ArrayString => "an array of strings",
            Ty::ExpRef => "an expression reference (&expr)",
        }
    }
}

/// An implementation: the arguments, their types checked.
type Implementation = fn(&[Arg<'_, '_>]) -> Result<Value, Error>;

/// A function's parameters, each with the types it accepts (with `variadic`, the last one repeats,
/// at least once), and its implementation.
struct Signature {
    name: &'static str,
    params: &'static [&'static [Ty]],
    variadic: bool,
    run: Implementation,
}

const fn sig(name: &'static str, params: &'static [&'static [Ty]], run: Implementation) -> Signature {
    Signature { name, params, variadic: false, run }
}

const NUMBER: &[Ty] = &[Ty::Number];
const STRING: &[Ty] = &[Ty::String];
const ARRAY: &[Ty] = &[Ty::Array];
const OBJECT: &[Ty] = &[Ty::Object];
const ANY: &[Ty] = &[Ty::Any];
const EXPREF: &[Ty] = &[Ty::ExpRef];
const NUMBERS_OR_STRINGS: &[Ty] = &[Ty::ArrayNumber, Ty::ArrayString];

const FUNCTIONS: &[Signature] = &[
    sig("abs", &[NUMBER], abs),
    sig("avg", &[&[Ty::ArrayNumber]], avg),
    sig("ceil", &[NUMBER], ceil),
    sig("contains", &[&[Ty::Array, Ty::String], ANY], contains),
    sig("ends_with", &[STRING, STRING], ends_with),
    sig("floor", &[NUMBER], floor),
    sig("join", &[STRING, &[Ty::ArrayString]], join),
    sig("keys", &[OBJECT], keys),
    sig("length", &[&[Ty::String, Ty::Array, Ty::Object]], length),
    sig("map", &[EXPREF, ARRAY], map),
    sig("max", &[NUMBERS_OR_STRINGS], max),
    sig("max_by", &[ARRAY, EXPREF], max_by),
    Signature { name: "merge", params: &[OBJECT], variadic: true, run: merge },
    sig("min", &[NUMBERS_OR_STRINGS], min),
    sig("min_by", &[ARRAY, EXPREF], min_by),
    Signature { name: "not_null", params: &[ANY], variadic: true, run: not_null },
    sig("reverse", &[&[Ty::String, Ty::Array]], reverse),
    sig("sort", &[NUMBERS_OR_STRINGS], sort),
    sig("sort_by", &[ARRAY, EXPREF], sort_by),
    sig("starts_with", &[STRING, STRING], starts_with),
    sig("sum", &[&[Ty::ArrayNumber]], sum),
    sig("to_array", &[ANY], to_array),
    sig("to_string", &[ANY], to_string),
    sig("to_number", &[ANY], to_number),
    sig("type", &[ANY], type_of),
    sig("values", &[OBJECT], values),
];

/// The names of the built-in functions.
#[cfg(test)]
fn names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS.iter().map(|s| s.name)
}

fn lookup(name: &str) -> Result<&'static Signature, (ErrorKind, String)> {
    FUNCTIONS
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| (ErrorKind::UnknownFunction, format!("unknown function `{name}()`")))
}

fn check_arity(sig: &Signature, argc: usize) -> Result<(), (ErrorKind, String)> {
    let n = sig.params.len();
    let ok = if sig.variadic { argc >= n } else { argc == n };
    if ok {
        return Ok(());
    }
    let expected = match (sig.variadic, n) {
        (true, _) => format!("at least {n} argument{}", if n == 1 { "" } else { "s" }),
        (false, 1) => "1 argument".to_string(),
        (false, _) => format!("{n} arguments"),
    };
    Err((ErrorKind::InvalidArity, format!("{}() takes {expected}, got {argc}", sig.name)))
}

/// Checks that `name` is a built-in function taking `argc` arguments.
pub(crate) fn check_call(name: &str, argc: usize) -> Result<(), (ErrorKind, String)> {
    check_arity(lookup(name)?, argc)
}

/// An evaluated argument.
enum Arg<'e, 'a> {
    Value(Cow<'a, Value>),
    Ref(&'e Expr),
}

fn describe(arg: &Arg<'_, '_>) -> &'static str {
    match arg {
        Arg::Ref(_) => "an expression reference",
        Arg::Value(v) => match &**v {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        },
    }
}

fn accepts(ty: Ty, arg: &Arg<'_, '_>) -> bool {
    let v = match arg {
        Arg::Ref(_) => return ty == Ty::ExpRef,
        Arg::Value(v) => &**v,
    };
    match ty {
        Ty::Any => true,
        Ty::Number => v.is_number(),
        Ty::String => v.is_string(),
        Ty::Array => v.is_array(),
        Ty::Object => v.is_object(),
        Ty::ArrayNumber => v.as_array().is_some_and(|a| a.iter().all(Value::is_number)),
        Ty::ArrayString => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
        Ty::ExpRef => false,
    }
}

fn invalid_type(message: String) -> Error {
    Error::new(ErrorKind::InvalidType, message)
}

/// Calls the function `name` with `args` evaluated on `current`.
///
/// `eval` recurses through here for every function argument, so the frame stays small: each
/// function's implementation is a function of its own.
pub(crate) fn call(name: &str, args: &[Expr], current: &Value) -> Result<Value, Error> {
    let sig = lookup(name)
        .and_then(|sig| check_arity(sig, args.len()).map(|()| sig))
        .map_err(|(kind, m)| Error::new(kind, m))?;
    let mut evaluated = Vec::with_capacity(args.len());
    for (i, e) in args.iter().enumerate() {
        let arg = match e {
            Expr::ExpRef(inner) => Arg::Ref(inner),
            e => Arg::Value(eval(e, current)?),
        };
        let types = sig.params.get(i).or(sig.params.last()).copied().unwrap_or(ANY);
        if !types.iter().any(|t| accepts(*t, &arg)) {
            return Err(wrong_type(name, types, i, &arg));
        }
        evaluated.push(arg);
    }
    (sig.run)(&evaluated)
}

#[cold]
#[inline(never)]
fn wrong_type(name: &str, types: &[Ty], i: usize, arg: &Arg<'_, '_>) -> Error {
    let wanted: Vec<&str> = types.iter().map(|t| t.describe()).collect();
    invalid_type(format!("{name}() expects {} as argument {}, got {}", wanted.join(" or "), i + 1, describe(arg)))
}

/// The value of an argument (types already checked: a mismatch here is unreachable, and is
/// reported rather than panicking).
fn val<'x>(args: &'x [Arg<'_, '_>], i: usize) -> &'x Value {
    static NULL: Value = Value::Null;
    match args.get(i) {
        Some(Arg::Value(v)) => v,
        _ => &NULL,
    }
}

fn expr<'e>(args: &[Arg<'e, '_>], i: usize) -> Result<&'e Expr, Error> {
    match args.get(i) {
        Some(Arg::Ref(e)) => Ok(e),
        _ => Err(invalid_type(format!("argument {} must be an expression reference", i + 1))),
    }
}

fn str_arg<'x>(args: &'x [Arg<'_, '_>], i: usize) -> Result<&'x str, Error> {
    val(args, i).as_str().ok_or_else(|| invalid_type(format!("argument {} must be a string", i + 1)))
}

fn array_arg<'x>(args: &'x [Arg<'_, '_>], i: usize) -> Result<&'x Vec<Value>, Error> {
    val(args, i).as_array().ok_or_else(|| invalid_type(format!("argument {} must be an array", i + 1)))
}

fn object_arg<'x>(args: &'x [Arg<'_, '_>], i: usize) -> Result<&'x Map<String, Value>, Error> {
    val(args, i).as_object().ok_or_else(|| invalid_type(format!("argument {} must be an object", i + 1)))
}

fn number_arg(args: &[Arg<'_, '_>], i: usize) -> Result<Number, Error> {
    match val(args, i) {
        Value::Number(n) => Ok(n.clone()),
        _ => Err(invalid_type(format!("argument {} must be a number", i + 1))),
    }
}

/// A float as a JSON number (non-finite results are errors: JSON has no infinity).
fn float(f: f64) -> Result<Value, Error> {
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| Error::new(ErrorKind::InvalidValue, format!("the result ({f}) is not a finite number")))
}

/// An integral float as an integer when it fits, else the float.
fn integral(f: f64) -> Result<Value, Error> {
    // Every float in this range converts exactly (and 2^63 itself does not fit an i64).
    if f.fract() == 0.0 && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
        Ok(Value::from(f as i64))
    } else {
        float(f)
    }
}

fn int(i: i128) -> Option<Value> {
    i64::try_from(i).map(Value::from).ok().or_else(|| u64::try_from(i).map(Value::from).ok())
}

/// The sum of numbers: exact while they are all integers (and fit), else `f64` in order.
fn sum_of(items: &[Value]) -> Result<Value, Error> {
    let mut exact: Option<i128> = Some(0);
    for item in items {
        let n = item.as_i64().map(i128::from).or_else(|| item.as_u64().map(i128::from));
        exact = match (exact, n) {
            (Some(total), Some(n)) => total.checked_add(n),
            _ => None,
        };
    }
    if let Some(v) = exact.and_then(int) {
        return Ok(v);
    }
    float(items.iter().filter_map(Value::as_f64).sum())
}

/// Orders two values of the same kind, numbers or strings.
fn order(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => number_cmp(x, y),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

/// The index of the first greatest (or least) item.
fn extreme(items: &[Value], want: Ordering) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, item) in items.iter().enumerate() {
        match best {
            Some(b) if order(item, &items[b]) != want => {}
            _ => best = Some(i),
        }
    }
    best
}

/// The keys `e` gives each item, which must be all numbers or all strings.
fn sort_keys(name: &str, items: &[Value], e: &Expr) -> Result<Vec<Value>, Error> {
    let keys = items.iter().map(|item| search(e, item)).collect::<Result<Vec<_>, _>>()?;
    let kind = |v: &Value| match v {
        Value::Number(_) => Some(0),
        Value::String(_) => Some(1),
        _ => None,
    };
    let first = keys.first().and_then(kind);
    for k in &keys {
        if kind(k).is_none() || kind(k) != first {
            return Err(invalid_type(format!(
                "{name}() needs the expression to give every element a number, or every element a string; got {}",
                describe(&Arg::Value(Cow::Borrowed(k)))
            )));
        }
    }
    Ok(keys)
}

fn abs(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    let n = number_arg(args, 0)?;
    match (n.as_i64(), n.as_u64()) {
        (Some(i), _) => Ok(Value::from(i.unsigned_abs())),
        (None, Some(u)) => Ok(Value::from(u)),
        _ => float(n.as_f64().unwrap_or_default().abs()),
    }
}

fn avg(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    let items = array_arg(args, 0)?;
    if items.is_empty() {
        return Ok(Value::Null);
    }
    let total: f64 = items.iter().filter_map(Value::as_f64).sum();
    float(total / items.len() as f64)
}

/// `ceil` (`up`) or `floor`: an integer stays as it is; a float becomes an integer if it fits.
fn round(args: &[Arg<'_, '_>], up: bool) -> Result<Value, Error> {
    let n = number_arg(args, 0)?;
    if n.is_f64() {
        let f = n.as_f64().unwrap_or_default();
        integral(if up { f.ceil() } else { f.floor() })
    } else {
        Ok(Value::Number(n))
    }
}

fn ceil(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    round(args, true)
}

fn floor(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    round(args, false)
}

fn contains(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    Ok(Value::Bool(match val(args, 0) {
        Value::Array(items) => items.iter().any(|item| equal(item, val(args, 1))),
        Value::String(s) => val(args, 1).as_str().is_some_and(|needle| s.contains(needle)),
        _ => false,
    }))
}

fn ends_with(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    Ok(Value::Bool(str_arg(args, 0)?.ends_with(str_arg(args, 1)?)))
}

fn starts_with(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    Ok(Value::Bool(str_arg(args, 0)?.starts_with(str_arg(args, 1)?)))
}

fn join(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    let glue = str_arg(args, 0)?;
    let parts: Vec<&str> = array_arg(args, 1)?.iter().filter_map(Value::as_str).collect();
    Ok(Value::String(parts.join(glue)))
}

fn keys(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    Ok(Value::Array(object_arg(args, 0)?.keys().map(|k| Value::String(k.clone())).collect()))
}

fn values(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    Ok(Value::Array(object_arg(args, 0)?.values().cloned().collect()))
}

fn length(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    Ok(Value::from(match val(args, 0) {
        Value::String(s) => s.chars().count(),
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        _ => 0,
    }))
}

fn map(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    let e = expr(args, 0)?;
    let items = array_arg(args, 1)?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(search(e, item)?);
    }
    Ok(Value::Array(out))
}

/// The first greatest (`Greater`) or least (`Less`) of numbers or strings; `null` if empty.
fn extreme_of(args: &[Arg<'_, '_>], want: Ordering) -> Result<Value, Error> {
    let items = array_arg(args, 0)?;
    Ok(extreme(items, want).and_then(|i| items.get(i)).cloned().unwrap_or(Value::Null))
}

fn max(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    extreme_of(args, Ordering::Greater)
}

fn min(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    extreme_of(args, Ordering::Less)
}

/// The first element with the greatest (`Greater`) or least (`Less`) key; `null` if empty.
fn extreme_by(args: &[Arg<'_, '_>], name: &str, want: Ordering) -> Result<Value, Error> {
    let items = array_arg(args, 0)?;
    let keys = sort_keys(name, items, expr(args, 1)?)?;
    Ok(extreme(&keys, want).and_then(|i| items.get(i)).cloned().unwrap_or(Value::Null))
}

fn max_by(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    extreme_by(args, "max_by", Ordering::Greater)
}

fn min_by(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    extreme_by(args, "min_by", Ordering::Less)
}

fn merge(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    let mut out = Map::new();
    for i in 0..args.len() {
        for (k, v) in object_arg(args, i)? {
            out.insert(k.clone(), v.clone());
        }
    }
    Ok(Value::Object(out))
}

fn not_null(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    Ok((0..args.len()).map(|i| val(args, i)).find(|v| !v.is_null()).cloned().unwrap_or(Value::Null))
}

fn reverse(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    Ok(match val(args, 0) {
        Value::String(s) => Value::String(s.chars().rev().collect()),
        Value::Array(a) => Value::Array(a.iter().rev().cloned().collect()),
        _ => Value::Null,
    })
}

fn sort(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    let mut items = array_arg(args, 0)?.clone();
    items.sort_by(order);
    Ok(Value::Array(items))
}

fn sort_by(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    let items = array_arg(args, 0)?;
    let keys = sort_keys("sort_by", items, expr(args, 1)?)?;
    let mut pairs: Vec<(&Value, &Value)> = keys.iter().zip(items).collect();
    pairs.sort_by(|a, b| order(a.0, b.0));
    Ok(Value::Array(pairs.into_iter().map(|(_, item)| item.clone()).collect()))
}

fn sum(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    sum_of(array_arg(args, 0)?)
}

fn to_array(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    Ok(match val(args, 0) {
        Value::Array(a) => Value::Array(a.clone()),
        other => Value::Array(vec![other.clone()]),
    })
}

fn to_string(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    match val(args, 0) {
        Value::String(s) => Ok(Value::String(s.clone())),
        other => serde_json::to_string(other)
            .map(Value::String)
            .map_err(|e| Error::new(ErrorKind::InvalidValue, e.to_string())),
    }
}

fn to_number(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    Ok(match val(args, 0) {
        Value::Number(n) => Value::Number(n.clone()),
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(n @ Value::Number(_)) => n,
            _ => Value::Null,
        },
        _ => Value::Null,
    })
}

fn type_of(args: &[Arg<'_, '_>]) -> Result<Value, Error> {
    let name = match val(args, 0) {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    Ok(Value::String(name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_keep_their_kind() {
        assert_eq!(sum_of(&[json!(1), json!(2)]).unwrap(), json!(3));
        assert!(sum_of(&[json!(1), json!(2.5)]).unwrap().is_f64());
        assert_eq!(sum_of(&[json!(i64::MAX), json!(i64::MAX)]).unwrap(), json!(2 * (i64::MAX as u64)));
        assert!(sum_of(&[json!(u64::MAX), json!(u64::MAX)]).unwrap().is_f64());
        assert_eq!(integral(2.0).unwrap(), json!(2));
        assert!(integral(1e300).unwrap().is_f64());
        assert_eq!(integral(-9_223_372_036_854_775_808.0).unwrap(), json!(i64::MIN));
        assert!(float(f64::INFINITY).is_err());
    }

    #[test]
    fn every_function_has_a_signature() {
        assert_eq!(names().count(), 26);
        assert_eq!(check_call("merge", 0).unwrap_err().0, ErrorKind::InvalidArity);
        assert!(check_call("merge", 3).is_ok());
        assert_eq!(check_call("nope", 0).unwrap_err().0, ErrorKind::UnknownFunction);
    }
}
