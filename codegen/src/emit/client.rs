//! Emits `Client`: one fluent method and one `_with(input)` method per operation, documented from
//! the model.

use super::rt::{self, Rt};
use super::{deprecated_attr, doc_attrs, ident, result_and_option, rust_file, EmitError, GeneratedFile, Options};
use crate::docs::first_sentence;
use crate::ir::{ExampleIr, Ir, OpId, OperationIr, RustType};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub(super) fn file(ir: &Ir, options: &Options) -> Result<GeneratedFile, EmitError> {
    let krate = options.crate_name.replace('-', "_");
    let methods: Vec<TokenStream> = ir.ops().filter_map(|(id, _)| method(ir, id, &krate)).collect();
    let root = options.root();
    let waiters: Vec<TokenStream> = ir
        .waiters
        .iter()
        .filter_map(|w| {
            let op = ir.op(w.operation);
            let input = ident(&ir.input(op)?.name);
            let builder = ident(&ir.service.builder);
            let method = format_ident!("{}", w.method);
            let ctx = format_ident!("{}", w.name);
            let doc = format!(
                " Waits with the `{}` waiter: set `{}`'s parameters, then call `.wait(max_wait)`. See [`crate::waiters::{}`].",
                w.name, op.name, w.name
            );
            let waiter_ctx = Rt::WaiterCtx.path();
            Some(quote! {
                #[doc = #doc]
                pub fn #method(&self) -> #builder<#input, #waiter_ctx<&Self, #root::waiters::#ctx>> {
                    #builder::with_context(#waiter_ctx::new(self))
                }
            })
        })
        .collect();
    let paginators: Vec<TokenStream> = ir
        .paginators
        .iter()
        .filter_map(|p| {
            let op = ir.op(p.operation);
            let input = ir.input(op)?;
            let input_ty = ident(&input.name);
            let builder = ident(&ir.service.builder);
            let what = if p.item.is_some() {
                format!("[`items()`]({}) each entry of {}", Rt::PaginatorItems.text(), p.result_members())
            } else if p.results.is_empty() {
                "its results are not a collection, so there is no `items()`".to_string()
            } else {
                format!("each holding {} (lists of different types, so there is no `items()`)", p.result_members())
            };
            let doc = format!(
                " Pages through `{}`: [`pages()`]({}) yields each response, {what}. The paginator sets `{}` \
                 from each response's `{}` and stops when the service returns none.",
                op.name,
                Rt::PaginatorPages.text(),
                p.input_token_text(),
                p.output_token_text
            );
            let paginator = Rt::Paginator.path();
            Some(quote! {
                impl<'a> #builder<#input_ty, &'a Client> {
                    #[doc = #doc]
                    pub fn into_paginator(self) -> #paginator<&'a Client, #input_ty> {
                        #paginator::new(self.ctx, self.inner)
                    }
                }
            })
        })
        .collect();
    let service = &ir.service.full_name;
    let client_doc = doc_attrs(&format!(
        "A client for {service}.\n\n\
         Cheap to clone (it shares its connection pool, credentials cache and retry quota). Each\n\
         operation has a fluent method (`client.get_function().function_name(\"f\").send().await`) and\n\
         a `_with` method taking the input structure."
    ));
    let (result, _) = result_and_option(ir);
    let root = options.root();
    let allow = if methods.is_empty() { quote!(#![allow(unused_imports)]) } else { quote!() };
    let (handle, operation, runtime) = (Rt::Handle.path(), Rt::OperationModule.path(), rt::krate());
    let [dispatch, operation_trait, config, error] =
        [Rt::Dispatch, Rt::Operation, Rt::Config, Rt::Error].map(|r| format_ident!("{}", r.name()));
    let tokens = quote! {
        //! The client.
        #allow
        use #root::error::*;
        use #root::types::*;
        use std::sync::Arc;
        use #handle;
        use #operation::{#dispatch, #operation_trait};
        use #runtime::{#config, #error};

        #client_doc
        #[derive(Clone, Debug)]
        pub struct Client {
            handle: Arc<Handle>,
        }

        impl Client {
            /// Creates a client from a configuration (see [`Config::from_env`]).
            ///
            /// Building never fails: a configuration that cannot resolve an endpoint (no region,
            /// say) makes every call return that error.
            pub fn new(config: &Config) -> Self {
                Client { handle: Arc::new(Handle::new(config, &#root::SERVICE)) }
            }

            /// The configuration the client was built from.
            pub fn config(&self) -> &Config {
                self.handle.config()
            }

            #(#methods)*

            #(#waiters)*
        }

        #(#paginators)*

        impl<I: Operation> Dispatch<I> for &Client {
            type Output = #result<I::Output, Error<I::Error>>;

            fn dispatch(self, input: I) -> impl std::future::Future<Output = Self::Output> + Send {
                self.handle.call(input)
            }
        }
    };
    rust_file("src/client.rs", tokens, options)
}

/// One example of `examples-1.json` as docs: title, prose, a doctest building the request with the
/// fluent builder, and the example's output as JSON.
pub(super) fn example_doc(ir: &Ir, op: &OperationIr, ex: &ExampleIr, krate: &str) -> String {
    let mut out = String::new();
    out.push_str(&format!("\n\n## {}\n\n", ex.title));
    if let Some(d) = &ex.description {
        out.push_str(d);
        out.push_str("\n\n");
    }
    for (member, comment) in &ex.comments {
        out.push_str(&format!("- `{member}`: {comment}\n"));
    }
    let krate_ident = format_ident!("{}", krate);
    let types = quote!(#krate_ident::types);
    let input_struct = ir.input(op);
    let mut calls = Vec::new();
    let mut ok = true;
    if let (Some(serde_json::Value::Object(input)), Some(s)) = (&ex.input, input_struct) {
        for (member, value) in input {
            let Some(f) = s.fields.iter().find(|f| &f.member == member) else {
                ok = false;
                break;
            };
            // Setters take `impl Into<_>`: strings and enum values go in as plain literals.
            let is_enum = ir.is_enum(&f.ty);
            let direct = match value {
                serde_json::Value::String(text) if f.ty == RustType::String || is_enum => Some(quote!(#text)),
                _ => None,
            };
            match direct.map(Ok).unwrap_or_else(|| super::value_expr(ir, &types, &f.ty, value)) {
                Ok(v) => {
                    let setter = ident(&f.name);
                    calls.push(quote!(.#setter(#v)));
                }
                Err(_) => {
                    ok = false;
                    break;
                }
            }
        }
    }
    let method = ident(&op.method);
    if ok {
        let body = quote! {
            fn body() {
                let output = client.#method() #(#calls)* .send().await?;
                println!("{output:?}");
            }
        };
        let text = syn::parse2::<syn::File>(body).map(|f| prettyplease::unparse(&f)).unwrap_or_default();
        // The wrapper that gives the example a client and `?` is hidden in the rendered docs.
        out.push_str(&format!(
            "```no_run\n# async fn example(client: {krate}::Client) -> Result<(), Box<dyn std::error::Error>> {{\n"
        ));
        let lines: Vec<&str> = text.lines().collect();
        for line in lines.iter().skip(1).take(lines.len().saturating_sub(2)) {
            out.push_str(line.strip_prefix("    ").unwrap_or(line));
            out.push('\n');
        }
        out.push_str("# Ok(())\n# }\n```\n");
    } else if let Some(input) = &ex.input {
        out.push_str(&format!("Input:\n\n```json\n{}\n```\n", serde_json::to_string_pretty(input).unwrap_or_default()));
    }
    if let Some(output) = ex.output.as_ref().filter(|o| o.as_object().is_some_and(|m| !m.is_empty())) {
        out.push_str(&format!(
            "\nOutput:\n\n```json\n{}\n```",
            serde_json::to_string_pretty(output).unwrap_or_default()
        ));
    }
    out
}

fn method(ir: &Ir, id: OpId, krate: &str) -> Option<TokenStream> {
    let op = ir.op(id);
    let input = ir.input(op)?;
    let (result, _) = result_and_option(ir);
    let input_ty = ident(&input.name);
    let builder = ident(&ir.service.builder);
    let output_ty = match ir.output(op) {
        Some(o) => {
            let o = ident(&o.name);
            quote!(#o)
        }
        None => quote!(()),
    };
    let error_ty = ident(&op.error_enum);
    let fluent = ident(&op.method);
    let with = format_ident!("{}", op.with_method);
    let deprecated = deprecated_attr(&op.deprecated);

    let mut docs = op.docs.clone();
    docs.push_str("\n\n# Request\n\n");
    {
        let s = input;
        let (required, optional): (Vec<_>, Vec<_>) = s.fields.iter().partition(|f| f.required);
        for (title, fields) in [("Required", required), ("Optional", optional)] {
            if fields.is_empty() {
                continue;
            }
            docs.push_str(&format!("{title}:\n"));
            for f in fields {
                let name = f.name.trim_start_matches("r#");
                let summary = first_sentence(&f.docs);
                docs.push_str(&format!("- [`{name}`]({}::{name}) (`{}`): {summary}\n", s.name, ir.display(&f.ty)));
            }
            docs.push('\n');
        }
    }
    let returns = match ir.output(op) {
        Some(o) => format!("[`{}`]", o.name),
        None => "`()`".to_string(),
    };
    docs.push_str(&format!(
        "# Response\n\nReturns {returns}; on failure a [`{}`] whose service error is [`{}`].",
        Rt::Error.text(),
        op.error_enum
    ));
    if !op.errors.is_empty() {
        let list: Vec<String> = ir.error_variants(op).map(|(n, _)| format!("[`{n}`]")).collect();
        docs.push_str(&format!(" Modeled errors: {}.", list.join(", ")));
    }
    if let Some(p) = ir.paginator(id) {
        docs.push_str(&format!(
            "\n\n# Pagination\n\nPages with `{}().into_paginator()` (the {} items of every page).",
            op.method.trim_start_matches("r#"),
            p.result_members()
        ));
    }
    let waiters: Vec<String> =
        op.waiters.iter().map(|w| format!("[`{m}`](Client::{m})", m = ir.waiters[*w].method)).collect();
    if !waiters.is_empty() {
        docs.push_str(&format!("\n\n# Waiters\n\nPolled by {}.", waiters.join(", ")));
    }
    for (i, ex) in op.examples.iter().enumerate() {
        if i == 0 {
            docs.push_str("\n\n# Examples");
        }
        docs.push_str(&example_doc(ir, op, ex, krate));
    }
    let doc = doc_attrs(&docs);
    let with_doc =
        format!(" Calls `{}` with a complete input; see [`Client::{}`].", op.name, op.method.trim_start_matches("r#"));
    Some(quote! {
        #doc
        #deprecated
        pub fn #fluent(&self) -> #builder<#input_ty, &Self> {
            #builder::with_context(self)
        }

        #[doc = #with_doc]
        #deprecated
        pub async fn #with(&self, input: #input_ty) -> #result<#output_ty, Error<#error_ty>> {
            self.handle.call(input).await
        }
    })
}
