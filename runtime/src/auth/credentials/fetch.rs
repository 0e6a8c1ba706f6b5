//! One bounded HTTP call, for the providers that ask an endpoint (container, IMDS).

use super::CredentialsError;
use crate::http::{HttpClient, HttpRequest};
use bytes::Bytes;
use std::time::Duration;

/// The largest answer read from a credentials endpoint.
const MAX_ANSWER: usize = 64 * 1024;

pub(super) async fn http_call(
    http: &dyn HttpClient,
    request: HttpRequest,
    provider: &'static str,
    timeout: Duration,
) -> Result<(u16, Bytes), CredentialsError> {
    let uri = request.uri().to_string();
    let fut = async {
        let response =
            http.call(request).await.map_err(|e| CredentialsError::failed(provider, format!("{uri}: {e}")))?;
        let status = response.status().as_u16();
        // Credentials JSON is a few hundred bytes; a larger answer is not one.
        let body = response
            .into_body()
            .collect_limited(MAX_ANSWER)
            .await
            .map_err(|e| CredentialsError::failed(provider, format!("{uri}: {e}")))?;
        Ok((status, body))
    };
    tokio::time::timeout(timeout, fut).await.map_err(|_| {
        CredentialsError::failed(provider, format!("{uri}: no answer within {} ms", timeout.as_millis()))
    })?
}
