//! [`ChainProvider`] and the standard [`DefaultChain`].

use super::{
    ContainerProvider, Credentials, CredentialsError, CredentialsErrorKind, EnvironmentProvider, ImdsProvider,
    ProfileProvider, ProvideCredentials, WebIdentityGuard,
};
use crate::env::Env;
use crate::http::{BoxFuture, HttpClient};
use std::sync::Arc;

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

/// The runtime's chain: environment, profile (static keys, `credential_process`), web identity
/// (refused: see [`WebIdentityGuard`]), container, IMDS. `stratus_config::load()` has the full
/// chain, with role assumption, web identity and SSO.
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
