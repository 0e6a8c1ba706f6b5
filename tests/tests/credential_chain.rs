//! The full credential chain of `stratus-config`: the profile-chain suite written for the AWS SDKs
//! (`tests/data/aws-config/assume-role-tests.json`), and each kind of provider against in-process
//! fakes of STS, SSO and SSO-OIDC (the recorded scenarios run in `cargo xtask
//! credential-scenarios`; moto runs in `e2e_credentials`).

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use stratus_config::{resolve_chain, BaseProvider, Loader, MfaTokenProvider, ProfileChain};
use stratus_runtime::credentials::{Credentials, ProvideCredentials};
use stratus_runtime::env::{Env, Fs};
use stratus_runtime::http::{Body, BoxFuture, CaptureClient, HttpRequest, HttpResponse};
use stratus_runtime::profile::ProfileSet;

fn chain_json(chain: &ProfileChain) -> Value {
    let mut out = vec![];
    let opt = |m: &mut serde_json::Map<String, Value>, k: &str, v: &Option<String>| {
        if let Some(v) = v {
            m.insert(k.into(), json!(v));
        }
    };
    out.push(match &chain.base {
        BaseProvider::AccessKey(c) => {
            let mut m = serde_json::Map::new();
            m.insert("access_key_id".into(), json!(c.access_key_id()));
            m.insert("secret_access_key".into(), json!(c.secret_access_key()));
            opt(&mut m, "session_token", &c.session_token().map(str::to_string));
            opt(&mut m, "account_id", &c.account_id().map(str::to_string));
            json!({ "AccessKey": m })
        }
        BaseProvider::NamedSource(s) => json!({ "NamedSource": s.as_str() }),
        BaseProvider::WebIdentityToken(w) => {
            let mut m = serde_json::Map::new();
            m.insert("role_arn".into(), json!(w.role_arn));
            m.insert("web_identity_token_file".into(), json!(w.token_file));
            opt(&mut m, "role_session_name", &w.session_name);
            json!({ "WebIdentityToken": m })
        }
        BaseProvider::Sso(s) => {
            let mut m = serde_json::Map::new();
            opt(&mut m, "sso_session", &s.session_name);
            m.insert("sso_region".into(), json!(s.region));
            m.insert("sso_start_url".into(), json!(s.start_url));
            opt(&mut m, "sso_account_id", &s.account_id);
            opt(&mut m, "sso_role_name", &s.role_name);
            json!({ "Sso": m })
        }
        BaseProvider::CredentialProcess { profile } => json!({ "CredentialProcess": profile }),
    });
    for r in &chain.roles {
        let mut m = serde_json::Map::new();
        m.insert("role_arn".into(), json!(r.role_arn));
        opt(&mut m, "role_session_name", &r.session_name);
        opt(&mut m, "external_id", &r.external_id);
        out.push(json!({ "AssumeRole": m }));
    }
    Value::Array(out)
}

/// The config file text for a suite case's `profiles` and `sso_sessions` maps.
fn config_text(case: &Value) -> String {
    let mut text = String::new();
    for (section, prefix) in [("profiles", "profile"), ("sso_sessions", "sso-session")] {
        for (name, props) in case["input"][section].as_object().into_iter().flatten() {
            text.push_str(&format!("[{prefix} {name}]\n"));
            for (k, v) in props.as_object().into_iter().flatten() {
                text.push_str(&format!("{k} = {}\n", v.as_str().unwrap_or_default()));
            }
        }
    }
    text
}

#[test]
fn assume_role_suite() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/aws-config/assume-role-tests.json");
    let cases: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(cases.len(), 28);
    let mut failures = vec![];
    for case in &cases {
        let docs = case["docs"].as_str().unwrap_or_default();
        let selected = case["input"]["selected_profile"].as_str().unwrap();
        let text = config_text(case);
        let set = ProfileSet::from_texts(Some(("config", &text)), None, selected).unwrap();
        let got = resolve_chain(&set);
        match (&case["output"].get("ProfileChain"), &case["output"].get("Error"), got) {
            (Some(want), _, Ok(chain)) => {
                if chain_json(&chain) != **want {
                    failures.push(format!("{docs}: got {}, want {want}", chain_json(&chain)));
                }
            }
            (_, Some(want), Err(e)) => {
                if !e.message.contains(want.as_str().unwrap()) {
                    failures.push(format!("{docs}: error `{e}` lacks `{want}`"));
                }
            }
            (_, _, Ok(chain)) => failures.push(format!("{docs}: expected an error, got {}", chain_json(&chain))),
            (_, _, Err(e)) => failures.push(format!("{docs}: unexpected error {e}")),
        }
    }
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// A scratch directory standing in for `/`, with the given files.
fn virtual_fs(test: &str, files: &[(&str, &str)]) -> PathBuf {
    let root = std::env::temp_dir().join(format!("stratus-credchain-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for (path, text) in files {
        let p = root.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    root
}

const NOW: u64 = 1_900_000_000;

fn env(root: &Path, vars: &[(&str, &str)]) -> Env {
    let mut all: Vec<(String, String)> =
        vec![("HOME".into(), "/home".into()), ("AWS_REGION".into(), "eu-west-1".into())];
    all.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Env::from_vars(all).with_fs(Fs::rooted(root)).at_time(SystemTime::UNIX_EPOCH + Duration::from_secs(NOW))
}

fn response(status: u16, body: String) -> HttpResponse {
    let mut r = http::Response::new(Body::from_bytes(body.into_bytes()));
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
    r
}

fn body_text(req: &HttpRequest) -> String {
    String::from_utf8_lossy(req.body()).into_owned()
}

fn form_value(req: &HttpRequest, key: &str) -> Option<String> {
    body_text(req).split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| v.replace("%3A", ":").replace("%2F", "/"))
    })
}

/// Fake STS: `AssumeRole` and `AssumeRoleWithWebIdentity` hand out keys named after the role, the
/// web identity token `bad` is refused.
fn fake_sts(req: &HttpRequest) -> HttpResponse {
    let action = form_value(req, "Action").unwrap_or_default();
    let role = form_value(req, "RoleArn").unwrap_or_default();
    if form_value(req, "WebIdentityToken").as_deref() == Some("bad-token") {
        return response(
            400,
            "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Couldn't retrieve \
             verification key from your identity provider</Message></Error><RequestId>r1</RequestId></ErrorResponse>"
                .into(),
        );
    }
    let name = role.rsplit('/').next().unwrap_or_default();
    response(
        200,
        format!(
            "<{action}Response><{action}Result><Credentials><AccessKeyId>ASIA-{name}</AccessKeyId><SecretAccessKey>secret-{name}</SecretAccessKey><SessionToken>token-{name}</SessionToken><Expiration>2031-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA:s</AssumedRoleId><Arn>arn:aws:sts::111122223333:assumed-role/{name}/s</Arn></AssumedRoleUser></{action}Result></{action}Response>"
        ),
    )
}

fn signing_key(req: &HttpRequest) -> Option<String> {
    let auth = req.headers().get("authorization")?.to_str().ok()?;
    Some(auth.split("Credential=").nth(1)?.split('/').next()?.to_string())
}

async fn provide(
    env: Env,
    http: Arc<CaptureClient>,
    mfa: Option<Arc<dyn MfaTokenProvider>>,
) -> Result<Credentials, String> {
    let mut loader = Loader::new().env(env).http_client(http);
    if let Some(m) = mfa {
        loader = loader.mfa_token_provider(m);
    }
    let chain = loader.credentials_chain().await.map_err(|e| e.to_string())?;
    chain.provide().await.map_err(|e| e.to_string())
}

#[derive(Debug)]
struct FixedMfa;

impl MfaTokenProvider for FixedMfa {
    fn token(&self, serial: &str, profile: &str) -> BoxFuture<'_, Result<String, String>> {
        let answer = if serial.ends_with("mfa/alice") && profile == "admin" {
            Ok("123456".into())
        } else {
            Err("unknown device".into())
        };
        Box::pin(async move { answer })
    }
}

const CHAINED: &str = "[profile admin]\nrole_arn = arn:aws:iam::111122223333:role/Admin\nsource_profile = ops\nmfa_serial = arn:aws:iam::111122223333:mfa/alice\nexternal_id = ext-1\nduration_seconds = 1800\n\
[profile ops]\nrole_arn = arn:aws:iam::111122223333:role/Ops\nsource_profile = base\n\
[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n";

#[tokio::test]
async fn a_chain_of_roles_signs_each_hop_with_the_credentials_before_it() {
    let root = virtual_fs("chain", &[("/home/.aws/config", CHAINED)]);
    let http = Arc::new(CaptureClient::new(|r| Ok(fake_sts(r))));
    let c = provide(env(&root, &[("AWS_PROFILE", "admin")]), http.clone(), Some(Arc::new(FixedMfa))).await.unwrap();
    assert_eq!((c.access_key_id(), c.session_token()), ("ASIA-Admin", Some("token-Admin")));
    assert_eq!(c.account_id(), Some("111122223333"));
    let reqs = http.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].uri().host(), Some("sts.eu-west-1.amazonaws.com"));
    assert_eq!(form_value(&reqs[0], "RoleArn").as_deref(), Some("arn:aws:iam::111122223333:role/Ops"));
    assert_eq!(signing_key(&reqs[0]).as_deref(), Some("AKIDBASE"));
    assert_eq!(form_value(&reqs[1], "RoleArn").as_deref(), Some("arn:aws:iam::111122223333:role/Admin"));
    assert_eq!(signing_key(&reqs[1]).as_deref(), Some("ASIA-Ops"));
    assert_eq!(form_value(&reqs[1], "TokenCode").as_deref(), Some("123456"));
    assert_eq!(form_value(&reqs[1], "SerialNumber").as_deref(), Some("arn:aws:iam::111122223333:mfa/alice"));
    assert_eq!(form_value(&reqs[1], "ExternalId").as_deref(), Some("ext-1"));
    assert_eq!(form_value(&reqs[1], "DurationSeconds").as_deref(), Some("1800"));

    // Without an MFA callback the profile cannot be used, and the error says why.
    let e = provide(env(&root, &[("AWS_PROFILE", "admin")]), http, None).await.unwrap_err();
    assert!(e.contains("profile `admin`") && e.contains("mfa_serial") && e.contains("mfa_token_provider"), "{e}");
}

#[tokio::test]
async fn broken_chains_name_the_profiles_at_fault() {
    let config = "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/B\nsource_profile = a\n\
[profile lost]\nrole_arn = arn:aws:iam::1:role/L\nsource_profile = nowhere\n";
    let root = virtual_fs("broken", &[("/home/.aws/config", config)]);
    let http = Arc::new(CaptureClient::always(500, ""));
    let e = provide(env(&root, &[("AWS_PROFILE", "a")]), http.clone(), None).await.unwrap_err();
    assert!(e.contains("infinite loop: a -> b -> a"), "{e}");
    let e = provide(env(&root, &[("AWS_PROFILE", "lost")]), http.clone(), None).await.unwrap_err();
    assert!(e.contains("could not find source profile nowhere referenced from lost") && e.contains("config:"), "{e}");
    assert_eq!(http.count(), 0, "nothing is sent for a broken chain");
}

#[tokio::test]
async fn web_identity_from_the_environment_is_unsigned_and_a_refused_token_is_explained() {
    let root = virtual_fs("webid", &[("/var/run/token", "good-token\n"), ("/var/run/bad", "bad-token")]);
    let http = Arc::new(CaptureClient::new(|r| Ok(fake_sts(r))));
    let vars = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token"),
        ("AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/Ci"),
        ("AWS_ROLE_SESSION_NAME", "build-42"),
    ];
    let c = provide(env(&root, &vars), http.clone(), None).await.unwrap();
    assert_eq!((c.access_key_id(), c.provider()), ("ASIA-Ci", "web identity"));
    let req = &http.requests()[0];
    assert!(req.headers().get("authorization").is_none(), "AssumeRoleWithWebIdentity is sent unsigned");
    assert_eq!(form_value(req, "WebIdentityToken").as_deref(), Some("good-token"));
    assert_eq!(form_value(req, "RoleSessionName").as_deref(), Some("build-42"));

    // In a profile, a refused token names the profile and says what to check.
    let config = "[profile ci]\nrole_arn = arn:aws:iam::111122223333:role/Ci\nweb_identity_token_file = /var/run/bad\n";
    let root = virtual_fs("webid-bad", &[("/var/run/bad", "bad-token"), ("/home/.aws/config", config)]);
    let e = provide(env(&root, &[("AWS_PROFILE", "ci")]), http, None).await.unwrap_err();
    assert!(e.contains("profile `ci`") && e.contains("InvalidIdentityToken") && e.contains("trusts its issuer"), "{e}");

    // A token file that is missing is a clear error, not a fall-through to another identity.
    let root = virtual_fs("webid-missing", &[]);
    let http = Arc::new(CaptureClient::new(|r| Ok(fake_sts(r))));
    let e = provide(env(&root, &vars), http.clone(), None).await.unwrap_err();
    assert!(e.contains("/var/run/token") && e.contains("cannot read the token file"), "{e}");
    assert_eq!(http.count(), 0);
}

const SSO_CONFIG: &str = "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Developer\nregion = us-west-2\n\
[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-2\n\
[profile legacy]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-2\nsso_account_id = 111122223333\nsso_role_name = ReadOnly\n";

fn iso(secs: u64) -> String {
    stratus_runtime::types::DateTime::from_secs(secs as i64).to_iso8601()
}

/// Fake SSO portal and OIDC: `CreateToken` with refresh token `r1` gives `fresh-token`;
/// `GetRoleCredentials` answers only to a token it knows.
fn fake_sso(req: &HttpRequest) -> HttpResponse {
    if req.uri().path() == "/token" {
        let body: Value = serde_json::from_slice(req.body()).unwrap_or_default();
        if body["grantType"] == "refresh_token" && body["refreshToken"] == "r1" && body["clientSecret"] == "cs" {
            return response(
                200,
                json!({"accessToken": "fresh-token", "expiresIn": 28800, "refreshToken": "r2", "tokenType": "Bearer"})
                    .to_string(),
            );
        }
        return response(400, json!({"error": "invalid_grant", "error_description": "bad refresh token"}).to_string());
    }
    if req.uri().path() == "/federation/credentials" {
        let token = req.headers().get("x-amz-sso_bearer_token").and_then(|v| v.to_str().ok()).unwrap_or_default();
        if token == "fresh-token" || token == "still-good" {
            let role = req
                .uri()
                .query()
                .unwrap_or_default()
                .split('&')
                .find_map(|kv| kv.strip_prefix("role_name="))
                .unwrap_or_default()
                .to_string();
            return response(200, json!({"roleCredentials": {"accessKeyId": format!("ASIA-{role}"), "secretAccessKey": "s", "sessionToken": "t", "expiration": 1_950_000_000_000u64}}).to_string());
        }
        return response(401, json!({"message": "Session token not found or invalid"}).to_string());
    }
    response(404, String::new())
}

#[tokio::test]
async fn an_sso_session_token_about_to_expire_is_refreshed_and_written_back() {
    let key = sha1_hex("corp");
    let path = format!("/home/.aws/sso/cache/{key}.json");
    let token = json!({
        "startUrl": "https://corp.awsapps.com/start", "region": "us-east-2",
        "accessToken": "old-token", "expiresAt": iso(NOW + 60),
        "refreshToken": "r1", "clientId": "cid", "clientSecret": "cs", "registrationExpiresAt": iso(NOW + 86400),
    });
    let root = virtual_fs("sso-refresh", &[("/home/.aws/config", SSO_CONFIG), (&path, &token.to_string())]);
    let http = Arc::new(CaptureClient::new(|r| Ok(fake_sso(r))));
    let c = provide(env(&root, &[("AWS_PROFILE", "dev")]), http.clone(), None).await.unwrap();
    assert_eq!((c.access_key_id(), c.account_id()), ("ASIA-Developer", Some("111122223333")));
    assert_eq!(c.expiry(), Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_950_000_000)));
    let reqs = http.requests();
    assert_eq!(reqs.len(), 2, "CreateToken, then GetRoleCredentials");
    assert_eq!(reqs[0].uri().host(), Some("oidc.us-east-2.amazonaws.com"));
    assert_eq!(reqs[1].uri().host(), Some("portal.sso.us-east-2.amazonaws.com"));
    assert!(reqs.iter().all(|r| r.headers().get("authorization").is_none()), "both calls are unsigned");
    // The refreshed token is written back where `aws sso login` keeps it, other fields kept.
    let saved: Value =
        serde_json::from_slice(&std::fs::read(root.join(path.trim_start_matches('/'))).unwrap()).unwrap();
    assert_eq!((saved["accessToken"].as_str(), saved["refreshToken"].as_str()), (Some("fresh-token"), Some("r2")));
    assert_eq!(saved["clientId"], "cid");
    assert_eq!(saved["expiresAt"].as_str(), Some(iso(NOW + 28800).as_str()));
}

#[tokio::test]
async fn an_expired_sso_token_that_cannot_be_refreshed_says_to_log_in_again() {
    let session = format!("/home/.aws/sso/cache/{}.json", sha1_hex("corp"));
    let legacy = format!("/home/.aws/sso/cache/{}.json", sha1_hex("https://corp.awsapps.com/start"));
    let expired = json!({"accessToken": "old", "expiresAt": iso(NOW - 60)}).to_string();
    let root =
        virtual_fs("sso-expired", &[("/home/.aws/config", SSO_CONFIG), (&session, &expired), (&legacy, &expired)]);
    let http = Arc::new(CaptureClient::new(|r| Ok(fake_sso(r))));
    for profile in ["dev", "legacy"] {
        let e = provide(env(&root, &[("AWS_PROFILE", profile)]), http.clone(), None).await.unwrap_err();
        assert!(e.contains("expired") && e.contains(&format!("aws sso login --profile {profile}")), "{e}");
    }
    assert_eq!(http.count(), 0);

    // A valid legacy token is used as it is.
    let good = json!({"accessToken": "still-good", "expiresAt": iso(NOW + 3600)}).to_string();
    let root = virtual_fs("sso-legacy", &[("/home/.aws/config", SSO_CONFIG), (&legacy, &good)]);
    let c = provide(env(&root, &[("AWS_PROFILE", "legacy")]), http.clone(), None).await.unwrap();
    assert_eq!(c.access_key_id(), "ASIA-ReadOnly");
    // No token at all: the file it looked for, and what to run.
    let root = virtual_fs("sso-none", &[("/home/.aws/config", SSO_CONFIG)]);
    let e = provide(env(&root, &[("AWS_PROFILE", "dev")]), http, None).await.unwrap_err();
    assert!(e.contains("/home/.aws/sso/cache/") && e.contains("aws sso login --profile dev"), "{e}");
}

#[tokio::test]
async fn credential_source_ecs_container_assumes_the_role_with_the_task_credentials() {
    let config = "[default]\nrole_arn = arn:aws:iam::111122223333:role/FromTask\ncredential_source = EcsContainer\n";
    let root = virtual_fs("ecs-source", &[("/home/.aws/config", config)]);
    let http = Arc::new(CaptureClient::new(|r: &HttpRequest| {
        Ok(if r.uri().host() == Some("169.254.170.2") {
            response(200, json!({"AccessKeyId": "TASKKEY", "SecretAccessKey": "s", "Token": "t", "Expiration": "2031-01-01T00:00:00Z"}).to_string())
        } else {
            fake_sts(r)
        })
    }));
    let c = provide(env(&root, &[("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds")]), http.clone(), None)
        .await
        .unwrap();
    assert_eq!(c.access_key_id(), "ASIA-FromTask");
    assert_eq!(signing_key(&http.requests()[1]).as_deref(), Some("TASKKEY"));
}

fn sha1_hex(text: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, text.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn the_region_comes_from_the_environment_the_profile_or_else_instance_metadata() {
    let imds = |r: &HttpRequest| -> Result<HttpResponse, stratus_runtime::http::HttpError> {
        Ok(match (r.method().as_str(), r.uri().path()) {
            ("PUT", "/latest/api/token") => response(200, "imds-token".into()),
            ("GET", "/latest/meta-data/placement/region")
                if r.headers().get("x-aws-ec2-metadata-token").is_some_and(|t| t == "imds-token") =>
            {
                response(200, "eu-central-1".into())
            }
            _ => response(404, String::new()),
        })
    };
    let root = virtual_fs("region", &[("/home/.aws/config", "[profile p]\nregion = ap-south-1\n")]);
    let vars = |v: &[(&str, &str)]| {
        let mut all: Vec<(String, String)> = vec![("HOME".into(), "/home".into())];
        all.extend(v.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Env::from_vars(all).with_fs(Fs::rooted(&root))
    };
    let load = |env: Env| {
        let http = Arc::new(CaptureClient::new(imds));
        async move { (Loader::new().env(env).http_client(http.clone()).load().await.unwrap(), http) }
    };
    let (c, http) = load(vars(&[])).await;
    assert_eq!((c.region(), http.count()), (Some("eu-central-1"), 2));
    let (c, http) = load(vars(&[("AWS_DEFAULT_REGION", "us-west-1")])).await;
    assert_eq!((c.region(), http.count()), (Some("us-west-1"), 0));
    let (c, _) = load(vars(&[("AWS_DEFAULT_REGION", "us-west-1"), ("AWS_REGION", "us-east-2")])).await;
    assert_eq!(c.region(), Some("us-east-2"));
    let (c, _) = load(vars(&[("AWS_PROFILE", "p")])).await;
    assert_eq!(c.region(), Some("ap-south-1"));
    let (c, http) = load(vars(&[("AWS_EC2_METADATA_DISABLED", "true")])).await;
    assert_eq!((c.region(), http.count()), (None, 0));
}

#[cfg(unix)]
#[tokio::test]
async fn credential_process_as_the_base_of_a_role() {
    let process = r#"printf '{"Version":1,"AccessKeyId":"PROCKEY","SecretAccessKey":"s","SessionToken":"t"}'"#;
    let config = format!(
        "[profile proc]\ncredential_process = {process}\n[profile role]\nrole_arn = arn:aws:iam::111122223333:role/FromProcess\nsource_profile = proc\n"
    );
    let root = virtual_fs("process", &[("/home/.aws/config", config.as_str())]);
    let http = Arc::new(CaptureClient::new(|r| Ok(fake_sts(r))));
    let c = provide(env(&root, &[("AWS_PROFILE", "proc")]), http.clone(), None).await.unwrap();
    assert_eq!((c.access_key_id(), http.count()), ("PROCKEY", 0));
    let c = provide(env(&root, &[("AWS_PROFILE", "role")]), http.clone(), None).await.unwrap();
    assert_eq!(c.access_key_id(), "ASIA-FromProcess");
    assert_eq!(signing_key(&http.requests()[0]).as_deref(), Some("PROCKEY"));
}

#[cfg(unix)]
#[tokio::test]
async fn a_written_token_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let root = virtual_fs("fs-write", &[]);
    let fs = Fs::rooted(&root);
    fs.write(Path::new("/home/.aws/sso/cache/x.json"), b"{\"accessToken\":\"secret\"}").await.unwrap();
    let real = root.join("home/.aws/sso/cache/x.json");
    assert_eq!(std::fs::read(&real).unwrap(), b"{\"accessToken\":\"secret\"}");
    assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o600);
}

#[tokio::test]
async fn sts_regional_endpoints_legacy_uses_the_global_endpoint() {
    for (legacy, host) in [(false, "sts.us-east-1.amazonaws.com"), (true, "sts.amazonaws.com")] {
        let http = Arc::new(CaptureClient::new(|r| Ok(fake_sts(r))));
        let config = stratus_runtime::Config::builder()
            .region("us-east-1")
            .credentials(Credentials::new("AKID", "S", None, None, "test"))
            .http_client(http.clone())
            .sts_global_endpoint(legacy)
            .build()
            .unwrap();
        let _ = stratus_sts::Client::new(&config).get_caller_identity().send().await;
        assert_eq!(http.requests()[0].uri().host(), Some(host));
    }
}

/// The fake SSO portal and OIDC service on a loopback HTTP server, reached through the real
/// transport with `AWS_ENDPOINT_URL_SSO` and `AWS_ENDPOINT_URL_SSO_OIDC`.
async fn sso_server() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    use http_body_util::BodyExt as _;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let counter = counter.clone();
            let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let (parts, body) = req.into_parts();
                    let bytes = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                    let resp = fake_sso(&http::Request::from_parts(parts, bytes));
                    let (parts, body) = resp.into_parts();
                    let bytes = body.collect_limited(1 << 20).await.unwrap_or_default();
                    Ok::<_, std::convert::Infallible>(hyper::Response::from_parts(
                        parts,
                        http_body_util::Full::new(bytes),
                    ))
                }
            });
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(socket), service)
                    .await;
            });
        }
    });
    (url, hits)
}

#[tokio::test]
async fn sso_login_refresh_and_role_credentials_over_http() {
    let (url, hits) = sso_server().await;
    let path = format!("/home/.aws/sso/cache/{}.json", sha1_hex("corp"));
    let token = json!({
        "accessToken": "old-token", "expiresAt": iso(NOW - 10),
        "refreshToken": "r1", "clientId": "cid", "clientSecret": "cs", "registrationExpiresAt": iso(NOW + 86400),
    });
    let root = virtual_fs("sso-http", &[("/home/.aws/config", SSO_CONFIG), (&path, &token.to_string())]);
    let vars =
        [("AWS_PROFILE", "dev"), ("AWS_ENDPOINT_URL_SSO", url.as_str()), ("AWS_ENDPOINT_URL_SSO_OIDC", url.as_str())];
    let config = Loader::new().env(env(&root, &vars)).load().await.unwrap();
    let c = config.credentials_provider().provide().await.unwrap();
    assert_eq!((c.access_key_id(), c.provider()), ("ASIA-Developer", "SSO"));
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 2);
    let saved: Value =
        serde_json::from_slice(&std::fs::read(root.join(path.trim_start_matches('/'))).unwrap()).unwrap();
    assert_eq!(saved["accessToken"], "fresh-token");
    // Cached: a second call asks nothing.
    config.credentials_provider().provide().await.unwrap();
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[test]
fn a_credential_process_comes_before_static_keys_and_half_a_key_pair_does_not_end_a_chain() {
    let text = "[profile both]\naws_access_key_id = A\naws_secret_access_key = S\ncredential_process = /bin/creds\n\
[profile role]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = half\n\
[profile half]\naws_access_key_id = ONLY-ID\nrole_arn = arn:aws:iam::1:role/H\nsource_profile = base\n\
[profile base]\naws_access_key_id = B\naws_secret_access_key = S\n";
    let set = |selected: &str| ProfileSet::from_texts(Some(("config", text)), None, selected).unwrap();
    let chain = resolve_chain(&set("both")).unwrap();
    assert_eq!(chain.base, BaseProvider::CredentialProcess { profile: "both".into() });
    let chain = resolve_chain(&set("role")).unwrap();
    assert_eq!(chain_json(&chain)[0]["AccessKey"]["access_key_id"], "B");
    assert_eq!(chain.roles.len(), 2);
}

#[tokio::test]
async fn files_that_are_not_regular_files_are_refused() {
    let root = virtual_fs("not-regular", &[("/home/.aws/sso/cache/dir/x", "")]);
    let fs = Fs::rooted(&root);
    let e = fs.read(Path::new("/home/.aws/sso/cache/dir")).await.unwrap_err();
    assert!(e.to_string().contains("not a regular file"), "{e}");
}

/// Credentials given through `Loader::customize` are used instead of the chain, as aws-config's
/// loader uses a provider it was given: a profile with other keys is not read for them.
#[tokio::test]
async fn customized_credentials_replace_the_chain() {
    let root = virtual_fs(
        "customized",
        &[("/home/.aws/credentials", "[default]\naws_access_key_id = FROM-FILE\naws_secret_access_key = s\n")],
    );
    let config = Loader::new()
        .env(env(&root, &[]))
        .customize(|b| b.credentials(Credentials::new("GIVEN", "secret", None, None, "static")))
        .load()
        .await
        .unwrap();
    let c = config.credentials_provider().provide().await.unwrap();
    assert_eq!(c.access_key_id(), "GIVEN");
    // Without them, the chain reads the profile.
    let config = Loader::new().env(env(&root, &[])).load().await.unwrap();
    assert_eq!(config.credentials_provider().provide().await.unwrap().access_key_id(), "FROM-FILE");
}
