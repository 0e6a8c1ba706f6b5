//! Which providers a profile needs, in which order: [`resolve_chain`] follows `source_profile`
//! references from the selected profile down to the profile that holds the base credentials, and
//! [`ProfileChainProvider`] runs the chain it describes.

use crate::sso::{SsoConfig, SsoProvider};
use crate::sts::{assume_role, RoleStep, WebIdentityProvider, WebIdentitySource};
use crate::Shared;
use stratus_runtime::credentials::{
    credential_process, static_credentials, ContainerProvider, Credentials, CredentialsError, CredentialsErrorKind,
    EnvironmentProvider, ImdsProvider, ProvideCredentials, DEFAULT_PROCESS_TIMEOUT,
};
use stratus_runtime::http::BoxFuture;
use stratus_runtime::profile::{Profile, ProfileSet};

const P: &str = "profile";

/// The providers a profile's credentials come from: a base, then roles assumed one after the other
/// (each with the credentials of the one before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileChain {
    /// Where the first credentials come from.
    pub base: BaseProvider,
    /// Roles to assume in order, the selected profile's role last.
    pub roles: Vec<RoleStep>,
}

/// Where the credentials at the root of a profile chain come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseProvider {
    /// Static keys in a profile.
    AccessKey(Credentials),
    /// A `credential_process` command (its text is never printed: it may carry a secret).
    CredentialProcess {
        /// The profile that names it.
        profile: String,
    },
    /// `credential_source`: credentials found outside the profile files.
    NamedSource(NamedSource),
    /// `role_arn` with `web_identity_token_file`.
    WebIdentityToken(WebIdentitySource),
    /// IAM Identity Center (SSO).
    Sso(SsoConfig),
}

/// The values of `credential_source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedSource {
    /// `Environment`: `AWS_ACCESS_KEY_ID` and friends.
    Environment,
    /// `Ec2InstanceMetadata`: the EC2 instance role.
    Ec2InstanceMetadata,
    /// `EcsContainer`: the ECS task role (or EKS Pod Identity).
    EcsContainer,
}

impl NamedSource {
    /// The name used in the profile.
    pub fn as_str(self) -> &'static str {
        match self {
            NamedSource::Environment => "Environment",
            NamedSource::Ec2InstanceMetadata => "Ec2InstanceMetadata",
            NamedSource::EcsContainer => "EcsContainer",
        }
    }
}

fn invalid(message: String) -> CredentialsError {
    CredentialsError::invalid(P, message)
}

pub(crate) fn nonempty<'a>(profile: &'a Profile, key: &str) -> Option<&'a str> {
    profile.get(key).map(str::trim).filter(|v| !v.is_empty())
}

/// Resolves the chain of the selected profile of `set`. A default profile that is absent or holds
/// no credentials is "not loaded" (the default chain goes on to the next provider); everything
/// else that is wrong is an error naming the profile, and the file and line where it can be
/// fixed.
pub fn resolve_chain(set: &ProfileSet) -> Result<ProfileChain, CredentialsError> {
    let selected = set.selected.as_str();
    if set.profiles().next().is_none() {
        let message = "No profiles were defined (the config and credentials files are missing or empty)";
        return Err(if selected == "default" {
            CredentialsError::not_loaded(P, message)
        } else {
            invalid(format!("profile `{selected}` (AWS_PROFILE) is not defined: {message}"))
        });
    }
    let mut visited: Vec<&str> = Vec::new();
    let mut roles = Vec::new();
    let mut name = selected;
    let base = loop {
        let Some(profile) = set.get(name) else {
            return Err(match visited.last() {
                Some(from) => invalid(format!(
                    "could not find source profile {name} referenced from {from} ({})",
                    set.get(from).map(|p| p.describe("source_profile")).unwrap_or_default()
                )),
                None if name == "default" => CredentialsError::not_loaded(P, "there is no default profile"),
                None => invalid(format!("profile `{name}` (AWS_PROFILE) is not in the config or credentials file")),
            });
        };
        if visited.contains(&name) {
            visited.push(name);
            return Err(invalid(format!(
                "profile formed an infinite loop: {} (each names the next as its source_profile)",
                visited.join(" -> ")
            )));
        }
        visited.push(name);
        // Below the selected profile, static keys end the chain even when the profile also
        // assumes a role: the source profile's keys are what its user meant.
        // (Half a key pair is not a pair: the profile's role then applies.)
        if visited.len() > 1 {
            if let Ok(Some(c)) = static_credentials(profile, P) {
                break BaseProvider::AccessKey(c);
            }
        }
        let Some(role_arn) = nonempty(profile, "role_arn") else {
            break base_of(set, profile, visited.len() == 1)?;
        };
        if let Some(file) = nonempty(profile, "web_identity_token_file") {
            break BaseProvider::WebIdentityToken(WebIdentitySource {
                role_arn: role_arn.to_string(),
                token_file: file.to_string(),
                session_name: nonempty(profile, "role_session_name").map(str::to_string),
                origin: format!("profile `{name}`"),
            });
        }
        let step = RoleStep::from_profile(profile, role_arn)?;
        match (nonempty(profile, "source_profile"), nonempty(profile, "credential_source")) {
            (Some(_), Some(_)) => {
                return Err(invalid(format!(
                    "{}: profile contained both source_profile and credential_source; keep one",
                    profile.describe("credential_source")
                )))
            }
            (None, None) => {
                return Err(invalid(format!(
                    "{}: role_arn is set, so the profile must contain `source_profile` or `credential_source` \
                     (where the credentials that assume the role come from)",
                    profile.describe("role_arn")
                )))
            }
            (None, Some(source)) => {
                roles.push(step);
                break BaseProvider::NamedSource(named_source(profile, source)?);
            }
            (Some(source), None) if source == name => {
                // A profile may assume its role with its own keys.
                roles.push(step);
                match static_credentials(profile, P)? {
                    Some(c) => break BaseProvider::AccessKey(c),
                    None => {
                        return Err(invalid(format!(
                            "{}: the profile is its own source_profile but has no aws_access_key_id",
                            profile.describe("source_profile")
                        )))
                    }
                }
            }
            (Some(source), None) => {
                roles.push(step);
                name = source;
            }
        }
    };
    roles.reverse();
    Ok(ProfileChain { base, roles })
}

fn named_source(profile: &Profile, source: &str) -> Result<NamedSource, CredentialsError> {
    [NamedSource::Environment, NamedSource::Ec2InstanceMetadata, NamedSource::EcsContainer]
        .into_iter()
        .find(|s| s.as_str() == source)
        .ok_or_else(|| {
            invalid(format!(
                "{}: credential_source `{source}` is not Environment, Ec2InstanceMetadata or EcsContainer",
                profile.describe("credential_source")
            ))
        })
}

/// The base of a profile that assumes no role.
fn base_of(set: &ProfileSet, profile: &Profile, selected: bool) -> Result<BaseProvider, CredentialsError> {
    if nonempty(profile, "web_identity_token_file").is_some() {
        return Err(invalid(format!(
            "{}: `web_identity_token_file` was specified but `role_arn` was missing; add the role to assume",
            profile.describe("web_identity_token_file")
        )));
    }
    if ["sso_session", "sso_start_url", "sso_account_id", "sso_role_name"]
        .iter()
        .any(|k| nonempty(profile, k).is_some())
    {
        return Ok(BaseProvider::Sso(sso_config(set, profile)?));
    }
    // aws-config's order: a credential_process before static keys.
    if nonempty(profile, "credential_process").is_some() {
        return Ok(BaseProvider::CredentialProcess { profile: profile.name.clone() });
    }
    if let Some(c) = static_credentials(profile, P)? {
        return Ok(BaseProvider::AccessKey(c));
    }
    let message = format!(
        "profile `{}` did not contain credential information (keys, role_arn, SSO, web identity or \
         credential_process)",
        profile.name
    );
    // The selected profile may hold only settings (a region): the chain goes on. A source profile
    // without credentials is a broken chain.
    Err(if selected { CredentialsError::not_loaded(P, message) } else { invalid(message) })
}

fn sso_config(set: &ProfileSet, profile: &Profile) -> Result<SsoConfig, CredentialsError> {
    let name = &profile.name;
    let account_id = nonempty(profile, "sso_account_id");
    let role_name = nonempty(profile, "sso_role_name");
    match (account_id, role_name) {
        (None, Some(_)) => {
            return Err(invalid(format!(
                "profile `{name}`: if `sso_role_name` is set, then `sso_account_id` must also be set"
            )))
        }
        (Some(_), None) => {
            return Err(invalid(format!(
                "profile `{name}`: if `sso_account_id` is set, then `sso_role_name` must also be set"
            )))
        }
        _ => {}
    }
    let session = nonempty(profile, "sso_session");
    let (start_url, region) = match session {
        Some(session_name) => {
            let Some(section) = set.sso_session(session_name) else {
                return Err(invalid(format!(
                    "sso-session named `{session_name}` (referenced by profile `{name}`) was not found; add an \
                     [sso-session {session_name}] section to the config file"
                )));
            };
            for key in ["sso_region", "sso_start_url"] {
                if let Some(value) = nonempty(profile, key) {
                    if nonempty(section, key) != Some(value) {
                        return Err(invalid(format!(
                            "{}: `{key}` can only be specified in the [sso-session] config when a session name is \
                             given (the profile's value differs from sso-session `{session_name}`'s)",
                            profile.describe(key)
                        )));
                    }
                }
            }
            (nonempty(section, "sso_start_url"), nonempty(section, "sso_region"))
        }
        None => (nonempty(profile, "sso_start_url"), nonempty(profile, "sso_region")),
    };
    let where_ = match session {
        Some(s) => format!("sso-session `{s}` (referenced by profile `{name}`)"),
        None => format!("profile `{name}`"),
    };
    let (Some(start_url), Some(region)) = (start_url, region) else {
        return Err(invalid(format!("{where_} must set both sso_start_url and sso_region")));
    };
    if session.is_none() && account_id.is_none() {
        return Err(invalid(format!("profile `{name}` sets sso_start_url but not sso_account_id and sso_role_name")));
    }
    Ok(SsoConfig {
        profile: name.clone(),
        session_name: session.map(str::to_string),
        start_url: start_url.to_string(),
        region: region.to_string(),
        account_id: account_id.map(str::to_string),
        role_name: role_name.map(str::to_string),
    })
}

/// Credentials of the selected profile, whatever its kind: static keys, `credential_process`, a
/// chain of assumed roles on any base (`source_profile`, `credential_source`), web identity, or
/// SSO. The profile files are read on every call (the client caches the credentials), so edits
/// take effect when the credentials are next refreshed.
#[derive(Debug, Clone)]
pub struct ProfileChainProvider {
    shared: Shared,
}

impl ProfileChainProvider {
    /// A provider over `shared` (the environment, the configuration STS and SSO calls use, the
    /// MFA callback).
    pub(crate) fn new(shared: Shared) -> Self {
        ProfileChainProvider { shared }
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let env = &self.shared.env;
        let set = ProfileSet::load(env).await.map_err(|e| invalid(e.to_string()))?;
        let chain = resolve_chain(&set)?;
        let mut credentials = match &chain.base {
            BaseProvider::AccessKey(c) => c.clone(),
            BaseProvider::CredentialProcess { profile } => {
                let p = set.get(profile).ok_or_else(|| invalid(format!("profile `{profile}` disappeared")))?;
                let command = p.get("credential_process").unwrap_or_default();
                credential_process(command, &p.describe("credential_process"), DEFAULT_PROCESS_TIMEOUT).await?
            }
            BaseProvider::NamedSource(source) => {
                let http = self.shared.base.http_client().clone();
                let provider: Box<dyn ProvideCredentials> = match source {
                    NamedSource::Environment => Box::new(EnvironmentProvider::new(env.clone())),
                    NamedSource::Ec2InstanceMetadata => Box::new(ImdsProvider::new(env.clone(), http)),
                    NamedSource::EcsContainer => Box::new(ContainerProvider::new(env.clone(), http)),
                };
                provider.provide().await.map_err(|e| {
                    // The profile asked for this source: its absence stops the chain.
                    let who = chain.roles.first().map(|r| r.profile.as_str()).unwrap_or_default();
                    let (kind, what) = match &e.kind {
                        CredentialsErrorKind::NotLoaded => {
                            (CredentialsErrorKind::InvalidConfiguration, "the credential provider was not enabled")
                        }
                        k => (k.clone(), "it failed"),
                    };
                    CredentialsError {
                        provider: P,
                        kind,
                        message: format!(
                            "profile `{who}` has credential_source = {}, but {what}: {e}",
                            source.as_str()
                        ),
                    }
                })?
            }
            BaseProvider::WebIdentityToken(source) => {
                WebIdentityProvider::new(self.shared.clone(), source.clone()).provide().await?
            }
            BaseProvider::Sso(config) => SsoProvider::new(self.shared.clone(), config.clone()).provide().await?,
        };
        for role in &chain.roles {
            credentials = assume_role(&self.shared, credentials, role).await?;
        }
        Ok(credentials)
    }
}

impl ProvideCredentials for ProfileChainProvider {
    fn provide(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}
