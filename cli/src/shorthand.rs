//! The AWS CLI's shorthand syntax for structures, maps and lists: `Key=a,Value=b`,
//! `Name=x,Values=[a,b]`, `Tags={k=v}`, values quoted with `"` or `'`. The result is JSON, typed
//! later by the shape it is read as.

use serde_json::{Map, Value};

/// Parses one shorthand argument into a JSON object (`k=v,...`) or, for a bare value list
/// (`a,b,c`), an array of strings.
pub fn parse(text: &str) -> Result<Value, String> {
    let mut p = Parser { s: text.as_bytes(), pos: 0, depth: 0 };
    let v = if p.looks_like_key_value() { p.object(None)? } else { p.values(None)? };
    if p.pos != p.s.len() {
        return Err(p.error("unexpected text"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    depth: usize,
}

const MAX_DEPTH: usize = 64;

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        format!("Error parsing parameter: {what} at character {} of the shorthand value", self.pos + 1)
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    /// `key=` (a name, then `=`) ahead.
    fn looks_like_key_value(&self) -> bool {
        let mut i = self.pos;
        while i < self.s.len() && self.s[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < self.s.len() && (self.s[i].is_ascii_alphanumeric() || b"_-.:/".contains(&self.s[i])) {
            i += 1;
        }
        i > start && self.s.get(i) == Some(&b'=')
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    /// `k=v,k2=v2` up to `close` (or the end).
    fn object(&mut self, close: Option<u8>) -> Result<Value, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        let mut map = Map::new();
        loop {
            self.skip_ws();
            if close.is_some() && self.peek() == close {
                break;
            }
            let key = self.word(b"=")?;
            if key.is_empty() {
                return Err(self.error("expected a key"));
            }
            if self.peek() != Some(b'=') {
                return Err(self.error("expected `=`"));
            }
            self.pos += 1;
            let value = self.value(close)?;
            map.insert(key, value);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                c if c == close => break,
                None => break,
                _ => return Err(self.error("expected `,`")),
            }
        }
        self.depth -= 1;
        Ok(Value::Object(map))
    }

    /// A value: `[...]`, `{...}`, a quoted string, or a bare word. Bare values separated by `,`
    /// after `=` form a list when the next item is not `key=` (`Values=a,b,Name=x`).
    fn value(&mut self, close: Option<u8>) -> Result<Value, String> {
        self.skip_ws();
        match self.peek() {
            Some(b'[') => {
                self.pos += 1;
                let v = self.values(Some(b']'))?;
                self.expect(b']')?;
                Ok(v)
            }
            Some(b'{') => {
                self.pos += 1;
                let v = self.object(Some(b'}'))?;
                self.expect(b'}')?;
                Ok(v)
            }
            _ => {
                let first = self.scalar(close)?;
                let mut items = vec![first];
                while self.peek() == Some(b',') {
                    let save = self.pos;
                    self.pos += 1;
                    if self.looks_like_key_value() || self.peek().is_none() || self.peek() == close {
                        self.pos = save;
                        break;
                    }
                    if self.peek() == Some(b'=') {
                        return Err(self.error("expected a key before `=`"));
                    }
                    items.push(self.scalar(close)?);
                }
                Ok(if items.len() == 1 { items.remove(0) } else { Value::Array(items) })
            }
        }
    }

    /// Comma-separated values up to `close` (or the end): a list.
    fn values(&mut self, close: Option<u8>) -> Result<Value, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            if self.peek() == close || self.peek().is_none() {
                break;
            }
            let item = match self.peek() {
                Some(b'[') => {
                    self.pos += 1;
                    let v = self.values(Some(b']'))?;
                    self.expect(b']')?;
                    v
                }
                Some(b'{') => {
                    self.pos += 1;
                    let v = self.object(Some(b'}'))?;
                    self.expect(b'}')?;
                    v
                }
                _ => self.scalar(close)?,
            };
            items.push(item);
            self.skip_ws();
            if self.peek() == Some(b',') {
                self.pos += 1;
            } else {
                break;
            }
        }
        self.depth -= 1;
        Ok(Value::Array(items))
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected `{}`", c as char)))
        }
    }

    /// A quoted or bare string.
    fn scalar(&mut self, close: Option<u8>) -> Result<Value, String> {
        self.skip_ws();
        let stops: &[u8] = match close {
            Some(b']') => b",]",
            Some(b'}') => b",}",
            _ => b",",
        };
        Ok(Value::String(self.word(stops)?))
    }

    /// Text up to one of `stops` (outside quotes), trimmed; quotes removed.
    fn word(&mut self, stops: &[u8]) -> Result<String, String> {
        self.skip_ws();
        let mut out = Vec::new();
        if let Some(q @ (b'"' | b'\'')) = self.peek() {
            self.pos += 1;
            loop {
                match self.peek() {
                    None => return Err(self.error("unterminated quote")),
                    Some(b'\\') if q == b'"' && self.s.get(self.pos + 1).is_some_and(|c| *c == b'"' || *c == b'\\') => {
                        out.push(self.s[self.pos + 1]);
                        self.pos += 2;
                    }
                    Some(c) if c == q => {
                        self.pos += 1;
                        break;
                    }
                    Some(c) => {
                        out.push(c);
                        self.pos += 1;
                    }
                }
            }
            self.skip_ws();
        } else {
            while let Some(c) = self.peek() {
                if stops.contains(&c) {
                    break;
                }
                out.push(c);
                self.pos += 1;
            }
            while out.last().is_some_and(|c| c.is_ascii_whitespace()) {
                out.pop();
            }
        }
        String::from_utf8(out).map_err(|_| self.error("invalid UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::parse;
    use serde_json::json;

    #[test]
    fn shorthand_forms() {
        assert_eq!(parse("Key=a,Value=b").unwrap(), json!({"Key": "a", "Value": "b"}));
        assert_eq!(parse("Name=x,Values=a,b").unwrap(), json!({"Name": "x", "Values": ["a", "b"]}));
        assert_eq!(
            parse("Name=x,Values=[a,b],Other=y").unwrap(),
            json!({"Name": "x", "Values": ["a", "b"], "Other": "y"})
        );
        assert_eq!(parse("Tags={k=v,k2=v2}").unwrap(), json!({"Tags": {"k": "v", "k2": "v2"}}));
        assert_eq!(parse("Msg=\"a,b=c\"").unwrap(), json!({"Msg": "a,b=c"}));
        assert!(parse("Msg='it''").unwrap_err().contains("character"));
        assert_eq!(parse("a,b,c").unwrap(), json!(["a", "b", "c"]));
        assert!(parse("Key=a,=b").is_err());
        assert!(parse(&"Tags={".repeat(200)).is_err());
    }
}
