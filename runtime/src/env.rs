//! Access to environment variables and files through values that tests can replace, so no test has
//! to touch the process environment (which is shared by every thread of a test binary) or the
//! user's home directory.

use std::collections::HashMap;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// Where environment variables come from, and the file system the shared config files, token files
/// and the SSO cache are read from ([`Env::fs`]). `Debug` names the variables, never their values
/// (they may be secrets).
#[derive(Clone, Default)]
pub struct Env {
    fixed: Option<Arc<HashMap<String, String>>>,
    fs: Fs,
    now: Option<std::time::SystemTime>,
}

/// The largest file [`Fs::read`] reads: 16 MiB.
pub const MAX_FILE: u64 = 16 * 1024 * 1024;

/// The file system as the credential providers see it: the real one, or a directory standing in for
/// `/` (a test's virtual home directory).
#[derive(Clone, Debug, Default)]
pub struct Fs {
    root: Option<Arc<PathBuf>>,
}

impl Fs {
    /// The real file system.
    pub fn real() -> Self {
        Fs { root: None }
    }

    /// A file system whose `/` is `dir`: every path, absolute or relative, is looked up under `dir`
    /// (`..` components are dropped, so nothing outside `dir` is reachable).
    pub fn rooted(dir: impl Into<PathBuf>) -> Self {
        Fs { root: Some(Arc::new(dir.into())) }
    }

    /// Where `path` really is.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        let Some(root) = &self.root else { return path.to_path_buf() };
        let mut out = root.as_ref().clone();
        for c in path.components() {
            if let Component::Normal(part) = c {
                out.push(part);
            }
        }
        out
    }

    /// Reads a regular file of at most [`MAX_FILE`] bytes (a FIFO or device would block or never
    /// end; the files read here — profiles, tokens, CA bundles — are small).
    pub async fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let real = self.resolve(path);
        let meta = tokio::fs::metadata(&real).await?;
        if !meta.is_file() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"));
        }
        if meta.len() > MAX_FILE {
            return Err(io::Error::new(io::ErrorKind::InvalidData, format!("larger than {MAX_FILE} bytes")));
        }
        tokio::fs::read(real).await
    }

    /// Reads a UTF-8 text file, as [`Fs::read`] does.
    pub async fn read_to_string(&self, path: &Path) -> io::Result<String> {
        String::from_utf8(self.read(path).await?)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not valid UTF-8"))
    }

    /// Replaces a file's contents, creating its directory if needed: written to a temporary file
    /// beside it, then renamed over it, so a reader never sees half a file. The file is readable by
    /// its owner only (mode 0600 on Unix): what is written here is a token.
    pub async fn write(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        use tokio::io::AsyncWriteExt as _;
        let real = self.resolve(path);
        if let Some(dir) = real.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        // A name no other writer (thread or process) uses at the same time.
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().subsec_nanos();
        let mut tmp = real.clone().into_os_string();
        tmp.push(format!(".{}-{n}-{nanos}.tmp", std::process::id()));
        let tmp = PathBuf::from(tmp);
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        let mut file = options.open(&tmp).await?;
        let written = async {
            file.write_all(contents).await?;
            file.sync_all().await
        }
        .await;
        drop(file);
        match written {
            Ok(()) => tokio::fs::rename(&tmp, &real).await,
            Err(e) => {
                let _ = tokio::fs::remove_file(&tmp).await;
                Err(e)
            }
        }
    }
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.fixed {
            None => f.write_str("Env(process)"),
            Some(map) => {
                let mut names: Vec<&str> = map.keys().map(String::as_str).collect();
                names.sort_unstable();
                f.debug_tuple("Env").field(&names).field(&self.fs).finish()
            }
        }
    }
}

impl Env {
    /// The process environment and the real file system.
    pub fn process() -> Self {
        Env { fixed: None, fs: Fs::real(), now: None }
    }

    /// A fixed set of variables (nothing else is visible), and the real file system.
    pub fn from_vars<K: Into<String>, V: Into<String>>(vars: impl IntoIterator<Item = (K, V)>) -> Self {
        Env {
            fixed: Some(Arc::new(vars.into_iter().map(|(k, v)| (k.into(), v.into())).collect())),
            fs: Fs::real(),
            now: None,
        }
    }

    /// The same variables over another file system.
    pub fn with_fs(mut self, fs: Fs) -> Self {
        self.fs = fs;
        self
    }

    /// The file system files are read from.
    pub fn fs(&self) -> &Fs {
        &self.fs
    }

    /// The same environment at a fixed time (for tests: token expiry, session names).
    pub fn at_time(mut self, now: std::time::SystemTime) -> Self {
        self.now = Some(now);
        self
    }

    /// The current time, as the providers judge expiry by it.
    pub fn now(&self) -> std::time::SystemTime {
        self.now.unwrap_or_else(std::time::SystemTime::now)
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
