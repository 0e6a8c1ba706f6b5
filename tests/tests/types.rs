//! Behaviour of the generated Lambda types: serde round trips, unknown enum values, redaction of
//! sensitive data, builders.

use stratus_lambda::types::*;
use stratus_runtime::operation::ErrorShape;
use stratus_runtime::types::IndexMap;

#[test]
fn unknown_enum_values_round_trip() {
    let r: Runtime = serde_json::from_str("\"cobol85\"").unwrap();
    assert_eq!(r.as_str(), "cobol85");
    assert!(matches!(r, Runtime::Unknown(_)));
    assert_eq!(serde_json::to_string(&r).unwrap(), "\"cobol85\"");
    assert_eq!(Runtime::from("nodejs4.3-edge"), Runtime::Nodejs43Edge);
    assert_eq!(Runtime::Go1X.to_string(), "go1.x");
    assert_eq!("python3.12".parse::<Runtime>().unwrap(), Runtime::Python312);
}

#[test]
fn sensitive_values_are_redacted_in_debug() {
    let env =
        Environment::builder().variables(IndexMap::from([("DB_PASSWORD".to_string(), "hunter2".to_string())])).build();
    let debug = format!("{env:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(!debug.contains("DB_PASSWORD"), "{debug}");
    assert!(debug.contains("*** Sensitive Data Redacted ***"), "{debug}");

    let input = Builder::<InvokeInput>::default().function_name("my-fn").payload(b"{\"secret\":1}".as_slice()).build();
    let debug = format!("{input:?}");
    assert!(debug.contains("my-fn") && !debug.contains("secret"), "{debug}");
}

#[test]
fn structures_use_the_model_names_on_the_wire() {
    let config = FunctionConfiguration {
        function_name: Some("my-fn".into()),
        runtime: Some(Runtime::Python312),
        memory_size: Some(256),
        kms_key_arn: Some("arn:aws:kms:us-east-1:123456789012:key/abc".into()),
        ..Default::default()
    };
    let json = serde_json::to_value(&config).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "FunctionName": "my-fn",
            "Runtime": "python3.12",
            "MemorySize": 256,
            "KMSKeyArn": "arn:aws:kms:us-east-1:123456789012:key/abc",
        })
    );
    let back: FunctionConfiguration = serde_json::from_value(json).unwrap();
    assert_eq!(back, config);
}

#[test]
fn responses_tolerate_nulls_and_unknown_members() {
    let json = r#"{"FunctionName": null, "Timeout": 3, "SomethingNew": {"x": [1, 2]}, "Runtime": "java99"}"#;
    let config: FunctionConfiguration = serde_json::from_str(json).unwrap();
    assert_eq!(config.function_name, None);
    assert_eq!(config.timeout, Some(3));
    assert_eq!(config.runtime.as_ref().map(Runtime::as_str), Some("java99"));
}

#[test]
fn required_members_are_not_options() {
    // `FunctionName` is required on GetFunction's input: a plain String, set by struct literal too.
    let input = GetFunctionInput { function_name: "my-fn".into(), ..Default::default() };
    assert_eq!(input.function_name, "my-fn");
    assert_eq!(input.qualifier, None);
    // URI and query members are not part of the JSON body.
    assert_eq!(serde_json::to_value(&input).unwrap(), serde_json::json!({}));
}

#[test]
fn errors_display_code_and_message() {
    let e = ResourceNotFoundException { message: Some("Function not found: x".into()), ..Default::default() };
    assert_eq!(e.to_string(), "ResourceNotFoundException: Function not found: x");
    assert_eq!(<ResourceNotFoundException as ErrorShape>::CODE, "ResourceNotFoundException");
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(boxed.to_string().starts_with("ResourceNotFoundException"));
}
