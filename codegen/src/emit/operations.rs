//! Emits the wire side of operations: `impl Operation` for each input (its spec, validation, member
//! bindings and output parsing), `impl Validate` for nested structures with constraints,
//! `impl EventUnion` for event streams, and the per-operation error enums.

use super::rt::Rt;
use super::{ident, result_and_option, rust_file, EmitError, GeneratedFile, Options};
use crate::ir::{
    Binding, Check, ErrorInfo, Field, Ir, Nesting, OperationIr, PageItem, PaginatorIr, PayloadKind, Protocol, RustType,
    StructDef, TimestampFormat, TokenStep, TypeDef, UnionDef,
};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::HashMap;

pub(super) fn files(ir: &Ir, options: &Options) -> Result<Vec<GeneratedFile>, EmitError> {
    let mut items = Vec::new();
    for op in &ir.operations {
        items.push(operation(ir, op));
    }
    for p in &ir.paginators {
        items.push(paginated(ir, p));
    }
    for t in &ir.types {
        match t {
            TypeDef::Struct(s) if s.validated && s.roles.nested => items.push(validate_impl(s)),
            TypeDef::Union(u) if u.event_stream && u.sent => items.push(event_encode(ir, u)),
            TypeDef::Union(u) if u.event_stream => items.push(event_union(ir, u)),
            _ => {}
        }
    }
    let root = options.root();
    let allow = if ir.operations.is_empty() { quote!(#![allow(unused_imports)]) } else { quote!() };
    let operation = Rt::OperationModule.path();
    items.extend(super::codecs::items(ir));
    let codec_uses = super::codecs::uses(ir);
    let tokens = quote! {
        //! The wire description of each operation: how its input is validated and bound to the
        //! request, and how its output is read from the response.
        #allow
        use #root::error::*;
        use #root::types::*;
        use #operation as rt;
        #codec_uses

        #(#items)*
    };
    let ops = rust_file("src/operations.rs", tokens, options)?;
    Ok(vec![ops, errors_file(ir, options)?])
}

/// `error.rs`: the service's error enum, and each operation's error type as an alias of it.
fn errors_file(ir: &Ir, options: &Options) -> Result<GeneratedFile, EmitError> {
    let root = options.root();
    let name = ident(&ir.service.error);
    let operation = Rt::OperationModule.path();
    let raw = Rt::RawResponse.path();
    let (_, option) = result_and_option(ir);
    let exceptions: Vec<_> = ir.exceptions().collect();
    let variants = exceptions.iter().map(|(s, _)| {
        let v = ident(&s.name);
        let doc = format!(" The service returned [`{}`].", s.name.trim_start_matches("r#"));
        quote!(#[doc = #doc] #v(#v),)
    });
    // One code picks one variant. When two exceptions share a code (CloudWatch's
    // `DashboardNotFoundError` and `ResourceNotFound` both have `ResourceNotFound`), the exception
    // whose shape is named so keeps it, as a query-compatible service's JSON `__type` names the
    // shape; otherwise the first in the model does.
    let codes_of = |e: &ErrorInfo| std::iter::once(e.code.clone()).chain(e.alt_code.clone()).collect::<Vec<_>>();
    let mut owner: HashMap<String, usize> = HashMap::new();
    for (i, (s, e)) in exceptions.iter().enumerate() {
        for code in codes_of(e).into_iter().filter(|c| *c == s.shape) {
            owner.insert(code, i);
        }
    }
    for (i, (_, e)) in exceptions.iter().enumerate() {
        for code in codes_of(e) {
            owner.entry(code).or_insert(i);
        }
    }
    let arms: Vec<TokenStream> = exceptions
        .iter()
        .enumerate()
        .filter_map(|(i, (s, e))| {
            let codes: Vec<String> = codes_of(e).into_iter().filter(|c| owner.get(c) == Some(&i)).collect();
            if codes.is_empty() {
                return None;
            }
            let v = ident(&s.name);
            Some(quote!(#(#codes)|* => Self::#v(rt::ErrorShape::parse(raw, message)),))
        })
        .collect();
    let unhandled = quote!(Self::Unhandled(rt::Unhandled::new(code, message)));
    let (raw_param, decode) = if arms.is_empty() {
        (quote!(_raw), unhandled)
    } else {
        (quote!(raw), quote!(match code { #(#arms)* _ => #unhandled, }))
    };
    let details = if exceptions.is_empty() {
        quote!(let Self::Unhandled(e) = self; e)
    } else {
        let arms = exceptions.iter().map(|(s, _)| {
            let v = ident(&s.name);
            quote!(Self::#v(e) => e,)
        });
        quote!(match self { #(#arms)* Self::Unhandled(e) => e, })
    };
    let aliases = ir.operations.iter().map(|op| {
        let alias = ident(&op.error_enum);
        let method = op.method.trim_start_matches("r#");
        let modeled: Vec<String> =
            ir.error_variants(op).map(|(n, _)| format!("[`{}`]", n.trim_start_matches("r#"))).collect();
        let what = if modeled.is_empty() {
            format!("none is modeled, so any error is a [`{}`]", ir.service.error)
        } else {
            format!("{} as modeled, or any other [`{}`]", modeled.join(", "), ir.service.error)
        };
        let doc = format!(" Errors of [`Client::{method}`]({root}::Client::{method}): {what}.");
        quote!(#[doc = #doc] pub type #alias = #name;)
    });
    let example = ir.operations.first().map(|op| format!(" (`{}`)", op.error_enum)).unwrap_or_default();
    let doc = super::inner_doc_attrs(&format!(
        "The errors of the service: [`{name}`], with one variant per modeled exception and\n\
         `Unhandled` for the rest. Each operation's error type{example} is an alias of it,\n\
         documented with the exceptions the operation is modeled to return. Operations return\n\
         `{error}<{name}>`; see [`Error::service_error`]({service_error}).",
        name = ir.service.error,
        error = Rt::Error.text(),
        service_error = Rt::ServiceError.text()
    ));
    let uses = if exceptions.is_empty() { quote!() } else { quote!(use #root::types::*;) };
    let enum_doc = super::doc_attrs(&format!(
        "An error {} returned: one of its modeled exceptions, or `Unhandled`.",
        ir.service.full_name
    ));
    let tokens = quote! {
        #doc
        #uses
        use #operation as rt;

        #enum_doc
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// An error this version of the client does not model (see its code and message).
            Unhandled(rt::Unhandled),
        }

        impl rt::OperationError for #name {
            fn from_response(code: &str, message: #option<&str>, #raw_param: &#raw) -> Self {
                #decode
            }

            fn details(&self) -> &dyn rt::ErrorDetails {
                #details
            }
        }

        impl #name {
            /// The error code.
            pub fn code(&self) -> &str {
                rt::OperationError::details(self).code()
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                rt::OperationError::details(self).fmt(f)
            }
        }

        impl std::error::Error for #name {}

        #(#aliases)*
    };
    rust_file("src/error.rs", tokens, options)
}

/// The validation calls for one field.
fn checks(f: &Field) -> Vec<TokenStream> {
    let name = ident(&f.name);
    let member = &f.member;
    let value = if f.required { quote!(Some(&self.#name)) } else { quote!(self.#name.as_ref()) };
    let bound = |x: Option<f64>| match x {
        Some(v) => {
            let lit = proc_macro2::Literal::f64_unsuffixed(v);
            quote!(Some(#lit))
        }
        None => quote!(None),
    };
    let len_bound = |x: Option<usize>| match x {
        Some(v) => {
            let lit = proc_macro2::Literal::usize_unsuffixed(v);
            quote!(Some(#lit))
        }
        None => quote!(None),
    };
    f.checks
        .iter()
        .map(|c| match c {
            Check::NotEmpty => quote!(v.required(#member, &self.#name);),
            Check::Length { min, max } => {
                let (lo, hi) = (len_bound(*min), len_bound(*max));
                quote!(v.length(#member, #value, #lo, #hi);)
            }
            Check::Range { min, max } => {
                let (lo, hi) = (bound(*min), bound(*max));
                quote!(v.range(#member, #value, #lo, #hi);)
            }
            Check::Nested(how) => {
                let how = match how {
                    Nesting::One => quote!(nested),
                    Nesting::Each => quote!(each),
                    Nesting::EachValue => quote!(each_value),
                };
                let value = match (f.boxed, f.required) {
                    (true, true) => quote!(Some(&*self.#name)),
                    (true, false) => quote!(self.#name.as_deref()),
                    (false, _) => value.clone(),
                };
                quote!(v.#how(#member, #value);)
            }
        })
        .collect()
}

fn validate_impl(s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    let checks: Vec<TokenStream> = s.fields.iter().flat_map(checks).collect();
    quote! {
        impl rt::Validate for #name {
            fn validate(&self, v: &mut rt::Validator) {
                #(#checks)*
            }
        }
    }
}

/// The member's `timestampFormat`, when it is a timestamp that has one.
fn timestamp_format(f: &Field) -> Option<TokenStream> {
    if f.ty != RustType::DateTime {
        return None;
    }
    match f.timestamp_format? {
        TimestampFormat::EpochSeconds => Some(quote!(rt::TimestampFormat::EpochSeconds)),
        TimestampFormat::Iso8601 => Some(quote!(rt::TimestampFormat::Iso8601)),
        TimestampFormat::HttpDate => Some(quote!(rt::TimestampFormat::HttpDate)),
    }
}

fn operation(ir: &Ir, op: &OperationIr) -> TokenStream {
    let Some(input) = ir.input(op) else { return quote!() };
    let output = ir.output(op);
    let input_ty = ident(&input.name);
    let output_ty = match output {
        Some(o) => {
            let o = ident(&o.name);
            quote!(#o)
        }
        None => quote!(()),
    };
    let error_ty = ident(&op.error_enum);
    let (name, method, uri) = (&op.name, &op.http_method, &op.request_uri);
    let status = proc_macro2::Literal::u16_unsuffixed(op.status);

    // The spec.
    let mut spec = quote!(rt::OpSpec::new(#name, #method, #uri, #status));
    if let Protocol::RpcV2Cbor { service, .. } = &ir.service.protocol {
        let path = format!("/service/{service}/operation/{name}");
        spec = quote!(rt::OpSpec::new(#name, "POST", #path, #status).rpc_v2_cbor());
    }
    if let Protocol::AwsJson { version, target_prefix, query_compatible } = &ir.service.protocol {
        let target = format!("{target_prefix}.{name}");
        spec = quote!(#spec.aws_json(#version, #target));
        if *query_compatible {
            spec = quote!(#spec.query_compatible());
        }
    } else if let Protocol::RpcV2Cbor { query_compatible: true, .. } = &ir.service.protocol {
        spec = quote!(#spec.query_compatible());
    } else if matches!(ir.service.protocol, Protocol::RpcV2Cbor { .. }) {
    } else if ir.service.protocol.form_version().is_some() {
        spec = quote!(#spec.payload());
    } else if ir.sends_events(op) {
        spec = quote!(#spec.event_stream());
    } else if input.payload().is_some() {
        spec = quote!(#spec.payload());
    } else if input.fields.iter().any(|f| f.binding.in_body()) {
        // rest-xml binds its body itself (`xml_body`); rest-json's is the input's serde form.
        spec = if ir.service.protocol.is_xml() { quote!(#spec.payload()) } else { quote!(#spec.json()) };
    }
    let out_payload = output.and_then(StructDef::payload).map(|f| &f.binding);
    if matches!(out_payload, Some(Binding::Payload(PayloadKind::Blob { streaming: true } | PayloadKind::EventStream))) {
        spec = quote!(#spec.streaming());
    }
    if let Some(prefix) = &op.host_prefix {
        spec = quote!(#spec.host_prefix(#prefix));
    }
    if op.unsigned {
        spec = quote!(#spec.unsigned());
    }

    // Validation.
    let checks: Vec<TokenStream> = input.fields.iter().flat_map(checks).collect();
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
            let ts = timestamp_format(f);
            Some(match (&f.binding, ts) {
                (Binding::Payload(kind), _) => {
                    let text = if f.required {
                        quote!(Some(self.#n.as_str()))
                    } else if f.ty == RustType::String {
                        quote!(self.#n.as_deref())
                    } else {
                        quote!(self.#n.as_ref().map(|v| v.as_str()))
                    };
                    match kind {
                        PayloadKind::Blob { .. } => quote!(req.blob_payload(#opt);),
                        PayloadKind::Text => quote!(req.text_payload(#text);),
                        // Sent as the streamed body (`take_event_stream`).
                        PayloadKind::EventStream => return None,
                        PayloadKind::Json if ir.service.protocol.is_xml() => {
                            let element = &f.wire_name;
                            let ns = match &f.xml.namespace {
                                Some((attr, uri)) => quote!(&[(#attr, #uri)]),
                                None => quote!(&[]),
                            };
                            quote!(req.xml_payload(#element, #ns, #opt);)
                        }
                        PayloadKind::Json => quote!(req.json_payload(#opt);),
                    }
                }
                (Binding::Label, Some(ts)) if f.required => quote!(req.label_timestamp(#wire, &self.#n, #ts);),
                (Binding::Query, Some(ts)) => quote!(req.query_timestamp(#wire, #opt, #ts);),
                (Binding::Label, _) => quote!(req.label(#wire, &self.#n);),
                (Binding::Query, _) => quote!(req.query(#wire, &self.#n);),
                (Binding::HeaderJson, _) => quote!(req.header_json(#wire, #opt);),
                (Binding::Header, Some(ts)) => quote!(req.header_timestamp(#wire, #opt, #ts);),
                (Binding::Header, None) => quote!(req.header(#wire, &self.#n);),
                (Binding::PrefixHeaders, _) => quote!(req.prefix_headers(#wire, #opt);),
                (Binding::Body | Binding::StatusCode | Binding::EventHeader | Binding::EventPayload, _) => return None,
            })
        })
        .collect();
    let take_events = match input.payload() {
        Some(f) if matches!(f.ty, RustType::EventSender(_)) => {
            let n = ident(&f.name);
            let sender = if f.required { quote!(Some(&self.#n)) } else { quote!(self.#n.as_ref()) };
            let event_body = Rt::EventBody.path();
            quote! {
                fn take_event_stream(&self) -> Option<#event_body> {
                    #event_body::take(#sender)
                }
            }
        }
        _ => quote!(),
    };
    let mut binds = binds;
    for label in &op.host_labels {
        if let Some(f) = input.fields.iter().find(|f| &f.member == label) {
            let n = ident(&f.name);
            binds.insert(0, quote!(req.host_label(#label, &self.#n);));
        }
    }
    if matches!(ir.service.protocol, Protocol::RestXml)
        && input.payload().is_none()
        && input.fields.iter().any(|f| f.binding.in_body())
    {
        let (root, ns) = op.input_root.clone().unwrap_or_else(|| (input.name.clone(), None));
        let ns = match ns {
            Some((attr, uri)) => quote!(&[(#attr, #uri)]),
            None => quote!(&[]),
        };
        binds.push(quote!(req.xml_body(#root, #ns, self);));
    }
    if let Some(version) = ir.service.protocol.form_version() {
        binds.push(quote!(req.form_body(#name, #version, self);));
    }
    // An operation with an input sends it as a CBOR map (an empty one too); one without sends no body.
    if matches!(ir.service.protocol, Protocol::RpcV2Cbor { .. }) && !input.shape.is_empty() {
        binds.push(quote!(req.cbor_body(self);));
    }
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
        Some(_) if matches!(ir.service.protocol, Protocol::RpcV2Cbor { .. }) => quote! {
            fn parse(resp: &mut rt::Response) -> #result<Self::Output, rt::ResponseError> {
                resp.cbor()
            }
        },
        Some(_) if ir.service.protocol.form_version().is_some() => {
            let wrapper = match &op.result_wrapper {
                Some(w) => quote!(Some(#w)),
                None => quote!(None),
            };
            quote! {
                fn parse(resp: &mut rt::Response) -> #result<Self::Output, rt::ResponseError> {
                    resp.xml_result(#wrapper)
                }
            }
        }
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
            #take_events
            #parse
        }
    }
}

/// `parse` for outputs with header, status or payload members; nothing (the JSON default) otherwise.
fn parse_output(ir: &Ir, o: &StructDef, result: &TokenStream) -> TokenStream {
    let bound: Vec<&Field> = o.fields.iter().filter(|f| !f.binding.in_body()).collect();
    let xml = ir.service.protocol.is_xml();
    let read_body = if xml { quote!(resp.xml_result(None)?) } else { quote!(resp.json()?) };
    if bound.is_empty() {
        if xml {
            return quote! {
                fn parse(resp: &mut rt::Response) -> #result<Self::Output, rt::ResponseError> {
                    resp.xml_result(None)
                }
            };
        }
        return quote!();
    }
    let has_body_members = o.fields.iter().any(|f| f.binding.in_body());
    let payload = o.payload();
    let ty = ident(&o.name);
    let event_stream = Rt::EventStream.path();
    let values: Vec<(proc_macro2::Ident, TokenStream)> = bound
        .iter()
        .map(|f| {
            let n = ident(&f.name);
            let wire = &f.wire_name;
            let value = match &f.binding {
                Binding::Payload(PayloadKind::Blob { .. }) => quote!(resp.blob()),
                Binding::Payload(PayloadKind::Text) => match &f.ty {
                    RustType::Named(id) => {
                        let t = ident(ir.name(*id));
                        quote!(resp.text().map(#t::from))
                    }
                    _ => quote!(resp.text()),
                },
                // Always present: a required stream is the stream itself.
                Binding::Payload(PayloadKind::EventStream) if f.required => {
                    return (n, quote!(#event_stream::new(resp.take_stream())));
                }
                Binding::Payload(PayloadKind::EventStream) => quote!(Some(#event_stream::new(resp.take_stream()))),
                Binding::Payload(PayloadKind::Json) if xml => quote!(resp.xml_payload()?),
                Binding::Payload(PayloadKind::Json) => quote!(resp.json_payload()?),
                Binding::StatusCode => quote!(resp.status_code()),
                Binding::PrefixHeaders => quote!(resp.prefix_headers(#wire)),
                _ if matches!(f.ty, RustType::List(_)) => quote!(resp.header_list(#wire)?),
                Binding::HeaderJson => quote!(resp.header_json(#wire)?),
                _ => quote!(resp.header(#wire)?),
            };
            let value = if f.required { quote!(#value.unwrap_or_default()) } else { value };
            (n, value)
        })
        .collect();
    let body = if has_body_members && payload.is_none() {
        // The JSON body first, then the members bound elsewhere.
        let sets = values.iter().map(|(n, v)| quote!(out.#n = #v;));
        quote! {
            let mut out: #ty = #read_body;
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

/// `impl EventEncode` for the events a client sends: each variant is a message named after it, its
/// payload the event's blob payload member or else the event as JSON.
fn event_encode(ir: &Ir, u: &UnionDef) -> TokenStream {
    let name = ident(&u.name);
    let (encode, message, error) = (Rt::EventEncode.path(), Rt::EventMessage.path(), Rt::EventStreamError.path());
    let arms = u.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let wire = &v.wire_name;
        let event = match &v.ty {
            RustType::Named(id) => ir.structure(*id),
            _ => None,
        };
        let blob =
            event.and_then(|e| e.fields.iter().find(|f| f.binding == Binding::EventPayload && f.ty == RustType::Blob));
        match blob {
            Some(f) => {
                let field = ident(&f.name);
                let value = if f.required { quote!(Some(&event.#field)) } else { quote!(event.#field.as_ref()) };
                quote!(Self::#variant(event) => Ok(#message::blob_event(#wire, #value)),)
            }
            None => quote!(Self::#variant(event) => #message::json_event(#wire, event),),
        }
    });
    let unknown = format!("`{}::Unknown` cannot be sent: it stands for events this version does not know", u.name);
    let (result, _) = result_and_option(ir);
    quote! {
        impl #encode for #name {
            fn to_message(&self) -> #result<#message, #error> {
                match self {
                    #(#arms)*
                    Self::Unknown => Err(#error::Encode(#unknown.to_string())),
                }
            }
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
            RustType::Named(id) => ir.structure(*id),
            _ => None,
        };
        let blob_member =
            event.and_then(|e| e.fields.iter().find(|f| f.binding == Binding::EventPayload && f.ty == RustType::Blob));
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
    let (event_union, message, error) = (Rt::EventUnion.path(), Rt::EventMessage.path(), Rt::EventStreamError.path());
    quote! {
        impl #event_union for #name {
            fn from_event(
                event_type: &str,
                message: &#message,
            ) -> #result<#option<Self>, #error> {
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
    let op = ir.op(p.operation);
    let (Some(input), Some(output)) = (ir.input(op), ir.output(op)) else { return quote!() };
    let (paginated, paginated_items) = (Rt::Paginated.path(), Rt::PaginatedItems.path());
    let (input, output) = (ident(&input.name), ident(&output.name));
    // One alternative of an output token, owned: `page.a.clone()` for a member of the output, else
    // a walk through nested structures and lists' last elements.
    let alternative = |steps: &[TokenStep]| -> TokenStream {
        if let [only] = steps {
            if !only.last && !only.field.boxed {
                let n = ident(&only.field.name);
                // Numbers and booleans are `Copy`.
                let copy = only.field.ty.is_number() || only.field.ty == RustType::Bool;
                let value = if copy { quote!(page.#n) } else { quote!(page.#n.clone()) };
                return if only.field.required { quote!(Some(#value)) } else { value };
            }
        }
        let mut expr = quote!(Some(page));
        for s in steps {
            let n = ident(&s.field.name);
            expr = match (s.field.required, s.field.boxed) {
                (true, false) => quote!(#expr.map(|v| &v.#n)),
                (true, true) => quote!(#expr.map(|v| &*v.#n)),
                (false, false) => quote!(#expr.and_then(|v| v.#n.as_ref())),
                (false, true) => quote!(#expr.and_then(|v| v.#n.as_deref())),
            };
            if s.last {
                expr = quote!(#expr.and_then(|v| v.last()));
            }
        }
        quote!(#expr.cloned())
    };
    let output_token = |alternatives: &Vec<Vec<TokenStep>>| -> TokenStream {
        let mut parts = alternatives.iter().map(|a| alternative(a));
        let first = parts.next().unwrap_or_else(|| quote!(None));
        parts.fold(first, |acc, next| quote!(#acc.or_else(|| #next)))
    };
    let (_, option) = result_and_option(ir);
    let (token, set, get) = match (p.input_tokens.as_slice(), p.output_tokens.as_slice()) {
        ([input], [output]) => {
            let n = ident(&input.name);
            let set =
                if input.required { quote!(self.#n = token.unwrap_or_default();) } else { quote!(self.#n = token;) };
            (super::type_tokens(ir, &input.ty), set, output_token(output))
        }
        (inputs, outputs) => {
            // Several tokens travel together, as a tuple of options.
            let types = inputs.iter().map(|f| super::type_tokens(ir, &f.ty));
            let names: Vec<proc_macro2::Ident> = (0..inputs.len()).map(|i| quote::format_ident!("t{}", i)).collect();
            let sets = inputs.iter().zip(&names).map(|(f, t)| {
                let n = ident(&f.name);
                if f.required {
                    quote!(self.#n = #t.unwrap_or_default();)
                } else {
                    quote!(self.#n = #t;)
                }
            });
            let gets = outputs.iter().map(output_token);
            (
                quote!((#(#option<#types>),*)),
                quote! {
                    let (#(#names),*) = token.unwrap_or_default();
                    #(#sets)*
                },
                quote!(Some((#(#gets),*))),
            )
        }
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
            impl #paginated_items for #input {
                type Item = #item_ty;

                fn items(page: #output) -> Vec<Self::Item> {
                    #body
                }
            }
        }
    });
    quote! {
        impl #paginated for #input {
            type Token = #token;

            fn set_token(&mut self, token: #option<Self::Token>) {
                #set
            }

            fn next_token(page: &#output) -> #option<Self::Token> {
                #get
            }
        }

        #items_impl
    }
}
