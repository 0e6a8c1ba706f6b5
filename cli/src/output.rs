//! Output: JSON as the AWS CLI prints it, timestamps as ISO 8601, and the pieces of botocore's
//! page merging (paths into the merged result, resume tokens).

use crate::table::{Member, Service, Shape};
use base64::Engine as _;
use serde_json::{Map, Value};

/// JSON with four-space indents, non-ASCII kept (`json.dumps(indent=4, ensure_ascii=False)`).
pub fn json(v: &Value) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    if serde::Serialize::serialize(v, &mut ser).is_err() {
        return v.to_string();
    }
    String::from_utf8(out).unwrap_or_else(|_| v.to_string())
}

/// Timestamp members (numbers of epoch seconds in the client's JSON form) as the AWS CLI shows
/// them: as they came on the wire (its `cli_timestamp_format = wire`, version 1's only behaviour) —
/// epoch seconds for the JSON protocols, ISO 8601 text ending in `Z` for the XML ones.
pub fn timestamps(service: &Service, members: &[Member], v: Value) -> Value {
    fn walk(service: &Service, shape: u32, v: Value, depth: usize) -> Value {
        if depth > 64 {
            return v;
        }
        match (&service.shapes[shape as usize], v) {
            (Shape::QuotedJson, Value::String(text)) => decode_quoted_json(text),
            (Shape::Timestamp, Value::Number(n)) if service.xml_timestamps => match n.as_f64() {
                Some(secs) => Value::String(iso(secs)),
                None => Value::Number(n),
            },
            (Shape::List(item), Value::Array(items)) => {
                Value::Array(items.into_iter().map(|v| walk(service, *item, v, depth + 1)).collect())
            }
            (Shape::Map(_, value), Value::Object(map)) => {
                Value::Object(map.into_iter().map(|(k, v)| (k, walk(service, *value, v, depth + 1))).collect())
            }
            (Shape::Struct(ms) | Shape::Union(ms), Value::Object(map)) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| match ms.iter().find(|m| m.key == k) {
                        Some(m) => {
                            let v = walk(service, m.shape, v, depth + 1);
                            (k, v)
                        }
                        None => (k, v),
                    })
                    .collect(),
            ),
            (_, v) => v,
        }
    }
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| match members.iter().find(|m| m.key == k) {
                    Some(m) => {
                        let v = walk(service, m.shape, v, 0);
                        (k, v)
                    }
                    None => (k, v),
                })
                .collect(),
        ),
        v => v,
    }
}

/// A URL-encoded JSON document as JSON (the text unchanged when it is not one).
fn decode_quoted_json(text: String) -> Value {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    match String::from_utf8(out).ok().and_then(|t| serde_json::from_str(&t).ok()) {
        Some(v) => v,
        None => Value::String(text),
    }
}

/// `2015-08-31T12:00:00Z`, with microseconds when the time has a fraction of a second
/// (`.401880Z`), as AWS services and moto write timestamps in XML.
fn iso(secs: f64) -> String {
    let total_micros = (secs * 1_000_000.0).round() as i64;
    let (whole, micros) = (total_micros.div_euclid(1_000_000), total_micros.rem_euclid(1_000_000));
    let t = stratus_runtime::types::DateTime::from_secs(whole);
    let base = t.to_iso8601();
    let base = base.trim_end_matches('Z');
    let base = base.split('.').next().unwrap_or(base);
    if micros > 0 {
        // The digits the wire had are not kept; six (microseconds) is what moto and botocore-based
        // servers write, and AWS writes no fraction at all for whole seconds.
        format!("{base}.{micros:06}Z")
    } else {
        format!("{base}Z")
    }
}

/// The value at a dotted path (`A.B`) of a merged result.
fn get_path<'a>(map: &'a mut Map<String, Value>, path: &str) -> Option<&'a mut Value> {
    let mut parts = path.split('.');
    let first = parts.next()?;
    let mut cur = map.get_mut(first)?;
    for p in parts {
        cur = cur.as_object_mut()?.get_mut(p)?;
    }
    Some(cur)
}

/// Sets the value at a dotted path, creating objects on the way.
pub fn set_path(map: &mut Map<String, Value>, path: &str, value: Value) {
    let parts: Vec<&str> = path.split('.').collect();
    let mut cur = map;
    for p in &parts[..parts.len().saturating_sub(1)] {
        let entry = cur.entry(p.to_string()).or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        let Some(next) = entry.as_object_mut() else { return };
        cur = next;
    }
    if let Some(last) = parts.last() {
        cur.insert(last.to_string(), value);
    }
}

/// Adds a page's result to the merged one, as botocore's `build_full_result` does: lists
/// concatenate, numbers and strings add up, the first value is taken as it is.
pub fn merge_path(map: &mut Map<String, Value>, path: &str, value: Value) {
    match (get_path(map, path), value) {
        (Some(Value::Array(existing)), Value::Array(more)) => existing.extend(more),
        (Some(Value::Number(a)), Value::Number(b)) => {
            let sum = match (a.as_i64(), b.as_i64()) {
                (Some(x), Some(y)) => match x.checked_add(y) {
                    Some(sum) => Value::from(sum),
                    None => Value::from(x as f64 + y as f64),
                },
                _ => Value::from(a.as_f64().unwrap_or(0.0) + b.as_f64().unwrap_or(0.0)),
            };
            set_path(map, path, sum);
        }
        (Some(Value::String(a)), Value::String(b)) => {
            let joined = format!("{a}{b}");
            set_path(map, path, Value::String(joined));
        }
        (None, v) => set_path(map, path, v),
        (Some(_), _) => {}
    }
}

/// Keeps the first `keep` elements of the list at `path` of a page.
pub fn truncate_page(page: &mut Value, path: &str, keep: usize, from_start: usize) {
    let Value::Object(map) = page else { return };
    if let Some(Value::Array(items)) = get_path(map, path) {
        items.drain(..from_start.min(items.len()));
        items.truncate(keep);
    }
}

/// botocore's resume token: the input tokens (and `boto_truncate_amount`) as a JSON object,
/// base64-encoded, written as Python's `json.dumps` writes it.
pub fn encode_token(keys: &[&str], values: &[Value], truncate: Option<usize>) -> String {
    let mut parts: Vec<String> =
        keys.iter().zip(values).map(|(k, v)| format!("{}: {}", Value::from(*k), py_json(v))).collect();
    if let Some(n) = truncate {
        parts.push(format!("\"boto_truncate_amount\": {n}"));
    }
    base64::engine::general_purpose::STANDARD.encode(format!("{{{}}}", parts.join(", ")))
}

/// `json.dumps` of a token value (ASCII only, `, ` and `: ` separators).
fn py_json(v: &Value) -> String {
    match v {
        Value::String(s) => {
            let mut out = String::from("\"");
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                        let mut buf = [0u16; 2];
                        for unit in c.encode_utf16(&mut buf) {
                            out.push_str(&format!("\\u{unit:04x}"));
                        }
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        Value::Array(items) => format!("[{}]", items.iter().map(py_json).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", py_json(&Value::from(k.as_str())), py_json(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// Reads a resume token: the input token values by key, and how many results of the first page to
/// skip.
pub fn decode_token(token: &str, keys: &[&str]) -> Result<(Vec<(String, Value)>, usize), String> {
    let bad = || format!("Bad value for --starting-token: {token}");
    let bytes = base64::engine::general_purpose::STANDARD.decode(token.trim()).map_err(|_| bad())?;
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&bytes) else { return Err(bad()) };
    let skip = map.get("boto_truncate_amount").and_then(Value::as_u64).unwrap_or(0) as usize;
    let tokens =
        keys.iter().filter_map(|k| map.get(*k).filter(|v| !v.is_null()).map(|v| (k.to_string(), v.clone()))).collect();
    Ok((tokens, skip))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_are_written_as_botocore_writes_them() {
        let t = encode_token(&["Marker"], &[json!("abc")], Some(2));
        let text = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(&t).unwrap()).unwrap();
        assert_eq!(text, r#"{"Marker": "abc", "boto_truncate_amount": 2}"#);
        assert_eq!(decode_token(&t, &["Marker"]).unwrap(), (vec![("Marker".to_string(), json!("abc"))], 2));
        let t = encode_token(&["Marker"], &[Value::Null], Some(1));
        let text = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(&t).unwrap()).unwrap();
        assert_eq!(text, r#"{"Marker": null, "boto_truncate_amount": 1}"#);
        assert!(decode_token("not base64!", &["Marker"]).is_err());
    }

    #[test]
    fn iso_times_as_services_write_them() {
        assert_eq!(iso(1_440_000_000.0), "2015-08-19T16:00:00Z");
        assert_eq!(iso(1_440_000_000.5), "2015-08-19T16:00:00.500000Z");
    }

    #[test]
    fn merging_pages() {
        let mut m = Map::new();
        merge_path(&mut m, "Items", json!([1]));
        merge_path(&mut m, "Items", json!([2, 3]));
        merge_path(&mut m, "Count", json!(1));
        merge_path(&mut m, "Count", json!(2));
        merge_path(&mut m, "A.B", json!(["x"]));
        assert_eq!(Value::Object(m), json!({"Items": [1, 2, 3], "Count": 3, "A": {"B": ["x"]}}));
    }
}

/// `--output text`, as the AWS CLI writes it (`awscli/text.py`): scalars of a structure on one
/// tab-separated line (keys sorted, prefixed with the upper-cased name of the member that holds
/// it), nested values on their own lines below; lists of structures share their scalar columns.
pub fn text(v: &Value) -> String {
    let mut out = String::new();
    text_item(v, &mut out, None, None, 0);
    out
}

/// Python's `str()` of a JSON value.
fn py_str(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(0.0);
            if f.fract() == 0.0 && f.abs() < 1e16 {
                format!("{f:.1}")
            } else {
                format!("{f}")
            }
        }
        other => other.to_string(),
    }
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Object(_) | Value::Array(_))
}

fn text_item(v: &Value, out: &mut String, identifier: Option<&str>, scalar_keys: Option<&[String]>, depth: usize) {
    if depth > 64 {
        return;
    }
    match v {
        Value::Object(map) => {
            let (scalars, non_scalars): (Vec<String>, Vec<(&String, &Value)>) = match scalar_keys {
                None => {
                    let mut s = Vec::new();
                    let mut n = Vec::new();
                    let mut keys: Vec<&String> = map.keys().collect();
                    keys.sort();
                    for k in keys {
                        let v = &map[k];
                        if is_scalar(v) {
                            s.push(py_str(v));
                        } else {
                            n.push((k, v));
                        }
                    }
                    (s, n)
                }
                Some(keys) => {
                    let s = keys.iter().map(|k| map.get(k).map(py_str).unwrap_or_default()).collect();
                    let mut rest: Vec<&String> = map.keys().filter(|k| !keys.contains(k)).collect();
                    rest.sort();
                    (s, rest.into_iter().map(|k| (k, &map[k])).collect())
                }
            };
            if !scalars.is_empty() {
                let mut line = Vec::new();
                if let Some(id) = identifier {
                    line.push(id.to_uppercase());
                }
                line.extend(scalars);
                out.push_str(&line.join("\t"));
                out.push('\n');
            }
            for (k, v) in non_scalars {
                text_item(v, out, Some(k), None, depth + 1);
            }
        }
        Value::Array(items) => {
            if items.is_empty() {
                return;
            }
            if items.iter().any(Value::is_object) {
                let mut keys: Vec<String> = items
                    .iter()
                    .filter_map(Value::as_object)
                    .flat_map(|m| m.iter().filter(|(_, v)| is_scalar(v)).map(|(k, _)| k.clone()))
                    .collect();
                keys.sort();
                keys.dedup();
                for item in items {
                    text_item(item, out, identifier, Some(&keys), depth + 1);
                }
            } else if items.iter().any(Value::is_array) {
                let scalars: Vec<&Value> = items.iter().filter(|v| is_scalar(v)).collect();
                if !scalars.is_empty() {
                    scalar_list(&scalars, identifier, out);
                }
                for item in items.iter().filter(|v| !is_scalar(v)) {
                    text_item(item, out, identifier, None, depth + 1);
                }
            } else {
                let all: Vec<&Value> = items.iter().collect();
                scalar_list(&all, identifier, out);
            }
        }
        scalar => {
            out.push_str(&py_str(scalar));
            out.push('\n');
        }
    }
}

fn scalar_list(items: &[&Value], identifier: Option<&str>, out: &mut String) {
    match identifier {
        Some(id) => {
            for item in items {
                out.push_str(&format!("{}\t{}\n", id.to_uppercase(), py_str(item)));
            }
        }
        None => {
            out.push_str(&items.iter().map(|v| py_str(v)).collect::<Vec<_>>().join("\t"));
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod text_tests {
    use super::text;
    use serde_json::json;

    #[test]
    fn text_as_the_aws_cli_writes_it() {
        assert_eq!(text(&json!({"Account": "1", "Arn": "a", "UserId": "u"})), "1\ta\tu\n");
        assert_eq!(text(&json!({"QueueUrls": ["x", "y"]})), "QUEUEURLS\tx\nQUEUEURLS\ty\n");
        assert_eq!(text(&json!(["x", "y"])), "x\ty\n");
        assert_eq!(
            text(
                &json!({"Roles": [{"RoleName": "a", "Path": "/"}, {"RoleName": "b", "Tags": [{"Key": "k", "Value": "v"}]}]})
            ),
            "ROLES\t/\ta\nROLES\t\tb\nTAGS\tk\tv\n"
        );
        assert_eq!(text(&json!({"Flag": true, "N": null, "F": 1.0})), "1.0\tTrue\tNone\n");
        assert_eq!(text(&json!("plain")), "plain\n");
    }
}
