//! Protocol conformance: turns botocore-format protocol test suites into a runner crate.
//!
//! The cases of a suite share its shapes, so a suite is generated once, with the same generator as
//! any service, as one module of the runner crate holding the operations its cases name. (Cases
//! that give one operation name different definitions go to further modules of the same suite.)
//! Each case becomes a check function in its module. An input case builds the input from the
//! case's `params`, sends it through the capturing transport and compares the request with
//! `serialized`. An output case builds no request at all — as botocore's own runner — and reads
//! the case's `response` as the operation's result, comparing the output (or typed error) with
//! `result` (or `error`/`errorCode`). The runner prints one line per failing case and a last line
//! `N passed, M failed`.

use crate::emit::{self, GeneratedFile, Options};
use crate::ir::{self, Ir, RustType};
use crate::model::{self, Metadata, Operation, Shape};
use indexmap::IndexMap;

use quote::{format_ident, quote};
use serde::Deserialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Suite {
    description: String,
    metadata: Metadata,
    #[serde(default)]
    shapes: IndexMap<String, Shape>,
    cases: Vec<Case>,
    #[serde(default)]
    client_endpoint: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Case {
    id: String,
    given: Operation,
    #[serde(default)]
    params: Option<Value>,
    #[serde(default)]
    serialized: Option<Serialized>,
    #[serde(default)]
    response: Option<ResponseSpec>,
    #[serde(default)]
    result: Option<Value>,
    #[serde(default)]
    error: Option<Value>,
    #[serde(default)]
    error_code: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Serialized {
    method: String,
    uri: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    headers: IndexMap<String, String>,
    #[serde(default)]
    forbid_headers: Vec<String>,
    #[serde(default)]
    require_headers: Vec<String>,
    #[serde(default)]
    host: Option<String>,
}

#[derive(Deserialize)]
struct ResponseSpec {
    status_code: u16,
    #[serde(default)]
    headers: IndexMap<String, String>,
    #[serde(default)]
    body: Option<String>,
}

/// botocore's list of cases it does not run.
#[derive(Deserialize, Default)]
struct IgnoreList {
    #[serde(default)]
    general: IgnoreSection,
    #[serde(default)]
    protocols: IndexMap<String, IgnoreSection>,
}

#[derive(Deserialize, Default)]
struct IgnoreSection {
    #[serde(default)]
    input: IgnoreEntries,
    #[serde(default)]
    output: IgnoreEntries,
}

#[derive(Deserialize, Default)]
struct IgnoreEntries {
    #[serde(default)]
    suites: Vec<String>,
    #[serde(default)]
    cases: Vec<String>,
}

/// Our list of cases known to fail, by id, with the reason.
#[derive(Deserialize, Default)]
struct KnownFailures {
    #[serde(default)]
    cases: IndexMap<String, String>,
}

/// A case that cannot even be generated, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unbuildable {
    /// The case id.
    pub id: String,
    /// Why.
    pub reason: String,
}

/// The runner crate's files and what went into it.
#[derive(Debug, Default)]
pub struct Runner {
    /// Files of the runner crate, relative to its directory.
    pub files: Vec<GeneratedFile>,
    /// Cases in the runner.
    pub cases: usize,
    /// Cases skipped because botocore's ignore list names them.
    pub ignored: usize,
    /// Cases that could not be generated (they count as failures).
    pub unbuildable: Vec<Unbuildable>,
}

/// An error reading the suites.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConformanceError(String);

/// Builds the runner crate for the cases of `suite_files` not on the ignore list (next to the
/// suites, or `ignore_list` when given). `runtime_path` is the runner's path to `stratus-runtime`.
/// The runner crate is named `package` (distinct names keep runners apart in a shared target dir).
pub fn build_runner(
    suite_files: &[PathBuf],
    ignore_list: Option<&Path>,
    known_failures: Option<&Path>,
    runtime_path: &str,
    package: &str,
) -> Result<Runner, ConformanceError> {
    // Cases known to fail, each with the reason: reported as such, not as failures; one that
    // passes is a failure until it is taken off the list.
    let known: IndexMap<String, String> = match known_failures {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| ConformanceError(format!("{}: {e}", p.display())))?;
            let list: KnownFailures = model::parse_json(p, &text).map_err(|e| ConformanceError(e.to_string()))?;
            list.cases
        }
        None => IndexMap::new(),
    };
    let ignore: IgnoreList = match ignore_list {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| ConformanceError(format!("{}: {e}", p.display())))?;
            model::parse_json(p, &text).map_err(|e| ConformanceError(e.to_string()))?
        }
        None => IgnoreList::default(),
    };
    let mut runner = Runner::default();
    // (module, case index within it, case id)
    let mut checks: Vec<(String, usize, String)> = Vec::new();
    let mut module_count = 0;
    for file in suite_files {
        let text = std::fs::read_to_string(file).map_err(|e| ConformanceError(format!("{}: {e}", file.display())))?;
        let suites: Vec<Suite> = model::parse_json(file, &text).map_err(|e| ConformanceError(e.to_string()))?;
        // botocore keys its ignore list by the suite file's name (`json_1_0`), not the protocol.
        let protocol = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        for suite in suites {
            // Cases sharing an operation definition share a module; a name given two definitions
            // goes to a further module.
            let mut buckets: Vec<Vec<&Case>> = Vec::new();
            for case in &suite.cases {
                let is_input = case.serialized.is_some();
                fn section(s: &IgnoreSection, input: bool) -> &IgnoreEntries {
                    if input {
                        &s.input
                    } else {
                        &s.output
                    }
                }
                // As botocore's runner: a suite or a case named in the general section, or in the
                // section of this suite file.
                let names = |e: &IgnoreEntries| e.suites.contains(&suite.description) || e.cases.contains(&case.id);
                let ignored = names(section(&ignore.general, is_input))
                    || ignore.protocols.get(&protocol).is_some_and(|p| names(section(p, is_input)));
                if ignored {
                    runner.ignored += 1;
                    continue;
                }
                let fits = |bucket: &Vec<&Case>| {
                    bucket.iter().all(|c| c.given.name != case.given.name || c.given == case.given)
                };
                match buckets.iter_mut().find(|b| fits(b)) {
                    Some(bucket) => bucket.push(case),
                    None => buckets.push(vec![case]),
                }
            }
            for cases in buckets {
                let module = format!("suite_{module_count}");
                module_count += 1;
                match suite_module(&suite, &cases, &module, &protocol) {
                    Ok((files, failed)) => {
                        runner.files.extend(files);
                        for (k, case) in cases.iter().enumerate() {
                            match failed.iter().find(|(id, _)| *id == case.id) {
                                Some((_, reason)) => {
                                    runner.unbuildable.push(Unbuildable { id: case.id.clone(), reason: reason.clone() })
                                }
                                None => {
                                    let kind = if case.serialized.is_some() { "input" } else { "output" };
                                    checks.push((module.clone(), k, format!("{kind}:{}", case.id)))
                                }
                            }
                        }
                    }
                    Err(reason) => runner
                        .unbuildable
                        .extend(cases.iter().map(|c| Unbuildable { id: c.id.clone(), reason: reason.clone() })),
                }
            }
        }
    }
    let modules: Vec<String> = {
        let mut m: Vec<String> = checks.iter().map(|(m, _, _)| m.clone()).collect();
        m.dedup();
        m
    };
    runner.cases = checks.len();
    runner.files.push(GeneratedFile { path: "Cargo.toml".into(), contents: cargo_toml(runtime_path, package) });
    runner.files.push(GeneratedFile {
        path: "src/main.rs".into(),
        contents: main_rs(&modules, &checks, &runner.unbuildable, &known),
    });
    Ok(runner)
}

fn cargo_toml(runtime_path: &str, package: &str) -> String {
    format!(
        r#"# Generated by `cargo xtask conformance`.
[package]
name = "{package}"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

# No debug info: the runner is rebuilt from fresh sources on every run, and its checks name the
# failing case themselves.
[profile.dev]
debug = false

[dependencies]
stratus-runtime = {{ path = "{runtime_path}", features = ["query", "cbor"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
tokio = {{ version = "1", features = ["rt", "macros"] }}
http = "1"
bytes = "1"
"#
    )
}

fn main_rs(
    modules: &[String],
    checks: &[(String, usize, String)],
    unbuildable: &[Unbuildable],
    known: &IndexMap<String, String>,
) -> String {
    let mut s = String::from("// Generated by `cargo xtask conformance`.\n#![allow(dead_code, unused_imports, unused_mut, deprecated, missing_docs, clippy::all)]\n\n");
    s.push_str(HARNESS);
    for m in modules {
        s.push_str(&format!("#[path = \"{m}/mod.rs\"]\nmod {m};\n"));
    }
    s.push_str("\n#[tokio::main(flavor = \"current_thread\")]\nasync fn main() {\n    let mut failed = 0;\n    let mut passed = 0;\n    let mut known = 0;\n");
    for u in unbuildable {
        s.push_str(&format!(
            "    println!(\"FAIL {}: cannot generate: {}\");\n    failed += 1;\n",
            u.id,
            u.reason.replace('"', "'").replace('{', "{{").replace('}', "}}")
        ));
    }
    for (m, k, id) in checks {
        match known.get(id) {
            Some(reason) => {
                let reason = reason.replace('\\', "\\\\").replace('"', "\\\"").replace('{', "{{").replace('}', "}}");
                s.push_str(&format!(
                    "    match {m}::case_{k}().await {{\n        Ok(()) => {{\n            println!(\"FIXED {id}: it passes; take it off the known failures\");\n            failed += 1;\n        }}\n        Err(_) => {{\n            println!(\"KNOWN {id}: {reason}\");\n            known += 1;\n        }}\n    }}\n"
                ));
            }
            None => s.push_str(&format!(
                "    match {m}::case_{k}().await {{\n        Ok(()) => passed += 1,\n        Err(e) => {{\n            println!(\"FAIL {id}: {{e}}\");\n            failed += 1;\n        }}\n    }}\n"
            )),
        }
    }
    s.push_str("    if known > 0 {\n        println!(\"{known} known failures (listed above, each with its reason)\");\n    }\n    println!(\"{passed} passed, {failed} failed\");\n    if failed > 0 {\n        std::process::exit(1);\n    }\n}\n");
    s
}

/// The runner's fixed part: building clients around the capturing transport and comparing.
const HARNESS: &str = r#"mod harness {
    use bytes::Bytes;
    use std::sync::Arc;
    use stratus_runtime::http::{Body, CaptureClient};

    pub fn config(endpoint: &str, fake: Arc<CaptureClient>) -> stratus_runtime::Config {
        stratus_runtime::Config::builder()
            .endpoint_url(endpoint)
            .region("us-east-1")
            .credentials(stratus_runtime::credentials::Credentials::new("AKID", "SECRET", None, None, "test"))
            .http_client(fake)
            .max_attempts(1)
            .build()
            .expect("config")
    }

    pub fn headers(list: &[(&'static str, &'static str)]) -> http::HeaderMap {
        let mut map = http::HeaderMap::new();
        for (k, v) in list {
            if let (Ok(k), Ok(v)) = (http::HeaderName::from_bytes(k.as_bytes()), http::HeaderValue::from_str(v)) {
                map.append(k, v);
            }
        }
        map
    }

    pub fn capturing() -> Arc<CaptureClient> {
        Arc::new(CaptureClient::always(200, "{}"))
    }

    pub fn responding(status: u16, headers: &'static [(&'static str, &'static str)], body: &'static str) -> Arc<CaptureClient> {
        Arc::new(CaptureClient::new(move |_| {
            let mut r = http::Response::new(Body::from_bytes(Bytes::from_static(body.as_bytes())));
            *r.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
            for (k, v) in headers {
                if let (Ok(k), Ok(v)) = (http::HeaderName::from_bytes(k.as_bytes()), http::HeaderValue::from_str(v)) {
                    r.headers_mut().append(k, v);
                }
            }
            Ok(r)
        }))
    }

    pub enum Want {
        Text(&'static str),
        Cbor(&'static [u8]),
    }

    pub struct Expected {
        pub method: &'static str,
        pub uri: &'static str,
        pub body: Option<Want>,
        pub headers: &'static [(&'static str, &'static str)],
        pub forbid: &'static [&'static str],
        pub require: &'static [&'static str],
        pub host: Option<&'static str>,
    }

    fn split(uri: &str) -> (String, Vec<String>) {
        let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
        let mut q: Vec<String> = query.split('&').filter(|p| !p.is_empty()).map(str::to_string).collect();
        q.sort();
        (path.to_string(), q)
    }

    pub fn compare(fake: &CaptureClient, e: &Expected) -> Result<(), String> {
        let requests = fake.requests();
        let req = requests.first().ok_or("no request was sent")?;
        if req.method().as_str() != e.method {
            return Err(format!("method {} != {}", req.method(), e.method));
        }
        let got = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
        if split(&got) != split(e.uri) {
            return Err(format!("uri `{got}` != `{}`", e.uri));
        }
        for (k, v) in e.headers {
            match req.headers().get(*k).map(|h| String::from_utf8_lossy(h.as_bytes()).to_string()) {
                Some(got) if got == *v => {}
                got => return Err(format!("header {k}: {got:?} != {v:?}")),
            }
        }
        for k in e.forbid {
            if req.headers().contains_key(*k) {
                return Err(format!("forbidden header {k} was sent"));
            }
        }
        for k in e.require {
            if !req.headers().contains_key(*k) {
                return Err(format!("required header {k} missing"));
            }
        }
        if let Some(host) = e.host {
            let got = req.uri().authority().map(|a| a.as_str().to_string()).unwrap_or_default();
            if !host.starts_with(&got) {
                return Err(format!("host {got} != {host}"));
            }
        }
        if let Some(Want::Cbor(want)) = &e.body {
            let got = req.body();
            let same = match (stratus_runtime::cbor::decode(got), stratus_runtime::cbor::decode(want)) {
                (Ok(a), Ok(b)) => stratus_runtime::cbor::same_value(&a, &b),
                _ => got.as_ref() == *want,
            };
            if !same {
                return Err(format!("CBOR body {:?} != {:?}", stratus_runtime::cbor::decode(got), stratus_runtime::cbor::decode(want)));
            }
        }
        if let Some(Want::Text(want)) = e.body {
            let got = req.body();
            // As botocore's runner: JSON compared as values, XML canonically, anything else
            // byte for byte.
            let same = match (serde_json::from_slice::<serde_json::Value>(got), serde_json::from_str::<serde_json::Value>(want)) {
                (Ok(a), Ok(b)) => a == b,
                _ if want.trim_start().starts_with('<') => {
                    stratus_runtime::xml::same_document(got, want.as_bytes()).unwrap_or(false)
                }
                _ => got.as_ref() == want.as_bytes(),
            };
            if !same {
                return Err(format!("body `{}` != `{want}`", String::from_utf8_lossy(got)));
            }
        }
        Ok(())
    }
}

"#;

/// A suite's cases (those that fit one module) as a module: the generated client code of their
/// operations, and a check function `case_<k>()` for each. The failures returned are cases whose
/// check could not be generated.
#[allow(clippy::type_complexity)]
fn suite_module(
    suite: &Suite,
    cases: &[&Case],
    module: &str,
    protocol: &str,
) -> Result<(Vec<GeneratedFile>, Vec<(String, String)>), String> {
    let mut operations = IndexMap::new();
    for case in cases {
        operations.entry(case.given.name.clone()).or_insert_with(|| case.given.clone());
    }
    let service = model::Service {
        version: None,
        metadata: suite.metadata.clone(),
        operations,
        shapes: suite.shapes.clone(),
        documentation: None,
    };
    let file = format!("suite `{}`", suite.description);
    model::validate_service(Path::new(&file), &service).map_err(|e| e.to_string())?;
    let ir = ir::build_service(&service, &file).map_err(|e| e.to_string())?;
    let options = Options {
        crate_name: module.replace('_', "-"),
        version: "0.0.0".into(),
        model_source: file.clone(),
        runtime_path: String::new(),
        runtime_version: String::new(),
        publish: false,
        root: format!("crate::{module}"),
    };
    let files = emit::generate(&ir, &options).map_err(|e| e.to_string())?;
    let mut check_code = String::new();
    let mut failed = Vec::new();
    for (k, case) in cases.iter().enumerate() {
        match check_fn(&ir, suite, case, k, protocol) {
            Ok(code) => check_code.push_str(&code),
            Err(reason) => failed.push((case.id.clone(), reason)),
        }
    }
    let dir = PathBuf::from(format!("src/{module}"));
    let mut out = Vec::new();
    for f in files {
        let rel = match f.path.strip_prefix("src") {
            Ok(r) => r.to_path_buf(),
            Err(_) => continue, // Cargo.toml, README, tests: not part of a module
        };
        let (path, contents) = if rel == Path::new("lib.rs") {
            let contents = f.contents.replace("#![deny(missing_docs)]\n", "");
            (dir.join("mod.rs"), format!("{contents}\n{check_code}"))
        } else {
            (dir.join(rel), f.contents)
        };
        out.push(GeneratedFile { path, contents });
    }
    Ok((out, failed))
}

fn check_fn(ir: &Ir, suite: &Suite, case: &Case, k: usize, protocol: &str) -> Result<String, String> {
    let op = ir.operations.iter().find(|o| o.name == case.given.name).ok_or("no operation")?;
    let with = format_ident!("{}", op.with_method);
    let input_name = ir.name(op.input);
    let endpoint = suite.client_endpoint.clone().unwrap_or_else(|| "https://example.com".into());
    let body = if let Some(ser) = &case.serialized {
        let params = case.params.clone().unwrap_or(Value::Object(Default::default()));
        let input = crate::emit::value_expr(ir, &quote!(types), &RustType::Named(op.input), &params)?;
        let method = &ser.method;
        let uri = &ser.uri;
        let cbor = protocol.starts_with("smithy-rpc-v2-cbor");
        let body = match &ser.body {
            // A CBOR suite gives bodies in base64.
            Some(b) if cbor => {
                let bytes = base64_decode(b)?;
                quote!(Some(crate::harness::Want::Cbor(&[#(#bytes),*])))
            }
            Some(b) => quote!(Some(crate::harness::Want::Text(#b))),
            None => quote!(None),
        };
        // As botocore's runner: a query or ec2 request's expected Content-Type gains the charset
        // botocore sends.
        let headers = ser.headers.iter().map(|(k, v)| {
            let form = matches!(protocol, "query" | "ec2") && k.eq_ignore_ascii_case("content-type");
            let v = if form { format!("{v}; charset=utf-8") } else { v.clone() };
            quote!((#k, #v))
        });
        let forbid = &ser.forbid_headers;
        let require = &ser.require_headers;
        let host = match &ser.host {
            Some(h) => quote!(Some(#h)),
            None => quote!(None),
        };
        quote! {
            let fake = crate::harness::capturing();
            let client = Client::new(&crate::harness::config(#endpoint, fake.clone()));
            let input = #input;
            let _ = client.#with(input).await;
            crate::harness::compare(&fake, &crate::harness::Expected {
                method: #method,
                uri: #uri,
                body: #body,
                headers: &[#(#headers),*],
                forbid: &[#(#forbid),*],
                require: &[#(#require),*],
                host: #host,
            })
        }
    } else {
        let resp = case.response.as_ref().ok_or("case has neither serialized nor response")?;
        let status = resp.status_code;
        let headers = resp.headers.iter().map(|(k, v)| quote!((#k, #v)));
        let body = resp.body.clone().unwrap_or_default();
        let body_bytes = if protocol.starts_with("smithy-rpc-v2-cbor") {
            let bytes = base64_decode(&body)?;
            quote!(&[#(#bytes),*])
        } else {
            quote!(#body.as_bytes())
        };
        let input_ty = crate::emit::ident_of(input_name);
        // No request: the response is read as the operation's result, as a client reads it.
        let call = quote! {
            let result = stratus_runtime::testing::parse_response::<types::#input_ty>(
                #status,
                crate::harness::headers(&[#(#headers),*]),
                bytes::Bytes::from_static(#body_bytes),
            );
        };
        if let Some(code) = &case.error_code {
            let error_enum = format_ident!("{}", op.error_enum);
            let variant = op
                .errors
                .iter()
                .copied()
                .find(|e| ir.structure(*e).and_then(|s| s.error.as_ref()).is_some_and(|i| &i.code == code))
                .ok_or(format!("error {code} is not modeled"))?;
            let expected = crate::emit::value_expr(
                ir,
                &quote!(types),
                &RustType::Named(variant),
                case.error.as_ref().unwrap_or(&Value::Null),
            )?;
            let v = crate::emit::ident_of(ir.name(variant));
            quote! {
                #call
                let err = match result {
                    Ok(out) => return Err(format!("expected error {}, got {out:?}", #code)),
                    Err(e) => e,
                };
                if err.code() != Some(#code) {
                    return Err(format!("error code {:?} != {}", err.code(), #code));
                }
                let expected = #expected;
                match err.service_error() {
                    Some(error::#error_enum::#v(e)) if *e == expected => Ok(()),
                    other => Err(format!("got {other:?}, expected {expected:?}")),
                }
            }
        } else {
            let expected = match op.output {
                Some(o) => crate::emit::value_expr(
                    ir,
                    &quote!(types),
                    &RustType::Named(o),
                    case.result.as_ref().unwrap_or(&Value::Null),
                )?,
                None => quote!(()),
            };
            quote! {
                #call
                let out = result.map_err(|e| e.to_string())?;
                let expected = #expected;
                // Debug equality too: NaN is not equal to itself.
                if out == expected || format!("{out:?}") == format!("{expected:?}") {
                    Ok(())
                } else {
                    Err(format!("got {out:?}, expected {expected:?}"))
                }
            }
        }
    };
    let name = format_ident!("case_{}", k);
    let id = &case.id;
    let tokens = quote! {
        #[doc = #id]
        pub async fn #name() -> Result<(), String> {
            #body
        }
    };
    let file = syn::parse2::<syn::File>(tokens).map_err(|e| format!("check code: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

/// A suite's base64 text (CBOR bodies) as bytes.
fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(text.trim()).map_err(|e| format!("body is not base64: {e}"))
}
