//! Generated names: identifiers made valid and unique, in one place.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::HashSet;

/// Rust keywords, which become raw identifiers (`r#type`). The language's own list, not a table of
/// special cases: any identifier equal to one of these must be escaped.
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in",
    "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
    "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn", "abstract", "become", "box",
    "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Keywords that cannot be raw identifiers; they get a trailing underscore instead.
const NOT_RAW: &[&str] = &["crate", "self", "super", "Self"];

/// Makes `name` a valid Rust identifier: keywords become raw identifiers (or get a trailing `_` when
/// that is not allowed), a leading digit gets a `_` prefix, other characters are dropped.
pub fn escape_ident(name: &str) -> String {
    let cleaned: String = name.chars().filter(|c| c.is_alphanumeric() || *c == '_').collect();
    let cleaned = if cleaned.is_empty() { "_".to_string() } else { cleaned };
    if cleaned.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("_{cleaned}");
    }
    if NOT_RAW.contains(&cleaned.as_str()) {
        format!("{cleaned}_")
    } else if KEYWORDS.contains(&cleaned.as_str()) {
        format!("r#{cleaned}")
    } else {
        cleaned
    }
}

/// Returns `base`, or `base2`, `base3`... the first not in `taken`, and marks it taken.
pub(super) fn unique(base: String, taken: &mut HashSet<String>) -> String {
    let key = |s: &str| s.trim_start_matches("r#").to_string();
    if taken.insert(key(&base)) {
        return base;
    }
    let stem = base.trim_start_matches("r#").trim_end_matches('_').to_string();
    (2..).map(|n| format!("{stem}{n}")).find(|candidate| taken.insert(key(candidate))).unwrap_or(base)
}

/// A type name for a shape: UpperCamelCase, valid, not starting with a digit.
pub(super) fn type_name(shape: &str) -> String {
    let camel = shape.to_upper_camel_case();
    let camel: String = camel.chars().filter(|c| c.is_alphanumeric()).collect();
    if camel.is_empty() || camel.starts_with(|c: char| c.is_ascii_digit()) {
        format!("Shape{camel}")
    } else {
        escape_ident(&camel)
    }
}

/// A variant name for an enum value: `nodejs4.3-edge` -> `Nodejs43Edge`, `1.0` -> `V10`.
pub(super) fn variant_name(value: &str) -> String {
    let camel: String = value.to_upper_camel_case().chars().filter(|c| c.is_alphanumeric()).collect();
    if camel.is_empty() {
        "Empty".to_string()
    } else if camel.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{camel}")
    } else {
        escape_ident(&camel)
    }
}

/// A field name for a member: `KMSKeyArn` -> `kms_key_arn`, `Type` -> `r#type`.
pub(super) fn field_name(member: &str) -> String {
    let snake = member.to_snake_case();
    escape_ident(if snake.is_empty() { "field" } else { &snake })
}

/// The name of the catch-all variant of generated enums and unions.
pub const UNKNOWN_VARIANT: &str = "Unknown";

/// The methods of the generated builder besides the setters (`default` is `Default`'s, which
/// `Builder::default()` would no longer find): a member of a structure with setters that has one of
/// these names gets another, as setters share their namespace.
pub const BUILDER_METHODS: [&str; 7] =
    ["build", "send", "wait", "wait_with", "into_paginator", "with_context", "default"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert_eq!(escape_ident("type"), "r#type");
        assert_eq!(escape_ident("self"), "self_");
        assert_eq!(escape_ident("Self"), "Self_");
        assert_eq!(escape_ident("9lives"), "_9lives");
        assert_eq!(field_name("KMSKeyArn"), "kms_key_arn");
        assert_eq!(field_name("Type"), "r#type");
        assert_eq!(field_name("S3Bucket"), "s3_bucket");
    }

    #[test]
    fn enum_variants_are_valid() {
        assert_eq!(variant_name("nodejs4.3-edge"), "Nodejs43Edge");
        assert_eq!(variant_name("go1.x"), "Go1X");
        assert_eq!(variant_name("FunctionError.InitTimeout"), "FunctionErrorInitTimeout");
        assert_eq!(variant_name("1.0"), "V10");
        assert_eq!(variant_name(""), "Empty");
        assert_eq!(variant_name("*"), "Empty");
        assert_eq!(variant_name("self"), "Self_");
    }

    #[test]
    fn unique_names() {
        let mut taken = HashSet::new();
        assert_eq!(unique("Foo".into(), &mut taken), "Foo");
        assert_eq!(unique("Foo".into(), &mut taken), "Foo2");
        assert_eq!(unique("r#type".into(), &mut taken), "r#type");
        assert_eq!(unique("r#type".into(), &mut taken), "type2");
    }
}
