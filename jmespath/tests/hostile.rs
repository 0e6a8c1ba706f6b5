//! Hostile expressions: deep nesting, huge numbers, broken escapes. Each must be an error value
//! (or a correct result), never a panic or a stack overflow. Everything runs on a thread with a
//! 2 MiB stack, the default for spawned threads (and Tokio's workers), in whatever profile the
//! tests are built.

use serde_json::{json, Value};
use stratus_jmespath::{compile, parse, search, ErrorKind, MAX_DEPTH};

/// Runs `f` on a thread with a 2 MiB stack.
fn small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new().stack_size(2 << 20).spawn(f).expect("a thread").join().expect("no panic");
}

fn syntax_error(expression: &str) -> String {
    let e = compile(expression).expect_err(&expression[..expression.len().min(40)]);
    assert_eq!(e.kind(), ErrorKind::Syntax, "{e}");
    e.to_string()
}

#[test]
fn ten_thousand_levels_of_nesting_are_syntax_errors() {
    small_stack(|| {
        let n = 10_000;
        for (open, close) in
            [("[", "]"), ("(", ")"), ("{a: ", "}"), ("length(", ")"), ("a[?", "]"), ("& ", ""), ("!", "")]
        {
            let deep = format!("{}a{}", open.repeat(n), close.repeat(n));
            let msg = syntax_error(&deep);
            assert!(msg.contains("nests deeper"), "{open}: {msg}");
            // Unclosed, too.
            assert!(syntax_error(&open.repeat(n)).contains("nests deeper"), "{open}");
        }
        for step in [".a", "[0]", "[*]", "[]", ".*", "[?a]", " | a", " || a", " && a", "[1:]", " == a"] {
            let chain = format!("a{}", step.repeat(n));
            assert!(syntax_error(&chain).contains("nests deeper"), "{step}");
        }
        let literal = format!("`{}1{}`", "[".repeat(n), "]".repeat(n));
        assert!(syntax_error(&literal).contains("nests too deeply"));
    });
}

#[test]
fn the_deepest_accepted_expressions_evaluate() {
    small_stack(|| {
        let doc = json!({"a": [[1, 2], {"a": true}]});
        let under = MAX_DEPTH - 2;
        for (open, close) in [("[", "]"), ("(", ")"), ("{a: ", "}"), ("not_null(", ")"), ("!", ""), ("a[?", "]")] {
            let deep = format!("{}a{}", open.repeat(under / 2), close.repeat(under / 2));
            let expr = compile(&deep).unwrap_or_else(|e| panic!("{open}: {e}"));
            expr.search(&doc).unwrap_or_else(|e| panic!("{open}: {e}"));
        }
        for step in ["[0]", "[*]", "[]", ".*", "[-1:]", " || a", " | @"] {
            let chain = format!("a{}", step.repeat(under / 4));
            let expr = compile(&chain).unwrap_or_else(|e| panic!("{step}: {e}"));
            expr.search(&doc).unwrap_or_else(|e| panic!("{step}: {e}"));
        }
        // Functions taking expression references recurse through the data as well.
        let levels = (MAX_DEPTH - 2) / 2;
        let nested = (0..levels).fold(json!([1]), |inner, _| Value::Array(vec![inner]));
        let maps = format!("{}@{}", "map(&".repeat(levels), ", @)".repeat(levels));
        let result = compile(&maps).expect("nested maps").search(&nested).expect("evaluates");
        assert_eq!(result, nested);
        assert_eq!(MAX_DEPTH, 256);
    });
}

#[test]
fn huge_numbers_in_indexes_and_slices() {
    let doc = json!({"a": [0, 1, 2, 3]});
    let eval = |e: &str| compile(e).and_then(|x| x.search(&doc));
    assert_eq!(eval("a[99999999999999999999999999999]").unwrap(), Value::Null);
    assert_eq!(eval("a[-99999999999999999999999999999]").unwrap(), Value::Null);
    assert_eq!(eval("a[-9223372036854775808]").unwrap(), Value::Null);
    assert_eq!(eval("a[::99999999999999999999999999]").unwrap(), json!([0]));
    assert_eq!(eval("a[::-99999999999999999999999999]").unwrap(), json!([3]));
    assert_eq!(eval("a[::-9223372036854775808]").unwrap(), json!([3]));
    assert_eq!(eval("a[-99999999999999999999:99999999999999999999:9223372036854775807]").unwrap(), json!([0]));
    assert_eq!(eval("a[99999999999999999999:-99999999999999999999:-1]").unwrap(), json!([3, 2, 1, 0]));
    assert_eq!(eval("a[::0]").unwrap_err().kind(), ErrorKind::InvalidValue);
    assert_eq!(eval("a[::-0]").unwrap_err().kind(), ErrorKind::InvalidValue);
    // Numbers from the data.
    assert_eq!(eval("abs(`-9223372036854775808`)").unwrap(), json!(9223372036854775808u64));
    assert_eq!(eval("sum(`[18446744073709551615, 18446744073709551615]`)").unwrap(), json!(3.6893488147419103e19));
    assert_eq!(eval("ceil(`1e300`)").unwrap(), json!(1e300));
    assert_eq!(eval("sum(`[1e308, 1e308]`)").unwrap_err().kind(), ErrorKind::InvalidValue);
}

#[test]
fn broken_escapes_are_syntax_errors() {
    for bad in [
        r#""\ud800""#,              // lone high surrogate
        r#""\udc00""#,              // lone low surrogate
        r#""\ud800\u0041""#,        // high surrogate and a non-surrogate
        r#""\ud800\ud800""#,        // two high surrogates
        r#""\u12""#,                // too few hex digits
        r#""\u12g4""#,              // not hex
        r#""\x41""#,                // not a JSON escape
        "\"\\",                     // escape at the end
        "\"abc",                    // unterminated
        "'abc\\'",                  // the quote is escaped: unterminated
        "`\"abc`",                  // not JSON, nor the text of a JSON string (legacy literal)
        "\"a\u{0}b\"",              // raw control character
        "foo[?a == `\"\\ud800\"`]", // serde_json refuses a lone surrogate in a JSON literal too
    ] {
        let e = parse(bad).expect_err(bad);
        assert_eq!(e.kind(), ErrorKind::Syntax, "{bad}: {e}");
        assert!(e.position().is_some(), "{bad}");
    }
    // Valid, for contrast: a surrogate pair, and the legacy literal.
    assert_eq!(search(&parse(r#""\ud834\udd1e""#).unwrap(), &json!({"𝄞": 1})).unwrap(), json!(1));
    assert_eq!(search(&parse("`[1, 2`").unwrap(), &json!(0)).unwrap(), json!("[1, 2"));
}

#[test]
fn garbage_never_panics() {
    small_stack(|| {
        let doc = json!({"a": [1, "x", {"b": null}], "c": {"d": [[]]}});
        let pieces = [
            "a", "[", "]", "{", "}", "(", ")", ".", "*", "?", "@", "&", "|", "!", "=", "<", ">", ",", ":", "`", "'",
            "\"", "\\", "-", "1", "0", " ", "length", "é", "\u{0}",
        ];
        // Every string of up to three pieces.
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let s = format!("{a}{b}{c}");
                    if let Ok(e) = compile(&s) {
                        let _ = e.search(&doc);
                    }
                }
            }
        }
    });
}
