//! [`CachingProvider`]: credentials kept until shortly before they expire, one refresh shared by
//! concurrent callers.

use super::{Credentials, CredentialsError, ProvideCredentials};
use crate::http::BoxFuture;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Caches another provider's credentials until `refresh_before` their expiry. One refresh serves
/// every concurrent caller — its success or its failure: callers that arrive while a refresh runs
/// wait for that refresh and share its result, so N callers of a failing, slow provider wait once,
/// not N times.
#[derive(Debug)]
pub struct CachingProvider {
    inner: Arc<dyn ProvideCredentials>,
    state: std::sync::Mutex<CacheState>,
    refresh_before: Duration,
    clock: Option<crate::env::Env>,
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
        CachingProvider { inner, state: std::sync::Mutex::new(CacheState::default()), refresh_before, clock: None }
    }

    /// Judges expiry by `env`'s clock ([`Env::now`](crate::env::Env::now)), as the providers do.
    pub fn with_clock(mut self, env: crate::env::Env) -> Self {
        self.clock = Some(env);
        self
    }

    fn fresh(&self, c: &Credentials) -> bool {
        match c.expiry() {
            None => true,
            Some(exp) => {
                let now = self.clock.as_ref().map_or_else(SystemTime::now, |e| e.now());
                now.checked_add(self.refresh_before).is_some_and(|t| t < exp)
            }
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
