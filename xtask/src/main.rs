//! Project tasks: `cargo xtask codegen [--check] [--model DIR] [--out DIR]` and `cargo xtask test`.
//!
//! A thin command line over `stratus-codegen`: the logic lives in the library, where tests reach it.

mod bench;
mod fuzz;
mod survey;

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;
use stratus_codegen::emit::Options;

const USAGE: &str = "usage:
  cargo xtask codegen [--check]                 regenerate every service listed in model/services.json
  cargo xtask codegen --model DIR [--out DIR]   generate one model (DIR holds service-2.json, or one
                                                API-version folder that does); default out: target/codegen/<name>
  cargo xtask test                              run the whole test suite
  cargo xtask api-diff OLD_MODEL_DIR NEW_MODEL_DIR  what changes in the generated API, classified for semver
  cargo xtask bench [--quick]                   Stratus vs aws-sdk-lambda / aws-sigv4, table in target/bench/report.md
  cargo xtask bench --serve PORT                only the canned-response server, on 127.0.0.1:PORT (for profiling)
  cargo xtask publish [--execute]               check, test and package the crates (dry run unless --execute)
  cargo xtask conformance SUITE.json... [--ignore LIST.json] [--known-failures LIST.json] [--out DIR]
                                                run botocore protocol suites through generated clients
  cargo xtask credential-scenarios DIR...      run recorded credential-chain scenarios (env.json, fs/,
                                                http-traffic.json, test-case.json) against stratus-config
  cargo xtask fuzz [--seconds N] [--keep-going] [--minimize] [TARGET]
                                                coverage-guided fuzzing (libFuzzer, stable toolchain)
  cargo xtask survey DIR [--compile SVC,...|--compile-all] [--jobs N] [--protocol NAME]
                                                generate every service of a botocore data/ folder into
                                                target/survey, compile and lint the chosen ones";

/// `println!` that does not panic when stdout is closed (`cargo xtask codegen | head`).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode> {
    match args.first().map(String::as_str) {
        Some("codegen") => codegen(&args[1..]),
        Some("test") => test(&args[1..]),
        Some("conformance") => conformance(&args[1..]),
        Some("api-diff") => api_diff(&args[1..]),
        Some("bench") => {
            let quick = match &args[1..] {
                [] => false,
                [q] if q == "--quick" => true,
                [s, port] if s == "--serve" => {
                    let port: u16 = port.parse().with_context(|| format!("bad port `{port}`"))?;
                    say!("canned server on http://127.0.0.1:{port} (Ctrl-C stops it)");
                    bench::serve_forever(port)?;
                    return Ok(ExitCode::SUCCESS);
                }
                other => bail!("unknown arguments {other:?}\n{USAGE}"),
            };
            say!("{}", bench::run(&root(), quick)?);
            Ok(ExitCode::SUCCESS)
        }
        Some("publish") => publish(&args[1..]),
        Some("survey") => survey::run(&root(), &args[1..]),
        Some("fuzz") => fuzz::run(&root(), &args[1..]),
        Some("credential-scenarios") => credential_scenarios(&args[1..]),
        Some("-h" | "--help") | None => {
            say!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        Some(other) => bail!("unknown task `{other}`\n{USAGE}"),
    }
}

/// The workspace root (xtask lives one level below it).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

/// `model/services.json`: the services `cargo xtask codegen` generates.
#[derive(serde::Deserialize)]
struct ServiceList {
    services: Vec<ServiceEntry>,
}

#[derive(serde::Deserialize)]
struct ServiceEntry {
    /// Model directory under `model/`.
    model: String,
    /// Crate name.
    #[serde(rename = "crate")]
    crate_name: String,
    /// Crate version.
    version: String,
    /// Output directory, relative to the root.
    out: String,
    /// Whether the crate is published (default: yes).
    #[serde(default = "yes")]
    publish: bool,
    /// Hand-written files copied into the crate: crate path -> repository path.
    #[serde(default)]
    extra_files: std::collections::BTreeMap<String, String>,
    /// The command name of the service in the `stratus` tool (`lambda`), when the tool speaks it.
    #[serde(default)]
    cli: Option<String>,
}

fn yes() -> bool {
    true
}

struct Job {
    model_dir: PathBuf,
    out: PathBuf,
    options: Options,
    /// Hand-written files copied in: crate path -> source path.
    extra_files: Vec<(PathBuf, PathBuf)>,
}

fn codegen(args: &[String]) -> Result<ExitCode> {
    let mut check = false;
    let mut model: Option<PathBuf> = None;
    let mut out: Option<PathBuf> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--check" => check = true,
            "--model" => model = Some(it.next().context("--model needs a directory")?.into()),
            "--out" => out = Some(it.next().context("--out needs a directory")?.into()),
            other => bail!("unknown argument `{other}`\n{USAGE}"),
        }
    }
    let root = root();
    let all_services = model.is_none();
    let jobs = match model {
        Some(dir) => vec![single_job(&root, &dir, out)?],
        None => {
            if out.is_some() {
                bail!("--out needs --model");
            }
            listed_jobs(&root)?
        }
    };

    let mut stale_total = 0;
    for job in jobs {
        let shown = job.out.strip_prefix(&root).unwrap_or(&job.out).display().to_string();
        let start = Instant::now();
        let mut files = stratus_codegen::generate(&job.model_dir, &job.options)
            .with_context(|| format!("generating {}", job.model_dir.display()))?;
        for (dest, src) in &job.extra_files {
            let contents = std::fs::read_to_string(src).with_context(|| format!("reading {}", src.display()))?;
            files.push(stratus_codegen::emit::GeneratedFile { path: dest.clone(), contents });
        }
        let elapsed = start.elapsed();
        let lines: usize = files
            .iter()
            .filter(|f| f.path.extension().is_some_and(|e| e == "rs"))
            .map(|f| f.contents.lines().count())
            .sum();
        if check {
            let stale = stratus_codegen::output::check(&job.out, &files)?;
            for s in &stale {
                eprintln!("stale: {s}");
            }
            stale_total += stale.len();
            if stale.is_empty() {
                say!("{shown}: up to date ({} files)", files.len());
            }
        } else {
            let report = stratus_codegen::output::write(&job.out, &files)
                .with_context(|| format!("writing {}", job.out.display()))?;
            say!(
                "{shown}: {} files ({} written, {} unchanged, {} removed), {lines} lines of Rust, generated in {:.0} ms",
                files.len(),
                report.written.len(),
                report.unchanged,
                report.removed.len(),
                elapsed.as_secs_f64() * 1000.0
            );
        }
    }
    if all_services {
        stale_total += codegen_cli(&root, check)?;
    }
    if stale_total > 0 {
        eprintln!("{stale_total} generated file(s) are stale; run `cargo xtask codegen`");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// The `stratus` tool's tables (`cli/src/services/`), for the services `model/services.json` gives a
/// `cli` name; returns how many files are stale (with `check`).
fn codegen_cli(root: &Path, check: bool) -> Result<usize> {
    let services: Vec<stratus_codegen::CliService> = service_list(root)?
        .into_iter()
        .filter_map(|s| {
            Some(stratus_codegen::CliService {
                model_dir: root.join(&s.model),
                module: s.cli?.replace('-', "_"),
                krate: s.crate_name,
            })
        })
        .collect();
    let out = root.join("cli/src/services");
    let opts = options("stratus-cli", "0.1.0", "model/services.json".into(), &out, root, false);
    let start = Instant::now();
    let files = stratus_codegen::generate_cli(&services, &opts).context("generating the CLI tables")?;
    if check {
        let stale = stratus_codegen::output::check(&out, &files)?;
        for s in &stale {
            eprintln!("stale: {s}");
        }
        if stale.is_empty() {
            say!("cli/src/services: up to date ({} files)", files.len());
        }
        return Ok(stale.len());
    }
    let report = stratus_codegen::output::write(&out, &files).with_context(|| format!("writing {}", out.display()))?;
    say!(
        "cli/src/services: {} files ({} written, {} unchanged, {} removed), generated in {:.0} ms",
        files.len(),
        report.written.len(),
        report.unchanged,
        report.removed.len(),
        start.elapsed().as_secs_f64() * 1000.0
    );
    Ok(0)
}

pub(crate) fn options(
    crate_name: &str,
    version: &str,
    model_source: String,
    out: &Path,
    root: &Path,
    publish: bool,
) -> Options {
    Options {
        crate_name: crate_name.to_string(),
        version: version.to_string(),
        model_source,
        runtime_path: relative(out, &root.join("runtime")),
        runtime_version: "0.1.0".to_string(),
        publish,
        root: "crate".to_string(),
    }
}

/// A relative path from `from` to `to` (both under the workspace), with `/` separators.
fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(to[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    parts.join("/")
}

/// The entries of `model/services.json`.
fn service_list(root: &Path) -> Result<Vec<ServiceEntry>> {
    let list_file = root.join("model/services.json");
    let text = std::fs::read_to_string(&list_file).with_context(|| format!("reading {}", list_file.display()))?;
    let list: ServiceList = serde_json::from_str(&text).with_context(|| format!("parsing {}", list_file.display()))?;
    Ok(list.services)
}

fn listed_jobs(root: &Path) -> Result<Vec<Job>> {
    Ok(service_list(root)?
        .into_iter()
        .map(|s| {
            let out = root.join(&s.out);
            Job {
                model_dir: root.join(&s.model),
                options: options(&s.crate_name, &s.version, s.model.clone(), &out, root, s.publish),
                out,
                extra_files: s.extra_files.iter().map(|(dest, src)| (PathBuf::from(dest), root.join(src))).collect(),
            }
        })
        .collect())
}

/// A model directory given on the command line: the folder with `service-2.json`, or a service
/// folder holding exactly one API-version folder.
fn single_job(root: &Path, dir: &Path, out: Option<PathBuf>) -> Result<Job> {
    let mut model_dir = dir.to_path_buf();
    if !model_dir.join("service-2.json").exists() {
        let versions: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("reading model directory {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("service-2.json").exists())
            .collect();
        match versions.as_slice() {
            [one] => model_dir = one.clone(),
            [] => bail!("{}: no service-2.json here or in an API-version folder below", dir.display()),
            _ => bail!("{}: several API versions; name one of them", dir.display()),
        }
    }
    let name = model_dir
        .parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "service".to_string());
    let out = out.unwrap_or_else(|| root.join("target/codegen").join(&name));
    let out = if out.is_absolute() { out } else { std::env::current_dir()?.join(out) };
    let crate_name = format!("stratus-{}", name.to_lowercase().replace(['_', '.'], "-"));
    let options = options(&crate_name, "0.1.0", model_dir.display().to_string(), &out, root, false);
    Ok(Job { model_dir, out, options, extra_files: Vec::new() })
}

/// Runs a command, failing with its name when it fails.
fn run_step(name: &str, cmd: &mut Command) -> Result<()> {
    say!("==> {name}");
    let status = cmd.status().with_context(|| format!("starting {name}"))?;
    if !status.success() {
        bail!("{name} failed ({status})");
    }
    Ok(())
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string()));
    c.current_dir(root());
    c
}

/// Builds one example with the whole workspace's feature set (dev-dependencies included, as for
/// the tests) and returns its path. `cargo run -p` would resolve features for that one package
/// and build the runtime, tokio and every generated crate a second time (a few GB of artifacts,
/// enough to fill a CI disk); selecting with `--workspace` reuses what `cargo test --workspace`
/// built.
fn workspace_example(name: &str) -> Result<PathBuf> {
    let output = cargo()
        .args(["build", "--workspace", "--example", name, "--message-format=json-render-diagnostics"])
        .stderr(std::process::Stdio::inherit())
        .output()
        .with_context(|| format!("building {name}"))?;
    if !output.status.success() {
        bail!("building {name} failed ({})", output.status);
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == name)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .with_context(|| format!("cargo built no example named {name}"))
}

/// The whole suite: generated code is fresh, then every test of the workspace.
fn test(args: &[String]) -> Result<ExitCode> {
    if let Some(a) = args.first() {
        bail!("unknown argument `{a}`\n{USAGE}");
    }
    if codegen(&["--check".to_string()])? != ExitCode::SUCCESS {
        bail!("generated code is stale");
    }
    run_step("cargo test --workspace", cargo().args(["test", "--workspace", "--all-targets"]))?;
    run_step("cargo test --doc", cargo().args(["test", "--workspace", "--doc"]))?;
    // The runtime's optional features (tracing, OS roots, HTTP/2, every protocol) are tested too.
    run_step(
        "cargo test -p stratus-runtime --all-features",
        cargo().args(["test", "-p", "stratus-runtime", "--all-features", "--tests"]),
    )?;
    say!("==> fuzz corpora replay");
    fuzz::replay(&root())?;
    run_e2e()?;
    say!("==> credential-chain scenarios (tests/data/aws-config/default-credential-provider-chain)");
    let dir = root().join("tests/data/aws-config/default-credential-provider-chain").display().to_string();
    if credential_scenarios(&[dir])? != ExitCode::SUCCESS {
        bail!("credential-chain scenarios failed");
    }
    say!("==> protocol conformance (every suite: rest-json, json, query, ec2, rest-xml, smithy-rpc-v2-cbor)");
    let args: Vec<String> = CONFORMANCE_SUITES
        .iter()
        .flat_map(|s| ["input", "output"].map(|dir| root().join(format!("tests/data/protocols/{dir}/{s}.json"))))
        .map(|p| p.display().to_string())
        .chain(["--known-failures".to_string(), root().join("tests/known-failures.json").display().to_string()])
        .collect();
    if conformance(&args)? != ExitCode::SUCCESS {
        bail!("protocol conformance failed");
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs recorded credential-chain scenarios through the tests crate's `credential-scenarios`
/// example (xtask itself depends on no generated crate, so codegen always builds).
fn credential_scenarios(dirs: &[String]) -> Result<ExitCode> {
    // The runner starts in the workspace root: folders named relative to here are made absolute.
    let here = std::env::current_dir()?;
    let runner = workspace_example("credential-scenarios")?;
    let status = Command::new(runner)
        .current_dir(root())
        .args(dirs.iter().map(|d| here.join(d)))
        .status()
        .context("starting the credential-scenarios runner")?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}

/// The protocol suites `cargo xtask test` runs: those of the protocols the generator speaks.
const CONFORMANCE_SUITES: [&str; 10] = [
    "rest-json",
    "json",
    "json_1_0",
    "json_1_0-query-compatible",
    "query",
    "ec2",
    "rest-xml",
    "smithy-rpc-v2-cbor",
    "smithy-rpc-v2-cbor-query-compatible",
    "smithy-rpc-v2-cbor-non-query-compatible",
];

/// Generates the conformance runner for the given suites and runs it.
fn conformance(args: &[String]) -> Result<ExitCode> {
    let mut suites = Vec::new();
    let mut ignore: Option<PathBuf> = None;
    let mut known: Option<PathBuf> = None;
    let mut out: Option<PathBuf> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--ignore" => ignore = Some(it.next().context("--ignore needs a file")?.into()),
            "--known-failures" => known = Some(it.next().context("--known-failures needs a file")?.into()),
            "--out" => out = Some(it.next().context("--out needs a directory")?.into()),
            other if other.starts_with("--") => bail!("unknown argument `{other}`\n{USAGE}"),
            file => suites.push(PathBuf::from(file)),
        }
    }
    if suites.is_empty() {
        bail!("name at least one suite file\n{USAGE}");
    }
    // botocore keeps its ignore list beside the input/ and output/ folders.
    let ignore = ignore.or_else(|| {
        let candidate = suites[0].parent()?.parent()?.join("protocol-tests-ignore-list.json");
        candidate.exists().then_some(candidate)
    });
    let root = root();
    let dir = out.unwrap_or_else(|| root.join("target/conformance"));
    let dir = if dir.is_absolute() { dir } else { std::env::current_dir()?.join(dir) };
    // A name of its own per runner directory, so runners sharing the target dir never mix up.
    let hash = dir
        .to_string_lossy()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let package = format!("stratus-conformance-{:08x}", hash as u32);
    let runner = stratus_codegen::conformance::build_runner(
        &suites,
        ignore.as_deref(),
        known.as_deref(),
        &relative(&dir, &root.join("runtime")),
        &package,
    )?;
    let _ = std::fs::remove_dir_all(dir.join("src"));
    stratus_codegen::output::write(&dir, &runner.files)?;
    say!(
        "conformance: {} cases generated, {} on the ignore list, {} could not be generated",
        runner.cases,
        runner.ignored,
        runner.unbuildable.len()
    );
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string()))
        .args(["run", "--quiet", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", root.join("target"))
        .status()
        .context("running the conformance runner")?;
    Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The moto version the end-to-end suite is written against.
const MOTO: &str = "moto[server]==5.2.5";

/// The AWS CLI the `stratus` tool is compared with (version 1: the one PyPI has).
const AWS_CLI: &str = "awscli==1.46.3";

/// The YAML library version 2 of the AWS CLI prints `--output yaml` with, for the differential
/// test's YAML cases.
const RUAMEL_YAML: &str = "ruamel.yaml==0.17.21";

/// Installs moto into `target/moto-venv` (once), starts it on a free loopback port, runs the
/// end-to-end tests against it, and stops it. Any failure to install or start moto fails the run.
fn run_e2e() -> Result<()> {
    let root = root();
    let venv = root.join("target/moto-venv");
    let marker = venv.join(".stratus-installed");
    let wanted = format!("{MOTO} {AWS_CLI} {RUAMEL_YAML}");
    let installed = std::fs::read_to_string(&marker).is_ok_and(|m| m.trim() == wanted);
    if !installed {
        say!("==> installing {MOTO}, {AWS_CLI} and {RUAMEL_YAML} into {}", venv.display());
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string());
        run_step("python3 -m venv", Command::new(&python).args(["-m", "venv"]).arg(&venv))?;
        run_step(
            "pip install moto awscli ruamel.yaml",
            Command::new(venv.join("bin/pip")).args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                MOTO,
                AWS_CLI,
                RUAMEL_YAML,
            ]),
        )?;
        std::fs::write(&marker, &wanted)?;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    say!("==> starting moto on 127.0.0.1:{port}");
    let log = std::fs::File::create(root.join("target/moto.log"))?;
    let mut server = Command::new(venv.join("bin/moto_server"))
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("starting moto_server (see target/moto.log)")?;
    let url = format!("http://127.0.0.1:{port}");
    let result = (|| -> Result<()> {
        // Up to 30 s for moto to answer.
        let deadline = Instant::now() + std::time::Duration::from_secs(30);
        loop {
            if let Some(status) = server.try_wait()? {
                bail!("moto exited at start ({status}); see target/moto.log");
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            if Instant::now() > deadline {
                bail!("moto did not start listening on port {port} within 30 s; see target/moto.log");
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        run_step(
            "end-to-end tests against moto",
            cargo()
                .args([
                    "test",
                    "--workspace",
                    "--test",
                    "e2e_moto",
                    "--test",
                    "e2e_sqs",
                    "--test",
                    "e2e_dynamodb",
                    "--test",
                    "e2e_sts_iam",
                    "--test",
                    "e2e_credentials",
                    "--",
                    "--include-ignored",
                    "--test-threads=1",
                ])
                .env("STRATUS_MOTO_URL", &url),
        )?;
        run_step(
            "stratus against the AWS CLI (differential, against moto)",
            cargo()
                .args(["test", "--workspace", "--test", "differential", "--", "--include-ignored"])
                .env("STRATUS_MOTO_URL", &url)
                .env("STRATUS_AWS_CLI", venv.join("bin/aws")),
        )?;
        let quickstart = workspace_example("quickstart")?;
        run_step(
            "quickstart example against moto",
            Command::new(quickstart)
                .current_dir(&root)
                .args(["--endpoint-url", &url, "--create-role"])
                .env("AWS_ACCESS_KEY_ID", "testing")
                .env("AWS_SECRET_ACCESS_KEY", "testing")
                .env("AWS_REGION", "us-east-1")
                .env_remove("AWS_PROFILE"),
        )
    })();
    let _ = server.kill();
    let _ = server.wait();
    result
}

fn ir_of(dir: &Path) -> Result<stratus_codegen::ir::Ir> {
    let model = stratus_codegen::model::ServiceModel::load(dir)?;
    Ok(stratus_codegen::ir::build(&model)?)
}

/// `cargo xtask api-diff OLD NEW`: prints the report and exits 0.
fn api_diff(args: &[String]) -> Result<ExitCode> {
    let [old, new] = args else { bail!("api-diff needs two model directories\n{USAGE}") };
    let diff = stratus_codegen::apidiff::diff(&ir_of(Path::new(old))?, &ir_of(Path::new(new))?);
    say!("{}", diff.report(old, new));
    Ok(ExitCode::SUCCESS)
}

/// The hand-written crates published before the generated ones, in dependency order:
/// `stratus-endpoint` (which the runtime depends on by version), then the runtime.
const RUNTIME_CRATES: &[(&str, &str)] = &[("stratus-endpoint", "endpoint"), ("stratus-runtime", "runtime")];

/// The hand-written crates published after the generated ones they depend on: `stratus-config`
/// (on `stratus-sts`, `stratus-sso`, `stratus-ssooidc`).
const CONFIG_CRATES: &[(&str, &str)] = &[("stratus-config", "config")];

/// A generated crate's release plan: the version to publish and its CHANGELOG entry.
struct Release {
    krate: String,
    version: String,
    proposal: String,
    entry: String,
    tag: String,
    /// The tag of `version` exists: this version is already released.
    released: bool,
}

/// The version proposal and CHANGELOG entry of one generated crate, from the model change since its
/// newest release tag (`<crate>-v<version>`), or a first-release entry when it has none.
fn plan_release(root: &Path, s: &ServiceEntry) -> Result<Release> {
    let tag = format!("{}-v{}", s.crate_name, s.version);
    let current = ir_of(&root.join(&s.model))?;
    let tags = Command::new("git")
        .args(["tag", "--list", &format!("{}-v*", s.crate_name), "--sort=-v:refname"])
        .current_dir(root)
        .output()?;
    let tags = String::from_utf8_lossy(&tags.stdout);
    let released = tags.lines().any(|t| t == tag);
    let last = tags.lines().next().map(str::to_string);
    let (proposal, entry) = match last {
        Some(last) => {
            let last_version = last.strip_prefix(&format!("{}-v", s.crate_name)).unwrap_or(&last).to_string();
            let old_dir = root.join("target/publish/released-model").join(&s.crate_name);
            std::fs::create_dir_all(&old_dir)?;
            for file in ["service-2.json", "paginators-1.json", "waiters-2.json"] {
                let out = Command::new("git")
                    .args(["show", &format!("{last}:{}/{file}", s.model)])
                    .current_dir(root)
                    .output()?;
                if out.status.success() {
                    std::fs::write(old_dir.join(file), out.stdout)?;
                }
            }
            let diff = stratus_codegen::apidiff::diff(&ir_of(&old_dir)?, &current);
            if diff.bump() == stratus_codegen::apidiff::Bump::None {
                // The model is unchanged, but the generator and runtime may have changed the crate.
                let next = stratus_codegen::apidiff::Bump::Patch.next_version(&last_version);
                say!("==> {}: no model change since {last} -> proposed version {next}", s.crate_name);
                let entry = format!(
                    "## {} {next} ({})\n\nNo change to the service model; regenerated with the current generator and runtime.\n\n",
                    s.crate_name,
                    today()
                );
                (next, entry)
            } else {
                let next = diff.bump().next_version(&last_version);
                say!(
                    "==> {}: model changes since {last}: {} -> proposed version {next}",
                    s.crate_name,
                    diff.bump().as_str()
                );
                (next.clone(), diff.changelog_entry(&s.crate_name, &next, &today()))
            }
        }
        None => {
            say!("==> {}: no release tag yet: first release of {}", s.crate_name, s.version);
            let service = &current.service;
            let entry = format!(
                "## {} {} ({})\n\nFirst release: the {} API {}, all {} operations.\n\n",
                s.crate_name,
                s.version,
                today(),
                service.full_name,
                service.api_version,
                current.operations.len()
            );
            (s.version.clone(), entry)
        }
    };
    Ok(Release { krate: s.crate_name.clone(), version: s.version.clone(), proposal, entry, tag, released })
}

/// `cargo xtask publish [--execute]`: fresh generated code, the whole suite, a version proposal and
/// CHANGELOG entry per generated crate from the model diff since its last release tag, then `cargo
/// package` of every publishable crate with verification. `--execute` also records the entries in
/// `changelog/<crate>.md` (copied into each crate as `CHANGELOG.md`), commits that, uploads in
/// dependency order and tags each generated crate's release.
fn publish(args: &[String]) -> Result<ExitCode> {
    let execute = match args {
        [] => false,
        [flag] if flag == "--execute" => true,
        _ => bail!("unknown arguments {args:?}\n{USAGE}"),
    };
    let root = root();
    if codegen(&["--check".to_string()])? != ExitCode::SUCCESS {
        bail!("generated code is stale: run `cargo xtask codegen`, review and commit it before publishing");
    }
    test(&[])?;

    let services: Vec<ServiceEntry> = service_list(&root)?.into_iter().filter(|s| s.publish).collect();
    std::fs::create_dir_all(root.join("target/publish"))?;
    let mut releases = Vec::new();
    for s in &services {
        let release = plan_release(&root, s)?;
        let entry_file = root.join(format!("target/publish/{}-CHANGELOG-entry.md", release.krate));
        std::fs::write(&entry_file, &release.entry)?;
        say!("    CHANGELOG entry written to {}", entry_file.display());
        if release.proposal != release.version {
            say!(
                "    set version = \"{}\" for {} in model/services.json, regenerate and commit before --execute",
                release.proposal,
                release.krate
            );
        }
        releases.push(release);
    }

    let crates: Vec<&str> = RUNTIME_CRATES
        .iter()
        .map(|(krate, _)| *krate)
        .chain(services.iter().map(|s| s.crate_name.as_str()))
        .chain(CONFIG_CRATES.iter().map(|(krate, _)| *krate))
        .collect();
    let mut package = cargo();
    package.arg("package");
    for krate in &crates {
        package.args(["-p", krate]);
    }
    run_step("cargo package (with verification)", &mut package)?;
    for krate in &crates {
        let manifest = match RUNTIME_CRATES.iter().chain(CONFIG_CRATES).find(|(k, _)| k == krate) {
            Some((_, dir)) => root.join(dir).join("Cargo.toml"),
            None => {
                let s = services.iter().find(|s| s.crate_name == *krate).context("unlisted crate")?;
                root.join(&s.out).join("Cargo.toml")
            }
        };
        let version = manifest_version(&manifest)?;
        let file = root.join(format!("target/package/{krate}-{version}.crate"));
        if !file.exists() {
            bail!("{} was not built", file.display());
        }
        say!("packaged {} ({} bytes)", file.display(), std::fs::metadata(&file)?.len());
    }
    if !execute {
        say!("dry run: nothing uploaded (use --execute to publish)");
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(r) = releases.iter().find(|r| r.proposal != r.version) {
        bail!("the model changes call for {} {}; update the version first", r.krate, r.proposal);
    }
    if let Some(r) = releases.iter().find(|r| r.released) {
        bail!("{} is already released (tag {}): nothing changed in its model since", r.krate, r.tag);
    }
    let dirty = Command::new("git").args(["status", "--porcelain"]).current_dir(&root).output()?;
    if !dirty.stdout.is_empty() {
        bail!("the working tree has uncommitted changes: commit or stash them before --execute");
    }
    for r in &releases {
        let changelog = root.join(format!("changelog/{}.md", r.krate));
        let old = std::fs::read_to_string(&changelog).unwrap_or_else(|_| "# Changelog\n\n".to_string());
        let (head, rest) = old.split_once("\n\n").unwrap_or((old.as_str(), ""));
        std::fs::write(&changelog, format!("{head}\n\n{}{rest}", r.entry))?;
    }
    if codegen(&[])? != ExitCode::SUCCESS {
        bail!("regenerating with the new changelogs failed");
    }
    run_step("git add", Command::new("git").args(["add", "changelog", "generated"]).current_dir(&root))?;
    let message = format!(
        "Release {}",
        releases.iter().map(|r| format!("{} {}", r.krate, r.version)).collect::<Vec<_>>().join(", ")
    );
    run_step("git commit", Command::new("git").args(["commit", "-m", &message]).current_dir(&root))?;
    for krate in &crates {
        run_step(&format!("cargo publish -p {krate}"), cargo().args(["publish", "-p", krate]))?;
    }
    for r in &releases {
        run_step(&format!("git tag {}", r.tag), Command::new("git").args(["tag", &r.tag]).current_dir(&root))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The `version` of a manifest's `[package]`.
fn manifest_version(manifest: &Path) -> Result<String> {
    let text = std::fs::read_to_string(manifest).with_context(|| format!("reading {}", manifest.display()))?;
    text.lines()
        .find_map(|l| l.strip_prefix("version = \"")?.strip_suffix('"').map(str::to_string))
        .with_context(|| format!("no version in {}", manifest.display()))
}

/// Today's date, `YYYY-MM-DD` (UTC).
fn today() -> String {
    stratus_runtime::types::DateTime::now().to_iso8601().chars().take(10).collect()
}
