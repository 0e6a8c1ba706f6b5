//! The credential chain of `stratus-config` end to end against moto: roles assumed through profiles
//! (`source_profile`) and web identity (environment and profile), the credentials then used for
//! Lambda and STS calls. `cargo xtask test` runs it with `STRATUS_MOTO_URL` set; alone it is
//! ignored.

use std::path::PathBuf;
use stratus_runtime::credentials::Credentials;
use stratus_runtime::env::Env;
use stratus_runtime::Config;

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root","Federated":"arn:aws:iam::123456789012:oidc-provider/ci.example"},"Action":["sts:AssumeRole","sts:AssumeRoleWithWebIdentity"]}]}"#;

fn moto_url() -> String {
    std::env::var("STRATUS_MOTO_URL")
        .expect("STRATUS_MOTO_URL is not set: these tests need moto; run them with `cargo xtask test`")
}

/// A role in moto's IAM, made with static test credentials.
async fn create_role(name: &str) -> String {
    let config = Config::builder()
        .endpoint_url(moto_url())
        .region("us-east-1")
        .credentials(Credentials::new("testing", "testing", None, None, "test"))
        .build()
        .unwrap();
    let name = format!("{name}-{}", std::process::id());
    stratus_iam::Client::new(&config)
        .create_role()
        .role_name(&name)
        .assume_role_policy_document(TRUST)
        .send()
        .await
        .unwrap()
        .role
        .arn
}

/// A home directory with these files.
fn home(test: &str, files: &[(&str, String)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stratus-e2e-creds-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn env(home: &std::path::Path, vars: &[(&str, String)]) -> Env {
    let mut all = vec![
        ("HOME".to_string(), home.display().to_string()),
        ("AWS_ENDPOINT_URL".to_string(), moto_url()),
        ("AWS_REGION".to_string(), "us-east-1".to_string()),
    ];
    all.extend(vars.iter().map(|(k, v)| (k.to_string(), v.clone())));
    Env::from_vars(all)
}

/// Loads the config with the full chain, checks who the caller is, and makes a Lambda call.
async fn caller_arn(env: Env) -> (String, Credentials) {
    let config = stratus_config::Loader::new().env(env).load().await.unwrap();
    let credentials = config.credentials_provider().provide().await.unwrap();
    let me = stratus_sts::Client::new(&config).get_caller_identity().send().await.unwrap();
    stratus_lambda::Client::new(&config).list_functions().send().await.unwrap();
    (me.arn.unwrap_or_default(), credentials)
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask test`"]
async fn assume_role_through_a_chain_of_profiles() {
    let ops = create_role("stratus-ops").await;
    let admin = create_role("stratus-admin").await;
    let config = format!(
        "[profile admin]\nrole_arn = {admin}\nsource_profile = ops\nrole_session_name = admin-session\n\
         [profile ops]\nrole_arn = {ops}\nsource_profile = base\nduration_seconds = 900\n\
         [profile base]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
    );
    let dir = home("assume", &[(".aws/config", config)]);
    let (arn, credentials) = caller_arn(env(&dir, &[("AWS_PROFILE", "admin".into())])).await;
    let role_name = admin.rsplit('/').next().unwrap();
    assert!(arn.ends_with(&format!(":assumed-role/{role_name}/admin-session")), "{arn}");
    assert!(credentials.session_token().is_some() && credentials.expiry().is_some());
    assert_eq!(credentials.account_id(), Some("123456789012"));
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask test`"]
async fn assume_role_with_web_identity_from_the_environment_and_a_profile() {
    let role = create_role("stratus-ci").await;
    let dir = home(
        "webid",
        &[("token.jwt", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJjaSJ9.\n".to_string()), (".aws/config", String::new())],
    );
    let token = dir.join("token.jwt").display().to_string();
    let vars = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token.clone()),
        ("AWS_ROLE_ARN", role.clone()),
        ("AWS_ROLE_SESSION_NAME", "build-7".to_string()),
    ];
    let (arn, credentials) = caller_arn(env(&dir, &vars)).await;
    assert!(arn.contains(":assumed-role/") && arn.ends_with("/build-7"), "{arn}");
    assert_eq!(credentials.provider(), "web identity");

    let config = format!(
        "[profile ci]\nrole_arn = {role}\nweb_identity_token_file = {token}\nrole_session_name = from-profile\n"
    );
    let dir2 = home("webid-profile", &[(".aws/config", config)]);
    let (arn, _) = caller_arn(env(&dir2, &[("AWS_PROFILE", "ci".into())])).await;
    assert!(arn.ends_with("/from-profile"), "{arn}");
    let _ = (std::fs::remove_dir_all(dir), std::fs::remove_dir_all(dir2));
}
