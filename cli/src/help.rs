//! `help` pages from the model's documentation: `stratus help`, `stratus <service> help`,
//! `stratus <service> <operation> help`.

use crate::table::{Member, Op, Service, Shape};

/// A shape's name as the help shows it (`string`, `list<structure>`, `map<string, integer>`).
fn type_name(service: &Service, shape: u32, depth: usize) -> String {
    if depth > 8 {
        return "...".into();
    }
    match &service.shapes[shape as usize] {
        Shape::String | Shape::Enum(_) | Shape::QuotedJson => "string".into(),
        Shape::Integer => "integer".into(),
        Shape::Long => "long".into(),
        Shape::Float => "float".into(),
        Shape::Double => "double".into(),
        Shape::Boolean => "boolean".into(),
        Shape::Blob => "blob".into(),
        Shape::Timestamp => "timestamp".into(),
        Shape::Document => "document".into(),
        Shape::Stream => "event stream".into(),
        Shape::List(item) => format!("list<{}>", type_name(service, *item, depth + 1)),
        Shape::Map(k, v) => {
            format!("map<{}, {}>", type_name(service, *k, depth + 1), type_name(service, *v, depth + 1))
        }
        Shape::Struct(_) => "structure".into(),
        Shape::Union(_) => "union".into(),
    }
}

/// The list of services.
pub fn top(services: &[&Service]) -> String {
    let mut out =
        String::from("stratus\n\nThe AWS command line, generated from the service models.\n\nAVAILABLE SERVICES\n\n");
    for s in services {
        out.push_str(&format!("  o {} ({})\n", s.name, s.title));
    }
    out
}

/// A service's page: its docs and operations.
pub fn service(s: &Service) -> String {
    let mut out = format!("{}\n\n{}\n\nAVAILABLE COMMANDS\n\n", s.name, s.docs);
    for op in s.ops {
        out.push_str(&format!("  o {}\n", op.cli));
    }
    out
}

fn option_line(service: &Service, m: &Member, out: &mut String) {
    let shape = &service.shapes[m.shape as usize];
    let name =
        if matches!(shape, Shape::Boolean) { format!("--{} | --no-{}", m.cli, m.cli) } else { format!("--{}", m.cli) };
    out.push_str(&format!(
        "  {} ({}){}\n",
        name,
        type_name(service, m.shape, 0),
        if m.required { " [required]" } else { "" }
    ));
    for line in m.docs.lines() {
        out.push_str(&format!("      {line}\n"));
    }
    if let Shape::Enum(values) = shape {
        out.push_str("      Possible values:\n");
        for v in *values {
            out.push_str(&format!("        o {v}\n"));
        }
    }
    out.push('\n');
}

/// An operation's page: docs, options with types, output members.
pub fn operation(s: &Service, op: &Op) -> String {
    let mut out = format!("{}\n\nDESCRIPTION\n\n{}\n\nSYNOPSIS\n\n  {} {}\n", op.cli, op.docs, s.name, op.cli);
    for m in op.input {
        let opt =
            if m.required { format!("    --{} <value>\n", m.cli) } else { format!("    [--{} <value>]\n", m.cli) };
        out.push_str(&opt);
    }
    if op.paginator.is_some() {
        out.push_str("    [--starting-token <value>]\n    [--page-size <value>]\n    [--max-items <value>]\n");
    }
    out.push_str("    [--cli-input-json <value>]\n    [--generate-cli-skeleton <value>]\n\nOPTIONS\n\n");
    for m in op.input {
        option_line(s, m, &mut out);
    }
    out.push_str("OUTPUT\n\n");
    for m in op.output {
        out.push_str(&format!("  {} -> ({})\n", m.key, type_name(s, m.shape, 0)));
        for line in m.docs.lines() {
            out.push_str(&format!("      {line}\n"));
        }
        out.push('\n');
    }
    out
}

/// A waiter's page: what it polls, how often, and its options (the operation's).
pub fn waiter(s: &Service, w: &crate::table::Waiter, op: &Op) -> String {
    let mut out = format!(
        "{}\n\nDESCRIPTION\n\nWait until the {} waiter succeeds: calls {} {} every {} seconds, at most {} times, and exits 255 if it never succeeds.\n\nOPTIONS\n\n",
        w.cli, w.name, s.name, op.cli, w.delay, w.max_attempts
    );
    for m in op.input {
        option_line(s, m, &mut out);
    }
    out
}

/// The waiters of a service.
pub fn waiters(s: &Service) -> String {
    let mut out = format!("{} wait\n\nAVAILABLE WAITERS\n\n", s.name);
    for w in s.waiters {
        out.push_str(&format!("  o {}\n", w.cli));
    }
    out
}
