//! [`ContainerProvider`]: credentials from the ECS/EKS container endpoint, whose URL is checked
//! before anything is sent.

use super::fetch::http_call;
use super::json::parse_credentials_json;
use super::{Credentials, CredentialsError, ProvideCredentials};
use crate::env::Env;
use crate::http::{BoxFuture, HttpClient};
use bytes::Bytes;
use std::sync::Arc;
use std::time::Duration;

/// Credentials from the ECS/EKS container endpoint.
#[derive(Debug, Clone)]
pub struct ContainerProvider {
    env: Env,
    http: Arc<dyn HttpClient>,
}

impl ContainerProvider {
    /// Uses `env` for its settings and `http` to call the endpoint.
    pub fn new(env: Env, http: Arc<dyn HttpClient>) -> Self {
        ContainerProvider { env, http }
    }

    /// The endpoint asked: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` on the ECS agent's address, else
    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI` (https anywhere, plain http only to loopback or the
    /// ECS/EKS agents).
    pub async fn uri(&self) -> Result<String, CredentialsError> {
        if let Some(rel) = self.env.get_nonempty("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            container_relative_uri(rel.trim())
        } else if let Some(full) = self.env.get_nonempty("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
            container_full_uri(full.trim()).await
        } else {
            Err(CredentialsError::not_loaded(
                CONTAINER,
                "No environment variables were set to configure ECS provider (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
                 or AWS_CONTAINER_CREDENTIALS_FULL_URI)",
            ))
        }
    }
}

impl ProvideCredentials for ContainerProvider {
    fn provide(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        const P: &str = CONTAINER;
        Box::pin(async move {
            let uri = self.uri().await?;
            let token = match self.env.get_nonempty("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
                Some(file) => Some(
                    self.env
                        .fs()
                        .read_to_string(std::path::Path::new(&file))
                        .await
                        .map_err(|e| {
                            CredentialsError::invalid(P, format!("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE {file}: {e}"))
                        })?
                        .trim()
                        .to_string(),
                ),
                None => self.env.get_nonempty("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
            };
            let mut req = http::Request::get(&uri).header("accept", "application/json");
            if let Some(t) = token {
                if t.contains(['\r', '\n']) {
                    return Err(CredentialsError::invalid(P, "the authorization token contains a line break"));
                }
                req = req.header("authorization", t);
            }
            let req = req.body(Bytes::new()).map_err(|e| CredentialsError::invalid(P, format!("{uri}: {e}")))?;
            let (status, body) = http_call(&*self.http, req, P, Duration::from_secs(5)).await?;
            if status != 200 {
                return Err(CredentialsError::failed(P, format!("{uri} answered HTTP {status}")));
            }
            parse_credentials_json(P, &body, &uri)
        })
    }
}

const CONTAINER: &str = "container";

/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is a path on the ECS agent's fixed address; anything
/// that is not a plain path (`@evil.test/x`, `.evil.test/`) could move the host.
fn container_relative_uri(rel: &str) -> Result<String, CredentialsError> {
    let invalid = || {
        CredentialsError::invalid(
            CONTAINER,
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must be a path starting with `/` (it is appended to http://169.254.170.2)",
        )
    };
    if !rel.starts_with('/') || rel.starts_with("//") || rel.contains(['@', '\\', '#']) {
        return Err(invalid());
    }
    let uri = format!("http://169.254.170.2{rel}");
    let parsed: http::Uri = uri.parse().map_err(|_| invalid())?;
    if parsed.authority().map(|a| a.as_str()) != Some("169.254.170.2") {
        return Err(invalid());
    }
    Ok(uri)
}

/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` may be any `https://` URL, but plain HTTP only to the ECS
/// and EKS agents' addresses or to loopback — checked on the parsed host, and for a host name on
/// every address it resolves to (as aws-config does), so `http://127.evil.test/` is refused.
async fn container_full_uri(full: &str) -> Result<String, CredentialsError> {
    let invalid =
        |why: &str| CredentialsError::invalid(CONTAINER, format!("AWS_CONTAINER_CREDENTIALS_FULL_URI: {why}"));
    let parsed: http::Uri = full.parse().map_err(|_| invalid("not a valid URL"))?;
    let Some(authority) = parsed.authority() else { return Err(invalid("the URI did not specify a host")) };
    if authority.as_str().contains('@') {
        return Err(invalid("the URL must not contain user info"));
    }
    match parsed.scheme_str() {
        Some("https") => return Ok(full.to_string()),
        Some("http") => {}
        _ => return Err(invalid("the URL must be http:// or https://")),
    }
    let host = authority.host().trim_start_matches('[').trim_end_matches(']');
    let allowed_ip = |ip: std::net::IpAddr| {
        ip.is_loopback()
            || ip == std::net::IpAddr::from([169, 254, 170, 2])
            || ip == std::net::IpAddr::from([169, 254, 170, 23])
            || ip == std::net::IpAddr::from([0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23])
    };
    let ok = match host.parse::<std::net::IpAddr>() {
        Ok(ip) => allowed_ip(ip),
        Err(_) => {
            let port = authority.port_u16().unwrap_or(80);
            let lookup = tokio::time::timeout(Duration::from_secs(2), tokio::net::lookup_host((host, port))).await;
            match lookup {
                Ok(Ok(addrs)) => {
                    let addrs: Vec<_> = addrs.collect();
                    !addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback())
                }
                _ => false,
            }
        }
    };
    if !ok {
        return Err(invalid(
            "plain HTTP is only allowed to loopback addresses or the ECS/EKS agents (169.254.170.2, 169.254.170.23, fd00:ec2::23)",
        ));
    }
    Ok(full.to_string())
}
