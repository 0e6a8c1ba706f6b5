//! Resolution: [`RuleSet::resolve`] and the rule-set standard library.

use crate::{Condition, Endpoint, EndpointError, Expr, Params, Partitions, Rule, RuleEndpoint, RuleSet, Value};
use std::collections::HashMap;

impl RuleSet {
    /// Resolves an endpoint for `params`.
    pub fn resolve(&self, partitions: &Partitions, params: &Params) -> Result<Endpoint, EndpointError> {
        let mut scope: HashMap<String, Value> = HashMap::new();
        for (name, p) in &self.parameters {
            let value = params.get(name).cloned().or_else(|| p.default.as_ref().and_then(Value::from_json));
            match value {
                Some(v) => {
                    let ok = matches!(
                        (p.kind.as_str(), &v),
                        ("string" | "String", Value::String(_))
                            | ("boolean" | "Boolean", Value::Bool(_))
                            | ("stringArray", Value::Array(_))
                    );
                    if !ok {
                        return Err(EndpointError(format!("parameter `{name}` must be a {}", p.kind)));
                    }
                    scope.insert(name.clone(), v);
                }
                None if p.required => return Err(EndpointError(format!("missing required parameter `{name}`"))),
                None => {}
            }
        }
        let eval = Eval { partitions };
        match eval.rules(&self.rules, &mut scope)? {
            Some(endpoint) => Ok(endpoint),
            None => Err(EndpointError("no rule matched".into())),
        }
    }
}

struct Eval<'a> {
    partitions: &'a Partitions,
}

/// Rule evaluation results: an endpoint, or an error rule's message.
type Outcome = Result<Option<Endpoint>, EndpointError>;

impl Eval<'_> {
    fn rules(&self, rules: &[Rule], scope: &mut HashMap<String, Value>) -> Outcome {
        for rule in rules {
            let conditions = rule.conditions();
            // Assignments made by conditions are visible only inside this rule.
            let mut local = scope.clone();
            if !self.conditions(conditions, &mut local)? {
                continue;
            }
            match rule {
                Rule::Endpoint { endpoint, .. } => return self.endpoint(endpoint, &local).map(Some),
                Rule::Error { error, .. } => {
                    let msg = self.expr(error, &local)?;
                    return Err(EndpointError(
                        msg.as_ref().and_then(Value::as_str).unwrap_or("error rule matched").to_string(),
                    ));
                }
                Rule::Tree { rules, .. } => {
                    if let Some(e) = self.rules(rules, &mut local)? {
                        return Ok(Some(e));
                    }
                    // A tree whose rules all fail to match: per the spec this is an error.
                    return Err(EndpointError("a rule tree matched but none of its rules did".into()));
                }
            }
        }
        Ok(None)
    }

    fn conditions(&self, conditions: &[Condition], scope: &mut HashMap<String, Value>) -> Result<bool, EndpointError> {
        for c in conditions {
            let value = self.call(&c.func, &c.argv, scope)?;
            let truthy = match &value {
                None | Some(Value::Bool(false)) => false,
                Some(_) => true,
            };
            if !truthy {
                return Ok(false);
            }
            if let (Some(name), Some(v)) = (&c.assign, value) {
                scope.insert(name.clone(), v);
            }
        }
        Ok(true)
    }

    fn endpoint(&self, e: &RuleEndpoint, scope: &HashMap<String, Value>) -> Result<Endpoint, EndpointError> {
        let url = match self.expr(&e.url, scope)? {
            Some(Value::String(s)) => s,
            _ => return Err(EndpointError("endpoint URL is not a string".into())),
        };
        let mut headers = Vec::new();
        for (name, values) in &e.headers {
            let mut out = Vec::new();
            for v in values {
                if let Some(Value::String(s)) = self.expr(v, scope)? {
                    out.push(s);
                }
            }
            headers.push((name.clone(), out));
        }
        headers.sort();
        let mut properties = serde_json::Map::new();
        for (k, v) in &e.properties {
            if let Some(v) = self.expr(v, scope)? {
                properties.insert(k.clone(), v.to_json());
            }
        }
        Ok(Endpoint { url, headers, properties })
    }

    fn expr(&self, e: &Expr, scope: &HashMap<String, Value>) -> Result<Option<Value>, EndpointError> {
        Ok(match e {
            Expr::Ref { name } => scope.get(name).cloned(),
            Expr::Call { func, argv } => self.call(func, argv, scope)?,
            Expr::String(s) => Some(Value::String(template(s, scope)?)),
            Expr::Bool(b) => Some(Value::Bool(*b)),
            Expr::Int(i) => Some(Value::Int(*i)),
            Expr::Array(items) => {
                let mut out = Vec::new();
                for i in items {
                    out.extend(self.expr(i, scope)?);
                }
                Some(Value::Array(out))
            }
            Expr::Object(map) => {
                let mut out = HashMap::new();
                for (k, v) in map {
                    if let Some(v) = self.expr(v, scope)? {
                        out.insert(k.clone(), v);
                    }
                }
                Some(Value::Record(out))
            }
        })
    }

    fn call(&self, func: &str, argv: &[Expr], scope: &HashMap<String, Value>) -> Result<Option<Value>, EndpointError> {
        let mut args = Vec::with_capacity(argv.len());
        for a in argv {
            args.push(self.expr(a, scope)?);
        }
        let arity = |n: usize| {
            if args.len() == n {
                Ok(())
            } else {
                Err(EndpointError(format!("`{func}` takes {n} arguments, got {}", args.len())))
            }
        };
        let s = |i: usize| args.get(i).and_then(|a| a.as_ref()).and_then(Value::as_str);
        Ok(match func {
            "isSet" => {
                arity(1)?;
                Some(Value::Bool(args[0].is_some()))
            }
            "not" => {
                arity(1)?;
                Some(Value::Bool(!matches!(args[0], Some(Value::Bool(true)))))
            }
            "booleanEquals" => {
                arity(2)?;
                Some(Value::Bool(
                    matches!((&args[0], &args[1]), (Some(Value::Bool(a)), Some(Value::Bool(b))) if a == b),
                ))
            }
            "stringEquals" => {
                arity(2)?;
                Some(Value::Bool(matches!((s(0), s(1)), (Some(a), Some(b)) if a == b)))
            }
            "getAttr" => {
                arity(2)?;
                match (&args[0], s(1)) {
                    (Some(v), Some(path)) => get_attr(v, path),
                    _ => None,
                }
            }
            "substring" => {
                arity(4)?;
                let (Some(input), Some(Value::Int(start)), Some(Value::Int(stop)), Some(Value::Bool(reverse))) =
                    (s(0), &args[1], &args[2], &args[3])
                else {
                    return Ok(None);
                };
                substring(input, *start, *stop, *reverse).map(Value::String)
            }
            "uriEncode" => {
                arity(1)?;
                s(0).map(|v| {
                    let mut out = String::new();
                    uri_encode(v, &mut out);
                    Value::String(out)
                })
            }
            "isValidHostLabel" => {
                arity(2)?;
                match (s(0), &args[1]) {
                    (Some(label), Some(Value::Bool(allow_dots))) => {
                        Some(Value::Bool(valid_host_label(label, *allow_dots)))
                    }
                    _ => Some(Value::Bool(false)),
                }
            }
            "parseURL" => {
                arity(1)?;
                s(0).and_then(parse_url)
            }
            "aws.partition" => {
                arity(1)?;
                s(0).and_then(|r| self.partitions.partition_of(r))
            }
            "aws.parseArn" => {
                arity(1)?;
                s(0).and_then(parse_arn)
            }
            "aws.isVirtualHostableS3Bucket" => {
                arity(2)?;
                match (s(0), &args[1]) {
                    (Some(b), Some(Value::Bool(allow_dots))) => {
                        Some(Value::Bool(virtual_hostable_bucket(b, *allow_dots)))
                    }
                    _ => Some(Value::Bool(false)),
                }
            }
            other => return Err(EndpointError(format!("unknown rule function `{other}`"))),
        })
    }
}

/// `uriEncode`: every byte but the RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`) as
/// `%XX`, upper-case hex (the same set as the runtime's percent-encoder).
fn uri_encode(s: &str, out: &mut String) {
    const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX_UPPER[usize::from(b >> 4)] as char);
            out.push(HEX_UPPER[usize::from(b & 15)] as char);
        }
    }
}

/// `a.b[0]` paths of `getAttr` and templates.
fn get_attr(value: &Value, path: &str) -> Option<Value> {
    let mut current = value.clone();
    for part in path.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((n, rest)) => (n, rest.strip_suffix(']').and_then(|i| i.parse::<usize>().ok())),
            None => (part, None),
        };
        if !name.is_empty() {
            current = match current {
                Value::Record(mut r) => r.remove(name)?,
                _ => return None,
            };
        }
        if let Some(i) = index {
            current = match current {
                Value::Array(mut a) if i < a.len() => a.swap_remove(i),
                _ => return None,
            };
        }
    }
    Some(current)
}

/// Expands `{Name}` and `{Name#attr}` in a template; `{{` and `}}` are literal braces.
fn template(s: &str, scope: &HashMap<String, Value>) -> Result<String, EndpointError> {
    if !s.contains(['{', '}']) {
        return Ok(s.to_string());
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' if s[i + 1..].starts_with('{') => {
                out.push('{');
                chars.next();
            }
            '}' if s[i + 1..].starts_with('}') => {
                out.push('}');
                chars.next();
            }
            '{' => {
                let end = s[i..].find('}').ok_or_else(|| EndpointError(format!("unclosed `{{` in template `{s}`")))?;
                let inner = &s[i + 1..i + end];
                let (name, attr) = inner.split_once('#').unwrap_or((inner, ""));
                let base =
                    scope.get(name).ok_or_else(|| EndpointError(format!("template `{s}` uses unset `{name}`")))?;
                let value = if attr.is_empty() { Some(base.clone()) } else { get_attr(base, attr) };
                match value {
                    Some(Value::String(v)) => out.push_str(&v),
                    Some(Value::Bool(b)) => out.push_str(if b { "true" } else { "false" }),
                    Some(Value::Int(n)) => out.push_str(&n.to_string()),
                    _ => return Err(EndpointError(format!("template `{s}`: `{inner}` is not a string"))),
                }
                while let Some((j, _)) = chars.peek() {
                    if *j <= i + end {
                        chars.next();
                    } else {
                        break;
                    }
                }
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

fn substring(input: &str, start: i64, stop: i64, reverse: bool) -> Option<String> {
    if !input.is_ascii() || start < 0 || stop <= start || stop as usize > input.len() {
        return None;
    }
    let (start, stop) = (start as usize, stop as usize);
    let len = input.len();
    let (a, b) = if reverse { (len - stop, len - start) } else { (start, stop) };
    Some(input[a..b].to_string())
}

fn valid_host_label(label: &str, allow_dots: bool) -> bool {
    let one = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && l.as_bytes()[0].is_ascii_alphanumeric()
    };
    if allow_dots {
        label.split('.').all(one)
    } else {
        one(label)
    }
}

fn virtual_hostable_bucket(bucket: &str, allow_dots: bool) -> bool {
    let ok_chars = bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    let looks_like_ip = bucket.split('.').count() == 4 && bucket.split('.').all(|p| p.parse::<u8>().is_ok());
    (3..=63).contains(&bucket.len())
        && ok_chars
        && valid_host_label(bucket, allow_dots)
        && !bucket.ends_with('-')
        && !looks_like_ip
        && (allow_dots || !bucket.contains('.'))
}

fn parse_url(url: &str) -> Option<Value> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "http" && scheme != "https" || rest.contains('?') || rest.contains('#') {
        return None;
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if authority.is_empty() {
        return None;
    }
    let host =
        authority
            .rsplit_once(':')
            .map_or(authority, |(h, p)| if p.bytes().all(|b| b.is_ascii_digit()) { h } else { authority });
    let is_ip =
        host.starts_with('[') || (host.split('.').count() == 4 && host.split('.').all(|p| p.parse::<u8>().is_ok()));
    let normalized = if path.ends_with('/') { path.to_string() } else { format!("{path}/") };
    let mut r = HashMap::new();
    r.insert("scheme".into(), Value::String(scheme.into()));
    r.insert("authority".into(), Value::String(authority.into()));
    r.insert("path".into(), Value::String(path.into()));
    r.insert("normalizedPath".into(), Value::String(normalized));
    r.insert("isIp".into(), Value::Bool(is_ip));
    Some(Value::Record(r))
}

fn parse_arn(arn: &str) -> Option<Value> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || parts[1].is_empty() || parts[2].is_empty() || parts[5].is_empty() {
        return None;
    }
    let resource: Vec<Value> = parts[5].split([':', '/']).map(Value::from).collect();
    let mut r = HashMap::new();
    r.insert("partition".into(), Value::from(parts[1]));
    r.insert("service".into(), Value::from(parts[2]));
    r.insert("region".into(), Value::from(parts[3]));
    r.insert("accountId".into(), Value::from(parts[4]));
    r.insert("resourceId".into(), Value::Array(resource));
    Some(Value::Record(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_expand_and_escape() {
        let mut scope = HashMap::new();
        scope.insert("Region".to_string(), Value::from("us-east-1"));
        let mut rec = HashMap::new();
        rec.insert("dnsSuffix".to_string(), Value::from("amazonaws.com"));
        scope.insert("P".to_string(), Value::Record(rec));
        assert_eq!(template("https://x.{Region}.{P#dnsSuffix}", &scope).unwrap(), "https://x.us-east-1.amazonaws.com");
        assert_eq!(template("{{literal}}", &scope).unwrap(), "{literal}");
        assert!(template("{Missing}", &scope).is_err());
    }

    #[test]
    fn partitions_match_regions_and_patterns() {
        let p = Partitions::builtin();
        let name = |r: &str| match p.partition_of(r) {
            Some(Value::Record(m)) => m.get("name").and_then(Value::as_str).map(str::to_string),
            _ => None,
        };
        assert_eq!(name("us-east-1").as_deref(), Some("aws"));
        assert_eq!(name("cn-north-1").as_deref(), Some("aws-cn"));
        assert_eq!(name("us-gov-west-9").as_deref(), Some("aws-us-gov"));
        assert_eq!(name("us-isob-east-7").as_deref(), Some("aws-iso-b"));
        assert_eq!(name("mars-central-1").as_deref(), Some("aws"), "unknown regions fall back to aws");
    }

    #[test]
    fn arn_url_and_substring() {
        let arn = parse_arn("arn:aws:lambda:us-east-1:123456789012:function:my-fn").unwrap();
        assert_eq!(get_attr(&arn, "resourceId[1]"), Some(Value::from("my-fn")));
        assert!(parse_arn("arn:aws").is_none());
        let url = parse_url("http://127.0.0.1:8080/base").unwrap();
        assert_eq!(get_attr(&url, "isIp"), Some(Value::Bool(true)));
        assert_eq!(get_attr(&url, "normalizedPath"), Some(Value::from("/base/")));
        assert_eq!(substring("abcdef", 0, 2, true).as_deref(), Some("ef"));
        assert!(valid_host_label("a.b-c", true) && !valid_host_label("-a", false));
    }

    #[test]
    fn uri_encode_keeps_only_unreserved() {
        // The vector of the runtime's percent-encoder test: the two encoders agree.
        let mut out = String::new();
        uri_encode("a-Z_0.~/ é+", &mut out);
        assert_eq!(out, "a-Z_0.~%2F%20%C3%A9%2B");
    }
}
