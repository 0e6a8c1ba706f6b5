//! The Stratus generator: botocore service models in, Rust client crates out.
//!
//! The pipeline has one module per stage:
//!
//! 1. [`model`] reads the JSON files faithfully and validates references and bindings;
//! 2. [`ir`] resolves everything Rust needs once (names, types, docs, roles);
//! 3. [`emit`] renders the IR to files with `quote` and `prettyplease`;
//! 4. [`output`] writes only what changed, or reports what is stale.
//!
//! [`listing`] renders a compact text view of a generated API, for reviews and snapshot tests.

#![deny(missing_docs)]

pub mod apidiff;
pub mod conformance;
pub mod docs;
pub mod emit;
pub mod ir;
pub mod jmespath;
pub mod listing;
pub mod model;
pub mod output;

use std::path::Path;

/// Any error from loading a model to emitting its code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The model files are unreadable or inconsistent.
    #[error(transparent)]
    Model(#[from] model::ModelError),
    /// The model is valid but cannot be generated.
    #[error(transparent)]
    Ir(#[from] ir::IrError),
    /// The generator produced invalid Rust (a generator bug).
    #[error(transparent)]
    Emit(#[from] emit::EmitError),
}

/// Loads the model in `model_dir`, and builds its IR and the generated files.
pub fn generate(model_dir: &Path, options: &emit::Options) -> Result<Vec<emit::GeneratedFile>, Error> {
    let model = model::ServiceModel::load(model_dir)?;
    let ir = ir::build(&model)?;
    Ok(emit::generate(&ir, options)?)
}
