//! [`Value`]: a value in rule evaluation.

use std::collections::HashMap;

/// A value in rule evaluation.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string.
    String(String),
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A list (e.g. `stringArray` parameters, ARN resource ids).
    Array(Vec<Value>),
    /// A record (the result of `aws.partition`, `parseURL`, `aws.parseArn`).
    Record(HashMap<String, Value>),
}

impl Value {
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn from_json(v: &serde_json::Value) -> Option<Value> {
        Some(match v {
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Int(n.as_i64()?),
            serde_json::Value::Array(a) => Value::Array(a.iter().filter_map(Value::from_json).collect()),
            serde_json::Value::Object(o) => {
                Value::Record(o.iter().filter_map(|(k, v)| Some((k.clone(), Value::from_json(v)?))).collect())
            }
            serde_json::Value::Null => return None,
        })
    }

    pub(crate) fn to_json(&self) -> serde_json::Value {
        match self {
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Array(a) => serde_json::Value::Array(a.iter().map(Value::to_json).collect()),
            Value::Record(r) => serde_json::Value::Object(r.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
