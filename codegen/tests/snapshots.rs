//! Snapshots of generated output: one small fixture model per generator feature, the API of the
//! real Lambda model, and what changes in that API between the mid-2020 model and the current one.
//!
//! Review changes with `cargo insta review` (or set `INSTA_UPDATE=always` and read the diff).

use std::path::{Path, PathBuf};
use stratus_codegen::emit::{generate, Options};
use stratus_codegen::ir;
use stratus_codegen::listing::api_listing;
use stratus_codegen::model::ServiceModel;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn options(name: &str) -> Options {
    Options {
        crate_name: format!("fixture-{name}"),
        version: "0.0.0".into(),
        model_source: format!("codegen/tests/fixtures/{name}"),
        runtime_path: "../../../runtime".into(),
        runtime_version: "0.1.0".into(),
        publish: false,
        root: "crate".into(),
    }
}

fn ir_of(dir: &Path) -> ir::Ir {
    let model = ServiceModel::load(dir).unwrap_or_else(|e| panic!("{e}"));
    ir::build(&model).unwrap_or_else(|e| panic!("{e}"))
}

/// The API listing and every generated Rust source file of a fixture, in one text.
fn fixture_output(name: &str) -> String {
    let ir = ir_of(&root().join("codegen/tests/fixtures").join(name));
    let mut out = format!("==== API\n{}", api_listing(&ir));
    for file in generate(&ir, &options(name)).unwrap() {
        if file.path.starts_with("src") || file.path.starts_with("docs") {
            out.push_str(&format!("==== {}\n{}", file.path.display(), file.contents));
        }
    }
    out
}

#[test]
fn fixture_clashes() {
    insta::assert_snapshot!(fixture_output("clashes"));
}

#[test]
fn fixture_enums() {
    insta::assert_snapshot!(fixture_output("enums"));
}

#[test]
fn fixture_sensitive() {
    insta::assert_snapshot!(fixture_output("sensitive"));
}

#[test]
fn fixture_collections() {
    insta::assert_snapshot!(fixture_output("collections"));
}

#[test]
fn fixture_docs() {
    insta::assert_snapshot!(fixture_output("docs"));
}

#[test]
fn fixture_paginators() {
    insta::assert_snapshot!(fixture_output("paginators"));
}

#[test]
fn fixture_eventstreams() {
    insta::assert_snapshot!(fixture_output("eventstreams"));
}

#[test]
fn fixture_shared() {
    insta::assert_snapshot!(fixture_output("shared"));
}

#[test]
fn fixture_waiters() {
    insta::assert_snapshot!(fixture_output("waiters"));
}

/// The Lambda reference index page: operations, paginators, waiters.
#[test]
fn lambda_reference_index() {
    let ir = ir_of(&root().join("model/lambda/2015-03-31"));
    let files = generate(&ir, &options("lambda")).unwrap();
    let index = files.iter().find(|f| f.path == Path::new("docs/index.md")).unwrap();
    insta::assert_snapshot!(index.contents);
}

#[test]
fn lambda_api() {
    let ir = ir_of(&root().join("model/lambda/2015-03-31"));
    insta::assert_snapshot!(api_listing(&ir));
}

/// The change a user of the mid-2020 API sees when upgrading to the current model.
#[test]
fn lambda_2020_to_current_api_diff() {
    let old = api_listing(&ir_of(&root().join("model/lambda-2020/2015-03-31")));
    let new = api_listing(&ir_of(&root().join("model/lambda/2015-03-31")));
    let diff = similar::TextDiff::from_lines(&old, &new);
    let text = diff.unified_diff().context_radius(1).header("lambda-2020", "lambda").to_string();
    insta::assert_snapshot!(text);
}

/// The upgrade a user of the mid-2020 API sees, classified for semver.
#[test]
fn lambda_2020_to_current_api_diff_report() {
    let old = ir_of(&root().join("model/lambda-2020/2015-03-31"));
    let new = ir_of(&root().join("model/lambda/2015-03-31"));
    let diff = stratus_codegen::apidiff::diff(&old, &new);
    assert_eq!(diff.bump(), stratus_codegen::apidiff::Bump::Major);
    let added_ops =
        diff.changes.iter().filter(|c| c.text.starts_with("operation") && c.text.contains("` added")).count();
    assert_eq!(added_ops, 42, "91 operations now, 49 in mid-2020");
    insta::assert_snapshot!(diff.report("lambda-2020", "lambda"));
}
