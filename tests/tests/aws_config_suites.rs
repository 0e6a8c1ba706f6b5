//! The cross-SDK shared-config suites vendored in `tests/data/aws-config`: every case of
//! `profile-parser-tests.json` (file text in, profiles and sso-sessions or an error out) and of
//! `file-location-tests.json` (environment in, file locations and selected profile out) is run;
//! failures are collected and printed together, each with its case name and what differed.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use stratus_runtime::env::{Env, Fs};
use stratus_runtime::profile::{selected_profile_name, shared_file_locations, Profile, ProfileSet};

type Sections = BTreeMap<String, BTreeMap<String, String>>;

fn load(name: &str) -> Vec<Value> {
    let path = format!("{}/data/aws-config/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let json: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let tests = json["tests"].as_array().unwrap_or_else(|| panic!("{path}: no `tests` array")).clone();
    assert!(!tests.is_empty(), "{path}: no cases");
    tests
}

fn name_of(case: &Value) -> String {
    case["name"].as_str().unwrap_or("<unnamed>").to_string()
}

/// A JSON object of sections (`{"foo": {"key": "value"}}`) as maps.
fn expected_sections(v: Option<&Value>) -> Result<Sections, String> {
    let Some(v) = v else { return Ok(Sections::new()) };
    let obj = v.as_object().ok_or_else(|| format!("expected an object of sections, got {v}"))?;
    obj.iter()
        .map(|(name, props)| {
            let props = props.as_object().ok_or_else(|| format!("section `{name}` is not an object"))?;
            let props = props
                .iter()
                .map(|(k, v)| match v.as_str() {
                    Some(s) => Ok((k.clone(), s.to_string())),
                    None => Err(format!("section `{name}` property `{k}` is not a string")),
                })
                .collect::<Result<_, String>>()?;
            Ok((name.clone(), props))
        })
        .collect()
}

fn actual_sections<'a>(sections: impl Iterator<Item = &'a Profile>) -> Sections {
    sections
        .map(|p| (p.name().to_string(), p.properties().map(|(k, v)| (k.to_string(), v.to_string())).collect()))
        .collect()
}

/// Runs one parser case; `Err` says what differed.
fn run_parser_case(case: &Value) -> Result<(), String> {
    let input = &case["input"];
    let config = input.get("configFile").map(|v| v.as_str().ok_or("configFile is not a string")).transpose()?;
    let credentials =
        input.get("credentialsFile").map(|v| v.as_str().ok_or("credentialsFile is not a string")).transpose()?;
    let result =
        ProfileSet::from_texts(config.map(|t| ("config", t)), credentials.map(|t| ("credentials", t)), "default");
    let output = case["output"].as_object().ok_or("no `output` object")?;
    if let Some(needle) = output.get("errorContaining") {
        let needle = needle.as_str().ok_or("errorContaining is not a string")?;
        return match result {
            Err(e) if e.to_string().contains(needle) => Ok(()),
            Err(e) => Err(format!("error `{e}` does not contain `{needle}`")),
            Ok(set) => Err(format!(
                "expected an error containing `{needle}`, parsed profiles {:?}",
                actual_sections(set.profiles())
            )),
        };
    }
    let expected = output.get("config").and_then(Value::as_object).ok_or("output has neither config nor error")?;
    if let Some(unknown) = expected.keys().find(|k| !["profiles", "sso_sessions"].contains(&k.as_str())) {
        return Err(format!("the suite expects `{unknown}`, which this test does not check"));
    }
    let set = result.map_err(|e| format!("unexpected error: {e}"))?;
    let mut diffs = Vec::new();
    for (what, actual) in
        [("profiles", actual_sections(set.profiles())), ("sso_sessions", actual_sections(set.sso_sessions()))]
    {
        let expected = expected_sections(expected.get(what))?;
        if actual != expected {
            diffs.push(format!("{what}: expected {expected:?}, got {actual:?}"));
        }
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs.join("; "))
    }
}

#[test]
fn profile_parser_suite() {
    let cases = load("profile-parser-tests.json");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| run_parser_case(case).err().map(|why| format!("{}: {why}", name_of(case))))
        .collect();
    println!("profile-parser-tests.json: {}/{} cases pass", cases.len() - failures.len(), cases.len());
    assert!(failures.is_empty(), "{} failing case(s):\n{}", failures.len(), failures.join("\n"));
}

fn location_env(case: &Value) -> Result<Env, String> {
    let vars = case["environment"].as_object().ok_or("no `environment` object")?;
    let vars = vars
        .iter()
        .map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())).ok_or(format!("`{k}` is not a string")))
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Env::from_vars(vars))
}

fn path_string(path: Option<PathBuf>) -> Option<String> {
    path.map(|p| p.to_string_lossy().into_owned())
}

/// Runs one location case; `Err` says what differed.
fn run_location_case(case: &Value) -> Result<(), String> {
    let env = location_env(case)?;
    let windows = match case["platform"].as_str() {
        Some("windows") => true,
        Some("linux") => false,
        other => return Err(format!("unknown platform {other:?}")),
    };
    let (config, credentials) = shared_file_locations(&env, windows);
    let mut diffs = Vec::new();
    for (field, actual) in [("configLocation", path_string(config)), ("credentialsLocation", path_string(credentials))]
    {
        let expected = case.get(field).map(|v| v.as_str().ok_or(format!("{field} is not a string"))).transpose()?;
        if actual.as_deref() != expected {
            diffs.push(format!("{field}: expected {expected:?}, got {actual:?}"));
        }
    }
    if let Some(profile) = case.get("profile") {
        let expected = profile.as_str().ok_or("profile is not a string")?;
        let actual = selected_profile_name(&env);
        if actual != expected {
            diffs.push(format!("profile: expected `{expected}`, got `{actual}`"));
        }
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs.join("; "))
    }
}

#[test]
fn file_location_suite() {
    let cases = load("file-location-tests.json");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| run_location_case(case).err().map(|why| format!("{}: {why}", name_of(case))))
        .collect();
    println!("file-location-tests.json: {}/{} cases pass", cases.len() - failures.len(), cases.len());
    assert!(failures.is_empty(), "{} failing case(s):\n{}", failures.len(), failures.join("\n"));
}

/// `ProfileSet::load` reads the files where the location rules put them: each Linux case's two
/// locations get a file with a profile of its own, under a directory standing in for `/`.
#[tokio::test]
async fn load_reads_the_suite_locations() {
    let cases = load("file-location-tests.json");
    let mut failures = Vec::new();
    let mut ran = 0;
    for (i, case) in cases.iter().enumerate() {
        if !cfg!(unix) || case["platform"].as_str() != Some("linux") {
            continue;
        }
        ran += 1;
        let root = std::env::temp_dir().join(format!("stratus-aws-config-suite-{}-{i}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let fs = Fs::rooted(&root);
        let (Some(config), Some(credentials)) = (case["configLocation"].as_str(), case["credentialsLocation"].as_str())
        else {
            failures.push(format!("{}: no locations", name_of(case)));
            continue;
        };
        fs.write(config.as_ref(), b"[profile from-config]\nregion = us-west-2\n").await.unwrap();
        fs.write(credentials.as_ref(), b"[from-credentials]\naws_access_key_id = AKID\n").await.unwrap();
        let env = match location_env(case) {
            Ok(env) => env.with_fs(fs),
            Err(why) => {
                failures.push(format!("{}: {why}", name_of(case)));
                continue;
            }
        };
        match ProfileSet::load(&env).await {
            Ok(set) => {
                let found = (
                    set.get("from-config").and_then(|p| p.get("region")),
                    set.get("from-credentials").and_then(|p| p.get("aws_access_key_id")),
                );
                if found != (Some("us-west-2"), Some("AKID")) {
                    failures.push(format!("{}: load found {found:?}", name_of(case)));
                }
                if let Some(profile) = case["profile"].as_str() {
                    if set.selected != profile {
                        failures.push(format!("{}: selected `{}`, expected `{profile}`", name_of(case), set.selected));
                    }
                }
            }
            Err(e) => failures.push(format!("{}: {e}", name_of(case))),
        }
        let _ = std::fs::remove_dir_all(&root);
    }
    assert!(!cfg!(unix) || ran > 0, "no Linux cases");
    assert!(failures.is_empty(), "{} failing case(s):\n{}", failures.len(), failures.join("\n"));
}

/// A runner for the suites whose cases are `{env, [fs], result: {Ok: uri} | {ErrorContains|Err: text}}`.
fn check_endpoint_case(docs: &str, got: Result<String, String>, result: &Value) -> Option<String> {
    match (result.get("Ok"), result.get("ErrorContains").or(result.get("Err")), got) {
        (Some(want), _, Ok(uri)) if want.as_str() == Some(uri.as_str()) => None,
        (_, Some(want), Err(e)) if e.contains(want.as_str().unwrap_or("\u{0}")) => None,
        (_, _, got) => Some(format!("{docs}: got {got:?}, want {result}")),
    }
}

fn suite_env(case: &Value, root: &std::path::Path) -> Env {
    let vars: BTreeMap<String, String> = serde_json::from_value(case["env"].clone()).unwrap_or_default();
    for (path, text) in case["fs"].as_object().into_iter().flatten() {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text.as_str().unwrap_or_default()).unwrap();
    }
    Env::from_vars(vars).with_fs(Fs::rooted(root))
}

#[tokio::test]
async fn ecs_endpoint_suite() {
    use stratus_runtime::credentials::ContainerProvider;
    let cases = load("ecs-tests.json");
    let http = std::sync::Arc::new(stratus_runtime::http::CaptureClient::always(500, ""));
    let mut failures = vec![];
    for (i, case) in cases.iter().enumerate() {
        let root = std::env::temp_dir().join(format!("stratus-ecs-suite-{}-{i}", std::process::id()));
        let provider = ContainerProvider::new(suite_env(case, &root), http.clone());
        let got = provider.uri().await.map_err(|e| e.to_string());
        failures.extend(check_endpoint_case(case["docs"].as_str().unwrap_or_default(), got, &case["result"]));
        let _ = std::fs::remove_dir_all(root);
    }
    assert_eq!(http.count(), 0, "resolving the endpoint sends nothing");
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[tokio::test]
async fn imds_endpoint_suite() {
    use stratus_runtime::credentials::ImdsProvider;
    let cases = load("imds-config/imds-endpoint-tests.json");
    let http = std::sync::Arc::new(stratus_runtime::http::CaptureClient::always(500, ""));
    let mut failures = vec![];
    for (i, case) in cases.iter().enumerate() {
        let root = std::env::temp_dir().join(format!("stratus-imds-suite-{}-{i}", std::process::id()));
        let mut provider = ImdsProvider::new(suite_env(case, &root), http.clone());
        if let Some(e) = case["endpoint_override"].as_str() {
            provider = provider.with_endpoint(e);
        }
        if let Some(m) = case["mode_override"].as_str() {
            provider = provider.with_endpoint_mode(m);
        }
        // The suite names the token URL, which is the endpoint's `/latest/api/token`.
        let got = provider.endpoint().await.map(|e| format!("{e}/latest/api/token")).map_err(|e| e.to_string());
        failures.extend(check_endpoint_case(case["docs"].as_str().unwrap_or_default(), got, &case["result"]));
        let _ = std::fs::remove_dir_all(root);
    }
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
