//! `cargo xtask credential-scenarios DIR...` (this example, `cargo run -p stratus-tests --example
//! credential-scenarios -- DIR...`): runs recorded credential-chain scenarios (smithy-rs's format:
//! `env.json`, a `fs/` tree, `http-traffic.json`, `test-case.json`) against `stratus_config`'s
//! default chain, in a virtual environment, file system and clock, with the recorded HTTP
//! responses replayed in order. Scenarios listed under `credential-scenarios` in
//! `tests/known-failures.json` are reported as KNOWN.
//!
//! It is an example of the tests crate rather than part of `xtask` so that `xtask` depends on no
//! generated crate: `cargo xtask codegen` must build even when a runtime change has made the
//! committed generated code stale.

use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use stratus_runtime::credentials::ProvideCredentials as _;
use stratus_runtime::env::{Env, Fs};
use stratus_runtime::http::{Body, CaptureClient, HttpError, HttpErrorKind, HttpRequest, HttpResponse};

/// The clock of every scenario: the recordings date from August and September 2021, and the
/// credentials they hand out are judged as of 2021-08-16T00:00:00Z, before any of them expires.
const SCENARIO_TIME_SECS: u64 = 1_629_072_000;

/// One recorded exchange: the request as sent, and the response.
struct Exchange {
    method: String,
    uri: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

fn exchanges(traffic: &Value) -> Result<Vec<Exchange>> {
    // Events of one connection, in order: Request, request Data/Eof, Response, response Data, Eof.
    let mut by_conn: BTreeMap<u64, Exchange> = BTreeMap::new();
    let mut order: Vec<u64> = Vec::new();
    let events = traffic["events"].as_array().context("http-traffic.json: no `events` array")?;
    for e in events {
        let conn = e["connection_id"].as_u64().context("event without connection_id")?;
        let action = &e["action"];
        if let Some(req) = action.get("Request") {
            let r = &req["request"];
            order.push(conn);
            by_conn.insert(
                conn,
                Exchange {
                    method: r["method"].as_str().unwrap_or("GET").to_string(),
                    uri: r["uri"].as_str().unwrap_or_default().to_string(),
                    status: 0,
                    headers: Vec::new(),
                    body: String::new(),
                },
            );
        } else if let Some(resp) = action.get("Response") {
            let x = by_conn.get_mut(&conn).context("a response before its request")?;
            let ok = resp["response"].get("Ok").context("only recorded responses (Ok) are supported")?;
            x.status = ok["status"].as_u64().unwrap_or(200) as u16;
            if let Some(h) = ok["headers"].as_object() {
                for (k, vs) in h {
                    for v in vs.as_array().into_iter().flatten() {
                        x.headers.push((k.clone(), v.as_str().unwrap_or_default().to_string()));
                    }
                }
            }
        } else if let Some(data) = action.get("Data") {
            if data["direction"] == "Response" {
                let x = by_conn.get_mut(&conn).context("response data before its request")?;
                x.body.push_str(data["data"]["Utf8"].as_str().unwrap_or_default());
            }
        }
    }
    Ok(order.into_iter().filter_map(|c| by_conn.remove(&c)).collect())
}

/// Compares what "makes sense" to compare: method, scheme, host, path and the set of query
/// parameters. Bodies and headers carry signatures, times and SDK names that differ by design.
fn same_request(req: &HttpRequest, x: &Exchange) -> Result<(), String> {
    let Ok(want) = x.uri.parse::<http::Uri>() else { return Err(format!("recorded URI `{}` is invalid", x.uri)) };
    let got = req.uri();
    let query = |u: &http::Uri| {
        let mut q: Vec<String> =
            u.query().unwrap_or_default().split('&').filter(|s| !s.is_empty()).map(String::from).collect();
        q.sort();
        q
    };
    let same = req.method().as_str() == x.method
        && got.scheme_str() == want.scheme_str()
        && got.host() == want.host()
        && got.path() == want.path()
        && query(got) == query(&want);
    if same {
        Ok(())
    } else {
        Err(format!("sent {} {got}, recorded {} {}", req.method(), x.method, x.uri))
    }
}

struct Outcome {
    name: String,
    failure: Option<String>,
    /// The only problem is the text of an expected error.
    wording_only: bool,
}

/// How a failure that is only about an error's text starts.
const WORDING: &str = "error does not contain";

fn run_one(dir: &Path, scratch: &Path, rt: &tokio::runtime::Runtime) -> Result<Outcome> {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let read_json = |f: &str| -> Result<Value> {
        let p = dir.join(f);
        serde_json::from_str(&std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?)
            .with_context(|| format!("parsing {}", p.display()))
    };
    let env_vars: BTreeMap<String, String> = serde_json::from_value(read_json("env.json")?)?;
    let traffic = read_json("http-traffic.json")?;
    let case = read_json("test-case.json")?;
    // A fresh copy of the file system: a provider may write (a refreshed SSO token).
    let root = scratch.join(&name);
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root)?;
    if dir.join("fs").is_dir() {
        copy_dir(&dir.join("fs"), &root)?;
    }
    let env = Env::from_vars(env_vars)
        .with_fs(Fs::rooted(&root))
        .at_time(SystemTime::UNIX_EPOCH + Duration::from_secs(SCENARIO_TIME_SECS));
    let queue = Arc::new(Mutex::new(VecDeque::from(exchanges(&traffic)?)));
    let mismatches = Arc::new(Mutex::new(Vec::<String>::new()));
    let (q, m) = (queue.clone(), mismatches.clone());
    let http = Arc::new(CaptureClient::new(move |req: &HttpRequest| -> Result<HttpResponse, HttpError> {
        let next = q.lock().map_err(|_| HttpError::new(HttpErrorKind::Request, "poisoned"))?.pop_front();
        let Some(x) = next else {
            return Err(HttpError::new(HttpErrorKind::Connect, format!("no recorded response for {}", req.uri())));
        };
        if let Err(e) = same_request(req, &x) {
            if let Ok(mut m) = m.lock() {
                m.push(e);
            }
        }
        let mut b = http::Response::builder().status(x.status);
        for (k, v) in &x.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        b.body(Body::from_bytes(x.body.clone().into_bytes()))
            .map_err(|e| HttpError::new(HttpErrorKind::Request, e.to_string()))
    }));
    let result = rt.block_on(async {
        let loader = stratus_config::Loader::new().env(env).http_client(http.clone());
        let chain = loader.credentials_chain().await.map_err(|e| e.to_string())?;
        chain.provide().await.map_err(|e| e.to_string())
    });
    let mut problems: Vec<String> = Vec::new();
    match (&case["result"].get("Ok"), &case["result"].get("ErrorContains"), &result) {
        (Some(want), _, Ok(c)) => {
            let check = |field: &str, got: Option<String>| -> Option<String> {
                let want = want.get(field)?;
                let want = match want {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (got.as_deref() != Some(want.as_str())).then(|| format!("{field}: got {got:?}, want {want}"))
            };
            let expiry =
                c.expiry().and_then(|e| e.duration_since(SystemTime::UNIX_EPOCH).ok()).map(|d| d.as_secs().to_string());
            problems.extend(
                [
                    check("access_key_id", Some(c.access_key_id().to_string())),
                    check("secret_access_key", Some(c.secret_access_key().to_string())),
                    check("session_token", c.session_token().map(str::to_string)),
                    check("account_id", c.account_id().map(str::to_string)),
                    check("expiry", expiry),
                ]
                .into_iter()
                .flatten(),
            );
        }
        (Some(_), _, Err(e)) => problems.push(format!("expected credentials, got the error: {e}")),
        (_, Some(want), Err(e)) => {
            let want = want.as_str().unwrap_or_default();
            if !e.contains(want) {
                problems.push(format!("{WORDING} `{want}`: {e}"));
            }
        }
        (_, Some(want), Ok(c)) => {
            problems.push(format!("expected an error containing {want}, got credentials from {}", c.provider()))
        }
        _ => bail!("{}: test-case.json has neither Ok nor ErrorContains", dir.display()),
    }
    if let Ok(m) = mismatches.lock() {
        problems.extend(m.iter().map(|e| format!("request mismatch: {e}")));
    }
    // Every recorded exchange must have been asked for: fewer requests than recorded is a
    // different path through the chain.
    if let Ok(q) = queue.lock() {
        if let Some(x) = q.front() {
            problems.push(format!("{} recorded request(s) never sent, the first {} {}", q.len(), x.method, x.uri));
        }
    }
    let wording_only = problems.len() == 1 && problems[0].starts_with(WORDING);
    Ok(Outcome { name, failure: (!problems.is_empty()).then(|| problems.join("; ")), wording_only })
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            std::fs::create_dir_all(&target)?;
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Every scenario folder under the arguments (a folder holding `test-case.json` is one scenario;
/// otherwise its sub-folders are).
fn scenario_dirs(args: &[String]) -> Result<Vec<PathBuf>> {
    let mut dirs = Vec::new();
    for a in args {
        let p = PathBuf::from(a);
        if p.join("test-case.json").is_file() {
            dirs.push(p);
            continue;
        }
        let mut subs: Vec<PathBuf> = std::fs::read_dir(&p)
            .with_context(|| format!("reading {}", p.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|d| d.join("test-case.json").is_file())
            .collect();
        if subs.is_empty() {
            bail!("{} holds no scenario (no test-case.json in it or its sub-folders)", p.display());
        }
        subs.sort();
        dirs.extend(subs);
    }
    Ok(dirs)
}

/// Runs the scenarios; `known` maps scenario names whose expected error text is another SDK's
/// wording to the reason: such a case is reported as KNOWN when that text is its only problem, and
/// fails otherwise (and when it passes, so the list stays true).
fn main() -> ExitCode {
    // The workspace root: this crate's parent folder.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap_or(Path::new(".")).to_path_buf();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match known_scenarios(&root).and_then(|known| run(&root, &args, &known)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Recorded credential scenarios that do not pass, with the reason (`tests/known-failures.json`,
/// key `credential-scenarios`).
fn known_scenarios(root: &Path) -> Result<BTreeMap<String, String>> {
    let path = root.join("tests/known-failures.json");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let v: Value = serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    Ok(v.get("credential-scenarios")
        .and_then(|m| m.as_object())
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !k.starts_with("//"))
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default())
}

fn run(root: &Path, args: &[String], known: &BTreeMap<String, String>) -> Result<ExitCode> {
    if args.is_empty() {
        bail!("usage: cargo xtask credential-scenarios DIR...");
    }
    let scratch = root.join("target/credential-scenarios");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (mut passed, mut failed, mut known_count) = (0, 0, 0);
    for dir in scenario_dirs(args)? {
        let o = run_one(&dir, &scratch, &rt).with_context(|| format!("scenario {}", dir.display()))?;
        match (&o.failure, known.get(&o.name)) {
            (None, None) => passed += 1,
            (None, Some(_)) => {
                println!("FIXED {}: passes but is listed as known; remove it from the list", o.name);
                failed += 1;
            }
            (Some(f), Some(reason)) if o.wording_only => {
                known_count += 1;
                println!("KNOWN {}: {f} ({reason})", o.name);
            }
            (Some(f), Some(_)) => {
                failed += 1;
                println!("FAIL {}: {f} (listed as known for its error wording only)", o.name);
            }
            (Some(f), None) => {
                failed += 1;
                println!("FAIL {}: {f}", o.name);
            }
        }
    }
    println!(
        "{passed} passed, {failed} failed{}",
        if known_count > 0 { format!(", {known_count} known") } else { String::new() }
    );
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
