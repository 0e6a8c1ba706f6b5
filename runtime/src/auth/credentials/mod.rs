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
//!
//! One file per provider: `environment`, `profile` (static keys and `credential_process`),
//! `container`, `imds`, `web_identity`, `chain` (the chain and the default chain) and `cache`;
//! `json` reads the credentials JSON the process, container and IMDS providers return, and `fetch`
//! makes their bounded HTTP calls. Every provider is re-exported here.

mod cache;
mod chain;
mod container;
mod environment;
mod fetch;
mod imds;
mod json;
mod profile;
mod web_identity;

pub use cache::CachingProvider;
pub use chain::{ChainProvider, DefaultChain};
pub use container::ContainerProvider;
pub use environment::EnvironmentProvider;
pub use imds::ImdsProvider;
pub(crate) use json::parse_credentials_json;
pub use profile::{credential_process, static_credentials, ProfileProvider, DEFAULT_PROCESS_TIMEOUT};
pub use web_identity::WebIdentityGuard;

use crate::http::BoxFuture;
use crate::types::{DateTime, Redacted};
use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

/// An access key, its secret, and optionally a session token and an expiry.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    inner: Arc<Inner>,
}

#[derive(Clone, PartialEq, Eq)]
struct Inner {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expiry: Option<SystemTime>,
    provider: &'static str,
    account_id: Option<String>,
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
                account_id: None,
            }),
        }
    }

    /// The same credentials, saying which account they belong to.
    pub fn with_account_id(self, account_id: Option<String>) -> Credentials {
        let mut inner = Arc::unwrap_or_clone(self.inner);
        inner.account_id = account_id;
        Credentials { inner: Arc::new(inner) }
    }

    /// The AWS account the credentials belong to, when the provider said
    /// (`aws_account_id`, `AWS_ACCOUNT_ID`, or the account of an assumed role).
    pub fn account_id(&self) -> Option<&str> {
        self.inner.account_id.as_deref()
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
        .with_account_id(self.inner.account_id.clone())
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
        if let Some(a) = &self.inner.account_id {
            d.field("account_id", a);
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
    /// This provider is not configured.
    pub fn not_loaded(provider: &'static str, message: impl Into<String>) -> Self {
        CredentialsError { provider, kind: CredentialsErrorKind::NotLoaded, message: message.into() }
    }
    /// The provider's configuration is wrong.
    pub fn invalid(provider: &'static str, message: impl Into<String>) -> Self {
        CredentialsError { provider, kind: CredentialsErrorKind::InvalidConfiguration, message: message.into() }
    }
    /// The provider's source failed.
    pub fn failed(provider: &'static str, message: impl Into<String>) -> Self {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let c = Credentials::new("AKID", "SECRET", Some("TOKEN".into()), None, "test");
        let s = format!("{c:?}");
        assert!(s.contains("AKID") && !s.contains("SECRET") && !s.contains("TOKEN"), "{s}");
    }
}
