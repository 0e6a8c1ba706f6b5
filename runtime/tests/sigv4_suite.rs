//! The AWS SigV4 test suite (vendored in `tests/data/sigv4`): every case's canonical request, string
//! to sign and Authorization header must match byte for byte.

use std::path::{Path, PathBuf};
use stratus_runtime::credentials::Credentials;
use stratus_runtime::sigv4::{sha256_hex, SessionTokenMode, Signer, SigningParams, SigningSettings};
use stratus_runtime::types::DateTime;

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/sigv4")
}

/// Every case directory (one holding `<name>.req`).
fn cases(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            if path.join(format!("{name}.req")).exists() {
                out.push(path.clone());
            }
            cases(&path, out);
        }
    }
}

struct Req {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Parses a `.req` file: request line, headers (with indented continuation lines), blank line, body.
fn parse_req(text: &str) -> Req {
    let (head, body) = match text.split_once("\n\n") {
        Some((h, b)) => (h, b.as_bytes().to_vec()),
        None => (text, Vec::new()),
    };
    let mut lines = head.lines();
    let request_line = lines.next().unwrap();
    let (method, rest) = request_line.split_once(' ').unwrap();
    let target = rest.strip_suffix(" HTTP/1.1").unwrap();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            let last = headers.last_mut().unwrap();
            last.1.push(' ');
            last.1.push_str(line.trim());
        } else {
            let (name, value) = line.split_once(':').unwrap();
            headers.push((name.to_string(), value.to_string()));
        }
    }
    Req { method: method.into(), path: path.into(), query: query.into(), headers, body }
}

fn read(dir: &Path, ext: &str) -> String {
    let name = dir.file_name().unwrap().to_str().unwrap();
    std::fs::read_to_string(dir.join(format!("{name}.{ext}"))).unwrap()
}

#[test]
fn every_case_of_the_suite_signs_identically() {
    let mut dirs = Vec::new();
    cases(&suite_dir(), &mut dirs);
    dirs.sort();
    assert_eq!(dirs.len(), 34, "the suite has 34 cases");
    let signer = Signer::new();
    let time = DateTime::parse_iso8601("2015-08-30T12:36:00Z").unwrap();
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        let req = parse_req(&read(dir, "req"));
        let creq = read(dir, "creq");
        // The session-token cases read their token from the expected canonical request; the
        // "after" case adds it after signing, so it is not in the canonical request.
        let token = creq.lines().find_map(|l| l.strip_prefix("x-amz-security-token:")).map(str::to_string);
        let creds =
            Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token.clone(), None, "test");
        let mut headers = req.headers.clone();
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("x-amz-date")) {
            headers.push(("X-Amz-Date".into(), "20150830T123600Z".into()));
        }
        let has_token = headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("x-amz-security-token"));
        if let (Some(t), false) = (&token, has_token) {
            headers.push(("X-Amz-Security-Token".into(), t.clone()));
        }
        let settings = SigningSettings { session_token: SessionTokenMode::Signed, ..SigningSettings::default() };
        let params = SigningParams { credentials: &creds, region: "us-east-1", service: "service", time, settings };
        let out = signer.sign_parts(
            &req.method,
            &req.path,
            &req.query,
            &headers,
            &sha256_hex(&req.body),
            "20150830T123600Z",
            &params,
        );
        if out.canonical_request != creq {
            failures
                .push(format!("{name}: canonical request\n--- expected\n{creq}\n--- got\n{}", out.canonical_request));
        } else if out.string_to_sign != read(dir, "sts") {
            failures.push(format!("{name}: string to sign"));
        } else if out.authorization != read(dir, "authz") {
            failures.push(format!("{name}: authorization\n{}\n{}", read(dir, "authz"), out.authorization));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), dirs.len(), failures.join("\n"));
}

fn params_for<'a>(creds: &'a Credentials, iso: &str, settings: SigningSettings) -> SigningParams<'a> {
    let time = DateTime::parse_iso8601(iso).unwrap();
    SigningParams { credentials: creds, region: "us-east-1", service: "service", time, settings }
}

#[test]
fn signing_a_request_adds_the_headers() {
    let signer = Signer::new();
    let creds =
        Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", Some("TOKEN".into()), None, "t");
    let params = params_for(&creds, "2015-08-30T12:36:00Z", SigningSettings::default());
    let (mut parts, _) = http::Request::get("https://example.amazonaws.com/").body(()).unwrap().into_parts();
    let out = signer.sign(&mut parts, &sha256_hex(b""), &params).unwrap();
    assert_eq!(parts.headers["host"], "example.amazonaws.com");
    assert_eq!(parts.headers["x-amz-date"], "20150830T123600Z");
    assert_eq!(parts.headers["x-amz-security-token"], "TOKEN");
    assert_eq!(parts.headers["authorization"], out.authorization.as_str());
    assert!(out.authorization.contains("SignedHeaders=host;x-amz-date;x-amz-security-token"));

    // The token can also be added after signing (post-sts-header-after): present, but not signed.
    let after = SigningSettings { session_token: SessionTokenMode::Unsigned, ..SigningSettings::default() };
    let (mut parts, _) = http::Request::post("https://example.amazonaws.com/").body(()).unwrap().into_parts();
    let out = signer.sign(&mut parts, &sha256_hex(b""), &params_for(&creds, "2015-08-30T12:36:00Z", after)).unwrap();
    assert_eq!(parts.headers["x-amz-security-token"], "TOKEN");
    assert!(out.authorization.contains("SignedHeaders=host;x-amz-date, "), "{}", out.authorization);

    // x-amz-content-sha256 only when asked for.
    let with_hash = SigningSettings { content_sha256_header: true, ..SigningSettings::default() };
    let (mut parts, _) = http::Request::get("https://example.amazonaws.com/").body(()).unwrap().into_parts();
    signer.sign(&mut parts, &sha256_hex(b""), &params_for(&creds, "2015-08-30T12:36:00Z", with_hash)).unwrap();
    assert_eq!(parts.headers["x-amz-content-sha256"], sha256_hex(b"").as_str());

    // A Lambda ARN in the path is signed double-encoded.
    let (mut parts, _) = http::Request::post(
        "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-fn/invocations",
    )
    .body(())
    .unwrap()
    .into_parts();
    let out = signer.sign(&mut parts, &sha256_hex(b"{}"), &params).unwrap();
    assert!(
        out.canonical_request.contains("/functions/arn%253Aaws%253Alambda%253Aus-east-1"),
        "{}",
        out.canonical_request
    );
}

#[test]
fn the_cached_key_follows_date_region_and_secret() {
    let signer = Signer::new();
    let creds = Credentials::new("AKID", "SECRET", None, None, "t");
    let other = Credentials::new("AKID", "OTHER", None, None, "t");
    let sign = |signer: &Signer, creds: &Credentials, iso: &str| {
        let (mut parts, _) = http::Request::get("https://example.amazonaws.com/").body(()).unwrap().into_parts();
        signer
            .sign(&mut parts, &sha256_hex(b""), &params_for(creds, iso, SigningSettings::default()))
            .unwrap()
            .signature
    };
    let a = sign(&signer, &creds, "2015-08-30T12:36:00Z");
    let b = sign(&signer, &creds, "2015-08-31T12:36:00Z");
    let c = sign(&signer, &other, "2015-08-31T12:36:00Z");
    assert_ne!(a, b);
    assert_ne!(b, c);
    assert_eq!(a, sign(&signer, &creds, "2015-08-30T12:36:00Z"));
    // Same as a fresh signer: no stale key was used.
    assert_eq!(b, sign(&Signer::new(), &creds, "2015-08-31T12:36:00Z"));
    assert_eq!(c, sign(&Signer::new(), &other, "2015-08-31T12:36:00Z"));
}
