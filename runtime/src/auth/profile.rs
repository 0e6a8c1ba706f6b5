//! The shared AWS config and credentials files (`~/.aws/config`, `~/.aws/credentials`).
//!
//! Both files are INI-like: `[section]` headers, `key = value` properties, `#`/`;` comments, and
//! indented continuation lines that form sub-properties (`s3 =` followed by `  max_concurrent_requests = 10`).
//! In the config file a profile's section is `[profile NAME]` (or `[default]`); in the credentials
//! file it is `[NAME]`. Properties of the credentials file win over those of the config file.
//!
//! A line that is none of these is an error naming the file and line, so a typo never silently drops
//! a setting.

use crate::env::Env;
use std::collections::HashMap;
use std::path::PathBuf;

/// A profile file that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileFileError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ProfileFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

impl std::error::Error for ProfileFileError {}

/// One profile: its properties (keys lower-cased), and where each came from. `Debug` shows the
/// values of ordinary settings and hides those that may be secret (keys, tokens, passwords, and
/// `credential_process` command lines).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// Profile name.
    pub name: String,
    properties: HashMap<String, String>,
    sources: HashMap<String, (PathBuf, usize)>,
}

/// Whether a profile property may hold a secret, so its value is never printed.
pub fn is_secret_property(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["secret", "token", "password", "credential_process", "session"].iter().any(|w| key.contains(w))
        && key != "sso_session"
        && key != "role_session_name"
        && key != "duration_seconds"
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut keys: Vec<&String> = self.properties.keys().collect();
        keys.sort();
        let mut map = f.debug_map();
        for k in keys {
            if is_secret_property(k) {
                map.entry(k, &crate::types::Redacted);
            } else {
                map.entry(k, &self.properties[k]);
            }
        }
        map.finish()?;
        write!(f, " (profile `{}`)", self.name)
    }
}

impl Profile {
    /// A property's value (keys are case-insensitive).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.properties.get(&key.to_ascii_lowercase()).map(String::as_str)
    }

    /// Where a property was set: file and line, for error messages.
    pub fn source(&self, key: &str) -> Option<(&PathBuf, usize)> {
        self.sources.get(&key.to_ascii_lowercase()).map(|(p, l)| (p, *l))
    }

    /// Describes a property's location (`~/.aws/config:12 (profile dev)`).
    pub fn describe(&self, key: &str) -> String {
        match self.source(key) {
            Some((p, l)) => format!("{}:{l} (profile `{}`)", p.display(), self.name),
            None => format!("profile `{}`", self.name),
        }
    }
}

/// The profiles read from both files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileSet {
    profiles: HashMap<String, Profile>,
    /// The selected profile name (`AWS_PROFILE`, else `default`).
    pub selected: String,
}

impl ProfileSet {
    /// Reads the files named by the environment: `AWS_CONFIG_FILE` (default `~/.aws/config`) and
    /// `AWS_SHARED_CREDENTIALS_FILE` (default `~/.aws/credentials`); missing files are fine.
    pub async fn load(env: &Env) -> Result<ProfileSet, ProfileFileError> {
        let home = env.home_dir();
        let path = |var: &str, default: &str| -> Option<PathBuf> {
            match env.get(var) {
                Some(p) if !p.is_empty() => Some(expand_home(&p, home.as_deref())),
                _ => home.as_ref().map(|h| h.join(".aws").join(default)),
            }
        };
        let mut set = ProfileSet {
            selected: env.get("AWS_PROFILE").filter(|p| !p.is_empty()).unwrap_or_else(|| "default".into()),
            ..Default::default()
        };
        for (file, is_config) in
            [(path("AWS_CONFIG_FILE", "config"), true), (path("AWS_SHARED_CREDENTIALS_FILE", "credentials"), false)]
        {
            let Some(file) = file else { continue };
            let text = match env.fs().read_to_string(&file).await {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(ProfileFileError { file, line: 0, message: format!("cannot read: {e}") }),
            };
            set.merge(parse(&file, &text, is_config)?);
        }
        Ok(set)
    }

    /// Parses file contents directly (for tests and embedders).
    pub fn from_texts(
        config: Option<(&str, &str)>,
        credentials: Option<(&str, &str)>,
        selected: &str,
    ) -> Result<ProfileSet, ProfileFileError> {
        let mut set = ProfileSet { selected: selected.to_string(), ..Default::default() };
        if let Some((name, text)) = config {
            set.merge(parse(&PathBuf::from(name), text, true)?);
        }
        if let Some((name, text)) = credentials {
            set.merge(parse(&PathBuf::from(name), text, false)?);
        }
        Ok(set)
    }

    fn merge(&mut self, parsed: Vec<Profile>) {
        for p in parsed {
            let entry = self
                .profiles
                .entry(p.name.clone())
                .or_insert_with(|| Profile { name: p.name.clone(), ..Default::default() });
            entry.properties.extend(p.properties);
            entry.sources.extend(p.sources);
        }
    }

    /// A profile by name.
    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    /// The selected profile, when it exists.
    pub fn selected_profile(&self) -> Option<&Profile> {
        self.profiles.get(&self.selected)
    }
}

fn expand_home(path: &str, home: Option<&std::path::Path>) -> PathBuf {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(h)) => h.join(rest),
        _ => PathBuf::from(path),
    }
}

/// Parses one file into profiles (properties of repeated sections merge, later wins).
fn parse(file: &std::path::Path, text: &str, is_config: bool) -> Result<Vec<Profile>, ProfileFileError> {
    let err = |line: usize, message: String| ProfileFileError { file: file.to_path_buf(), line, message };
    let mut profiles: Vec<Profile> = Vec::new();
    // Index of the profile being filled; None inside a section we ignore (e.g. `[sso-session x]`).
    let mut current: Option<usize> = None;
    let mut in_section = false;
    let mut last_key: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = strip_comment(raw);
        if line.trim().is_empty() {
            continue;
        }
        if raw.starts_with([' ', '\t']) {
            // Continuation: a sub-property of the last property.
            if !in_section || last_key.is_none() {
                return Err(err(n, "indented line with no property above it".into()));
            }
            if let (Some(idx), Some(key)) = (current, &last_key) {
                let sub = line.trim();
                let value = profiles[idx].properties.entry(key.clone()).or_default();
                if !value.is_empty() {
                    value.push('\n');
                }
                value.push_str(sub);
            }
            continue;
        }
        let line = line.trim();
        if let Some(header) = line.strip_prefix('[') {
            let Some(name) = header.strip_suffix(']') else {
                return Err(err(n, "a section header is missing its `]`".into()));
            };
            let name = name.trim();
            in_section = true;
            last_key = None;
            let profile_name = if is_config {
                if name == "default" {
                    Some("default".to_string())
                } else if let Some(rest) = name.strip_prefix("profile") {
                    if rest.starts_with([' ', '\t']) {
                        Some(rest.trim().to_string())
                    } else {
                        None
                    }
                } else {
                    None // sso-session, services...: not profiles
                }
            } else {
                Some(name.to_string())
            };
            current = match profile_name {
                Some(p) if p.is_empty() => return Err(err(n, "empty profile name".into())),
                Some(p) if p.contains(char::is_whitespace) => {
                    return Err(err(n, "a profile name contains whitespace".into()))
                }
                Some(p) => Some(match profiles.iter().position(|x| x.name == p) {
                    Some(idx) => idx,
                    None => {
                        profiles.push(Profile { name: p, ..Default::default() });
                        profiles.len() - 1
                    }
                }),
                None => None,
            };
            continue;
        }
        // Errors never quote the line: it may be a secret with a typo (`aws_secret_access_key KEY`).
        let Some((key, value)) = line.split_once('=') else {
            return Err(err(
                n,
                "expected `[section]` or `key = value` (the line is not shown: it may hold a secret)".into(),
            ));
        };
        if !in_section {
            return Err(err(n, "a property appears before any [section]".into()));
        }
        let key = key.trim().to_ascii_lowercase();
        if key.is_empty() {
            return Err(err(n, "property with an empty name".into()));
        }
        if let Some(idx) = current {
            profiles[idx].properties.insert(key.clone(), value.trim().to_string());
            profiles[idx].sources.insert(key.clone(), (file.to_path_buf(), n));
        }
        last_key = Some(key);
    }
    Ok(profiles)
}

/// Drops a comment: a line starting with `#` or `;`, or ` #`/` ;` after a value.
fn strip_comment(line: &str) -> &str {
    let t = line.trim_start();
    if t.starts_with('#') || t.starts_with(';') {
        return "";
    }
    let bytes = line.as_bytes();
    for i in 1..bytes.len() {
        if (bytes[i] == b'#' || bytes[i] == b';') && bytes[i - 1].is_ascii_whitespace() {
            return &line[..i];
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_and_credentials_merge() {
        let config = "[default]\nregion = us-west-2\n\n[profile dev]\nregion=eu-west-1 # Ireland\ns3 =\n  max_concurrent_requests = 10\n[sso-session x]\nsso_region = us-east-1\n";
        let creds = "[dev]\naws_access_key_id = AKID\naws_secret_access_key = SECRET\n; comment\n";
        let set = ProfileSet::from_texts(Some(("config", config)), Some(("credentials", creds)), "dev").unwrap();
        let dev = set.selected_profile().unwrap();
        assert_eq!(dev.get("region"), Some("eu-west-1"));
        assert_eq!(dev.get("AWS_ACCESS_KEY_ID"), Some("AKID"));
        assert_eq!(dev.get("s3"), Some("max_concurrent_requests = 10"));
        assert_eq!(dev.source("aws_secret_access_key"), Some((&PathBuf::from("credentials"), 3)));
        assert_eq!(set.get("default").unwrap().get("region"), Some("us-west-2"));
        assert!(set.get("x").is_none());
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = ProfileSet::from_texts(Some(("cfg", "[default]\nregion us-east-1\n")), None, "default").unwrap_err();
        assert_eq!((e.file.to_str(), e.line), (Some("cfg"), 2));
        assert!(e.to_string().starts_with("cfg:2: expected"), "{e}");
        let e = ProfileSet::from_texts(None, Some(("creds", "key = v\n")), "default").unwrap_err();
        assert!(e.message.contains("before any [section]"));
        let e = ProfileSet::from_texts(None, Some(("creds", "[a]\naws_secret_access_key CANARY-SECRET\n")), "a")
            .unwrap_err();
        assert_eq!(e.line, 2);
        assert!(!format!("{e} {e:?}").contains("CANARY"), "{e}");
        let e = ProfileSet::from_texts(None, Some(("creds", "[default\n")), "default").unwrap_err();
        assert!(e.message.contains("missing its `]`"));
        let e = ProfileSet::from_texts(None, Some(("creds", "[a]\n  orphan = 1\n")), "default").unwrap_err();
        assert_eq!(e.line, 2);
    }
}
