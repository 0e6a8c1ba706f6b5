//! [`WebIdentityGuard`]: stops the chain when web identity is configured (not implemented yet).

use super::{Credentials, CredentialsError, ProvideCredentials};
use crate::env::Env;
use crate::http::BoxFuture;

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
