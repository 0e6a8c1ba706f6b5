//! Value types shared by every generated client: [`DateTime`], [`Blob`], [`Document`], the
//! [`UnknownValue`] carried by enums, and [`Redacted`], what `Debug` prints for sensitive data.
//!
//! One file per concern: `date_time` (the type, its wire formats and serde), `blob`, `document`,
//! `union` (reading JSON unions), `unknown` (enum values this version does not know), `redact`
//! (keeping secrets out of `Debug` and error texts), and the serde helper modules
//! [`timestamp_format`] and [`float`]; everything is re-exported here.

mod blob;
mod date_time;
mod document;
pub mod float;
mod redact;
pub mod timestamp_format;
mod union;
mod unknown;

pub use blob::Blob;
pub use date_time::{DateTime, DateTimeParseError};
pub use document::Document;
pub use redact::{is_secret_header, json_error_text, Redacted, RedactedHeaders, Sensitive};
pub use union::{union_member, union_value};
pub use unknown::UnknownValue;

/// The map type of generated structures: a hash map that keeps its entries in insertion order, so
/// a request carries a map in the order the caller built it and a response's map reads in the
/// order the service sent it (re-exported from [`indexmap`]).
pub use indexmap::IndexMap;

/// A generated string enum (implemented by [`impl_string_enum!`](crate::impl_string_enum)): read
/// from and written as its text by the codecs that need no more than that.
pub trait StringEnum: for<'a> From<&'a str> + AsRef<str> {}
