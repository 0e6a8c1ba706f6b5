//! The credentials JSON a `credential_process` prints and the container and IMDS endpoints answer.

use super::{Credentials, CredentialsError};
use crate::types::DateTime;
use std::time::{Duration, SystemTime};

/// The JSON a `credential_process` prints (and the container endpoint answers, mostly).
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProcessOutput {
    version: Option<i64>,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    session_token: Option<String>,
    token: Option<String>,
    expiration: Option<String>,
    code: Option<String>,
    message: Option<String>,
    account_id: Option<String>,
}

pub(crate) fn parse_credentials_json(
    provider: &'static str,
    text: &[u8],
    place: &str,
) -> Result<Credentials, CredentialsError> {
    let out: ProcessOutput = serde_json::from_slice(text).map_err(|e| {
        CredentialsError::failed(
            provider,
            format!("{place}: output is not valid credentials JSON: {}", crate::types::json_error_text(&e)),
        )
    })?;
    if let Some(code) = out.code.as_deref().filter(|c| *c != "Success") {
        let msg = out.message.unwrap_or_default();
        return Err(CredentialsError::failed(provider, format!("{place}: returned {code}: {msg}")));
    }
    if let Some(v) = out.version.filter(|v| *v != 1) {
        return Err(CredentialsError::failed(provider, format!("{place}: unsupported Version {v} (expected 1)")));
    }
    let (Some(id), Some(secret)) = (out.access_key_id, out.secret_access_key) else {
        return Err(CredentialsError::failed(
            provider,
            format!("{place}: output lacks AccessKeyId or SecretAccessKey"),
        ));
    };
    let expiry = match out.expiration {
        Some(e) => Some(
            DateTime::parse_iso8601(&e)
                .map_err(|_| {
                    CredentialsError::failed(provider, format!("{place}: Expiration is not an ISO 8601 date-time"))
                })
                .and_then(|d| {
                    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(d.secs().max(0) as u64)).ok_or_else(|| {
                        CredentialsError::failed(provider, format!("{place}: Expiration is out of range"))
                    })
                })?,
        ),
        None => None,
    };
    Ok(Credentials::new(id, secret, out.session_token.or(out.token), expiry, provider)
        .with_account_id(out.account_id.filter(|a| !a.is_empty())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_json() {
        let c = parse_credentials_json(
            "t",
            br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T","Expiration":"2030-01-01T00:00:00Z"}"#,
            "here",
        )
        .unwrap();
        assert_eq!((c.access_key_id(), c.session_token()), ("A", Some("T")));
        assert!(c.expiry().is_some());
        let e = parse_credentials_json("t", b"{\"Version\":1}", "here").unwrap_err();
        assert!(e.message.contains("lacks AccessKeyId"), "{e}");
        let e = parse_credentials_json("t", b"not json", "cmd").unwrap_err();
        assert!(e.to_string().contains("cmd: output is not valid credentials JSON"), "{e}");
    }
}
