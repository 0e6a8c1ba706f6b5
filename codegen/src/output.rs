//! Writing generated files: only when their content changed, and removing files the generator no
//! longer produces; or, in check mode, listing what is stale without touching anything.

use crate::emit::GeneratedFile;
use std::io;
use std::path::{Path, PathBuf};

/// Folders of a generated crate that the generator owns entirely.
const OWNED_DIRS: &[&str] = &["src", "tests", "docs", "examples"];

/// What writing did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
    /// Files written (new or changed).
    pub written: Vec<PathBuf>,
    /// Files left alone because their content was already right.
    pub unchanged: usize,
    /// Files removed because the generator no longer produces them.
    pub removed: Vec<PathBuf>,
}

/// Why a file is stale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stale {
    /// The file is missing.
    Missing(PathBuf),
    /// The file's content differs from what the generator produces.
    Changed(PathBuf),
    /// The file exists in a generated folder but the generator does not produce it.
    Extra(PathBuf),
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stale::Missing(p) => write!(f, "{} (missing)", p.display()),
            Stale::Changed(p) => write!(f, "{} (differs from the generator's output)", p.display()),
            Stale::Extra(p) => write!(f, "{} (not produced by the generator)", p.display()),
        }
    }
}

fn existing_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for owned in OWNED_DIRS {
        let mut stack = vec![dir.join(owned)];
        while let Some(d) = stack.pop() {
            let entries = match std::fs::read_dir(&d) {
                Ok(e) => e,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            for entry in entries {
                let path = entry?.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    out.push(path);
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Writes `files` under `dir`, touching only files whose content changed, and removes files in
/// the generator's folders that it no longer produces.
pub fn write(dir: &Path, files: &[GeneratedFile]) -> io::Result<WriteReport> {
    let mut report = WriteReport::default();
    for f in files {
        let path = dir.join(&f.path);
        match std::fs::read(&path) {
            Ok(old) if old == f.contents.as_bytes() => {
                report.unchanged += 1;
                continue;
            }
            _ => {}
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &f.contents)?;
        report.written.push(path);
    }
    let wanted: Vec<PathBuf> = files.iter().map(|f| dir.join(&f.path)).collect();
    for path in existing_files(dir)? {
        if !wanted.contains(&path) {
            std::fs::remove_file(&path)?;
            report.removed.push(path);
        }
    }
    Ok(report)
}

/// Lists the files under `dir` that differ from `files`, without writing anything.
pub fn check(dir: &Path, files: &[GeneratedFile]) -> io::Result<Vec<Stale>> {
    let mut stale = Vec::new();
    for f in files {
        let path = dir.join(&f.path);
        match std::fs::read(&path) {
            Ok(old) if old == f.contents.as_bytes() => {}
            Ok(_) => stale.push(Stale::Changed(path)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => stale.push(Stale::Missing(path)),
            Err(e) => return Err(e),
        }
    }
    let wanted: Vec<PathBuf> = files.iter().map(|f| dir.join(&f.path)).collect();
    for path in existing_files(dir)? {
        if !wanted.contains(&path) {
            stale.push(Stale::Extra(path));
        }
    }
    Ok(stale)
}
