//! `--output table`, laid out as the AWS CLI lays it out (`awscli/formatter.py` and `table.py`): a
//! section per structure with its scalar members as columns (keys sorted), nested values in
//! indented sections below, lists of structures as rows; columns scaled to the widest section,
//! and sections of one row turned vertical when the table is wider than the terminal.

use serde_json::Value;

/// One titled block of the table.
#[derive(Default, Clone)]
struct Section {
    title: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    indent: usize,
    widths: Vec<usize>,
}

/// Display width: East Asian wide and fullwidth characters count two.
fn width(text: &str) -> usize {
    text.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x1F300..=0x1F64F | 0x1F900..=0x1F9FF | 0x20000..=0x3FFFD)
}

impl Section {
    fn update_widths(&mut self, cells: &[String]) {
        if self.widths.is_empty() {
            self.widths = cells.iter().map(|c| width(c)).collect();
        } else {
            for (i, c) in cells.iter().enumerate() {
                if let Some(w) = self.widths.get_mut(i) {
                    *w = (*w).max(width(c));
                }
            }
        }
    }

    fn add_header(&mut self, headers: Vec<String>) {
        self.update_widths(&headers);
        self.headers = headers;
    }

    fn add_row(&mut self, row: Vec<String>) {
        self.update_widths(&row);
        self.rows.push(row);
    }

    /// Column widths with `padding`, scaled so they add up to `max_width` (Python's rounding:
    /// halves to even), the difference spread one by one.
    fn column_widths(&self, padding: usize, max_width: Option<usize>) -> Vec<usize> {
        let unscaled: Vec<usize> = self.widths.iter().map(|w| w + padding).collect();
        let Some(max) = max_width else { return unscaled };
        let total: usize = unscaled.iter().sum();
        if unscaled.is_empty() || total == 0 {
            return unscaled;
        }
        let factor = max as f64 / total as f64;
        let mut scaled: Vec<i64> = unscaled.iter().map(|w| round_half_even(factor * *w as f64)).collect();
        let mut off_by: i64 = scaled.iter().sum::<i64>() - max as i64;
        while off_by != 0 {
            let order: Vec<usize> =
                if off_by < 0 { (0..scaled.len()).rev().collect() } else { (0..scaled.len()).collect() };
            for i in order {
                if off_by > 0 {
                    scaled[i] -= 1;
                    off_by -= 1;
                } else {
                    scaled[i] += 1;
                    off_by += 1;
                }
                if off_by == 0 {
                    break;
                }
            }
        }
        scaled.into_iter().map(|w| w.max(0) as usize).collect()
    }

    fn total_width(&self, padding: usize) -> usize {
        let columns: usize = self.widths.iter().map(|w| w + padding).sum();
        let total = columns + 2 + 2 * self.indent;
        total.max(width(&self.title) + 2 + 2 * self.indent)
    }
}

fn round_half_even(x: f64) -> i64 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 && (r as i64) % 2 != 0 {
        (r - x.signum()) as i64
    } else {
        r as i64
    }
}

/// Python's `str()` of a scalar.
fn cell(v: &Value) -> String {
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

/// Python's truthiness: empty, zero, false and null values are not shown.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
    }
}

struct Builder {
    sections: Vec<Section>,
}

impl Builder {
    fn current(&mut self) -> &mut Section {
        if self.sections.is_empty() {
            self.sections.push(Section::default());
        }
        let last = self.sections.len() - 1;
        &mut self.sections[last]
    }

    fn new_section(&mut self, title: &str, indent: usize) {
        self.sections.push(Section { title: title.to_string(), indent, ..Section::default() });
    }

    fn build(&mut self, title: Option<&str>, current: &Value, indent: usize, depth: usize) -> bool {
        if !truthy(current) || depth > 64 {
            return false;
        }
        if let Some(t) = title {
            self.new_section(t, indent);
        }
        match current {
            Value::Array(items) => {
                if items.first().is_some_and(Value::is_object) {
                    self.list_sections(items, indent, title, depth);
                } else {
                    for item in items {
                        match item {
                            Value::Array(inner) if inner.iter().all(is_scalar) => {
                                self.current().add_row(inner.iter().map(cell).collect())
                            }
                            v if is_scalar(v) => self.current().add_row(vec![cell(v)]),
                            v => {
                                self.build(None, v, 0, depth + 1);
                            }
                        }
                    }
                }
            }
            Value::Object(_) => self.dict_section(current, indent, depth),
            _ => {}
        }
        true
    }

    fn dict_section(&mut self, current: &Value, indent: usize, depth: usize) {
        let Value::Object(map) = current else { return };
        let (headers, more) = group(map);
        if headers.len() == 1 {
            let h = headers[0].clone();
            let v = cell(&map[&h]);
            self.current().add_row(vec![h, v]);
        } else if !headers.is_empty() {
            let row = headers.iter().map(|h| cell(&map[h])).collect();
            self.current().add_header(headers);
            self.current().add_row(row);
        }
        for k in more {
            self.build(Some(&k), &map[&k], indent + 1, depth + 1);
        }
    }

    fn list_sections(&mut self, items: &[Value], indent: usize, title: Option<&str>, depth: usize) {
        let mut headers: Vec<String> = Vec::new();
        let mut more: Vec<String> = Vec::new();
        for item in items.iter().filter_map(Value::as_object) {
            let (h, m) = group(item);
            headers.extend(h);
            more.extend(m);
        }
        headers.sort();
        headers.dedup();
        more.sort();
        more.dedup();
        self.current().add_header(headers.clone());
        for (i, element) in items.iter().enumerate() {
            let Some(map) = element.as_object() else { continue };
            if i > 0 && !more.is_empty() {
                self.new_section(title.unwrap_or_default(), indent);
                self.current().add_header(headers.clone());
            }
            let row = headers.iter().map(|h| map.get(h).map(cell).unwrap_or_default()).collect();
            self.current().add_row(row);
            for k in &more {
                if let Some(v) = map.get(k) {
                    self.build(Some(k), v, indent + 1, depth + 1);
                }
            }
        }
    }
}

fn group(map: &serde_json::Map<String, Value>) -> (Vec<String>, Vec<String>) {
    let mut headers: Vec<String> = map.iter().filter(|(_, v)| is_scalar(v)).map(|(k, _)| k.clone()).collect();
    let mut more: Vec<String> = map.iter().filter(|(_, v)| !is_scalar(v)).map(|(k, _)| k.clone()).collect();
    headers.sort();
    more.sort();
    (headers, more)
}

fn center(text: &str, length: usize, left: &str, right: &str) -> String {
    let start = (length / 2).saturating_sub(width(text) / 2).saturating_sub(1);
    let so_far = width(left) + start + width(text);
    let right_spaces = length.saturating_sub(width(right) + so_far);
    format!("{left}{}{text}{}{right}", " ".repeat(start), " ".repeat(right_spaces))
}

fn align_left(text: &str, length: usize, left: &str, right: &str) -> String {
    let padding = if length >= width(text) + 2 + width(left) + width(right) { 2 } else { 0 };
    let so_far = width(left) + padding + width(text);
    format!("{left}{}{text}{}{right}", " ".repeat(padding), " ".repeat(length.saturating_sub(so_far + width(right))))
}

fn line_break(widths: &[usize]) -> String {
    let mut out = String::new();
    for (i, w) in widths.iter().enumerate() {
        if i == 0 {
            out.push_str(&format!("+{}+", "-".repeat(w.saturating_sub(2))));
        } else {
            out.push_str(&format!("{}+", "-".repeat(w.saturating_sub(1))));
        }
    }
    out
}

/// The table of `value` under `title` (the operation name); empty when the value is empty.
pub fn table(title: &str, value: &Value, terminal_width: usize) -> String {
    let mut b = Builder { sections: Vec::new() };
    if !b.build(Some(title), value, 0, 0) {
        return String::new();
    }
    let max_width = |sections: &[Section]| sections.iter().map(|s| s.total_width(4)).max().unwrap_or(0);
    let mut sections = b.sections;
    let mut max = max_width(&sections);
    if max > terminal_width {
        for s in sections.iter_mut() {
            if s.rows.len() == 1 && !s.headers.is_empty() {
                let mut vertical = Section { title: s.title.clone(), indent: s.indent, ..Section::default() };
                for (h, v) in s.headers.iter().zip(&s.rows[0]) {
                    vertical.add_row(vec![h.clone(), v.clone()]);
                }
                *s = vertical;
            }
        }
        max = max_width(&sections);
    }
    let mut out = format!("{}\n", "-".repeat(max));
    for s in &sections {
        let bar = "|".repeat(s.indent);
        let mut write = |line: String| out.push_str(&format!("{bar}{line}{bar}\n"));
        let inner = max.saturating_sub(2 * s.indent);
        if !s.title.is_empty() {
            write(center(&s.title, inner, "|", "|"));
            if s.headers.is_empty() && s.rows.is_empty() {
                write(format!("+{}+", "-".repeat(inner.saturating_sub(2))));
            }
        }
        if !s.headers.is_empty() {
            let widths = s.column_widths(4, Some(inner));
            let mut line = String::new();
            for (i, (w, h)) in widths.iter().zip(&s.headers).enumerate() {
                line.push_str(&center(h, *w, if i == 0 { "|" } else { "" }, "|"));
            }
            write(line_break(&widths));
            write(line);
        }
        if !s.rows.is_empty() {
            let widths = s.column_widths(4, Some(inner));
            if widths.is_empty() {
                continue;
            }
            write(line_break(&widths));
            for row in &s.rows {
                let mut line = String::new();
                for (i, (w, c)) in widths.iter().zip(row).enumerate() {
                    line.push_str(&align_left(c, *w, if i == 0 { "|" } else { "" }, "|"));
                }
                write(line);
            }
            write(line_break(&widths));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{round_half_even, table};
    use serde_json::json;

    #[test]
    fn a_structure_of_scalars_is_turned_vertical_when_narrow_enough() {
        let t = table(
            "GetCallerIdentity",
            &json!({"Account": "123456789012", "Arn": "arn:aws:sts::123456789012:user/moto", "UserId": "AKIAIOSFODNN7EXAMPLE"}),
            80,
        );
        let want = "\
----------------------------------------------------
|                 GetCallerIdentity                |
+---------+----------------------------------------+
|  Account|  123456789012                          |
|  Arn    |  arn:aws:sts::123456789012:user/moto   |
|  UserId |  AKIAIOSFODNN7EXAMPLE                  |
+---------+----------------------------------------+
";
        // That is what the AWS CLI printed for this answer (80 columns, not a terminal).
        assert_eq!(t, want);
        assert_eq!(table("X", &json!({}), 80), "");
    }

    #[test]
    fn rounding_is_pythons() {
        assert_eq!((round_half_even(2.5), round_half_even(3.5), round_half_even(2.4)), (2, 4, 2));
    }
}
