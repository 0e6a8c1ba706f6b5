//! [`ProfileProvider`]: credentials from the shared profile files — static keys, or a
//! `credential_process` run with limits on its time and output.

use super::json::parse_credentials_json;
use super::{Credentials, CredentialsError, ProvideCredentials};
use crate::env::Env;
use crate::http::BoxFuture;
use crate::profile::{Profile, ProfileSet};
use std::time::Duration;

/// Credentials from the selected profile of the shared files: static keys, or a
/// `credential_process` whose JSON output is read.
#[derive(Debug, Clone)]
pub struct ProfileProvider {
    env: Env,
    process_timeout: Duration,
}

/// How long a `credential_process` may run (the default).
pub const DEFAULT_PROCESS_TIMEOUT: Duration = Duration::from_secs(60);

/// The most a `credential_process` may print; more is an error (credentials JSON is a few hundred
/// bytes).
const MAX_PROCESS_OUTPUT: u64 = 1024 * 1024;

impl ProfileProvider {
    /// Reads the files and profile named by `env`.
    pub fn new(env: Env) -> Self {
        ProfileProvider { env, process_timeout: DEFAULT_PROCESS_TIMEOUT }
    }

    /// Limits how long a `credential_process` may run (default [`DEFAULT_PROCESS_TIMEOUT`]).
    pub fn with_process_timeout(mut self, timeout: Duration) -> Self {
        self.process_timeout = timeout;
        self
    }
}

const PROFILE: &str = "profile";

impl ProvideCredentials for ProfileProvider {
    fn provide(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let set =
                ProfileSet::load(&self.env).await.map_err(|e| CredentialsError::invalid(PROFILE, e.to_string()))?;
            let Some(profile) = set.selected_profile() else {
                if set.selected != "default" {
                    // An explicitly selected profile that does not exist is a mistake, not a pass.
                    return Err(CredentialsError::invalid(
                        PROFILE,
                        format!("profile `{}` (AWS_PROFILE) is not in the config or credentials file", set.selected),
                    ));
                }
                return Err(CredentialsError::not_loaded(PROFILE, "no default profile"));
            };
            profile_credentials(profile, self.process_timeout).await
        })
    }
}

async fn profile_credentials(profile: &Profile, process_timeout: Duration) -> Result<Credentials, CredentialsError> {
    if profile.get("role_arn").is_some()
        || profile.get("sso_start_url").is_some()
        || profile.get("sso_session").is_some()
        || profile.get("web_identity_token_file").is_some()
    {
        return Err(CredentialsError::invalid(
            PROFILE,
            format!(
                "profile `{}` assumes a role or uses SSO or web identity; those credentials come from the \
                 `stratus-config` crate (`stratus_config::load().await`), which makes the STS and SSO calls",
                profile.name
            ),
        ));
    }
    if let Some(c) = static_credentials(profile, PROFILE)? {
        return Ok(c);
    }
    if let Some(command) = profile.get("credential_process") {
        return credential_process(command, &profile.describe("credential_process"), process_timeout).await;
    }
    Err(CredentialsError::not_loaded(PROFILE, format!("profile `{}` has no credentials", profile.name)))
}

/// The static keys of a profile (`aws_access_key_id`, `aws_secret_access_key`, optionally
/// `aws_session_token` and `aws_account_id`); `None` when it has neither key, an error naming the
/// file and line when it has only one.
pub fn static_credentials(profile: &Profile, provider: &'static str) -> Result<Option<Credentials>, CredentialsError> {
    let nonempty = |k: &str| profile.get(k).filter(|v| !v.is_empty());
    match (nonempty("aws_access_key_id"), nonempty("aws_secret_access_key")) {
        (None, None) => Ok(None),
        (Some(id), Some(secret)) => Ok(Some(
            Credentials::new(id, secret, nonempty("aws_session_token").map(str::to_string), None, provider)
                .with_account_id(nonempty("aws_account_id").map(str::to_string)),
        )),
        (Some(_), None) => Err(CredentialsError::invalid(
            provider,
            format!(
                "{}: profile missing aws_secret_access_key (aws_access_key_id is set)",
                profile.describe("aws_access_key_id")
            ),
        )),
        (None, Some(_)) => Err(CredentialsError::invalid(
            provider,
            format!(
                "{}: profile missing aws_access_key_id (aws_secret_access_key is set)",
                profile.describe("aws_secret_access_key")
            ),
        )),
    }
}

/// Runs a `credential_process` command. Errors name the profile line, never the command (it may
/// carry a secret) nor what the process wrote to stderr (which goes to this process's stderr, as
/// the AWS CLI does); its output is limited in time and size.
pub async fn credential_process(
    command: &str,
    place: &str,
    timeout: Duration,
) -> Result<Credentials, CredentialsError> {
    use tokio::io::AsyncReadExt as _;
    const P: &str = "credential_process";
    let mut cmd = if cfg!(windows) {
        let mut c = tokio::process::Command::new("cmd");
        c.arg("/C").arg(command);
        c
    } else {
        let mut c = tokio::process::Command::new("sh");
        c.arg("-c").arg(command);
        c
    };
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true);
    let mut child =
        cmd.spawn().map_err(|e| CredentialsError::failed(P, format!("{place}: cannot start the process: {e}")))?;
    let Some(stdout) = child.stdout.take() else {
        return Err(CredentialsError::failed(P, format!("{place}: the process has no standard output")));
    };
    let run = async {
        let mut out = Vec::new();
        stdout
            .take(MAX_PROCESS_OUTPUT + 1)
            .read_to_end(&mut out)
            .await
            .map_err(|e| CredentialsError::failed(P, format!("{place}: cannot read the process's output: {e}")))?;
        if out.len() as u64 > MAX_PROCESS_OUTPUT {
            return Err(CredentialsError::failed(
                P,
                format!("{place}: the process printed more than {MAX_PROCESS_OUTPUT} bytes"),
            ));
        }
        let status = child
            .wait()
            .await
            .map_err(|e| CredentialsError::failed(P, format!("{place}: waiting for the process: {e}")))?;
        Ok((status, out))
    };
    let (status, stdout) = match tokio::time::timeout(timeout, run).await {
        Ok(result) => result?,
        Err(_) => {
            return Err(CredentialsError::failed(
                P,
                format!("{place}: the process did not finish within {} ms", timeout.as_millis()),
            ))
        }
    };
    if !status.success() {
        return Err(CredentialsError::failed(
            P,
            format!("{place}: the process failed ({status}); see its messages on standard error"),
        ));
    }
    parse_credentials_json(P, &stdout, place)
}
