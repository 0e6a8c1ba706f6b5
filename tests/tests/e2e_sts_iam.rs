//! STS and IAM end to end against moto, through the generated `stratus-sts` and `stratus-iam`
//! clients (query protocol). `cargo xtask test` runs it with `STRATUS_MOTO_URL` set; alone it is
//! ignored.

use std::time::Duration;
use stratus_iam::error::GetRoleError;
use stratus_runtime::credentials::Credentials;
use stratus_runtime::Config;

const ACCOUNT: &str = "123456789012";
const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;

fn config_with(credentials: Credentials) -> Config {
    let url = std::env::var("STRATUS_MOTO_URL")
        .expect("STRATUS_MOTO_URL is not set: these tests need moto; run them with `cargo xtask test`");
    Config::builder().endpoint_url(url).region("us-east-1").credentials(credentials).build().unwrap()
}

fn config() -> Config {
    config_with(Credentials::new("testing", "testing", None, None, "test"))
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask test`"]
async fn roles_policies_and_paginated_listings() {
    let iam = stratus_iam::Client::new(&config());
    let prefix = format!("/stratus-e2e-{}/", std::process::id());
    for i in 0..5 {
        iam.create_role()
            .role_name(format!("stratus-role-{}-{i}", std::process::id()))
            .path(&prefix)
            .assume_role_policy_document(TRUST)
            .description("made by the stratus e2e suite")
            .send()
            .await
            .unwrap();
    }
    let first = format!("stratus-role-{}-0", std::process::id());
    let waited = iam.wait_until_role_exists().role_name(&first).wait(Duration::from_secs(30)).await.unwrap();
    let role = waited.result.unwrap().role;
    assert_eq!(role.role_name, first);
    assert_eq!(role.path, prefix);
    assert!(role.arn.starts_with(&format!("arn:aws:iam::{ACCOUNT}:role")), "{}", role.arn);

    // Pages of two through the Marker token.
    let mut pages = iam.list_roles().path_prefix(&prefix).max_items(2).into_paginator().pages();
    let (mut count, mut page_count) = (0, 0);
    while let Some(page) = pages.next_page().await {
        let page = page.unwrap();
        page_count += 1;
        assert!(page.roles.len() <= 2);
        count += page.roles.len();
    }
    assert_eq!((count, page_count), (5, 3));

    let policy = iam
        .create_policy()
        .policy_name(format!("stratus-policy-{}", std::process::id()))
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#,
        )
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    let policy_arn = policy.arn.unwrap();
    iam.attach_role_policy().role_name(&first).policy_arn(&policy_arn).send().await.unwrap();
    let attached = iam.list_attached_role_policies().role_name(&first).send().await.unwrap();
    let attached = attached.attached_policies.unwrap_or_default();
    assert_eq!(attached.len(), 1);
    assert_eq!(attached[0].policy_arn.as_deref(), Some(policy_arn.as_str()));
    iam.put_role_policy()
        .role_name(&first)
        .policy_name("inline")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let inline = iam.list_role_policies().role_name(&first).send().await.unwrap();
    assert_eq!(inline.policy_names, vec!["inline".to_string()]);

    iam.delete_role_policy().role_name(&first).policy_name("inline").send().await.unwrap();
    iam.detach_role_policy().role_name(&first).policy_arn(&policy_arn).send().await.unwrap();
    iam.delete_policy().policy_arn(&policy_arn).send().await.unwrap();
    for i in 0..5 {
        iam.delete_role().role_name(format!("stratus-role-{}-{i}", std::process::id())).send().await.unwrap();
    }
    // A role that is gone: the modeled error (query code `NoSuchEntity`).
    let err = iam.get_role().role_name(&first).send().await.unwrap_err();
    assert!(matches!(err.service_error(), Some(GetRoleError::NoSuchEntityException(_))), "{err}");
    assert_eq!(err.code(), Some("NoSuchEntity"));
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask test`"]
async fn caller_identity_session_tokens_and_assumed_roles() {
    let sts = stratus_sts::Client::new(&config());
    let me = sts.get_caller_identity().send().await.unwrap();
    assert_eq!(me.account.as_deref(), Some(ACCOUNT));
    assert!(me.arn.is_some() && me.user_id.is_some());

    let session = sts.get_session_token().duration_seconds(900).send().await.unwrap();
    let creds = session.credentials.unwrap();
    assert!(!creds.access_key_id.is_empty() && !creds.secret_access_key.is_empty() && !creds.session_token.is_empty());

    let iam = stratus_iam::Client::new(&config());
    let role = format!("stratus-assumed-{}", std::process::id());
    let arn = iam.create_role().role_name(&role).assume_role_policy_document(TRUST).send().await.unwrap().role.arn;
    let assumed = sts
        .assume_role()
        .role_arn(&arn)
        .role_session_name("stratus-e2e")
        .duration_seconds(900)
        .external_id("ext-1")
        .send()
        .await
        .unwrap();
    let user = assumed.assumed_role_user.unwrap();
    assert!(user.arn.contains(&format!("assumed-role/{role}/stratus-e2e")), "{}", user.arn);
    let c = assumed.credentials.unwrap();
    assert!(c.expiration.secs() > stratus_runtime::types::DateTime::now().secs());

    // The assumed credentials sign a call of another service.
    let temporary = Credentials::new(c.access_key_id, c.secret_access_key, Some(c.session_token), None, "assumed");
    let lambda = stratus_lambda::Client::new(&config_with(temporary.clone()));
    lambda.list_functions().send().await.unwrap();
    let as_role = stratus_sts::Client::new(&config_with(temporary)).get_caller_identity().send().await.unwrap();
    assert!(as_role.arn.unwrap_or_default().contains(&role));
    iam.delete_role().role_name(&role).send().await.unwrap();
}
