//! Emits the wire side of operations: `impl Operation` for each input (its spec, validation, member
//! bindings and output parsing), `impl Validate` for nested structures with constraints,
//! `impl EventUnion` for event streams, and the per-operation error enums.

use super::{ident, result_and_option, rust_file_with, EmitError, GeneratedFile, Options, Verbatim};
use crate::ir::{Field, Ir, OperationIr, PageItem, PaginatorIr, RustType, StructDef, TypeDef, UnionDef};
use crate::model::{Location, TimestampFormat};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::HashSet;

pub(super) fn files(ir: &Ir, options: &Options) -> Result<Vec<GeneratedFile>, EmitError> {
    let validated = validated_structs(ir);
    let mut items = Vec::new();
    for op in &ir.operations {
        items.push(operation(ir, op, &validated));
    }
    for p in &ir.paginators {
        items.push(paginated(ir, p));
    }
    for t in &ir.types {
        match t {
            TypeDef::Struct(s) if validated.contains(&s.name) && s.roles.nested => {
                items.push(validate_impl(s, &validated))
            }
            TypeDef::Union(u) if u.event_stream => items.push(event_union(ir, u)),
            _ => {}
        }
    }
    let root = options.root();
    let allow = if ir.operations.is_empty() { quote!(#![allow(unused_imports)]) } else { quote!() };
    let tokens = quote! {
        //! The wire description of each operation: how its input is validated and bound to the
        //! request, and how its output is read from the response.
        #allow
        use #root::error::*;
        use #root::types::*;
        use stratus_runtime::operation as rt;

        #(#items)*
    };
    let ops = rust_file_with("src/operations.rs", tokens, &Verbatim::default(), options)?;

    let verbatim = Verbatim::default();
    let enums: Vec<TokenStream> = ir.operations.iter().map(|op| verbatim.item(error_enum(op, &options.root))).collect();
    let allow = if ir.operations.iter().all(|op| op.error_codes.is_empty()) {
        quote!(#![allow(unused_imports)])
    } else {
        quote!()
    };
    let tokens = quote! {
        //! The error enum of each operation: its modeled exceptions, and `Unhandled` for the rest.
        //! Operations return `stratus_runtime::Error<OperationError>`; see
        //! [`Error::service_error`](stratus_runtime::Error::service_error).
        #allow
        use #root::types::*;

        #(#enums)*
    };
    let errors = rust_file_with("src/error.rs", tokens, &verbatim, options)?;
    Ok(vec![ops, errors])
}

fn error_enum(op: &OperationIr, root: &str) -> String {
    let mut s = format!(
        "stratus_runtime::operation_error! {{\n    /// Errors of [`Client::{method}`]({root}::Client::{method}).\n    {name} {{\n",
        method = op.method.trim_start_matches("r#"),
        name = op.error_enum
    );
    for (variant, code) in &op.error_codes {
        s.push_str(&format!("        {variant} = {code:?},\n"));
    }
    s.push_str("    }\n}\n");
    s
}

/// Structures reachable from operation inputs whose members (or members' members) have constraints.
fn validated_structs(ir: &Ir) -> HashSet<String> {
    let mut out: HashSet<String> = HashSet::new();
    loop {
        let before = out.len();
        for t in &ir.types {
            if let TypeDef::Struct(s) = t {
                if s.error.is_none() && s.fields.iter().any(|f| !checks(f, &out).is_empty()) {
                    out.insert(s.name.clone());
                }
            }
        }
        if out.len() == before {
            return out;
        }
    }
}

/// The element type a field's structure-validation applies to, and how (nested/each/each_value).
fn nested_target(ty: &RustType) -> Option<(&'static str, &str)> {
    match ty {
        RustType::Named(n) => Some(("nested", n)),
        RustType::List(inner) => match &**inner {
            RustType::Named(n) => Some(("each", n)),
            _ => None,
        },
        RustType::Map(_, v) => match &**v {
            RustType::Named(n) => Some(("each_value", n)),
            _ => None,
        },
        _ => None,
    }
}

/// The validation calls for one field.
fn checks(f: &Field, validated: &HashSet<String>) -> Vec<TokenStream> {
    let name = ident(&f.name);
    let member = &f.member;
    let value = if f.required { quote!(Some(&self.#name)) } else { quote!(self.#name.as_ref()) };
    let mut out = Vec::new();
    let c = &f.constraints;
    // Required strings must not be empty (a URI label is checked when the URI is built; a minimum
    // length already refuses an empty value).
    let has_min = c.min.is_some_and(|m| m >= 1.0);
    if f.required && f.ty == RustType::String && f.location != Some(Location::Uri) && !has_min {
        out.push(quote!(v.required(#member, &self.#name);));
    }
    let bound = |x: Option<f64>| match x {
        Some(v) => {
            let lit = proc_macro2::Literal::f64_unsuffixed(v);
            quote!(Some(#lit))
        }
        None => quote!(None),
    };
    let len_bound = |x: Option<f64>| match x.filter(|v| *v >= 0.0 && v.fract() == 0.0) {
        Some(v) => {
            let lit = proc_macro2::Literal::usize_unsuffixed(v as usize);
            quote!(Some(#lit))
        }
        None => quote!(None),
    };
    let has_len = matches!(f.ty, RustType::String | RustType::Blob | RustType::List(_) | RustType::Map(..));
    let is_num =
        matches!(f.ty, RustType::I8 | RustType::I16 | RustType::I32 | RustType::I64 | RustType::F32 | RustType::F64);
    let min = c.min.filter(|m| !(has_len && *m == 0.0));
    if has_len && (min.is_some() || c.max.is_some()) && !f.streaming {
        let (lo, hi) = (len_bound(min), len_bound(c.max));
        out.push(quote!(v.length(#member, #value, #lo, #hi);));
    }
    if is_num && (c.min.is_some() || c.max.is_some()) {
        let (lo, hi) = (bound(c.min), bound(c.max));
        out.push(quote!(v.range(#member, #value, #lo, #hi);));
    }
    if let Some((how, target)) = nested_target(&f.ty) {
        if validated.contains(target) {
            let how = quote::format_ident!("{}", how);
            let value = if f.boxed {
                if f.required {
                    quote!(Some(&*self.#name))
                } else {
                    quote!(self.#name.as_deref())
                }
            } else {
                value
            };
            out.push(quote!(v.#how(#member, #value);));
        }
    }
    out
}

fn validate_impl(s: &StructDef, validated: &HashSet<String>) -> TokenStream {
    let name = ident(&s.name);
    let checks: Vec<TokenStream> = s.fields.iter().flat_map(|f| checks(f, validated)).collect();
    quote! {
        impl rt::Validate for #name {
            fn validate(&self, v: &mut rt::Validator) {
                #(#checks)*
            }
        }
    }
}

/// The member's `timestampFormat`, when it has one.
fn timestamp_format(f: &Field) -> Option<TokenStream> {
    match f.timestamp_format? {
        TimestampFormat::UnixTimestamp => Some(quote!(rt::TimestampFormat::EpochSeconds)),
        TimestampFormat::Iso8601 => Some(quote!(rt::TimestampFormat::Iso8601)),
        TimestampFormat::Rfc822 => Some(quote!(rt::TimestampFormat::HttpDate)),
    }
}

fn operation(ir: &Ir, op: &OperationIr, validated: &HashSet<String>) -> TokenStream {
    let Some(input_name) = &op.input else {
        return quote!();
    };
    let Some(input) = ir.find_struct(input_name) else { return quote!() };
    let output = op.output.as_ref().and_then(|o| ir.find_struct(o));
    let input_ty = ident(input_name);
    let output_ty = match &op.output {
        Some(o) => {
            let o = ident(o);
            quote!(#o)
        }
        None => quote!(()),
    };
    let error_ty = ident(&op.error_enum);
    let (name, method, uri) = (&op.name, &op.http_method, &op.request_uri);
    let status = proc_macro2::Literal::u16_unsuffixed(op.status);

    // The spec.
    let mut spec = quote!(rt::OpSpec::new(#name, #method, #uri, #status));
    let payload = input.payload.as_ref().and_then(|p| input.fields.iter().find(|f| &f.member == p));
    if payload.is_some() {
        spec = quote!(#spec.payload());
    } else if input.fields.iter().any(|f| f.location.is_none()) {
        spec = quote!(#spec.json());
    }
    let out_payload = output.and_then(|o| o.payload.as_ref().and_then(|p| o.fields.iter().find(|f| &f.member == p)));
    if out_payload.is_some_and(|f| f.streaming || matches!(f.ty, RustType::EventStream(_))) {
        spec = quote!(#spec.streaming());
    }
    if let Some(prefix) = &op.host_prefix {
        spec = quote!(#spec.host_prefix(#prefix));
    }

    // Validation.
    let checks: Vec<TokenStream> = input.fields.iter().flat_map(|f| checks(f, validated)).collect();
    let validate = if checks.is_empty() {
        quote!()
    } else {
        quote! {
            fn validate(&self, v: &mut rt::Validator) {
                #(#checks)*
            }
        }
    };

    // Idempotency tokens.
    let tokens: Vec<TokenStream> = input
        .fields
        .iter()
        .filter(|f| f.idempotency_token && f.ty == RustType::String)
        .map(|f| {
            let n = ident(&f.name);
            if f.required {
                quote!(rt::fill_required_token(&mut self.#n);)
            } else {
                quote!(rt::fill_token(&mut self.#n);)
            }
        })
        .collect();
    let prepare = if tokens.is_empty() {
        quote!()
    } else {
        quote! {
            fn prepare(&mut self) {
                #(#tokens)*
            }
        }
    };

    // Bindings.
    let binds: Vec<TokenStream> = input
        .fields
        .iter()
        .filter_map(|f| {
            let n = ident(&f.name);
            let wire = &f.wire_name;
            let opt = if f.required { quote!(Some(&self.#n)) } else { quote!(self.#n.as_ref()) };
            if payload.is_some_and(|p| p.member == f.member) {
                let text = if f.required {
                    quote!(Some(self.#n.as_str()))
                } else {
                    quote!(self.#n.as_ref().map(|v| v.as_str()))
                };
                return Some(match &f.ty {
                    RustType::Blob => quote!(req.blob_payload(#opt);),
                    RustType::String => quote!(req.text_payload(#text);),
                    RustType::Named(t) if matches!(ir.find_type(t), Some(TypeDef::Enum(_))) => {
                        quote!(req.text_payload(#text);)
                    }
                    _ => quote!(req.json_payload(#opt);),
                });
            }
            if f.host_label {
                return Some(quote!(req.host_label(#wire, &self.#n);));
            }
            let ts = if f.ty == RustType::DateTime { timestamp_format(f) } else { None };
            Some(match f.location? {
                Location::Uri if ts.is_some() && f.required => quote!(req.label_timestamp(#wire, &self.#n, #ts);),
                Location::Querystring if ts.is_some() => quote!(req.query_timestamp(#wire, #opt, #ts);),
                Location::Uri => quote!(req.label(#wire, &self.#n);),
                Location::Querystring => quote!(req.query(#wire, &self.#n);),
                Location::Header if f.jsonvalue => quote!(req.header_json(#wire, #opt);),
                Location::Header if ts.is_some() => quote!(req.header_timestamp(#wire, #opt, #ts);),
                Location::Header => quote!(req.header(#wire, &self.#n);),
                Location::Headers => quote!(req.prefix_headers(#wire, #opt);),
                Location::StatusCode => return None,
            })
        })
        .collect();
    let bind = if binds.is_empty() {
        quote!()
    } else {
        quote! {
            fn bind(&self, req: &mut rt::Request) {
                #(#binds)*
            }
        }
    };

    let (result, _) = result_and_option(ir);
    let parse = match output {
        None => quote! {
            fn parse(_resp: &mut rt::Response) -> #result<(), rt::ResponseError> {
                Ok(())
            }
        },
        Some(o) => parse_output(ir, o, &result),
    };

    quote! {
        impl rt::Operation for #input_ty {
            type Output = #output_ty;
            type Error = #error_ty;
            const SPEC: rt::OpSpec = #spec;
            #validate
            #prepare
            #bind
            #parse
        }
    }
}

/// `parse` for outputs with header, status or payload members; nothing (the JSON default) otherwise.
fn parse_output(ir: &Ir, o: &StructDef, result: &TokenStream) -> TokenStream {
    let payload = o.payload.as_ref();
    let bound: Vec<&Field> = o.fields.iter().filter(|f| f.location.is_some() || payload == Some(&f.member)).collect();
    if bound.is_empty() {
        return quote!();
    }
    let has_body_members = o.fields.iter().any(|f| f.location.is_none() && payload != Some(&f.member));
    let ty = ident(&o.name);
    let values: Vec<(proc_macro2::Ident, TokenStream)> = bound
        .iter()
        .map(|f| {
            let n = ident(&f.name);
            let wire = &f.wire_name;
            let value = if payload == Some(&f.member) {
                match &f.ty {
                    RustType::Blob => quote!(resp.blob()),
                    RustType::String => quote!(resp.text()),
                    RustType::Named(t) if matches!(ir.find_type(t), Some(TypeDef::Enum(_))) => {
                        let t = ident(t);
                        quote!(resp.text().map(#t::from))
                    }
                    // Always present: a required stream is the stream itself.
                    RustType::EventStream(_) if f.required => {
                        return (n, quote!(stratus_runtime::event_stream::EventStream::new(resp.take_stream())));
                    }
                    RustType::EventStream(_) => {
                        quote!(Some(stratus_runtime::event_stream::EventStream::new(resp.take_stream())))
                    }
                    _ => quote!(resp.json_payload()?),
                }
            } else {
                match (f.location, &f.ty) {
                    (Some(Location::StatusCode), _) => quote!(resp.status_code()),
                    (Some(Location::Headers), _) => quote!(resp.prefix_headers(#wire)),
                    (_, RustType::List(_)) => quote!(resp.header_list(#wire)?),
                    _ if f.jsonvalue => quote!(resp.header_json(#wire)?),
                    _ => quote!(resp.header(#wire)?),
                }
            };
            let value = if f.required { quote!(#value.unwrap_or_default()) } else { value };
            (n, value)
        })
        .collect();
    let body = if has_body_members && payload.is_none() {
        // The JSON body first, then the members bound elsewhere.
        let sets = values.iter().map(|(n, v)| quote!(out.#n = #v;));
        quote! {
            let mut out: #ty = resp.json()?;
            #(#sets)*
            Ok(out)
        }
    } else {
        let fields = values.iter().map(|(n, v)| quote!(#n: #v,));
        let rest = if bound.len() < o.fields.len() { quote!(..::core::default::Default::default()) } else { quote!() };
        quote! {
            Ok(#ty {
                #(#fields)*
                #rest
            })
        }
    };
    quote! {
        fn parse(resp: &mut rt::Response) -> #result<Self::Output, rt::ResponseError> {
            #body
        }
    }
}

/// `impl EventUnion`: each event type decodes into its variant — a blob-payload event takes the raw
/// payload, any other event is the JSON payload.
fn event_union(ir: &Ir, u: &UnionDef) -> TokenStream {
    let name = ident(&u.name);
    let arms = u.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let wire = &v.wire_name;
        let event = match &v.ty {
            RustType::Named(n) => ir.find_struct(n),
            _ => None,
        };
        let blob_member = event.and_then(|e| e.fields.iter().find(|f| f.event_payload && f.ty == RustType::Blob));
        match (event, blob_member) {
            (Some(e), Some(m)) => {
                let ety = ident(&e.name);
                let field = ident(&m.name);
                let value =
                    if m.required { quote!(message.payload_blob()) } else { quote!(Some(message.payload_blob())) };
                let rest = if e.fields.len() > 1 { quote!(..::core::default::Default::default()) } else { quote!() };
                quote!(#wire => Self::#variant(#ety { #field: #value, #rest }),)
            }
            _ => quote!(#wire => Self::#variant(message.json()?),),
        }
    });
    let (result, option) = result_and_option(ir);
    quote! {
        impl stratus_runtime::event_stream::EventUnion for #name {
            fn from_event(
                event_type: &str,
                message: &stratus_runtime::event_stream::Message,
            ) -> #result<#option<Self>, stratus_runtime::event_stream::EventStreamError> {
                let event = match event_type {
                    #(#arms)*
                    _ => return Ok(None),
                };
                Ok(Some(event))
            }
        }
    }
}

/// `impl Paginated` (where the tokens are) and, when the pages hold one kind of item,
/// `impl PaginatedItems` (how to take them out of a page).
fn paginated(ir: &Ir, p: &PaginatorIr) -> TokenStream {
    let Some(op) = ir.operations.iter().find(|o| o.name == p.operation) else { return quote!() };
    let (Some(input), Some(output)) = (&op.input, &op.output) else { return quote!() };
    let (input, output) = (ident(input), ident(output));
    let token_in = ident(&p.input_token.name);
    let token_out = ident(&p.output_token.name);
    let set = if p.input_token.required {
        quote!(self.#token_in = token.unwrap_or_default();)
    } else {
        quote!(self.#token_in = token;)
    };
    let get = if p.output_token.required {
        quote!(Some(page.#token_out.as_str()))
    } else {
        quote!(page.#token_out.as_deref())
    };
    let items_impl = p.item.as_ref().map(|item| {
        let (item_ty, collect) = match item {
            PageItem::Element(t) => (super::type_tokens(ir, t), quote!()),
            PageItem::Entry(k, v) => {
                let (k, v) = (super::type_tokens(ir, k), super::type_tokens(ir, v));
                (quote!((#k, #v)), quote!(.into_iter().collect::<Vec<_>>()))
            }
        };
        // `page.a` (or through nested structures, `page.a.and_then(|v| v.b)`), then the
        // collection, empty when absent.
        let take = |path: &Vec<Field>| {
            let mut expr = quote!(page);
            let mut optional = false;
            for f in path {
                let name = ident(&f.name);
                // Boxed fields (recursive structures) are unboxed on the way.
                let unbox = if f.boxed { quote!(.map(|v| *v)) } else { quote!() };
                expr = match (optional, f.required) {
                    (false, true) => quote!(#expr.#name),
                    (false, false) => quote!(#expr.#name #unbox),
                    (true, true) => quote!(#expr.map(|v| v.#name)),
                    (true, false) => quote!(#expr.and_then(|v| v.#name #unbox)),
                };
                optional |= !f.required;
            }
            if optional {
                quote!(#expr.unwrap_or_default() #collect)
            } else {
                quote!(#expr #collect)
            }
        };
        let body = match p.results.as_slice() {
            [one] => take(one),
            several => {
                let parts = several.iter().map(take);
                quote! {
                    let mut items = Vec::new();
                    #( items.extend(#parts); )*
                    items
                }
            }
        };
        quote! {
            impl stratus_runtime::paginate::PaginatedItems for #input {
                type Item = #item_ty;

                fn items(page: #output) -> Vec<#item_ty> {
                    #body
                }
            }
        }
    });
    quote! {
        impl stratus_runtime::paginate::Paginated for #input {
            fn set_token(&mut self, token: Option<String>) {
                #set
            }

            fn next_token(page: &#output) -> Option<&str> {
                #get
            }
        }

        #items_impl
    }
}
