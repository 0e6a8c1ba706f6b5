//! Canary secrets: every public type that can hold a secret, and every error path that touches
//! one, is built with known canary values and formatted with `Debug` and `Display`; no canary may
//! appear in the text. Covered: credentials, a config built from an environment, signed requests,
//! raw responses and service errors whose bodies echo sensitive members, response-parsing errors,
//! sensitive model members, profile files (parsed, and malformed), credential_process failures,
//! credentials JSON, and signing failures.

use bytes::Bytes;
use std::sync::Arc;
use stratus_lambda::types::{Environment, FunctionCode};
use stratus_lambda::Client;
use stratus_runtime::credentials::{Credentials, ProfileProvider, ProvideCredentials};
use stratus_runtime::env::Env;
use stratus_runtime::http::{Body, CaptureClient};
use stratus_runtime::profile::ProfileSet;
use stratus_runtime::sigv4::{sha256_hex, Signer, SigningParams, SigningSettings};
use stratus_runtime::types::DateTime;
use stratus_runtime::Config;

const SECRET: &str = "CanarySecretKey0wJalrXUtnFEMIK7MDENG";
const TOKEN: &str = "CanarySessionTokenIQoJb3JpZ2luX2VjEJr";
const SENSITIVE: &str = "CanarySensitiveMemberValue";

/// Fails if any canary is in `text`.
#[track_caller]
fn clean(what: &str, text: &str) {
    for canary in [SECRET, TOKEN, SENSITIVE, "Canary"] {
        assert!(!text.contains(canary), "{what} shows `{canary}`:\n{text}");
    }
}

/// Checks both `Debug` and `Display`.
#[track_caller]
fn clean_both(what: &str, v: &(impl std::fmt::Debug + std::fmt::Display)) {
    clean(what, &format!("{v}"));
    clean(what, &format!("{v:?}"));
    clean(what, &format!("{v:#?}"));
}

fn canary_credentials() -> Credentials {
    Credentials::new("AKIDEXAMPLE", SECRET, Some(TOKEN.into()), None, "test")
}

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("stratus-secrets-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn credentials_and_config_from_an_environment() {
    clean("Credentials", &format!("{:?}", canary_credentials()));
    let env = Env::from_vars([
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_SESSION_TOKEN", TOKEN),
        ("AWS_REGION", "us-east-1"),
        ("HOME", "/nonexistent"),
    ]);
    clean("Env", &format!("{env:?}"));
    let config = Config::from_env_with(env).await.unwrap();
    clean("Config", &format!("{config:?} {config:#?}"));
    let resolved = config.credentials_provider().provide().await.unwrap();
    assert_eq!(resolved.secret_access_key(), SECRET, "the canary really is in there");
    clean("resolved credentials", &format!("{resolved:?}"));
    let client = Client::new(&config);
    clean("Client", &format!("{client:?}"));
}

#[test]
fn signed_requests() {
    let mut parts = http::Request::get("https://lambda.us-east-1.amazonaws.com/2015-03-31/functions")
        .body(())
        .unwrap()
        .into_parts()
        .0;
    let creds = canary_credentials();
    let params = SigningParams {
        credentials: &creds,
        region: "us-east-1",
        service: "lambda",
        time: DateTime::from_secs(1_700_000_000),
        settings: SigningSettings::default(),
    };
    let out = Signer::new().sign(&mut parts, &sha256_hex(b""), &params).unwrap();
    assert_eq!(parts.headers["x-amz-security-token"], TOKEN, "the token is on the request");
    clean("signed request parts", &format!("{parts:?}"));
    clean("signed request", &format!("{:?}", http::Request::from_parts(parts, ())));
    clean("signing output", &format!("{out:?}"));
}

#[tokio::test]
async fn requests_seen_by_a_transport() {
    let fake = Arc::new(CaptureClient::always(200, "{}"));
    let config = Config::builder()
        .region("us-east-1")
        .credentials(canary_credentials())
        .http_client(fake.clone())
        .build()
        .unwrap();
    Client::new(&config).list_functions().send().await.unwrap();
    clean("captured request", &format!("{:?}", fake.requests()));
}

fn answering(status: u16, body: &'static str) -> Client {
    let fake = Arc::new(CaptureClient::new(move |_| {
        let mut r = http::Response::new(Body::from_bytes(Bytes::from_static(body.as_bytes())));
        *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
        r.headers_mut().insert("set-cookie", http::HeaderValue::from_static("session=CanaryCookie"));
        Ok(r)
    }));
    let config =
        Config::builder().region("us-east-1").credentials(canary_credentials()).http_client(fake).build().unwrap();
    Client::new(&config)
}

#[tokio::test]
async fn service_errors_whose_body_echoes_sensitive_members() {
    // The body of an error response may echo what was sent, sensitive members included.
    let body = concat!(
        r#"{"__type":"InvalidParameterValueException","Variables":{"DB_PASSWORD":""#,
        "CanarySensitiveMemberValue",
        r#""}}"#
    );
    let err = answering(400, body).update_function_configuration().function_name("f").send().await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameterValueException"));
    clean_both("service error", &err);
    clean("raw response", &format!("{:?}", err.raw_response()));
}

#[tokio::test]
async fn response_parsing_errors_do_not_quote_values() {
    // A value of the wrong type: serde would quote it ("invalid type: string \"…\"").
    let body = concat!(r#"{"Functions":[{"FunctionName":"f","MemorySize":""#, "CanarySensitiveMemberValue", r#""}]}"#);
    let err = answering(200, body).list_functions().send().await.unwrap_err();
    assert!(err.to_string().contains("invalid type"), "{err}");
    clean_both("response error", &err);
}

#[test]
fn sensitive_model_members() {
    let env = Environment::builder()
        .variables(
            std::iter::once(("DB_PASSWORD".to_string(), SENSITIVE.to_string()))
                .collect::<stratus_runtime::types::IndexMap<_, _>>(),
        )
        .build();
    clean("Environment", &format!("{env:?}"));
    let code = FunctionCode::builder().zip_file(SENSITIVE.as_bytes().to_vec()).build();
    clean("FunctionCode", &format!("{code:?}"));
}

#[tokio::test]
async fn profile_files() {
    let config = format!(
        "[default]\nregion = us-east-1\naws_secret_access_key = {SECRET}\naws_session_token = {TOKEN}\n\
         credential_process = /bin/get-creds --password {SENSITIVE}\n"
    );
    let set = ProfileSet::from_texts(Some(("config", &config)), None, "default").unwrap();
    assert_eq!(set.selected_profile().unwrap().get("aws_secret_access_key"), Some(SECRET));
    clean("ProfileSet", &format!("{set:?}"));
    // Malformed lines holding a secret: a missing `=`, a broken header, a property before a section.
    for text in [
        format!("[default]\naws_secret_access_key {SECRET}\n"),
        format!("[default\naws_secret_access_key = {SECRET}]\n"),
        format!("aws_secret_access_key{SECRET} = x\n[default]\n"),
        format!("[{SECRET} {TOKEN}] x\nx = y\n"),
    ] {
        let e = ProfileSet::from_texts(None, Some(("credentials", &text)), "default").unwrap_err();
        clean_both("profile file error", &e);
    }
    // A section with an invalid name is ignored, not an error (the cross-SDK rule).
    let set = ProfileSet::from_texts(None, Some(("credentials", &format!("[{SECRET} {TOKEN}]\nx = y\n"))), "default")
        .unwrap();
    clean("ProfileSet", &format!("{set:?}"));
}

#[tokio::test]
async fn credential_process_failures() {
    let dir = temp("process");
    let cases = [
        format!("sh -c 'echo {SECRET} >&2; exit 1' --token {TOKEN}"),
        format!("printf '{{\"Version\":\"{SECRET}\"}}'"),
        format!("printf '{{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":{{\"x\":\"{SECRET}\"}}}}'"),
        format!("/nonexistent/{TOKEN}"),
    ];
    for command in cases {
        std::fs::write(dir.join("config"), format!("[default]\ncredential_process = {command}\n")).unwrap();
        let cfg = dir.join("config").display().to_string();
        let env = Env::from_vars([("AWS_CONFIG_FILE", cfg.as_str()), ("HOME", "/nonexistent")]);
        let e = ProfileProvider::new(env).provide().await.unwrap_err();
        clean_both("credential_process error", &e);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn credentials_json() {
    for json in [
        format!(r#"{{"Version":"{SECRET}"}}"#),
        format!(r#"{{"AccessKeyId":"A","SecretAccessKey":"{SECRET}","Expiration":"{TOKEN}"}}"#),
        format!(r#"{{"AccessKeyId":"A","SecretAccessKey":"{SECRET}","Code":"Failed","Message":"x"}}"#),
        format!(r#"{{"AccessKeyId":["{SECRET}"]}}"#),
    ] {
        let e = stratus_runtime::__fuzz::credentials_json(json.as_bytes()).unwrap_err();
        clean_both("credentials JSON error", &e);
    }
}

#[tokio::test]
async fn signing_failures() {
    let fake = Arc::new(CaptureClient::always(200, "{}"));
    let bad = Credentials::new("AKID", SECRET, Some(format!("{TOKEN}\r\nx-injected: 1")), None, "test");
    let config = Config::builder().region("us-east-1").credentials(bad).http_client(fake).build().unwrap();
    let e = Client::new(&config).list_functions().send().await.unwrap_err();
    clean_both("signing error", &e);
}
