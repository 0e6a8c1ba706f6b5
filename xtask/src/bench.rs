//! `cargo xtask bench [--quick]`: Stratus against aws-sdk-lambda, aws-sigv4 and our own codegen, in
//! one run, as a Markdown table (also written to `target/bench/report.md`).
//!
//! The hello-world programs live in `bench/`, a workspace of its own with its own target directory,
//! so the official SDK never enters the main build. Cold builds use a fresh target directory each,
//! alternating the two programs; CPU per call is measured by each program on itself (user + system
//! time of the process) against one canned-response HTTP server run here, on loopback.

use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

struct Stats {
    min: f64,
    median: f64,
    max: f64,
}

fn stats(mut v: Vec<f64>) -> Stats {
    v.sort_by(|a, b| a.total_cmp(b));
    Stats { min: v[0], median: v[v.len() / 2], max: v[v.len() - 1] }
}

fn fmt_stats(s: &Stats, unit: &str, digits: usize) -> String {
    if (s.max - s.min).abs() < f64::EPSILON {
        format!("{:.digits$} {unit}", s.median)
    } else {
        format!("{:.digits$} {unit} ({:.digits$}–{:.digits$})", s.median, s.min, s.max)
    }
}

/// Lines of `.rs` files under `dir`.
fn rust_lines(dir: &Path) -> Result<usize> {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                total += std::fs::read_to_string(&p)?.lines().count();
            }
        }
    }
    Ok(total)
}

fn cargo_in(dir: &Path) -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(dir);
    c
}

/// Where cargo unpacked a registry crate's sources.
fn registry_source(name: &str, version: &str) -> Result<PathBuf> {
    let home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|_| std::env::var("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .context("no CARGO_HOME or HOME")?;
    for e in std::fs::read_dir(home.join("registry/src"))? {
        let candidate = e?.path().join(format!("{name}-{version}"));
        if candidate.exists() {
            return Ok(candidate);
        }
    }
    bail!("sources of {name} {version} not found under {}", home.join("registry/src").display())
}

fn locked_version(bench: &Path, name: &str) -> Result<String> {
    let lock = std::fs::read_to_string(bench.join("Cargo.lock"))?;
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l == format!("name = \"{name}\"") {
            if let Some(v) = lines.next().and_then(|v| v.strip_prefix("version = \"")).and_then(|v| v.strip_suffix('"'))
            {
                return Ok(v.to_string());
            }
        }
    }
    bail!("{name} is not in bench/Cargo.lock")
}

fn crate_count(bench: &Path, package: &str) -> Result<usize> {
    let out = cargo_in(bench).args(["tree", "-p", package, "-e", "normal", "--prefix", "none"]).output()?;
    if !out.status.success() {
        bail!("cargo tree -p {package} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            Some(format!("{} {}", parts.next()?, parts.next()?))
        })
        .collect();
    names.sort();
    names.dedup();
    Ok(names.len())
}

/// One program on each stack, built cold for a benchmark row.
struct ColdPrograms {
    ours: &'static str,
    sdk: &'static str,
    /// Part of the target directories' names: `target/cold-{stratus,sdk}{stem}-{profile}`.
    stem: &'static str,
    /// Added to the progress lines after "build".
    what: &'static str,
    /// Added to the row's name after "build".
    label: &'static str,
    goal: &'static str,
}

/// `runs` cold builds of each program, alternating, as one row.
fn cold_build_row(bench: &Path, p: &ColdPrograms, release: bool, runs: usize) -> Result<[String; 5]> {
    let profile = if release { "release" } else { "debug" };
    let (mut ours, mut sdk) = (Vec::new(), Vec::new());
    for i in 0..runs {
        let _ = writeln!(std::io::stdout(), "==> cold {profile} build{} {} of {runs}", p.what, i + 1);
        let target = bench.join(format!("target/cold-stratus{}-{profile}", p.stem));
        ours.push(cold_build(bench, p.ours, release, &target)?);
        let target = bench.join(format!("target/cold-sdk{}-{profile}", p.stem));
        sdk.push(cold_build(bench, p.sdk, release, &target)?);
    }
    let (o, s) = (stats(ours), stats(sdk));
    Ok([
        format!("cold {profile} build{}", p.label),
        fmt_stats(&o, "s", 1),
        fmt_stats(&s, "s", 1),
        ratio(o.median, s.median),
        p.goal.into(),
    ])
}

/// A cold build of `package` in a fresh target directory; seconds.
fn cold_build(bench: &Path, package: &str, release: bool, target: &Path) -> Result<f64> {
    let _ = std::fs::remove_dir_all(target);
    let mut cmd = cargo_in(bench);
    cmd.args(["build", "--quiet", "-p", package]).arg("--target-dir").arg(target);
    if release {
        cmd.arg("--release");
    }
    let start = Instant::now();
    let status = cmd.status()?;
    if !status.success() {
        bail!("building {package} failed");
    }
    Ok(start.elapsed().as_secs_f64())
}

const GET_FUNCTION: &str = r#"{"Configuration":{"FunctionName":"bench-fn","FunctionArn":"arn:aws:lambda:us-east-1:123456789012:function:bench-fn","Runtime":"python3.12","Role":"arn:aws:iam::123456789012:role/bench","Handler":"lambda_function.lambda_handler","CodeSize":1024,"Description":"benchmark","Timeout":3,"MemorySize":128,"LastModified":"2026-11-24T12:00:00.000+0000","CodeSha256":"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=","Version":"$LATEST","TracingConfig":{"Mode":"PassThrough"},"RevisionId":"8f5b5f5e-0000-4000-8000-000000000000","State":"Active","LastUpdateStatus":"Successful","PackageType":"Zip","Architectures":["x86_64"],"EphemeralStorage":{"Size":512},"SnapStart":{"ApplyOn":"None","OptimizationStatus":"Off"},"LoggingConfig":{"LogFormat":"Text","LogGroup":"/aws/lambda/bench-fn"}},"Code":{"RepositoryType":"S3","Location":"https://example.com/code.zip"},"Tags":{"team":"bench"}}"#;

fn list_functions_body() -> String {
    let functions: Vec<String> = (0..50)
        .map(|i| {
            format!(
                r#"{{"FunctionName":"bench-fn-{i:02}","FunctionArn":"arn:aws:lambda:us-east-1:123456789012:function:bench-fn-{i:02}","Runtime":"python3.12","Role":"arn:aws:iam::123456789012:role/bench","Handler":"lambda_function.lambda_handler","CodeSize":1024,"Description":"benchmark function number {i}","Timeout":3,"MemorySize":128,"LastModified":"2026-11-24T12:00:00.000+0000","CodeSha256":"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=","Version":"$LATEST","Environment":{{"Variables":{{"MODE":"bench","LEVEL":"info"}}}},"TracingConfig":{{"Mode":"PassThrough"}},"RevisionId":"8f5b5f5e-0000-4000-8000-0000000000{i:02}","PackageType":"Zip","Architectures":["x86_64"],"EphemeralStorage":{{"Size":512}},"SnapStart":{{"ApplyOn":"None","OptimizationStatus":"Off"}},"LoggingConfig":{{"LogFormat":"Text","LogGroup":"/aws/lambda/bench-fn-{i:02}"}}}}"#
            )
        })
        .collect();
    format!(r#"{{"Functions":[{}]}}"#, functions.join(","))
}

/// A DynamoDB Query answer: 100 items of five attributes (string, number, string set, map, bool).
fn query_body() -> String {
    let items: Vec<String> = (0..100)
        .map(|i| {
            format!(
                r#"{{"pk":{{"S":"a"}},"sk":{{"N":"{i}"}},"name":{{"S":"item number {i} of the benchmark table"}},"tags":{{"SS":["blue","green","red"]}},"detail":{{"M":{{"active":{{"BOOL":true}},"score":{{"N":"{i}.5"}},"owner":{{"S":"team-{i}"}}}}}}}}"#
            )
        })
        .collect();
    format!(r#"{{"Count":100,"ScannedCount":100,"Items":[{}]}}"#, items.join(","))
}

/// The body of each SQS message the canned server hands out, and its MD5 (hex).
const MESSAGE: (&str, &str) = (
    "hello from the bench: a message body of moderate length, as a job queue would carry",
    "ebff75e2bead6a68ff1694dcbccc5846",
);

/// An SQS ReceiveMessage answer (JSON protocol): 10 messages with their system attributes.
fn receive_body() -> String {
    let (body, md5) = MESSAGE;
    let messages: Vec<String> = (0..10)
        .map(|i| {
            format!(
                r#"{{"MessageId":"5fea7756-0ea4-451a-a703-a558b933e2{i:02}","ReceiptHandle":"AQEBzWwaftRI0KuVm4tP+/7q1rGgNqicHq+example+receipt+handle+{i:02}","MD5OfBody":"{md5}","Body":"{body}","Attributes":{{"SenderId":"AIDAIENQZJOLO23YVJ4VO","ApproximateFirstReceiveTimestamp":"1764500000{i:03}","ApproximateReceiveCount":"1","SentTimestamp":"1764499999{i:03}"}}}}"#
            )
        })
        .collect();
    format!(r#"{{"Messages":[{}]}}"#, messages.join(","))
}

const CALLER_IDENTITY: &str = r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/bench</Arn><UserId>AIDACKCEVSQ6C2EXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata></GetCallerIdentityResponse>"#;

/// The canned answers: (content type, body) by what a request asks for.
struct Canned {
    list: &'static str,
    query: &'static str,
    receive: &'static str,
}

impl Canned {
    fn answer(&self, path: &str, target: &str, body: &[u8]) -> (&'static str, &'static str) {
        const JSON_1_0: &str = "application/x-amz-json-1.0";
        match target {
            "DynamoDB_20120810.Query" => (JSON_1_0, self.query),
            "AmazonSQS.ReceiveMessage" => (JSON_1_0, self.receive),
            _ if body.starts_with(b"Action=GetCallerIdentity") => ("text/xml", CALLER_IDENTITY),
            _ if path.starts_with("/2015-03-31/functions/bench-fn") => ("application/json", GET_FUNCTION),
            _ => ("application/json", self.list),
        }
    }
}

/// The canned server alone, on a loopback port, until the process is stopped: for profiling a
/// bench program by hand (`perf record … --endpoint-url http://127.0.0.1:PORT`).
pub fn serve_forever(port: u16) -> Result<()> {
    serve(TcpListener::bind(("127.0.0.1", port))?, list_functions_body());
    loop {
        std::thread::park();
    }
}

/// A keep-alive HTTP/1.1 server answering Lambda GetFunction and ListFunctions, DynamoDB Query,
/// SQS ReceiveMessage and STS GetCallerIdentity with canned bodies.
fn serve(listener: TcpListener, list_body: String) {
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let canned: &'static Canned =
        Box::leak(Box::new(Canned { list: leak(list_body), query: leak(query_body()), receive: leak(receive_body()) }));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = connection(stream, canned);
            });
        }
    });
}

fn connection(stream: TcpStream, canned: &Canned) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let path = line.split_whitespace().nth(1).unwrap_or_default().to_string();
        let mut length = 0usize;
        let mut target = String::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h)? == 0 {
                return Ok(());
            }
            if h == "\r\n" {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                } else if k.eq_ignore_ascii_case("x-amz-target") {
                    target = v.trim().to_string();
                }
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let (content_type, response) = canned.answer(&path, &target, &body);
        write!(
            writer,
            "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\nx-amzn-requestid: bench\r\ncontent-length: {}\r\n\r\n{response}",
            response.len()
        )?;
        writer.flush()?;
    }
}

/// Runs a hello-world for `calls` calls of `op`: (calls per second, CPU seconds per 10,000 calls).
fn calls(binary: &Path, url: &str, op: &str, calls: u32) -> Result<(f64, f64)> {
    let report = run_program(binary, url, op, calls)?;
    let (wall, cpu) = (report.number("wall")?, report.number("cpu")?);
    Ok((f64::from(calls) / wall, cpu * 10_000.0 / f64::from(calls)))
}

/// One ListFunctions call of a hello-world: the peak resident memory it reports, in MiB.
fn peak_mib(binary: &Path, url: &str) -> Result<f64> {
    Ok(run_program(binary, url, "list", 1)?.number("peak_kib")? / 1024.0)
}

/// The line a bench program prints: `calls=N wall=S cpu=S peak_kib=K`.
struct Report(String);

impl Report {
    fn number(&self, name: &str) -> Result<f64> {
        self.0
            .split_whitespace()
            .find_map(|f| f.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("no {name}= in `{}`", self.0))
    }
}

/// Runs a bench program for `calls` calls of `op` against `url` and returns its report.
fn run_program(binary: &Path, url: &str, op: &str, calls: u32) -> Result<Report> {
    let out = Command::new(binary)
        .args(["--endpoint-url", url, "--calls", &calls.to_string(), "--op", op])
        .env_remove("AWS_PROFILE")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .with_context(|| format!("running {}", binary.display()))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        bail!("{} failed: {}{}", binary.display(), text, String::from_utf8_lossy(&out.stderr));
    }
    Ok(Report(text))
}

/// One run of a command line: (wall seconds, CPU seconds, peak resident memory in MiB), measured
/// with `wait4` on the child: its own CPU; its memory peak, or this driver's at the moment of the
/// spawn if that was higher (vfork + exec carries the parent's peak into `ru_maxrss`; the command
/// lines measured here all peak above the driver's few MiB).
fn measure(program: &Path, args: &[&str], env: &[(&str, String)]) -> Result<(f64, f64, f64)> {
    let start = Instant::now();
    let child = Command::new(program)
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .with_context(|| format!("running {}", program.display()))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills; `pid` is our child, which nothing else
    // waits for.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed().as_secs_f64();
    if waited != pid {
        bail!("waiting for {} failed", program.display());
    }
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        bail!("{} {} failed (status {status})", program.display(), args.join(" "));
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ok((wall, secs(usage.ru_utime) + secs(usage.ru_stime), usage.ru_maxrss as f64 / 1024.0))
}

/// `stratus lambda list-functions` against `aws lambda list-functions` (the AWS CLI of the test
/// venv), both against the canned server; and the `stratus` binary's cold release build and
/// stripped size.
fn cli_rows(root: &Path, url: &str, quick: bool, rows: &mut Vec<[String; 5]>) -> Result<()> {
    let say = |s: &str| {
        let _ = writeln!(std::io::stdout(), "{s}");
    };
    let aws = root.join("target/moto-venv/bin/aws");
    if !aws.exists() {
        say("==> no AWS CLI in target/moto-venv (run `cargo xtask test` once): the CLI rows are skipped");
        return Ok(());
    }
    say("==> cold release build of the stratus binary");
    let target = root.join("target/bench/cold-cli");
    let _ = std::fs::remove_dir_all(&target);
    let start = Instant::now();
    let built = cargo_in(root)
        .args(["build", "--quiet", "--release", "-p", "stratus-cli"])
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_PROFILE_RELEASE_STRIP", "true")
        .status()?;
    if !built.success() {
        bail!("building stratus failed");
    }
    let build_secs = start.elapsed().as_secs_f64();
    let stratus = target.join("release/stratus");
    let size = std::fs::metadata(&stratus)?.len() as f64;
    rows.push(["`stratus` cold release build".into(), format!("{build_secs:.1} s"), "—".into(), "—".into(), "".into()]);
    rows.push(["`stratus` stripped binary".into(), format!("{:.2} MB", size / 1e6), "—".into(), "—".into(), "".into()]);

    let home = root.join("target/bench/cli-home");
    std::fs::create_dir_all(&home)?;
    let env: Vec<(&str, String)> = vec![
        ("PATH", std::env::var("PATH").unwrap_or_default()),
        ("HOME", home.display().to_string()),
        ("AWS_ACCESS_KEY_ID", "bench".into()),
        ("AWS_SECRET_ACCESS_KEY", "bench".into()),
        ("AWS_DEFAULT_REGION", "us-east-1".into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_CONFIG_FILE", home.join("config").display().to_string()),
        ("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials").display().to_string()),
    ];
    let args = ["lambda", "list-functions", "--endpoint-url", url];
    let n = if quick { 5 } else { 20 };
    say(&format!("==> stratus and aws lambda list-functions, {n} calls each, alternating"));
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..n {
        ours.push(measure(&stratus, &args, &env)?);
        theirs.push(measure(&aws, &args, &env)?);
    }
    let col = |v: &[(f64, f64, f64)], f: fn(&(f64, f64, f64)) -> f64| stats(v.iter().map(f).collect());
    let (ow, tw) = (col(&ours, |m| m.0 * 1000.0), col(&theirs, |m| m.0 * 1000.0));
    let (oc, tc) = (col(&ours, |m| m.1 * 1000.0), col(&theirs, |m| m.1 * 1000.0));
    let (om, tm) = (col(&ours, |m| m.2), col(&theirs, |m| m.2));
    let times = |a: f64, b: f64| if a > 0.0 { format!("{:.0}x less", b / a) } else { "—".into() };
    rows.push([
        "`lambda list-functions`: CPU per call (stratus vs aws)".into(),
        fmt_stats(&oc, "ms", 1),
        fmt_stats(&tc, "ms", 1),
        times(oc.median, tc.median),
        "≥ 50x less".into(),
    ]);
    rows.push([
        "`lambda list-functions`: wall per call".into(),
        fmt_stats(&ow, "ms", 1),
        fmt_stats(&tw, "ms", 1),
        times(ow.median, tw.median),
        "≥ 20x less".into(),
    ]);
    rows.push([
        "`lambda list-functions`: peak memory".into(),
        fmt_stats(&om, "MiB", 1),
        fmt_stats(&tm, "MiB", 1),
        // The target is on Stratus's own figure.
        format!("{:.1} MiB", om.median),
        "≤ 10 MiB".into(),
    ]);
    Ok(())
}

fn ratio(ours: f64, theirs: f64) -> String {
    if theirs == 0.0 {
        "—".into()
    } else {
        format!("{:.0}%", 100.0 * ours / theirs)
    }
}

/// Whether a ratio meets its target: `≤ N%` targets compare the percentage, `≥ Nx faster` targets
/// the speed-up.
fn verdict(ratio: &str, target: &str) -> &'static str {
    let number =
        |s: &str| s.chars().filter(|c| c.is_ascii_digit() || *c == '.').collect::<String>().parse::<f64>().ok();
    match (number(ratio), number(target)) {
        (Some(r), Some(t)) if target.starts_with('≤') => {
            if r <= t {
                "yes"
            } else {
                "**no**"
            }
        }
        (Some(r), Some(t)) if target.starts_with('≥') => {
            if r >= t {
                "yes"
            } else {
                "**no**"
            }
        }
        _ => "",
    }
}

/// Runs the benchmark and prints the table.
pub fn run(root: &Path, quick: bool) -> Result<String> {
    let bench = root.join("bench");
    let runs = if quick { 1 } else { 3 };
    let mut rows: Vec<[String; 5]> = Vec::new();
    let say = |s: &str| {
        let _ = writeln!(std::io::stdout(), "{s}");
    };

    say("==> fetching dependencies of bench/");
    if !cargo_in(&bench).args(["fetch", "--quiet"]).status()?.success() {
        bail!("cargo fetch in bench/ failed");
    }

    // Generated source lines.
    let ours_lines = rust_lines(&root.join("generated/lambda/src"))?;
    let sdk_version = locked_version(&bench, "aws-sdk-lambda")?;
    let sdk_lines = rust_lines(&registry_source("aws-sdk-lambda", &sdk_version)?.join("src"))?;
    rows.push([
        format!("generated source lines (aws-sdk-lambda {sdk_version})"),
        ours_lines.to_string(),
        sdk_lines.to_string(),
        ratio(ours_lines as f64, sdk_lines as f64),
        "≤ 10%".into(),
    ]);

    // Crates in each hello-world's tree.
    let (a, b) = (crate_count(&bench, "stratus-hello")?, crate_count(&bench, "sdk-hello")?);
    rows.push([
        "crates in the dependency tree".into(),
        a.to_string(),
        b.to_string(),
        ratio(a as f64, b as f64),
        "".into(),
    ]);

    // Cold builds, alternating: the Lambda hello-world, then one program on four services
    // (Lambda, SQS, DynamoDB, STS) with each stack's config crate.
    let hello =
        ColdPrograms { ours: "stratus-hello", sdk: "sdk-hello", stem: "", what: "", label: "", goal: "≤ 20%" };
    let multi = ColdPrograms {
        ours: "stratus-multi",
        sdk: "sdk-multi",
        stem: "-multi",
        what: " of the four-service program",
        label: ", Lambda + SQS + DynamoDB + STS + config",
        goal: "≤ 25%",
    };
    for programs in [hello, multi] {
        for release in [false, true] {
            rows.push(cold_build_row(&bench, &programs, release, runs)?);
        }
    }

    // Stripped release binaries (the bench profile strips symbols).
    let ours_bin = bench.join("target/cold-stratus-release/release/stratus-hello");
    let sdk_bin = bench.join("target/cold-sdk-release/release/sdk-hello");
    let (a, b) = (std::fs::metadata(&ours_bin)?.len() as f64, std::fs::metadata(&sdk_bin)?.len() as f64);
    rows.push([
        "stripped release binary".into(),
        format!("{:.2} MB", a / 1e6),
        format!("{:.2} MB", b / 1e6),
        ratio(a, b),
        "≤ 25%".into(),
    ]);

    // CPU per call against one canned server.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    let list_body = list_functions_body();
    let list_size = list_body.len();
    serve(listener, list_body);
    let n = if quick { 3_000 } else { 10_000 };
    for (op, label, target) in [
        ("get", "GetFunction".to_string(), "≤ 30%"),
        ("list", format!("ListFunctions, 50 functions ({} KB)", list_size / 1000), "≤ 35%"),
    ] {
        let (mut ours_rate, mut sdk_rate, mut ours_cpu, mut sdk_cpu) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for _ in 0..runs.max(2) {
            let (r, c) = calls(&ours_bin, &url, op, n)?;
            ours_rate.push(r);
            ours_cpu.push(c);
            let (r, c) = calls(&sdk_bin, &url, op, n)?;
            sdk_rate.push(r);
            sdk_cpu.push(c);
        }
        let (or, sr, oc, sc) = (stats(ours_rate), stats(sdk_rate), stats(ours_cpu), stats(sdk_cpu));
        rows.push([
            format!("{label}: calls per second"),
            fmt_stats(&or, "/s", 0),
            fmt_stats(&sr, "/s", 0),
            ratio(or.median, sr.median),
            "".into(),
        ]);
        rows.push([
            format!("{label}: CPU s per 10,000 calls"),
            fmt_stats(&oc, "s", 2),
            fmt_stats(&sc, "s", 2),
            ratio(oc.median, sc.median),
            target.into(),
        ]);
    }

    // CPU per call of DynamoDB and SQS, from the four-service programs.
    let ours_multi = bench.join("target/cold-stratus-multi-release/release/stratus-multi");
    let sdk_multi = bench.join("target/cold-sdk-multi-release/release/sdk-multi");
    for (op, label) in [("query", "DynamoDB Query, 100 items"), ("receive", "SQS ReceiveMessage, 10 messages")] {
        let (mut ours_cpu, mut sdk_cpu) = (Vec::new(), Vec::new());
        for _ in 0..runs.max(2) {
            ours_cpu.push(calls(&ours_multi, &url, op, n)?.1);
            sdk_cpu.push(calls(&sdk_multi, &url, op, n)?.1);
        }
        let (oc, sc) = (stats(ours_cpu), stats(sdk_cpu));
        rows.push([
            format!("{label}: CPU s per 10,000 calls"),
            fmt_stats(&oc, "s", 2),
            fmt_stats(&sc, "s", 2),
            ratio(oc.median, sc.median),
            "≤ 40%".into(),
        ]);
    }

    // Peak resident memory of one hello-world call, as each program reports it (`VmHWM`): the
    // `ru_maxrss` of `wait4` would include this driver's own peak, inherited through vfork + exec.
    let (mut ours_mem, mut sdk_mem) = (Vec::new(), Vec::new());
    for _ in 0..runs.max(3) {
        ours_mem.push(peak_mib(&ours_bin, &url)?);
        sdk_mem.push(peak_mib(&sdk_bin, &url)?);
    }
    let (om, sm) = (stats(ours_mem), stats(sdk_mem));
    rows.push([
        "peak memory of a hello-world call (ListFunctions)".into(),
        fmt_stats(&om, "MiB", 1),
        fmt_stats(&sm, "MiB", 1),
        ratio(om.median, sm.median),
        "≤ 50%".into(),
    ]);

    // The command line against the AWS CLI.
    cli_rows(root, &url, quick, &mut rows)?;

    // Signing.
    say("==> signing");
    if !cargo_in(&bench).args(["build", "--quiet", "--release", "-p", "sign"]).status()?.success() {
        bail!("building the signing benchmark failed");
    }
    let out = Command::new(bench.join("target/release/sign")).arg(if quick { "20000" } else { "100000" }).output()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let parse = |name: &str| -> Result<Stats> {
        let v = text
            .split_whitespace()
            .find_map(|f| f.strip_prefix(&format!("{name}=")))
            .with_context(|| format!("no {name} in `{text}`"))?;
        let n: Vec<f64> = v.split('/').filter_map(|x| x.parse().ok()).collect();
        if n.len() != 3 {
            bail!("bad {name} in `{text}`");
        }
        Ok(Stats { min: n[0], median: n[1], max: n[2] })
    };
    let (o, s) = (parse("ours_ns")?, parse("sdk_ns")?);
    rows.push([
        "SigV4 signature of a Lambda request".into(),
        fmt_stats(&o, "ns", 0),
        fmt_stats(&s, "ns", 0),
        format!("{:.1}x faster", s.median / o.median),
        "≥ 6x faster".into(),
    ]);

    // Our codegen time (release build of the generator).
    say("==> codegen time");
    let mut times = Vec::new();
    for _ in 0..5 {
        let out = cargo_in(root)
            .args([
                "run",
                "--quiet",
                "--release",
                "-p",
                "xtask",
                "--",
                "codegen",
                "--model",
                "model/lambda/2015-03-31",
                "--out",
            ])
            .arg(root.join("target/bench/codegen-out"))
            .output()?;
        let text = String::from_utf8_lossy(&out.stdout);
        if let Some(ms) = text
            .split("generated in ")
            .nth(1)
            .and_then(|t| t.split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok())
        {
            times.push(ms);
        }
    }
    if !times.is_empty() {
        let t = stats(times);
        rows.push([
            "codegen of the Lambda model (release)".into(),
            fmt_stats(&t, "ms", 0),
            "—".into(),
            "—".into(),
            "".into(),
        ]);
    }

    // Generating every service of botocore (no compiling), when its data is beside the project.
    let botocore = root.join("../shared/botocore-data");
    if botocore.is_dir() {
        say("==> codegen of every botocore service (cargo xtask survey, generation only)");
        let out = cargo_in(root)
            .args(["run", "--quiet", "--release", "-p", "xtask", "--", "survey"])
            .arg(&botocore)
            .output()?;
        let text = String::from_utf8_lossy(&out.stdout);
        // `generation: 96.5 s for 445 services (4509883 lines of Rust in src/)`
        let line = text.lines().find(|l| l.starts_with("generation: "));
        let parsed = line.and_then(|l| {
            let secs = l.strip_prefix("generation: ")?.split_whitespace().next()?.parse::<f64>().ok()?;
            let services = l.split(" for ").nth(1)?.split_whitespace().next()?.to_string();
            Some((secs, services))
        });
        match parsed {
            Some((secs, services)) => rows.push([
                format!("codegen of all {services} botocore services (release, generation only)"),
                format!("{secs:.1} s"),
                "—".into(),
                "—".into(),
                "".into(),
            ]),
            None => bail!("the survey printed no generation time: {}", String::from_utf8_lossy(&out.stderr)),
        }
    }

    let mut table = String::from(
        "| Metric | Stratus | aws-sdk-lambda / aws-sigv4 | Ratio | Target | Met |\n|---|---|---|---|---|---|\n",
    );
    for r in &rows {
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            verdict(&r[3], &r[4])
        ));
    }
    let nproc = std::thread::available_parallelism().map_or(1, |n| n.get());
    let report = format!(
        "# Benchmark ({} mode)\n\n{table}\nMachine: {nproc} cores; `{}`. Timing rows show the median (min–max) of {runs} run(s).\n",
        if quick { "quick" } else { "full" },
        String::from_utf8_lossy(&Command::new("rustc").arg("--version").output()?.stdout).trim()
    );
    std::fs::create_dir_all(root.join("target/bench"))?;
    std::fs::write(root.join("target/bench/report.md"), &report)?;
    Ok(report)
}
