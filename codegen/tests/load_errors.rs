//! Broken model inputs give a typed error naming the file and the JSON path, never a panic.

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
    let dir = std::env::temp_dir().join(format!("stratus-load-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

fn model_with(name: &str, service: &str) -> TempDir {
    let dir = temp_dir(name);
    std::fs::write(dir.join("service-2.json"), service).unwrap();
    dir
}

const GOOD: &str = r#"{
  "metadata": {"apiVersion": "2024-01-01", "protocol": "rest-json", "serviceId": "T"},
  "operations": {
    "GetThing": {"name": "GetThing", "http": {"method": "GET", "requestUri": "/things/{Name}"},
                 "input": {"shape": "GetThingRequest"}}
  },
  "shapes": {
    "GetThingRequest": {"type": "structure", "required": ["Name"],
                        "members": {"Name": {"shape": "Str", "location": "uri", "locationName": "Name"}}},
    "Nested": {"type": "structure", "members": {"Value": {"shape": "Str"}}},
    "Str": {"type": "string"}
  }
}"#;

fn load_err(dir: &Path) -> stratus_codegen::model::ModelError {
    match ServiceModel::load(dir) {
        Ok(_) => panic!("{} loaded but should not have", dir.display()),
        Err(e) => e,
    }
}

#[test]
fn the_good_model_loads() {
    let dir = model_with("good", GOOD);
    let model = ServiceModel::load(&dir).unwrap();
    assert_eq!(model.service.operations.len(), 1);
}

#[test]
fn truncated_json_reports_line_and_column() {
    let truncated = &GOOD[..GOOD.len() / 2];
    let dir = model_with("truncated", truncated);
    let err = load_err(&dir);
    assert!(matches!(err.kind, ModelErrorKind::Syntax { line, .. } if line > 1), "{err:?}");
    assert!(err.file.ends_with("service-2.json"));
    let msg = err.to_string();
    assert!(msg.contains("service-2.json:") && msg.contains("invalid JSON"), "{msg}");
}

#[test]
fn dangling_shape_reference_names_the_path() {
    let dir = model_with("dangling", &GOOD.replace(r#""Value": {"shape": "Str"}"#, r#""Value": {"shape": "Missing"}"#));
    let err = load_err(&dir);
    assert_eq!(err.path, "shapes.Nested.members.Value.shape");
    assert!(matches!(&err.kind, ModelErrorKind::DanglingReference { target, .. } if target == "Missing"));
    assert!(err.to_string().contains("`Missing`, which does not exist"), "{err}");
}

#[test]
fn uri_location_on_a_nested_shape_is_refused() {
    let dir = model_with(
        "nested-uri",
        &GOOD.replace(r#""Value": {"shape": "Str"}"#, r#""Value": {"shape": "Str", "location": "uri"}"#),
    );
    let err = load_err(&dir);
    assert_eq!(err.path, "shapes.Nested.members.Value.location");
    assert!(matches!(err.kind, ModelErrorKind::BadLocation(_)));
    assert!(err.to_string().contains("nested shape"), "{err}");
}

#[test]
fn uri_label_without_member_is_refused() {
    let dir = model_with("unbound-label", &GOOD.replace("/things/{Name}", "/things/{Name}/{Other}"));
    let err = load_err(&dir);
    assert_eq!(err.path, "operations.GetThing.http.requestUri");
    assert!(err.to_string().contains("{Other}"), "{err}");
}

#[test]
fn unknown_protocol_is_named() {
    let dir = model_with("protocol", &GOOD.replace("rest-json", "carrier-pigeon"));
    let err = load_err(&dir);
    assert_eq!(err.kind, ModelErrorKind::UnknownProtocol("carrier-pigeon".into()));
    assert_eq!(err.path, "metadata.protocol");
    assert!(err.to_string().contains("unknown protocol `carrier-pigeon`"), "{err}");
}

#[test]
fn wrong_types_report_the_json_path() {
    let dir = model_with("wrong-type", &GOOD.replace(r#""type": "string""#, r#""type": "strnig""#));
    let err = load_err(&dir);
    assert_eq!(err.path, "shapes.Str.type");
    assert!(matches!(err.kind, ModelErrorKind::Schema { .. }), "{err:?}");
}

#[test]
fn missing_required_member_name_is_refused() {
    let dir = model_with("required", &GOOD.replace(r#""required": ["Name"]"#, r#""required": ["Nope"]"#));
    let err = load_err(&dir);
    assert_eq!(err.path, "shapes.GetThingRequest.required");
}

#[test]
fn a_missing_directory_is_an_io_error() {
    let err = load_err(Path::new("/nonexistent/stratus/model"));
    assert!(matches!(err.kind, ModelErrorKind::Io(_)));
    assert!(err.to_string().contains("cannot read"));
}

#[test]
fn waiter_on_unknown_operation_is_refused() {
    let dir = model_with("waiter", GOOD);
    std::fs::write(
        dir.join("waiters-2.json"),
        r#"{"version": 2, "waiters": {"Ready": {"delay": 1, "maxAttempts": 2, "operation": "Nope", "acceptors": []}}}"#,
    )
    .unwrap();
    let err = load_err(&dir);
    assert!(err.file.ends_with("waiters-2.json"));
    assert_eq!(err.path, "waiters.Ready.operation");
}

#[test]
fn garbage_never_panics() {
    // Every prefix of a valid model, and a few mutations, must give Ok or Err, never a panic.
    for cut in (0..GOOD.len()).step_by(7) {
        let dir = model_with("prefix", &GOOD[..cut]);
        let _ = ServiceModel::load(&dir);
    }
    for bad in [
        "null",
        "[]",
        "{}",
        r#"{"metadata": 5}"#,
        "\u{0}",
        r#"{"metadata": {"protocol": "rest-json"}, "shapes": {"A": {"type": "list"}}}"#,
    ] {
        let dir = model_with("garbage", bad);
        assert!(ServiceModel::load(&dir).is_err(), "{bad} should not load");
    }
}

#[test]
fn unsupported_waiter_expressions_name_the_waiter() {
    let dir = model_with(
        "waiter-expr",
        &GOOD.replace(
            r#""input": {"shape": "GetThingRequest"}}"#,
            r#""input": {"shape": "GetThingRequest"}, "output": {"shape": "Nested"}}"#,
        ),
    );
    std::fs::write(
        dir.join("waiters-2.json"),
        r#"{"version": 2, "waiters": {"Sorted": {"delay": 1, "maxAttempts": 2, "operation": "GetThing",
            "acceptors": [{"matcher": "path", "argument": "sort_by(Items, &Name)", "expected": true, "state": "success"}]}}}"#,
    )
    .unwrap();
    let model = ServiceModel::load(&dir).unwrap();
    let err = stratus_codegen::ir::build(&model).unwrap_err();
    assert!(err.message.contains("waiter `Sorted`"), "{err}");
    assert_eq!(err.path, "waiters.Sorted.acceptors[0].argument");
}

#[test]
fn waiter_paths_that_do_not_fit_the_output_are_ir_errors_naming_file_and_path() {
    let dir = model_with(
        "waiter-type",
        &GOOD.replace(
            r#""input": {"shape": "GetThingRequest"}}"#,
            r#""input": {"shape": "GetThingRequest"}, "output": {"shape": "Nested"}}"#,
        ),
    );
    std::fs::write(
        dir.join("waiters-2.json"),
        r#"{"version": 2, "waiters": {"Ready": {"delay": 1, "maxAttempts": 2, "operation": "GetThing",
            "acceptors": [{"matcher": "status", "expected": 200, "state": "retry"},
                          {"matcher": "path", "argument": "NoSuchMember.State", "expected": "ok", "state": "success"}]}}}"#,
    )
    .unwrap();
    let model = ServiceModel::load(&dir).unwrap();
    let err = stratus_codegen::ir::build(&model).unwrap_err();
    assert!(err.file.ends_with("waiters-2.json"), "{err}");
    assert_eq!(err.path, "waiters.Ready.acceptors[1].argument");
    assert!(err.message.contains("waiter `Ready`") && err.message.contains("no member `NoSuchMember`"), "{err}");

    // A status acceptor expecting something that is not a status code.
    std::fs::write(
        dir.join("waiters-2.json"),
        r#"{"version": 2, "waiters": {"Ready": {"delay": 1, "maxAttempts": 2, "operation": "GetThing",
            "acceptors": [{"matcher": "status", "expected": 70000, "state": "retry"}]}}}"#,
    )
    .unwrap();
    let model = ServiceModel::load(&dir).unwrap();
    let err = stratus_codegen::ir::build(&model).unwrap_err();
    assert_eq!(err.path, "waiters.Ready.acceptors[0].expected");
}

#[test]
fn a_collection_containing_itself_is_an_error_not_a_stack_overflow() {
    // `L` is a list of `L`, and `M` a map whose values are lists of `M`: no Rust type can hold
    // them, and every recursive walk of the model would loop. Both used to overflow the stack.
    let model = GOOD.replace(
        r#""Str": {"type": "string"}"#,
        r#""Str": {"type": "string"},
    "L": {"type": "list", "member": {"shape": "L"}},
    "M": {"type": "map", "key": {"shape": "Str"}, "value": {"shape": "ML"}},
    "ML": {"type": "list", "member": {"shape": "M"}}"#,
    );
    let dir = model_with("self-list", &model);
    let err = load_err(&dir);
    assert_eq!(err.path, "shapes.L");
    assert!(err.to_string().contains("L -> L") && err.to_string().contains("contains itself"), "{err}");
    let dir = model_with("self-map", &model.replace(r#""member": {"shape": "L"}"#, r#""member": {"shape": "Str"}"#));
    let err = load_err(&dir);
    assert_eq!(err.path, "shapes.M");
    assert!(err.to_string().contains("M -> ML -> M"), "{err}");
}
