//! Emits the `types` module: structures, enums, unions, errors and their builders.

use super::rt::Rt;
use super::{
    deprecated_attr, doc_attrs, ident, inner_doc_attrs, rust_file, rust_file_with, EmitError, GeneratedFile, Options,
    TypeCtx, Verbatim,
};
use crate::ir::{Binding, EnumDef, Field, Ir, RustType, StructDef, TimestampFormat, TypeDef, UnionDef};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::HashSet;

/// Which file of `types/` an item goes to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    Operations,
    Structures,
    Errors,
    Enums,
}

fn group(def: &TypeDef) -> Group {
    match def {
        TypeDef::Struct(s) if s.error.is_some() => Group::Errors,
        TypeDef::Struct(s) if (s.roles.input || s.roles.output) && !s.roles.nested => Group::Operations,
        TypeDef::Struct(_) => Group::Structures,
        TypeDef::Enum(_) | TypeDef::Union(_) => Group::Enums,
    }
}

pub(super) fn files(ir: &Ir, options: &Options) -> Result<Vec<GeneratedFile>, EmitError> {
    let generated: HashSet<String> = ir.types.iter().map(|t| t.name().to_string()).collect();
    let groups = [
        (Group::Operations, "operations", "Inputs and outputs of the operations."),
        (Group::Structures, "structures", "Structures shared by operations."),
        (Group::Errors, "errors", "Errors the service returns."),
        (Group::Enums, "enums", "String enums and unions."),
    ];
    let mut files = Vec::new();
    let mut mods = Vec::new();
    for (g, module, doc) in groups {
        let ctx = TypeCtx::new(ir, &generated);
        let verbatim = Verbatim::default();
        let members: Vec<&TypeDef> = ir.types.iter().filter(|t| group(t) == g).collect();
        let local: HashSet<&str> = members.iter().map(|t| t.name()).collect();
        let items: Vec<TokenStream> = members
            .iter()
            .map(|t| match t {
                TypeDef::Struct(s) => structure(ir, &ctx, &verbatim, s),
                TypeDef::Enum(e) => enumeration(&ctx, e),
                TypeDef::Union(u) => union(&ctx, u),
            })
            .collect();
        if items.is_empty() {
            continue;
        }
        let uses = ctx.use_lines();
        let doc = inner_doc_attrs(doc);
        let glob = if ctx.refers_outside(&local) {
            quote!(
                use super::*;
            )
        } else {
            quote!()
        };
        let tokens = quote! {
            #doc
            #glob
            #uses
            #(#items)*
        };
        files.push(rust_file_with(&format!("src/types/{module}.rs"), tokens, &verbatim, options)?);
        mods.push(format_ident!("{}", module));
    }

    let ctx = TypeCtx::new(ir, &generated);
    let builders: Vec<String> = ir
        .types
        .iter()
        .filter_map(|t| match t {
            TypeDef::Struct(s) => Some(builder(&ctx, s)),
            _ => None,
        })
        .collect();
    let uses = ctx.use_lines();
    let head = rust_file(
        "src/types/builders.rs",
        quote! {
            //! Builders for the structures of [`types`](super): `Type::builder().field(value).build()`.
            use super::*;
            #uses
        },
        options,
    )?;
    files.push(GeneratedFile { path: head.path, contents: format!("{}\n{}", head.contents, builders.join("\n")) });

    let module_doc = inner_doc_attrs(&format!(
        "Data types of the {} API: every shape of the model.\n\n\
         Structures have public fields (an `Option` unless the model requires the member) and a\n\
         `builder()`. String enums keep values this version does not know in an `Unknown` variant\n\
         that round-trips unchanged. `Debug` never prints members the model marks sensitive.",
        ir.service.full_name
    ));
    let tokens = quote! {
        #module_doc
        pub mod builders;
        #( mod #mods; )*
        #( pub use #mods::*; )*
    };
    files.push(rust_file("src/types.rs", tokens, options)?);
    Ok(files)
}

/// The field's type as declared: `Option<T>` unless required, `Box<T>` when boxed.
fn field_type(ctx: &TypeCtx, f: &Field) -> TokenStream {
    let mut t = ctx.ty(&f.ty);
    if f.boxed {
        t = ctx.boxed(t);
    }
    if f.required {
        t
    } else {
        ctx.option(t)
    }
}

fn structure(ir: &Ir, ctx: &TypeCtx, verbatim: &Verbatim, s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    let docs = doc_attrs(&struct_docs(ir, s));
    let deprecated = deprecated_attr(&s.deprecated);
    let container = match s.rename_all {
        Some(c) => {
            let c = c.as_str();
            quote!(#[serde(default, rename_all = #c)])
        }
        None => quote!(#[serde(default)]),
    };

    let fields = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let ty = field_type(ctx, f);
        let fdocs = doc_attrs(&f.docs);
        let fdep = deprecated_attr(&f.deprecated);
        let serde = if !f.binding.in_body() || f.json_skip {
            quote!(#[serde(skip)])
        } else {
            let mut args = Vec::new();
            if f.json_rename {
                let wire = &f.wire_name;
                args.push(quote!(rename = #wire));
            }
            if !f.required {
                let is_none = ctx.is_none_path();
                args.push(quote!(skip_serializing_if = #is_none));
            }
            // Formats JSON cannot express by default: non-finite floats, non-epoch timestamps.
            let suffix = if f.required { "_required" } else { "" };
            match (&f.ty, f.timestamp_format) {
                (RustType::F64 | RustType::F32, _) => {
                    let w = if f.ty == RustType::F64 { "f64" } else { "f32" };
                    let path = Rt::FloatCodecs.join(&format!("{w}{}", if f.required { "_required" } else { "_opt" }));
                    args.push(quote!(with = #path));
                }
                (RustType::DateTime, Some(TimestampFormat::Iso8601)) => {
                    let path = Rt::TimestampCodecs.join(&format!("iso8601{suffix}"));
                    args.push(quote!(serialize_with = #path));
                }
                (RustType::DateTime, Some(TimestampFormat::HttpDate)) => {
                    let path = Rt::TimestampCodecs.join(&format!("http_date{suffix}"));
                    args.push(quote!(serialize_with = #path));
                }
                _ => {}
            }
            if args.is_empty() {
                quote!()
            } else {
                quote!(#[serde(#(#args),*)])
            }
        };
        quote! {
            #fdocs
            #fdep
            #serde
            pub #fname: #ty,
        }
    });

    let sensitive = s.fields.iter().any(|f| f.sensitive);
    let derive_debug = if sensitive { quote!() } else { quote!(Debug,) };
    let debug_impl = if sensitive { debug_impl(s) } else { quote!() };
    let error_impl = error_impl(ir, s).map(|t| verbatim.item(t)).unwrap_or_default();
    quote! {
        #docs
        #deprecated
        #[derive(Clone, #derive_debug Default, PartialEq, serde::Serialize, serde::Deserialize)]
        #container
        pub struct #name {
            #(#fields)*
        }

        #debug_impl
        #error_impl
    }
}

/// A structure's docs, with links to the client methods that take or return it.
fn struct_docs(ir: &Ir, s: &StructDef) -> String {
    let link = |id: &crate::ir::OpId| {
        let m = ir.op(*id).method.trim_start_matches("r#");
        format!("[`Client::{m}`](crate::Client::{m})")
    };
    let mut docs = s.docs.clone();
    if !s.input_of.is_empty() {
        docs.push_str(&format!("\n\nThe input of {}.", s.input_of.iter().map(link).collect::<Vec<_>>().join(", ")));
    }
    if !s.output_of.is_empty() {
        docs.push_str(&format!("\n\nReturned by {}.", s.output_of.iter().map(link).collect::<Vec<_>>().join(", ")));
    }
    docs
}

/// `Debug` that prints a placeholder for sensitive fields.
fn debug_impl(s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    let label = s.name.trim_start_matches("r#");
    let fields = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let label = f.name.trim_start_matches("r#");
        if f.sensitive {
            let redacted = Rt::Redacted.path();
            quote!(.field(#label, &#redacted))
        } else {
            quote!(.field(#label, &self.#fname))
        }
    });
    quote! {
        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#label) #(#fields)* .finish()
            }
        }
    }
}

/// The `impl_error!` invocation of an exception structure, as text.
fn error_impl(ir: &Ir, s: &StructDef) -> Option<String> {
    let err = s.error.as_ref()?;
    let mut args = format!("{}, {:?}", s.name, err.code);
    if err.throttling {
        args.push_str(", retry: Throttling");
    } else if err.retryable {
        args.push_str(", retry: Transient");
    }
    let message =
        s.fields.iter().find(|f| f.member.eq_ignore_ascii_case("message") && f.ty == RustType::String && !f.sensitive);
    if let Some(f) = message {
        let key = if f.required { "required_message" } else { "message" };
        args.push_str(&format!(", {key}: {}", f.name));
    }
    let headers: Vec<String> = s
        .fields
        .iter()
        .filter(|f| f.binding == Binding::Header && !f.required)
        .map(|f| format!("{}: {:?}", f.name, f.wire_name))
        .collect();
    if !headers.is_empty() {
        args.push_str(&format!(", headers {{ {} }}", headers.join(", ")));
    }
    if ir.service.protocol.is_xml() {
        args.push_str(", format: xml");
    } else if matches!(ir.service.protocol, crate::ir::Protocol::RpcV2Cbor { .. }) {
        args.push_str(", format: cbor");
    }
    let mac = Rt::ImplErrorMacro.text();
    let one_line = format!("{mac}!({args});\n");
    Some(if one_line.len() <= 110 { one_line } else { format!("{mac}!(\n    {}\n);\n", args.replace(", ", ",\n    ")) })
}

fn enumeration(ctx: &TypeCtx, e: &EnumDef) -> TokenStream {
    let name = ident(&e.name);
    let docs = doc_attrs(&e.docs);
    let deprecated = deprecated_attr(&e.deprecated);
    let variants: Vec<_> = e.variants.iter().map(|v| ident(&v.name)).collect();
    let values: Vec<_> = e.variants.iter().map(|v| &v.value).collect();
    let variant_docs = e.variants.iter().map(|v| format!(" `{}`", v.value.replace('`', "'")));
    let unknown = ctx.imported(Rt::UnknownValue.name(), Rt::UnknownValue.path());
    let impl_string_enum = Rt::ImplStringEnumMacro.path();
    quote! {
        #docs
        #deprecated
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #( #[doc = #variant_docs] #variants, )*
            /// A value this version of the client does not know; it round-trips unchanged.
            Unknown(#unknown),
        }

        impl #name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #values, )*
                    Self::Unknown(value) => value.as_str(),
                }
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #values => Self::#variants, )*
                    other => Self::Unknown(#unknown::new(other.to_owned())),
                }
            }
        }

        #impl_string_enum!(#name);
    }
}

fn union(ctx: &TypeCtx, u: &UnionDef) -> TokenStream {
    let name = ident(&u.name);
    let docs = doc_attrs(&u.docs);
    let sensitive = u.sensitive || u.variants.iter().any(|v| v.sensitive);
    let variants = u.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let vdocs = doc_attrs(&v.docs);
        let mut ty = ctx.ty(&v.ty);
        if v.boxed {
            ty = ctx.boxed(ty);
        }
        let rename = if v.name == v.wire_name {
            quote!()
        } else {
            let wire = &v.wire_name;
            quote!(#[serde(rename = #wire)])
        };
        quote! {
            #vdocs
            #rename
            #vname(#ty),
        }
    });
    let derive_debug = if sensitive { quote!() } else { quote!(Debug,) };
    let debug_impl = if sensitive {
        let arms = u.variants.iter().map(|v| {
            let vname = ident(&v.name);
            let label = v.name.trim_start_matches("r#");
            let redacted = Rt::Redacted.path();
            quote!(Self::#vname(_) => f.debug_tuple(#label).field(&#redacted).finish(),)
        });
        quote! {
            impl std::fmt::Debug for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    match self {
                        #(#arms)*
                        Self::Unknown => f.write_str("Unknown"),
                    }
                }
            }
        }
    } else {
        quote!()
    };
    let arms = u.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let wire = &v.wire_name;
        let union_value = Rt::UnionValue.path();
        quote!(#wire => Self::#vname(#union_value(value)?),)
    });
    let union_member = Rt::UnionMember.path();
    quote! {
        #docs
        #[derive(Clone, #derive_debug Default, PartialEq, serde::Serialize)]
        #[non_exhaustive]
        // The variants are the model's members, of whatever size they are; boxing the large ones
        // would change the API with every model update.
        #[allow(clippy::large_enum_variant)]
        pub enum #name {
            #(#variants)*
            /// A member this version of the client does not know.
            #[default]
            #[serde(skip)]
            Unknown,
        }

        #debug_impl

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                let Some((member, value)) = #union_member(d)? else {
                    return Ok(Self::Unknown);
                };
                Ok(match member.as_str() {
                    #(#arms)*
                    _ => Self::Unknown,
                })
            }
        }
    }
}

/// A `builder!` invocation, as text: macro bodies are not formatted by prettyplease, so we lay
/// them out ourselves, one line per field.
fn builder(ctx: &TypeCtx, s: &StructDef) -> String {
    let plain = s.name.trim_start_matches("r#");
    let builder = &s.builder;
    let line = |f: &Field| {
        let mut ty = ctx.ty(&f.ty);
        if f.boxed {
            ty = ctx.boxed(ty);
        }
        let dep = if f.deprecated.is_some() { "#[deprecated] " } else { "" };
        format!("        {dep}{}: {},\n", f.name, type_text(&ty))
    };
    let required: String = s.fields.iter().filter(|f| f.required).map(line).collect();
    let optional: String = s.fields.iter().filter(|f| !f.required).map(line).collect();
    let section = |fields: String| if fields.is_empty() { "{}".to_string() } else { format!("{{\n{fields}    }}") };
    format!(
        "{}! {{\n    /// A builder for [`{plain}`].\n    {builder} => {}{} {} optional {}\n}}\n",
        Rt::BuilderMacro.text(),
        s.name,
        if s.roles.input { " [operation]" } else { "" },
        section(required),
        section(optional),
    )
}

/// Spells a type's tokens as Rust source (`Vec<String>`, not `Vec < String >`).
fn type_text(tokens: &TokenStream) -> String {
    let mut out = String::new();
    for part in tokens.to_string().split(' ') {
        let glue = out.is_empty() || out.ends_with(['<', ':']) || part.starts_with(['<', '>', ',', ':']);
        if !glue {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}
