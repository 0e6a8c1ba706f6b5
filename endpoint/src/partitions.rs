//! The partitions of `partitions.json`, and the copy this crate embeds.

use crate::{EndpointError, Value};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// A `partitions.json` document.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Partitions {
    /// Format version.
    #[serde(default)]
    pub version: Option<String>,
    /// Partitions, tried in order.
    pub partitions: Vec<Partition>,
}

/// One partition (`aws`, `aws-cn`, ...).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Partition {
    /// Partition id.
    pub id: String,
    /// Regions matching this regex belong to the partition.
    pub region_regex: String,
    /// Known regions (with their descriptions), by name.
    #[serde(default)]
    pub regions: BTreeMap<String, serde_json::Value>,
    /// Partition facts (`dnsSuffix`, `supportsFIPS`...): what `aws.partition` returns, with `name`.
    pub outputs: serde_json::Map<String, serde_json::Value>,
}

/// The partitions data this crate ships (botocore's `partitions.json`, unchanged).
pub const PARTITIONS_JSON: &str = include_str!("../partitions.json");

impl Partitions {
    /// Parses a `partitions.json` document.
    pub fn parse(json: &str) -> Result<Partitions, EndpointError> {
        serde_json::from_str(json).map_err(|e| EndpointError(format!("invalid partitions document: {e}")))
    }

    /// The partitions shipped with this crate, parsed once.
    pub fn builtin() -> &'static Partitions {
        static BUILTIN: OnceLock<Partitions> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // The embedded document is checked by tests; an empty set only if it were broken.
            Partitions::parse(PARTITIONS_JSON).unwrap_or(Partitions { version: None, partitions: Vec::new() })
        })
    }

    /// The partition record for a region, as `aws.partition` returns it.
    pub fn partition_of(&self, region: &str) -> Option<Value> {
        let pick = self
            .partitions
            .iter()
            .find(|p| p.regions.contains_key(region))
            .or_else(|| self.partitions.iter().find(|p| crate::regex::is_match(&p.region_regex, region)))
            .or_else(|| self.partitions.iter().find(|p| p.id == "aws"))?;
        let mut record: HashMap<String, Value> =
            pick.outputs.iter().filter_map(|(k, v)| Some((k.clone(), Value::from_json(v)?))).collect();
        record.insert("name".into(), Value::String(pick.id.clone()));
        Some(Value::Record(record))
    }
}
