//! Credential providers against temp files, isolated environments and fake IMDS/container servers
//! on 127.0.0.1.

mod common;

use common::{ok, serve, status, Reply};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use stratus_runtime::credentials::*;
use stratus_runtime::env::Env;
use stratus_runtime::http::{BoxFuture, HttpClient, HttpSettings, HyperClient};

fn http() -> Arc<dyn HttpClient> {
    Arc::new(HyperClient::new(HttpSettings::default()).unwrap())
}

/// A temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

fn temp(name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("stratus-creds-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

/// An environment with the profile files in `dir` and IMDS pointed at a closed port.
fn env_with(dir: &std::path::Path, extra: &[(&str, &str)]) -> Env {
    let mut vars: Vec<(String, String)> = vec![
        ("AWS_CONFIG_FILE".into(), dir.join("config").display().to_string()),
        ("AWS_SHARED_CREDENTIALS_FILE".into(), dir.join("credentials").display().to_string()),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT".into(), "http://127.0.0.1:9".into()),
    ];
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Env::from_vars(vars)
}

const IMDS_CREDS: &str = r#"{"Code":"Success","AccessKeyId":"IMDS_AKID","SecretAccessKey":"IMDS_SECRET","Token":"IMDS_TOKEN","Expiration":"2099-01-01T00:00:00Z"}"#;

async fn fake_imds() -> common::Server {
    serve(|_, req| match (req.method.as_str(), req.path.as_str()) {
        ("PUT", "/latest/api/token") if req.header("x-aws-ec2-metadata-token-ttl-seconds").is_some() => ok("TOKEN123"),
        (_, _) if req.header("x-aws-ec2-metadata-token") != Some("TOKEN123") => status(401, ""),
        ("GET", "/latest/meta-data/iam/security-credentials/") => ok("my-role\n"),
        ("GET", "/latest/meta-data/iam/security-credentials/my-role") => ok(IMDS_CREDS),
        _ => status(404, ""),
    })
    .await
}

#[tokio::test]
async fn precedence_environment_profile_container_imds() {
    let dir = temp("precedence");
    std::fs::write(
        dir.join("credentials"),
        "[default]\naws_access_key_id = PROFILE_AKID\naws_secret_access_key = PROFILE_SECRET\n",
    )
    .unwrap();
    let container = serve(|_, _| {
        ok(r#"{"AccessKeyId":"CONTAINER_AKID","SecretAccessKey":"S","Token":"T","Expiration":"2099-01-01T00:00:00Z"}"#)
    })
    .await;
    let imds = fake_imds().await;
    let full_uri = format!("{}/creds", container.url);

    let all = env_with(
        &dir,
        &[
            ("AWS_ACCESS_KEY_ID", "ENV_AKID"),
            ("AWS_SECRET_ACCESS_KEY", "ENV_SECRET"),
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &full_uri),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds.url),
        ],
    );
    let got = DefaultChain::new(all, http()).provide().await.unwrap();
    assert_eq!((got.access_key_id(), got.provider()), ("ENV_AKID", "environment"));

    let no_env = env_with(
        &dir,
        &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &full_uri), ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds.url)],
    );
    assert_eq!(DefaultChain::new(no_env, http()).provide().await.unwrap().access_key_id(), "PROFILE_AKID");

    let empty = temp("precedence-empty");
    let container_only = env_with(
        &empty,
        &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &full_uri), ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds.url)],
    );
    assert_eq!(DefaultChain::new(container_only, http()).provide().await.unwrap().access_key_id(), "CONTAINER_AKID");

    let imds_only = env_with(&empty, &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds.url)]);
    let got = DefaultChain::new(imds_only, http()).provide().await.unwrap();
    assert_eq!((got.access_key_id(), got.session_token()), ("IMDS_AKID", Some("IMDS_TOKEN")));
    assert!(got.expiry().is_some());
    // IMDSv2: a token, then the role, then its credentials, each with the token.
    let seen = imds.seen();
    assert_eq!(seen[0].method, "PUT");
    assert!(seen[1..].iter().all(|r| r.header("x-aws-ec2-metadata-token") == Some("TOKEN123")));

    let disabled =
        env_with(&empty, &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds.url), ("AWS_EC2_METADATA_DISABLED", "true")]);
    let hits = imds.hits();
    let err = DefaultChain::new(disabled, http()).provide().await.unwrap_err();
    assert_eq!(err.kind, CredentialsErrorKind::NotLoaded);
    assert!(err.message.contains("AWS_EC2_METADATA_DISABLED"), "{err}");
    assert_eq!(imds.hits(), hits, "no request when IMDS is disabled");
}

#[tokio::test]
async fn container_sends_the_authorization_token_from_a_file() {
    let server = serve(|_, req| {
        if req.header("authorization") == Some("Bearer secret-token") {
            ok(r#"{"AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"2099-01-01T00:00:00Z"}"#)
        } else {
            status(401, "no")
        }
    })
    .await;
    let dir = temp("container");
    std::fs::write(dir.join("token"), "Bearer secret-token\n").unwrap();
    let uri = format!("{}/v2/credentials", server.url);
    let token_file = dir.join("token").display().to_string();
    let env = env_with(
        &dir,
        &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri), ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", &token_file)],
    );
    let c = ContainerProvider::new(env, http()).provide().await.unwrap();
    assert_eq!(c.access_key_id(), "A");

    let env =
        env_with(&dir, &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri), ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong")]);
    let e = ContainerProvider::new(env, http()).provide().await.unwrap_err();
    assert!(e.message.contains("answered HTTP 401"), "{e}");

    let env = env_with(&dir, &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://203.0.113.9/creds")]);
    let e = ContainerProvider::new(env, http()).provide().await.unwrap_err();
    assert_eq!(e.kind, CredentialsErrorKind::InvalidConfiguration, "{e}");
}

#[tokio::test]
async fn credential_process_json_and_errors() {
    let dir = temp("process");
    std::fs::write(
        dir.join("config"),
        "[profile good]\ncredential_process = printf '{\"Version\":1,\"AccessKeyId\":\"P_AKID\",\"SecretAccessKey\":\"P_SECRET\",\"SessionToken\":\"P_TOKEN\",\"Expiration\":\"2099-01-01T00:00:00Z\"}'\n\
         [profile garbage]\ncredential_process = echo not-json\n\
         [profile failing]\ncredential_process = sh -c 'echo boom >&2; exit 3'\n",
    )
    .unwrap();
    let provider = |profile: &str| ProfileProvider::new(env_with(&dir, &[("AWS_PROFILE", profile)]));
    let c = provider("good").provide().await.unwrap();
    assert_eq!((c.access_key_id(), c.session_token()), ("P_AKID", Some("P_TOKEN")));
    assert!(c.expiry().unwrap() > SystemTime::now());

    let e = provider("garbage").provide().await.unwrap_err();
    assert!(
        e.message.contains("config:4 (profile `garbage`)") && e.message.contains("not valid credentials JSON"),
        "{e}"
    );
    let e = provider("failing").provide().await.unwrap_err();
    // The message names the profile line and the exit status, not the command line (it may carry a
    // secret) nor what the process wrote to stderr (that goes to our stderr, as with the AWS CLI).
    assert!(e.message.contains("profile `failing`") && e.message.contains("exit status: 3"), "{e}");
    assert!(!e.message.contains("boom") && !e.message.contains("exit 3"), "{e}");
}

#[tokio::test]
async fn malformed_files_name_file_and_line() {
    let dir = temp("malformed");
    std::fs::write(dir.join("credentials"), "[default]\naws_access_key_id = A\nthis line is wrong\n").unwrap();
    let e = ProfileProvider::new(env_with(&dir, &[])).provide().await.unwrap_err();
    assert_eq!(e.kind, CredentialsErrorKind::InvalidConfiguration);
    assert!(e.message.contains("credentials:3"), "{e}");
    // The chain stops there rather than silently using another source.
    let e = DefaultChain::new(env_with(&dir, &[]), http()).provide().await.unwrap_err();
    assert!(e.message.contains("credentials:3"), "{e}");

    std::fs::write(dir.join("credentials"), "[default]\naws_access_key_id = A\n").unwrap();
    let e = ProfileProvider::new(env_with(&dir, &[])).provide().await.unwrap_err();
    assert!(e.message.contains("profile missing aws_secret_access_key") && e.message.contains("credentials:2"), "{e}");

    let e = ProfileProvider::new(env_with(&dir, &[("AWS_PROFILE", "nope")])).provide().await.unwrap_err();
    assert!(e.message.contains("`nope`"), "{e}");
}

/// Counts refreshes; each takes a while and returns credentials valid for `valid_for`.
#[derive(Debug)]
struct Slow {
    calls: AtomicUsize,
    valid_for: Duration,
}

impl ProvideCredentials for Slow {
    fn provide(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok(Credentials::new(format!("AKID{n}"), "S", None, Some(SystemTime::now() + self.valid_for), "slow"))
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_refresh_for_100_concurrent_callers() {
    let inner = Arc::new(Slow { calls: AtomicUsize::new(0), valid_for: Duration::from_secs(3600) });
    let cache = Arc::new(CachingProvider::new(inner.clone()));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let c = cache.clone();
            tokio::spawn(async move { c.provide().await.unwrap().access_key_id().to_string() })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), "AKID0");
    }
    assert_eq!(inner.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn credentials_are_refreshed_before_expiry() {
    // Valid for 2 minutes, refreshed 5 minutes before expiry: every call must refresh.
    let inner = Arc::new(Slow { calls: AtomicUsize::new(0), valid_for: Duration::from_secs(120) });
    let cache = CachingProvider::new(inner.clone());
    assert_eq!(cache.provide().await.unwrap().access_key_id(), "AKID0");
    assert_eq!(cache.provide().await.unwrap().access_key_id(), "AKID1");
    // With a 1-minute margin they are fresh, and cached.
    let inner = Arc::new(Slow { calls: AtomicUsize::new(0), valid_for: Duration::from_secs(120) });
    let cache = CachingProvider::with_refresh_before(inner.clone(), Duration::from_secs(60));
    cache.provide().await.unwrap();
    cache.provide().await.unwrap();
    assert_eq!(inner.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn imds_errors_are_reported() {
    let dir = temp("imds-broken");
    let bad_json = serve(|n, _| match n {
        0 => ok("TOKEN"),
        1 => ok("role"),
        _ => Reply::Normal(200, vec![], "{not json".into()),
    })
    .await;
    let env = env_with(&dir, &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &bad_json.url)]);
    let e = ImdsProvider::new(env, http()).provide().await.unwrap_err();
    assert_eq!(e.kind, CredentialsErrorKind::ProviderError, "{e}");
    assert!(e.message.contains("not valid credentials JSON"), "{e}");

    let bad_role = serve(|n, _| if n == 0 { ok("TOKEN") } else { ok("{garbage role}") }).await;
    let env = env_with(&dir, &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &bad_role.url)]);
    let e = ImdsProvider::new(env, http()).provide().await.unwrap_err();
    assert!(e.message.contains("invalid role name"), "{e}");

    let failing = serve(|n, _| if n == 0 { ok("TOKEN") } else { status(500, "oops") }).await;
    let env = env_with(&dir, &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &failing.url)]);
    let e = ImdsProvider::new(env, http()).provide().await.unwrap_err();
    assert!(e.message.contains("answered HTTP 500"), "{e}");
    assert_eq!(failing.hits(), 4, "the token, then three attempts at the role");
}
