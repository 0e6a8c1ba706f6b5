//! RFC 3986 percent-encoding: the one encoder of the runtime, used for URI labels and query
//! strings on the wire and for SigV4's canonical URIs and queries.

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
