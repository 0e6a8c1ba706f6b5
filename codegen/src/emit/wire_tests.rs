//! Emits `tests/wire.rs`: one test per operation that fills every top-level input member with a
//! valid sample value, sends it through the capturing transport, and checks the request against the
//! model — method, path (URI template expanded), query keys, header names, and which members went
//! into the body.

use super::rt::Rt;
use super::{ident, rust_file, EmitError, GeneratedFile, Options};
use crate::ir::{Binding, Constraints, Field, Ir, OperationIr, RustType, TypeDef};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

pub(super) fn files(ir: &Ir, options: &Options) -> Result<Vec<GeneratedFile>, EmitError> {
    let krate = format_ident!("{}", options.crate_name.replace('-', "_"));
    let tests: Vec<TokenStream> = ir.operations.iter().filter_map(|op| test(ir, op, &krate)).collect();
    if tests.is_empty() {
        return Ok(Vec::new());
    }
    let testing = Rt::Testing.path();
    let tokens = quote! {
        #![allow(deprecated, clippy::all)]
        use #krate::types as t;
        use #testing::{capture, check, Expect};

        #(#tests)*
    };
    let cases = rust_file("tests/wire/cases.rs", tokens, options)?;
    let main = rust_file(
        "tests/wire/main.rs",
        quote! {
            //! Every operation's request, built from sample inputs and captured, matches the model.
            #[rustfmt::skip]
            mod cases;
        },
        options,
    )?;
    Ok(vec![main, cases])
}

/// A string of `s` as long as the minimum length (at least 1), within the maximum.
fn sample_string(c: &Constraints) -> String {
    let min = c.min.map_or(1, |m| m.max(1.0) as usize);
    let max = c.max.map_or(usize::MAX, |m| (m as usize).max(1));
    "s".repeat(min.min(max))
}

/// A valid sample value for a field, and its text form when it is a scalar (for expected paths).
fn sample(ir: &Ir, ty: &RustType, c: &Constraints, depth: usize) -> Option<(TokenStream, Option<String>)> {
    // Recursive shapes (through unions, lists and maps too) end here: the member is left unset.
    if depth > 6 {
        return None;
    }
    Some(match ty {
        RustType::String => {
            let s = sample_string(c);
            (quote!(#s.to_string()), Some(s))
        }
        RustType::Bool => (quote!(true), Some("true".into())),
        RustType::I8 | RustType::I16 | RustType::I32 | RustType::I64 => {
            let v = c.max.map_or(c.min.unwrap_or(1.0), |max| c.min.unwrap_or(1.0).min(max)) as i64;
            let lit = Literal::i64_unsuffixed(v);
            (quote!(#lit), Some(v.to_string()))
        }
        RustType::F32 | RustType::F64 => {
            let v = c.min.unwrap_or(1.0);
            let lit = Literal::f64_unsuffixed(v);
            (quote!(#lit), None)
        }
        RustType::Blob => {
            let s = sample_string(c);
            let blob = Rt::Blob.path();
            (quote!(#blob::from(#s)), None)
        }
        RustType::DateTime => {
            let date_time = Rt::DateTime.path();
            (quote!(#date_time::from_secs(1_700_000_000)), None)
        }
        RustType::Document => (quote!(Default::default()), None),
        RustType::EventStream(_) | RustType::EventSender(_) => return None,
        RustType::List(inner) => {
            let (v, _) = sample(ir, inner, &Constraints::default(), depth + 1)?;
            let n = c.min.unwrap_or(1.0).max(1.0) as usize;
            let items = std::iter::repeat(v).take(n);
            (quote!(vec![#(#items),*]), None)
        }
        RustType::Map(k, v) => {
            let (k, _) = sample(ir, k, &Constraints::default(), depth + 1)?;
            let (v, _) = sample(ir, v, &Constraints::default(), depth + 1)?;
            let map = Rt::IndexMap.path();
            (quote!(#map::from([(#k, #v)])), None)
        }
        RustType::Named(id) => match ir.def(*id) {
            TypeDef::Enum(e) => {
                let ty = ident(&e.name);
                let first = e.variants.first()?;
                let v = ident(&first.name);
                (quote!(t::#ty::#v), Some(first.value.clone()))
            }
            TypeDef::Struct(s) => {
                if depth > 4 {
                    return None;
                }
                let ty = ident(&s.name);
                let mut fields = Vec::new();
                for f in s.fields.iter().filter(|f| f.required) {
                    let (v, _) = sample(ir, &f.ty, &f.constraints, depth + 1)?;
                    let name = ident(&f.name);
                    let v = if f.boxed { quote!(Box::new(#v)) } else { v };
                    fields.push(quote!(#name: #v,));
                }
                (quote!(t::#ty { #(#fields)* ..Default::default() }), None)
            }
            TypeDef::Union(u) => {
                let ty = ident(&u.name);
                let first = u.variants.first()?;
                let (v, _) = sample(ir, &first.ty, &first.constraints, depth + 1)?;
                let name = ident(&first.name);
                (quote!(t::#ty::#name(#v)), None)
            }
        },
    })
}

fn test(ir: &Ir, op: &OperationIr, krate: &proc_macro2::Ident) -> Option<TokenStream> {
    let input = ir.input(op)?;
    let mut fields = Vec::new();
    let mut labels: Vec<(String, String)> = Vec::new();
    let (template, literal) = op.request_uri.split_once('?').unwrap_or((&op.request_uri, ""));
    let mut query: Vec<String> = literal
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split('=').next().unwrap_or_default().to_string())
        .collect();
    let mut headers = Vec::new();
    let mut body = Vec::new();
    for f in &input.fields {
        let Some((value, text)) = sample(ir, &f.ty, &f.constraints, 0) else {
            if f.required {
                return None;
            }
            continue;
        };
        let name = ident(&f.name);
        let value = if f.boxed { quote!(Box::new(#value)) } else { value };
        let value = if f.required { value } else { quote!(Some(#value)) };
        fields.push(quote!(#name: #value,));
        record(f, text, &mut labels, &mut query, &mut headers, &mut body);
    }
    let mut path = template.to_string();
    for (label, value) in &labels {
        path = path.replace(&format!("{{{label}}}"), value).replace(&format!("{{{label}+}}"), value);
    }
    let ty = ident(&input.name);
    let with = format_ident!("{}", op.with_method);
    let test_name = format_ident!("{}", op.method.trim_start_matches("r#"));
    let method = &op.http_method;
    // A query request's body is a form: a payload, not JSON members.
    let form = ir.service.protocol.form_version().is_some();
    let payload = input.payload().is_some() || form;
    if form {
        body.clear();
    }
    Some(quote! {
        #[tokio::test]
        async fn #test_name() {
            let input = t::#ty { #(#fields)* ..Default::default() };
            let req = capture(|config| async move { #krate::Client::new(&config).#with(input).await }).await.unwrap();
            let expect = Expect {
                method: #method,
                path: #path,
                query: &[#(#query),*],
                headers: &[#(#headers),*],
                body: &[#(#body),*],
                payload: #payload,
            };
            check(&req, &expect).unwrap();
        }
    })
}

/// Records where a sampled member must appear in the request.
fn record(
    f: &Field,
    text: Option<String>,
    labels: &mut Vec<(String, String)>,
    query: &mut Vec<String>,
    headers: &mut Vec<String>,
    body: &mut Vec<String>,
) {
    match f.binding {
        Binding::Label => labels.push((f.wire_name.clone(), text.unwrap_or_default())),
        Binding::Query => match &f.ty {
            // A map's entries become parameters: the sample map has one entry, keyed "s".
            RustType::Map(..) => query.push("s".into()),
            _ => query.push(f.wire_name.clone()),
        },
        Binding::Header | Binding::HeaderJson => headers.push(f.wire_name.to_ascii_lowercase()),
        Binding::PrefixHeaders => headers.push(format!("{}s", f.wire_name.to_ascii_lowercase())),
        Binding::Payload(_) | Binding::StatusCode => {}
        Binding::Body | Binding::EventHeader | Binding::EventPayload => body.push(f.wire_name.clone()),
    }
}
