//! serde helpers for body members with a non-default timestamp format (`timestampFormat`).

use super::DateTime;
use serde::Serializer;

/// An optional timestamp as ISO 8601.
pub fn iso8601<S: Serializer>(v: &Option<DateTime>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(t) => s.serialize_str(&t.to_iso8601()),
        None => s.serialize_none(),
    }
}

/// An optional timestamp as HTTP-date.
pub fn http_date<S: Serializer>(v: &Option<DateTime>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(t) => s.serialize_str(&t.to_http_date()),
        None => s.serialize_none(),
    }
}

/// A required timestamp as ISO 8601.
pub fn iso8601_required<S: Serializer>(v: &DateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_iso8601())
}

/// A required timestamp as HTTP-date.
pub fn http_date_required<S: Serializer>(v: &DateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_http_date())
}
