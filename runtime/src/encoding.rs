//! RFC 3986 percent-encoding: the one encoder of the runtime, used for URI labels and query
//! strings on the wire and for SigV4's canonical URIs and queries; and the text botocore writes for
//! floats and timestamps in form and XML bodies.

use crate::types::DateTime;

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Appends `s` to `out` with every byte other than the unreserved characters (`A-Z a-z 0-9 - . _
/// ~`) written as `%XX` (upper-case hex); `/` is kept as is when `keep_slash` is set (greedy
/// labels).
pub fn percent_encode(s: &str, keep_slash: bool, out: &mut String) {
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX_UPPER[usize::from(b >> 4)] as char);
            out.push(HEX_UPPER[usize::from(b & 15)] as char);
        }
    }
}

/// A timestamp format other than the default ISO 8601.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampFormat {
    /// RFC 3339 (the default).
    Iso8601,
    /// Seconds since the epoch.
    EpochSeconds,
    /// RFC 7231 HTTP-date.
    HttpDate,
}

/// A float as botocore writes it (Python's `str`): `NaN`, `Infinity`, `1.0`, `10.8`, `1e+20`.
pub fn format_float(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    let a = v.abs();
    if a != 0.0 && !(1e-4..1e16).contains(&a) {
        let s = format!("{v:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((s.as_str(), "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        return format!("{mantissa}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    if v.fract() == 0.0 {
        format!("{v:.1}")
    } else {
        v.to_string()
    }
}

/// A timestamp in `format`; ISO 8601 with microseconds only when there are any, as botocore.
pub fn format_timestamp(t: &DateTime, format: TimestampFormat) -> String {
    match format {
        TimestampFormat::EpochSeconds => t.to_epoch_string(),
        TimestampFormat::HttpDate => t.to_http_date(),
        TimestampFormat::Iso8601 => {
            let whole = DateTime::from_secs(t.secs()).to_iso8601();
            match t.subsec_nanos() / 1000 {
                0 => whole,
                micros => format!("{}.{micros:06}Z", whole.trim_end_matches('Z')),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn unreserved_kept_everything_else_escaped() {
        let mut out = String::new();
        super::percent_encode("a-Z_0.~/ é+", false, &mut out);
        assert_eq!(out, "a-Z_0.~%2F%20%C3%A9%2B");
        out.clear();
        super::percent_encode("a/b c", true, &mut out);
        assert_eq!(out, "a/b%20c");
    }
}
