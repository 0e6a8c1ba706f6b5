//! A compact text view of a generated API: one line per type, field and variant, in model order.
//!
//! It is what a user programs against, without bodies or docs, so a snapshot of it shows exactly
//! how the API changes when the model or the generator does.

use crate::ir::{Ir, TypeDef};
use std::fmt::Write as _;

/// Renders the API of `ir` as text.
pub fn api_listing(ir: &Ir) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "service {} (API {})", ir.service.full_name, ir.service.api_version);
    for op in &ir.operations {
        let dep = if op.deprecated.is_some() { " #[deprecated]" } else { "" };
        let _ = writeln!(
            out,
            "operation {}: {} {} -> fn {}({}) -> {}{dep}",
            op.name,
            op.http_method,
            op.request_uri,
            op.method,
            ir.name(op.input),
            ir.output_name(op),
        );
        if !op.errors.is_empty() {
            // Sorted: the model's order carries no meaning, and sorting keeps diffs to real changes.
            let mut errors: Vec<&str> = op.errors.iter().map(|e| ir.name(*e)).collect();
            errors.sort();
            let _ = writeln!(out, "    errors: {}", errors.join(", "));
        }
    }
    let _ = writeln!(
        out,
        "error enum {}: a variant per error type, and Unhandled; each operation's error type is an alias of it",
        ir.service.error
    );
    let _ = writeln!(out, "builder {}<T, C>: setters of the structures marked (builder)", ir.service.builder);
    for t in &ir.types {
        match t {
            TypeDef::Struct(s) => {
                let kind = if s.error.is_some() { "error" } else { "struct" };
                let dep = if s.deprecated.is_some() { " #[deprecated]" } else { "" };
                let built = if s.builder { " (builder)" } else { "" };
                let _ = writeln!(out, "{kind} {}{built}{dep}", s.name);
                for f in &s.fields {
                    let mut ty = ir.display(&f.ty).to_string();
                    if f.boxed {
                        ty = format!("Box<{ty}>");
                    }
                    if !f.required {
                        ty = format!("Option<{ty}>");
                    }
                    let mut notes = Vec::new();
                    if f.wire_name != f.member || f.binding.location().is_some() {
                        notes.push(match f.binding.location() {
                            Some(l) => format!("{l} {:?}", f.wire_name),
                            None => format!("json {:?}", f.wire_name),
                        });
                    }
                    if matches!(f.binding, crate::ir::Binding::Payload(_)) {
                        notes.push("payload".into());
                    }
                    if f.sensitive {
                        notes.push("sensitive".into());
                    }
                    if f.deprecated.is_some() {
                        notes.push("deprecated".into());
                    }
                    let notes = if notes.is_empty() { String::new() } else { format!("  // {}", notes.join(", ")) };
                    let _ = writeln!(out, "    {}: {ty}{notes}", f.name);
                }
            }
            TypeDef::Enum(e) => {
                let _ = writeln!(out, "enum {}", e.name);
                for v in &e.variants {
                    let _ = writeln!(out, "    {} = {:?}", v.name, v.value);
                }
            }
            TypeDef::Union(u) => {
                let kind = if u.event_stream { "event-stream" } else { "union" };
                let _ = writeln!(out, "{kind} {}", u.name);
                for v in &u.variants {
                    let _ = writeln!(out, "    {}({})", v.name, ir.display(&v.ty));
                }
            }
        }
    }
    out
}
