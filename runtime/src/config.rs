//! Client configuration: [`Config::from_env`] reads what the AWS CLI and SDKs read; [`Config::builder`]
//! sets things explicitly. Explicit settings win over the environment, which wins over the profile.
//!
//! | setting | environment | profile key |
//! |---|---|---|
//! | region | `AWS_REGION`, then `AWS_DEFAULT_REGION` | `region` |
//! | endpoint URL | `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL` | then `[services]` (below), then `endpoint_url` |
//! | retry mode | `AWS_RETRY_MODE` | `retry_mode` |
//! | max attempts | `AWS_MAX_ATTEMPTS` | `max_attempts` |
//! | FIPS / dual-stack | `AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT` | `use_fips_endpoint`, `use_dualstack_endpoint` |
//! | app name (user agent) | `AWS_SDK_UA_APP_ID` | `sdk_ua_app_id` |
//! | per-service endpoint URL | `AWS_ENDPOINT_URL_<SERVICE>` | `services = NAME`, then `[services NAME]` `lambda =` / `  endpoint_url = ...` |
//! | proxies | `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY` (or lower case) | — |
//! | trusted certificates | `AWS_CA_BUNDLE` (a PEM file, trusted instead of the default roots) | `ca_bundle` |
//! | STS global endpoint | `AWS_STS_REGIONAL_ENDPOINTS` | `sts_regional_endpoints` (`regional`, the default, or `legacy`) |
//!
//! `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` (or `ignore_configured_endpoint_urls`) disables the
//! endpoint URL settings.
//!
//! A region must be a valid host label and an endpoint URL an absolute `http(s)://` URL without
//! user info, query or fragment: the endpoint's host is built from them, and signed requests go
//! there. Safety limits, set with the builder ([`ConfigBuilder::timeouts`],
//! [`ConfigBuilder::stalled_stream_protection`], [`ConfigBuilder::max_response_body`]):
//!
//! | limit | default |
//! |---|---|
//! | connect (TCP and TLS handshake) | 3 s |
//! | read (until the response head arrives) | 60 s |
//! | stalled stream (response bodies, event streams) | fail below 1 byte/s over 20 s |
//! | buffered response body | 100 MiB ([`DEFAULT_MAX_RESPONSE_BODY`]) |
//! | attempt, operation | none |
//!
//! The profile is `AWS_PROFILE` (default `default`). A malformed value is an error naming the
//! variable, or the file, line and profile it came from.

use crate::credentials::{CachingProvider, Credentials, DefaultChain, ProvideCredentials};
use crate::env::Env;
use crate::http::{HttpClient, HttpSettings, HyperClient, ProxyConfig, StalledStreamProtection, TrustRoots};
use crate::profile::{Profile, ProfileSet};
use crate::retry::{RetryConfig, RetryMode};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Timeouts applied to every operation. With the defaults no call can hang: connecting (TCP and
/// TLS) is bounded, the response must start within `read`, and its body is watched by
/// stalled-stream protection ([`ConfigBuilder::stalled_stream_protection`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeoutConfig {
    /// Connecting: TCP and the TLS handshake together (default 3 s).
    pub connect: Duration,
    /// Waiting for the response to start — its status line and headers — once connected (default
    /// 60 s, botocore's read timeout; raise it for operations that answer late, such as a
    /// synchronous Lambda `Invoke` of a long function; `None` waits as long as it takes).
    pub read: Option<Duration>,
    /// One attempt: send the request and receive the response head and body (default: none).
    pub attempt: Option<Duration>,
    /// The whole operation, retries included (default: none).
    pub operation: Option<Duration>,
}

impl Default for TimeoutConfig {
    fn default() -> Self {
        TimeoutConfig {
            connect: Duration::from_secs(3),
            read: Some(Duration::from_secs(60)),
            attempt: None,
            operation: None,
        }
    }
}

/// The default limit on a buffered (non-streaming) response body: 100 MiB, far above any buffered
/// AWS response; streaming payloads are not limited.
pub const DEFAULT_MAX_RESPONSE_BODY: usize = 100 * 1024 * 1024;

/// A configuration error: which setting, where it came from, and why it is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid configuration: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

/// Everything a client needs that is not specific to one service.
#[derive(Clone)]
pub struct Config {
    region: Option<String>,
    endpoint_url: Option<String>,
    service_endpoint_urls: HashMap<String, String>,
    profile_endpoint_url: Option<String>,
    profile_service_endpoint_urls: HashMap<String, String>,
    credentials: Arc<dyn ProvideCredentials>,
    http: Arc<dyn HttpClient>,
    retry: RetryConfig,
    timeouts: TimeoutConfig,
    use_fips: bool,
    use_dual_stack: bool,
    app_name: Option<String>,
    stalled_stream: Option<StalledStreamProtection>,
    max_response_body: usize,
    sts_global_endpoint: bool,
    sign: bool,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .field("service_endpoint_urls", &self.service_endpoint_urls)
            .field("profile_endpoint_url", &self.profile_endpoint_url)
            .field("profile_service_endpoint_urls", &self.profile_service_endpoint_urls)
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .field("timeouts", &self.timeouts)
            .field("use_fips", &self.use_fips)
            .field("use_dual_stack", &self.use_dual_stack)
            .field("app_name", &self.app_name)
            .field("stalled_stream", &self.stalled_stream)
            .field("max_response_body", &self.max_response_body)
            .field("sts_global_endpoint", &self.sts_global_endpoint)
            .field("sign", &self.sign)
            .finish()
    }
}

impl Config {
    /// Reads the process environment and the shared config files.
    pub async fn from_env() -> Result<Config, ConfigError> {
        Self::from_env_with(Env::process()).await
    }

    /// Reads the given environment (and the files it names).
    pub async fn from_env_with(env: Env) -> Result<Config, ConfigError> {
        ConfigBuilder::from_env(env).await?.build()
    }

    /// A builder with nothing set (defaults: no region, standard retries, the default credential
    /// chain over the process environment).
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// The region.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The endpoint URL for a service (by its service id, `Lambda`), in the AWS SDKs' order: the
    /// service's environment variable, `AWS_ENDPOINT_URL`, the service's entry in the profile's
    /// `[services]` section, the profile's `endpoint_url` (an explicit
    /// [`ConfigBuilder::endpoint_url`] replaces them all).
    pub fn endpoint_url_for(&self, service_id: &str) -> Option<&str> {
        let key = env_suffix(service_id);
        self.service_endpoint_urls
            .get(&key)
            .or(self.endpoint_url.as_ref())
            .or_else(|| self.profile_service_endpoint_urls.get(&key))
            .or(self.profile_endpoint_url.as_ref())
            .map(String::as_str)
    }

    /// The credentials provider.
    pub fn credentials_provider(&self) -> &Arc<dyn ProvideCredentials> {
        &self.credentials
    }

    /// The same configuration in another region (what SSO's calls use: the `sso_region`).
    pub fn with_region(&self, region: impl Into<String>) -> Result<Config, ConfigError> {
        let region = region.into();
        check_region(&region)?;
        Ok(Config { region: Some(region), ..self.clone() })
    }

    /// The same configuration over another HTTP client (a wrapper that logs, say).
    pub fn with_http_client(&self, http: Arc<dyn HttpClient>) -> Config {
        Config { http, ..self.clone() }
    }

    /// Whether requests are signed (`false`: anonymous, as `--no-sign-request`).
    pub fn signs(&self) -> bool {
        self.sign
    }

    /// The same configuration with another credentials provider, used as it is (not cached again):
    /// what a provider that calls STS or SSO uses for its own calls.
    pub fn with_credentials_provider(&self, provider: Arc<dyn ProvideCredentials>) -> Config {
        Config { credentials: provider, ..self.clone() }
    }

    /// The HTTP client.
    pub fn http_client(&self) -> &Arc<dyn HttpClient> {
        &self.http
    }

    /// Retry settings.
    pub fn retry(&self) -> RetryConfig {
        self.retry
    }

    /// Timeouts.
    pub fn timeouts(&self) -> TimeoutConfig {
        self.timeouts
    }

    /// Use FIPS endpoints.
    pub fn use_fips(&self) -> bool {
        self.use_fips
    }

    /// Use dual-stack endpoints.
    pub fn use_dual_stack(&self) -> bool {
        self.use_dual_stack
    }

    /// The application name sent in the user agent.
    pub fn app_name(&self) -> Option<&str> {
        self.app_name.as_deref()
    }

    /// Stalled-stream protection of response bodies and event streams (`None`: off).
    pub fn stalled_stream(&self) -> Option<StalledStreamProtection> {
        self.stalled_stream
    }

    /// The largest buffered response body accepted.
    pub fn max_response_body(&self) -> usize {
        self.max_response_body
    }

    /// STS calls in the regions of the old global endpoint go to `sts.amazonaws.com`
    /// (`sts_regional_endpoints = legacy`); by default every region uses its regional endpoint.
    pub fn sts_global_endpoint(&self) -> bool {
        self.sts_global_endpoint
    }
}

/// `Lambda` -> `LAMBDA`, `Cognito Identity` -> `COGNITO_IDENTITY` (the `AWS_ENDPOINT_URL_` suffix).
fn env_suffix(service_id: &str) -> String {
    service_id.trim().replace([' ', '-'], "_").to_ascii_uppercase()
}

/// Builds a [`Config`].
pub struct ConfigBuilder {
    region: Option<String>,
    endpoint_url: Option<String>,
    service_endpoint_urls: HashMap<String, String>,
    profile_endpoint_url: Option<String>,
    profile_service_endpoint_urls: HashMap<String, String>,
    credentials: Option<Arc<dyn ProvideCredentials>>,
    http: Option<Arc<dyn HttpClient>>,
    retry: RetryConfig,
    timeouts: TimeoutConfig,
    use_fips: bool,
    use_dual_stack: bool,
    app_name: Option<String>,
    stalled_stream: Option<StalledStreamProtection>,
    max_response_body: usize,
    sts_global_endpoint: bool,
    sign: bool,
    proxy: ProxyConfig,
    ca_bundle: Option<Vec<u8>>,
    trust_roots: TrustRoots,
    env: Env,
}

impl Default for ConfigBuilder {
    fn default() -> Self {
        ConfigBuilder {
            region: None,
            endpoint_url: None,
            service_endpoint_urls: HashMap::new(),
            profile_endpoint_url: None,
            profile_service_endpoint_urls: HashMap::new(),
            credentials: None,
            http: None,
            retry: RetryConfig::default(),
            timeouts: TimeoutConfig::default(),
            use_fips: false,
            use_dual_stack: false,
            app_name: None,
            stalled_stream: Some(StalledStreamProtection::default()),
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
            sts_global_endpoint: false,
            sign: true,
            proxy: ProxyConfig::none(),
            ca_bundle: None,
            trust_roots: TrustRoots::default(),
            env: Env::default(),
        }
    }
}

impl ConfigBuilder {
    /// A builder pre-filled from the environment and profile files of `env`.
    pub async fn from_env(env: Env) -> Result<ConfigBuilder, ConfigError> {
        let profiles = ProfileSet::load(&env).await.map_err(|e| ConfigError(e.to_string()))?;
        if profiles.selected != "default" && profiles.selected_profile().is_none() {
            return Err(ConfigError(format!(
                "AWS_PROFILE is `{}`, but no such profile is in the config or credentials file",
                profiles.selected
            )));
        }
        let empty = Profile::default();
        let profile = profiles.selected_profile().unwrap_or(&empty);
        let setting = |var: &str, key: &str| -> Option<(String, String)> {
            env.get_nonempty(var)
                .map(|v| (v, var.to_string()))
                .or_else(|| profile.get(key).filter(|v| !v.is_empty()).map(|v| (v.to_string(), profile.describe(key))))
        };
        let flag = |var: &str, key: &str| -> Result<bool, ConfigError> {
            match setting(var, key) {
                None => Ok(false),
                Some((v, place)) => match v.trim().to_ascii_lowercase().as_str() {
                    "true" => Ok(true),
                    "false" => Ok(false),
                    _ => Err(ConfigError(format!("{place}: `{v}` is not true or false"))),
                },
            }
        };
        let mut b = ConfigBuilder { env: env.clone(), ..Default::default() };
        // Both environment variables come before the profile.
        let env_only = |var: &str| env.get_nonempty(var).map(|v| (v, var.to_string()));
        if let Some((region, place)) = env_only("AWS_REGION")
            .or_else(|| env_only("AWS_DEFAULT_REGION"))
            .or_else(|| setting("AWS_REGION", "region"))
        {
            let region = region.trim().to_string();
            check_region(&region).map_err(|e| ConfigError(format!("{place}: {}", e.0)))?;
            b.region = Some(region);
        }
        if !flag("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls")? {
            // The environment first (the service's variable, then AWS_ENDPOINT_URL), then the
            // profile (its [services] entry, then its endpoint_url).
            b.endpoint_url = env.get_nonempty("AWS_ENDPOINT_URL").map(|v| v.trim().to_string());
            for (k, v) in env.vars_with_prefix("AWS_ENDPOINT_URL_") {
                if !v.trim().is_empty() {
                    b.service_endpoint_urls.insert(k, v.trim().to_string());
                }
            }
            b.profile_endpoint_url =
                profile.get("endpoint_url").map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
            if let Some(name) = profile.get("services").map(str::trim).filter(|n| !n.is_empty()) {
                let Some(section) = profiles.services(name) else {
                    return Err(ConfigError(format!(
                        "{}: there is no [services {name}] section in the config file",
                        profile.describe("services")
                    )));
                };
                for (service, _) in section.properties() {
                    if let Some(url) = section.sub_property(service, "endpoint_url").map(str::trim) {
                        check_url(url).map_err(|e| ConfigError(format!("{}: {}", section.describe(service), e.0)))?;
                        b.profile_service_endpoint_urls.insert(env_suffix(service), url.to_string());
                    }
                }
            }
        }
        b.proxy = ProxyConfig::from_env(&env).map_err(|e| ConfigError(e.to_string()))?;
        if let Some((path, place)) = setting("AWS_CA_BUNDLE", "ca_bundle") {
            let bytes = env
                .fs()
                .read(std::path::Path::new(path.trim()))
                .await
                .map_err(|e| ConfigError(format!("{place}: cannot read the CA bundle `{}`: {e}", path.trim())))?;
            // Parsed now, so a bad bundle is reported with where it was configured.
            HyperClient::new(HttpSettings { ca_bundle: Some(bytes.clone()), ..HttpSettings::default() })
                .map_err(|e| ConfigError(format!("{place}: the CA bundle `{}`: {e}", path.trim())))?;
            b.ca_bundle = Some(bytes);
        }
        if let Some((v, place)) = setting("AWS_STS_REGIONAL_ENDPOINTS", "sts_regional_endpoints") {
            b.sts_global_endpoint = match v.trim().to_ascii_lowercase().as_str() {
                "legacy" => true,
                "regional" => false,
                _ => return Err(ConfigError(format!("{place}: `{v}` is not `regional` or `legacy`"))),
            };
        }
        if let Some((v, place)) = setting("AWS_RETRY_MODE", "retry_mode") {
            b.retry.mode = v.parse::<RetryMode>().map_err(|e| ConfigError(format!("{place}: {e}")))?;
        }
        if let Some((v, place)) = setting("AWS_MAX_ATTEMPTS", "max_attempts") {
            b.retry.max_attempts = match v.trim().parse::<u32>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    return Err(ConfigError(format!("{place}: max attempts `{v}` is not a whole number of at least 1")))
                }
            };
        }
        b.use_fips = flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")?;
        b.use_dual_stack = flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint")?;
        b.app_name = setting("AWS_SDK_UA_APP_ID", "sdk_ua_app_id").map(|(v, _)| v);
        for url in b.endpoint_urls() {
            check_url(url)?;
        }
        Ok(b)
    }

    fn endpoint_urls(&self) -> impl Iterator<Item = &String> {
        self.endpoint_url
            .iter()
            .chain(self.service_endpoint_urls.values())
            .chain(self.profile_endpoint_url.iter())
            .chain(self.profile_service_endpoint_urls.values())
    }

    /// Sets the region.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sends every request to this URL (`http://127.0.0.1:5000` for a local test server).
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        // Set in code, it wins over every configured endpoint URL.
        self.service_endpoint_urls.clear();
        self.profile_endpoint_url = None;
        self.profile_service_endpoint_urls.clear();
        self
    }

    /// Uses these static credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(Arc::new(credentials));
        self
    }

    /// Uses this credentials provider (it is cached by the client).
    pub fn credentials_provider(mut self, provider: Arc<dyn ProvideCredentials>) -> Self {
        self.credentials = Some(Arc::new(CachingProvider::new(provider)));
        self
    }

    /// Whether credentials or a credentials provider were given to this builder, to be used instead
    /// of the environment's chain.
    pub fn has_credentials(&self) -> bool {
        self.credentials.is_some()
    }

    /// Uses this HTTP client.
    pub fn http_client(mut self, http: Arc<dyn HttpClient>) -> Self {
        self.http = Some(http);
        self
    }

    /// Retry settings.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Maximum attempts (1 disables retries).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.retry.max_attempts = n.max(1);
        self
    }

    /// Timeouts.
    pub fn timeouts(mut self, timeouts: TimeoutConfig) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Use FIPS endpoints.
    pub fn use_fips(mut self, on: bool) -> Self {
        self.use_fips = on;
        self
    }

    /// Use dual-stack endpoints.
    pub fn use_dual_stack(mut self, on: bool) -> Self {
        self.use_dual_stack = on;
        self
    }

    /// Sends requests through these proxies (`from_env` reads `HTTPS_PROXY`, `HTTP_PROXY` and
    /// `NO_PROXY`, upper or lower case). Ignored when an HTTP client is given.
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = proxy;
        self
    }

    /// Trusts only the certificates of this PEM bundle (what `AWS_CA_BUNDLE` and the profile's
    /// `ca_bundle` name; botocore likewise trusts the bundle instead of its default roots). Ignored
    /// when an HTTP client is given.
    pub fn ca_bundle(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_bundle = Some(pem.into());
        self
    }

    /// Which roots to trust without a CA bundle: the Mozilla roots compiled in (the default), or the
    /// operating system's store (feature `native-roots`). Ignored when an HTTP client is given.
    pub fn trust_roots(mut self, roots: TrustRoots) -> Self {
        self.trust_roots = roots;
        self
    }

    /// Sends every request unsigned, without asking for credentials (public resources; the AWS
    /// CLI's `--no-sign-request`).
    pub fn anonymous(mut self) -> Self {
        self.sign = false;
        self
    }

    /// Sends STS calls in the regions of the old global endpoint to `sts.amazonaws.com`.
    pub fn sts_global_endpoint(mut self, on: bool) -> Self {
        self.sts_global_endpoint = on;
        self
    }

    /// The application name for the user agent.
    pub fn app_name(mut self, name: impl Into<String>) -> Self {
        self.app_name = Some(name.into());
        self
    }

    /// Stalled-stream protection of response bodies and event streams (on by default; `None`
    /// turns it off).
    pub fn stalled_stream_protection(mut self, settings: Option<StalledStreamProtection>) -> Self {
        self.stalled_stream = settings;
        self
    }

    /// The largest buffered (non-streaming) response body accepted; larger ones fail the call
    /// without being read further (default [`DEFAULT_MAX_RESPONSE_BODY`]).
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.max_response_body = bytes;
        self
    }

    /// Builds the config; fails on an endpoint URL that is not an absolute `http(s)://host...` URL
    /// and on a region that is not a valid host label.
    pub fn build(self) -> Result<Config, ConfigError> {
        for url in self.endpoint_urls() {
            check_url(url)?;
        }
        if let Some(region) = &self.region {
            check_region(region)?;
        }
        if let Some(app) = &self.app_name {
            if app.len() > 50 || !app.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(ConfigError(format!("app name `{app}` must be at most 50 visible ASCII characters")));
            }
        }
        let http = match self.http {
            Some(h) => h,
            None => Arc::new(
                HyperClient::new(HttpSettings {
                    connect_timeout: self.timeouts.connect,
                    proxy: self.proxy,
                    ca_bundle: self.ca_bundle,
                    trust_roots: self.trust_roots,
                    ..HttpSettings::default()
                })
                .map_err(|e| ConfigError(e.to_string()))?,
            ),
        };
        let credentials = match self.credentials {
            Some(c) => c,
            None => Arc::new(CachingProvider::new(Arc::new(DefaultChain::new(self.env.clone(), http.clone())))),
        };
        Ok(Config {
            region: self.region,
            endpoint_url: self.endpoint_url,
            service_endpoint_urls: self.service_endpoint_urls,
            profile_endpoint_url: self.profile_endpoint_url,
            profile_service_endpoint_urls: self.profile_service_endpoint_urls,
            credentials,
            http,
            retry: self.retry,
            timeouts: self.timeouts,
            use_fips: self.use_fips,
            use_dual_stack: self.use_dual_stack,
            app_name: self.app_name,
            stalled_stream: self.stalled_stream,
            max_response_body: self.max_response_body,
            sts_global_endpoint: self.sts_global_endpoint,
            sign: self.sign,
        })
    }
}

/// An endpoint URL must be absolute `http://` or `https://` with a host, and nothing that could
/// make the host ambiguous: no user info (`user@`), no query, no fragment.
pub(crate) fn check_url(url: &str) -> Result<(), ConfigError> {
    let bad = |why: &str| Err(ConfigError(format!("endpoint URL `{url}` {why}")));
    let Ok(uri) = url.parse::<http::Uri>() else { return bad("is not a valid URL") };
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return bad("is not an http:// or https:// URL");
    }
    let Some(authority) = uri.authority() else { return bad("has no host") };
    if authority.as_str().contains('@') {
        return bad("must not contain user info (`user@`)");
    }
    if authority.host().is_empty() {
        return bad("has no host");
    }
    if uri.query().is_some() || url.contains('#') {
        return bad("must not have a query or fragment");
    }
    Ok(())
}

/// Whether `region` is a valid region name: one DNS host label (letters, digits and `-`, 1 to 63
/// characters, not starting or ending with `-`), as botocore and smithy-rs require. Anything else
/// could change the host of every endpoint built from it (`evil.test/`, `x@evil.test#`).
pub fn is_valid_region(region: &str) -> bool {
    let b = region.as_bytes();
    (1..=63).contains(&b.len())
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

fn check_region(region: &str) -> Result<(), ConfigError> {
    if is_valid_region(region) {
        return Ok(());
    }
    let shown: String = region.chars().take(64).flat_map(char::escape_debug).collect();
    Err(ConfigError(format!(
        "region `{shown}` is not a valid region name (letters, digits and `-`, at most 63 characters)"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn environment_wins_over_profile() {
        let dir = std::env::temp_dir().join(format!("stratus-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cfg = dir.join("config");
        std::fs::write(&cfg, "[profile dev]\nregion = eu-west-1\nmax_attempts = 7\nretry_mode = adaptive\n").unwrap();
        let env = Env::from_vars([
            ("AWS_CONFIG_FILE", cfg.to_str().unwrap()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
            ("AWS_PROFILE", "dev"),
            ("AWS_REGION", "us-west-2"),
            ("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:9000"),
            ("AWS_ENDPOINT_URL", "https://example.com"),
        ]);
        let c = Config::from_env_with(env).await.unwrap();
        assert_eq!(c.region(), Some("us-west-2"));
        assert_eq!(c.retry().max_attempts, 7);
        assert_eq!(c.retry().mode, RetryMode::Adaptive);
        assert_eq!(c.endpoint_url_for("Lambda"), Some("http://127.0.0.1:9000"));
        assert_eq!(c.endpoint_url_for("S3"), Some("https://example.com"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn bad_values_name_their_source() {
        let dir = std::env::temp_dir().join(format!("stratus-config-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cfg = dir.join("config");
        std::fs::write(&cfg, "[default]\nmax_attempts = lots\n").unwrap();
        let env = Env::from_vars([
            ("AWS_CONFIG_FILE", cfg.to_str().unwrap()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
        ]);
        let e = Config::from_env_with(env).await.unwrap_err();
        assert!(e.0.contains("config:2") && e.0.contains("`lots`"), "{e}");
        let e = Config::from_env_with(Env::from_vars([("AWS_USE_FIPS_ENDPOINT", "yes")])).await.unwrap_err();
        assert!(e.0.contains("AWS_USE_FIPS_ENDPOINT"), "{e}");
        let e = Config::from_env_with(Env::from_vars([("AWS_ENDPOINT_URL", "localhost:5000")])).await.unwrap_err();
        assert!(e.0.contains("localhost:5000"), "{e}");
        let e = Config::from_env_with(Env::from_vars([("AWS_PROFILE", "ghost"), ("HOME", "/nonexistent")]))
            .await
            .unwrap_err();
        assert!(e.0.contains("ghost"), "{e}");
    }

    #[tokio::test]
    async fn services_sections_give_per_service_endpoints() {
        let dir = std::env::temp_dir().join(format!("stratus-config-services-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cfg = dir.join("config");
        std::fs::write(
            &cfg,
            "[profile dev]\nservices = local\nendpoint_url = https://global.example\nsts_regional_endpoints = legacy\n\
             [services local]\nlambda =\n  endpoint_url = http://127.0.0.1:9001\ncognito_identity =\n  endpoint_url = http://127.0.0.1:9002\n\
             [profile broken]\nservices = nowhere\n[profile bad]\nsts_regional_endpoints = sometimes\n",
        )
        .unwrap();
        let env = |extra: &[(&str, &str)]| {
            let mut vars = vec![
                ("AWS_CONFIG_FILE", cfg.to_str().unwrap()),
                ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
                ("AWS_PROFILE", "dev"),
            ];
            vars.extend_from_slice(extra);
            Env::from_vars(vars)
        };
        let c = Config::from_env_with(env(&[])).await.unwrap();
        assert_eq!(c.endpoint_url_for("Lambda"), Some("http://127.0.0.1:9001"));
        assert_eq!(c.endpoint_url_for("Cognito Identity"), Some("http://127.0.0.1:9002"));
        assert_eq!(c.endpoint_url_for("SQS"), Some("https://global.example"));
        assert!(c.sts_global_endpoint());
        // The environment wins over the profile: the service's variable, then AWS_ENDPOINT_URL.
        let c = Config::from_env_with(env(&[
            ("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:9003"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9004"),
        ]))
        .await
        .unwrap();
        assert_eq!(c.endpoint_url_for("Lambda"), Some("http://127.0.0.1:9003"));
        assert_eq!(c.endpoint_url_for("Cognito Identity"), Some("http://127.0.0.1:9004"));
        assert_eq!(c.endpoint_url_for("SQS"), Some("http://127.0.0.1:9004"));
        // Set in code, an endpoint wins over everything configured.
        let b = ConfigBuilder::from_env(env(&[("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:9003")])).await.unwrap();
        let c = b.endpoint_url("http://127.0.0.1:9005").build().unwrap();
        assert_eq!(c.endpoint_url_for("Lambda"), Some("http://127.0.0.1:9005"));
        // ignore_configured_endpoint_urls turns all of it off.
        let c = Config::from_env_with(env(&[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")])).await.unwrap();
        assert_eq!(c.endpoint_url_for("Lambda"), None);
        let e = Config::from_env_with(env(&[("AWS_PROFILE", "broken")])).await.unwrap_err();
        assert!(e.0.contains("[services nowhere]") && e.0.contains("profile `broken`"), "{e}");
        let e = Config::from_env_with(env(&[("AWS_PROFILE", "bad")])).await.unwrap_err();
        assert!(e.0.contains("`sometimes`"), "{e}");
        // AWS_DEFAULT_REGION comes before the profile's region, after AWS_REGION.
        std::fs::write(&cfg, "[profile dev]\nregion = eu-west-3\n").unwrap();
        let c = Config::from_env_with(env(&[("AWS_DEFAULT_REGION", "us-west-1")])).await.unwrap();
        assert_eq!(c.region(), Some("us-west-1"));
        let c = Config::from_env_with(env(&[])).await.unwrap();
        assert_eq!(c.region(), Some("eu-west-3"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn ca_bundle_and_proxy_settings_are_checked_where_they_are_set() {
        let dir = std::env::temp_dir().join(format!("stratus-config-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let garbage = dir.join("garbage.pem");
        std::fs::write(&garbage, "not a certificate").unwrap();
        let cfg = dir.join("config");
        std::fs::write(&cfg, format!("[default]\nca_bundle = {}\n", garbage.display())).unwrap();
        let ca = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tls/ca.pem");
        let env = |vars: &[(&str, &str)]| {
            let mut all = vec![("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"), ("AWS_CONFIG_FILE", "/nonexistent")];
            all.extend_from_slice(vars);
            Env::from_vars(all)
        };
        assert!(Config::from_env_with(env(&[("AWS_CA_BUNDLE", ca)])).await.is_ok());
        let e = Config::from_env_with(env(&[("AWS_CA_BUNDLE", "/nonexistent/ca.pem")])).await.unwrap_err();
        assert!(e.0.contains("AWS_CA_BUNDLE") && e.0.contains("/nonexistent/ca.pem"), "{e}");
        let e = Config::from_env_with(env(&[("AWS_CONFIG_FILE", cfg.to_str().unwrap())])).await.unwrap_err();
        assert!(e.0.contains("config:2") && e.0.contains("garbage.pem"), "{e}");
        let e = Config::from_env_with(env(&[("HTTPS_PROXY", "http://user:hunter2@[bad")])).await.unwrap_err();
        assert!(e.0.to_ascii_lowercase().contains("https_proxy") && !e.0.contains("hunter2"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
