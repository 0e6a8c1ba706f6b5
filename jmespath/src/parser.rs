//! The parser: tokens to an [`Expr`], top-down operator precedence (Pratt).
//!
//! Binding powers, weakest first: `|` 1, `||` 2, `&&` 3, comparisons 5, `[]` 9 (everything up to
//! here ends a projection), `*` 20, `[?` 21, `.` 40, `!` 45, `{` 50, `[` 55, `(` 60. A projection's
//! right-hand side is parsed at the projection's own power, so it takes the `.x`, `[n]`, `[*]`
//! and `[?…]` steps after it and stops at the first weaker token. As in jmespath.py (and so the
//! AWS CLI), the right-hand side of `.*` is parsed at the power of `.`: it takes one step, so
//! `a.*.b.c` is `(a.*.b).c`.

use crate::ast::{Comparator, Expr};
use crate::error::{Error, ErrorKind};
use crate::functions;
use crate::lexer::{tokenize, Tok, Token};

/// How deeply an expression may nest: each nested sub-expression (parentheses, brackets, `!`,
/// function arguments, projections) and each step of a chain (`.b`, `[0]`, `|`, `&&`…) counts
/// one. The parser and the interpreter recurse over the tree, so a hostile expression must be an
/// error before it can exhaust the stack.
pub const MAX_DEPTH: usize = 256;

/// The binding power that ends a projection: tokens weaker than this end it.
const PROJECTION_STOP: u8 = 10;

fn lbp(tok: &Tok) -> u8 {
    match tok {
        Tok::Pipe => 1,
        Tok::Or => 2,
        Tok::And => 3,
        Tok::Eq | Tok::Ne | Tok::Lt | Tok::Le | Tok::Gt | Tok::Ge => 5,
        Tok::Flatten => 9,
        Tok::Star => 20,
        Tok::Filter => 21,
        Tok::Dot => 40,
        Tok::Not => 45,
        Tok::LBrace => 50,
        Tok::LBracket => 55,
        Tok::LParen => 60,
        _ => 0,
    }
}

/// Parses a whole expression.
pub(crate) fn parse(text: &str) -> Result<Expr, Error> {
    let tokens = tokenize(text)?;
    let mut p = Parser { tokens, index: 0, depth: 0, checks: Vec::new() };
    let e = p.expression(0)?;
    if *p.peek() != Tok::Eof {
        return Err(p.error(format!("unexpected {} after a complete expression", p.peek().describe())));
    }
    // Only a syntactically valid expression gets here: syntax errors come first wherever they are.
    for check in p.checks {
        match check {
            Check::Call { name, argc, pos } => {
                functions::check_call(&name, argc).map_err(|(kind, message)| Error::at(kind, pos, message))?
            }
            Check::ZeroStep { pos } => return Err(Error::at(ErrorKind::InvalidValue, pos, "a slice step cannot be 0")),
        }
    }
    Ok(e)
}

/// A slice's start, stop and step.
type SliceBounds = (Option<i64>, Option<i64>, Option<i64>);

/// The operator of [`Parser::prefix`].
#[derive(Clone, Copy)]
enum Prefix {
    Not,
    ExpRef,
}

/// The operator of [`Parser::infix`].
#[derive(Clone, Copy)]
enum Infix {
    Pipe,
    Or,
    And,
    Compare(Comparator),
}

/// The kind of [`Parser::projection`].
#[derive(Clone, Copy)]
enum Projection {
    List,
    Values,
}

/// What is checked once the whole expression has parsed.
enum Check {
    /// A function call: the name must be known and the argument count valid.
    Call { name: String, argc: usize, pos: usize },
    /// A slice with a step of 0.
    ZeroStep { pos: usize },
}

struct Parser {
    tokens: Vec<Token>,
    index: usize,
    depth: usize,
    checks: Vec<Check>,
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.peek_at(0)
    }

    fn peek_at(&self, n: usize) -> &Tok {
        match self.tokens.get(self.index + n).or(self.tokens.last()) {
            Some(t) => &t.tok,
            None => &Tok::Eof,
        }
    }

    fn pos(&self) -> usize {
        self.tokens.get(self.index).or(self.tokens.last()).map_or(0, |t| t.pos)
    }

    fn advance(&mut self) -> Tok {
        let tok = self.peek().clone();
        if self.index < self.tokens.len() {
            self.index += 1;
        }
        tok
    }

    /// A syntax error at the current token.
    #[cold]
    #[inline(never)]
    fn error(&self, message: impl Into<String>) -> Error {
        Error::at(ErrorKind::Syntax, self.pos(), message)
    }

    /// "expected X context, found Y" at the current token.
    #[cold]
    #[inline(never)]
    fn expected(&self, what: &str, context: &str) -> Error {
        self.error(format!("expected {what} {context}, found {}", self.peek().describe()))
    }

    /// "unexpected X context" at `pos`.
    #[cold]
    #[inline(never)]
    fn unexpected(tok: &Tok, pos: usize, context: &str) -> Error {
        match tok {
            Tok::Eof => Error::at(ErrorKind::Syntax, pos, "unexpected end of the expression"),
            tok => Error::at(ErrorKind::Syntax, pos, format!("unexpected {}{context}", tok.describe())),
        }
    }

    fn expect(&mut self, tok: Tok, context: &str) -> Result<(), Error> {
        if *self.peek() == tok {
            self.advance();
            Ok(())
        } else {
            Err(self.expected(&tok.describe(), context))
        }
    }

    /// One level deeper, or an error past [`MAX_DEPTH`].
    fn deeper(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.too_deep());
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn too_deep(&self) -> Error {
        self.error(format!("the expression nests deeper than {MAX_DEPTH} levels"))
    }

    // The parser recurses once per nesting level through `expression`, `nud`/`led` and one helper,
    // so those keep small stack frames (which matters in unoptimized builds): each match arm is a
    // call whose result is returned as it is, and error messages are built in cold functions.

    fn expression(&mut self, rbp: u8) -> Result<Expr, Error> {
        self.deeper()?;
        let mut left = self.nud()?;
        let mut steps = 0;
        while rbp < lbp(self.peek()) {
            self.deeper()?;
            steps += 1;
            left = self.led(left)?;
        }
        self.depth -= 1 + steps;
        Ok(left)
    }

    /// The token at the start of an expression.
    fn nud(&mut self) -> Result<Expr, Error> {
        let start = self.pos();
        match self.advance() {
            Tok::Literal(v) => Ok(Expr::Literal(v)),
            Tok::Ident(name) => self.identifier(name, start),
            Tok::QuotedIdent(name) => self.quoted_identifier(name),
            Tok::Star => self.projection(Expr::Identity, lbp(&Tok::Star), Projection::Values),
            Tok::Filter => self.filter(Expr::Identity),
            Tok::LBrace => self.multi_select_hash(),
            Tok::LParen => self.parenthesized(),
            Tok::Flatten => self.flatten(Expr::Identity),
            Tok::Not => self.prefix(Prefix::Not),
            Tok::LBracket => self.bracket(Expr::Identity, true),
            Tok::At => Ok(Expr::Identity),
            Tok::Ampersand => self.prefix(Prefix::ExpRef),
            other => Err(Self::unexpected(&other, start, "")),
        }
    }

    /// The token after a complete expression `left`.
    fn led(&mut self, left: Expr) -> Result<Expr, Error> {
        let start = self.pos();
        match self.advance() {
            Tok::Dot => self.dot(left),
            Tok::Pipe => self.infix(left, Infix::Pipe),
            Tok::Or => self.infix(left, Infix::Or),
            Tok::And => self.infix(left, Infix::And),
            Tok::Eq => self.infix(left, Infix::Compare(Comparator::Eq)),
            Tok::Ne => self.infix(left, Infix::Compare(Comparator::Ne)),
            Tok::Lt => self.infix(left, Infix::Compare(Comparator::Lt)),
            Tok::Le => self.infix(left, Infix::Compare(Comparator::Le)),
            Tok::Gt => self.infix(left, Infix::Compare(Comparator::Gt)),
            Tok::Ge => self.infix(left, Infix::Compare(Comparator::Ge)),
            Tok::Flatten => self.flatten(left),
            Tok::Filter => self.filter(left),
            Tok::LBracket => self.bracket(left, false),
            Tok::LParen => {
                Err(Self::unexpected(&Tok::LParen, start, " after an expression that is not a function name"))
            }
            other => Err(Self::unexpected(&other, start, " after an expression")),
        }
    }

    /// `name` or `name(args…)`.
    fn identifier(&mut self, name: String, start: usize) -> Result<Expr, Error> {
        if *self.peek() == Tok::LParen {
            self.advance();
            self.function(name, start)
        } else {
            Ok(Expr::Field(name))
        }
    }

    fn quoted_identifier(&mut self, name: String) -> Result<Expr, Error> {
        if *self.peek() == Tok::LParen {
            Err(self.error("a function name cannot be a quoted identifier"))
        } else {
            Ok(Expr::Field(name))
        }
    }

    /// `(e)`, the `(` consumed.
    fn parenthesized(&mut self) -> Result<Expr, Error> {
        let e = self.expression(0)?;
        self.expect(Tok::RParen, "to close '('")?;
        Ok(e)
    }

    /// `!e` or `&e`, the operator consumed.
    fn prefix(&mut self, op: Prefix) -> Result<Expr, Error> {
        Ok(match op {
            Prefix::Not => Expr::Not(Box::new(self.expression(lbp(&Tok::Not))?)),
            Prefix::ExpRef => Expr::ExpRef(Box::new(self.expression(0)?)),
        })
    }

    /// `left <op> right`, the operator consumed.
    fn infix(&mut self, left: Expr, op: Infix) -> Result<Expr, Error> {
        let rbp = match op {
            Infix::Pipe => lbp(&Tok::Pipe),
            Infix::Or => lbp(&Tok::Or),
            Infix::And => lbp(&Tok::And),
            Infix::Compare(_) => lbp(&Tok::Eq),
        };
        let (left, right) = (Box::new(left), Box::new(self.expression(rbp)?));
        Ok(match op {
            Infix::Pipe => Expr::Pipe(left, right),
            Infix::Or => Expr::Or(left, right),
            Infix::And => Expr::And(left, right),
            Infix::Compare(c) => Expr::Compare(c, left, right),
        })
    }

    /// `left.` followed by `*` (an object projection) or what `dot_rhs` takes.
    fn dot(&mut self, left: Expr) -> Result<Expr, Error> {
        if *self.peek() == Tok::Star {
            self.advance();
            return self.projection(left, lbp(&Tok::Dot), Projection::Values);
        }
        let rhs = self.dot_rhs(lbp(&Tok::Dot))?;
        Ok(Expr::Subexpr(Box::new(left), Box::new(rhs)))
    }

    /// `left[` (consumed) followed by an index, a slice, `*]` or, at the start of an expression
    /// only, the items of a list.
    fn bracket(&mut self, left: Expr, at_start: bool) -> Result<Expr, Error> {
        match (self.peek(), self.peek_at(1)) {
            (Tok::Number(_) | Tok::Colon, _) => self.index_or_slice(left),
            (Tok::Star, Tok::RBracket) => {
                self.advance();
                self.advance();
                self.projection(left, lbp(&Tok::Star), Projection::List)
            }
            _ if at_start => self.multi_select_list(),
            (Tok::Star, _) => {
                self.advance();
                Err(self.expected("']'", "after '[*'"))
            }
            _ => Err(self.expected("a number, ':' or '*'", "after '['")),
        }
    }

    /// A list or object projection of `left`, with its right-hand side parsed at `rbp`.
    fn projection(&mut self, left: Expr, rbp: u8, kind: Projection) -> Result<Expr, Error> {
        let rhs = self.projection_rhs(rbp)?;
        Ok(match kind {
            Projection::List => Expr::Projection(Box::new(left), Box::new(rhs)),
            Projection::Values => Expr::ValueProjection(Box::new(left), Box::new(rhs)),
        })
    }

    /// `[]` applied to `left`, and the projection after it.
    fn flatten(&mut self, left: Expr) -> Result<Expr, Error> {
        let rhs = self.projection_rhs(lbp(&Tok::Flatten))?;
        Ok(Expr::Projection(Box::new(Expr::Flatten(Box::new(left))), Box::new(rhs)))
    }

    /// `[?cond]` (the `[?` consumed) applied to `left`, and the projection after it.
    fn filter(&mut self, left: Expr) -> Result<Expr, Error> {
        let cond = self.expression(0)?;
        self.expect(Tok::RBracket, "to close the filter '[?'")?;
        let rhs = self.projection_rhs(lbp(&Tok::Filter))?;
        Ok(Expr::FilterProjection(Box::new(left), Box::new(cond), Box::new(rhs)))
    }

    /// What a projection applies to each element: nothing (`@`) before a token that ends it, or the
    /// steps that follow.
    fn projection_rhs(&mut self, rbp: u8) -> Result<Expr, Error> {
        match self.peek() {
            t if lbp(t) < PROJECTION_STOP => Ok(Expr::Identity),
            Tok::LBracket | Tok::Filter => self.expression(rbp),
            Tok::Dot => {
                self.advance();
                self.dot_rhs(rbp)
            }
            _ => Err(self.expected("'.', '[', '[?' or the end of the projection", "")),
        }
    }

    /// What may follow a `.`: an identifier (or function call), `*`, `[a, b]` or `{k: v}`.
    fn dot_rhs(&mut self, rbp: u8) -> Result<Expr, Error> {
        match self.peek() {
            Tok::Ident(_) | Tok::QuotedIdent(_) | Tok::Star => self.expression(rbp),
            Tok::LBracket => {
                self.advance();
                self.nested(Self::multi_select_list)
            }
            Tok::LBrace => {
                self.advance();
                self.nested(Self::multi_select_hash)
            }
            _ => Err(self.expected("an identifier, '*', '[' or '{'", "after '.'")),
        }
    }

    /// Runs `f` one level deeper.
    fn nested(&mut self, f: impl FnOnce(&mut Self) -> Result<Expr, Error>) -> Result<Expr, Error> {
        self.deeper()?;
        let e = f(self)?;
        self.depth -= 1;
        Ok(e)
    }

    /// `[n]` or `[start:stop:step]` (the `[` consumed) applied to `left`.
    fn index_or_slice(&mut self, left: Expr) -> Result<Expr, Error> {
        if *self.peek() != Tok::Colon && *self.peek_at(1) != Tok::Colon {
            let Tok::Number(n) = self.advance() else {
                return Err(self.error("expected an index"));
            };
            self.expect(Tok::RBracket, "after an index")?;
            return Ok(match left {
                Expr::Identity => Expr::Index(n),
                left => Expr::Subexpr(Box::new(left), Box::new(Expr::Index(n))),
            });
        }
        let (start, stop, step) = self.slice_bounds()?;
        let slice = Expr::Slice { start, stop, step };
        let sliced = match left {
            Expr::Identity => slice,
            left => Expr::Subexpr(Box::new(left), Box::new(slice)),
        };
        self.projection(sliced, lbp(&Tok::Star), Projection::List)
    }

    /// `start:stop:step]`, each part optional, the `[` consumed.
    fn slice_bounds(&mut self) -> Result<SliceBounds, Error> {
        let start_pos = self.pos();
        let mut parts: [Option<i64>; 3] = [None; 3];
        let mut part = 0;
        let mut seen_number = false;
        loop {
            match self.peek().clone() {
                Tok::RBracket => break,
                Tok::Colon if part < 2 => {
                    part += 1;
                    seen_number = false;
                    self.advance();
                }
                Tok::Number(n) if !seen_number => {
                    parts[part] = Some(n);
                    seen_number = true;
                    self.advance();
                }
                other => return Err(Self::unexpected(&other, self.pos(), " in a slice")),
            }
        }
        self.advance();
        let [start, stop, step] = parts;
        if step == Some(0) {
            self.checks.push(Check::ZeroStep { pos: start_pos });
        }
        Ok((start, stop, step))
    }

    /// After an item of a list: `,` (false: more items) or `close` (true: the end).
    fn separator(&mut self, close: Tok, context: &str) -> Result<bool, Error> {
        if *self.peek() == Tok::Comma {
            self.advance();
            Ok(false)
        } else if *self.peek() == close {
            self.advance();
            Ok(true)
        } else {
            Err(self.expected(&format!("',' or {}", close.describe()), context))
        }
    }

    /// `[a, b, …]`, the `[` consumed.
    fn multi_select_list(&mut self) -> Result<Expr, Error> {
        let mut items = Vec::new();
        loop {
            items.push(self.expression(0)?);
            if self.separator(Tok::RBracket, "in a list")? {
                return Ok(Expr::MultiSelectList(items));
            }
        }
    }

    /// `{key: a, …}`, the `{` consumed.
    fn multi_select_hash(&mut self) -> Result<Expr, Error> {
        let mut pairs = Vec::new();
        loop {
            let key = match self.peek().clone() {
                Tok::Ident(k) | Tok::QuotedIdent(k) => k,
                _ => return Err(self.expected("a key", "in '{…}'")),
            };
            self.advance();
            self.expect(Tok::Colon, "after a key in '{…}'")?;
            pairs.push((key, self.expression(0)?));
            if self.separator(Tok::RBrace, "in '{…}'")? {
                return Ok(Expr::MultiSelectHash(pairs));
            }
        }
    }

    /// The arguments of `name(`, the `(` consumed; the name and arity checked.
    fn function(&mut self, name: String, start: usize) -> Result<Expr, Error> {
        let mut args = Vec::new();
        if *self.peek() == Tok::RParen {
            self.advance();
        } else {
            loop {
                args.push(self.expression(0)?);
                if self.separator(Tok::RParen, "in a function call")? {
                    break;
                }
            }
        }
        self.checks.push(Check::Call { name: name.clone(), argc: args.len(), pos: start });
        Ok(Expr::Function(name, args))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn f(s: &str) -> Box<Expr> {
        Box::new(Expr::Field(s.into()))
    }

    #[test]
    fn shapes() {
        use Expr::*;
        assert_eq!(parse("a.b").unwrap(), Subexpr(f("a"), f("b")));
        assert_eq!(parse("a[0]").unwrap(), Subexpr(f("a"), Box::new(Index(0))));
        assert_eq!(parse("[-1]").unwrap(), Index(-1));
        assert_eq!(parse("a[*].b").unwrap(), Projection(f("a"), f("b")));
        assert_eq!(parse("a[].b").unwrap(), Projection(Box::new(Flatten(f("a"))), f("b")));
        assert_eq!(
            parse("a[].b[]").unwrap(),
            Projection(Box::new(Flatten(Box::new(Projection(Box::new(Flatten(f("a"))), f("b"))))), Box::new(Identity))
        );
        assert_eq!(parse("a.*.b").unwrap(), ValueProjection(f("a"), f("b")));
        assert_eq!(parse("a.*.b.c").unwrap(), Subexpr(Box::new(ValueProjection(f("a"), f("b"))), f("c")));
        assert_eq!(parse("a[*].b.c").unwrap(), Projection(f("a"), Box::new(Subexpr(f("b"), f("c")))));
        assert_eq!(parse("a[?b == 'x'].c").unwrap(), {
            let cond = Compare(Comparator::Eq, f("b"), Box::new(Literal(json!("x"))));
            FilterProjection(f("a"), Box::new(cond), f("c"))
        });
        assert_eq!(
            parse("a[1:-1:2]").unwrap(),
            Projection(
                Box::new(Subexpr(f("a"), Box::new(Slice { start: Some(1), stop: Some(-1), step: Some(2) }))),
                Box::new(Identity)
            )
        );
        assert_eq!(parse("a | b").unwrap(), Pipe(f("a"), f("b")));
        assert_eq!(parse("a[*].b | [0]").unwrap(), Pipe(Box::new(Projection(f("a"), f("b"))), Box::new(Index(0))));
        assert_eq!(parse("!a == b").unwrap(), Compare(Comparator::Eq, Box::new(Not(f("a"))), f("b")));
        assert_eq!(parse("a || b && c").unwrap(), Or(f("a"), Box::new(And(f("b"), f("c")))));
        assert_eq!(
            parse("sort_by(a, &b)").unwrap(),
            Function("sort_by".into(), vec![Field("a".into()), ExpRef(f("b"))])
        );
        assert_eq!(parse("a.length(@)").unwrap(), Subexpr(f("a"), Box::new(Function("length".into(), vec![Identity]))));
        assert_eq!(
            parse("{x: a, \"y z\": b}").unwrap(),
            MultiSelectHash(vec![("x".into(), Field("a".into())), ("y z".into(), Field("b".into()))])
        );
        assert_eq!(
            parse("a.[b, c]").unwrap(),
            Subexpr(f("a"), Box::new(MultiSelectList(vec![Field("b".into()), Field("c".into())])))
        );
    }

    #[test]
    fn errors_have_kinds_and_positions() {
        let e = parse("foo.").unwrap_err();
        assert_eq!((e.kind(), e.position()), (ErrorKind::Syntax, Some(4)));
        assert_eq!(e.to_string(), "syntax error at position 4: expected an identifier, '*', '[' or '{' after '.', found the end of the expression");
        assert_eq!(parse("a[::0]").unwrap_err().kind(), ErrorKind::InvalidValue);
        assert_eq!(parse("nope(a)").unwrap_err().kind(), ErrorKind::UnknownFunction);
        assert_eq!(parse("length(a, b)").unwrap_err().kind(), ErrorKind::InvalidArity);
        assert_eq!(parse("foo(a b)").unwrap_err().kind(), ErrorKind::Syntax);
        assert_eq!(parse("[a,]").unwrap_err().kind(), ErrorKind::Syntax);
        assert_eq!(parse("{a: b,}").unwrap_err().kind(), ErrorKind::Syntax);
        assert_eq!(parse("length(a,)").unwrap_err().kind(), ErrorKind::Syntax);
        assert_eq!(parse("a[1 2]").unwrap_err().kind(), ErrorKind::Syntax);
        assert_eq!(parse("a[1:2 3]").unwrap_err().kind(), ErrorKind::Syntax);
        assert_eq!(parse("(a)(b)").unwrap_err().kind(), ErrorKind::Syntax);
        // Syntax errors come first, wherever they are.
        assert_eq!(parse("nope(a) || a[::0] || length() || (").unwrap_err().kind(), ErrorKind::Syntax);
        let e = parse("a || nope(a)").unwrap_err();
        assert_eq!((e.kind(), e.position()), (ErrorKind::UnknownFunction, Some(5)));
    }

    #[test]
    fn depth_is_bounded() {
        let ok = format!("{}a{}", "(".repeat(MAX_DEPTH - 1), ")".repeat(MAX_DEPTH - 1));
        assert!(parse(&ok).is_ok());
        let e = parse(&format!("{}a{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1))).unwrap_err();
        assert!(e.message().contains("nests deeper"), "{e}");
        let chain = vec!["a"; MAX_DEPTH + 2].join(".");
        assert!(parse(&chain).unwrap_err().message().contains("nests deeper"));
    }
}
