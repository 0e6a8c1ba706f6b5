//! Emits `src/waiters.rs`: one context type per waiter, a `wait()` on the polled operation's input
//! builder, and the acceptors compiled to Rust over the typed output (JMESPath paths become field
//! accesses; the runtime's `Jm` values do the comparisons).

use super::{ident, result_and_option, rust_file, EmitError, GeneratedFile, Options};
use crate::ir::{Ir, RustType, TypeDef, WaiterIr};
use crate::jmespath::Expr;
use crate::model::{AcceptorState, Matcher};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// Emits the waiters file, or an error naming the waiter whose expression does not fit its output.
pub(super) fn file(ir: &Ir, options: &Options) -> Result<Option<GeneratedFile>, EmitError> {
    if ir.waiters.is_empty() {
        return Ok(None);
    }
    let root = options.root();
    let mut items = Vec::new();
    for w in &ir.waiters {
        items.push(waiter(ir, w).map_err(|message| EmitError { file: format!("waiter {}", w.name), message })?);
    }
    // The JMESPath value types are needed only by path acceptors.
    let jm = if ir.waiters.iter().any(|w| w.acceptors.iter().any(|a| a.expr.is_some())) {
        quote!(
            use stratus_runtime::waiter::{self as w, Jm, ToJm};
        )
    } else {
        quote!(
            use stratus_runtime::waiter as w;
        )
    };
    let tokens = quote! {
        //! Waiters: poll an operation until the resource reaches the state the model describes. Start
        //! one with `client.wait_until_<name>()`, set the operation's parameters, then `.wait(max_wait)`.
        use #root::error::*;
        use #root::types::*;
        #[allow(unused_imports)]
        use #root::Client;
        use std::time::Duration;
        #jm

        #(#items)*
    };
    rust_file("src/waiters.rs", tokens, options).map(Some)
}

fn waiter(ir: &Ir, wt: &WaiterIr) -> Result<TokenStream, String> {
    let op = ir.operations.iter().find(|o| o.name == wt.operation).ok_or("operation not found")?;
    let input = op.input.as_ref().ok_or("operation has no input")?;
    let output_ty = match &op.output {
        Some(o) => {
            let o = ident(o);
            quote!(#o)
        }
        None => quote!(()),
    };
    let error_ty = ident(&op.error_enum);
    let name = format_ident!("{}", wt.name);
    let wire_name = &wt.name;
    let delay = proc_macro2::Literal::u64_unsuffixed(wt.delay);
    let status = proc_macro2::Literal::u16_unsuffixed(op.status);
    let (result, _) = result_and_option(ir);

    // Each distinct JMESPath expression is evaluated once per poll (acceptors often test one path
    // against several values), before the acceptors are tried in the model's order.
    let mut values: Vec<(String, TokenStream)> = Vec::new();
    let mut checks = Vec::new();
    for (i, a) in wt.acceptors.iter().enumerate() {
        let state = match a.state {
            AcceptorState::Success => quote!(w::AcceptorState::Success),
            AcceptorState::Failure => quote!(w::AcceptorState::Failure),
            AcceptorState::Retry => quote!(w::AcceptorState::Retry),
        };
        let idx = proc_macro2::Literal::usize_unsuffixed(i);
        let hit = quote!(return Some((#idx, #state)););
        let check = match a.matcher {
            Matcher::Path | Matcher::PathAll | Matcher::PathAny => {
                let expr = a.expr.as_ref().ok_or(format!("acceptor {i} has no argument"))?;
                let out_name = op.output.clone().ok_or("path acceptor on an operation without output")?;
                let value = compile(ir, expr, &RustType::Named(out_name), quote!(Some(out)))?;
                let key = value.to_string();
                let n = values.iter().position(|(k, _)| *k == key).unwrap_or_else(|| {
                    values.push((key, value));
                    values.len() - 1
                });
                let var = quote::format_ident!("path{}", n);
                let expected = literal(&a.expected);
                let test = match a.matcher {
                    Matcher::Path => quote!(*v == #expected),
                    Matcher::PathAll => quote!(v.all_equal(&#expected)),
                    _ => quote!(v.any_equal(&#expected)),
                };
                quote! {
                    if #var.as_ref().is_some_and(|v| #test) {
                        #hit
                    }
                }
            }
            Matcher::Status => {
                let code = a.expected.as_u64().ok_or(format!("status acceptor {i} expects a number"))? as u16;
                quote! {
                    if w::status_of(r, #status) == Some(#code) {
                        #hit
                    }
                }
            }
            Matcher::Error => match &a.expected {
                Value::Bool(true) => quote!(if r.is_err() { #hit }),
                Value::Bool(false) => quote!(if r.is_ok() { #hit }),
                Value::String(code) => quote! {
                    if let Err(e) = r {
                        if e.code() == Some(#code) {
                            #hit
                        }
                    }
                },
                other => return Err(format!("error acceptor {i} expects a code or a boolean, not {other}")),
            },
        };
        checks.push(check);
    }

    let doc = super::doc_attrs(&format!(
        "The `{}` waiter: {}\n\nPolls `{}` every {delay} s at first, backing off up to 120 s (the model allows {} attempts; \
         here `max_wait` bounds the wait). Start it with [`Client::wait_until_{}`].",
        wt.name,
        wt.description.clone().unwrap_or_else(|| "waits for a resource state.".into()),
        op.name,
        wt.max_attempts,
        heck::ToSnakeCase::to_snake_case(wt.name.as_str()),
    ));
    let lets = values.iter().enumerate().map(|(n, (_, value))| {
        let var = quote::format_ident!("path{}", n);
        quote!(let #var = r.as_ref().ok().map(|out| #value);)
    });
    let input_ty = ident(input);
    Ok(quote! {
        #doc
        #[derive(Clone, Copy, Debug)]
        pub struct #name;

        impl w::Waiter<#input_ty> for #name {
            const NAME: &'static str = #wire_name;
            const MIN_DELAY: Duration = Duration::from_secs(#delay);

            fn classify(r: &#result<#output_ty, stratus_runtime::Error<#error_ty>>) -> Option<(usize, w::AcceptorState)> {
                #(#lets)*
                #(#checks)*
                None
            }
        }
    })
}

fn literal(v: &Value) -> TokenStream {
    match v {
        Value::Null => quote!(Jm::Null),
        Value::Bool(b) => quote!(Jm::Bool(#b)),
        Value::Number(n) => {
            let f = proc_macro2::Literal::f64_unsuffixed(n.as_f64().unwrap_or_default());
            quote!(Jm::Num(#f))
        }
        Value::String(s) => quote!(Jm::Str(#s.to_string())),
        Value::Array(items) => {
            let items = items.iter().map(literal);
            quote!(Jm::List(vec![#(#items),*]))
        }
        Value::Object(_) => quote!(Jm::Object),
    }
}

/// Navigates a field path on a typed value: returns tokens of type `Option<&T>` and `T`.
fn navigate(ir: &Ir, e: &Expr, ty: &RustType, var: TokenStream) -> Result<Option<(TokenStream, RustType)>, String> {
    Ok(match e {
        Expr::Current => Some((var, ty.clone())),
        Expr::Field(member) => {
            let RustType::Named(name) = ty else { return Err(format!("`{member}` of a non-structure ({ty})")) };
            let Some(TypeDef::Struct(s)) = ir.find_type(name) else {
                return Err(format!("`{member}` of {name}, not a structure"));
            };
            let f = s.fields.iter().find(|f| &f.member == member).ok_or(format!("{name} has no member `{member}`"))?;
            let field = ident(&f.name);
            let step = match (f.required, f.boxed) {
                (true, false) => quote!(#var.map(|v| &v.#field)),
                (true, true) => quote!(#var.map(|v| &*v.#field)),
                (false, false) => quote!(#var.and_then(|v| v.#field.as_ref())),
                (false, true) => quote!(#var.and_then(|v| v.#field.as_deref())),
            };
            Some((step, f.ty.clone()))
        }
        Expr::Sub(a, b) => match navigate(ir, a, ty, var)? {
            Some((v, t)) => navigate(ir, b, &t, v)?,
            None => None,
        },
        _ => None,
    })
}

/// A typed value (`Option<&T>`) as a `Jm`.
fn leaf(ir: &Ir, var: TokenStream, ty: &RustType) -> TokenStream {
    let is_struct =
        |t: &RustType| matches!(t, RustType::Named(n) if !matches!(ir.find_type(n), Some(TypeDef::Enum(_))));
    match ty {
        RustType::Named(_) if is_struct(ty) => quote!(#var.map_or(Jm::Null, |_| Jm::Object)),
        RustType::List(inner) if is_struct(inner) => {
            quote!(#var.map_or(Jm::Null, |l| Jm::List(l.iter().map(|_| Jm::Object).collect())))
        }
        RustType::Map(..) | RustType::Document | RustType::Blob | RustType::DateTime | RustType::EventStream(_) => {
            quote!(#var.map_or(Jm::Null, |_| Jm::Object))
        }
        _ => quote!(#var.map_or(Jm::Null, |v| v.to_jm())),
    }
}

/// Compiles an expression evaluated on `var` (`Option<&T>` of type `ty`) into a `Jm`.
fn compile(ir: &Ir, e: &Expr, ty: &RustType, var: TokenStream) -> Result<TokenStream, String> {
    if let Some((v, t)) = navigate(ir, e, ty, var.clone())? {
        return Ok(leaf(ir, v, &t));
    }
    Ok(match e {
        Expr::Project(list, rest, _) => {
            let (v, t) = navigate(ir, list, ty, var)?.ok_or("a projection needs a field path on its left")?;
            let RustType::List(inner) = t else { return Err(format!("projection over a non-list ({t})")) };
            let each = compile(ir, rest, &inner, quote!(Some(x)))?;
            // `a[].b[]`: the inner flatten splices each element's list into one.
            let splice = matches!(**rest, Expr::Project(_, _, true));
            quote!(#v.map_or(Jm::Null, |l| Jm::project(l.iter().map(|x| #each), #splice)))
        }
        Expr::Literal(v) => literal(v),
        Expr::Call(f, args) => {
            let args = args.iter().map(|a| compile(ir, a, ty, var.clone())).collect::<Result<Vec<_>, _>>()?;
            match (f.as_str(), args.as_slice()) {
                ("length", [a]) => quote!((#a).length()),
                ("contains", [a, b]) => quote!((#a).contains(&(#b))),
                _ => return Err(format!("function {f}")),
            }
        }
        Expr::Compare(op, a, b) => {
            let (a, b) = (compile(ir, a, ty, var.clone())?, compile(ir, b, ty, var)?);
            quote!((#a).compare(#op, &(#b)))
        }
        Expr::And(a, b) => {
            let (a, b) = (compile(ir, a, ty, var.clone())?, compile(ir, b, ty, var)?);
            quote!({ let l = #a; if l.truthy() { #b } else { l } })
        }
        Expr::Or(a, b) => {
            let (a, b) = (compile(ir, a, ty, var.clone())?, compile(ir, b, ty, var)?);
            quote!({ let l = #a; if l.truthy() { l } else { #b } })
        }
        Expr::Not(a) => {
            let a = compile(ir, a, ty, var)?;
            quote!(Jm::Bool(!(#a).truthy()))
        }
        Expr::Current | Expr::Field(_) | Expr::Sub(..) => return Err("unsupported path".into()),
    })
}
