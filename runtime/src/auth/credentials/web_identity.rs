//! [`WebIdentityGuard`]: stops the runtime's chain when web identity is configured (the
//! `stratus-config` crate has the provider that assumes the role).

use super::{Credentials, CredentialsError, ProvideCredentials};
use crate::env::Env;
use crate::http::BoxFuture;

/// Web identity (`AWS_WEB_IDENTITY_TOKEN_FILE`, as on EKS with IRSA) needs a call to STS, which the
/// runtime cannot make (the STS client is generated on top of it): `stratus_config::load()` has
/// the real provider. In the runtime's own chain ([`Config::from_env`](crate::Config::from_env)),
/// a configured web identity must not fall through to the container or instance role — that would
/// run as a different identity than the one the deployment intends — so this provider stops the
/// chain with an error that says where the provider is.
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
                "AWS_WEB_IDENTITY_TOKEN_FILE is set: assuming a role with web identity needs STS, which the \
                 `stratus-config` crate calls (`stratus_config::load().await`); stratus_runtime::Config::from_env \
                 refuses to fall back to the container or instance role (a different identity)",
            )),
            None => Err(CredentialsError::not_loaded(P, "AWS_WEB_IDENTITY_TOKEN_FILE is not set")),
        };
        Box::pin(async move { result })
    }
}
