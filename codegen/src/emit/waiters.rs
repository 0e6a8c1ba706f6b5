//! Emits `src/waiters.rs`: one context type per waiter, a `wait()` on the polled operation's input
//! builder, and the acceptors compiled to Rust over the typed output (JMESPath paths become field
//! accesses; the runtime's `Jm` values do the comparisons).

use super::rt::Rt;
use super::{ident, result_and_option, rust_file, EmitError, GeneratedFile, Options};
use crate::ir::{AcceptorState, AcceptorTest, ErrorTest, Ir, JmExpr, Leaf, PathMode, Step, WaiterIr};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// Emits the waiters file.
pub(super) fn file(ir: &Ir, options: &Options) -> Result<Option<GeneratedFile>, EmitError> {
    if ir.waiters.is_empty() {
        return Ok(None);
    }
    let root = options.root();
    let waiter_module = Rt::WaiterModule.path();
    let items: Vec<TokenStream> = ir.waiters.iter().map(|w| waiter(ir, w)).collect();
    // The JMESPath value types are needed only by path acceptors.
    let jm = if ir.waiters.iter().any(|w| w.paths.iter().any(reads_values)) {
        quote!(
            use #waiter_module::{self as w, Jm, ToJm};
        )
    } else if ir.waiters.iter().any(|w| !w.paths.is_empty()) {
        quote!(
            use #waiter_module::{self as w, Jm};
        )
    } else {
        quote!(
            use #waiter_module as w;
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

fn waiter(ir: &Ir, wt: &WaiterIr) -> TokenStream {
    let op = ir.op(wt.operation);
    let input_ty = ident(ir.name(op.input));
    let output_ty = match ir.output(op) {
        Some(o) => {
            let o = ident(&o.name);
            quote!(#o)
        }
        None => quote!(()),
    };
    let error_ty = ident(&op.error_enum);
    let name = format_ident!("{}", wt.name);
    let wire_name = &wt.name;
    let delay = proc_macro2::Literal::u64_unsuffixed(wt.delay);
    let status = proc_macro2::Literal::u16_unsuffixed(op.status);
    let (result, option) = result_and_option(ir);
    let error = Rt::Error.path();

    // Each distinct JMESPath expression is evaluated once per poll (acceptors often test one path
    // against several values), before the acceptors are tried in the model's order.
    let checks = wt.acceptors.iter().enumerate().map(|(i, a)| {
        let state = match a.state {
            AcceptorState::Success => quote!(w::AcceptorState::Success),
            AcceptorState::Failure => quote!(w::AcceptorState::Failure),
            AcceptorState::Retry => quote!(w::AcceptorState::Retry),
        };
        let idx = proc_macro2::Literal::usize_unsuffixed(i);
        let hit = quote!(return Some((#idx, #state)););
        match &a.test {
            AcceptorTest::Path { path, mode, expected } => {
                let var = format_ident!("path{}", path);
                let expected = literal(expected);
                let test = match mode {
                    PathMode::Equals => quote!(*v == #expected),
                    PathMode::All => quote!(v.all_equal(&#expected)),
                    PathMode::Any => quote!(v.any_equal(&#expected)),
                };
                quote! {
                    if #var.as_ref().is_some_and(|v| #test) {
                        #hit
                    }
                }
            }
            AcceptorTest::Status(code) => quote! {
                if w::status_of(r, #status) == Some(#code) {
                    #hit
                }
            },
            AcceptorTest::Error(ErrorTest::Any) => quote!(if r.is_err() { #hit }),
            AcceptorTest::Error(ErrorTest::None) => quote!(if r.is_ok() { #hit }),
            AcceptorTest::Error(ErrorTest::Code(code)) => quote! {
                if let Err(e) = r {
                    if e.code() == Some(#code) {
                        #hit
                    }
                }
            },
        }
    });

    let doc = super::doc_attrs(&format!(
        "The `{}` waiter: {}\n\nPolls `{}` every {delay} s at first, backing off up to 120 s (the model allows {} attempts; \
         here `max_wait` bounds the wait). Start it with [`Client::{}`].",
        wt.name,
        wt.description.clone().unwrap_or_else(|| "waits for a resource state.".into()),
        op.name,
        wt.max_attempts,
        wt.method,
    ));
    let lets = wt.paths.iter().enumerate().map(|(n, path)| {
        let var = format_ident!("path{}", n);
        let value = render(path, quote!(Some(out)));
        quote!(let #var = r.as_ref().ok().map(|out| #value);)
    });
    quote! {
        #doc
        #[derive(Clone, Copy, Debug)]
        pub struct #name;

        impl w::Waiter<#input_ty> for #name {
            const NAME: &'static str = #wire_name;
            const MIN_DELAY: Duration = Duration::from_secs(#delay);

            fn classify(r: &#result<#output_ty, #error<#error_ty>>) -> #option<(usize, w::AcceptorState)> {
                #(#lets)*
                #(#checks)*
                None
            }
        }
    }
}

/// Whether an expression reads a value (and so needs `ToJm`), rather than only counting objects.
fn reads_values(e: &JmExpr) -> bool {
    match e {
        JmExpr::Path { leaf, .. } => *leaf == Leaf::Value,
        JmExpr::Project { each, .. } | JmExpr::Values { each, .. } => reads_values(each),
        JmExpr::Filter { cond, each, .. } => reads_values(cond) || reads_values(each),
        JmExpr::Literal(_) => false,
        JmExpr::Length(a) | JmExpr::Not(a) => reads_values(a),
        JmExpr::Contains(a, b) | JmExpr::Compare(_, a, b) | JmExpr::And(a, b) | JmExpr::Or(a, b) => {
            reads_values(a) || reads_values(b)
        }
    }
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

/// Field steps applied to `var` (an `Option<&T>`): an `Option<&U>`.
fn steps(steps: &[Step], var: TokenStream) -> TokenStream {
    steps.iter().fold(var, |var, s| {
        let field = ident(&s.field);
        match (s.required, s.boxed) {
            (true, false) => quote!(#var.map(|v| &v.#field)),
            (true, true) => quote!(#var.map(|v| &*v.#field)),
            (false, false) => quote!(#var.and_then(|v| v.#field.as_ref())),
            (false, true) => quote!(#var.and_then(|v| v.#field.as_deref())),
        }
    })
}

/// An expression evaluated on `var` (an `Option<&T>`), as a `Jm`.
fn render(e: &JmExpr, var: TokenStream) -> TokenStream {
    match e {
        JmExpr::Path { steps: path, leaf } => {
            let v = steps(path, var);
            match leaf {
                Leaf::Object => quote!(#v.map_or(Jm::Null, |_| Jm::Object)),
                Leaf::Objects => quote!(#v.map_or(Jm::Null, |l| Jm::List(l.iter().map(|_| Jm::Object).collect()))),
                Leaf::Value => quote!(#v.map_or(Jm::Null, |v| v.to_jm())),
            }
        }
        JmExpr::Project { steps: path, each, splice } => {
            let v = steps(path, var);
            let each = render(each, quote!(Some(x)));
            quote!(#v.map_or(Jm::Null, |l| Jm::project(l.iter().map(|x| #each), #splice)))
        }
        JmExpr::Filter { steps: path, cond, each, splice } => {
            let v = steps(path, var);
            let cond = render(cond, quote!(Some(x)));
            let each = render(each, quote!(Some(x)));
            quote!(#v.map_or(Jm::Null, |l| Jm::project(l.iter().filter(|&x| (#cond).truthy()).map(|x| #each), #splice)))
        }
        JmExpr::Values { steps: path, each, splice } => {
            let v = steps(path, var);
            let each = render(each, quote!(Some(x)));
            quote!(#v.map_or(Jm::Null, |m| Jm::project(m.values().map(|x| #each), #splice)))
        }
        JmExpr::Literal(v) => literal(v),
        JmExpr::Length(a) => {
            let a = render(a, var);
            quote!((#a).length())
        }
        JmExpr::Contains(a, b) => {
            let (a, b) = (render(a, var.clone()), render(b, var));
            quote!((#a).contains(&(#b)))
        }
        JmExpr::Compare(op, a, b) => {
            let (a, b) = (render(a, var.clone()), render(b, var));
            quote!((#a).compare(#op, &(#b)))
        }
        JmExpr::And(a, b) => {
            let (a, b) = (render(a, var.clone()), render(b, var));
            quote!({ let l = #a; if l.truthy() { #b } else { l } })
        }
        JmExpr::Or(a, b) => {
            let (a, b) = (render(a, var.clone()), render(b, var));
            quote!({ let l = #a; if l.truthy() { l } else { #b } })
        }
        JmExpr::Not(a) => {
            let a = render(a, var);
            quote!(Jm::Bool(!(#a).truthy()))
        }
    }
}
