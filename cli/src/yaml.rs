//! `--output yaml`: YAML identical to `aws --output yaml`.
//!
//! AWS CLI v2 prints YAML with ruamel.yaml 0.17.21 (`YAML(typ='safe', pure=True)` with
//! `default_flow_style = False`). This module reproduces that emitter byte for byte for values that
//! come from parsing JSON: keys are sorted, collections are written in block style (empty ones as
//! `[]`/`{}`), and each string is written plain, single-quoted or double-quoted exactly when ruamel
//! would, folded at the same 80-column limit.

use serde_json::{Map, Value};

/// Column past which ruamel breaks a scalar at the next suitable space (`best_width`).
const WIDTH: usize = 80;

/// Longest key (in characters) written as a simple `key: value` entry. Ruamel's simple-key limit is
/// 128 characters, including the five of the implicit `!!str` tag; longer keys use `? key`.
const MAX_SIMPLE_KEY: usize = 122;

/// Renders `value` exactly as `aws --output yaml` prints the same JSON response.
///
/// An empty object renders as nothing at all (the CLI prints no output for it); anything else ends
/// with a newline, and a plain scalar at the root is followed by the `...` document end marker.
#[must_use]
pub fn to_yaml(value: &Value) -> String {
    let mut w = Writer::default();
    match value {
        Value::Object(map) if map.is_empty() => {}
        Value::Object(map) => w.mapping(map, 0),
        Value::Array(items) if !items.is_empty() => w.sequence(items, 0),
        Value::Array(_) => w.text("[]\n"),
        scalar => {
            let plain = w.scalar(scalar, 0, true);
            w.text(if plain { "\n...\n" } else { "\n" });
        }
    }
    w.out
}

/// Output buffer that tracks the current column (in characters, as ruamel counts it).
#[derive(Default)]
struct Writer {
    out: String,
    col: usize,
}

impl Writer {
    fn push(&mut self, c: char) {
        self.out.push(c);
        self.col = if is_break(c) { 0 } else { self.col + 1 };
    }

    fn text(&mut self, s: &str) {
        s.chars().for_each(|c| self.push(c));
    }

    fn pad(&mut self, indent: usize) {
        while self.col < indent {
            self.push(' ');
        }
    }

    fn newline(&mut self, indent: usize) {
        self.push('\n');
        self.pad(indent);
    }

    /// Block mapping whose entries start at column `indent`; the cursor is at the start of a line or
    /// (after `- ` or `: `) already at `indent`.
    fn mapping(&mut self, map: &Map<String, Value>, indent: usize) {
        let mut entries: Vec<_> = map.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        for (key, value) in entries {
            self.pad(indent);
            if key.chars().count() <= MAX_SIMPLE_KEY && !analyze(key).multiline {
                self.string(key, indent, false);
                self.push(':');
                match value {
                    Value::Object(map) if !map.is_empty() => {
                        self.push('\n');
                        self.mapping(map, indent + 2);
                    }
                    // A sequence under a simple key is not indented further: `Key:\n- item`.
                    Value::Array(items) if !items.is_empty() => {
                        self.push('\n');
                        self.sequence(items, indent);
                    }
                    _ => self.item(value, indent),
                }
            } else {
                // Long or multi-line keys are explicit, and fold like values: `? key\n: value`.
                self.text("? ");
                self.string(key, indent + 2, true);
                self.newline(indent);
                self.push(':');
                self.item(value, indent);
            }
        }
    }

    /// Block sequence whose dashes are at column `indent`.
    fn sequence(&mut self, items: &[Value], indent: usize) {
        for item in items {
            self.pad(indent);
            self.push('-');
            self.item(item, indent);
        }
    }

    /// Writes `value` after an indicator (`-`, `:` or `?`) of a collection at `indent`, on the same
    /// line: nested collections start compactly (`- a: 1`, `- - x`).
    fn item(&mut self, value: &Value, indent: usize) {
        self.push(' ');
        match value {
            Value::Object(map) if map.is_empty() => self.text("{}\n"),
            Value::Array(items) if items.is_empty() => self.text("[]\n"),
            Value::Object(map) => self.mapping(map, indent + 2),
            Value::Array(items) => self.sequence(items, indent + 2),
            scalar => {
                self.scalar(scalar, indent + 2, true);
                self.push('\n');
            }
        }
    }

    /// Writes a scalar whose continuation lines are indented to `indent`; `split` allows folding.
    /// Returns whether it was written plain. Non-string values always resolve back to their own
    /// type, so they are plain (collections never reach here).
    fn scalar(&mut self, value: &Value, indent: usize, split: bool) -> bool {
        match value {
            Value::String(s) => return self.string(s, indent, split),
            Value::Bool(b) => self.text(if *b { "true" } else { "false" }),
            Value::Number(n) => match n.as_f64() {
                Some(f) if n.is_f64() => self.text(&float(f)),
                _ => self.text(&n.to_string()),
            },
            _ => self.text("null"),
        }
        true
    }

    /// Writes a string in the style ruamel picks for it and returns whether it was plain: plain when
    /// allowed and it reads back as a string; double-quoted when it contains `'` or `\n` or needs
    /// escapes; single-quoted otherwise.
    fn string(&mut self, s: &str, indent: usize, split: bool) -> bool {
        let analysis = analyze(s);
        let chars: Vec<char> = s.chars().collect();
        if analysis.plain && !resolves_to_non_string(s) {
            self.folded(&chars, indent, split);
            return true;
        }
        if s.contains(['\'', '\n']) || !analysis.single_quoted {
            self.double_quoted(&chars, indent, split);
        } else {
            self.push('\'');
            self.folded(&chars, indent, split);
            self.push('\'');
        }
        false
    }

    /// Plain or single-quoted text (which never contains `'` or `\n`). Once past the width, a lone
    /// inner space becomes a line break; other line breaks are written as-is and then indented.
    fn folded(&mut self, chars: &[char], indent: usize, split: bool) {
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).and_then(|p| chars.get(p));
            let next = chars.get(i + 1);
            if c == ' '
                && split
                && self.col > WIDTH
                && prev.is_some_and(|&p| p != ' ')
                && next.is_some_and(|&n| n != ' ')
            {
                self.newline(indent);
            } else {
                self.push(c);
                if is_break(c) && !next.is_some_and(|&n| is_break(n)) {
                    self.pad(indent);
                }
            }
        }
    }

    /// Double-quoted text with escapes. Past the width, the line is broken with a trailing `\`
    /// before a space or right after an escape; a space starting the next line is escaped as `\ `.
    fn double_quoted(&mut self, chars: &[char], indent: usize, split: bool) {
        self.push('"');
        let mut start = 0;
        for end in 0..=chars.len() {
            let ch = chars.get(end).copied();
            // The end of the text flushes pending characters just like an escape does.
            let flush = match ch {
                Some(c) => needs_escape(c),
                None => true,
            };
            if flush {
                chars.get(start..end).unwrap_or_default().iter().for_each(|&c| self.push(c));
                start = end;
                if let Some(c) = ch {
                    self.text(&escape(c));
                    start = end + 1;
                }
            }
            if split
                && end > 0
                && end + 1 < chars.len()
                && (ch == Some(' ') || start >= end)
                && self.col + end > WIDTH + start
            {
                chars.get(start..end).unwrap_or_default().iter().for_each(|&c| self.push(c));
                self.push('\\');
                start = start.max(end);
                self.newline(indent);
                if chars.get(start) == Some(&' ') {
                    self.push('\\');
                }
            }
        }
        self.push('"');
    }
}

/// Line break characters as YAML 1.1 (and so ruamel's emitter) defines them.
fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Characters that must be escaped in a double-quoted scalar (unicode is otherwise kept as-is,
/// except outside the basic multilingual plane).
fn needs_escape(c: char) -> bool {
    matches!(c, '"' | '\\' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}')
        || !matches!(c, ' '..='~' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
}

/// Escape sequence for a character of a double-quoted scalar: `\n`-style when YAML has one.
fn escape(c: char) -> String {
    const ESCAPED: &str = "\0\x07\x08\t\n\x0B\x0C\r\x1B\"\\\u{85}\u{2028}\u{2029}";
    const LETTERS: &str = "0abtnvfre\"\\NLP";
    match ESCAPED.chars().zip(LETTERS.chars()).find(|&(escaped, _)| escaped == c) {
        Some((_, letter)) => format!("\\{letter}"),
        None if c <= '\u{FF}' => format!("\\x{:02X}", u32::from(c)),
        None if c <= '\u{FFFF}' => format!("\\u{:04X}", u32::from(c)),
        None => format!("\\U{:08X}", u32::from(c)),
    }
}

/// The parts of ruamel's `analyze_scalar` that matter in block context.
struct Analysis {
    /// Contains a line break (such a key needs the explicit `? key` form).
    multiline: bool,
    /// No indicator, special character, line break or leading/trailing space prevents a plain scalar.
    plain: bool,
    /// No special character or space next to a line break prevents single quotes.
    single_quoted: bool,
}

fn analyze(s: &str) -> Analysis {
    let chars: Vec<char> = s.chars().collect();
    let space_or_end = |c: Option<&char>| match c {
        Some(&c) => matches!(c, '\0' | ' ' | '\t' | '\r') || is_break(c),
        None => true,
    };
    let mut indicator = s.starts_with("---") || s.starts_with("...");
    let (mut multiline, mut special, mut break_and_space) = (false, false, false);
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| chars.get(p));
        let spaced = space_or_end(chars.get(i + 1));
        indicator |= match prev {
            None => "#,[]{}&*!|>'\"%@`".contains(c) || (matches!(c, '?' | ':' | '-') && spaced),
            Some(_) => (c == ':' && spaced) || (c == '#' && space_or_end(prev)),
        };
        multiline |= is_break(c);
        let printable = matches!(c, '\n' | ' '..='~' | '\u{85}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
            || c >= '\u{10000}';
        special |= !printable || c == '\u{FEFF}';
        break_and_space |= (c == ' ' && prev.is_some_and(|&p| is_break(p))) || (is_break(c) && prev == Some(&' '));
    }
    let edge_space = s.starts_with(' ') || s.ends_with(' ');
    Analysis {
        multiline,
        plain: !(indicator || special || multiline || edge_space),
        single_quoted: !(special || break_and_space),
    }
}

/// Whether plain `s` would be read back as something other than a string by ruamel's YAML 1.2
/// implicit resolvers (null, bool, int, float, timestamp, merge, value and the `!&*` yaml tag).
fn resolves_to_non_string(s: &str) -> bool {
    const WORDS: [&str; 16] =
        ["", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "<<", "=", "!", "&", "*"];
    WORDS.contains(&s) || is_int(s) || is_float(s) || is_timestamp(s)
}

const SIGNS: &[char] = &['-', '+'];

/// Non-empty and made of `_` and characters accepted by `f`.
fn all_of(s: &str, f: impl Fn(char) -> bool) -> bool {
    !s.is_empty() && s.chars().all(|c| c == '_' || f(c))
}

/// `[-+]?(0b[01_]+ | 0o?[0-7_]+ | [0-9_]+ | 0x[0-9a-fA-F_]+)`, only tried on a leading sign or digit.
fn is_int(s: &str) -> bool {
    let body = s.strip_prefix(SIGNS).unwrap_or(s);
    if !s.starts_with(|c: char| c.is_ascii_digit() || SIGNS.contains(&c)) {
        return false;
    }
    all_of(body, |c| c.is_ascii_digit())
        || body.strip_prefix("0b").is_some_and(|t| all_of(t, |c| matches!(c, '0' | '1')))
        || body.strip_prefix("0o").is_some_and(|t| all_of(t, |c| matches!(c, '0'..='7')))
        || body.strip_prefix("0x").is_some_and(|t| all_of(t, |c| c.is_ascii_hexdigit()))
}

/// `[-+]?([0-9][0-9_]*\.[0-9_]*([eE][-+]?[0-9]+)? | [0-9][0-9_]*[eE][-+]?[0-9]+ | \.[0-9_]+([eE][-+][0-9]+)?
/// | \.(inf|Inf|INF))` or `\.(nan|NaN|NAN)`
fn is_float(s: &str) -> bool {
    let body = s.strip_prefix(SIGNS).unwrap_or(s);
    if matches!(body, ".inf" | ".Inf" | ".INF") || matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (body, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let exponent_ok = |sign_required: bool| match exponent {
        None => true,
        Some(e) => (!sign_required || e.starts_with(SIGNS)) && digits(e.strip_prefix(SIGNS).unwrap_or(e)),
    };
    let leading_digit = |t: &str| t.starts_with(|c: char| c.is_ascii_digit()) && all_of(t, |c| c.is_ascii_digit());
    match mantissa.split_once('.') {
        Some(("", fraction)) => all_of(fraction, |c| c.is_ascii_digit()) && exponent_ok(true),
        Some((int, fraction)) => {
            leading_digit(int)
                && (fraction.is_empty() || all_of(fraction, |c| c.is_ascii_digit()))
                && exponent_ok(false)
        }
        None => leading_digit(mantissa) && exponent.is_some() && exponent_ok(false),
    }
}

/// `YYYY-MM-DD`, or `YYYY-M-D` followed by `T`/`t`/blanks, `H:MM:SS`, an optional fraction and
/// an optional zone (`Z` or `+H[:MM]`, possibly after blanks).
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize, min: usize, max: usize| {
        let from = *i;
        while *i - from < max && b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - from >= min
    };
    let eat = |i: &mut usize, set: &[u8]| {
        let hit = b.get(*i).is_some_and(|c| set.contains(c));
        *i += usize::from(hit);
        hit
    };
    let blanks = |i: &mut usize| {
        let from = *i;
        while eat(i, b" \t") {}
        *i > from
    };
    if !(digits(&mut i, 4, 4) && eat(&mut i, b"-") && digits(&mut i, 1, 2) && eat(&mut i, b"-") && digits(&mut i, 1, 2))
    {
        return false;
    }
    if i == b.len() {
        return i == 10;
    }
    if !((eat(&mut i, b"Tt") || blanks(&mut i))
        && digits(&mut i, 1, 2)
        && eat(&mut i, b":")
        && digits(&mut i, 2, 2)
        && eat(&mut i, b":")
        && digits(&mut i, 2, 2))
    {
        return false;
    }
    if eat(&mut i, b".") {
        digits(&mut i, 0, usize::MAX);
    }
    if i == b.len() {
        return true;
    }
    blanks(&mut i);
    if !eat(&mut i, b"Z") {
        let zone = eat(&mut i, b"+-") && digits(&mut i, 1, 2);
        if !zone || (eat(&mut i, b":") && !digits(&mut i, 2, 2)) {
            return false;
        }
    }
    i == b.len()
}

/// Python's `repr` of a float, as ruamel writes it for YAML 1.2: the shortest digits that read back
/// as `f` (the nearest such, ties to even), in exponent form below 1e-4 and from 1e16 on.
fn float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.to_owned();
    }
    // Rust finds the shortest digit count but may break a tie the other way than Python does.
    let shortest = format!("{f:e}");
    let count = shortest.split('e').next().unwrap_or_default().bytes().filter(u8::is_ascii_digit).count();
    let nearest = format!("{f:.*e}", count.saturating_sub(1));
    let scientific = if nearest.parse() == Ok(f) { nearest } else { shortest };
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if !(-4..16).contains(&exponent) {
        return format!("{mantissa}e{}{:02}", if exponent < 0 { '-' } else { '+' }, exponent.unsigned_abs());
    }
    let mut digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if f.is_sign_negative() { "-" } else { "" };
    match usize::try_from(exponent) {
        Err(_) => format!("{sign}0.{}{digits}", "0".repeat(exponent.unsigned_abs() as usize - 1)),
        Ok(point) if point + 1 < digits.len() => {
            digits.insert(point + 1, '.');
            format!("{sign}{digits}")
        }
        Ok(point) => format!("{sign}{digits}{}.0", "0".repeat(point + 1 - digits.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn layout() {
        let v = json!({"b": [1, {"x": [], "y": {}}], "a": {"k": [[true, null]]}});
        assert_eq!(to_yaml(&v), "a:\n  k:\n  - - true\n    - null\nb:\n- 1\n- x: []\n  y: {}\n");
        assert_eq!(to_yaml(&json!({})), "");
        assert_eq!(to_yaml(&json!([])), "[]\n");
        assert_eq!(to_yaml(&json!("x")), "x\n...\n");
    }

    #[test]
    fn scalar_styles() {
        let cases =
            [("yes", "yes"), ("true", "'true'"), ("1_0", "'1_0'"), ("a: b", "'a: b'"), ("it's: x", "\"it's: x\"")];
        for (input, output) in cases {
            assert_eq!(to_yaml(&json!([input])), format!("- {output}\n"));
        }
        assert_eq!(to_yaml(&json!(["tab\there", "x\u{1F600}"])), "- \"tab\\there\"\n- x\u{1F600}\n");
    }

    #[test]
    fn floats_like_python_repr() {
        let cases = [(1.0, "1.0"), (1e16, "1e+16"), (1.5e-5, "1.5e-05"), (0.0001, "0.0001"), (-0.0, "-0.0")];
        for (input, output) in cases {
            assert_eq!(float(input), output);
        }
    }

    /// Every document of `tests/data/yaml/corpus.json` (AWS-like responses and the edge cases of
    /// ruamel's scalar styles, folding and key forms) as ruamel.yaml 0.17.21 dumps it, byte for byte
    /// (`tests/data/yaml/expected.py` regenerates `expected.json`).
    #[test]
    fn matches_ruamel_on_the_corpus() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/yaml");
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let documents: Vec<Value> = serde_json::from_str(&read("corpus.json")).unwrap();
        let expected: Vec<String> = serde_json::from_str(&read("expected.json")).unwrap();
        assert_eq!(documents.len(), expected.len());
        assert!(documents.len() >= 150, "corpus too small: {}", documents.len());
        let differing: Vec<String> = documents
            .iter()
            .zip(&expected)
            .enumerate()
            .filter(|(_, (d, e))| to_yaml(d) != **e)
            .map(|(i, (d, e))| format!("case {i}: {d}\n--- ruamel\n{e:?}\n--- ours\n{:?}", to_yaml(d)))
            .collect();
        assert!(differing.is_empty(), "{} cases differ:\n{}", differing.len(), differing.join("\n"));
    }
}
