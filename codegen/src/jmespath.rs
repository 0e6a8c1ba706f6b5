//! The JMESPath subset AWS waiter models use, as the waiter compiler (`ir::waiter`) sees it.
//!
//! Expressions are parsed by `stratus-jmespath` (the same parser the CLI's `--query` uses), then
//! lowered here to [`Expr`], a path-centred form the compiler types against the generated
//! structures: a projection is "the list at this path, and what is taken from each element", with
//! a flag for `[]`. The specification's tree nests the other way round (`a[].b[]` is
//! `Projection(Flatten(Projection(Flatten(a), b)), @)`), so lowering pushes each flatten into the
//! projection it ends (`Project(a, Project(b, @, true), true)`).
//!
//! Supported: field paths, `[]`/`[*]` projections, filter projections (`[?cond]`), object value
//! projections (`.*`), `length()`, `contains()`, comparisons, `&&`, `||`, `!`, literals
//! (`` `json` ``, `'raw'`), `@` and parentheses — every expression of every waiter in botocore
//! 1.44.8. Anything else valid JMESPath (indexes, slices, pipes, multi-selects, other functions) is
//! an error naming the construct; invalid JMESPath is the parser's error, with its position.
//!
//! Precedence is the parser's (jmespath.py's): `!a.b` is `(!a).b`, which is not a path (write
//! `!(a.b)`), and the right-hand side of `.*` is one step (`a.*.b.c` is `(a.*.b).c`).

use serde_json::Value;
use stratus_jmespath::Expr as Ast;

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

/// Parses an expression of the supported subset.
pub fn parse(s: &str) -> Result<Expr, String> {
    let ast = stratus_jmespath::parse(s).map_err(|e| e.to_string())?;
    lower(&ast)
}

fn boxed(e: &Ast) -> Result<Box<Expr>, String> {
    lower(e).map(Box::new)
}

/// The subset form of a parsed expression. Recursion is bounded by the parser's nesting limit.
fn lower(e: &Ast) -> Result<Expr, String> {
    Ok(match e {
        Ast::Identity => Expr::Current,
        Ast::Field(name) => Expr::Field(name.clone()),
        Ast::Subexpr(a, b) => Expr::Sub(boxed(a)?, boxed(b)?),
        Ast::Projection(lhs, rhs) => match &**lhs {
            Ast::Flatten(inner) => return flattened(inner, rhs),
            Ast::Slice { .. } => return Err("slices are not supported".into()),
            Ast::Subexpr(_, last) if matches!(**last, Ast::Slice { .. }) => {
                return Err("slices are not supported".into())
            }
            list => Expr::Project(boxed(list)?, boxed(rhs)?, false),
        },
        Ast::FilterProjection(list, cond, rhs) => Expr::Filter(boxed(list)?, boxed(cond)?, boxed(rhs)?),
        Ast::ValueProjection(map, rhs) => Expr::Values(boxed(map)?, boxed(rhs)?),
        Ast::Literal(v) => Expr::Literal(v.clone()),
        Ast::Function(name, args) => match (name.as_str(), args.len()) {
            ("length", 1) | ("contains", 2) => {
                Expr::Call(name.clone(), args.iter().map(lower).collect::<Result<_, _>>()?)
            }
            _ => return Err(format!("function `{name}` with {} arguments is not supported", args.len())),
        },
        Ast::Compare(op, a, b) => Expr::Compare(op.as_str(), boxed(a)?, boxed(b)?),
        Ast::And(a, b) => Expr::And(boxed(a)?, boxed(b)?),
        Ast::Or(a, b) => Expr::Or(boxed(a)?, boxed(b)?),
        Ast::Not(a) => Expr::Not(boxed(a)?),
        Ast::Index(_) => return Err("indexes are not supported".into()),
        Ast::Slice { .. } => return Err("slices are not supported".into()),
        Ast::Flatten(_) => return Err("`[]` outside a projection is not supported".into()),
        Ast::MultiSelectList(_) | Ast::MultiSelectHash(_) => return Err("multi-selects are not supported".into()),
        Ast::Pipe(..) => return Err("pipes are not supported".into()),
        Ast::ExpRef(_) => return Err("expression references (`&`) are not supported".into()),
    })
}

/// `inner[]` projected through `rhs`. When `inner` is itself a projection (`a[].b[]`, `a[?c].b[]`,
/// `a.*.b[]`), the flatten ends that projection's right-hand side: it moves there, so the list is
/// the innermost path and each step after it stays per element.
fn flattened(inner: &Ast, rhs: &Ast) -> Result<Expr, String> {
    let pushed =
        |r: &Ast| Box::new(Ast::Projection(Box::new(Ast::Flatten(Box::new(r.clone()))), Box::new(rhs.clone())));
    match inner {
        Ast::Projection(l, r) => lower(&Ast::Projection(l.clone(), pushed(r))),
        Ast::FilterProjection(l, c, r) => lower(&Ast::FilterProjection(l.clone(), c.clone(), pushed(r))),
        Ast::ValueProjection(l, r) => lower(&Ast::ValueProjection(l.clone(), pushed(r))),
        list => Ok(Expr::Project(boxed(list)?, boxed(rhs)?, true)),
    }
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
        assert!(parse(&deep(300)).unwrap_err().contains("nests deeper"), "depth limit");
        assert!(parse(&deep(100_000)).unwrap_err().contains("nests deeper"));
        assert!(parse(&format!("{}a", "!".repeat(300))).unwrap_err().contains("nests deeper"));
        assert!(parse(&format!("a{}", "[]".repeat(300))).unwrap_err().contains("nests deeper"));
        // The deepest accepted chain of flattens lowers (each moves into the one before it).
        assert!(parse(&format!("a{}", "[].b".repeat(120))).is_ok());
    }

    #[test]
    fn functions_and_operators() {
        let e = parse("length(Items[].X) > `0` && !contains(Tags, 'a') || Done == `true`").unwrap();
        assert!(matches!(e, Expr::Or(..)));
        assert!(parse("sort_by(Items, &X)").is_err());
        assert!(parse("Items[?State == 'a'").is_err(), "unclosed filter");
        assert!(parse("Items[0]").is_err());
        assert!(parse("a |").is_err());
        for (outside, why) in [
            ("a | b", "pipes"),
            ("a[1:].b", "slices"),
            ("a.[b, c]", "multi-selects"),
            ("{x: a}", "multi-selects"),
            ("max(a)", "function `max`"),
            ("a[]", ""),
            ("`1` == 1", "syntax error at position 7"),
        ] {
            let e = parse(outside).map(|_| String::new()).unwrap_or_else(|e| e);
            assert!(if why.is_empty() { e.is_empty() } else { e.contains(why) }, "{outside}: {e}");
        }
    }

    #[test]
    fn flattens_move_into_the_projection_they_end() {
        let each = |l: &str, rest: Expr, flag| Expr::Project(f(l), Box::new(rest), flag);
        assert_eq!(parse("Items[*].Tags[]").unwrap(), each("Items", each("Tags", Expr::Current, true), false));
        assert_eq!(parse("a[].b[].c").unwrap(), each("a", each("b", Expr::Field("c".into()), true), true));
        assert_eq!(parse("a[*].b[*].c[]").unwrap(), each("a", each("b", each("c", Expr::Current, true), false), false));
        assert_eq!(parse("Map.*.Tags[]").unwrap(), Expr::Values(f("Map"), Box::new(each("Tags", Expr::Current, true))));
        assert_eq!(parse("(a[*].b)[]").unwrap(), parse("a[*].b[]").unwrap());
        // `!` binds tighter than `.` (as in every reference implementation).
        assert_eq!(parse("!a.b").unwrap(), Expr::Sub(Box::new(Expr::Not(f("a"))), f("b")));
    }
}
