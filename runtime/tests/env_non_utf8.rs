//! A variable that is not Unicode in the process environment must not panic
//! `Config::from_env()` (a test binary of its own: it changes the process environment).

#[cfg(unix)]
#[tokio::test]
async fn a_non_utf8_environment_variable_is_skipped() {
    use std::os::unix::ffi::OsStrExt;
    let bad = std::ffi::OsStr::from_bytes(b"http://127.0.0.1:1/\xff\xfe");
    std::env::set_var("AWS_ENDPOINT_URL_SOMETHING", bad);
    std::env::set_var(std::ffi::OsStr::from_bytes(b"AWS_ENDPOINT_URL_\xff"), "http://127.0.0.1:2");
    std::env::set_var("AWS_REGION", "us-east-1");
    std::env::set_var("HOME", "/nonexistent");
    let config = stratus_runtime::Config::from_env().await.unwrap();
    assert_eq!(config.region(), Some("us-east-1"));
    assert_eq!(config.endpoint_url_for("Something"), None);
}
