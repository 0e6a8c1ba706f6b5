//! Credentials and the providers that find them.
//!
//! [`DefaultChain`] tries, in order: the environment (`AWS_ACCESS_KEY_ID`...), the shared profile files
//! (static keys or `credential_process`), the container endpoint (ECS/EKS:
//! `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` / `_FULL_URI`), and EC2 instance metadata (IMDSv2). A
//! provider that is not configured passes to the next; one that is configured but fails stops the
//! chain with an error saying which provider, file, profile or line is at fault.
//!
//! [`CachingProvider`] keeps the credentials until shortly before they expire; when they must be
//! refreshed, concurrent callers wait for one refresh instead of each starting their own.
//!
//! Nothing that holds a secret prints it: `Debug` shows a placeholder.

use crate::env::Env;
use crate::http::{BoxFuture, HttpClient, HttpRequest};
use crate::profile::{Profile, ProfileSet};
use crate::types::{DateTime, Redacted};
use bytes::Bytes;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// An access key, its secret, and optionally a session token and an expiry.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    inner: Arc<Inner>,
}

#[derive(PartialEq, Eq)]
struct Inner {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expiry: Option<SystemTime>,
    provider: &'static str,
}

impl Credentials {
    /// New credentials; `provider` names where they came from (for errors and logs).
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
        expiry: Option<SystemTime>,
        provider: &'static str,
    ) -> Self {
        Credentials {
            inner: Arc::new(Inner {
                access_key_id: access_key_id.into(),
                secret_access_key: secret_access_key.into(),
                session_token,
                expiry,
                provider,
            }),
        }
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.inner.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.inner.secret_access_key
    }

    /// The session token, for temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.inner.session_token.as_deref()
    }

    /// When the credentials stop working, if they do.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.inner.expiry
    }

    /// The provider that produced them.
    pub fn provider(&self) -> &'static str {
        self.inner.provider
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Credentials");
        d.field("access_key_id", &self.inner.access_key_id).field("secret_access_key", &Redacted);
        if self.inner.session_token.is_some() {
            d.field("session_token", &Redacted);
        }
        if let Some(e) = self.inner.expiry {
            d.field("expiry", &DateTime::from(e));
        }
        d.field("provider", &self.inner.provider).finish()
    }
}

/// Why credentials could not be had.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialsErrorKind {
    /// This provider is not configured; the chain tries the next one.
    NotLoaded,
    /// The provider is configured but its configuration is wrong (a malformed file, a missing key).
    InvalidConfiguration,
    /// The provider's source failed (a process exited non-zero, an endpoint answered an error).
    ProviderError,
}

/// An error from a credentials provider, naming the provider and what went wrong where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialsError {
    /// The provider.
    pub provider: &'static str,
    /// The kind.
    pub kind: CredentialsErrorKind,
    /// What went wrong, and where.
    pub message: String,
}

impl CredentialsError {
    fn not_loaded(provider: &'static str, message: impl Into<String>) -> Self {
        CredentialsError { provider, kind: CredentialsErrorKind::NotLoaded, message: message.into() }
    }
    fn invalid(provider: &'static str, message: impl Into<String>) -> Self {
        CredentialsError { provider, kind: CredentialsErrorKind::InvalidConfiguration, message: message.into() }
    }
    fn failed(provider: &'static str, message: impl Into<String>) -> Self {
        CredentialsError { provider, kind: CredentialsErrorKind::ProviderError, message: message.into() }
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} credentials: {}", self.provider, self.message)
    }
}

impl std::error::Error for CredentialsError {}

/// Something that produces credentials.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Produces credentials (may do I/O).
    fn provide(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>>;
}

impl ProvideCredentials for Credentials {
    fn provide(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        let c = self.clone();
        Box::pin(async move { Ok(c) })
    }
}

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
#[derive(Debug, Clone, Default)]
pub struct EnvironmentProvider {
    env: Env,
}

impl EnvironmentProvider {
    /// Reads from `env`.
    pub fn new(env: Env) -> Self {
        EnvironmentProvider { env }
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        const P: &str = "environment";
        let result = match (self.env.get_nonempty("AWS_ACCESS_KEY_ID"), self.env.get_nonempty("AWS_SECRET_ACCESS_KEY"))
        {
            (Some(id), Some(secret)) => {
                Ok(Credentials::new(id.trim(), secret.trim(), self.env.get_nonempty("AWS_SESSION_TOKEN"), None, P))
            }
            (Some(_), None) => {
                Err(CredentialsError::invalid(P, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"))
            }
            (None, Some(_)) => {
                Err(CredentialsError::invalid(P, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"))
            }
            (None, None) => Err(CredentialsError::not_loaded(P, "AWS_ACCESS_KEY_ID is not set")),
        };
        Box::pin(async move { result })
    }
}

/// Credentials from the selected profile of the shared files: static keys, or a
/// `credential_process` whose JSON output is read.
#[derive(Debug, Clone)]
pub struct ProfileProvider {
    env: Env,
}

impl ProfileProvider {
    /// Reads the files and profile named by `env`.
    pub fn new(env: Env) -> Self {
        ProfileProvider { env }
    }
}

const PROFILE: &str = "profile";

impl ProvideCredentials for ProfileProvider {
    fn provide(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let set =
                ProfileSet::load(&self.env).await.map_err(|e| CredentialsError::invalid(PROFILE, e.to_string()))?;
            let Some(profile) = set.selected_profile() else {
                if set.selected != "default" {
                    // An explicitly selected profile that does not exist is a mistake, not a pass.
                    return Err(CredentialsError::invalid(
                        PROFILE,
                        format!("profile `{}` (AWS_PROFILE) is not in the config or credentials file", set.selected),
                    ));
                }
                return Err(CredentialsError::not_loaded(PROFILE, "no default profile"));
            };
            profile_credentials(profile).await
        })
    }
}

async fn profile_credentials(profile: &Profile) -> Result<Credentials, CredentialsError> {
    if let Some(id) = profile.get("aws_access_key_id") {
        let Some(secret) = profile.get("aws_secret_access_key") else {
            return Err(CredentialsError::invalid(
                PROFILE,
                format!(
                    "{}: aws_access_key_id is set but aws_secret_access_key is not",
                    profile.describe("aws_access_key_id")
                ),
            ));
        };
        return Ok(Credentials::new(id, secret, profile.get("aws_session_token").map(str::to_string), None, PROFILE));
    }
    if let Some(command) = profile.get("credential_process") {
        return credential_process(command, &profile.describe("credential_process")).await;
    }
    if profile.get("role_arn").is_some()
        || profile.get("sso_start_url").is_some()
        || profile.get("sso_session").is_some()
    {
        return Err(CredentialsError::invalid(
            PROFILE,
            format!(
                "profile `{}` uses role assumption or SSO, which this version does not support; use static keys, \
                 credential_process, or environment variables",
                profile.name
            ),
        ));
    }
    Err(CredentialsError::not_loaded(PROFILE, format!("profile `{}` has no credentials", profile.name)))
}

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
}

fn parse_credentials_json(provider: &'static str, text: &[u8], place: &str) -> Result<Credentials, CredentialsError> {
    let out: ProcessOutput = serde_json::from_slice(text).map_err(|e| {
        CredentialsError::failed(provider, format!("{place}: output is not valid credentials JSON: {e}"))
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
                .map_err(|err| CredentialsError::failed(provider, format!("{place}: bad Expiration: {err}")))
                .map(|d| SystemTime::UNIX_EPOCH + Duration::from_secs(d.secs().max(0) as u64))?,
        ),
        None => None,
    };
    Ok(Credentials::new(id, secret, out.session_token.or(out.token), expiry, provider))
}

async fn credential_process(command: &str, place: &str) -> Result<Credentials, CredentialsError> {
    const P: &str = "credential_process";
    let mut cmd = if cfg!(windows) {
        let mut c = tokio::process::Command::new("cmd");
        c.arg("/C").arg(command);
        c
    } else {
        let mut c = tokio::process::Command::new("sh");
        c.arg("-c").arg(command);
        c
    };
    cmd.stdin(std::process::Stdio::null()).kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(60), cmd.output())
        .await
        .map_err(|_| CredentialsError::failed(P, format!("{place}: `{command}` did not finish within 60 s")))?
        .map_err(|e| CredentialsError::failed(P, format!("{place}: cannot run `{command}`: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(CredentialsError::failed(
            P,
            format!("{place}: `{command}` failed ({}): {}", output.status, stderr.trim()),
        ));
    }
    parse_credentials_json(P, &output.stdout, place)
}

async fn http_call(
    http: &dyn HttpClient,
    request: HttpRequest,
    provider: &'static str,
    timeout: Duration,
) -> Result<(u16, Bytes), CredentialsError> {
    let uri = request.uri().to_string();
    let fut = async {
        let response =
            http.call(request).await.map_err(|e| CredentialsError::failed(provider, format!("{uri}: {e}")))?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| CredentialsError::failed(provider, format!("{uri}: {e}")))?;
        Ok((status, body))
    };
    tokio::time::timeout(timeout, fut).await.map_err(|_| {
        CredentialsError::failed(provider, format!("{uri}: no answer within {} ms", timeout.as_millis()))
    })?
}

/// Credentials from the ECS/EKS container endpoint.
#[derive(Debug, Clone)]
pub struct ContainerProvider {
    env: Env,
    http: Arc<dyn HttpClient>,
}

impl ContainerProvider {
    /// Uses `env` for its settings and `http` to call the endpoint.
    pub fn new(env: Env, http: Arc<dyn HttpClient>) -> Self {
        ContainerProvider { env, http }
    }
}

impl ProvideCredentials for ContainerProvider {
    fn provide(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        const P: &str = "container";
        Box::pin(async move {
            let uri = if let Some(rel) = self.env.get_nonempty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
                format!("http://169.254.170.2{rel}")
            } else if let Some(full) = self.env.get_nonempty("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
                let parsed: http::Uri = full.parse().map_err(|e| {
                    CredentialsError::invalid(P, format!("AWS_CONTAINER_CREDENTIALS_FULL_URI `{full}`: {e}"))
                })?;
                let host = parsed.host().unwrap_or_default();
                let allowed = parsed.scheme_str() == Some("https")
                    || host == "localhost"
                    || host.starts_with("127.")
                    || host == "[::1]"
                    || host == "169.254.170.2"
                    || host == "169.254.170.23"
                    || host == "[fd00:ec2::23]";
                if !allowed {
                    return Err(CredentialsError::invalid(
                        P,
                        format!("AWS_CONTAINER_CREDENTIALS_FULL_URI `{full}`: plain HTTP is only allowed to loopback or the ECS/EKS addresses"),
                    ));
                }
                full
            } else {
                return Err(CredentialsError::not_loaded(P, "no container credentials URI set"));
            };
            let token = match self.env.get_nonempty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
                Some(file) => Some(
                    tokio::fs::read_to_string(&file)
                        .await
                        .map_err(|e| {
                            CredentialsError::invalid(P, format!("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE {file}: {e}"))
                        })?
                        .trim()
                        .to_string(),
                ),
                None => self.env.get_nonempty("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
            };
            let mut req = http::Request::get(&uri).header("accept", "application/json");
            if let Some(t) = token {
                if t.contains(['\r', '\n']) {
                    return Err(CredentialsError::invalid(P, "the authorization token contains a line break"));
                }
                req = req.header("authorization", t);
            }
            let req = req.body(Bytes::new()).map_err(|e| CredentialsError::invalid(P, format!("{uri}: {e}")))?;
            let (status, body) = http_call(&*self.http, req, P, Duration::from_secs(5)).await?;
            if status != 200 {
                return Err(CredentialsError::failed(
                    P,
                    format!(
                        "{uri} answered {status}: {}",
                        String::from_utf8_lossy(&body).chars().take(200).collect::<String>()
                    ),
                ));
            }
            parse_credentials_json(P, &body, &uri)
        })
    }
}

/// Credentials of the EC2 instance role, from the instance metadata service (IMDSv2: a session
/// token first, then the role name, then the role's credentials).
#[derive(Debug, Clone)]
pub struct ImdsProvider {
    env: Env,
    http: Arc<dyn HttpClient>,
}

impl ImdsProvider {
    /// Uses `env` (`AWS_EC2_METADATA_DISABLED`, `AWS_EC2_METADATA_SERVICE_ENDPOINT`) and `http`.
    pub fn new(env: Env, http: Arc<dyn HttpClient>) -> Self {
        ImdsProvider { env, http }
    }
}

impl ProvideCredentials for ImdsProvider {
    fn provide(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        const P: &str = "IMDS";
        Box::pin(async move {
            if self.env.get("AWS_EC2_METADATA_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
                return Err(CredentialsError::not_loaded(P, "AWS_EC2_METADATA_DISABLED is true"));
            }
            let base = self
                .env
                .get_nonempty("AWS_EC2_METADATA_SERVICE_ENDPOINT")
                .unwrap_or_else(|| "http://169.254.169.254".to_string());
            let base = base.trim_end_matches('/');
            let timeout = Duration::from_secs(1);
            let build = |r: http::request::Builder| {
                r.body(Bytes::new()).map_err(|e| CredentialsError::invalid(P, e.to_string()))
            };
            let token_req = build(
                http::Request::put(format!("{base}/latest/api/token"))
                    .header("x-aws-ec2-metadata-token-ttl-seconds", "21600"),
            )?;
            // Not reachable at all: not on EC2, so the chain goes on.
            let (status, token) = match http_call(&*self.http, token_req, P, timeout).await {
                Ok(r) => r,
                Err(e) => return Err(CredentialsError::not_loaded(P, e.message)),
            };
            if status != 200 {
                return Err(CredentialsError::failed(P, format!("{base}: token request answered {status}")));
            }
            let token = String::from_utf8_lossy(&token).trim().to_string();
            let get = |path: String| {
                build(http::Request::get(format!("{base}{path}")).header("x-aws-ec2-metadata-token", token.as_str()))
            };
            let role_path = "/latest/meta-data/iam/security-credentials/".to_string();
            let (status, role) = http_call(&*self.http, get(role_path.clone())?, P, timeout).await?;
            if status == 404 {
                return Err(CredentialsError::not_loaded(P, "the instance has no IAM role"));
            }
            if status != 200 {
                return Err(CredentialsError::failed(P, format!("{base}{role_path} answered {status}")));
            }
            let role = String::from_utf8_lossy(&role).lines().next().unwrap_or_default().trim().to_string();
            if role.is_empty() || !role.bytes().all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b)) {
                return Err(CredentialsError::failed(
                    P,
                    format!("{base}{role_path} returned an invalid role name `{role}`"),
                ));
            }
            let creds_path = format!("{role_path}{role}");
            let (status, body) = http_call(&*self.http, get(creds_path.clone())?, P, timeout).await?;
            if status != 200 {
                return Err(CredentialsError::failed(P, format!("{base}{creds_path} answered {status}")));
            }
            parse_credentials_json(P, &body, &format!("{base}{creds_path}"))
        })
    }
}

/// Tries providers in order: the first that is configured wins.
#[derive(Debug, Clone)]
pub struct ChainProvider {
    providers: Vec<Arc<dyn ProvideCredentials>>,
}

impl ChainProvider {
    /// A chain of these providers.
    pub fn new(providers: Vec<Arc<dyn ProvideCredentials>>) -> Self {
        ChainProvider { providers }
    }
}

impl ProvideCredentials for ChainProvider {
    fn provide(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let mut tried = Vec::new();
            for p in &self.providers {
                match p.provide().await {
                    Ok(c) => return Ok(c),
                    Err(e) if e.kind == CredentialsErrorKind::NotLoaded => {
                        tried.push(format!("{} ({})", e.provider, e.message))
                    }
                    Err(e) => return Err(e),
                }
            }
            Err(CredentialsError::not_loaded(
                "default chain",
                format!("no credentials found; tried: {}", tried.join(", ")),
            ))
        })
    }
}

/// The standard chain: environment, profile, container, IMDS.
#[derive(Debug, Clone)]
pub struct DefaultChain(ChainProvider);

impl DefaultChain {
    /// The chain, reading settings from `env` and calling endpoints through `http`.
    pub fn new(env: Env, http: Arc<dyn HttpClient>) -> Self {
        DefaultChain(ChainProvider::new(vec![
            Arc::new(EnvironmentProvider::new(env.clone())),
            Arc::new(ProfileProvider::new(env.clone())),
            Arc::new(ContainerProvider::new(env.clone(), http.clone())),
            Arc::new(ImdsProvider::new(env, http)),
        ]))
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        self.0.provide()
    }
}

/// Caches another provider's credentials until `refresh_before` their expiry; one refresh serves
/// every concurrent caller.
#[derive(Debug)]
pub struct CachingProvider {
    inner: Arc<dyn ProvideCredentials>,
    cached: tokio::sync::Mutex<Option<Credentials>>,
    refresh_before: Duration,
}

impl CachingProvider {
    /// Caches `inner`, refreshing 5 minutes before expiry.
    pub fn new(inner: Arc<dyn ProvideCredentials>) -> Self {
        Self::with_refresh_before(inner, Duration::from_secs(300))
    }

    /// Caches `inner`, refreshing `refresh_before` expiry.
    pub fn with_refresh_before(inner: Arc<dyn ProvideCredentials>, refresh_before: Duration) -> Self {
        CachingProvider { inner, cached: tokio::sync::Mutex::new(None), refresh_before }
    }

    fn fresh(&self, c: &Credentials) -> bool {
        match c.expiry() {
            None => true,
            Some(exp) => SystemTime::now() + self.refresh_before < exp,
        }
    }
}

impl ProvideCredentials for CachingProvider {
    fn provide(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            // Holding the lock across the refresh is the point: callers that arrive meanwhile wait
            // for its result instead of starting their own.
            let mut cached = self.cached.lock().await;
            if let Some(c) = cached.as_ref().filter(|c| self.fresh(c)) {
                return Ok(c.clone());
            }
            let fresh = self.inner.provide().await?;
            *cached = Some(fresh.clone());
            Ok(fresh)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let c = Credentials::new("AKID", "SECRET", Some("TOKEN".into()), None, "test");
        let s = format!("{c:?}");
        assert!(s.contains("AKID") && !s.contains("SECRET") && !s.contains("TOKEN"), "{s}");
    }

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
