//! Emits `Client`: one fluent method and one `_with(input)` method per operation, documented from
//! the model.

use super::{deprecated_attr, doc_attrs, ident, result_and_option, rust_file, EmitError, GeneratedFile, Options};
use crate::docs::first_sentence;
use crate::ir::{Ir, OperationIr};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub(super) fn file(ir: &Ir, options: &Options) -> Result<GeneratedFile, EmitError> {
    let methods: Vec<TokenStream> = ir.operations.iter().filter_map(|op| method(ir, op)).collect();
    let root = options.root();
    let waiters: Vec<TokenStream> = ir
        .waiters
        .iter()
        .filter_map(|w| {
            let op = ir.operations.iter().find(|o| o.name == w.operation)?;
            let input = op.input.as_ref()?;
            let builder = format_ident!("{}Builder", input.trim_start_matches("r#"));
            let method = format_ident!("wait_until_{}", heck::ToSnakeCase::to_snake_case(w.name.as_str()));
            let ctx = format_ident!("{}", w.name);
            let doc = format!(
                " Waits with the `{}` waiter: set `{}`'s parameters, then call `.wait(max_wait)`. See [`crate::waiters::{}`].",
                w.name, op.name, w.name
            );
            Some(quote! {
                #[doc = #doc]
                pub fn #method(&self) -> #builder<#root::waiters::#ctx<'_>> {
                    #builder::with_context(#root::waiters::#ctx(self))
                }
            })
        })
        .collect();
    let paginators: Vec<TokenStream> = ir
        .paginators
        .iter()
        .filter_map(|p| {
            let op = ir.operations.iter().find(|o| o.name == p.operation)?;
            let input = op.input.as_ref()?;
            let input_ty = ident(input);
            let builder = format_ident!("{}Builder", input.trim_start_matches("r#"));
            let doc = format!(
                " Pages through `{}`: [`pages()`](stratus_runtime::paginate::Paginator::pages) yields each \
                 response, [`items()`](stratus_runtime::paginate::Paginator::items) each entry of `{}`. The \
                 paginator sets `{}` from each response's `{}` and stops when the service returns none.",
                op.name, p.result.member, p.input_token.member, p.output_token.member
            );
            Some(quote! {
                impl<'a> #builder<&'a Client> {
                    #[doc = #doc]
                    pub fn into_paginator(self) -> stratus_runtime::paginate::Paginator<&'a Client, #input_ty> {
                        let (client, input) = self.into_parts();
                        stratus_runtime::paginate::Paginator::new(client, input)
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
    let tokens = quote! {
        //! The client.
        #allow
        use #root::error::*;
        use #root::types::builders::*;
        use #root::types::*;
        use std::sync::Arc;
        use stratus_runtime::client::Handle;
        use stratus_runtime::operation::{Dispatch, Operation};
        use stratus_runtime::{Config, Error};

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

fn method(ir: &Ir, op: &OperationIr) -> Option<TokenStream> {
    let input = op.input.as_ref()?;
    let (result, _) = result_and_option(ir);
    let input_ty = ident(input);
    let builder = format_ident!("{}Builder", input.trim_start_matches("r#"));
    let output_ty = match &op.output {
        Some(o) => {
            let o = ident(o);
            quote!(#o)
        }
        None => quote!(()),
    };
    let error_ty = format_ident!("{}Error", op.name);
    let fluent = ident(&op.method);
    let with = format_ident!("{}_with", op.method.trim_start_matches("r#"));
    let deprecated = deprecated_attr(&op.deprecated);

    let mut docs = op.docs.clone();
    docs.push_str("\n\n# Request\n\n");
    if let Some(s) = ir.find_struct(input) {
        let (required, optional): (Vec<_>, Vec<_>) = s.fields.iter().partition(|f| f.required);
        for (title, fields) in [("Required", required), ("Optional", optional)] {
            if fields.is_empty() {
                continue;
            }
            docs.push_str(&format!("{title}:\n"));
            for f in fields {
                let name = f.name.trim_start_matches("r#");
                let summary = first_sentence(&f.docs);
                docs.push_str(&format!("- [`{name}`]({}::{name}) (`{}`): {summary}\n", s.name, f.ty));
            }
            docs.push('\n');
        }
    }
    let returns = match &op.output {
        Some(o) => format!("[`{o}`]"),
        None => "`()`".to_string(),
    };
    docs.push_str(&format!(
        "# Response\n\nReturns {returns}; on failure a [`stratus_runtime::Error`] whose service error is [`{}Error`].",
        op.name
    ));
    if !op.error_codes.is_empty() {
        let list: Vec<String> = op.error_codes.iter().map(|(n, _)| format!("[`{n}`]")).collect();
        docs.push_str(&format!(" Modeled errors: {}.", list.join(", ")));
    }
    let doc = doc_attrs(&docs);
    let with_doc =
        format!(" Calls `{}` with a complete input; see [`Client::{}`].", op.name, op.method.trim_start_matches("r#"));
    Some(quote! {
        #doc
        #deprecated
        pub fn #fluent(&self) -> #builder<&Self> {
            #builder::with_context(self)
        }

        #[doc = #with_doc]
        #deprecated
        pub async fn #with(&self, input: #input_ty) -> #result<#output_ty, Error<#error_ty>> {
            self.handle.call(input).await
        }
    })
}
