//! The types of an `endpoint-rule-set-1.json` document.
//!
//! Maps are ordered by key ([`BTreeMap`]), so walking a rule set is deterministic.

use crate::EndpointError;
use serde::Deserialize;
use std::collections::BTreeMap;

/// An `endpoint-rule-set-1.json` document.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct RuleSet {
    /// Format version.
    #[serde(default)]
    pub version: Option<String>,
    /// Parameters the rules read, by name.
    #[serde(default)]
    pub parameters: BTreeMap<String, Parameter>,
    /// Top-level rules, tried in order.
    pub rules: Vec<Rule>,
}

/// A parameter of a rule set.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Parameter {
    /// Type: `string`, `boolean` or `stringArray`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Built-in value it takes (`AWS::Region`).
    #[serde(default)]
    pub built_in: Option<String>,
    /// Must be set.
    #[serde(default)]
    pub required: bool,
    /// Default value.
    #[serde(default)]
    pub default: Option<serde_json::Value>,
    /// What it means.
    #[serde(default)]
    pub documentation: Option<String>,
    /// Deprecation details.
    #[serde(default)]
    pub deprecated: Option<serde_json::Value>,
}

/// One rule of a rule set.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Rule {
    /// Resolves to an endpoint.
    Endpoint {
        /// Conditions that must all hold.
        #[serde(default)]
        conditions: Vec<Condition>,
        /// The endpoint.
        endpoint: RuleEndpoint,
        /// Notes.
        #[serde(default)]
        documentation: Option<String>,
    },
    /// Resolves to an error.
    Error {
        /// Conditions that must all hold.
        #[serde(default)]
        conditions: Vec<Condition>,
        /// The error message (a template or expression).
        error: Expr,
        /// Notes.
        #[serde(default)]
        documentation: Option<String>,
    },
    /// Tries nested rules.
    Tree {
        /// Conditions that must all hold.
        #[serde(default)]
        conditions: Vec<Condition>,
        /// Nested rules.
        rules: Vec<Rule>,
        /// Notes.
        #[serde(default)]
        documentation: Option<String>,
    },
}

impl Rule {
    /// The rule's conditions.
    pub fn conditions(&self) -> &[Condition] {
        match self {
            Rule::Endpoint { conditions, .. } | Rule::Error { conditions, .. } | Rule::Tree { conditions, .. } => {
                conditions
            }
        }
    }
}

/// A condition: a function call, optionally assigning its result.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Condition {
    /// Function name.
    #[serde(rename = "fn")]
    pub func: String,
    /// Arguments.
    #[serde(default)]
    pub argv: Vec<Expr>,
    /// Variable the result is bound to.
    #[serde(default)]
    pub assign: Option<String>,
}

/// An expression in a rule: a literal, a reference or a function call.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Expr {
    /// `{"ref": "Name"}`.
    Ref {
        /// Variable name.
        #[serde(rename = "ref")]
        name: String,
    },
    /// `{"fn": ..., "argv": [...]}`.
    Call {
        /// Function name.
        #[serde(rename = "fn")]
        func: String,
        /// Arguments.
        argv: Vec<Expr>,
    },
    /// A string (a template with `{Name}` placeholders).
    String(String),
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A list of expressions.
    Array(Vec<Expr>),
    /// An object of expressions.
    Object(BTreeMap<String, Expr>),
}

/// The `endpoint` of an endpoint rule.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct RuleEndpoint {
    /// The URL (template or expression).
    pub url: Expr,
    /// Properties such as auth schemes.
    #[serde(default)]
    pub properties: BTreeMap<String, Expr>,
    /// Headers to add.
    #[serde(default)]
    pub headers: BTreeMap<String, Vec<Expr>>,
}

impl RuleSet {
    /// Parses a rule set document.
    pub fn parse(json: &str) -> Result<RuleSet, EndpointError> {
        serde_json::from_str(json).map_err(|e| EndpointError(format!("invalid endpoint rule set: {e}")))
    }

    /// The name of the parameter bound to a built-in (`AWS::Region` -> `Region`).
    pub fn parameter_for_builtin(&self, built_in: &str) -> Option<&str> {
        self.parameters.iter().find(|(_, p)| p.built_in.as_deref() == Some(built_in)).map(|(n, _)| n.as_str())
    }
}
