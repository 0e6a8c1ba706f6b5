//! IAM Identity Center (SSO): the token `aws sso login` left in `~/.aws/sso/cache/`, refreshed
//! through SSO-OIDC `CreateToken` when it is about to expire (and written back, as the AWS CLI
//! does), exchanged for role credentials by SSO `GetRoleCredentials`.

use crate::Shared;
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};
use stratus_runtime::credentials::{Credentials, CredentialsError, ProvideCredentials};
use stratus_runtime::http::BoxFuture;
use stratus_runtime::types::DateTime;
use stratus_sso::types::GetRoleCredentialsInput;
use stratus_ssooidc::types::CreateTokenInput;

const P: &str = "SSO";

/// A token is refreshed when it expires within this window.
const REFRESH_WINDOW: Duration = Duration::from_secs(300);

/// An SSO profile: the legacy form (`sso_start_url` and `sso_region` in the profile) or an
/// `sso_session` reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoConfig {
    /// The profile.
    pub profile: String,
    /// `sso_session`, when the profile names a session.
    pub session_name: Option<String>,
    /// The start URL of the access portal.
    pub start_url: String,
    /// The region of IAM Identity Center.
    pub region: String,
    /// `sso_account_id`.
    pub account_id: Option<String>,
    /// `sso_role_name`.
    pub role_name: Option<String>,
}

/// Credentials of an SSO profile.
#[derive(Debug, Clone)]
pub struct SsoProvider {
    shared: Shared,
    config: SsoConfig,
}

/// The cached token file: its path (as the environment sees it) and its JSON object, every field
/// kept so that writing it back loses nothing the AWS CLI put there.
struct CachedToken {
    path: PathBuf,
    fields: Map<String, Value>,
}

impl CachedToken {
    fn str(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
    }

    fn time(&self, key: &str) -> Option<SystemTime> {
        let t = DateTime::parse_iso8601(self.str(key)?).ok()?;
        SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(t.secs().max(0) as u64))
    }
}

fn sha1_hex(text: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, text.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

impl SsoProvider {
    pub(crate) fn new(shared: Shared, config: SsoConfig) -> Self {
        SsoProvider { shared, config }
    }

    fn login_advice(&self) -> String {
        format!("run `aws sso login --profile {}`", self.config.profile)
    }

    /// `~/.aws/sso/cache/<sha1 of the session name, or of the start URL>.json`.
    fn cache_path(&self) -> Result<PathBuf, CredentialsError> {
        let Some(home) = self.shared.env.home_dir() else {
            return Err(CredentialsError::invalid(P, "no home directory (HOME) to find the SSO token cache in"));
        };
        let key = self.config.session_name.as_deref().unwrap_or(&self.config.start_url);
        Ok(home.join(".aws").join("sso").join("cache").join(format!("{}.json", sha1_hex(key))))
    }

    async fn read_token(&self) -> Result<CachedToken, CredentialsError> {
        let path = self.cache_path()?;
        let fail = |why: String| {
            CredentialsError::invalid(P, format!("profile `{}`: {why}; {}", self.config.profile, self.login_advice()))
        };
        let bytes = self
            .shared
            .env
            .fs()
            .read(&path)
            .await
            .map_err(|e| fail(format!("failed to read `{}`: {e}", path.display())))?;
        let fields = match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => map,
            _ => return Err(fail(format!("`{}` is not a JSON object", path.display()))),
        };
        let token = CachedToken { path, fields };
        if token.str("accessToken").is_none() || token.time("expiresAt").is_none() {
            return Err(fail(format!("`{}` lacks accessToken or a valid expiresAt", token.path.display())));
        }
        Ok(token)
    }

    /// Refreshes a session token through SSO-OIDC and writes it back. `Ok(false)` when the token
    /// cannot be refreshed (a legacy profile, no refresh token, or an expired client
    /// registration).
    async fn refresh(&self, token: &mut CachedToken) -> Result<bool, CredentialsError> {
        let now = self.shared.env.now();
        if self.config.session_name.is_none() {
            return Ok(false);
        }
        let (Some(client_id), Some(client_secret), Some(refresh_token)) =
            (token.str("clientId"), token.str("clientSecret"), token.str("refreshToken"))
        else {
            return Ok(false);
        };
        if token.time("registrationExpiresAt").is_some_and(|t| t <= now) {
            return Ok(false);
        }
        let config =
            self.shared.base.with_region(&self.config.region).map_err(|e| {
                CredentialsError::invalid(P, format!("profile `{}`: sso_region: {e}", self.config.profile))
            })?;
        let client = stratus_ssooidc::Client::new(&config);
        let input = CreateTokenInput {
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
            grant_type: "refresh_token".into(),
            refresh_token: Some(refresh_token.to_string()),
            ..Default::default()
        };
        let out = client.create_token_with(input).await.map_err(|e| {
            CredentialsError::failed(
                P,
                format!(
                    "profile `{}`: refreshing the SSO token failed: {e}; {}",
                    self.config.profile,
                    self.login_advice()
                ),
            )
        })?;
        let (Some(access), Some(expires_in)) = (out.access_token, out.expires_in) else {
            return Err(CredentialsError::failed(P, "CreateToken answered without accessToken or expiresIn"));
        };
        // Whole seconds, as the AWS CLI writes them (other SDKs read this file too).
        let now_secs = now.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().as_secs();
        let expires_at = DateTime::from_secs((now_secs + expires_in.max(0) as u64) as i64);
        token.fields.insert("accessToken".into(), Value::String(access));
        token.fields.insert("expiresAt".into(), Value::String(expires_at.to_iso8601()));
        if let Some(r) = out.refresh_token {
            token.fields.insert("refreshToken".into(), Value::String(r));
        }
        // Written back for the next process (and the AWS CLI); if that fails (a read-only home, say),
        // this process still has the new token.
        if let Ok(text) = serde_json::to_vec_pretty(&Value::Object(token.fields.clone())) {
            let _ = self.shared.env.fs().write(&token.path, &text).await;
        }
        Ok(true)
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let (Some(account_id), Some(role_name)) = (&self.config.account_id, &self.config.role_name) else {
            return Err(CredentialsError::invalid(
                P,
                format!(
                    "profile `{}` names sso-session `{}` but not sso_account_id and sso_role_name, so it has a \
                     token but no role to get credentials for",
                    self.config.profile,
                    self.config.session_name.as_deref().unwrap_or_default()
                ),
            ));
        };
        let mut token = self.read_token().await?;
        let now = self.shared.env.now();
        let expires = token.time("expiresAt").unwrap_or(SystemTime::UNIX_EPOCH);
        if expires <= now + REFRESH_WINDOW {
            let refreshed = match self.refresh(&mut token).await {
                Ok(r) => r,
                // A failed refresh of a token that still works is not fatal.
                Err(_) if expires > now => false,
                Err(e) => {
                    // Another process may have refreshed it meanwhile (its refresh token then
                    // replaced ours): use what the cache holds now if it is current.
                    match self.read_token().await {
                        Ok(t) if t.time("expiresAt").is_some_and(|x| x > now) => {
                            token = t;
                            true
                        }
                        _ => return Err(e),
                    }
                }
            };
            if !refreshed && expires <= now {
                return Err(CredentialsError::invalid(
                    P,
                    format!(
                        "profile `{}`: the SSO token in `{}` expired at {} and cannot be refreshed ({}); {}",
                        self.config.profile,
                        token.path.display(),
                        DateTime::from(expires),
                        if self.config.session_name.is_some() {
                            "no refresh token, or its client registration expired"
                        } else {
                            "a legacy sso_start_url profile has no refresh token; an sso_session profile does"
                        },
                        self.login_advice()
                    ),
                ));
            }
        }
        let access_token = token.str("accessToken").unwrap_or_default().to_string();
        let config =
            self.shared.base.with_region(&self.config.region).map_err(|e| {
                CredentialsError::invalid(P, format!("profile `{}`: sso_region: {e}", self.config.profile))
            })?;
        let client = stratus_sso::Client::new(&config);
        let input =
            GetRoleCredentialsInput { role_name: role_name.clone(), account_id: account_id.clone(), access_token };
        let out = client.get_role_credentials_with(input).await.map_err(|e| {
            let advice = if e.code() == Some("UnauthorizedException") {
                format!("; {}", self.login_advice())
            } else {
                String::new()
            };
            CredentialsError::failed(
                P,
                format!(
                    "profile `{}`: an error occurred while loading credentials for role {role_name} in account \
                     {account_id}: {e}{advice}",
                    self.config.profile
                ),
            )
        })?;
        let rc = out.role_credentials.unwrap_or_default();
        let (Some(id), Some(secret)) = (rc.access_key_id, rc.secret_access_key) else {
            return Err(CredentialsError::failed(P, "GetRoleCredentials answered without an access key"));
        };
        let expiry =
            rc.expiration.and_then(|ms| SystemTime::UNIX_EPOCH.checked_add(Duration::from_millis(ms.max(0) as u64)));
        Ok(Credentials::new(id, secret, rc.session_token, expiry, P).with_account_id(Some(account_id.clone())))
    }
}

impl ProvideCredentials for SsoProvider {
    fn provide(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cache_key_is_the_sha1_of_the_start_url() {
        // The file name `aws sso login` uses for this start URL (from the recorded scenarios).
        assert_eq!(super::sha1_hex("https://ssotest.awsapps.com/start"), "dace00cba5f8355ec9d274ceb2bcebdfbeed0e12");
    }
}
