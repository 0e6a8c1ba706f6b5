//! Access to environment variables through a value that tests can replace, so no test has to touch
//! the process environment (which is shared by every thread of a test binary).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Where environment variables come from. `Debug` names the variables, never their values (they
/// may be secrets).
#[derive(Clone, Default)]
pub struct Env {
    fixed: Option<Arc<HashMap<String, String>>>,
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.fixed {
            None => f.write_str("Env(process)"),
            Some(map) => {
                let mut names: Vec<&str> = map.keys().map(String::as_str).collect();
                names.sort_unstable();
                f.debug_tuple("Env").field(&names).finish()
            }
        }
    }
}

impl Env {
    /// The process environment.
    pub fn process() -> Self {
        Env { fixed: None }
    }

    /// A fixed set of variables (nothing else is visible).
    pub fn from_vars<K: Into<String>, V: Into<String>>(vars: impl IntoIterator<Item = (K, V)>) -> Self {
        Env { fixed: Some(Arc::new(vars.into_iter().map(|(k, v)| (k.into(), v.into())).collect())) }
    }

    /// A variable's value; `None` when unset or not Unicode.
    pub fn get(&self, key: &str) -> Option<String> {
        match &self.fixed {
            Some(map) => map.get(key).cloned(),
            None => std::env::var(key).ok(),
        }
    }

    /// A variable's value, treating an empty value as unset.
    pub fn get_nonempty(&self, key: &str) -> Option<String> {
        self.get(key).filter(|v| !v.trim().is_empty())
    }

    /// Variables whose names start with `prefix`, as (rest of the name, value). Variables whose
    /// name or value is not Unicode are skipped (`std::env::vars` would panic on them).
    pub fn vars_with_prefix(&self, prefix: &str) -> Vec<(String, String)> {
        let strip = |(k, v): (String, String)| k.strip_prefix(prefix).map(|rest| (rest.to_string(), v));
        match &self.fixed {
            Some(map) => map.iter().map(|(k, v)| (k.clone(), v.clone())).filter_map(strip).collect(),
            None => std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .filter_map(strip)
                .collect(),
        }
    }

    /// The user's home directory (`HOME`, or `USERPROFILE` on Windows).
    pub fn home_dir(&self) -> Option<PathBuf> {
        self.get_nonempty("HOME").or_else(|| self.get_nonempty("USERPROFILE")).map(PathBuf::from)
    }
}
