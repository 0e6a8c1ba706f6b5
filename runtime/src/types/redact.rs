//! Keeping secrets out of output: [`Redacted`], what `Debug` prints for sensitive data;
//! [`Sensitive`], a value that never prints; `Debug` of header maps that hides secret headers; and
//! JSON error texts that do not quote the data.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Printed by `Debug` in place of sensitive values.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("*** Sensitive Data Redacted ***")
    }
}

/// Describes a JSON error without quoting the data: serde's data errors quote the offending value
/// (`invalid type: string "…", expected i32`), which may be a sensitive member or a secret. What is
/// kept: the kind of error, what was expected, and the position.
pub fn json_error_text(e: &serde_json::Error) -> String {
    let full = e.to_string();
    if e.classify() != serde_json::error::Category::Data {
        return full;
    }
    let msg = full.rsplit_once(" at line ").map_or(full.as_str(), |(m, _)| m);
    if msg.starts_with("missing field") || msg.starts_with("duplicate field") {
        return full;
    }
    let what = ["invalid type", "invalid value", "invalid length", "unknown variant", "unknown field"]
        .into_iter()
        .find(|p| msg.starts_with(p))
        .unwrap_or("invalid data");
    let mut out = what.to_string();
    if let Some((_, expected)) = msg.split_once(", expected ") {
        out.push_str(" (expected ");
        out.push_str(expected);
        out.push(')');
    }
    if e.line() > 0 {
        out.push_str(&format!(" at line {} column {}", e.line(), e.column()));
    }
    out
}

/// Headers whose values carry secrets: `Debug` of requests and responses prints a placeholder for
/// them.
pub fn is_secret_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "authorization"
            | "proxy-authorization"
            | "x-amz-security-token"
            | "x-amz-sso_bearer_token"
            | "x-aws-ec2-metadata-token"
            | "cookie"
            | "set-cookie"
    )
}

/// `Debug` of a header map that prints secret header values (see [`is_secret_header`], and values
/// marked sensitive) as a placeholder.
pub struct RedactedHeaders<'a>(pub &'a http::HeaderMap);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if value.is_sensitive() || is_secret_header(name.as_str()) {
                map.entry(&name.as_str(), &Redacted);
            } else {
                map.entry(&name.as_str(), value);
            }
        }
        map.finish()
    }
}

/// A value that must not be printed: `Debug` shows a placeholder; the value is reached with
/// [`Sensitive::expose`] (or `Deref`), so reading it is always deliberate.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sensitive<T>(pub T);

impl<T> Sensitive<T> {
    /// The value.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::Deref for Sensitive<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&Redacted, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_hides_its_value() {
        let s = Sensitive("hunter2".to_string());
        assert_eq!(format!("{s:?}"), "*** Sensitive Data Redacted ***");
        assert_eq!(s.expose(), "hunter2");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"hunter2\"");
    }
}
