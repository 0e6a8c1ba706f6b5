//! The command-line tool's view of a service: static tables of its operations and shapes (names as
//! the AWS CLI spells them, types, docs, paginators) and one `call` function that turns a JSON input
//! into the typed input, calls the generated client and turns the output back into JSON. The
//! `stratus` binary interprets the tables; nothing here is a parser per operation.

use super::rt::Rt;
use super::{ident, rust_file, EmitError, GeneratedFile, Options};
use crate::ir::{Binding, Field, Ir, OperationIr, PayloadKind, RustType, TypeDef};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::{HashMap, HashSet};

/// botocore's `xform_name` with `-`: `GetFunction` -> `get-function`, `DBInstances` ->
/// `db-instances`, `SSEKMSKeyId` -> `ssekms-key-id` (the AWS CLI's command and option names, quirks
/// included).
pub fn cli_name(name: &str) -> String {
    if name.contains('-') {
        return name.to_string();
    }
    let chars: Vec<char> = name.chars().collect();
    // `[A-Z]{2,}s$`: a plural acronym at the end (`ARNs`, `ACLs`) is split off whole.
    let mut text: Vec<char> = chars.clone();
    let n = chars.len();
    if n >= 3 && chars[n - 1] == 's' && chars[n - 2].is_ascii_uppercase() && chars[n - 3].is_ascii_uppercase() {
        let mut start = n - 1;
        while start > 0 && chars[start - 1].is_ascii_uppercase() {
            start -= 1;
        }
        text = chars[..start].to_vec();
        text.push('-');
        text.extend(chars[start..].iter().map(|c| c.to_ascii_lowercase()));
    }
    // `(.)([A-Z][a-z]+)` -> `\1-\2`, matches taken left to right without overlapping.
    let mut first = Vec::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < text.len() {
        if i + 2 < text.len() && text[i + 1].is_ascii_uppercase() && text[i + 2].is_ascii_lowercase() {
            let mut end = i + 2;
            while end < text.len() && text[end].is_ascii_lowercase() {
                end += 1;
            }
            first.push(text[i]);
            first.push('-');
            first.extend_from_slice(&text[i + 1..end]);
            i = end;
        } else {
            first.push(text[i]);
            i += 1;
        }
    }
    // `([a-z0-9])([A-Z])` -> `\1-\2`, then lower case.
    let mut out = String::with_capacity(first.len() + 4);
    let mut i = 0;
    while i < first.len() {
        let c = first[i];
        if i + 1 < first.len() && (c.is_ascii_lowercase() || c.is_ascii_digit()) && first[i + 1].is_ascii_uppercase() {
            out.push(c);
            out.push('-');
            out.push(first[i + 1]);
            i += 2;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out.to_ascii_lowercase()
}

/// The shape table being built: one entry per distinct type, recursive types by index.
struct Shapes<'a> {
    ir: &'a Ir,
    entries: Vec<TokenStream>,
    index: HashMap<RustType, usize>,
    /// Members (structure shape, member) holding URL-encoded JSON documents.
    documents: &'a HashSet<(String, String)>,
    /// The index of [`Shape::QuotedJson`], once used.
    quoted_json: Option<usize>,
    /// The member list constant of each structure, by structure.
    lists: HashMap<crate::ir::TypeId, usize>,
    /// The member list constants, in order.
    list_items: Vec<TokenStream>,
}

impl<'a> Shapes<'a> {
    fn of(&mut self, ty: &RustType) -> usize {
        if let Some(&i) = self.index.get(ty) {
            return i;
        }
        let i = self.entries.len();
        self.entries.push(quote!());
        self.index.insert(ty.clone(), i);
        let entry = match ty {
            RustType::String => quote!(Shape::String),
            RustType::Bool => quote!(Shape::Boolean),
            RustType::I8 | RustType::I16 | RustType::I32 => quote!(Shape::Integer),
            RustType::I64 => quote!(Shape::Long),
            RustType::F32 => quote!(Shape::Float),
            RustType::F64 => quote!(Shape::Double),
            RustType::Blob => quote!(Shape::Blob),
            RustType::DateTime => quote!(Shape::Timestamp),
            RustType::Document => quote!(Shape::Document),
            RustType::EventStream(_) | RustType::EventSender(_) => quote!(Shape::Stream),
            RustType::List(t) => {
                let t = self.of(t) as u32;
                quote!(Shape::List(#t))
            }
            RustType::Map(k, v) => {
                let (k, v) = (self.of(k) as u32, self.of(v) as u32);
                quote!(Shape::Map(#k, #v))
            }
            RustType::Named(id) => match &self.ir.types[id.0] {
                TypeDef::Enum(e) => {
                    let values = e.variants.iter().map(|v| &v.value);
                    quote!(Shape::Enum(&[#(#values),*]))
                }
                TypeDef::Struct(s) => {
                    let members = self.member_list(*id, &s.shape, &s.fields);
                    quote!(Shape::Struct(#members))
                }
                TypeDef::Union(u) => {
                    let members = self.member_list(*id, &u.shape, &u.variants);
                    quote!(Shape::Union(#members))
                }
            },
        };
        self.entries[i] = entry;
        i
    }

    /// The member list of structure `id`, written once as a constant (`M3`) and named wherever
    /// it is needed: by its shape, and by the operations taking or returning it.
    fn member_list(&mut self, id: crate::ir::TypeId, owner: &str, fields: &[Field]) -> TokenStream {
        let n = match self.lists.get(&id) {
            Some(n) => *n,
            None => {
                let n = self.lists.len();
                self.lists.insert(id, n);
                let members = self.members(owner, fields, top_key);
                let name = quote::format_ident!("M{}", n);
                self.list_items.push(quote!(const #name: &[Member] = &[#(#members),*];));
                n
            }
        };
        let name = quote::format_ident!("M{}", n);
        quote!(#name)
    }

    /// The shape of a URL-encoded JSON document (IAM's policies).
    fn quoted_json(&mut self) -> usize {
        if let Some(i) = self.quoted_json {
            return i;
        }
        self.entries.push(quote!(Shape::QuotedJson));
        self.quoted_json = Some(self.entries.len() - 1);
        self.entries.len() - 1
    }

    /// Table entries of the members of structure `owner`; `key` is the member's key in the JSON
    /// form (for every structure the operation-level key, [`top_key`]: members bound outside the
    /// body exist only at the top, so nested structures get their body keys).
    fn members(&mut self, owner: &str, fields: &[Field], key: impl Fn(&Field) -> String) -> Vec<TokenStream> {
        fields
            .iter()
            .filter(|f| !f.json_skip)
            .map(|f| {
                let shape = if self.documents.contains(&(owner.to_string(), f.member.clone())) {
                    self.quoted_json() as u32
                } else {
                    self.of(&f.ty) as u32
                };
                let (key, cli, required, docs) = (key(f), cli_name(&f.member), f.required, &f.docs);
                quote!(Member { key: #key, cli: #cli, shape: #shape, required: #required, docs: #docs })
            })
            .collect()
    }
}

/// The JSON key of an operation input's or output's top-level member: the body's key for body
/// members, the member name for those bound to the URI, headers or status.
fn top_key(f: &Field) -> String {
    if f.binding.in_body() {
        f.wire_name.clone()
    } else {
        f.member.clone()
    }
}

/// Whether the CLI can run the operation: inputs and outputs of plain values (event streams need a
/// terminal protocol of their own).
fn supported(ir: &Ir, op: &OperationIr) -> bool {
    let plain = |id: Option<crate::ir::TypeId>| match id.map(|id| &ir.types[id.0]) {
        Some(TypeDef::Struct(s)) => {
            s.fields.iter().all(|f| !matches!(f.ty, RustType::EventStream(_) | RustType::EventSender(_)))
        }
        _ => true,
    };
    plain(Some(op.input)) && plain(op.output)
}

/// `cli/src/services/<module>.rs` for one service.
pub fn service_file(
    ir: &Ir,
    documents: &HashSet<(String, String)>,
    module: &str,
    krate: &str,
    options: &Options,
) -> Result<GeneratedFile, EmitError> {
    let mut shapes = Shapes {
        ir,
        entries: Vec::new(),
        index: HashMap::new(),
        documents,
        quoted_json: None,
        lists: HashMap::new(),
        list_items: Vec::new(),
    };
    let krate_ident = ident(&krate.replace('-', "_"));
    let mut ops = Vec::new();
    let mut arms = Vec::new();
    let mut builders = Vec::new();
    let mut waiters = Vec::new();
    let mut wait_arms = Vec::new();
    for (n, op) in ir.operations.iter().enumerate() {
        let TypeDef::Struct(input) = &ir.types[op.input.0] else { continue };
        let in_members = shapes.member_list(op.input, &input.shape, &input.fields);
        let out_members = match op.output.map(|id| (id, &ir.types[id.0])) {
            Some((id, TypeDef::Struct(s))) => shapes.member_list(id, &s.shape, &s.fields),
            _ => quote!(&[]),
        };
        let paginator = match ir.paginators.iter().find(|p| p.operation.0 == n) {
            Some(p) => {
                let input_tokens = p.input_tokens.iter().map(top_key);
                let output_tokens = p.output_tokens.iter().map(|alts| {
                    alts.iter()
                        .map(|path| {
                            path.iter()
                                .map(|s| format!("{}{}", s.field.wire_name, if s.last { "[-1]" } else { "" }))
                                .collect::<Vec<_>>()
                                .join(".")
                        })
                        .collect::<Vec<_>>()
                        .join(" || ")
                });
                let results = &p.result_keys;
                let limit = match &p.limit {
                    Some(f) => {
                        let k = top_key(f);
                        quote!(Some(#k))
                    }
                    None => quote!(None),
                };
                let non_aggregate = &p.non_aggregate_keys;
                quote!(Some(Paginator {
                    input_tokens: &[#(#input_tokens),*],
                    output_tokens: &[#(#output_tokens),*],
                    limit: #limit,
                    results: &[#(#results),*],
                    non_aggregate: &[#(#non_aggregate),*],
                }))
            }
            None => quote!(None),
        };
        let (name, cli, docs) = (&op.name, cli_name(&op.name), &op.docs);
        let supported = supported(ir, op);
        // botocore treats a blob payload of the output as streaming: the AWS CLI writes it to the
        // file named by a positional argument.
        let outfile = match op.output.map(|id| &ir.types[id.0]) {
            Some(TypeDef::Struct(s)) => {
                match s.fields.iter().find(|f| matches!(f.binding, Binding::Payload(PayloadKind::Blob { .. }))) {
                    Some(f) => {
                        let k = &f.member;
                        quote!(Some(#k))
                    }
                    None => quote!(None),
                }
            }
            _ => quote!(None),
        };
        ops.push(quote!(Op {
            name: #name,
            cli: #cli,
            docs: #docs,
            input: #in_members,
            output: #out_members,
            paginator: #paginator,
            supported: #supported,
            outfile: #outfile,
        }));
        if !supported {
            continue;
        }
        let input_ty = ident(&input.name);
        let with = ident(&op.with_method);
        let builder = ident(&format!("input_{}", op.method));
        let fields = input.fields.iter().map(|f| {
            let (field, key) = (ident(&f.name), top_key(f));
            if f.required {
                quote!(#field: i.req(#key)?)
            } else {
                quote!(#field: i.opt(#key)?)
            }
        });
        let output = match op.output.map(|id| &ir.types[id.0]) {
            Some(TypeDef::Struct(s)) => {
                let puts: Vec<TokenStream> = s
                    .fields
                    .iter()
                    .filter(|f| !f.binding.in_body())
                    .map(|f| {
                        let (field, key) = (ident(&f.name), &f.member);
                        quote!(o.put(#key, &out.#field)?;)
                    })
                    .collect();
                if puts.is_empty() {
                    quote!(Ok(Output::new(&out)?.finish()))
                } else {
                    quote! {
                        let mut o = Output::new(&out)?;
                        #(#puts)*
                        Ok(o.finish())
                    }
                }
            }
            _ => quote!(Ok(Value::Object(Default::default()))),
        };
        let has_output = matches!(op.output.map(|id| &ir.types[id.0]), Some(TypeDef::Struct(_)));
        let send = if has_output {
            quote!(let out = client.#with(input).await.map_err(CallError::from_service)?;)
        } else {
            quote!(client.#with(input).await.map_err(CallError::from_service)?;)
        };
        let fields: Vec<TokenStream> = fields.collect();
        let body = if fields.is_empty() {
            quote!(let _ = input; Ok(#input_ty {}))
        } else {
            quote! {
                let i = Input::new(input);
                Ok(#input_ty { #(#fields),* })
            }
        };
        builders.push(quote! {
            fn #builder(input: &Value) -> Result<#input_ty, CallError> {
                #body
            }
        });
        let build = quote!(let input = #builder(input)?;);
        for w in ir.waiters.iter().filter(|w| w.operation.0 == n) {
            let (wname, wcli, op_name) = (&w.name, cli_name(&w.name), &op.name);
            let waiter_ty = ident(&w.name);
            let (delay, attempts) = (w.delay, w.max_attempts);
            waiters.push(
                quote!(Waiter { name: #wname, cli: #wcli, op: #op_name, delay: #delay, max_attempts: #attempts }),
            );
            let waiter = Rt::WaiterModule.path();
            wait_arms.push(quote! {
                #wname => {
                    let input = #builder(input)?;
                    let ctx = #waiter::WaiterCtx::<_, #krate_ident::waiters::#waiter_ty>::new(client);
                    let done = #waiter::run(ctx, input, options(#delay, #attempts)).await;
                    done.map(|_| ()).map_err(CallError::from_wait)
                }
            });
        }
        arms.push(quote! {
            #name => {
                #build
                #send
                #output
            }
        });
    }
    let wait_body = if wait_arms.is_empty() {
        quote!(Err(CallError::unsupported(waiter)))
    } else {
        quote! {
            match waiter {
                #(#wait_arms)*
                _ => Err(CallError::unsupported(waiter)),
            }
        }
    };
    let shape_entries = &shapes.entries;
    let member_lists = &shapes.list_items;
    let xml_timestamps = ir.service.protocol.is_xml();
    let (service_name, title, docs) = (module.replace('_', "-"), &ir.service.full_name, &ir.service.docs);
    let tokens = quote! {
        //! Generated from the model: the `stratus` tool's tables of this service and its `call`.

        // The tool offers every operation, deprecated ones too.
        #![allow(deprecated)]

        use crate::table::*;
        use serde_json::Value;
        use #krate_ident::types::*;
        use #krate_ident::Client;

        /// The service's table.
        pub(crate) static SERVICE: Service = Service {
            name: #service_name,
            title: #title,
            docs: #docs,
            ops: &[#(#ops),*],
            shapes: &[#(#shape_entries),*],
            waiters: &[#(#waiters),*],
            xml_timestamps: #xml_timestamps,
        };

        /// Runs operation `op` (model name) with its input as JSON; the output as JSON.
        pub(crate) async fn call(client: &Client, op: &str, input: &Value) -> Result<Value, CallError> {
            match op {
                #(#arms)*
                _ => Err(CallError::unsupported(op)),
            }
        }

        /// Runs waiter `waiter` (model name) on its operation's input as JSON.
        #[allow(unused_variables)]
        pub(crate) async fn wait(client: &Client, waiter: &str, input: &Value) -> Result<(), CallError> {
            #wait_body
        }

        #(#builders)*

        #(#member_lists)*
    };
    rust_file(&format!("{module}.rs"), tokens, options)
}

/// `cli/src/services/mod.rs`: every service's table, and dispatch by service name.
pub fn services_file(services: &[(String, String)], options: &Options) -> Result<GeneratedFile, EmitError> {
    let mods = services.iter().map(|(m, _)| ident(m));
    let tables = services.iter().map(|(m, _)| {
        let m = ident(m);
        quote!(&#m::SERVICE)
    });
    let arms = services.iter().map(|(m, krate)| {
        let (m_ident, k) = (ident(m), ident(&krate.replace('-', "_")));
        let name = m.replace('_', "-");
        quote!(#name => #m_ident::call(&#k::Client::new(config), op, input).await,)
    });
    let wait_arms = services.iter().map(|(m, krate)| {
        let (m_ident, k) = (ident(m), ident(&krate.replace('-', "_")));
        let name = m.replace('_', "-");
        quote!(#name => #m_ident::wait(&#k::Client::new(config), waiter, input).await,)
    });
    let config = Rt::Config.path();
    let tokens = quote! {
        //! Generated: the services the `stratus` tool speaks.

        #(
            #[rustfmt::skip]
            mod #mods;
        )*

        use crate::table::{CallError, Service};
        use serde_json::Value;

        /// Every service, in the order of `model/services.json`.
        pub(crate) static SERVICES: &[&Service] = &[#(#tables),*];

        /// Runs `op` of service `service` with a client built from `config`.
        pub(crate) async fn call(
            service: &str,
            config: &#config,
            op: &str,
            input: &Value,
        ) -> Result<Value, CallError> {
            match service {
                #(#arms)*
                _ => Err(CallError::unsupported(service)),
            }
        }

        /// Runs `waiter` of service `service` with a client built from `config`.
        pub(crate) async fn wait(
            service: &str,
            config: &#config,
            waiter: &str,
            input: &Value,
        ) -> Result<(), CallError> {
            match service {
                #(#wait_arms)*
                _ => Err(CallError::unsupported(service)),
            }
        }
    };
    rust_file("mod.rs", tokens, options)
}

#[cfg(test)]
mod tests {
    use super::cli_name;

    #[test]
    fn names_as_the_aws_cli_spells_them() {
        for (name, want) in [
            ("GetFunction", "get-function"),
            ("ListFunctionsByCodeSigningConfig", "list-functions-by-code-signing-config"),
            ("SSEKMSKeyId", "ssekms-key-id"),
            ("AssumeRoleWithSAML", "assume-role-with-saml"),
            ("GetSAMLProvider", "get-saml-provider"),
            ("Ipv6CidrBlock", "ipv6-cidr-block"),
            ("DescribeDBClusters", "describe-db-clusters"),
            ("KMSKeyArn", "kms-key-arn"),
            ("DBInstances", "db-instances"),
            ("ListARNs", "list-arns"),
            ("FunctionARN", "function-arn"),
            ("MaxItems", "max-items"),
            ("S3Bucket", "s3-bucket"),
            ("CreateTable", "create-table"),
            ("already-dashed", "already-dashed"),
        ] {
            assert_eq!(cli_name(name), want, "{name}");
        }
    }
}
