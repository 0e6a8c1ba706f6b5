//! `cargo xtask fuzz [--seconds N] [--keep-going] [TARGET]`: coverage-guided fuzzing of the targets
//! in `fuzz/` with libFuzzer, on the stable toolchain; and `replay`, the plain `cargo test` of the
//! committed inputs.
//!
//! The fuzzers are built the way cargo-fuzz builds them without a sanitizer: LLVM's
//! sanitizer-coverage pass (`-Cpasses=sancov-module` with inline 8-bit counters, PC tables and
//! comparison tracing: stable codegen flags), `--cfg fuzzing`, debug assertions and overflow
//! checks on, linked against libFuzzer built by `libfuzzer-sys`. An explicit `--target` keeps the
//! flags off build scripts and proc macros, and a target directory of its own
//! (`target/fuzz-build`) keeps them from invalidating the main build.
//!
//! Each target fuzzes a working corpus, `target/fuzz-work/<target>/corpus`, seeded from the
//! committed `fuzz/corpus/<target>/` (which stays small); crash inputs go to
//! `target/fuzz-work/<target>/artifacts/`, libFuzzer's output to `.../fuzz.log`.
//! `--minimize` merges the working corpus into `target/fuzz-work/<target>/minimized` (libFuzzer's
//! `-merge=1`), from which a few inputs can be committed.

use anyhow::{bail, Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// The targets (binaries of `fuzz/`), in the order they run.
pub const TARGETS: &[&str] = &[
    "event_stream",
    "date_time",
    "response_metadata",
    "profile",
    "credentials_json",
    "endpoint",
    "regex",
    "sigv4",
    "model",
    "jmespath",
];

/// Sanitizer-coverage instrumentation, with stable codegen flags only.
const RUSTFLAGS: &[&str] = &[
    "-Cpasses=sancov-module",
    "-Cllvm-args=-sanitizer-coverage-level=4",
    "-Cllvm-args=-sanitizer-coverage-inline-8bit-counters",
    "-Cllvm-args=-sanitizer-coverage-pc-table",
    "-Cllvm-args=-sanitizer-coverage-trace-compares",
    "--cfg",
    "fuzzing",
    "-Cdebug-assertions",
    "-Coverflow-checks",
];

const USAGE: &str = "usage: cargo xtask fuzz [--seconds N] [--keep-going] [--minimize] [TARGET]
  --seconds N    fuzz each target for N seconds (default 60)
  --keep-going   do not stop at the first crash (libFuzzer -fork=1 -ignore_crashes=1)
  --minimize     after fuzzing, merge the working corpus into target/fuzz-work/<target>/minimized
  TARGET         one of: event_stream date_time response_metadata profile credentials_json endpoint
                 regex sigv4 model jmespath (default: all)";

macro_rules! out {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string()))
}

fn host_triple() -> Result<String> {
    let out = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string()))
        .arg("-vV")
        .output()
        .context("running rustc -vV")?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(|h| h.trim().to_string())
        .context("rustc -vV printed no host triple")
}

struct Options {
    seconds: u64,
    keep_going: bool,
    minimize: bool,
    targets: Vec<&'static str>,
}

fn parse_args(args: &[String]) -> Result<Options> {
    let mut o = Options { seconds: 60, keep_going: false, minimize: false, targets: Vec::new() };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seconds" => {
                let n = it.next().context("--seconds needs a number")?;
                o.seconds = n.parse().with_context(|| format!("--seconds `{n}` is not a whole number"))?;
                if o.seconds == 0 {
                    bail!("--seconds must be at least 1");
                }
            }
            "--keep-going" => o.keep_going = true,
            "--minimize" => o.minimize = true,
            "-h" | "--help" => bail!("{USAGE}"),
            other if other.starts_with('-') => bail!("unknown argument `{other}`\n{USAGE}"),
            name => match TARGETS.iter().find(|t| **t == name) {
                Some(t) if !o.targets.contains(t) => o.targets.push(t),
                Some(_) => {}
                None => bail!("unknown fuzz target `{name}`\n{USAGE}"),
            },
        }
    }
    if o.targets.is_empty() {
        o.targets = TARGETS.to_vec();
    }
    Ok(o)
}

/// Builds the instrumented fuzzers; returns the directory holding the binaries.
pub fn build(root: &Path, targets: &[&str]) -> Result<PathBuf> {
    let host = host_triple()?;
    let target_dir = root.join("target/fuzz-build");
    let mut cmd = cargo();
    cmd.current_dir(root.join("fuzz"))
        .args(["build", "--release", "--features", "libfuzzer,differential", "--target", &host])
        .arg("--manifest-path")
        .arg(root.join("fuzz/Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target_dir)
        .env("RUSTFLAGS", RUSTFLAGS.join(" "))
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTC_WORKSPACE_WRAPPER");
    for t in targets {
        cmd.args(["--bin", t]);
    }
    let started = Instant::now();
    let status = cmd.status().context("starting cargo build for the fuzzers")?;
    if !status.success() {
        bail!("building the fuzzers failed ({status})");
    }
    out!("fuzz: built {} fuzzer(s) in {:.0} s", targets.len(), started.elapsed().as_secs_f64());
    Ok(target_dir.join(host).join("release"))
}

fn copy_files(from: &Path, to: &Path) -> Result<usize> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    let Ok(entries) = std::fs::read_dir(from) else { return Ok(0) };
    let mut n = 0;
    for e in entries {
        let p = e?.path();
        let Some(name) = p.file_name() else { continue };
        if p.is_file() && !name.to_string_lossy().starts_with('.') {
            std::fs::copy(&p, to.join(name)).with_context(|| format!("copying {}", p.display()))?;
            n += 1;
        }
    }
    Ok(n)
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.filter_map(Result::ok).filter(|e| e.path().is_file()).count()).unwrap_or(0)
}

/// What one fuzzing run did.
pub struct Outcome {
    /// Target name.
    pub target: &'static str,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Inputs executed (from libFuzzer's output).
    pub executions: u64,
    /// Crash, timeout and out-of-memory inputs written.
    pub artifacts: Vec<PathBuf>,
    /// The first panic message in the log, if any.
    pub panic: Option<String>,
    /// Whether libFuzzer exited non-zero.
    pub failed: bool,
    /// libFuzzer's output.
    pub log: PathBuf,
}

/// The number of executions libFuzzer reports: its final stats, else its last status line.
fn executions(log: &str) -> u64 {
    let stat = log.lines().filter_map(|l| l.strip_prefix("stat::number_of_executed_units:")).next_back();
    if let Some(n) = stat.and_then(|s| s.trim().parse().ok()) {
        return n;
    }
    let done = log.lines().filter_map(|l| l.strip_prefix("Done ")).next_back();
    if let Some(n) = done.and_then(|s| s.split_whitespace().next()?.parse().ok()) {
        return n;
    }
    // `#1234\tNEW ...`, or in fork mode `#1234: cov: ...`.
    log.lines()
        .filter_map(|l| l.strip_prefix('#'))
        .filter_map(|l| l.split(|c: char| !c.is_ascii_digit()).next()?.parse::<u64>().ok())
        .max()
        .unwrap_or(0)
}

fn first_panic(log: &str) -> Option<String> {
    let mut lines = log.lines();
    while let Some(l) = lines.next() {
        if l.contains("panicked at") {
            let msg = lines.next().unwrap_or_default();
            return Some(format!("{} {}", l.trim(), msg.trim()).chars().take(400).collect());
        }
        if l.contains("has overflowed its stack") || l.contains("ERROR: libFuzzer: timeout") {
            return Some(l.trim().to_string());
        }
        if l.contains("ERROR: libFuzzer: out-of-memory") {
            return Some(l.trim().to_string());
        }
    }
    None
}

/// Fuzzes one target for `seconds`.
pub fn fuzz_one(root: &Path, bin_dir: &Path, target: &'static str, seconds: u64, keep_going: bool) -> Result<Outcome> {
    let work = root.join("target/fuzz-work").join(target);
    let corpus = work.join("corpus");
    let artifacts = work.join("artifacts");
    let _ = std::fs::remove_dir_all(&artifacts);
    std::fs::create_dir_all(&artifacts)?;
    let seeds = copy_files(&root.join("fuzz/corpus").join(target), &corpus)?;
    if seeds == 0 {
        bail!("fuzz/corpus/{target}/ has no seeds");
    }
    let log_path = work.join("fuzz.log");
    let log = std::fs::File::create(&log_path)?;
    let mut cmd = Command::new(bin_dir.join(target));
    cmd.arg(&corpus)
        .arg(format!("-max_total_time={seconds}"))
        .arg("-rss_limit_mb=2048")
        .arg("-timeout=10")
        .arg("-print_final_stats=1")
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .env("RUST_BACKTRACE", "1")
        .stdout(log.try_clone()?)
        .stderr(log);
    let dict = root.join("fuzz/dict").join(format!("{target}.dict"));
    if dict.exists() {
        cmd.arg(format!("-dict={}", dict.display()));
    }
    if keep_going {
        cmd.args(["-fork=1", "-ignore_crashes=1", "-ignore_timeouts=1", "-ignore_ooms=1"]);
    }
    let started = Instant::now();
    let status = cmd.status().with_context(|| format!("running the {target} fuzzer"))?;
    let seconds = started.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(&log_path).unwrap_or_default();
    let mut found: Vec<PathBuf> = std::fs::read_dir(&artifacts)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            ["crash-", "timeout-", "oom-", "leak-"].iter().any(|k| name.starts_with(k))
        })
        .collect();
    found.sort();
    Ok(Outcome {
        target,
        seconds,
        executions: executions(&text),
        artifacts: found,
        panic: first_panic(&text),
        failed: !status.success(),
        log: log_path,
    })
}

/// Merges the working corpus (and the committed seeds) into a fresh, minimal corpus.
fn minimize(root: &Path, bin_dir: &Path, target: &str) -> Result<()> {
    let work = root.join("target/fuzz-work").join(target);
    let merged = work.join("minimized");
    let _ = std::fs::remove_dir_all(&merged);
    std::fs::create_dir_all(&merged)?;
    let status = Command::new(bin_dir.join(target))
        .arg("-merge=1")
        .arg("-rss_limit_mb=2048")
        .arg("-timeout=10")
        .arg(&merged)
        .arg(root.join("fuzz/corpus").join(target))
        .arg(work.join("corpus"))
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(work.join("merge.log"))?)
        .status()?;
    if !status.success() {
        bail!("merging the {target} corpus failed ({status}); see {}", work.join("merge.log").display());
    }
    out!("  {target}: {} inputs in {}", count_files(&merged), merged.display());
    Ok(())
}

/// `cargo xtask fuzz [--seconds N] [--keep-going] [--minimize] [TARGET]`.
pub fn run(root: &Path, args: &[String]) -> Result<ExitCode> {
    let o = parse_args(args)?;
    let bin_dir = build(root, &o.targets)?;
    out!("{:<18} {:>8} {:>12}  crashes", "target", "seconds", "executions");
    let mut any = false;
    let mut outcomes = Vec::new();
    for target in &o.targets {
        let r = fuzz_one(root, &bin_dir, target, o.seconds, o.keep_going)?;
        let crashes = if r.artifacts.is_empty() && !r.failed {
            "0".to_string()
        } else if r.artifacts.is_empty() {
            format!("fuzzer failed without an artifact, see {}", r.log.display())
        } else if r.artifacts.len() == 1 {
            r.artifacts[0].display().to_string()
        } else {
            format!("{} (+{} more in {})", r.artifacts[0].display(), r.artifacts.len() - 1, {
                r.artifacts[0].parent().map(|p| p.display().to_string()).unwrap_or_default()
            })
        };
        out!("{:<18} {:>8.0} {:>12}  {}", r.target, r.seconds, r.executions, crashes);
        if let (Some(p), false) = (&r.panic, r.artifacts.is_empty() && !r.failed) {
            out!("{:<18} {p}", "");
        }
        any |= r.failed || !r.artifacts.is_empty();
        outcomes.push(r);
    }
    if o.minimize {
        out!("minimized corpora (copy a few inputs into fuzz/corpus/<target>/ to keep them):");
        for target in &o.targets {
            minimize(root, &bin_dir, target)?;
        }
    }
    if any {
        out!("crash inputs: copy each into fuzz/regressions/<target>/ once understood; replay with `cargo test --manifest-path fuzz/Cargo.toml`");
    }
    Ok(if any { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Replays every committed corpus and regression input: `cargo test` of the fuzz workspace with
/// the differential oracles (the `regex` and `aws-sigv4` references) but without libFuzzer,
/// sharing the main target directory. Some regressions (the regex matcher's) only fail against a
/// reference, so the references are part of the replay.
pub fn replay(root: &Path) -> Result<()> {
    let status = cargo()
        .current_dir(root)
        .args(["test", "--features", "differential", "--manifest-path"])
        .arg(root.join("fuzz/Cargo.toml"))
        .env("CARGO_TARGET_DIR", root.join("target"))
        .status()
        .context("running cargo test for fuzz/")?;
    if !status.success() {
        bail!("replaying the fuzz corpora failed ({status})");
    }
    Ok(())
}
