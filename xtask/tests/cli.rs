//! The `cargo xtask codegen` command line: broken models fail with a clear message, and `--check`
//! notices a stale file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).output().expect("xtask runs")
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

fn temp_dir(name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("stratus-xtask-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn lambda_service() -> String {
    std::fs::read_to_string(root().join("model/lambda/2015-03-31/service-2.json")).unwrap()
}

/// Runs codegen on a model whose service-2.json is `service`; returns (success, stderr).
fn codegen_on(name: &str, service: &str) -> (bool, String) {
    let dir = temp_dir(name);
    std::fs::write(dir.join("service-2.json"), service).unwrap();
    let out = xtask(&["codegen", "--model", dir.to_str().unwrap(), "--out", dir.join("out").to_str().unwrap()]);
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn broken_models_fail_with_the_file_and_place() {
    let service = lambda_service();
    let cases = [
        ("truncated", service[..service.len() / 3].to_string(), "invalid JSON"),
        (
            "dangling",
            service.replacen("\"shape\":\"FunctionName\"", "\"shape\":\"NoSuchShape\"", 1),
            "`NoSuchShape`, which does not exist",
        ),
        (
            "location",
            // `Runtime` of CreateFunction's input bound to a URI label its request URI does not have.
            service.replacen(
                "\"Runtime\":{\n          \"shape\":\"Runtime\",",
                "\"Runtime\":{\n          \"shape\":\"Runtime\",\"location\":\"uri\",",
                1,
            ),
            "bad member location",
        ),
        (
            "protocol",
            service.replacen("\"protocol\":\"rest-json\"", "\"protocol\":\"rest-yaml\"", 1),
            "unknown protocol",
        ),
    ];
    for (name, text, expected) in cases {
        assert_ne!(text, service, "{name}: the mutation must change the model");
        let (ok, stderr) = codegen_on(name, &text);
        assert!(!ok, "{name}: codegen should fail");
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert!(stderr.contains("service-2.json"), "{name}: the error names the file: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
}

#[test]
fn check_names_the_file_made_stale_by_a_doc_edit() {
    let dir = temp_dir("check");
    let model = dir.join("model");
    std::fs::create_dir_all(&model).unwrap();
    let service = lambda_service();
    std::fs::write(model.join("service-2.json"), &service).unwrap();
    let out_dir = dir.join("out");
    let (m, o) = (model.to_str().unwrap(), out_dir.to_str().unwrap());

    assert!(xtask(&["codegen", "--model", m, "--out", o]).status.success());
    assert!(xtask(&["codegen", "--check", "--model", m, "--out", o]).status.success());

    let edited = service.replacen("<p>The name of the function.</p>", "<p>The name of the function (edited).</p>", 1);
    assert_ne!(edited, service);
    std::fs::write(model.join("service-2.json"), edited).unwrap();
    let check = xtask(&["codegen", "--check", "--model", m, "--out", o]);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(!check.status.success(), "check must fail on a stale file");
    assert!(stderr.contains("stale:") && stderr.contains(".rs"), "{stderr}");
}

#[test]
fn conformance_reports_a_failing_case() {
    let dir = temp_dir("conformance");
    // One input case whose expected URI is deliberately wrong, and one that is right.
    let suite = r#"[{"description": "t", "metadata": {"protocol": "rest-json", "apiVersion": "2020-01-01"},
      "shapes": {"In": {"type": "structure", "members": {"Name": {"shape": "S", "location": "uri", "locationName": "Name"}}, "required": ["Name"]},
                 "S": {"type": "string"}},
      "cases": [
        {"id": "Wrong", "given": {"name": "Op", "http": {"method": "GET", "requestUri": "/things/{Name}"}, "input": {"shape": "In"}},
         "params": {"Name": "a b"}, "serialized": {"method": "GET", "uri": "/things/a+b", "body": ""}},
        {"id": "Right", "given": {"name": "Op", "http": {"method": "GET", "requestUri": "/things/{Name}"}, "input": {"shape": "In"}},
         "params": {"Name": "a b"}, "serialized": {"method": "GET", "uri": "/things/a%20b", "body": ""}}
      ]}]"#;
    let file = dir.join("suite.json");
    std::fs::write(&file, suite).unwrap();
    let out = xtask(&["conformance", file.to_str().unwrap(), "--out", dir.join("runner").to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(stdout.contains("FAIL input:Wrong: uri `/things/a%20b` != `/things/a+b`"), "{stdout}");
    assert!(stdout.trim_end().ends_with("1 passed, 1 failed"), "{stdout}");

    // Listed as a known failure (with its reason), the wrong case no longer fails the run...
    let known = dir.join("known.json");
    std::fs::write(&known, r#"{"cases": {"input:Wrong": "the suite expects + for a space"}}"#).unwrap();
    let runner = dir.join("runner").to_str().unwrap().to_string();
    let out =
        xtask(&["conformance", file.to_str().unwrap(), "--known-failures", known.to_str().unwrap(), "--out", &runner]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("KNOWN input:Wrong: the suite expects + for a space"), "{stdout}");
    assert!(stdout.trim_end().ends_with("1 passed, 0 failed"), "{stdout}");
    // ...and a listed case that passes fails it until it is taken off the list.
    std::fs::write(&known, r#"{"cases": {"input:Right": "stale"}}"#).unwrap();
    let out =
        xtask(&["conformance", file.to_str().unwrap(), "--known-failures", known.to_str().unwrap(), "--out", &runner]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(stdout.contains("FIXED input:Right"), "{stdout}");
}
