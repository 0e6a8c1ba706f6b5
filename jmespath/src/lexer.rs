//! The lexer: expression text to tokens, each with its position (in characters).

use crate::error::{Error, ErrorKind};
use serde_json::Value;

/// A token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// `name`.
    Ident(String),
    /// `"name"`, escapes decoded.
    QuotedIdent(String),
    /// `-?[0-9]+`, saturated to the `i64` range (no list is that long, so an index or slice bound
    /// beyond it means the same as the saturated one).
    Number(i64),
    /// `` `json` `` or `'raw'`.
    Literal(Value),
    Dot,
    Star,
    /// `[]`.
    Flatten,
    /// `[?`.
    Filter,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    LParen,
    RParen,
    Comma,
    Colon,
    Pipe,
    Or,
    And,
    Not,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `@`.
    At,
    /// `&`.
    Ampersand,
    Eof,
}

impl Tok {
    /// How the token is named in error messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("identifier `{s}`"),
            Tok::QuotedIdent(s) => format!("quoted identifier {}", Value::String(s.clone())),
            Tok::Number(n) => format!("number {n}"),
            Tok::Literal(_) => "a literal".to_string(),
            Tok::Eof => "the end of the expression".to_string(),
            other => format!("'{}'", other.symbol()),
        }
    }

    fn symbol(&self) -> &'static str {
        match self {
            Tok::Dot => ".",
            Tok::Star => "*",
            Tok::Flatten => "[]",
            Tok::Filter => "[?",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::Comma => ",",
            Tok::Colon => ":",
            Tok::Pipe => "|",
            Tok::Or => "||",
            Tok::And => "&&",
            Tok::Not => "!",
            Tok::Eq => "==",
            Tok::Ne => "!=",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::At => "@",
            Tok::Ampersand => "&",
            Tok::Ident(_) | Tok::QuotedIdent(_) | Tok::Number(_) | Tok::Literal(_) | Tok::Eof => "",
        }
    }
}

/// A token and the position of its first character.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) pos: usize,
}

fn syntax(pos: usize, message: impl Into<String>) -> Error {
    Error::at(ErrorKind::Syntax, pos, message)
}

/// Splits `text` into tokens, ending with [`Tok::Eof`].
pub(crate) fn tokenize(text: &str) -> Result<Vec<Token>, Error> {
    let chars: Vec<char> = text.chars().collect();
    let mut lexer = Lexer { chars, pos: 0 };
    let mut out = Vec::new();
    while let Some(token) = lexer.next_token()? {
        out.push(token);
    }
    out.push(Token { tok: Tok::Eof, pos: lexer.chars.len() });
    Ok(out)
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
}

impl Lexer {
    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    /// A token of `len` characters.
    fn take(&mut self, tok: Tok, len: usize) -> Token {
        let pos = self.pos;
        self.pos += len;
        Token { tok, pos }
    }

    /// A one-character token, or the two-character one when `second` follows.
    fn one_or_two(&mut self, second: char, one: Tok, two: Tok) -> Token {
        if self.peek_at(1) == Some(second) {
            self.take(two, 2)
        } else {
            self.take(one, 1)
        }
    }

    fn next_token(&mut self) -> Result<Option<Token>, Error> {
        while matches!(self.peek_at(0), Some(' ' | '\t' | '\n' | '\r')) {
            self.pos += 1;
        }
        let Some(c) = self.peek_at(0) else { return Ok(None) };
        let token = match c {
            '.' => self.take(Tok::Dot, 1),
            '*' => self.take(Tok::Star, 1),
            ']' => self.take(Tok::RBracket, 1),
            '{' => self.take(Tok::LBrace, 1),
            '}' => self.take(Tok::RBrace, 1),
            '(' => self.take(Tok::LParen, 1),
            ')' => self.take(Tok::RParen, 1),
            ',' => self.take(Tok::Comma, 1),
            ':' => self.take(Tok::Colon, 1),
            '@' => self.take(Tok::At, 1),
            '[' => match self.peek_at(1) {
                Some(']') => self.take(Tok::Flatten, 2),
                Some('?') => self.take(Tok::Filter, 2),
                _ => self.take(Tok::LBracket, 1),
            },
            '|' => self.one_or_two('|', Tok::Pipe, Tok::Or),
            '&' => self.one_or_two('&', Tok::Ampersand, Tok::And),
            '!' => self.one_or_two('=', Tok::Not, Tok::Ne),
            '<' => self.one_or_two('=', Tok::Lt, Tok::Le),
            '>' => self.one_or_two('=', Tok::Gt, Tok::Ge),
            '=' if self.peek_at(1) == Some('=') => self.take(Tok::Eq, 2),
            '=' => return Err(syntax(self.pos, "unexpected '=' (comparison is '==')")),
            '"' => self.quoted_identifier()?,
            '\'' => self.raw_string()?,
            '`' => self.json_literal()?,
            '-' | '0'..='9' => self.number()?,
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = self.pos;
                while matches!(self.peek_at(0), Some(c) if c.is_ascii_alphanumeric() || c == '_') {
                    self.pos += 1;
                }
                let name: String = self.chars[start..self.pos].iter().collect();
                Token { tok: Tok::Ident(name), pos: start }
            }
            other => return Err(syntax(self.pos, format!("unexpected character {other:?}"))),
        };
        Ok(Some(token))
    }

    fn number(&mut self) -> Result<Token, Error> {
        let start = self.pos;
        let negative = self.peek_at(0) == Some('-');
        if negative {
            self.pos += 1;
        }
        let digits_start = self.pos;
        let mut value: i64 = 0;
        while let Some(d) = self.peek_at(0).and_then(|c| c.to_digit(10)) {
            let d = i64::from(d);
            value = if negative {
                value.saturating_mul(10).saturating_sub(d)
            } else {
                value.saturating_mul(10).saturating_add(d)
            };
            self.pos += 1;
        }
        if self.pos == digits_start {
            return Err(syntax(start, "expected digits after '-'"));
        }
        Ok(Token { tok: Tok::Number(value), pos: start })
    }

    /// The characters up to the closing `quote`, a backslash keeping the character after it (so
    /// `\<quote>` does not close). Returns them with the backslashes, and moves past the quote.
    fn delimited(&mut self, quote: char, what: &str) -> Result<Vec<char>, Error> {
        let start = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            match self.peek_at(0) {
                None => return Err(syntax(start, format!("unterminated {what}"))),
                Some(c) if c == quote => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some('\\') => {
                    out.push('\\');
                    self.pos += 1;
                    if let Some(next) = self.peek_at(0) {
                        out.push(next);
                        self.pos += 1;
                    }
                }
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    /// `'raw string'`: only `\'` is an escape; any other backslash is kept as written.
    fn raw_string(&mut self) -> Result<Token, Error> {
        let start = self.pos;
        let chars = self.delimited('\'', "raw string literal")?;
        let mut s = String::with_capacity(chars.len());
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '\\' && chars.get(i + 1) == Some(&'\'') {
                s.push('\'');
                i += 2;
            } else {
                s.push(chars[i]);
                i += 1;
            }
        }
        Ok(Token { tok: Tok::Literal(Value::String(s)), pos: start })
    }

    /// `` `json` ``: `` \` `` is a backtick; the rest is JSON. Text that is not JSON is taken as
    /// the contents of a JSON string (without its leading whitespace), as the compliance suite and
    /// jmespath.py still accept (`` `foo` `` is `"foo"`); deprecated by the specification.
    fn json_literal(&mut self) -> Result<Token, Error> {
        let start = self.pos;
        let chars = self.delimited('`', "JSON literal")?;
        let mut text = String::with_capacity(chars.len());
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '\\' && chars.get(i + 1) == Some(&'`') {
                text.push('`');
                i += 2;
            } else {
                text.push(chars[i]);
                i += 1;
            }
        }
        let value = match serde_json::from_str::<Value>(&text) {
            Ok(v) => v,
            Err(e) if e.to_string().contains("recursion limit") => {
                return Err(syntax(start, "the JSON literal nests too deeply"));
            }
            Err(e) => {
                let legacy = format!("\"{}\"", text.trim_start());
                match serde_json::from_str::<Value>(&legacy) {
                    Ok(v @ Value::String(_)) => v,
                    _ => return Err(syntax(start, format!("invalid JSON literal: {e}"))),
                }
            }
        };
        Ok(Token { tok: Tok::Literal(value), pos: start })
    }

    /// `"quoted identifier"`, with JSON string escapes.
    fn quoted_identifier(&mut self) -> Result<Token, Error> {
        let start = self.pos;
        self.pos += 1;
        let mut s = String::new();
        loop {
            let at = self.pos;
            let Some(c) = self.peek_at(0) else {
                return Err(syntax(start, "unterminated quoted identifier"));
            };
            self.pos += 1;
            match c {
                '"' => return Ok(Token { tok: Tok::QuotedIdent(s), pos: start }),
                '\\' => {
                    let Some(e) = self.peek_at(0) else {
                        return Err(syntax(start, "unterminated quoted identifier"));
                    };
                    self.pos += 1;
                    match e {
                        '"' => s.push('"'),
                        '\\' => s.push('\\'),
                        '/' => s.push('/'),
                        'b' => s.push('\u{8}'),
                        'f' => s.push('\u{c}'),
                        'n' => s.push('\n'),
                        'r' => s.push('\r'),
                        't' => s.push('\t'),
                        'u' => s.push(self.unicode_escape(at)?),
                        other => return Err(syntax(at, format!("invalid escape '\\{other}'"))),
                    }
                }
                c if (c as u32) < 0x20 => {
                    return Err(syntax(at, format!("control character {c:?} in a quoted identifier (escape it)")));
                }
                c => s.push(c),
            }
        }
    }

    /// The four hex digits after `\u` (and a second `\uXXXX` for a surrogate pair).
    fn unicode_escape(&mut self, at: usize) -> Result<char, Error> {
        let high = self.hex4(at)?;
        let code = match high {
            0xD800..=0xDBFF => {
                if self.peek_at(0) != Some('\\') || self.peek_at(1) != Some('u') {
                    return Err(syntax(at, "unpaired surrogate in a \\u escape"));
                }
                self.pos += 2;
                let low = self.hex4(at)?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(syntax(at, "unpaired surrogate in a \\u escape"));
                }
                0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(syntax(at, "unpaired surrogate in a \\u escape")),
            c => c,
        };
        char::from_u32(code).ok_or_else(|| syntax(at, "invalid \\u escape"))
    }

    fn hex4(&mut self, at: usize) -> Result<u32, Error> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self.peek_at(0).and_then(|c| c.to_digit(16));
            let Some(d) = digit else { return Err(syntax(at, "a \\u escape needs four hex digits")) };
            code = code * 16 + d;
            self.pos += 1;
        }
        Ok(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        tokenize(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn operators_and_positions() {
        assert_eq!(
            toks("a[].b[?c<=`1`]||!d"),
            vec![
                Tok::Ident("a".into()),
                Tok::Flatten,
                Tok::Dot,
                Tok::Ident("b".into()),
                Tok::Filter,
                Tok::Ident("c".into()),
                Tok::Le,
                Tok::Literal(Value::from(1)),
                Tok::RBracket,
                Tok::Or,
                Tok::Not,
                Tok::Ident("d".into()),
                Tok::Eof
            ]
        );
        let t = tokenize("\"é\" . x").unwrap();
        assert_eq!(t.iter().map(|t| t.pos).collect::<Vec<_>>(), vec![0, 4, 6, 7], "positions count characters");
    }

    #[test]
    fn strings_and_literals() {
        assert_eq!(toks(r#""a\"b\u00e9\ud834\udd1e""#)[0], Tok::QuotedIdent("a\"bé𝄞".into()));
        assert_eq!(toks(r"'a\'b\z\\'")[0], Tok::Literal(Value::String(r"a'b\z\\".into())));
        assert_eq!(toks(r#"`"a\`b"`"#)[0], Tok::Literal(Value::String("a`b".into())));
        assert_eq!(toks("`  foo`")[0], Tok::Literal(Value::String("foo".into())), "legacy unquoted literal");
        assert_eq!(toks("-12")[0], Tok::Number(-12));
        assert_eq!(toks("99999999999999999999999")[0], Tok::Number(i64::MAX));
        assert_eq!(toks("-99999999999999999999999")[0], Tok::Number(i64::MIN));
    }

    #[test]
    fn bad_tokens() {
        for bad in [
            "\"\\ud800\"",
            "\"\\udc00x\"",
            "\"\\u12\"",
            "\"\\q\"",
            "\"abc",
            "'abc",
            "`abc",
            "a = b",
            "#",
            "-",
            "`\"a`",
            "\"\u{1}\"",
        ] {
            let e = tokenize(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Syntax, "{bad}");
        }
        assert_eq!(tokenize("abc #").unwrap_err().position(), Some(4));
    }
}
