//! The JMESPath subset AWS waiter models use, parsed at codegen time: field paths, `[]`/`[*]`
//! projections, filter projections (`[?cond]`), object value projections (`.*`), `length()`,
//! `contains()`, comparisons, `&&`, `||`, `!`, literals (`` `json` ``, `'raw'`), `@` and
//! parentheses — every expression of every waiter in botocore 1.44.8. Anything else is a parse
//! error.

use serde_json::Value;

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `@`.
    Current,
    /// A field of the current value.
    Field(String),
    /// `a.b`: `b` evaluated on the result of `a`.
    Sub(Box<Expr>, Box<Expr>),
    /// `a[].b` / `a[*].b`: `b` on each element of the list `a` (nulls dropped). The flag is true for
    /// `[]`, which also flattens: when `b` is itself a `[]` projection, its lists are spliced into
    /// one (`a[].b[]`).
    Project(Box<Expr>, Box<Expr>, bool),
    /// `a[?cond].b`: `b` on each element of the list `a` for which `cond` is truthy.
    Filter(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `a.*.b`: `b` on each value of the object `a`.
    Values(Box<Expr>, Box<Expr>),
    /// A literal.
    Literal(Value),
    /// `length(x)`, `contains(a, b)`.
    Call(String, Vec<Expr>),
    /// A comparison.
    Compare(&'static str, Box<Expr>, Box<Expr>),
    /// `a && b`.
    And(Box<Expr>, Box<Expr>),
    /// `a || b`.
    Or(Box<Expr>, Box<Expr>),
    /// `!a`.
    Not(Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Lit(Value),
    Dot,
    Flatten,
    Star,
    FilterStart,
    RBracket,
    Asterisk,
    LParen,
    RParen,
    Comma,
    At,
    Op(&'static str),
    And,
    Or,
    Not,
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            ' ' | '\t' | '\n' => i += 1,
            '.' => {
                out.push(Tok::Dot);
                i += 1;
            }
            '(' => {
                out.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1;
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            '@' => {
                out.push(Tok::At);
                i += 1;
            }
            '[' if next == Some(']') => {
                out.push(Tok::Flatten);
                i += 2;
            }
            '[' if next == Some('*') && chars.get(i + 2) == Some(&']') => {
                out.push(Tok::Star);
                i += 3;
            }
            '[' if next == Some('?') => {
                out.push(Tok::FilterStart);
                i += 2;
            }
            ']' => {
                out.push(Tok::RBracket);
                i += 1;
            }
            '*' => {
                out.push(Tok::Asterisk);
                i += 1;
            }
            '&' if next == Some('&') => {
                out.push(Tok::And);
                i += 2;
            }
            '|' if next == Some('|') => {
                out.push(Tok::Or);
                i += 2;
            }
            '=' if next == Some('=') => {
                out.push(Tok::Op("=="));
                i += 2;
            }
            '!' if next == Some('=') => {
                out.push(Tok::Op("!="));
                i += 2;
            }
            '!' => {
                out.push(Tok::Not);
                i += 1;
            }
            '<' | '>' => {
                let op = match (c, next) {
                    ('<', Some('=')) => "<=",
                    ('>', Some('=')) => ">=",
                    ('<', _) => "<",
                    _ => ">",
                };
                i += op.len();
                out.push(Tok::Op(op));
            }
            '`' => {
                let end = chars[i + 1..].iter().position(|c| *c == '`').ok_or("unterminated `literal`")?;
                let text: String = chars[i + 1..i + 1 + end].iter().collect();
                let v: Value = serde_json::from_str(text.trim()).map_err(|e| format!("bad literal `{text}`: {e}"))?;
                out.push(Tok::Lit(v));
                i += end + 2;
            }
            '\'' => {
                let end = chars[i + 1..].iter().position(|c| *c == '\'').ok_or("unterminated 'string'")?;
                out.push(Tok::Lit(Value::String(chars[i + 1..i + 1 + end].iter().collect())));
                i += end + 2;
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(Tok::Ident(chars[start..i].iter().collect()));
            }
            c if c.is_ascii_digit() || c == '-' => {
                let start = i;
                i += 1;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                let v: Value = serde_json::from_str(&text).map_err(|_| format!("bad number `{text}`"))?;
                out.push(Tok::Lit(v));
            }
            other => return Err(format!("unsupported character `{other}`")),
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

/// The deepest nesting of parentheses, `!`, function arguments and projections accepted, and the
/// most tokens: the parser and everything that walks its trees recurse, so a hostile model
/// (`((((…`) must become an error rather than a stack overflow.
const MAX_DEPTH: usize = 64;
const MAX_TOKENS: usize = 1000;

impl Parser {
    /// Runs `f` one nesting level deeper.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, String>) -> Result<T, String> {
        if self.depth >= MAX_DEPTH {
            return Err(format!("the expression nests deeper than {MAX_DEPTH} levels"));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn or(&mut self) -> Result<Expr, String> {
        self.nested(Self::or_inner)
    }

    fn or_inner(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.not()?;
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            left = Expr::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, String> {
        if self.peek() == Some(&Tok::Not) {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.nested(Self::not)?)));
        }
        self.compare()
    }

    fn compare(&mut self) -> Result<Expr, String> {
        let left = self.path()?;
        if let Some(Tok::Op(op)) = self.peek().cloned() {
            self.pos += 1;
            return Ok(Expr::Compare(op, Box::new(left), Box::new(self.path()?)));
        }
        Ok(left)
    }

    /// A primary followed by `.field`, `[]` and `[*]` steps.
    fn path(&mut self) -> Result<Expr, String> {
        let primary = self.primary()?;
        self.steps(primary)
    }

    /// Applies `.field` steps to `expr`; a projection takes the rest of the path.
    fn steps(&mut self, mut expr: Expr) -> Result<Expr, String> {
        loop {
            match self.peek() {
                Some(Tok::Dot) if self.toks.get(self.pos + 1) == Some(&Tok::Asterisk) => {
                    self.pos += 2;
                    let rest = self.nested(Self::projection_rest)?;
                    return Ok(Expr::Values(Box::new(expr), Box::new(rest)));
                }
                Some(Tok::Dot) => {
                    self.pos += 1;
                    match self.next() {
                        Some(Tok::Ident(name)) => expr = Expr::Sub(Box::new(expr), Box::new(Expr::Field(name))),
                        other => return Err(format!("expected a field after `.`, found {other:?}")),
                    }
                }
                Some(Tok::FilterStart | Tok::Flatten | Tok::Star) => return self.nested(|p| p.projection(expr)),
                _ => return Ok(expr),
            }
        }
    }

    /// A `[]`, `[*]` or `[?cond]` projection over `list`, with the steps after it.
    fn projection(&mut self, list: Expr) -> Result<Expr, String> {
        match self.next() {
            Some(Tok::FilterStart) => {
                let cond = self.or()?;
                match self.next() {
                    Some(Tok::RBracket) => {}
                    other => return Err(format!("expected `]` after a filter, found {other:?}")),
                }
                let rest = self.projection_rest()?;
                Ok(Expr::Filter(Box::new(list), Box::new(cond), Box::new(rest)))
            }
            Some(t @ (Tok::Flatten | Tok::Star)) => {
                let rest = self.projection_rest()?;
                Ok(Expr::Project(Box::new(list), Box::new(rest), t == Tok::Flatten))
            }
            other => Err(format!("expected a projection, found {other:?}")),
        }
    }

    /// The steps after a projection, applied to each element.
    fn projection_rest(&mut self) -> Result<Expr, String> {
        match self.peek() {
            Some(Tok::Dot) => self.steps(Expr::Current).and_then(|e| match e {
                Expr::Current => Err("expected a field after `.`".into()),
                // `.a.b` on each element: the leading `@.` is dropped.
                e => Ok(strip_current(e)),
            }),
            Some(Tok::FilterStart | Tok::Flatten | Tok::Star) => self.nested(|p| p.projection(Expr::Current)),
            _ => Ok(Expr::Current),
        }
    }

    fn primary(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Tok::At) => Ok(Expr::Current),
            Some(Tok::Lit(v)) => Ok(Expr::Literal(v)),
            Some(Tok::LParen) => {
                let e = self.or()?;
                match self.next() {
                    Some(Tok::RParen) => Ok(e),
                    other => Err(format!("expected `)`, found {other:?}")),
                }
            }
            Some(Tok::Ident(name)) if self.peek() == Some(&Tok::LParen) => {
                self.pos += 1;
                let mut args = Vec::new();
                if self.peek() != Some(&Tok::RParen) {
                    loop {
                        args.push(self.or()?);
                        match self.next() {
                            Some(Tok::Comma) => continue,
                            Some(Tok::RParen) => break,
                            other => return Err(format!("expected `,` or `)`, found {other:?}")),
                        }
                    }
                } else {
                    self.pos += 1;
                }
                match (name.as_str(), args.len()) {
                    ("length", 1) | ("contains", 2) => Ok(Expr::Call(name, args)),
                    _ => Err(format!("function `{name}` with {} arguments is not supported", args.len())),
                }
            }
            Some(Tok::Ident(name)) => Ok(Expr::Field(name)),
            other => Err(format!("unexpected {other:?}")),
        }
    }
}

/// `@.a.b` as `a.b` (what a projection's right-hand side starting with `.` means).
fn strip_current(e: Expr) -> Expr {
    match e {
        Expr::Sub(a, b) if *a == Expr::Current => *b,
        Expr::Sub(a, b) => Expr::Sub(Box::new(strip_current(*a)), b),
        Expr::Project(a, b, f) => Expr::Project(Box::new(strip_current(*a)), b, f),
        Expr::Filter(a, c, b) => Expr::Filter(Box::new(strip_current(*a)), c, b),
        Expr::Values(a, b) => Expr::Values(Box::new(strip_current(*a)), b),
        e => e,
    }
}

/// Parses an expression of the supported subset.
pub fn parse(s: &str) -> Result<Expr, String> {
    let toks = tokenize(s)?;
    if toks.len() > MAX_TOKENS {
        return Err(format!("the expression has more than {MAX_TOKENS} tokens"));
    }
    let mut p = Parser { toks, pos: 0, depth: 0 };
    let e = p.or()?;
    if p.pos < p.toks.len() {
        return Err(format!("unexpected {:?} after the expression", p.toks[p.pos]));
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> Box<Expr> {
        Box::new(Expr::Field(s.into()))
    }

    #[test]
    fn paths_and_projections() {
        assert_eq!(parse("State").unwrap(), Expr::Field("State".into()));
        assert_eq!(parse("Configuration.State").unwrap(), Expr::Sub(f("Configuration"), f("State")));
        assert_eq!(parse("Items[].State").unwrap(), Expr::Project(f("Items"), f("State"), true));
        assert_eq!(parse("Items[*]").unwrap(), Expr::Project(f("Items"), Box::new(Expr::Current), false));
        assert_eq!(
            parse("Items[].Tags[]").unwrap(),
            Expr::Project(f("Items"), Box::new(Expr::Project(f("Tags"), Box::new(Expr::Current), true)), true)
        );
    }

    #[test]
    fn filters_and_value_projections() {
        let state_is =
            |v: &str| Box::new(Expr::Compare("==", f("State"), Box::new(Expr::Literal(Value::String(v.into())))));
        assert_eq!(
            parse("Items[?State == 'x']").unwrap(),
            Expr::Filter(f("Items"), state_is("x"), Box::new(Expr::Current))
        );
        assert_eq!(parse("Items[?State == 'x'].Name").unwrap(), Expr::Filter(f("Items"), state_is("x"), f("Name")));
        assert_eq!(parse("Map.*.Status").unwrap(), Expr::Values(f("Map"), f("Status")));
        assert_eq!(parse("A.B.*").unwrap(), Expr::Values(Box::new(Expr::Sub(f("A"), f("B"))), Box::new(Expr::Current)));
        assert_eq!(
            parse("Items[].Tags[?@ == 'a']").unwrap(),
            Expr::Project(
                f("Items"),
                Box::new(Expr::Filter(
                    f("Tags"),
                    Box::new(Expr::Compare("==", Box::new(Expr::Current), Box::new(Expr::Literal("a".into())))),
                    Box::new(Expr::Current)
                )),
                true
            )
        );
        // The two botocore waiters with filters.
        assert!(parse("length(KinesisDataStreamDestinations) > `0`  && length(KinesisDataStreamDestinations[?DestinationStatus == 'DISABLED' || DestinationStatus == 'ENABLE_FAILED']) ==  length(KinesisDataStreamDestinations)").is_ok());
        assert!(
            parse("length(services[?!(length(deployments) == `1` && runningCount == desiredCount)]) == `0`").is_ok()
        );
        assert!(parse("VerificationAttributes.*.VerificationStatus").is_ok());
    }

    #[test]
    fn hostile_nesting_is_an_error_not_a_stack_overflow() {
        let deep = |n: usize| format!("{}a{}", "(".repeat(n), ")".repeat(n));
        assert!(parse(&deep(10)).is_ok());
        assert!(parse(&deep(70)).unwrap_err().contains("nests deeper"), "depth limit");
        assert!(parse(&deep(100_000)).unwrap_err().contains("tokens"), "token limit");
        assert!(parse(&format!("{}a", "!".repeat(200))).unwrap_err().contains("nests deeper"));
        assert!(parse(&format!("a{}", "[]".repeat(200))).unwrap_err().contains("nests deeper"));
    }

    #[test]
    fn functions_and_operators() {
        let e = parse("length(Items[].X) > `0` && !contains(Tags, 'a') || Done == `true`").unwrap();
        assert!(matches!(e, Expr::Or(..)));
        assert!(parse("sort_by(Items, &X)").is_err());
        assert!(parse("Items[?State == 'a'").is_err(), "unclosed filter");
        assert!(parse("Items[0]").is_err());
        assert!(parse("a |").is_err());
    }
}
