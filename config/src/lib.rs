//! The full AWS credential chain for Stratus clients.
//!
//! `stratus_runtime::Config::from_env()` finds credentials that need no AWS call: environment
//! variables, static keys and `credential_process` in the shared files, the container endpoint and
//! EC2 instance metadata. Role assumption, web identity and IAM Identity Center (SSO) need calls to
//! STS, SSO and SSO-OIDC; this crate makes them with the Stratus-generated clients of those
//! services (`stratus-sts`, `stratus-sso`, `stratus-ssooidc`) — which is why it is a crate of its
//! own: the runtime cannot depend on crates generated on top of it, and a program that needs none
//! of this does not compile it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let config = stratus_config::load().await?;
//! let sts = stratus_sts::Client::new(&config);
//! let me = sts.get_caller_identity().send().await?;
//! println!("{:?}", me.arn);
//! # Ok(())
//! # }
//! ```
//!
//! The default chain, in aws-config's order; the first provider that is configured wins, and one
//! that is configured but fails stops the chain with an error naming the profile, file and line:
//!
//! 1. environment variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`);
//! 2. the selected profile (`AWS_PROFILE`, else `default`) — see [`resolve_chain`]: static keys,
//!    `credential_process`, `role_arn` with `source_profile` (chains of any length; cycles are an
//!    error) or `credential_source` (`Environment`, `Ec2InstanceMetadata`, `EcsContainer`),
//!    `external_id`, `role_session_name`, `duration_seconds`, `mfa_serial` (with
//!    [`Loader::mfa_token_provider`]), `web_identity_token_file`, and SSO (`sso_session` or the
//!    legacy `sso_start_url`);
//! 3. web identity from `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN`, `AWS_ROLE_SESSION_NAME`
//!    (EKS IRSA, CI OIDC);
//! 4. the container endpoint (ECS task roles, EKS Pod Identity);
//! 5. EC2 instance metadata (IMDSv2).

#![warn(missing_docs)]

mod profile_chain;
mod sso;
mod sts;

pub use profile_chain::{resolve_chain, BaseProvider, NamedSource, ProfileChain, ProfileChainProvider};
pub use sso::{SsoConfig, SsoProvider};
pub use sts::{RoleStep, WebIdentityProvider, WebIdentitySource};

use std::fmt;
use std::sync::Arc;
use stratus_runtime::config::{ConfigBuilder, ConfigError};
use stratus_runtime::credentials::{
    CachingProvider, ChainProvider, ContainerProvider, Credentials, CredentialsError, EnvironmentProvider,
    ImdsProvider, ProvideCredentials,
};
use stratus_runtime::env::Env;
use stratus_runtime::http::{BoxFuture, HttpClient};
use stratus_runtime::Config;

/// Supplies the current code of an MFA device when a profile with `mfa_serial` assumes its role.
pub trait MfaTokenProvider: Send + Sync + fmt::Debug {
    /// The code shown by device `serial`, for `profile` (for example read from a terminal prompt).
    fn token(&self, serial: &str, profile: &str) -> BoxFuture<'_, Result<String, String>>;
}

/// What every provider of the chain shares: the environment (variables, files, clock), the
/// configuration the STS and SSO calls are made with, and the MFA callback.
#[derive(Clone)]
pub(crate) struct Shared {
    pub(crate) env: Env,
    pub(crate) base: Config,
    pub(crate) mfa: Option<Arc<dyn MfaTokenProvider>>,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared").field("env", &self.env).field("region", &self.base.region()).finish_non_exhaustive()
    }
}

/// Loads the configuration from the process environment and the shared files, with the full
/// credential chain.
pub async fn load() -> Result<Config, ConfigError> {
    Loader::new().load().await
}

/// Loads a [`Config`] with the full credential chain, with options.
#[derive(Default)]
pub struct Loader {
    env: Option<Env>,
    http: Option<Arc<dyn HttpClient>>,
    mfa: Option<Arc<dyn MfaTokenProvider>>,
    customize: Option<Box<dyn FnOnce(ConfigBuilder) -> ConfigBuilder + Send>>,
}

impl fmt::Debug for Loader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Loader")
            .field("env", &self.env)
            .field("http", &self.http)
            .field("mfa", &self.mfa)
            .field("customize", &self.customize.is_some())
            .finish()
    }
}

impl Loader {
    /// A loader over the process environment.
    pub fn new() -> Self {
        Loader::default()
    }

    /// Reads this environment (variables, file system, clock) instead of the process's.
    pub fn env(mut self, env: Env) -> Self {
        self.env = Some(env);
        self
    }

    /// Uses this HTTP client, for the service calls and the credential providers' calls.
    pub fn http_client(mut self, http: Arc<dyn HttpClient>) -> Self {
        self.http = Some(http);
        self
    }

    /// Adjusts the settings read from the environment before the configuration is built
    /// (timeouts, retries, `anonymous()`...). Credentials given here
    /// (`ConfigBuilder::credentials` or `credentials_provider`) are used instead of the chain.
    pub fn customize(mut self, f: impl FnOnce(ConfigBuilder) -> ConfigBuilder + Send + 'static) -> Self {
        self.customize = Some(Box::new(f));
        self
    }

    /// Asks this callback for MFA codes (profiles with `mfa_serial`).
    pub fn mfa_token_provider(mut self, mfa: Arc<dyn MfaTokenProvider>) -> Self {
        self.mfa = Some(mfa);
        self
    }

    /// The configuration without the full chain (what the providers' own calls use), and whether
    /// [`customize`](Self::customize) gave it credentials of its own.
    async fn base(&mut self) -> Result<(Env, Config, bool), ConfigError> {
        let env = self.env.clone().unwrap_or_else(Env::process);
        let mut builder = ConfigBuilder::from_env(env.clone()).await?;
        if let Some(http) = &self.http {
            builder = builder.http_client(http.clone());
        }
        if let Some(f) = self.customize.take() {
            builder = f(builder);
        }
        let explicit = builder.has_credentials();
        Ok((env, builder.build()?, explicit))
    }

    /// The default credential chain, uncached (the [`Config`] from [`Loader::load`] caches it).
    pub async fn credentials_chain(mut self) -> Result<DefaultChain, ConfigError> {
        let (env, base, _) = self.base().await?;
        let imds = Arc::new(ImdsProvider::new(env.clone(), base.http_client().clone()));
        Ok(DefaultChain::new(Shared { env, base, mfa: self.mfa.clone() }, imds))
    }

    /// Loads the configuration: region, endpoints, retries and the rest as
    /// `stratus_runtime::Config::from_env` reads them (and, when no region is configured, the
    /// region of the EC2 instance from IMDS), and the full credential chain.
    pub async fn load(mut self) -> Result<Config, ConfigError> {
        let (env, mut base, explicit) = self.base().await?;
        // One IMDS provider for the region and the credentials: off EC2, the first failure is
        // remembered and the second lookup costs nothing.
        let imds = Arc::new(ImdsProvider::new(env.clone(), base.http_client().clone()));
        if base.region().is_none() {
            // Last in the region chain: the EC2 instance's own region.
            if let Some(region) = imds.region().await {
                base = base.with_region(region)?;
            }
        }
        if explicit {
            // The caller's credentials, as aws-config's loader uses a provider it was given.
            return Ok(base);
        }
        let chain = DefaultChain::new(Shared { env: env.clone(), base: base.clone(), mfa: self.mfa }, imds);
        let cached = CachingProvider::new(Arc::new(chain)).with_clock(env);
        Ok(base.with_credentials_provider(Arc::new(cached)))
    }
}

/// The default credential chain (see the crate documentation for its order).
#[derive(Debug, Clone)]
pub struct DefaultChain(ChainProvider);

impl DefaultChain {
    fn new(shared: Shared, imds: Arc<ImdsProvider>) -> Self {
        let env = shared.env.clone();
        let http = shared.base.http_client().clone();
        DefaultChain(ChainProvider::new(vec![
            Arc::new(EnvironmentProvider::new(env.clone())),
            Arc::new(ProfileChainProvider::new(shared.clone())),
            Arc::new(WebIdentityProvider::from_env(shared)),
            Arc::new(ContainerProvider::new(env, http)),
            imds,
        ]))
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        self.0.provide()
    }
}
