//! [`EnvironmentProvider`]: credentials from environment variables.

use super::{Credentials, CredentialsError, ProvideCredentials};
use crate::env::Env;
use crate::http::BoxFuture;

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` (and the
/// account from `AWS_ACCOUNT_ID`).
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
                Ok(Credentials::new(id.trim(), secret.trim(), self.env.get_nonempty("AWS_SESSION_TOKEN"), None, P)
                    .with_account_id(self.env.get_nonempty("AWS_ACCOUNT_ID")))
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
