//! Retries: standard mode (the default) and adaptive mode, as the AWS SDKs define them.
//!
//! **Standard**: up to `max_attempts` attempts (3 by default); between attempts a full-jitter
//! exponential backoff, `random(0, 1) * 2^(attempt-1)` seconds capped at 20 s, or the server's
//! `Retry-After`-style hint when it gives one (capped the same way). Retries spend a shared quota — a
//! token bucket of 500, 5 tokens per retry and 10 per retry after a timeout — refunded on success, so
//! a failing service stops being hammered: once the quota is spent, errors are returned at once.
//! Throttling and transient errors (HTTP 500/502/503/504, connection failures, attempt timeouts) are
//! retried; anything else is returned at once.
//!
//! **Adaptive**: standard, plus a client-side rate limiter that slows the client down after
//! throttling and recovers along a CUBIC curve (the SDKs' algorithm).
//!
//! The whole operation can be bounded by an operation timeout; [`Retrier::run`] never runs past it.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Retry mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryMode {
    /// Backoff and a retry quota.
    Standard,
    /// Standard plus client-side rate limiting after throttling.
    Adaptive,
}

impl std::str::FromStr for RetryMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "standard" | "legacy" => Ok(RetryMode::Standard),
            "adaptive" => Ok(RetryMode::Adaptive),
            other => Err(format!("unknown retry mode `{other}` (expected standard or adaptive)")),
        }
    }
}

/// Retry settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryConfig {
    /// Mode.
    pub mode: RetryMode,
    /// Attempts in all, the first included (1 disables retries).
    pub max_attempts: u32,
    /// Longest wait between attempts.
    pub max_backoff: Duration,
    /// Base of the exponential backoff.
    pub base: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            mode: RetryMode::Standard,
            max_attempts: 3,
            max_backoff: Duration::from_secs(20),
            base: Duration::from_secs(1),
        }
    }
}

/// How an attempt's result is to be treated. [`classify`] is the one place that decides it; the
/// retrier and [`Error::is_retryable`](crate::error::Error::is_retryable) both ask it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryClass {
    /// Success, or an error not worth retrying.
    Final,
    /// The service throttled the request.
    Throttling,
    /// A transient failure (5xx, connection reset, a stalled body).
    Transient,
    /// The attempt timed out.
    Timeout,
    /// The service rejected the request's time; the client corrected its clock offset and the
    /// request is re-signed at once.
    ClockSkew,
}

/// What the retrier needs to know about an error type.
pub trait RetryableError: Sized {
    /// How to treat this error.
    fn retry_class(&self) -> RetryClass;
    /// A wait the server asked for (`Retry-After`, `x-amz-retry-after`), if any.
    fn retry_after(&self) -> Option<Duration> {
        None
    }
    /// The error for an expired timeout of `operation`.
    fn timeout(operation: &'static str, kind: crate::error::TimeoutKind, after: Duration) -> Self;
}

impl<E> RetryableError for crate::error::Error<E> {
    fn retry_class(&self) -> RetryClass {
        classify(self.kind())
    }

    fn retry_after(&self) -> Option<Duration> {
        retry_after_hint(&self.raw_response()?.headers, std::time::SystemTime::now())
    }

    fn timeout(operation: &'static str, kind: crate::error::TimeoutKind, after: Duration) -> Self {
        crate::error::Error::new(operation, crate::error::ErrorKind::Timeout { kind, after })
    }
}

/// The retry class of an error: the single classifier of the runtime.
///
/// - a service error carries the class decided when it was received ([`classify_response`]);
/// - a response that could not be parsed is transient when its status is 500, 502, 503 or 504;
/// - a transport failure is transient unless the request itself was bad or the body too large;
/// - an attempt timeout is a timeout (retried at a higher quota cost); an operation timeout,
///   validation, configuration, credentials and request-building failures are final.
pub fn classify<E>(kind: &crate::error::ErrorKind<E>) -> RetryClass {
    use crate::error::{ErrorKind, TimeoutKind};
    match kind {
        ErrorKind::Service(s) => s.retry,
        ErrorKind::Response(r) if is_transient_status(r.raw.status) => RetryClass::Transient,
        ErrorKind::Dispatch(d) if d.is_retryable() => RetryClass::Transient,
        ErrorKind::Timeout { kind: TimeoutKind::Attempt, .. } => RetryClass::Timeout,
        _ => RetryClass::Final,
    }
}

/// The class of an error response: the model's `retryable` trait when the matched exception has
/// one (`modeled`), else the well-known throttling and transient codes and statuses.
pub fn classify_response(code: &str, status: u16, modeled: Option<RetryClass>) -> RetryClass {
    if let Some(class) = modeled {
        return class;
    }
    if is_throttling(code, status) {
        RetryClass::Throttling
    } else if is_transient(code, status) {
        RetryClass::Transient
    } else {
        RetryClass::Final
    }
}

/// Error codes that mean "slow down".
pub fn is_throttling(code: &str, status: u16) -> bool {
    status == 429
        || matches!(
            code,
            "Throttling"
                | "ThrottlingException"
                | "ThrottledException"
                | "RequestThrottledException"
                | "TooManyRequestsException"
                | "ProvisionedThroughputExceededException"
                | "TransactionInProgressException"
                | "RequestLimitExceeded"
                | "BandwidthLimitExceeded"
                | "LimitExceededException"
                | "RequestThrottled"
                | "SlowDown"
                | "PriorRequestNotComplete"
                | "EC2ThrottledException"
        )
}

/// Error codes and statuses that mean "try again".
pub fn is_transient(code: &str, status: u16) -> bool {
    is_transient_status(status)
        || matches!(code, "RequestTimeout" | "RequestTimeoutException" | "InternalError" | "ServiceUnavailable")
}

fn is_transient_status(status: u16) -> bool {
    matches!(status, 500 | 502 | 503 | 504)
}

/// Error codes with which services reject a request signed at the wrong time.
pub fn is_clock_skew_code(code: &str) -> bool {
    matches!(
        code,
        "RequestTimeTooSkewed"
            | "RequestExpired"
            | "RequestInTheFuture"
            | "InvalidSignatureException"
            | "SignatureDoesNotMatch"
            | "AuthFailure"
    )
}

/// The wait a response asks for: `x-amz-retry-after` (milliseconds) or `Retry-After` (seconds, or
/// an HTTP-date, measured from `now`). Anything unparseable, negative, not finite or too large to
/// be a `Duration` is ignored; the retrier caps what is left at its maximum backoff.
pub fn retry_after_hint(headers: &http::HeaderMap, now: std::time::SystemTime) -> Option<Duration> {
    let text = |name: &str| headers.get(name)?.to_str().ok().map(str::trim);
    let secs = |v: &str| v.parse::<f64>().ok().filter(|s| s.is_finite() && *s >= 0.0);
    if let Some(ms) = text("x-amz-retry-after").and_then(secs) {
        return Duration::try_from_secs_f64(ms / 1000.0).ok();
    }
    let v = text("retry-after")?;
    if let Some(s) = secs(v) {
        return Duration::try_from_secs_f64(s).ok();
    }
    let at = crate::types::DateTime::parse_http_date(v).ok()?;
    let now = crate::types::DateTime::from(now);
    let ahead = at.as_secs_f64() - now.as_secs_f64();
    Duration::try_from_secs_f64(ahead.max(0.0)).ok()
}

/// Timeouts of one operation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timeouts {
    /// Limit on each attempt.
    pub attempt: Option<Duration>,
    /// Limit on the whole operation, retries included.
    pub operation: Option<Duration>,
}

const INITIAL_QUOTA: u32 = 500;
const RETRY_COST: u32 = 5;
const TIMEOUT_RETRY_COST: u32 = 10;
const NO_RETRY_INCREMENT: u32 = 1;

/// Runs attempts with retries; shared by every operation of a client (the quota is shared).
#[derive(Debug)]
pub struct Retrier {
    config: RetryConfig,
    quota: Mutex<u32>,
    limiter: Option<Mutex<RateLimiter>>,
    seed: AtomicU64,
}

impl Retrier {
    /// A retrier with a full quota.
    pub fn new(config: RetryConfig) -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0x9E37_79B9, |d| d.as_nanos() as u64);
        Retrier {
            config,
            quota: Mutex::new(INITIAL_QUOTA),
            limiter: (config.mode == RetryMode::Adaptive).then(|| Mutex::new(RateLimiter::new())),
            seed: AtomicU64::new(seed | 1),
        }
    }

    /// The settings.
    pub fn config(&self) -> RetryConfig {
        self.config
    }

    /// Tokens left in the retry quota.
    pub fn quota(&self) -> u32 {
        *self.quota.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A uniform random number in [0, 1) (xorshift; jitter needs no more).
    fn random(&self) -> f64 {
        let mut x = self.seed.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.seed.store(x, Ordering::Relaxed);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The wait before retry number `retry` (1-based).
    fn backoff(&self, retry: u32, hint: Option<Duration>) -> Duration {
        let cap = self.config.max_backoff;
        if let Some(h) = hint {
            return h.min(cap);
        }
        let exp = self.config.base.as_secs_f64() * 2f64.powi(retry.saturating_sub(1).min(30) as i32);
        Duration::try_from_secs_f64((self.random() * exp).min(cap.as_secs_f64())).unwrap_or(cap)
    }

    /// Runs `attempt` until it succeeds, fails for good, runs out of attempts or quota, or the
    /// operation timeout expires. `attempt` gets the 1-based attempt number.
    pub async fn run<T, E, F, Fut>(&self, operation: &'static str, timeouts: Timeouts, mut attempt: F) -> Result<T, E>
    where
        E: RetryableError,
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let all = async {
            let mut n = 1;
            loop {
                if let Some(limiter) = &self.limiter {
                    let wait = limiter.lock().unwrap_or_else(|p| p.into_inner()).acquire(Instant::now());
                    if !wait.is_zero() {
                        crate::client::trace::rate_limited(wait);
                        tokio::time::sleep(wait).await;
                    }
                }
                let result = match timeouts.attempt {
                    Some(t) => match tokio::time::timeout(t, attempt(n)).await {
                        Ok(r) => r,
                        Err(_) => Err(E::timeout(operation, crate::error::TimeoutKind::Attempt, t)),
                    },
                    None => attempt(n).await,
                };
                let class = match &result {
                    Ok(_) => RetryClass::Final,
                    Err(e) => e.retry_class(),
                };
                if let Some(limiter) = &self.limiter {
                    limiter
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .update(class == RetryClass::Throttling, Instant::now());
                }
                let err = match result {
                    Ok(v) => {
                        self.refund(if n > 1 { RETRY_COST } else { NO_RETRY_INCREMENT });
                        return Ok(v);
                    }
                    Err(e) => e,
                };
                if class == RetryClass::Final {
                    return Err(err);
                }
                if n >= self.config.max_attempts {
                    crate::client::trace::not_retrying(n, class, "no attempts left");
                    return Err(err);
                }
                let cost = if class == RetryClass::Timeout { TIMEOUT_RETRY_COST } else { RETRY_COST };
                if !self.spend(cost) {
                    crate::client::trace::not_retrying(n, class, "the retry quota is spent");
                    return Err(err);
                }
                // A corrected clock needs no backoff: the next attempt is signed differently.
                let delay =
                    if class == RetryClass::ClockSkew { Duration::ZERO } else { self.backoff(n, err.retry_after()) };
                crate::client::trace::retrying(n, class, delay);
                if class != RetryClass::ClockSkew {
                    tokio::time::sleep(delay).await;
                }
                n += 1;
            }
        };
        match timeouts.operation {
            Some(t) => tokio::time::timeout(t, all)
                .await
                .unwrap_or_else(|_| Err(E::timeout(operation, crate::error::TimeoutKind::Operation, t))),
            None => all.await,
        }
    }

    fn spend(&self, cost: u32) -> bool {
        let mut q = self.quota.lock().unwrap_or_else(|p| p.into_inner());
        if *q < cost {
            return false;
        }
        *q -= cost;
        true
    }

    fn refund(&self, amount: u32) {
        let mut q = self.quota.lock().unwrap_or_else(|p| p.into_inner());
        *q = (*q + amount).min(INITIAL_QUOTA);
    }
}

/// The adaptive mode's client-side rate limiter (a token bucket whose rate follows CUBIC).
#[derive(Debug)]
struct RateLimiter {
    enabled: bool,
    fill_rate: f64,
    max_capacity: f64,
    capacity: f64,
    last_refill: Option<Instant>,
    measured_rate: f64,
    last_bucket: f64,
    count: u64,
    last_max_rate: f64,
    last_throttle: f64,
    time_window: f64,
    origin: Option<Instant>,
}

const MIN_FILL_RATE: f64 = 0.5;
const MIN_CAPACITY: f64 = 1.0;
const SMOOTH: f64 = 0.8;
const BETA: f64 = 0.7;
const SCALE: f64 = 0.4;

impl RateLimiter {
    fn new() -> Self {
        RateLimiter {
            enabled: false,
            fill_rate: 0.0,
            max_capacity: 0.0,
            capacity: 0.0,
            last_refill: None,
            measured_rate: 0.0,
            last_bucket: 0.0,
            count: 0,
            last_max_rate: 0.0,
            last_throttle: 0.0,
            time_window: 0.0,
            origin: None,
        }
    }

    fn secs(&mut self, now: Instant) -> f64 {
        let origin = *self.origin.get_or_insert(now);
        now.duration_since(origin).as_secs_f64()
    }

    fn refill(&mut self, now: Instant) {
        if let Some(last) = self.last_refill {
            let elapsed = now.duration_since(last).as_secs_f64();
            self.capacity = (self.capacity + elapsed * self.fill_rate).min(self.max_capacity);
        }
        self.last_refill = Some(now);
    }

    /// How long to wait before sending one request.
    fn acquire(&mut self, now: Instant) -> Duration {
        if !self.enabled {
            return Duration::ZERO;
        }
        self.refill(now);
        if self.capacity >= 1.0 {
            self.capacity -= 1.0;
            return Duration::ZERO;
        }
        let wait = (1.0 - self.capacity) / self.fill_rate;
        self.capacity = 0.0;
        Duration::try_from_secs_f64(wait).unwrap_or(Duration::from_secs(1)).min(Duration::from_secs(60))
    }

    fn update(&mut self, throttled: bool, now: Instant) {
        let t = self.secs(now);
        // Measured send rate, smoothed over half-second buckets.
        let bucket = (t * 2.0).floor() / 2.0;
        self.count += 1;
        if bucket > self.last_bucket {
            let current = self.count as f64 / (bucket - self.last_bucket);
            self.measured_rate = current * SMOOTH + self.measured_rate * (1.0 - SMOOTH);
            self.count = 0;
            self.last_bucket = bucket;
        }
        let calculated = if throttled {
            let rate = if self.enabled { self.measured_rate.min(self.fill_rate) } else { self.measured_rate };
            self.last_max_rate = rate;
            self.time_window = (self.last_max_rate * (1.0 - BETA) / SCALE).cbrt();
            self.last_throttle = t;
            self.enabled = true;
            rate * BETA
        } else {
            self.time_window = (self.last_max_rate * (1.0 - BETA) / SCALE).cbrt();
            SCALE * (t - self.last_throttle - self.time_window).powi(3) + self.last_max_rate
        };
        let new_rate = calculated.min(2.0 * self.measured_rate);
        self.refill(now);
        self.fill_rate = new_rate.max(MIN_FILL_RATE);
        self.max_capacity = new_rate.max(MIN_CAPACITY);
        self.capacity = self.capacity.min(self.max_capacity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_and_jittered() {
        let r = Retrier::new(RetryConfig::default());
        for retry in 1..40 {
            let b = r.backoff(retry, None);
            assert!(b <= Duration::from_secs(20), "{b:?}");
            assert!(b <= Duration::from_secs_f64(2f64.powi(retry as i32 - 1)));
        }
        assert_eq!(r.backoff(1, Some(Duration::from_secs(99))), Duration::from_secs(20));
        let distinct: std::collections::HashSet<_> = (0..20).map(|_| r.backoff(5, None)).collect();
        assert!(distinct.len() > 10, "jitter varies the delay");
    }

    #[test]
    fn limiter_slows_down_after_throttling_and_recovers() {
        let mut l = RateLimiter::new();
        let start = Instant::now();
        assert_eq!(l.acquire(start), Duration::ZERO, "disabled until the first throttle");
        for i in 0..20 {
            l.update(false, start + Duration::from_millis(100 * i));
        }
        l.update(true, start + Duration::from_secs(2));
        assert!(l.enabled);
        let throttled_rate = l.fill_rate;
        for i in 0..10 {
            let _ = l.acquire(start + Duration::from_secs(2) + Duration::from_millis(i));
        }
        assert!(l.acquire(start + Duration::from_secs(2) + Duration::from_millis(11)) > Duration::ZERO);
        // Sending steadily at 20 requests per second, the rate climbs back past the throttled one
        // (never above twice what is actually sent).
        for i in 0..80 {
            l.update(false, start + Duration::from_secs(2) + Duration::from_millis(50 * (i + 1)));
        }
        assert!(l.fill_rate > throttled_rate, "{} <= {throttled_rate}", l.fill_rate);
        assert!(l.fill_rate <= 2.0 * l.measured_rate + 1e-9);
    }

    #[test]
    fn modes_parse() {
        assert_eq!("Adaptive".parse::<RetryMode>(), Ok(RetryMode::Adaptive));
        assert_eq!("legacy".parse::<RetryMode>(), Ok(RetryMode::Standard));
        assert!("sometimes".parse::<RetryMode>().is_err());
    }
}
