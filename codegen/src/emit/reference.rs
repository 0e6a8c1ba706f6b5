//! Emits the reference pages (`docs/*.md`) with askama templates: an index (operations, paginators,
//! waiters), one page per operation (request syntax and parameters, response, errors, examples), and
//! one page with a section per data type. Links between pages use the sections' anchors, which a test
//! checks.

use super::{EmitError, GeneratedFile, Options};
use crate::docs::first_sentence;
use crate::ir::{Constraints, Field, Ir, OperationIr, RustType, TypeDef};
use askama::Template;
use std::path::PathBuf;

#[derive(Template)]
#[template(path = "index.md", escape = "none")]
struct IndexPage<'a> {
    title: &'a str,
    docs: &'a str,
    api_version: &'a str,
    operations: Vec<OpRow>,
    paginators: Vec<PaginatorRow>,
    waiters: Vec<WaiterRow>,
}

struct OpRow {
    name: String,
    summary: String,
}

struct PaginatorRow {
    operation: String,
    input_token: String,
    output_token: String,
    limit: String,
    result: String,
}

struct WaiterRow {
    name: String,
    operation: String,
    delay: u64,
    max_attempts: u32,
}

#[derive(Template)]
#[template(path = "operation.md", escape = "none")]
struct OperationPage {
    name: String,
    docs: String,
    method: String,
    uri: String,
    rust_method: String,
    request_syntax: String,
    params: Vec<ParamRow>,
    output: String,
    output_anchor: String,
    response_syntax: String,
    results: Vec<ParamRow>,
    errors: Vec<ErrorRow>,
    examples: Vec<String>,
}

struct ParamRow {
    member: String,
    field: String,
    required: &'static str,
    ty: String,
    constraints: String,
    summary: String,
}

struct ErrorRow {
    name: String,
    anchor: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "shapes.md", escape = "none")]
struct ShapesPage<'a> {
    title: &'a str,
    shapes: Vec<ShapeSection>,
}

struct ShapeSection {
    name: String,
    kind: String,
    docs: String,
    column: &'static str,
    rows: Vec<ShapeRow>,
}

struct ShapeRow {
    name: String,
    ty: String,
    summary: String,
}

/// The anchor of a heading, as Markdown renderers make it (lower case; spaces to `-`).
pub fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Text fit for a table cell: one line, no pipes.
fn cell(text: &str) -> String {
    text.replace('\n', " ").replace('|', "\\|")
}

/// A type as Markdown, generated types linked to their section of `shapes` (a page path): code
/// when nothing in it is linked, else text with escaped angle brackets around the links.
fn type_md(ir: &Ir, ty: &RustType, shapes: &str) -> String {
    fn linked(ir: &Ir, ty: &RustType, shapes: &str) -> String {
        match ty {
            RustType::Named(id) => {
                let n = ir.name(*id);
                format!("[{n}]({shapes}#{})", anchor(n))
            }
            RustType::List(inner) => format!("Vec&lt;{}&gt;", linked(ir, inner, shapes)),
            RustType::Map(k, v) => format!("IndexMap&lt;{}, {}&gt;", linked(ir, k, shapes), linked(ir, v, shapes)),
            RustType::EventStream(inner) => format!("EventStream&lt;{}&gt;", linked(ir, inner, shapes)),
            RustType::EventSender(inner) => format!("EventSender&lt;{}&gt;", linked(ir, inner, shapes)),
            other => ir.display(other).to_string(),
        }
    }
    let text = linked(ir, ty, shapes);
    if text.contains("](") {
        text
    } else {
        format!("`{}`", ir.display(ty))
    }
}

fn constraints(c: &Constraints, ty: &RustType) -> String {
    let is_len = matches!(ty, RustType::String | RustType::Blob | RustType::List(_) | RustType::Map(..));
    let word = if is_len { "length" } else { "value" };
    let mut parts = Vec::new();
    if let Some(min) = c.min {
        parts.push(format!("{word} ≥ {min}"));
    }
    if let Some(max) = c.max {
        parts.push(format!("{word} ≤ {max}"));
    }
    if let Some(p) = &c.pattern {
        parts.push(format!("pattern `{}`", p.replace('`', "'")));
    }
    cell(&parts.join(", "))
}

fn param_row(ir: &Ir, f: &Field, shapes: &str) -> ParamRow {
    ParamRow {
        member: f.member.clone(),
        field: f.name.trim_start_matches("r#").to_string(),
        required: if f.required { "yes" } else { "no" },
        ty: type_md(ir, &f.ty, shapes),
        constraints: constraints(&f.constraints, &f.ty),
        summary: cell(&first_sentence(&f.docs)),
    }
}

pub(super) fn files(ir: &Ir, options: &Options) -> Result<Vec<GeneratedFile>, EmitError> {
    let err = |file: &str, e: askama::Error| EmitError { file: file.to_string(), message: e.to_string() };
    let mut files = Vec::new();
    let index = IndexPage {
        title: &ir.service.full_name,
        docs: &ir.service.docs,
        api_version: &ir.service.api_version,
        operations: ir
            .operations
            .iter()
            .map(|o| OpRow { name: o.name.clone(), summary: cell(&first_sentence(&o.docs)) })
            .collect(),
        paginators: ir
            .paginators
            .iter()
            .map(|p| PaginatorRow {
                operation: ir.op(p.operation).name.clone(),
                input_token: p.input_token_text(),
                output_token: p.output_token_text.clone(),
                limit: p.limit.as_ref().map_or("—".into(), |l| format!("`{}`", l.member)),
                result: p
                    .results
                    .iter()
                    .map(|path| path.iter().map(|f| f.member.as_str()).collect::<Vec<_>>().join("."))
                    .collect::<Vec<_>>()
                    .join("`, `"),
            })
            .collect(),
        waiters: ir
            .waiters
            .iter()
            .map(|w| WaiterRow {
                name: w.name.clone(),
                operation: ir.op(w.operation).name.clone(),
                delay: w.delay,
                max_attempts: w.max_attempts,
            })
            .collect(),
    };
    files.push(page("docs/index.md", index.render().map_err(|e| err("docs/index.md", e))?));
    for op in &ir.operations {
        let path = format!("docs/operations/{}.md", op.name);
        let rendered = operation_page(ir, op, options).render().map_err(|e| err(&path, e))?;
        files.push(page(&path, rendered));
    }
    let shapes =
        ShapesPage { title: &ir.service.full_name, shapes: ir.types.iter().map(|t| shape_section(ir, t)).collect() };
    files.push(page("docs/shapes.md", shapes.render().map_err(|e| err("docs/shapes.md", e))?));
    Ok(files)
}

fn page(path: &str, contents: String) -> GeneratedFile {
    // One trailing newline, no runs of blank lines left by template conditionals.
    let mut out = String::with_capacity(contents.len());
    let mut blank = 0;
    for line in contents.lines() {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    GeneratedFile {
        path: PathBuf::from(path),
        contents: format!("<!-- Generated by stratus-codegen. DO NOT EDIT. -->\n{}", out.trim_end().to_string() + "\n"),
    }
}

fn operation_page(ir: &Ir, op: &OperationIr, options: &Options) -> OperationPage {
    let shapes = "../shapes.md";
    let input = ir.input(op);
    let output = ir.output(op);
    let rust_method = op.method.trim_start_matches("r#").to_string();
    let mut syntax = format!("let output = client\n    .{rust_method}()\n");
    for f in input.map(|s| s.fields.as_slice()).unwrap_or_default() {
        let req = if f.required { ", required" } else { "" };
        syntax.push_str(&format!("    .{}(/* {}{req} */)\n", f.name.trim_start_matches("r#"), ir.display(&f.ty)));
    }
    syntax.push_str("    .send()\n    .await?;");
    let mut response_syntax = format!("{} {{\n", ir.output_name(op));
    for f in output.map(|s| s.fields.as_slice()).unwrap_or_default() {
        let ty = if f.required { ir.display(&f.ty).to_string() } else { format!("Option<{}>", ir.display(&f.ty)) };
        response_syntax.push_str(&format!("    {}: {ty},\n", f.name));
    }
    response_syntax.push('}');
    let krate = options.crate_name.replace('-', "_");
    let examples = op
        .examples
        .iter()
        .map(|ex| {
            // The rustdoc form, with the hidden wrapper lines dropped.
            let text = super::client::example_doc(ir, op, ex, &krate);
            text.lines()
                .filter(|l| !l.starts_with("# "))
                .map(|l| if l == "```no_run" { "```rust" } else { l })
                .map(|l| l.strip_prefix("## ").map_or(l.to_string(), |t| format!("### {t}")))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    OperationPage {
        name: op.name.clone(),
        docs: op.docs.clone(),
        method: op.http_method.clone(),
        uri: op.request_uri.clone(),
        rust_method,
        request_syntax: syntax,
        params: input.map(|s| s.fields.iter().map(|f| param_row(ir, f, shapes)).collect()).unwrap_or_default(),
        output: output.map(|o| o.name.clone()).unwrap_or_default(),
        output_anchor: output.map(|o| anchor(&o.name)).unwrap_or_default(),
        response_syntax,
        results: output.map(|s| s.fields.iter().map(|f| param_row(ir, f, shapes)).collect()).unwrap_or_default(),
        errors: op
            .errors
            .iter()
            .map(|e| ErrorRow {
                name: ir.name(*e).to_string(),
                anchor: anchor(ir.name(*e)),
                summary: ir.structure(*e).map(|s| cell(&first_sentence(&s.docs))).unwrap_or_default(),
            })
            .collect(),
        examples,
    }
}

fn shape_section(ir: &Ir, t: &TypeDef) -> ShapeSection {
    let shapes = "";
    match t {
        TypeDef::Struct(s) => ShapeSection {
            name: s.name.clone(),
            kind: match &s.error {
                Some(e) => match e.status {
                    Some(status) => format!("Error `{}` (HTTP {status})", e.code),
                    None => format!("Error `{}`", e.code),
                },
                None => "Structure".into(),
            },
            docs: cell(&first_sentence(&s.docs)),
            column: "Member",
            rows: s
                .fields
                .iter()
                .map(|f| {
                    let mut ty = type_md(ir, &f.ty, shapes);
                    if !f.required {
                        ty = if ty.starts_with('`') {
                            format!("`Option<{}>`", ty.trim_matches('`'))
                        } else {
                            format!("Option&lt;{ty}&gt;")
                        };
                    }
                    ShapeRow {
                        name: format!("{} ({})", f.member, f.name.trim_start_matches("r#")),
                        ty,
                        summary: cell(&first_sentence(&f.docs)),
                    }
                })
                .collect(),
        },
        TypeDef::Enum(e) => ShapeSection {
            name: e.name.clone(),
            kind: "Enum".into(),
            docs: cell(&first_sentence(&e.docs)),
            column: "Value",
            rows: e
                .variants
                .iter()
                .map(|v| ShapeRow {
                    name: v.value.clone(),
                    ty: format!("`{}::{}`", e.name, v.name),
                    summary: String::new(),
                })
                .collect(),
        },
        TypeDef::Union(u) => ShapeSection {
            name: u.name.clone(),
            kind: if u.event_stream { "Event stream".into() } else { "Union".into() },
            docs: cell(&first_sentence(&u.docs)),
            column: "Variant",
            rows: u
                .variants
                .iter()
                .map(|v| ShapeRow {
                    name: v.name.clone(),
                    ty: type_md(ir, &v.ty, shapes),
                    summary: cell(&first_sentence(&v.docs)),
                })
                .collect(),
        },
    }
}
