//! The 71 Lambda endpoint cases (vendored in `tests/data/endpoints/lambda`) against the Lambda rule
//! set (vendored in `model/`), with the partitions this crate embeds.

use std::path::Path;
use stratus_endpoint::{Params, Partitions, RuleSet, Value};

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

#[test]
fn every_lambda_endpoint_case() {
    let rules = RuleSet::parse(&read("../model/lambda/2015-03-31/endpoint-rule-set-1.json")).unwrap();
    let suite: serde_json::Value =
        serde_json::from_str(&read("../tests/data/endpoints/lambda/endpoint-tests-1.json")).unwrap();
    let cases = suite["testCases"].as_array().unwrap();
    assert_eq!(cases.len(), 71);
    let partitions = Partitions::builtin();
    let mut failures = Vec::new();
    for case in cases {
        let doc = case["documentation"].as_str().unwrap_or_default();
        let mut params = Params::new();
        if let Some(p) = case["params"].as_object() {
            for (k, v) in p {
                let value = match v {
                    serde_json::Value::Bool(b) => Value::Bool(*b),
                    serde_json::Value::String(s) => Value::String(s.clone()),
                    other => panic!("{doc}: unexpected parameter {other}"),
                };
                params.insert(k.clone(), value);
            }
        }
        let got = rules.resolve(partitions, &params);
        let expect = &case["expect"];
        match (expect.get("endpoint"), expect.get("error"), &got) {
            (Some(e), _, Ok(endpoint)) => {
                if e["url"].as_str() != Some(endpoint.url.as_str()) {
                    failures.push(format!("{doc}: expected {}, got {}", e["url"], endpoint.url));
                }
                let want_props = e.get("properties").cloned().unwrap_or(serde_json::json!({}));
                if serde_json::Value::Object(endpoint.properties.clone()) != want_props {
                    failures.push(format!("{doc}: properties {:?}", endpoint.properties));
                }
            }
            (_, Some(msg), Err(err)) => {
                if msg.as_str() != Some(err.0.as_str()) {
                    failures.push(format!("{doc}: expected error {msg}, got {}", err.0));
                }
            }
            (_, _, got) => failures.push(format!("{doc}: expected {expect}, got {got:?}")),
        }
    }
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn the_embedded_partitions_are_the_vendored_ones() {
    assert_eq!(stratus_endpoint::PARTITIONS_JSON, read("../model/partitions.json"));
    Partitions::parse(stratus_endpoint::PARTITIONS_JSON).unwrap();
}

#[test]
fn malformed_rule_sets_are_errors() {
    assert!(RuleSet::parse("{").is_err());
    assert!(RuleSet::parse(r#"{"rules": [{"type": "bogus"}]}"#).is_err());
    let unknown_fn = RuleSet::parse(r#"{"rules": [{"type": "endpoint", "conditions": [{"fn": "nope", "argv": []}], "endpoint": {"url": "https://x"}}]}"#).unwrap();
    let err = unknown_fn.resolve(Partitions::builtin(), &Params::new()).unwrap_err();
    assert!(err.to_string().contains("unknown rule function `nope`"), "{err}");
}
