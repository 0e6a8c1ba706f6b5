//! Replays every committed fuzz input — `corpus/<target>/*` and `regressions/<target>/*` — through
//! its target function, without libFuzzer: a plain `cargo test --manifest-path fuzz/Cargo.toml`.
//!
//! Each target runs in a child process (this test binary again, selected by an environment
//! variable), so that an input that aborts the process — a stack overflow, an abort — still fails
//! the test with the name of the file, and the other targets still run. Inside the child each input
//! runs on a thread with an 8 MiB stack (what libFuzzer's main thread has), and a watchdog fails an
//! input that runs for more than a minute.
//!
//! The differential oracles (`regex`, `sigv4`) take part only with `--features differential`; a
//! regression they found passes the plain replay.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "STRATUS_FUZZ_REPLAY_TARGET";
const STACK: usize = 8 << 20;
const INPUT_TIMEOUT: Duration = Duration::from_secs(60);

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The files of a directory (none when it does not exist), hidden files aside, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && !p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')))
        .collect();
    out.sort();
    out
}

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = fuzz_dir();
    let mut all = files(&root.join("corpus").join(target));
    all.extend(files(&root.join("regressions").join(target)));
    all
}

fn relative(p: &Path) -> String {
    p.strip_prefix(fuzz_dir()).unwrap_or(p).display().to_string()
}

/// Child mode: runs one target over its inputs; prints `FAILED <file>: <message>` for each failure.
fn child(target: &str) {
    let (_, run) = stratus_fuzz::TARGETS.iter().find(|(n, _)| *n == target).expect("known target");
    let current: Arc<Mutex<(String, Instant)>> = Arc::new(Mutex::new((String::new(), Instant::now())));
    {
        let current = current.clone();
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(200));
            let (file, since) = current.lock().unwrap_or_else(|p| p.into_inner()).clone();
            if !file.is_empty() && since.elapsed() > INPUT_TIMEOUT {
                eprintln!("FAILED {file}: still running after {} s", INPUT_TIMEOUT.as_secs());
                std::process::exit(3);
            }
        });
    }
    let mut failed = 0;
    for file in inputs(target) {
        let name = relative(&file);
        let data = std::fs::read(&file).unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
        eprintln!("replaying {name}");
        *current.lock().unwrap_or_else(|p| p.into_inner()) = (name.clone(), Instant::now());
        let run = *run;
        let outcome = std::thread::Builder::new().stack_size(STACK).spawn(move || run(&data)).expect("spawn").join();
        if let Err(panic) = outcome {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".into());
            let first = msg.lines().next().unwrap_or_default().chars().take(300).collect::<String>();
            eprintln!("FAILED {name}: {first}");
            failed += 1;
        }
    }
    current.lock().unwrap_or_else(|p| p.into_inner()).0.clear();
    assert_eq!(failed, 0, "{failed} input(s) of {target} failed");
}

#[test]
fn replay_corpora_and_regressions() {
    if let Ok(target) = std::env::var(CHILD_ENV) {
        child(&target);
        return;
    }
    let exe = std::env::current_exe().expect("test binary");
    let mut failures: Vec<String> = Vec::new();
    let mut total = 0;
    for (target, _) in stratus_fuzz::TARGETS {
        let corpus = files(&fuzz_dir().join("corpus").join(target));
        if corpus.is_empty() {
            failures.push(format!("{target}: corpus/{target}/ is empty or missing"));
        }
        let n = inputs(target).len();
        total += n;
        let out = Command::new(&exe)
            .args(["replay_corpora_and_regressions", "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, target)
            .output()
            .expect("run the replay child");
        if out.status.success() {
            continue;
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let mut named: Vec<String> =
            stderr.lines().filter_map(|l| l.strip_prefix("FAILED ")).map(|l| format!("{target}: {l}")).collect();
        if named.is_empty() {
            // The process died (stack overflow, abort): blame the input it was running.
            let last = stderr.lines().filter_map(|l| l.strip_prefix("replaying ")).next_back().unwrap_or("?");
            let why = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default();
            named.push(format!("{target}: {last}: the process died ({}): {why}", out.status));
        }
        failures.extend(named);
        let _ = n;
    }
    assert!(total > 0, "no inputs at all");
    assert!(failures.is_empty(), "{} failure(s) replaying {total} inputs:\n{}", failures.len(), failures.join("\n"));
}
