//! `cargo xtask survey DIR [--compile SERVICE,...|--compile-all] [--jobs N] [--protocol NAME]`: runs the
//! generator over every service of a botocore `data/` folder (newest API version of each), writes
//! the crates to `target/survey/<service>/`, optionally compiles and lints the chosen ones in one
//! throwaway workspace (so dependencies build once), and prints a row per service and a closing
//! `N passed, M failed, K skipped` line (skipped: a protocol the generator does not speak yet).

use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

/// What happened to one service.
struct Row {
    service: String,
    protocol: String,
    operations: usize,
    lines: usize,
    generated: Outcome,
    check: Option<Outcome>,
    clippy: Option<Outcome>,
    gen_ms: f64,
    compile_s: Option<f64>,
}

enum Outcome {
    Ok,
    Unsupported,
    Failed(String),
}

impl Outcome {
    fn cell(&self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Unsupported => "unsupported",
            Outcome::Failed(_) => "FAILED",
        }
    }
}

fn out(line: &str) {
    let _ = writeln!(std::io::stdout(), "{line}");
}

/// The newest API-version folder of a service that holds a `service-2.json(.gz)`.
fn newest_version(service_dir: &Path) -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir(service_dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| stratus_codegen::model::model_file(p, "service-2.json").exists())
        .collect();
    versions.sort();
    versions.pop()
}

/// The protocol a client of the model speaks — the first of `metadata.protocols` in botocore's
/// priority order, else `metadata.protocol` — read without the full loader (so that it can be shown
/// for models the loader refuses).
fn protocol_of(version_dir: &Path) -> String {
    use stratus_codegen::model::{model_file, read, Protocol};
    let text = read(&model_file(version_dir, "service-2.json")).ok();
    let v: Option<serde_json::Value> = text.and_then(|t| serde_json::from_str(&t).ok());
    let metadata = v.as_ref().and_then(|v| v.get("metadata"));
    let listed: Vec<&str> = metadata
        .and_then(|m| m.get("protocols")?.as_array())
        .map(|a| a.iter().filter_map(|p| p.as_str()).collect())
        .unwrap_or_default();
    Protocol::PRIORITY
        .iter()
        .map(|p| p.as_str())
        .find(|p| listed.contains(p))
        .or_else(|| metadata.and_then(|m| m.get("protocol")?.as_str()))
        .map_or_else(|| "?".to_string(), str::to_string)
}

pub fn run(root: &Path, args: &[String]) -> Result<ExitCode> {
    let mut dir: Option<PathBuf> = None;
    let mut compile: Option<Vec<String>> = None;
    let mut compile_all = false;
    let mut jobs: Option<String> = None;
    let mut only_protocol: Option<String> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--compile" => {
                let list = it.next().context("--compile needs a comma-separated list of services")?;
                compile = Some(list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect());
            }
            "--compile-all" => compile_all = true,
            "--jobs" => jobs = Some(it.next().context("--jobs needs a number")?.clone()),
            "--protocol" => only_protocol = Some(it.next().context("--protocol needs a name")?.clone()),
            other if other.starts_with("--") => bail!("unknown argument `{other}`"),
            other => dir = Some(PathBuf::from(other)),
        }
    }
    let dir = dir.context("usage: cargo xtask survey DIR [--compile SERVICE,...|--compile-all] [--jobs N]")?;
    let mut services: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| Some((e.file_name().to_string_lossy().into_owned(), newest_version(&e.path())?)))
        .collect();
    services.sort();
    if services.is_empty() {
        bail!("{}: no service folders with a service-2.json", dir.display());
    }
    let out_root = root.join("target/survey");
    std::fs::create_dir_all(&out_root)?;

    let start = Instant::now();
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    for (service, version_dir) in &services {
        let protocol = protocol_of(version_dir);
        if only_protocol.as_deref().is_some_and(|p| p != protocol) {
            continue;
        }
        let crate_dir = out_root.join(service);
        let crate_name = format!("stratus-{}", service.to_lowercase().replace(['_', '.'], "-"));
        let options = crate::options(&crate_name, "0.1.0", version_dir.display().to_string(), &crate_dir, root, false);
        let t = Instant::now();
        let result = (|| -> Result<(usize, usize)> {
            let model = stratus_codegen::model::ServiceModel::load(version_dir)?;
            let operations = model.service.operations.len();
            let ir = stratus_codegen::ir::build(&model)?;
            let files = stratus_codegen::emit::generate(&ir, &options)?;
            let lines = files
                .iter()
                .filter(|f| f.path.starts_with("src") && f.path.extension().is_some_and(|e| e == "rs"))
                .map(|f| f.contents.lines().count())
                .sum();
            let _ = std::fs::remove_dir_all(&crate_dir);
            stratus_codegen::output::write(&crate_dir, &files)?;
            Ok((operations, lines))
        })();
        let gen_ms = t.elapsed().as_secs_f64() * 1000.0;
        let (generated, operations, lines) = match result {
            Ok((ops, lines)) => (Outcome::Ok, ops, lines),
            Err(e) => {
                let msg = e.to_string();
                let unsupported = msg.contains("is not supported by the generator yet");
                (if unsupported { Outcome::Unsupported } else { Outcome::Failed(msg) }, 0, 0)
            }
        };
        rows.insert(
            service.clone(),
            Row {
                service: service.clone(),
                protocol,
                operations,
                lines,
                generated,
                check: None,
                clippy: None,
                gen_ms,
                compile_s: None,
            },
        );
    }
    let gen_total = start.elapsed();

    // Compile the chosen crates that generated, in one workspace.
    let chosen: Vec<String> = if compile_all {
        rows.values().filter(|r| matches!(r.generated, Outcome::Ok)).map(|r| r.service.clone()).collect()
    } else {
        compile.unwrap_or_default()
    };
    for s in &chosen {
        match rows.get(s) {
            None => bail!("--compile: no service `{s}` in {}", dir.display()),
            Some(r) if !matches!(r.generated, Outcome::Ok) => {
                out(&format!("note: {s} did not generate; not compiled"));
            }
            Some(_) => {}
        }
    }
    let chosen: Vec<String> =
        chosen.into_iter().filter(|s| rows.get(s).is_some_and(|r| matches!(r.generated, Outcome::Ok))).collect();
    if !chosen.is_empty() {
        compile_crates(root, &out_root, &chosen, jobs.as_deref(), &mut rows)?;
    }

    // The table.
    out(&format!(
        "{:<40} {:<20} {:>5} {:>8} {:>11} {:>6} {:>6} {:>8} {:>9}",
        "service", "protocol", "ops", "lines", "generate", "check", "clippy", "gen ms", "compile s"
    ));
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let mut failures = Vec::new();
    for r in rows.values() {
        let cell = |o: &Option<Outcome>| o.as_ref().map_or("-", Outcome::cell);
        out(&format!(
            "{:<40} {:<20} {:>5} {:>8} {:>11} {:>6} {:>6} {:>8.0} {:>9}",
            r.service,
            r.protocol,
            r.operations,
            r.lines,
            r.generated.cell(),
            cell(&r.check),
            cell(&r.clippy),
            r.gen_ms,
            r.compile_s.map_or("-".to_string(), |s| format!("{s:.1}"))
        ));
        let mut ok = true;
        for (what, o) in [("generate", Some(&r.generated)), ("check", r.check.as_ref()), ("clippy", r.clippy.as_ref())]
        {
            match o {
                Some(Outcome::Failed(msg)) => {
                    ok = false;
                    failures.push(format!("{} ({what}): {}", r.service, first_lines(msg, 6)));
                }
                Some(Outcome::Unsupported) => ok = false,
                _ => {}
            }
        }
        match (&r.generated, ok) {
            (Outcome::Unsupported, _) => skipped += 1,
            (_, true) => passed += 1,
            (_, false) => failed += 1,
        }
    }
    let mut by_protocol: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for r in rows.values() {
        let e = by_protocol.entry(r.protocol.as_str()).or_default();
        e.0 += 1;
        if matches!(r.generated, Outcome::Ok) {
            e.1 += 1;
        }
        if matches!(r.clippy, Some(Outcome::Ok)) {
            e.2 += 1;
        }
    }
    out("");
    for (p, (n, g, c)) in &by_protocol {
        out(&format!("{p}: {n} services, {g} generated, {c} compiled clippy-clean"));
    }
    let total_lines: usize = rows.values().map(|r| r.lines).sum();
    out(&format!(
        "generation: {:.1} s for {} services ({} lines of Rust in src/)",
        gen_total.as_secs_f64(),
        rows.len(),
        total_lines
    ));
    if !failures.is_empty() {
        out("");
        for f in &failures {
            out(&format!("failed: {f}"));
        }
    }
    out(&format!("{passed} passed, {failed} failed, {skipped} skipped"));
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn first_lines(s: &str, n: usize) -> String {
    s.lines().take(n).collect::<Vec<_>>().join(" | ")
}

/// Writes the throwaway workspace and runs `cargo clippy` on each chosen crate in turn (the
/// dependencies build once, with the first); records check and clippy outcomes and times.
fn compile_crates(
    root: &Path,
    out_root: &Path,
    chosen: &[String],
    jobs: Option<&str>,
    rows: &mut BTreeMap<String, Row>,
) -> Result<()> {
    let members: Vec<String> = chosen.iter().map(|s| format!("{s:?}")).collect();
    std::fs::write(
        out_root.join("Cargo.toml"),
        format!("[workspace]\nresolver = \"3\"\nmembers = [{}]\n", members.join(", ")),
    )?;
    // The main lockfile pins versions that support the MSRV; start from it.
    let _ = std::fs::copy(root.join("Cargo.lock"), out_root.join("Cargo.lock"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let target = root.join("target/survey-target");
    for service in chosen {
        let crate_name = format!("stratus-{}", service.to_lowercase().replace(['_', '.'], "-"));
        let t = Instant::now();
        let mut cmd = Command::new(&cargo);
        cmd.args(["clippy", "--quiet", "--message-format=json", "-p", &crate_name])
            .arg("--manifest-path")
            .arg(out_root.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(j) = jobs {
            cmd.args(["-j", j]);
        }
        cmd.args(["--", "-D", "warnings"]);
        let output = cmd.output().with_context(|| format!("running cargo clippy on {crate_name}"))?;
        let secs = t.elapsed().as_secs_f64();
        // Each diagnostic of this crate: a compile error has an `E…` code (or none); a lint has
        // the lint's name (`clippy::…`, `unused_imports`) — denied by `-D warnings`.
        let (mut errors, mut lints) = (Vec::new(), Vec::new());
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else { continue };
            if v["reason"] != "compiler-message" || !v["package_id"].as_str().is_some_and(|p| p.contains(&crate_name)) {
                continue;
            }
            let msg = &v["message"];
            if msg["level"] != "error" && msg["level"] != "warning" {
                continue;
            }
            let text = msg["rendered"].as_str().unwrap_or_default().lines().take(3).collect::<Vec<_>>().join(" ");
            match msg["code"]["code"].as_str() {
                Some(code) if !code.starts_with('E') => lints.push(text),
                _ if msg["level"] == "error" => errors.push(text),
                _ => lints.push(text),
            }
        }
        let row = rows.get_mut(service).context("row")?;
        row.compile_s = Some(secs);
        if !errors.is_empty() || (!output.status.success() && lints.is_empty()) {
            let detail = if errors.is_empty() {
                first_lines(&String::from_utf8_lossy(&output.stderr), 6)
            } else {
                errors.join(" | ")
            };
            row.check = Some(Outcome::Failed(format!("{} error(s): {}", errors.len(), first_lines(&detail, 4))));
        } else {
            row.check = Some(Outcome::Ok);
            row.clippy = Some(if lints.is_empty() {
                Outcome::Ok
            } else {
                Outcome::Failed(format!(
                    "{} lint(s): {}",
                    lints.len(),
                    lints.iter().take(3).cloned().collect::<Vec<_>>().join(" | ")
                ))
            });
        }
        out(&format!("compiled {service} in {secs:.1} s: {}", if output.status.success() { "ok" } else { "FAILED" }));
    }
    Ok(())
}
