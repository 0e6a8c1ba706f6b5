//! Tracing of calls, with the `tracing` feature; without it every hook here is an empty inline
//! function and no tracing code is compiled.
//!
//! Spans: `stratus.operation` around a call (fields `service`, `operation`, `region`) and
//! `stratus.attempt` around each attempt (`attempt`, from 1). Events, all at `DEBUG` level:
//!
//! - `request sent`: `method`, `uri` (query parameter names only, without their values),
//!   `body_bytes` (absent for a streamed body);
//! - `response received`: `status`, `request_id` (`x-amzn-requestid`, `x-amz-request-id`), and
//!   `duration_ms` from sending to the response head;
//! - `attempt failed` and `operation failed`: `error`, the error's message;
//! - `retrying` (`attempt` that failed, `reason` — the retry class —, `delay_ms`), `not retrying`
//!   (`attempt`, `reason`, `why`), `rate limited` (`delay_ms`, adaptive mode).
//!
//! No header and no body is ever recorded: the `authorization`, `x-amz-security-token` and other
//! credential-bearing headers stay out of traces because no header does.

#[cfg(feature = "tracing")]
mod on {
    use crate::retry::RetryClass;
    use std::fmt;
    use std::future::Future;
    use std::time::Duration;

    /// A span (or nothing, without the feature).
    pub(crate) type Span = tracing::Span;

    /// When an attempt's request was sent (or nothing, without the feature).
    pub(crate) struct Clock(std::time::Instant);

    pub(crate) fn operation(service: &str, operation: &str, region: Option<&str>) -> Span {
        tracing::debug_span!("stratus.operation", service, operation, region)
    }

    pub(crate) fn attempt(attempt: u32) -> Span {
        tracing::debug_span!("stratus.attempt", attempt)
    }

    pub(crate) fn instrument<F: Future>(future: F, span: Span) -> impl Future<Output = F::Output> {
        tracing::Instrument::instrument(future, span)
    }

    pub(crate) fn request_sent(method: &http::Method, uri: &http::Uri, body_bytes: Option<usize>) -> Clock {
        tracing::debug!(method = %method, uri = %shown_uri(uri), body_bytes, "request sent");
        Clock(std::time::Instant::now())
    }

    pub(crate) fn response_received(status: u16, headers: &http::HeaderMap, sent: &Clock) {
        let request_id = ["x-amzn-requestid", "x-amz-request-id", "x-amzn-request-id"]
            .iter()
            .find_map(|name| headers.get(*name)?.to_str().ok());
        let duration_ms = u64::try_from(sent.0.elapsed().as_millis()).unwrap_or(u64::MAX);
        tracing::debug!(status, request_id, duration_ms, "response received");
    }

    pub(crate) fn attempt_failed(error: &dyn fmt::Display) {
        tracing::debug!(error = %error, "attempt failed");
    }

    pub(crate) fn operation_failed(error: &dyn fmt::Display) {
        tracing::debug!(error = %error, "operation failed");
    }

    pub(crate) fn retrying(attempt: u32, class: RetryClass, delay: Duration) {
        let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        tracing::debug!(attempt, reason = ?class, delay_ms, "retrying");
    }

    pub(crate) fn not_retrying(attempt: u32, class: RetryClass, why: &'static str) {
        tracing::debug!(attempt, reason = ?class, why, "not retrying");
    }

    pub(crate) fn rate_limited(delay: Duration) {
        let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        tracing::debug!(delay_ms, "rate limited");
    }

    /// `scheme://host/path?name&name`: the query's parameter names without their values.
    fn shown_uri(uri: &http::Uri) -> String {
        let mut shown = match (uri.scheme_str(), uri.authority()) {
            (Some(scheme), Some(authority)) => format!("{scheme}://{authority}"),
            _ => String::new(),
        };
        shown.push_str(uri.path());
        let names: Vec<&str> = uri
            .query()
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.split('=').next().unwrap_or_default())
            .collect();
        if !names.is_empty() {
            shown.push('?');
            shown.push_str(&names.join("&"));
        }
        shown
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn uris_are_shown_without_query_values() {
            let uri = "https://s3.us-east-1.amazonaws.com/b/k%20ey?list-type=2&prefix=secret&acl".parse().unwrap();
            assert_eq!(super::shown_uri(&uri), "https://s3.us-east-1.amazonaws.com/b/k%20ey?list-type&prefix&acl");
        }
    }
}

#[cfg(not(feature = "tracing"))]
mod off {
    use crate::retry::RetryClass;
    use std::fmt;
    use std::future::Future;
    use std::time::Duration;

    pub(crate) struct Span;

    pub(crate) struct Clock;

    #[inline(always)]
    pub(crate) fn operation(_: &str, _: &str, _: Option<&str>) -> Span {
        Span
    }

    #[inline(always)]
    pub(crate) fn attempt(_: u32) -> Span {
        Span
    }

    #[inline(always)]
    pub(crate) fn instrument<F: Future>(future: F, _: Span) -> F {
        future
    }

    #[inline(always)]
    pub(crate) fn request_sent(_: &http::Method, _: &http::Uri, _: Option<usize>) -> Clock {
        Clock
    }

    #[inline(always)]
    pub(crate) fn response_received(_: u16, _: &http::HeaderMap, _: &Clock) {}

    #[inline(always)]
    pub(crate) fn attempt_failed(_: &dyn fmt::Display) {}

    #[inline(always)]
    pub(crate) fn operation_failed(_: &dyn fmt::Display) {}

    #[inline(always)]
    pub(crate) fn retrying(_: u32, _: RetryClass, _: Duration) {}

    #[inline(always)]
    pub(crate) fn not_retrying(_: u32, _: RetryClass, _: &'static str) {}

    #[inline(always)]
    pub(crate) fn rate_limited(_: Duration) {}
}

#[cfg(feature = "tracing")]
pub(crate) use on::*;

#[cfg(not(feature = "tracing"))]
pub(crate) use off::*;
