//! The shared AWS config and credentials files (`~/.aws/config`, `~/.aws/credentials`).
//!
//! Both files are INI-like: `[section]` headers, `key = value` properties, `#`/`;` comments, and
//! indented continuation lines. The parser follows the cross-SDK profile file rules (the suites in
//! `tests/data/aws-config`):
//!
//! - In the config file a profile's section is `[profile NAME]` or `[default]`; `[sso-session NAME]`
//!   and `[services NAME]` sections are kept too; any other section is ignored with its properties.
//!   When the config file has a `[profile default]` section, its `[default]` sections are ignored.
//! - In the credentials file every `[NAME]` section is a profile.
//! - Section and property names use ASCII letters, digits and `-/.%@_:+`; a section or property with
//!   any other name is ignored. Property names are case-insensitive (stored lower-cased).
//! - Repeated sections merge and the later property wins; between the files, the credentials file's
//!   property wins.
//! - A line starting with `#` or `;` is a comment, and so is `#`/`;` after a section header, or
//!   after a property value when preceded by whitespace (`value ; note`, but `value;note` is all value).
//! - An indented line continues the property above it: its trimmed text is appended after a `\n`.
//!   When the property's value is empty, the indented lines are its sub-properties (`name = value`
//!   each), read with [`Profile::sub_property`].
//!
//! A malformed line is an error naming the file and line, never quoting the line (it may hold a
//! secret with a typo).

use crate::env::Env;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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

/// What kind of section a [`Profile`] was read from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum SectionKind {
    #[default]
    Profile,
    SsoSession,
    Services,
}

impl SectionKind {
    fn label(self) -> &'static str {
        match self {
            SectionKind::Profile => "profile",
            SectionKind::SsoSession => "sso-session",
            SectionKind::Services => "services",
        }
    }
}

/// One section of the files — a profile, an `[sso-session NAME]` or a `[services NAME]` section:
/// its properties (keys lower-cased), and where each came from. `Debug` shows the values of ordinary
/// settings and hides those that may be secret (keys, tokens, passwords, `credential_process`
/// command lines, and any property with a sub-property of such a name).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// Profile name (or the sso-session's, or the services section's).
    pub name: String,
    kind: SectionKind,
    properties: BTreeMap<String, String>,
    sources: BTreeMap<String, (PathBuf, usize)>,
}

/// Whether a profile property may hold a secret, so its value is never printed.
pub fn is_secret_property(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["secret", "token", "password", "credential_process", "session", "external_id"].iter().any(|w| key.contains(w))
        && key != "sso_session"
        && key != "role_session_name"
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut map = f.debug_map();
        for (k, v) in &self.properties {
            if is_secret_property(k) || sub_properties(v).any(|(name, _)| is_secret_property(name)) {
                map.entry(k, &crate::types::Redacted);
            } else {
                map.entry(k, v);
            }
        }
        map.finish()?;
        write!(f, " ({} `{}`)", self.kind.label(), self.name)
    }
}

/// The `name = value` pairs of a property whose value is a list of sub-properties (a value that
/// starts with a line break: the property was defined empty and followed by indented lines).
fn sub_properties(value: &str) -> impl Iterator<Item = (&str, &str)> {
    let lines = if value.starts_with('\n') { value } else { "" };
    lines.lines().filter_map(|line| line.split_once('=')).map(|(k, v)| (k.trim(), v.trim()))
}

impl Profile {
    /// A property's value (keys are case-insensitive). A property with sub-properties has them
    /// as its value, one `name = value` per line after a leading `\n`; see [`Profile::sub_property`].
    pub fn get(&self, key: &str) -> Option<&str> {
        self.properties.get(&key.to_ascii_lowercase()).map(String::as_str)
    }

    /// A sub-property of a property (both names case-insensitive): in
    /// `s3 =` followed by the indented line `max_concurrent_requests = 10`,
    /// `sub_property("s3", "max_concurrent_requests")` is `Some("10")`. When a sub-property is
    /// repeated the last one wins.
    pub fn sub_property(&self, key: &str, sub: &str) -> Option<&str> {
        sub_properties(self.get(key)?).filter(|(name, _)| name.eq_ignore_ascii_case(sub)).map(|(_, v)| v).last()
    }

    /// Every property as (key, value), keys lower-cased and sorted.
    pub fn properties(&self) -> impl Iterator<Item = (&str, &str)> {
        self.properties.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Where a property was set: file and line, for error messages.
    pub fn source(&self, key: &str) -> Option<(&PathBuf, usize)> {
        self.sources.get(&key.to_ascii_lowercase()).map(|(p, l)| (p, *l))
    }

    /// Describes a property's location, e.g. ``~/.aws/config:12 (profile `dev`)``.
    pub fn describe(&self, key: &str) -> String {
        let kind = self.kind.label();
        match self.source(key) {
            Some((p, l)) => format!("{}:{l} ({kind} `{}`)", p.display(), self.name),
            None => format!("{kind} `{}`", self.name),
        }
    }

    /// The section's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// The profiles, sso-sessions and services sections read from both files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileSet {
    profiles: BTreeMap<String, Profile>,
    sso_sessions: BTreeMap<String, Profile>,
    services: BTreeMap<String, Profile>,
    /// The selected profile name (`AWS_PROFILE`, else `default`).
    pub selected: String,
}

impl ProfileSet {
    /// Reads the files named by the environment: `AWS_CONFIG_FILE` (default `~/.aws/config`) and
    /// `AWS_SHARED_CREDENTIALS_FILE` (default `~/.aws/credentials`); missing files are fine. The
    /// selected profile is `AWS_PROFILE`, else `default`.
    pub async fn load(env: &Env) -> Result<ProfileSet, ProfileFileError> {
        let (config, credentials) = shared_file_locations(env, cfg!(windows));
        let mut set = ProfileSet { selected: selected_profile_name(env), ..Default::default() };
        for (file, is_config) in [(config, true), (credentials, false)] {
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

    /// Parses file contents directly (for tests and embedders): `(file name, text)` of each file.
    pub fn from_texts(
        config: Option<(&str, &str)>,
        credentials: Option<(&str, &str)>,
        selected: &str,
    ) -> Result<ProfileSet, ProfileFileError> {
        let mut set = ProfileSet { selected: selected.to_string(), ..Default::default() };
        if let Some((name, text)) = config {
            set.merge(parse(Path::new(name), text, true)?);
        }
        if let Some((name, text)) = credentials {
            set.merge(parse(Path::new(name), text, false)?);
        }
        Ok(set)
    }

    fn merge(&mut self, sections: Vec<Profile>) {
        for section in sections {
            let map = match section.kind {
                SectionKind::Profile => &mut self.profiles,
                SectionKind::SsoSession => &mut self.sso_sessions,
                SectionKind::Services => &mut self.services,
            };
            let entry = map.entry(section.name.clone()).or_insert_with(|| Profile {
                name: section.name.clone(),
                kind: section.kind,
                ..Default::default()
            });
            entry.properties.extend(section.properties);
            entry.sources.extend(section.sources);
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

    /// An `[sso-session NAME]` section of the config file by name.
    pub fn sso_session(&self, name: &str) -> Option<&Profile> {
        self.sso_sessions.get(name)
    }

    /// A `[services NAME]` section of the config file by name (its properties are usually
    /// service names with sub-properties: `s3 =` then `  endpoint_url = ...`).
    pub fn services(&self, name: &str) -> Option<&Profile> {
        self.services.get(name)
    }

    /// Every profile, by name.
    pub fn profiles(&self) -> impl Iterator<Item = &Profile> {
        self.profiles.values()
    }

    /// Every sso-session, by name.
    pub fn sso_sessions(&self) -> impl Iterator<Item = &Profile> {
        self.sso_sessions.values()
    }
}

/// The selected profile's name: `AWS_PROFILE` when set and not empty, else `default`.
#[doc(hidden)]
pub fn selected_profile_name(env: &Env) -> String {
    env.get_nonempty("AWS_PROFILE").unwrap_or_else(|| "default".into())
}

/// Where the config and credentials files are, as `(config, credentials)`: `AWS_CONFIG_FILE` and
/// `AWS_SHARED_CREDENTIALS_FILE` (a leading `~/`, or `~\` on Windows, is the home directory), else
/// `.aws/config` and `.aws/credentials` in the home directory. The home directory is `HOME`; on
/// Windows, else `USERPROFILE`, else `HOMEDRIVE` + `HOMEPATH`. `None` when there is no home directory
/// to find a file in. With `windows`, paths are joined with `\` whatever the platform running this
/// (so the Windows rules can be tested anywhere).
#[doc(hidden)]
pub fn shared_file_locations(env: &Env, windows: bool) -> (Option<PathBuf>, Option<PathBuf>) {
    let home = home_dir(env, windows);
    let locate = |var: &str, default: &str| match env.get_nonempty(var) {
        Some(path) => Some(expand_home(&path, home.as_deref(), windows)),
        None => home.as_deref().map(|h| join_home(h, &[".aws", default], windows)),
    };
    (locate("AWS_CONFIG_FILE", "config"), locate("AWS_SHARED_CREDENTIALS_FILE", "credentials"))
}

fn home_dir(env: &Env, windows: bool) -> Option<String> {
    if !windows {
        return env.home_dir().map(|h| h.to_string_lossy().into_owned());
    }
    env.get_nonempty("HOME").or_else(|| env.get_nonempty("USERPROFILE")).or_else(|| {
        let path = env.get_nonempty("HOMEPATH")?;
        Some(format!("{}{path}", env.get("HOMEDRIVE").unwrap_or_default()))
    })
}

fn join_home(home: &str, parts: &[&str], windows: bool) -> PathBuf {
    if !windows {
        return parts.iter().fold(PathBuf::from(home), |p, part| p.join(part));
    }
    let mut out = home.trim_end_matches(['\\', '/']).to_string();
    for part in parts {
        out.push('\\');
        out.push_str(part);
    }
    PathBuf::from(out)
}

fn expand_home(path: &str, home: Option<&str>, windows: bool) -> PathBuf {
    let Some(home) = home else { return PathBuf::from(path) };
    if path == "~" {
        return PathBuf::from(home);
    }
    let rest = path.strip_prefix("~/").or_else(|| if windows { path.strip_prefix("~\\") } else { None });
    match rest {
        Some(rest) => join_home(home, &[rest], windows),
        None => PathBuf::from(path),
    }
}

/// Whether a section or property name is valid: ASCII letters, digits and `-/.%@_:+`.
fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "-/.%@_:+".contains(c))
}

/// A section header's meaning: where its properties go (`None`: ignored), and whether it is a
/// config file's bare `[default]` (ignored when the file also has `[profile default]`).
fn classify_section(inner: &str, is_config: bool) -> (Option<(SectionKind, &str)>, bool) {
    let inner = inner.trim();
    if !is_config {
        return (is_valid_name(inner).then_some((SectionKind::Profile, inner)), false);
    }
    if inner == "default" {
        return (Some((SectionKind::Profile, inner)), true);
    }
    let prefixed =
        |prefix: &str| inner.strip_prefix(prefix).filter(|rest| rest.starts_with([' ', '\t'])).map(str::trim);
    let section = [
        ("profile", SectionKind::Profile),
        ("sso-session", SectionKind::SsoSession),
        ("services", SectionKind::Services),
    ]
    .into_iter()
    .find_map(|(prefix, kind)| prefixed(prefix).map(|name| (kind, name)))
    .filter(|(_, name)| is_valid_name(name));
    (section, false)
}

/// Drops a trailing comment from a property line: `#` or `;` preceded by whitespace.
fn strip_trailing_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for i in 1..bytes.len() {
        if matches!(bytes[i], b'#' | b';') && matches!(bytes[i - 1], b' ' | b'\t') {
            return &line[..i];
        }
    }
    line
}

/// The property the last continuation line attaches to.
struct LastProperty {
    /// Its position in the current section's properties, `None` when it (or the section) is ignored.
    index: Option<usize>,
    /// Its value was empty, so continuation lines are sub-properties.
    sub_properties: bool,
}

/// A section as read, before `[default]` sections are dropped and repeated sections merged.
struct RawSection {
    kind: SectionKind,
    name: String,
    bare_default: bool,
    /// (key, value, line), in file order.
    properties: Vec<(String, String, usize)>,
}

/// Parses one file into its sections (repeated sections merged, later properties winning).
fn parse(file: &Path, text: &str, is_config: bool) -> Result<Vec<Profile>, ProfileFileError> {
    let err = |line: usize, message: &str| ProfileFileError { file: file.to_path_buf(), line, message: message.into() };
    let mut sections: Vec<RawSection> = Vec::new();
    // Outer None: no section header yet. Inner None: inside a section that is ignored.
    let mut current: Option<Option<usize>> = None;
    let mut last: Option<LastProperty> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() || line.starts_with(['#', ';']) {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            let Some(section) = current else {
                return Err(err(n, "Expected a profile definition before this continuation line"));
            };
            let Some(prop) = &last else {
                return Err(err(n, "Expected a property definition, found continuation"));
            };
            let text = line.trim();
            if prop.sub_properties {
                let Some((name, _)) = text.split_once('=') else {
                    return Err(err(n, "Expected an '=' sign defining a sub-property"));
                };
                if name.trim().is_empty() {
                    return Err(err(n, "Sub-property did not have a name"));
                }
            }
            if let (Some(s), Some(p)) = (section, prop.index) {
                let value = &mut sections[s].properties[p].1;
                value.push('\n');
                value.push_str(text);
            }
            continue;
        }
        if let Some(header) = line.strip_prefix('[') {
            let Some((inner, rest)) = header.split_once(']') else {
                return Err(err(n, "Profile definition must end with ']'"));
            };
            let rest = rest.trim();
            if !rest.is_empty() && !rest.starts_with(['#', ';']) {
                return Err(err(n, "Profile definition must end with ']' (only a comment may follow it)"));
            }
            last = None;
            let (section, bare_default) = classify_section(inner, is_config);
            current = Some(section.map(|(kind, name)| {
                sections.push(RawSection { kind, name: name.to_string(), bare_default, properties: Vec::new() });
                sections.len() - 1
            }));
            continue;
        }
        let Some(section) = current else {
            return Err(err(n, "Expected a profile definition before this property"));
        };
        let Some((key, value)) = strip_trailing_comment(line).split_once('=') else {
            return Err(err(n, "Expected an '=' sign defining a property"));
        };
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() {
            return Err(err(n, "Property did not have a name"));
        }
        let index = match section {
            Some(s) if is_valid_name(key) => {
                let props = &mut sections[s].properties;
                props.push((key.to_ascii_lowercase(), value.to_string(), n));
                Some(props.len() - 1)
            }
            _ => None,
        };
        last = Some(LastProperty { index, sub_properties: value.is_empty() });
    }

    let has_profile_default =
        sections.iter().any(|s| s.kind == SectionKind::Profile && s.name == "default" && !s.bare_default);
    let mut merged: Vec<Profile> = Vec::new();
    for section in sections {
        if has_profile_default && section.bare_default {
            continue;
        }
        let idx = match merged.iter().position(|p| p.kind == section.kind && p.name == section.name) {
            Some(idx) => idx,
            None => {
                merged.push(Profile { name: section.name, kind: section.kind, ..Default::default() });
                merged.len() - 1
            }
        };
        let target = &mut merged[idx];
        for (key, value, line) in section.properties {
            target.sources.insert(key.clone(), (file.to_path_buf(), line));
            target.properties.insert(key, value);
        }
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_and_credentials_merge() {
        let config = "[default]\nregion = us-west-2\n\n[profile dev]\nregion=eu-west-1 # Ireland\ns3 =\n  max_concurrent_requests = 10\n[sso-session x]\nsso_region = us-east-1\n[services local]\nS3 =\n  Endpoint_URL = http://localhost:9000\n";
        let creds = "[dev]\naws_access_key_id = AKID\naws_secret_access_key = SECRET\n; comment\n";
        let set = ProfileSet::from_texts(Some(("config", config)), Some(("credentials", creds)), "dev").unwrap();
        let dev = set.selected_profile().unwrap();
        assert_eq!(dev.get("region"), Some("eu-west-1"));
        assert_eq!(dev.get("AWS_ACCESS_KEY_ID"), Some("AKID"));
        assert_eq!(dev.get("s3"), Some("\nmax_concurrent_requests = 10"));
        assert_eq!(dev.sub_property("S3", "MAX_concurrent_requests"), Some("10"));
        assert_eq!(dev.sub_property("region", "eu-west-1"), None);
        assert_eq!(dev.source("aws_secret_access_key"), Some((&PathBuf::from("credentials"), 3)));
        assert_eq!(dev.name(), "dev");
        assert_eq!(set.get("default").unwrap().get("region"), Some("us-west-2"));
        assert!(set.get("x").is_none());
        let sso = set.sso_session("x").unwrap();
        assert_eq!(sso.get("sso_region"), Some("us-east-1"));
        assert_eq!(sso.describe("sso_region"), "config:9 (sso-session `x`)");
        let local = set.services("local").unwrap();
        assert_eq!(local.sub_property("s3", "endpoint_url"), Some("http://localhost:9000"));
        let names: Vec<&str> = set.profiles().map(Profile::name).collect();
        assert_eq!(names, ["default", "dev"]);
        assert_eq!(set.sso_sessions().count(), 1);
        let props: Vec<(&str, &str)> = set.get("default").unwrap().properties().collect();
        assert_eq!(props, [("region", "us-west-2")]);
    }

    #[test]
    fn debug_hides_secrets_and_secret_sub_properties() {
        let config =
            "[default]\nregion = us-west-2\naws_session_token = TOKEN1\nfoo =\n  aws_secret_access_key = SECRET1\n";
        let set = ProfileSet::from_texts(Some(("config", config)), None, "default").unwrap();
        let debug = format!("{set:?}");
        assert!(debug.contains("us-west-2"), "{debug}");
        assert!(!debug.contains("TOKEN1") && !debug.contains("SECRET1"), "{debug}");
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = ProfileSet::from_texts(Some(("cfg", "[default]\nregion us-east-1\n")), None, "default").unwrap_err();
        assert_eq!((e.file.to_str(), e.line), (Some("cfg"), 2));
        assert!(e.to_string().starts_with("cfg:2: Expected an '=' sign"), "{e}");
        let e = ProfileSet::from_texts(None, Some(("creds", "key = v\n")), "default").unwrap_err();
        assert!(e.message.contains("Expected a profile definition"));
        let e = ProfileSet::from_texts(None, Some(("creds", "[a]\naws_secret_access_key CANARY-SECRET\n")), "a")
            .unwrap_err();
        assert_eq!(e.line, 2);
        assert!(!format!("{e} {e:?}").contains("CANARY"), "{e}");
        let e = ProfileSet::from_texts(None, Some(("creds", "[a]\ns3 =\n  CANARY-SECRET\n")), "a").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(!format!("{e} {e:?}").contains("CANARY"), "{e}");
        let e = ProfileSet::from_texts(None, Some(("creds", "[default\n")), "default").unwrap_err();
        assert!(e.message.contains("must end with ']'"));
        let e = ProfileSet::from_texts(None, Some(("creds", "[default] junk\n")), "default").unwrap_err();
        assert!(e.message.contains("must end with ']'"));
        let e = ProfileSet::from_texts(None, Some(("creds", "[a]\n  orphan = 1\n")), "default").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("found continuation"));
        // CRLF line endings count lines the same way.
        let e = ProfileSet::from_texts(None, Some(("creds", "[a]\r\nx = 1\r\n= 2\r\n")), "a").unwrap_err();
        assert_eq!(e.line, 3);
    }

    #[test]
    fn invalid_and_unknown_sections_are_ignored() {
        let config = "[profile in valid]\nx = 1\n[foo]\ny = 2\n  continued\n[profile ok]\nbad key = 3\ngood = 4\n";
        let set =
            ProfileSet::from_texts(Some(("config", config)), Some(("creds", "[profile p]\nz = 1\n")), "ok").unwrap();
        let names: Vec<&str> = set.profiles().map(Profile::name).collect();
        assert_eq!(names, ["ok"]);
        let props: Vec<(&str, &str)> = set.selected_profile().unwrap().properties().collect();
        assert_eq!(props, [("good", "4")]);
    }

    #[test]
    fn file_locations() {
        let env = Env::from_vars([("HOME", "/home/u"), ("AWS_CONFIG_FILE", "~/cfg/config")]);
        let (config, creds) = shared_file_locations(&env, false);
        assert_eq!(config, Some(PathBuf::from("/home/u/cfg/config")));
        assert_eq!(creds, Some(PathBuf::from("/home/u/.aws/credentials")));
        let env = Env::from_vars([("USERPROFILE", "C:\\Users\\u\\"), ("AWS_SHARED_CREDENTIALS_FILE", "~\\creds")]);
        let (config, creds) = shared_file_locations(&env, true);
        assert_eq!(config, Some(PathBuf::from("C:\\Users\\u\\.aws\\config")));
        assert_eq!(creds, Some(PathBuf::from("C:\\Users\\u\\creds")));
        let env = Env::from_vars([("AWS_CONFIG_FILE", "/etc/aws/config")]);
        assert_eq!(shared_file_locations(&env, false), (Some(PathBuf::from("/etc/aws/config")), None));
        assert_eq!(selected_profile_name(&Env::from_vars([("AWS_PROFILE", "")])), "default");
    }
}
