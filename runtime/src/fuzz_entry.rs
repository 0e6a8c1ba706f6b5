//! Entry points for the fuzz targets in `fuzz/` (not part of the public API): functions that are
//! private to the runtime but read untrusted input.

use crate::credentials::{Credentials, CredentialsError};

/// Parses the credentials JSON a `credential_process` prints or a container/IMDS endpoint answers.
pub fn credentials_json(text: &[u8]) -> Result<Credentials, CredentialsError> {
    crate::credentials::parse_credentials_json("fuzz", text, "fuzz input")
}

/// The endpoint rule engine's regex matcher (partition `regionRegex` patterns).
pub fn regex_is_match(pattern: &str, text: &str) -> bool {
    stratus_endpoint::__fuzz::regex_is_match(pattern, text)
}

/// Everything the client reads from the head and body of an error response: request id, error
/// code and message, the server's retry hint and clock.
pub fn response_metadata(raw: &crate::error::RawResponse) -> String {
    let (code, message) = crate::operation::error_code_and_message(raw);
    let retry_after = crate::retry::retry_after_hint(&raw.headers, std::time::SystemTime::now());
    let date = raw.headers.get("date").and_then(|v| v.to_str().ok()).map(crate::types::DateTime::parse_http_date);
    let class = crate::retry::classify_response(&code, raw.status, None);
    format!("{:?} {code} {message:?} {retry_after:?} {date:?} {class:?} {raw:?}", raw.request_id())
}
