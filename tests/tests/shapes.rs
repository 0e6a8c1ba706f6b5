//! Every shape of the Lambda models maps to a Rust type, and every generated type the mapping names
//! exists in the generated code.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use stratus_codegen::emit::{generate, Options};
use stratus_codegen::ir::{self, RustType};
use stratus_codegen::model::ServiceModel;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn named(ir: &ir::Ir, t: &RustType, out: &mut BTreeSet<String>) {
    match t {
        RustType::Named(id) => {
            out.insert(ir.name(*id).to_string());
        }
        RustType::List(e) => named(ir, e, out),
        RustType::Map(k, v) => {
            named(ir, k, out);
            named(ir, v, out);
        }
        _ => {}
    }
}

/// Names declared by `pub struct X` / `pub enum X` in Rust sources.
fn declared(sources: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for src in sources {
        for line in src.lines() {
            let line = line.trim_start();
            for kw in ["pub struct ", "pub enum "] {
                if let Some(rest) = line.strip_prefix(kw) {
                    let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    out.insert(name);
                }
            }
        }
    }
    out
}

fn check(model_dir: &str, shapes: usize, operations: usize, sources: impl FnOnce(&ir::Ir) -> Vec<String>) {
    let model = ServiceModel::load(root().join(model_dir)).unwrap();
    assert_eq!(model.service.shapes.len(), shapes, "shapes in {model_dir}");
    assert_eq!(model.service.operations.len(), operations, "operations in {model_dir}");
    let ir = ir::build(&model).unwrap();
    assert_eq!(ir.shape_types.len(), shapes, "every shape has a Rust type");
    let decl = declared(&sources(&ir));
    let mut wanted = BTreeSet::new();
    for t in ir.shape_types.values() {
        named(&ir, t, &mut wanted);
    }
    let missing: Vec<_> = wanted.difference(&decl).collect();
    assert!(missing.is_empty(), "types named but not generated: {missing:?}");
    // Every structure and string enum shape is its own item; the rest are std or runtime types.
    let items = model
        .service
        .shapes
        .values()
        .filter(|s| {
            !s.document && (s.kind == stratus_codegen::model::ShapeType::Structure || !s.enum_values.is_empty())
        })
        .count();
    assert_eq!(ir.types.len(), items);
}

#[test]
fn current_model_maps_all_612_shapes() {
    // Read the committed generated crate: what users get.
    check("model/lambda/2015-03-31", 612, 91, |_| {
        let dir = root().join("generated/lambda/src/types");
        std::fs::read_dir(dir).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect()
    });
}

#[test]
fn model_2020_maps_all_225_shapes() {
    check("model/lambda-2020/2015-03-31", 225, 49, |ir| {
        let options = Options {
            crate_name: "stratus-lambda-2020".into(),
            version: "0.0.0".into(),
            model_source: "model/lambda-2020/2015-03-31".into(),
            runtime_path: "../../runtime".into(),
            runtime_version: "0.1.0".into(),
            publish: false,
            root: "crate".into(),
        };
        generate(ir, &options).unwrap().into_iter().map(|f| f.contents).collect()
    });
}
