//! [`Document`]: untyped JSON (the model's `document` shapes).

/// An untyped JSON value (the model's `document` shapes).
pub type Document = serde_json::Value;
