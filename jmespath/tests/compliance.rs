//! The JMESPath compliance suite (vendored in `tests/data/jmespath/`, from jmespath.test): every
//! case of every file except `benchmarks.json`.
//!
//! A `result` case must evaluate to that value; an `error` case must fail with that kind, at parse
//! or evaluation time (the suite allows either). Results are compared as JSON values with numbers
//! compared by value: the suite is JSON, where `1` and `1.0` are the same number, and this crate
//! keeps integers as integers (`ceil(`1.2`)` is `2`) while the suite sometimes writes a float for an
//! integral result (`to_number('1.0')` is `1.0`).
//!
//! Every failure is collected and printed (file, expression, expected, got) before the assertion.
//! No case is skipped: `KNOWN_FAILURES` lists any case that cannot pass, with the reason, and is
//! empty.

use serde_json::Value;
use std::path::{Path, PathBuf};

/// Cases that cannot pass, as (file, expression, reason). None.
const KNOWN_FAILURES: &[(&str, &str, &str)] = &[];

/// The number of cases in the suite (outside `benchmarks.json`), so a file that stops being read
/// is noticed.
const EXPECTED_CASES: usize = 892;

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/jmespath")
}

/// JSON equality with numbers compared by value.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
            (Some(x), Some(y), _, _) => x == y,
            (_, _, Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn run(expression: &str, given: &Value) -> Result<Value, stratus_jmespath::Error> {
    stratus_jmespath::compile(expression)?.search(given)
}

#[test]
fn every_compliance_case() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(suite_dir())
        .expect("the vendored suite")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| p.file_name().is_some_and(|n| n != "benchmarks.json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 15, "{files:?}");

    let mut failures = Vec::new();
    let mut known = Vec::new();
    let mut summary = Vec::new();
    let mut total = 0;
    for path in &files {
        let file = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let text = std::fs::read_to_string(path).expect("readable");
        let groups: Vec<Value> = serde_json::from_str(&text).expect("a JSON list of groups");
        let (mut cases, mut passed) = (0, 0);
        for group in &groups {
            let given = &group["given"];
            for case in group["cases"].as_array().expect("cases") {
                let expression = case["expression"].as_str().expect("an expression");
                cases += 1;
                let got = run(expression, given);
                let failure = match (case.get("error"), case.get("result"), &got) {
                    (Some(kind), _, Err(e)) if kind.as_str() == Some(e.kind().as_str()) => None,
                    (Some(kind), _, _) => Some(format!("expected a {kind} error, got {got:?}")),
                    (None, Some(want), Ok(v)) if same(want, v) => None,
                    (None, Some(want), Ok(v)) => Some(format!("expected {want}, got {v}")),
                    (None, Some(want), Err(e)) => Some(format!("expected {want}, got error {e}")),
                    (None, None, _) => Some("a case with neither result nor error".to_string()),
                };
                match failure {
                    None => passed += 1,
                    Some(why) => {
                        let line = format!("{file}: {expression:?}: {why}");
                        if KNOWN_FAILURES.iter().any(|(f, e, _)| *f == file && *e == expression) {
                            known.push(line);
                        } else {
                            failures.push(line);
                        }
                    }
                }
            }
        }
        summary.push(format!("{file}: {passed}/{cases}"));
        total += cases;
    }
    println!("{}", summary.join("\n"));
    for line in &known {
        println!("known failure: {line}");
    }
    for line in &failures {
        println!("FAIL {line}");
    }
    assert_eq!(total, EXPECTED_CASES, "the suite's case count changed");
    assert!(failures.is_empty(), "{} of {total} cases failed:\n{}", failures.len(), failures.join("\n"));
    // A known failure that passes again must leave the list.
    assert_eq!(known.len(), KNOWN_FAILURES.len(), "a known failure now passes: update KNOWN_FAILURES");
}
