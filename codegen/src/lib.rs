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

/// One service of the command-line tool: its model, its module name in the tool (`lambda`), and
/// the crate of its client (`stratus-lambda`).
#[derive(Debug, Clone)]
pub struct CliService {
    /// The model directory.
    pub model_dir: std::path::PathBuf,
    /// Module name, and (with `-` for `_`) the command name.
    pub module: String,
    /// The client crate's package name.
    pub krate: String,
}

/// The `stratus` tool's generated files (`cli/src/services/`): one table module per service and the
/// dispatch module.
pub fn generate_cli(services: &[CliService], options: &emit::Options) -> Result<Vec<emit::GeneratedFile>, Error> {
    let mut files = Vec::new();
    for s in services {
        let model = model::ServiceModel::load(&s.model_dir)?;
        let ir = ir::build(&model)?;
        // botocore decodes IAM's policy documents (URL-encoded JSON, the `policyDocumentType`
        // shape) in every IAM output, and the AWS CLI shows them as JSON.
        let mut documents = std::collections::HashSet::new();
        if model.service.metadata.endpoint_prefix.as_deref() == Some("iam") {
            for (name, shape) in &model.service.shapes {
                for (member, m) in &shape.members {
                    if m.shape == "policyDocumentType" {
                        documents.insert((name.clone(), member.clone()));
                    }
                }
            }
        }
        files.push(emit::cli::service_file(&ir, &documents, &s.module, &s.krate, options)?);
    }
    let list: Vec<(String, String)> = services.iter().map(|s| (s.module.clone(), s.krate.clone())).collect();
    files.push(emit::cli::services_file(&list, options)?);
    Ok(files)
}
