//! Endpoint rule sets and partitions load into `stratus-endpoint`'s types — the ones the runtime
//! evaluates — and a file that does not fit them is an error naming the file and the JSON path.

use std::path::{Path, PathBuf};
use stratus_codegen::model::{ModelErrorKind, ServiceModel};

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

/// A fresh temporary directory.
fn temp_dir(name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("stratus-endpoint-rules-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

/// A one-operation model.
fn model_with(name: &str) -> TempDir {
    let dir = temp_dir(name);
    std::fs::write(
        dir.join("service-2.json"),
        r#"{"metadata": {"apiVersion": "2024-01-01", "protocol": "rest-json", "serviceId": "T"},
            "operations": {"Ping": {"name": "Ping", "http": {"method": "GET", "requestUri": "/"}}},
            "shapes": {}}"#,
    )
    .unwrap();
    dir
}

fn load_err(dir: &Path) -> stratus_codegen::model::ModelError {
    match ServiceModel::load(dir) {
        Ok(_) => panic!("{} loaded but should not have", dir.display()),
        Err(e) => e,
    }
}

#[test]
fn endpoint_rule_sets_load_into_the_runtime_types() {
    // The loader parses rule sets into stratus-endpoint's types, the ones the runtime evaluates:
    // a rule set that loads resolves.
    let dir = model_with("rules-good");
    std::fs::write(
        dir.join("endpoint-rule-set-1.json"),
        r#"{"version": "1.0", "parameters": {"Region": {"type": "string", "builtIn": "AWS::Region", "required": true}},
            "rules": [{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://t.{Region}.example"}}]}"#,
    )
    .unwrap();
    let model = ServiceModel::load(&dir).unwrap();
    let rules = model.endpoint_rules.expect("rule set");
    assert_eq!(rules.parameter_for_builtin("AWS::Region"), Some("Region"));
    let params = [("Region".to_string(), stratus_endpoint::Value::from("eu-west-1"))].into_iter().collect();
    let endpoint = rules.resolve(stratus_endpoint::Partitions::builtin(), &params).unwrap();
    assert_eq!(endpoint.url, "https://t.eu-west-1.example");
}

#[test]
fn malformed_endpoint_rule_sets_name_the_file_and_path() {
    let dir = model_with("rules-bad");
    let rules = dir.join("endpoint-rule-set-1.json");
    std::fs::write(&rules, r#"{"parameters": {}, "rules": [{"type": "endpoint", "conditions": []}]}"#).unwrap();
    let err = load_err(&dir);
    assert!(err.file.ends_with("endpoint-rule-set-1.json"), "{err}");
    assert_eq!(err.path, "rules[0]");
    assert!(err.to_string().contains("missing field `endpoint`"), "{err}");

    // A number the runtime cannot evaluate (rule sets use integers only) is refused at codegen time.
    std::fs::write(
        &rules,
        r#"{"rules": [{"type": "error", "conditions": [{"fn": "substring", "argv": ["abc", 0.5, 2, false]}], "error": "x"}]}"#,
    )
    .unwrap();
    // (serde buffers a tagged rule, so the path stops at the rule; the line and column point in.)
    let err = load_err(&dir);
    assert_eq!(err.path, "rules[0]", "{err}");
    assert!(matches!(err.kind, ModelErrorKind::Schema { line: 1, .. }), "{err:?}");
    assert!(err.to_string().contains("untagged enum Expr"), "{err}");
}

#[test]
fn partitions_load_into_the_runtime_types_and_their_outputs_are_checked() {
    let vendored = Path::new(env!("CARGO_MANIFEST_DIR")).join("../model/partitions.json");
    let partitions = stratus_codegen::model::load_partitions(&vendored).unwrap();
    assert_eq!(partitions, stratus_endpoint::Partitions::parse(stratus_endpoint::PARTITIONS_JSON).unwrap());

    let dir = temp_dir("partitions");
    let file = dir.join("partitions.json");
    std::fs::write(
        &file,
        r#"{"partitions": [{"id": "aws", "regionRegex": "^us$", "regions": {},
            "outputs": {"name": "aws", "dualStackDnsSuffix": "api.aws", "supportsFIPS": true, "supportsDualStack": "yes"}}]}"#,
    )
    .unwrap();
    let err = stratus_codegen::model::load_partitions(&file).unwrap_err();
    assert!(err.file.ends_with("partitions.json"));
    assert_eq!(err.path, "partitions[0].outputs.dnsSuffix");
    assert!(err.to_string().contains("partition `aws` needs `dnsSuffix`, a string"), "{err}");
}
