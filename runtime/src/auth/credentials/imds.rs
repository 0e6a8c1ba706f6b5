//! [`ImdsProvider`]: credentials of the EC2 instance role, from IMDSv2.

use super::fetch::http_call;
use super::json::parse_credentials_json;
use super::{Credentials, CredentialsError, ProvideCredentials};
use crate::env::Env;
use crate::http::{BoxFuture, HttpClient, HttpRequest};
use bytes::Bytes;
use std::sync::Arc;
use std::time::Duration;

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
    endpoint: Option<String>,
    mode: Option<String>,
}

const IMDS: &str = "IMDS";
const IMDS_ATTEMPTS: u32 = 3;
const IMDS_UNREACHABLE_FOR: Duration = Duration::from_secs(300);

impl ImdsProvider {
    /// Uses `env` (`AWS_EC2_METADATA_DISABLED`, `AWS_EC2_METADATA_SERVICE_ENDPOINT`) and `http`.
    pub fn new(env: Env, http: Arc<dyn HttpClient>) -> Self {
        ImdsProvider { env, http, unreachable_until: std::sync::Mutex::new(None), endpoint: None, mode: None }
    }

    /// Uses this endpoint (`http://169.254.169.254`), over every setting.
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Uses this endpoint mode (`IPv4` or `IPv6`) unless an endpoint is configured.
    pub fn with_endpoint_mode(mut self, mode: impl Into<String>) -> Self {
        self.mode = Some(mode.into());
        self
    }

    /// The IMDS endpoint, from (first that is set): [`with_endpoint`](Self::with_endpoint),
    /// `AWS_EC2_METADATA_SERVICE_ENDPOINT`, the profile's `ec2_metadata_service_endpoint`, else the
    /// address of the endpoint mode ([`with_endpoint_mode`](Self::with_endpoint_mode),
    /// `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`, the profile's
    /// `ec2_metadata_service_endpoint_mode`; `IPv4` by default).
    pub async fn endpoint(&self) -> Result<String, CredentialsError> {
        let profiles = crate::profile::ProfileSet::load(&self.env)
            .await
            .map_err(|e| CredentialsError::invalid(IMDS, e.to_string()))?;
        let profile = profiles.selected_profile();
        let setting = |var: &str, key: &str| -> Option<(String, String)> {
            self.env.get_nonempty(var).map(|v| (v.trim().to_string(), var.to_string())).or_else(|| {
                let p = profile?;
                p.get(key).filter(|v| !v.trim().is_empty()).map(|v| (v.trim().to_string(), p.describe(key)))
            })
        };
        let explicit = self.endpoint.clone().map(|e| (e, "the configured IMDS endpoint".to_string()));
        if let Some((endpoint, place)) =
            explicit.or_else(|| setting("AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint"))
        {
            let uri = endpoint
                .parse::<http::Uri>()
                .map_err(|e| CredentialsError::invalid(IMDS, format!("{place}: `{endpoint}` is not a URL: {e}")))?;
            if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
                return Err(CredentialsError::invalid(
                    IMDS,
                    format!("{place}: `{endpoint}` is not an http:// or https:// URL with a host"),
                ));
            }
            return Ok(endpoint.trim_end_matches('/').to_string());
        }
        let mode = match self.mode.clone().map(|m| (m, "the configured IMDS endpoint mode".to_string())) {
            Some(m) => Some(m),
            None => setting("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode"),
        };
        match mode {
            None => Ok("http://169.254.169.254".into()),
            Some((m, _)) if m.eq_ignore_ascii_case("ipv4") => Ok("http://169.254.169.254".into()),
            Some((m, _)) if m.eq_ignore_ascii_case("ipv6") => Ok("http://[fd00:ec2::254]".into()),
            Some((m, place)) => Err(CredentialsError::invalid(
                IMDS,
                format!("{place}: `{m}` is not a valid endpoint mode (IPv4 or IPv6)"),
            )),
        }
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

    /// A session: the endpoint and an IMDSv2 token.
    async fn session(&self) -> Result<(String, String), CredentialsError> {
        const P: &str = IMDS;
        let base = self.endpoint().await?;
        let base = base.as_str();
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
        Ok((base.to_string(), token))
    }

    /// A GET of a metadata path with the session token.
    fn get_request(base: &str, token: &str, path: &str) -> Result<HttpRequest, CredentialsError> {
        let mut req = http::Request::get(format!("{base}{path}")).header("x-aws-ec2-metadata-token", token);
        if let Some(h) = req.headers_mut().and_then(|h| h.get_mut("x-aws-ec2-metadata-token")) {
            h.set_sensitive(true);
        }
        req.body(Bytes::new()).map_err(|e| CredentialsError::invalid(IMDS, e.to_string()))
    }

    /// The instance's region (`/latest/meta-data/placement/region`), for a client with no region
    /// configured; `None` off EC2 or when IMDS is disabled.
    pub async fn region(&self) -> Option<String> {
        if self.disabled() || self.recently_unreachable() {
            return None;
        }
        let (base, token) = self.session().await.ok()?;
        let path = "/latest/meta-data/placement/region";
        let (status, body) = self.request(|| Self::get_request(&base, &token, path), true).await.ok()?;
        let region = String::from_utf8_lossy(&body).trim().to_string();
        (status == 200 && crate::config::is_valid_region(&region)).then_some(region)
    }

    fn recently_unreachable(&self) -> bool {
        let until = self.unreachable_until.lock().ok().and_then(|u| *u);
        until.is_some_and(|t| std::time::Instant::now() < t)
    }

    fn disabled(&self) -> bool {
        self.env.get("AWS_EC2_METADATA_DISABLED").is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        const P: &str = IMDS;
        let (base, token) = self.session().await?;
        let base = base.as_str();
        let get = |path: &str| Self::get_request(base, &token, path);
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
        let now = self.env.now();
        match credentials.expiry() {
            Some(expiry) if expiry <= now => Ok(credentials.with_expiry(Some(now + Duration::from_secs(600)))),
            _ => Ok(credentials),
        }
    }
}

impl ProvideCredentials for ImdsProvider {
    fn provide(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            if self.disabled() {
                return Err(CredentialsError::not_loaded(IMDS, "AWS_EC2_METADATA_DISABLED is true"));
            }
            if self.recently_unreachable() {
                return Err(CredentialsError::not_loaded(
                    IMDS,
                    "unreachable on the last try (not retried for 5 minutes)",
                ));
            }
            self.fetch().await
        })
    }
}
