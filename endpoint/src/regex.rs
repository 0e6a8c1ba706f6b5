//! A small backtracking regular-expression matcher for partition `regionRegex` patterns.
//!
//! It supports what those patterns use — anchors `^` `$`, literals and escapes (`\-`, `\.`), the
//! classes `\w` `\d` `\s` `.` and `[...]` sets with ranges, groups `( | )`, and the quantifiers `*`
//! `+` `?` — rather than pulling a full regex engine into every client's build. A pattern it cannot
//! parse matches nothing.
//!
//! Matching backtracks with recursion, so everything is bounded: patterns and texts longer than
//! [`MAX_LEN`] characters, groups nested deeper than [`MAX_DEPTH`], and matches that would take more
//! than [`MAX_STEPS`] steps do not match. Region names are at most 63 characters, so no real input
//! comes near these limits.

use std::cell::Cell;

/// The longest pattern and text considered.
pub const MAX_LEN: usize = 256;
/// The deepest group nesting of a pattern.
pub const MAX_DEPTH: usize = 16;
/// The most matching steps one call may take.
pub const MAX_STEPS: usize = 200_000;

#[derive(Debug, Clone)]
enum Node {
    Char(char),
    Any,
    Class(Vec<(char, char)>, bool),
    Group(Vec<Vec<Piece>>),
    Start,
    End,
}

#[derive(Debug, Clone)]
struct Piece {
    node: Node,
    min: usize,
    max: usize,
}

/// Whether `pattern` matches somewhere in `text` (anchors make it a whole match).
pub fn is_match(pattern: &str, text: &str) -> bool {
    let chars: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    if chars.len() > MAX_LEN || text.len() > MAX_LEN {
        return false;
    }
    let mut pos = 0;
    let Some(alts) = parse_alts(&chars, &mut pos, 0) else { return false };
    if pos != chars.len() {
        return false;
    }
    let m = Matcher { text: &text, steps: Cell::new(0) };
    (0..=text.len()).any(|start| m.alts(&alts, start, &mut |_| true))
}

fn parse_alts(p: &[char], pos: &mut usize, depth: usize) -> Option<Vec<Vec<Piece>>> {
    if depth > MAX_DEPTH {
        return None;
    }
    let mut alts = vec![Vec::new()];
    while *pos < p.len() {
        let c = p[*pos];
        match c {
            ')' => break,
            '|' => {
                *pos += 1;
                alts.push(Vec::new());
                continue;
            }
            _ => {}
        }
        let node = match c {
            '^' => {
                *pos += 1;
                Node::Start
            }
            '$' => {
                *pos += 1;
                Node::End
            }
            '.' => {
                *pos += 1;
                Node::Any
            }
            '(' => {
                *pos += 1;
                if p.get(*pos) == Some(&'?') && p.get(*pos + 1) == Some(&':') {
                    *pos += 2;
                }
                let inner = parse_alts(p, pos, depth + 1)?;
                if p.get(*pos) != Some(&')') {
                    return None;
                }
                *pos += 1;
                Node::Group(inner)
            }
            '[' => parse_set(p, pos)?,
            '\\' => {
                let e = *p.get(*pos + 1)?;
                *pos += 2;
                escape(e)
            }
            '*' | '+' | '?' | '{' => return None,
            c => {
                *pos += 1;
                Node::Char(c)
            }
        };
        let (min, max) = match p.get(*pos) {
            Some('*') => (0, usize::MAX),
            Some('+') => (1, usize::MAX),
            Some('?') => (0, 1),
            _ => (1, 1),
        };
        if (min, max) != (1, 1) {
            *pos += 1;
        }
        alts.last_mut()?.push(Piece { node, min, max });
    }
    Some(alts)
}

fn escape(e: char) -> Node {
    let word = vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')];
    match e {
        'w' => Node::Class(word, false),
        'W' => Node::Class(word, true),
        'd' => Node::Class(vec![('0', '9')], false),
        'D' => Node::Class(vec![('0', '9')], true),
        // ASCII whitespace as Java (whose syntax the partition patterns use) defines it.
        's' => Node::Class(vec![(' ', ' '), ('\t', '\r')], false),
        'S' => Node::Class(vec![(' ', ' '), ('\t', '\r')], true),
        c => Node::Char(c),
    }
}

fn parse_set(p: &[char], pos: &mut usize) -> Option<Node> {
    *pos += 1;
    let negated = p.get(*pos) == Some(&'^');
    if negated {
        *pos += 1;
    }
    let mut ranges = Vec::new();
    while *pos < p.len() && p[*pos] != ']' {
        let mut c = p[*pos];
        if c == '\\' {
            c = *p.get(*pos + 1)?;
            *pos += 1;
            if let Node::Class(r, false) = escape(c) {
                ranges.extend(r);
                *pos += 1;
                continue;
            }
        }
        *pos += 1;
        if p.get(*pos) == Some(&'-') && p.get(*pos + 1).is_some_and(|e| *e != ']') {
            ranges.push((c, p[*pos + 1]));
            *pos += 2;
        } else {
            ranges.push((c, c));
        }
    }
    if p.get(*pos) != Some(&']') {
        return None;
    }
    *pos += 1;
    Some(Node::Class(ranges, negated))
}

/// The text being matched and the steps taken so far.
struct Matcher<'t> {
    text: &'t [char],
    steps: Cell<usize>,
}

impl Matcher<'_> {
    /// Counts a step; false once the budget is spent (the match then fails).
    fn step(&self) -> bool {
        let n = self.steps.get() + 1;
        self.steps.set(n);
        n <= MAX_STEPS
    }

    /// Matches one of `alts` at `at`, calling `k` with the end position of each way it matches;
    /// true as soon as a continuation succeeds.
    fn alts(&self, alts: &[Vec<Piece>], at: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        alts.iter().any(|seq| self.seq(seq, at, k))
    }

    fn seq(&self, seq: &[Piece], at: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        let Some((first, rest)) = seq.split_first() else { return k(at) };
        self.repeat(first, 0, at, &mut |next| self.seq(rest, next, k))
    }

    fn repeat(&self, piece: &Piece, count: usize, at: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        if !self.step() {
            return false;
        }
        // Greedy: try one more repetition first, then stop here if allowed.
        if count < piece.max
            && self.node(&piece.node, at, &mut |next| {
                (next != at || count < piece.min) && self.repeat(piece, count + 1, next, k)
            })
        {
            return true;
        }
        count >= piece.min && self.steps.get() <= MAX_STEPS && k(at)
    }

    fn node(&self, node: &Node, at: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        let text = self.text;
        match node {
            Node::Start => at == 0 && k(at),
            Node::End => at == text.len() && k(at),
            Node::Any => at < text.len() && k(at + 1),
            Node::Char(c) => text.get(at) == Some(c) && k(at + 1),
            Node::Class(ranges, negated) => match text.get(at) {
                Some(&c) => (ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated) && k(at + 1),
                None => false,
            },
            Node::Group(alts) => self.alts(alts, at, k),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_match;

    #[test]
    fn partition_patterns() {
        let aws = r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$";
        assert!(is_match(aws, "us-east-1"));
        assert!(is_match(aws, "ap-southeast-10"));
        assert!(!is_match(aws, "cn-north-1"));
        assert!(!is_match(aws, "us-east-"));
        assert!(!is_match(aws, "xus-east-1"));
        assert!(is_match(r"^eusc\-(de)\-\w+\-\d+$", "eusc-de-east-1"));
        assert!(is_match(r"^us\-gov\-\w+\-\d+$", "us-gov-west-1"));
        assert!(is_match("a[b-d]?e*", "zzace"));
        assert!(!is_match("(unclosed", "unclosed"));
        assert!(!is_match("^a$", "ab"));
        // `\s` is Java's ASCII whitespace: vertical tab and form feed too (found by the fuzzer).
        assert!(is_match(r"^a\sb$", "a\u{b}b") && is_match(r"^a\sb$", "a\u{c}b"));
        assert!(!is_match(r"^\S$", " "));
    }

    #[test]
    fn long_inputs_and_deep_patterns_are_bounded() {
        // A 100k-character text used to recurse once per character and overflow the stack.
        let long = "a".repeat(100_000);
        assert!(!is_match(r"^\w+$", &long));
        assert!(is_match(r"^\w+$", &"a".repeat(super::MAX_LEN)));
        let deep = format!("{}a{}", "(".repeat(1000), ")".repeat(1000));
        assert!(!is_match(&deep, "a"));
        // Catastrophic backtracking stops at the step budget.
        assert!(!is_match("^(a*)*b$", &"a".repeat(200)));
    }
}
