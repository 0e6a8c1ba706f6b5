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

    /// The same credentials with another expiry.
    pub fn with_expiry(&self, expiry: Option<SystemTime>) -> Credentials {
        Credentials::new(
            self.inner.access_key_id.clone(),
            self.inner.secret_access_key.clone(),
            self.inner.session_token.clone(),
            expiry,
            self.inner.provider,
        )
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
    process_timeout: Duration,
}

/// How long a `credential_process` may run (the default).
pub const DEFAULT_PROCESS_TIMEOUT: Duration = Duration::from_secs(60);

/// The most a `credential_process` may print; more is an error (credentials JSON is a few hundred
/// bytes).
const MAX_PROCESS_OUTPUT: u64 = 1024 * 1024;

impl ProfileProvider {
    /// Reads the files and profile named by `env`.
    pub fn new(env: Env) -> Self {
        ProfileProvider { env, process_timeout: DEFAULT_PROCESS_TIMEOUT }
    }

    /// Limits how long a `credential_process` may run (default [`DEFAULT_PROCESS_TIMEOUT`]).
    pub fn with_process_timeout(mut self, timeout: Duration) -> Self {
        self.process_timeout = timeout;
        self
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
            profile_credentials(profile, self.process_timeout).await
        })
    }
}

async fn profile_credentials(profile: &Profile, process_timeout: Duration) -> Result<Credentials, CredentialsError> {
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
        return credential_process(command, &profile.describe("credential_process"), process_timeout).await;
    }
    if profile.get("role_arn").is_some()
        || profile.get("sso_start_url").is_some()
        || profile.get("sso_session").is_some()
        || profile.get("web_identity_token_file").is_some()
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
    Ok(Credentials::new(id, secret, out.session_token.or(out.token), expiry, provider))
}

/// Runs a `credential_process` command. Errors name the profile line, never the command (it may
/// carry a secret) nor what the process wrote to stderr (which goes to this process's stderr, as
/// the AWS CLI does); its output is limited in time and size.
async fn credential_process(command: &str, place: &str, timeout: Duration) -> Result<Credentials, CredentialsError> {
    use tokio::io::AsyncReadExt as _;
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
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true);
    let mut child =
        cmd.spawn().map_err(|e| CredentialsError::failed(P, format!("{place}: cannot start the process: {e}")))?;
    let Some(stdout) = child.stdout.take() else {
        return Err(CredentialsError::failed(P, format!("{place}: the process has no standard output")));
    };
    let run = async {
        let mut out = Vec::new();
        stdout
            .take(MAX_PROCESS_OUTPUT + 1)
            .read_to_end(&mut out)
            .await
            .map_err(|e| CredentialsError::failed(P, format!("{place}: cannot read the process's output: {e}")))?;
        if out.len() as u64 > MAX_PROCESS_OUTPUT {
            return Err(CredentialsError::failed(
                P,
                format!("{place}: the process printed more than {MAX_PROCESS_OUTPUT} bytes"),
            ));
        }
        let status = child
            .wait()
            .await
            .map_err(|e| CredentialsError::failed(P, format!("{place}: waiting for the process: {e}")))?;
        Ok((status, out))
    };
    let (status, stdout) = match tokio::time::timeout(timeout, run).await {
        Ok(result) => result?,
        Err(_) => {
            return Err(CredentialsError::failed(
                P,
                format!("{place}: the process did not finish within {} ms", timeout.as_millis()),
            ))
        }
    };
    if !status.success() {
        return Err(CredentialsError::failed(
            P,
            format!("{place}: the process failed ({status}); see its messages on standard error"),
        ));
    }
    parse_credentials_json(P, &stdout, place)
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
        const P: &str = CONTAINER;
        Box::pin(async move {
            let uri = if let Some(rel) = self.env.get_nonempty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
                container_relative_uri(&rel)?
            } else if let Some(full) = self.env.get_nonempty("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
                container_full_uri(&full).await?
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
                return Err(CredentialsError::failed(P, format!("{uri} answered HTTP {status}")));
            }
            parse_credentials_json(P, &body, &uri)
        })
    }
}

const CONTAINER: &str = "container";

/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is a path on the ECS agent's fixed address; anything
/// that is not a plain path (`@evil.test/x`, `.evil.test/`) could move the host.
fn container_relative_uri(rel: &str) -> Result<String, CredentialsError> {
    let invalid = || {
        CredentialsError::invalid(
            CONTAINER,
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must be a path starting with `/` (it is appended to http://169.254.170.2)",
        )
    };
    if !rel.starts_with('/') || rel.starts_with("//") || rel.contains(['@', '\\', '#']) {
        return Err(invalid());
    }
    let uri = format!("http://169.254.170.2{rel}");
    let parsed: http::Uri = uri.parse().map_err(|_| invalid())?;
    if parsed.authority().map(|a| a.as_str()) != Some("169.254.170.2") {
        return Err(invalid());
    }
    Ok(uri)
}

/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` may be any `https://` URL, but plain HTTP only to the ECS
/// and EKS agents' addresses or to loopback — checked on the parsed host, and for a host name on
/// every address it resolves to (as aws-config does), so `http://127.evil.test/` is refused.
async fn container_full_uri(full: &str) -> Result<String, CredentialsError> {
    let invalid =
        |why: &str| CredentialsError::invalid(CONTAINER, format!("AWS_CONTAINER_CREDENTIALS_FULL_URI: {why}"));
    let parsed: http::Uri = full.parse().map_err(|_| invalid("not a valid URL"))?;
    let Some(authority) = parsed.authority() else { return Err(invalid("the URL has no host")) };
    if authority.as_str().contains('@') {
        return Err(invalid("the URL must not contain user info"));
    }
    match parsed.scheme_str() {
        Some("https") => return Ok(full.to_string()),
        Some("http") => {}
        _ => return Err(invalid("the URL must be http:// or https://")),
    }
    let host = authority.host().trim_start_matches('[').trim_end_matches(']');
    let allowed_ip = |ip: std::net::IpAddr| {
        ip.is_loopback()
            || ip == std::net::IpAddr::from([169, 254, 170, 2])
            || ip == std::net::IpAddr::from([169, 254, 170, 23])
            || ip == std::net::IpAddr::from([0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23])
    };
    let ok = match host.parse::<std::net::IpAddr>() {
        Ok(ip) => allowed_ip(ip),
        Err(_) => {
            let port = authority.port_u16().unwrap_or(80);
            let lookup = tokio::time::timeout(Duration::from_secs(2), tokio::net::lookup_host((host, port))).await;
            match lookup {
                Ok(Ok(addrs)) => {
                    let addrs: Vec<_> = addrs.collect();
                    !addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback())
                }
                _ => false,
            }
        }
    };
    if !ok {
        return Err(invalid(
            "plain HTTP is only allowed to loopback addresses or the ECS/EKS agents (169.254.170.2, 169.254.170.23, fd00:ec2::23)",
        ));
    }
    Ok(full.to_string())
}

/// Credentials of the EC2 instance role, from the instance metadata service (IMDSv2: a session
/// token first, then the role name, then the role's credentials).
///
/// Each request has a 1 s timeout; transient failures (HTTP 5xx, a broken connection, a timeout
/// after the token was granted) are retried up to three attempts. When the service cannot be
/// reached at all — the normal case off EC2 — that is remembered for five minutes, so a client off
/// EC2 does not spend a second on IMDS for every call. Credentials that IMDS hands out already
/// expired are used with their expiry pushed ten minutes ahead (as aws-config does for static
/// stability during an IMDS outage), rather than making every call ask again.
#[derive(Debug)]
pub struct ImdsProvider {
    env: Env,
    http: Arc<dyn HttpClient>,
    unreachable_until: std::sync::Mutex<Option<std::time::Instant>>,
}

const IMDS: &str = "IMDS";
const IMDS_ATTEMPTS: u32 = 3;
const IMDS_UNREACHABLE_FOR: Duration = Duration::from_secs(300);

impl ImdsProvider {
    /// Uses `env` (`AWS_EC2_METADATA_DISABLED`, `AWS_EC2_METADATA_SERVICE_ENDPOINT`) and `http`.
    pub fn new(env: Env, http: Arc<dyn HttpClient>) -> Self {
        ImdsProvider { env, http, unreachable_until: std::sync::Mutex::new(None) }
    }

    /// One IMDS request; 5xx answers are retried, and transport failures too when
    /// `retry_failures` is set.
    async fn request(
        &self,
        build: impl Fn() -> Result<HttpRequest, CredentialsError>,
        retry_failures: bool,
    ) -> Result<(u16, Bytes), CredentialsError> {
        let mut attempt = 1;
        loop {
            let result = http_call(&*self.http, build()?, IMDS, Duration::from_secs(1)).await;
            let transient = match &result {
                Ok((status, _)) => *status >= 500,
                Err(_) => retry_failures,
            };
            if !transient || attempt >= IMDS_ATTEMPTS {
                return result;
            }
            tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
            attempt += 1;
        }
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        const P: &str = IMDS;
        let base = self
            .env
            .get_nonempty("AWS_EC2_METADATA_SERVICE_ENDPOINT")
            .unwrap_or_else(|| "http://169.254.169.254".to_string());
        let base = base.trim_end_matches('/');
        let build =
            |r: http::request::Builder| r.body(Bytes::new()).map_err(|e| CredentialsError::invalid(P, e.to_string()));
        let token_request = || {
            build(
                http::Request::put(format!("{base}/latest/api/token"))
                    .header("x-aws-ec2-metadata-token-ttl-seconds", "21600"),
            )
        };
        // The token request is not retried on a connection failure or timeout: that is what being
        // off EC2 looks like, and the chain should move on quickly.
        let (status, token) = match self.request(token_request, false).await {
            Ok(r) => r,
            Err(e) => {
                if let Ok(mut until) = self.unreachable_until.lock() {
                    *until = Some(std::time::Instant::now() + IMDS_UNREACHABLE_FOR);
                }
                return Err(CredentialsError::not_loaded(P, e.message));
            }
        };
        match status {
            200 => {}
            403 => {
                return Err(CredentialsError::not_loaded(
                    P,
                    format!("{base}: IMDS is disabled on this instance (HTTP 403)"),
                ))
            }
            405 => {
                return Err(CredentialsError::failed(
                    P,
                    format!(
                        "{base}: the token request was refused (HTTP 405): IMDSv2 is required and not supported there"
                    ),
                ))
            }
            other => return Err(CredentialsError::failed(P, format!("{base}: token request answered HTTP {other}"))),
        }
        let token = String::from_utf8_lossy(&token).trim().to_string();
        if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(CredentialsError::failed(P, format!("{base}: the token request returned an invalid token")));
        }
        let get = |path: &str| {
            let mut req =
                http::Request::get(format!("{base}{path}")).header("x-aws-ec2-metadata-token", token.as_str());
            if let Some(h) = req.headers_mut().and_then(|h| h.get_mut("x-aws-ec2-metadata-token")) {
                h.set_sensitive(true);
            }
            build(req)
        };
        let role_path = "/latest/meta-data/iam/security-credentials/";
        let (status, role) = self.request(|| get(role_path), true).await?;
        if status == 404 {
            return Err(CredentialsError::not_loaded(P, "the instance has no IAM role"));
        }
        if status != 200 {
            return Err(CredentialsError::failed(P, format!("{base}{role_path} answered HTTP {status}")));
        }
        let role = String::from_utf8_lossy(&role).lines().next().unwrap_or_default().trim().to_string();
        if role.is_empty()
            || role.len() > 128
            || !role.bytes().all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
        {
            return Err(CredentialsError::failed(P, format!("{base}{role_path} returned an invalid role name")));
        }
        let creds_path = format!("{role_path}{role}");
        let (status, body) = self.request(|| get(&creds_path), true).await?;
        if status != 200 {
            return Err(CredentialsError::failed(P, format!("{base}{creds_path} answered HTTP {status}")));
        }
        let credentials = parse_credentials_json(P, &body, &format!("{base}{creds_path}"))?;
        let now = SystemTime::now();
        match credentials.expiry() {
            Some(expiry) if expiry <= now => Ok(credentials.with_expiry(Some(now + Duration::from_secs(600)))),
            _ => Ok(credentials),
        }
    }
}

impl ProvideCredentials for ImdsProvider {
    fn provide(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            if self.env.get("AWS_EC2_METADATA_DISABLED").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
                return Err(CredentialsError::not_loaded(IMDS, "AWS_EC2_METADATA_DISABLED is true"));
            }
            let until = self.unreachable_until.lock().ok().and_then(|u| *u);
            if until.is_some_and(|t| std::time::Instant::now() < t) {
                return Err(CredentialsError::not_loaded(
                    IMDS,
                    "unreachable on the last try (not retried for 5 minutes)",
                ));
            }
            self.fetch().await
        })
    }
}

/// Web identity (`AWS_WEB_IDENTITY_TOKEN_FILE`, as on EKS with IRSA) is not implemented yet. When it
/// is configured, the chain must not fall through to the container or instance role — that would
/// run as a different identity than the one the deployment intends — so this provider stops it
/// with an error.
#[derive(Debug, Clone)]
pub struct WebIdentityGuard {
    env: Env,
}

impl WebIdentityGuard {
    /// Checks `env`.
    pub fn new(env: Env) -> Self {
        WebIdentityGuard { env }
    }
}

impl ProvideCredentials for WebIdentityGuard {
    fn provide(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        const P: &str = "web identity";
        let result = match self.env.get_nonempty("AWS_WEB_IDENTITY_TOKEN_FILE") {
            Some(_) => Err(CredentialsError::invalid(
                P,
                "AWS_WEB_IDENTITY_TOKEN_FILE is set, but this version cannot assume a role with web identity; \
                 refusing to fall back to the container or instance role (a different identity). Provide \
                 credentials another way, or unset AWS_WEB_IDENTITY_TOKEN_FILE",
            )),
            None => Err(CredentialsError::not_loaded(P, "AWS_WEB_IDENTITY_TOKEN_FILE is not set")),
        };
        Box::pin(async move { result })
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

/// The standard chain: environment, profile, web identity (refused until implemented), container,
/// IMDS.
#[derive(Debug, Clone)]
pub struct DefaultChain(ChainProvider);

impl DefaultChain {
    /// The chain, reading settings from `env` and calling endpoints through `http`.
    pub fn new(env: Env, http: Arc<dyn HttpClient>) -> Self {
        DefaultChain(ChainProvider::new(vec![
            Arc::new(EnvironmentProvider::new(env.clone())),
            Arc::new(ProfileProvider::new(env.clone())),
            Arc::new(WebIdentityGuard::new(env.clone())),
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

/// Caches another provider's credentials until `refresh_before` their expiry. One refresh serves
/// every concurrent caller — its success or its failure: callers that arrive while a refresh runs
/// wait for that refresh and share its result, so N callers of a failing, slow provider wait once,
/// not N times.
#[derive(Debug)]
pub struct CachingProvider {
    inner: Arc<dyn ProvideCredentials>,
    state: std::sync::Mutex<CacheState>,
    refresh_before: Duration,
}

type Refresh = Arc<tokio::sync::OnceCell<Result<Credentials, CredentialsError>>>;

#[derive(Debug, Default)]
struct CacheState {
    cached: Option<Credentials>,
    refreshing: Option<Refresh>,
}

impl CachingProvider {
    /// Caches `inner`, refreshing 5 minutes before expiry.
    pub fn new(inner: Arc<dyn ProvideCredentials>) -> Self {
        Self::with_refresh_before(inner, Duration::from_secs(300))
    }

    /// Caches `inner`, refreshing `refresh_before` expiry.
    pub fn with_refresh_before(inner: Arc<dyn ProvideCredentials>, refresh_before: Duration) -> Self {
        CachingProvider { inner, state: std::sync::Mutex::new(CacheState::default()), refresh_before }
    }

    fn fresh(&self, c: &Credentials) -> bool {
        match c.expiry() {
            None => true,
            Some(exp) => SystemTime::now().checked_add(self.refresh_before).is_some_and(|t| t < exp),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl ProvideCredentials for CachingProvider {
    fn provide(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let refresh = {
                let mut state = self.lock();
                if let Some(c) = state.cached.as_ref().filter(|c| self.fresh(c)) {
                    return Ok(c.clone());
                }
                state.refreshing.get_or_insert_with(Refresh::default).clone()
            };
            // Whoever gets here first runs the refresh; the others wait for its result (and if the
            // first caller is cancelled, the next one takes the refresh over).
            let result = refresh.get_or_init(|| self.inner.provide()).await.clone();
            let mut state = self.lock();
            if state.refreshing.as_ref().is_some_and(|r| Arc::ptr_eq(r, &refresh)) {
                state.refreshing = None;
                if let Ok(c) = &result {
                    state.cached = Some(c.clone());
                }
            }
            result
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
