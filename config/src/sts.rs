//! Role assumption (`AssumeRole`) and web identity (`AssumeRoleWithWebIdentity`), both through the
//! generated STS client.

use crate::Shared;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use stratus_runtime::credentials::{Credentials, CredentialsError, ProvideCredentials};
use stratus_runtime::http::BoxFuture;
use stratus_runtime::profile::Profile;
use stratus_runtime::Config;
use stratus_sts::types::{AssumeRoleInput, AssumeRoleWithWebIdentityInput};

/// One role to assume, as a profile describes it.
#[derive(Clone, PartialEq, Eq)]
pub struct RoleStep {
    /// The profile that asks for it.
    pub profile: String,
    /// `role_arn`.
    pub role_arn: String,
    /// `external_id`.
    pub external_id: Option<String>,
    /// `role_session_name`.
    pub session_name: Option<String>,
    /// `duration_seconds` (STS's default, one hour, when unset).
    pub duration_seconds: Option<i32>,
    /// `mfa_serial`: the MFA device whose code the [`MfaTokenProvider`](crate::MfaTokenProvider)
    /// supplies.
    pub mfa_serial: Option<String>,
}

impl std::fmt::Debug for RoleStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoleStep")
            .field("profile", &self.profile)
            .field("role_arn", &self.role_arn)
            .field("external_id", &self.external_id.as_ref().map(|_| "** redacted **"))
            .field("session_name", &self.session_name)
            .field("duration_seconds", &self.duration_seconds)
            .field("mfa_serial", &self.mfa_serial)
            .finish()
    }
}

impl RoleStep {
    pub(crate) fn from_profile(profile: &Profile, role_arn: &str) -> Result<RoleStep, CredentialsError> {
        let get = |k: &str| crate::profile_chain::nonempty(profile, k).map(str::to_string);
        let duration_seconds = match get("duration_seconds") {
            None => None,
            Some(v) => Some(v.parse::<i32>().ok().filter(|d| (900..=43200).contains(d)).ok_or_else(|| {
                CredentialsError::invalid(
                    "profile",
                    format!(
                        "{}: duration_seconds `{v}` is not a whole number of seconds from 900 to 43200",
                        profile.describe("duration_seconds")
                    ),
                )
            })?),
        };
        Ok(RoleStep {
            profile: profile.name.clone(),
            role_arn: role_arn.to_string(),
            external_id: get("external_id"),
            session_name: get("role_session_name"),
            duration_seconds,
            mfa_serial: get("mfa_serial"),
        })
    }
}

/// A session name when none is configured: `stratus-` and the time in milliseconds, as the AWS
/// SDKs name theirs.
fn default_session_name(now: SystemTime) -> String {
    let millis = now.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().as_millis();
    format!("stratus-{millis}")
}

/// The configuration the STS calls use: the loaded one (its endpoint settings and HTTP client), in
/// `us-east-1` when no region is configured, as aws-config does.
fn sts_config(shared: &Shared) -> Result<Config, CredentialsError> {
    match shared.base.region() {
        Some(_) => Ok(shared.base.clone()),
        None => shared.base.with_region("us-east-1").map_err(|e| CredentialsError::invalid("STS", e.to_string())),
    }
}

/// STS temporary credentials as ours: the account is the one in the assumed role's ARN.
fn from_sts(
    provider: &'static str,
    c: Option<stratus_sts::types::Credentials>,
    assumed_arn: Option<&str>,
    what: &str,
) -> Result<Credentials, CredentialsError> {
    let Some(c) = c else {
        return Err(CredentialsError::failed(provider, format!("{what}: the response has no Credentials")));
    };
    let expiry = SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(c.expiration.secs().max(0) as u64));
    let account = assumed_arn.and_then(|arn| arn.split(':').nth(4)).filter(|a| !a.is_empty()).map(str::to_string);
    Ok(Credentials::new(c.access_key_id, c.secret_access_key, Some(c.session_token), expiry, provider)
        .with_account_id(account))
}

/// Assumes `role` with `source` credentials.
pub(crate) async fn assume_role(
    shared: &Shared,
    source: Credentials,
    role: &RoleStep,
) -> Result<Credentials, CredentialsError> {
    const P: &str = "assume role";
    let what = format!("profile `{}`: assuming {}", role.profile, role.role_arn);
    let token_code = match &role.mfa_serial {
        None => None,
        Some(serial) => match &shared.mfa {
            Some(mfa) => Some(mfa.token(serial, &role.profile).await.map_err(|e| {
                CredentialsError::failed(P, format!("{what}: the MFA token for {serial} could not be had: {e}"))
            })?),
            None => {
                return Err(CredentialsError::invalid(
                    P,
                    format!(
                        "{what}: the profile sets mfa_serial = {serial}, but no MFA token callback is configured \
                         (stratus_config::Loader::mfa_token_provider)"
                    ),
                ))
            }
        },
    };
    let config = sts_config(shared)?.with_credentials_provider(Arc::new(source));
    let client = stratus_sts::Client::new(&config);
    let input = AssumeRoleInput {
        role_arn: role.role_arn.clone(),
        role_session_name: role.session_name.clone().unwrap_or_else(|| default_session_name(shared.env.now())),
        external_id: role.external_id.clone(),
        duration_seconds: role.duration_seconds,
        serial_number: token_code.as_ref().and(role.mfa_serial.clone()),
        token_code,
        ..Default::default()
    };
    let out = client.assume_role_with(input).await.map_err(|e| CredentialsError::failed(P, format!("{what}: {e}")))?;
    from_sts(P, out.credentials, out.assumed_role_user.as_ref().map(|u| u.arn.as_str()), &what)
}

/// Where a web identity token and the role it assumes are configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebIdentitySource {
    /// The role to assume.
    pub role_arn: String,
    /// The file holding the token (read again on every refresh: the token rotates).
    pub token_file: String,
    /// `role_session_name` / `AWS_ROLE_SESSION_NAME`.
    pub session_name: Option<String>,
    /// Where this was configured (`profile `A``, or the environment variables), for errors.
    pub origin: String,
}

/// Credentials for a role assumed with a web identity token (EKS IRSA, GitHub Actions OIDC...):
/// the token file is read and sent to STS `AssumeRoleWithWebIdentity`, which needs no
/// credentials.
#[derive(Debug, Clone)]
pub struct WebIdentityProvider {
    shared: Shared,
    source: Option<WebIdentitySource>,
}

const WEB: &str = "web identity";

impl WebIdentityProvider {
    /// The provider of a profile's `web_identity_token_file`.
    pub(crate) fn new(shared: Shared, source: WebIdentitySource) -> Self {
        WebIdentityProvider { shared, source: Some(source) }
    }

    /// The provider configured by `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN` and
    /// `AWS_ROLE_SESSION_NAME` ("not loaded" when the token file is not set).
    pub(crate) fn from_env(shared: Shared) -> Self {
        WebIdentityProvider { shared, source: None }
    }

    fn source(&self) -> Result<WebIdentitySource, CredentialsError> {
        if let Some(s) = &self.source {
            return Ok(s.clone());
        }
        let env = &self.shared.env;
        let Some(token_file) = env.get_nonempty("AWS_WEB_IDENTITY_TOKEN_FILE") else {
            return Err(CredentialsError::not_loaded(WEB, "AWS_WEB_IDENTITY_TOKEN_FILE is not set"));
        };
        let Some(role_arn) = env.get_nonempty("AWS_ROLE_ARN") else {
            return Err(CredentialsError::invalid(
                WEB,
                "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not: set the role to assume",
            ));
        };
        Ok(WebIdentitySource {
            role_arn: role_arn.trim().to_string(),
            token_file: token_file.trim().to_string(),
            session_name: env.get_nonempty("AWS_ROLE_SESSION_NAME"),
            origin: "AWS_WEB_IDENTITY_TOKEN_FILE".into(),
        })
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let source = self.source()?;
        let env = &self.shared.env;
        let what = format!(
            "{}: assuming {} with the web identity token in {}",
            source.origin, source.role_arn, source.token_file
        );
        let token = env
            .fs()
            .read_to_string(std::path::Path::new(&source.token_file))
            .await
            .map_err(|e| CredentialsError::invalid(WEB, format!("{what}: cannot read the token file: {e}")))?;
        let token = token.trim();
        if token.is_empty() {
            return Err(CredentialsError::invalid(WEB, format!("{what}: the token file is empty")));
        }
        let client = stratus_sts::Client::new(&sts_config(&self.shared)?);
        let input = AssumeRoleWithWebIdentityInput {
            role_arn: source.role_arn.clone(),
            role_session_name: source.session_name.clone().unwrap_or_else(|| default_session_name(env.now())),
            web_identity_token: token.to_string(),
            ..Default::default()
        };
        let out = client.assume_role_with_web_identity_with(input).await.map_err(|e| {
            let advice = match e.code() {
                Some("InvalidIdentityToken" | "ExpiredTokenException" | "ExpiredToken") => {
                    "; the token was refused: check that it is current and that the role trusts its issuer"
                }
                _ => "",
            };
            CredentialsError::failed(WEB, format!("{what}: {e}{advice}"))
        })?;
        from_sts(WEB, out.credentials, out.assumed_role_user.as_ref().map(|u| u.arn.as_str()), &what)
    }
}

impl ProvideCredentials for WebIdentityProvider {
    fn provide(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}
