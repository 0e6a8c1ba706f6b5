//! Command-line arguments to a JSON input, as the AWS CLI reads them: one option per input member
//! (`--function-name f`), booleans as `--flag`/`--no-flag`, several words for a list, JSON or
//! shorthand for structures, maps and lists of structures, `file://` and `fileb://` values; then
//! every value typed by its shape (numbers, booleans, blobs).

use crate::shorthand;
use crate::table::{Member, Service, Shape};
use base64::Engine as _;
use serde_json::{Map, Number, Value};

/// How blob values given as text are read (`--cli-binary-format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryFormat {
    /// The text is the bytes (the AWS CLI v1 behaviour, and v2's `raw-in-base64-out`).
    Raw,
    /// The text is base64 (AWS CLI v2's default, `base64`).
    Base64,
}

/// A parameter error (exit 252), in the AWS CLI's words where it has some.
pub type ParamError = String;

/// One option as given: its name without `--` and its words.
#[derive(Debug, Clone)]
pub struct Given {
    /// Name without `--`.
    pub name: String,
    /// The words that followed it.
    pub values: Vec<String>,
}

/// Reads a `file://` or `fileb://` value (the AWS CLI's "remote" parameters), or the text itself.
/// `fileb://` gives bytes, kept as base64 marked for blobs.
fn load(word: &str) -> Result<Loaded, ParamError> {
    if let Some(path) = word.strip_prefix("fileb://") {
        let bytes = std::fs::read(expand(path))
            .map_err(|e| format!("Error parsing parameter: Unable to load paramfile {word}: {e}"))?;
        return Ok(Loaded::Bytes(bytes));
    }
    if let Some(path) = word.strip_prefix("file://") {
        let text = std::fs::read_to_string(expand(path))
            .map_err(|e| format!("Error parsing parameter: Unable to load paramfile {word}: {e}"))?;
        return Ok(Loaded::Text(text));
    }
    Ok(Loaded::Text(word.to_string()))
}

fn expand(path: &str) -> std::path::PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => std::path::PathBuf::from(home).join(rest),
        _ => std::path::PathBuf::from(path),
    }
}

enum Loaded {
    Text(String),
    Bytes(Vec<u8>),
}

/// The AWS CLI's message for a `--zip-file` that is not a zip archive.
pub const NOT_A_ZIP: &str =
    "--zip-file must be a zip file with the fileb:// prefix.\nExample usage:  --zip-file fileb://path/to/file.zip";

/// Lambda's `--zip-file` (the AWS CLI's customization): the value's bytes (`fileb://` gives the
/// file's; text is its own bytes, or base64 with `--cli-binary-format base64`). `None` when the
/// text is not base64 where base64 is expected, which is no archive either.
pub fn zip_file(words: &[String], format: BinaryFormat) -> Result<Option<Vec<u8>>, ParamError> {
    let [word] = words else { return Err("argument --zip-file: expected one argument".into()) };
    let loaded =
        load(word).map_err(|e| e.replacen("Error parsing parameter:", "Error parsing parameter '--zip-file':", 1))?;
    Ok(match loaded {
        Loaded::Bytes(b) => Some(b),
        Loaded::Text(t) if format == BinaryFormat::Base64 => {
            base64::engine::general_purpose::STANDARD.decode(t.trim()).ok()
        }
        Loaded::Text(t) => Some(t.into_bytes()),
    })
}

/// Whether `bytes` are a zip archive, found as a zip reader finds it: an end-of-central-directory
/// record (`PK\x05\x06`, followed by at most 64 KiB of comment that reaches the end) pointing
/// inside the data, or marking its sizes as in a zip64 record, which then precedes its locator.
pub fn is_zip(bytes: &[u8]) -> bool {
    const EOCD: &[u8; 4] = b"PK\x05\x06";
    const ZIP64_LOCATOR: &[u8; 4] = b"PK\x06\x07";
    const FIXED: usize = 22;
    const LOCATOR: usize = 20;
    let earliest = bytes.len().saturating_sub(FIXED + 0xFFFF);
    (earliest..=bytes.len().saturating_sub(FIXED)).rev().any(|at| {
        let Some(record) = bytes.get(at..at + FIXED) else { return false };
        if &record[..4] != EOCD {
            return false;
        }
        let comment = usize::from(u16::from_le_bytes([record[20], record[21]]));
        if at + FIXED + comment != bytes.len() {
            return false;
        }
        let size = u32::from_le_bytes([record[12], record[13], record[14], record[15]]);
        let offset = u32::from_le_bytes([record[16], record[17], record[18], record[19]]);
        if size == u32::MAX || offset == u32::MAX {
            return at >= LOCATOR && bytes.get(at - LOCATOR..at - LOCATOR + 4) == Some(&ZIP64_LOCATOR[..]);
        }
        (offset as usize).saturating_add(size as usize) <= at
    })
}

/// The JSON input of an operation from its options.
pub fn input(
    service: &Service,
    members: &[Member],
    given: &[Given],
    format: BinaryFormat,
) -> Result<Map<String, Value>, ParamError> {
    let mut out = Map::new();
    for g in given {
        let (member, negated) = match members.iter().find(|m| m.cli == g.name) {
            Some(m) => (m, false),
            None => match g.name.strip_prefix("no-").and_then(|n| members.iter().find(|m| m.cli == n)) {
                Some(m) if matches!(service.shapes[m.shape as usize], Shape::Boolean) => (m, true),
                _ => return Err(format!("Unknown options: --{}", g.name)),
            },
        };
        let shape = &service.shapes[member.shape as usize];
        let raw = match shape {
            Shape::Boolean => match g.values.as_slice() {
                [] => Value::Bool(!negated),
                [v] if !negated && (v == "true" || v == "false") => Value::Bool(v == "true"),
                _ => return Err(format!("argument --{}: expected no value", g.name)),
            },
            _ if g.values.is_empty() => return Err(format!("argument --{}: expected one argument", g.name)),
            Shape::List(item) => {
                let item_shape = &service.shapes[*item as usize];
                if g.values.len() == 1 {
                    let one = one_value(&g.values[0], &g.name, item_shape, true)?;
                    match one {
                        Value::Array(_) => one,
                        v => Value::Array(vec![v]),
                    }
                } else {
                    let items: Result<Vec<Value>, ParamError> =
                        g.values.iter().map(|w| one_value(w, &g.name, item_shape, false)).collect();
                    Value::Array(items?)
                }
            }
            _ => match g.values.as_slice() {
                [w] => one_value(w, &g.name, shape, false)?,
                _ => return Err(format!("Unknown options: {}", g.values[1..].join(", "))),
            },
        };
        let typed = coerce(service, raw, member.shape, member.key, format)?;
        out.insert(member.key.to_string(), typed);
    }
    Ok(out)
}

/// One word of an option: JSON (`{`, `[`), shorthand for structured shapes, else the text.
/// `list_context`: the word is the whole value of a list option (JSON or shorthand list allowed).
fn one_value(word: &str, option: &str, shape: &Shape, list_context: bool) -> Result<Value, ParamError> {
    let text = match load(word)? {
        Loaded::Bytes(b) => {
            return Ok(Value::String(format!("{BYTES_MARK}{}", base64::engine::general_purpose::STANDARD.encode(b))))
        }
        Loaded::Text(t) => t,
    };
    let trimmed = text.trim_start();
    let structured = !shape.is_scalar() || list_context;
    if structured && (trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return serde_json::from_str(&text)
            .map_err(|e| format!("Error parsing parameter '--{option}': Invalid JSON: {e}\nJSON received: {text}"));
    }
    if !shape.is_scalar() && !matches!(shape, Shape::Document) {
        return shorthand::parse(&text).map_err(|e| format!("Error parsing parameter '--{option}': {e}"));
    }
    if matches!(shape, Shape::Document) {
        return serde_json::from_str(&text).or(Ok(Value::String(text)));
    }
    Ok(Value::String(text))
}

/// A blob given with `fileb://`: its bytes are already base64, after this mark.
const BYTES_MARK: &str = "\u{0}fileb:";

/// Types a JSON value by its shape: numbers and booleans from text, blobs to base64, and checks
/// what cannot fit.
pub fn coerce(service: &Service, v: Value, shape: u32, path: &str, format: BinaryFormat) -> Result<Value, ParamError> {
    let invalid = |v: &Value, what: &str| format!("Invalid type for parameter {path}, value: {v}, valid types: {what}");
    Ok(match (&service.shapes[shape as usize], v) {
        (Shape::Integer | Shape::Long, Value::String(s)) => Value::Number(
            s.trim()
                .parse::<i64>()
                .map(Number::from)
                .map_err(|_| invalid(&Value::String(s.clone()), "<class 'int'>"))?,
        ),
        (Shape::Float | Shape::Double, Value::String(s)) => {
            let f = s.trim().parse::<f64>().ok().and_then(Number::from_f64);
            Value::Number(f.ok_or_else(|| invalid(&Value::String(s.clone()), "<class 'float'>"))?)
        }
        (Shape::Boolean, Value::String(s)) => match s.to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(invalid(&Value::String(s), "<class 'bool'>")),
        },
        (Shape::Blob, Value::String(s)) => match s.strip_prefix(BYTES_MARK) {
            Some(b64) => Value::String(b64.to_string()),
            None if format == BinaryFormat::Raw => {
                Value::String(base64::engine::general_purpose::STANDARD.encode(s.as_bytes()))
            }
            None => Value::String(s),
        },
        (Shape::String | Shape::Enum(_), Value::String(s)) => Value::String(
            s.strip_prefix(BYTES_MARK)
                .map(|b| {
                    base64::engine::general_purpose::STANDARD
                        .decode(b)
                        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                        .unwrap_or_default()
                })
                .unwrap_or(s),
        ),
        (Shape::List(item), Value::Array(items)) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| coerce(service, v, *item, &format!("{path}[{i}]"), format))
                .collect::<Result<_, _>>()?,
        ),
        (Shape::Map(_, value), Value::Object(map)) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let p = format!("{path}.{k}");
                    coerce(service, v, *value, &p, format).map(|v| (k, v))
                })
                .collect::<Result<_, _>>()?,
        ),
        (Shape::Struct(members) | Shape::Union(members), Value::Object(map)) => {
            let mut out = Map::new();
            for (k, v) in map {
                let Some(m) = members.iter().find(|m| m.key == k) else {
                    let valid: Vec<&str> = members.iter().map(|m| m.key).collect();
                    return Err(format!("Unknown parameter in {path}: \"{k}\", must be one of: {}", valid.join(", ")));
                };
                let p = format!("{path}.{k}");
                out.insert(k, coerce(service, v, m.shape, &p, format)?);
            }
            Value::Object(out)
        }
        (Shape::Struct(_) | Shape::Union(_) | Shape::Map(..), v) => return Err(invalid(&v, "<class 'dict'>")),
        (Shape::List(_), v) => return Err(invalid(&v, "<class 'list'>, <class 'tuple'>")),
        (_, v) => v,
    })
}

/// A skeleton of an input or output, as botocore's `ArgumentGenerator` builds it for
/// `--generate-cli-skeleton`: `""` for strings (the member's name with `member_names`, as the AWS
/// CLI's output skeleton has), `0`, `0.0`, `true`, `null` for blobs, `1970-01-01T00:00:00` for
/// timestamps, one element per list, a `KeyName` entry per map, and `{}` for a structure already
/// being expanded twice on the way down. An enum gets its first value (the AWS CLI picks one at
/// random).
pub fn skeleton(service: &Service, members: &[Member], member_names: bool) -> Value {
    fn of(service: &Service, shape: u32, name: &str, member_names: bool, stack: &mut Vec<u32>) -> Value {
        stack.push(shape);
        let v = match &service.shapes[shape as usize] {
            Shape::String | Shape::QuotedJson if member_names => Value::String(name.to_string()),
            Shape::Enum(_) if member_names => Value::String(name.to_string()),
            Shape::String | Shape::QuotedJson => Value::String(String::new()),
            Shape::Enum(values) => Value::String(values.first().map(|v| v.to_string()).unwrap_or_default()),
            Shape::Integer | Shape::Long => Value::from(0),
            Shape::Float | Shape::Double => Value::from(0.0),
            Shape::Boolean => Value::Bool(true),
            Shape::Timestamp => Value::String("1970-01-01T00:00:00".into()),
            Shape::Blob | Shape::Stream => Value::Null,
            Shape::Document => Value::Object(Map::new()),
            Shape::List(item) => Value::Array(vec![of(service, *item, "", member_names, stack)]),
            Shape::Map(_, v) => {
                let mut m = Map::new();
                m.insert("KeyName".into(), of(service, *v, "", member_names, stack));
                Value::Object(m)
            }
            Shape::Struct(ms) | Shape::Union(ms) => {
                if stack.iter().filter(|s| **s == shape).count() > 1 || stack.len() > 64 {
                    Value::Object(Map::new())
                } else {
                    Value::Object(
                        ms.iter()
                            .map(|m| (m.key.to_string(), of(service, m.shape, m.key, member_names, stack)))
                            .collect(),
                    )
                }
            }
        };
        stack.pop();
        v
    }
    let mut stack = Vec::new();
    Value::Object(
        members.iter().map(|m| (m.key.to_string(), of(service, m.shape, m.key, member_names, &mut stack))).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::is_zip;

    #[test]
    fn zip_archives_are_told_from_other_bytes() {
        // The smallest archive: an end-of-central-directory record and nothing else.
        let mut empty = b"PK\x05\x06".to_vec();
        empty.extend([0u8; 18]);
        assert!(is_zip(&empty));
        let mut commented = empty.clone();
        commented[20] = 3;
        commented.extend(b"abc");
        assert!(is_zip(&commented));
        assert!(!is_zip(b"plain text"));
        assert!(!is_zip(b""));
        // A record whose directory would lie past it is not an archive.
        let mut bad = empty.clone();
        bad[16] = 9;
        assert!(!is_zip(&bad));
        // A comment length that does not reach the end is not one either.
        let mut short = empty;
        short.push(b'x');
        assert!(!is_zip(&short));
    }
}
