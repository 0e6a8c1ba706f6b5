//! Endpoint resolution from `endpoint-rule-set-1.json` rule sets and `partitions.json`.
//!
//! One type family serves both sides of Stratus: the code generator validates a model's rule set by
//! parsing it into [`RuleSet`] (and its [`Parameter`]s, [`Rule`]s, [`Condition`]s, [`Expr`]s
//! and [`RuleEndpoint`]s), and the runtime — which re-exports this crate as
//! `stratus_runtime::endpoint` — evaluates the same types. The crate depends on serde and
//! serde_json only, so the generator does not pull the runtime's HTTP stack through it.
//!
//! **Interpreted at runtime, not compiled at codegen time.** A generated crate embeds its rule set as
//! JSON text; [`RuleSet::parse`] reads it once (per client) and [`RuleSet::resolve`] walks it. We chose
//! this because:
//!
//! - resolution happens when a client is built (and again only if its configuration changes), not
//!   per request, so the interpreter's cost is irrelevant next to one HTTP round trip;
//! - one engine, tested against the official cases, serves every service; compiled rules would put a
//!   few hundred lines of nested `if`s into every generated crate, to compile and to review;
//! - a rule set update is a data change in the generated crate, not a code change.
//!
//! The standard library implemented is what AWS rule sets use: `isSet`, `not`, `booleanEquals`,
//! `stringEquals`, `getAttr`, `substring`, `uriEncode`, `parseURL`, `isValidHostLabel`,
//! `aws.partition`, `aws.parseArn`, `aws.isVirtualHostableS3Bucket`. Partition matching uses the
//! regions listed in `partitions.json`, then each partition's `regionRegex` (a small regex engine for
//! the patterns AWS uses lives in the private `regex` module), then falls back to `aws`, as other SDKs do.
//!
//! One file per concern: `rules` (the rule-set types), `partitions` (the partition types and the
//! embedded data), `value` (values in evaluation), `eval` (resolution and the standard library) and
//! `regex`.

#![deny(missing_docs)]

mod eval;
mod partitions;
mod regex;
mod rules;
mod value;

pub use partitions::{Partition, Partitions, PARTITIONS_JSON};
pub use rules::{Condition, Expr, Parameter, Rule, RuleEndpoint, RuleSet};
pub use value::Value;

use std::collections::HashMap;
use std::fmt;

/// A resolved endpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct Endpoint {
    /// The URL.
    pub url: String,
    /// Headers to add to requests.
    pub headers: Vec<(String, Vec<String>)>,
    /// Properties (auth schemes and the like), as JSON.
    pub properties: serde_json::Map<String, serde_json::Value>,
}

/// Why no endpoint could be resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointError(pub String);

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "endpoint resolution failed: {}", self.0)
    }
}

impl std::error::Error for EndpointError {}

/// Parameters of one resolution, by the rule set's parameter names (`Region`, `UseFIPS`...).
pub type Params = HashMap<String, Value>;

#[doc(hidden)]
pub mod __fuzz {
    /// The partition regex matcher (for the fuzz targets).
    pub fn regex_is_match(pattern: &str, text: &str) -> bool {
        crate::regex::is_match(pattern, text)
    }
}
