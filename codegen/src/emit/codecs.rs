//! Protocol codecs generated per structure, for protocols whose bodies are not serde's JSON:
//! `impl FromXml` for what XML responses carry (outputs, errors and what they hold) and
//! `impl QueryValue` for what query requests carry (inputs and what they hold). Each is one
//! statement per member, written from the member's wire name and XML layout.

use super::ident;
use super::rt::Rt;
use crate::ir::{Field, Ir, Protocol, RustType, StructDef, TimestampFormat, TypeDef, UnionDef, XmlNames};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::HashSet;

/// The codec impls of the IR's protocol (none for the JSON protocols).
pub(super) fn items(ir: &Ir) -> Vec<TokenStream> {
    if matches!(ir.service.protocol, Protocol::RpcV2Cbor { .. }) {
        return cbor_items(ir);
    }
    if !ir.service.protocol.is_xml() {
        return Vec::new();
    }
    let ec2 = matches!(ir.service.protocol, Protocol::Ec2 { .. });
    let rest = matches!(ir.service.protocol, Protocol::RestXml);
    let mut out = Vec::new();
    for t in &ir.types {
        match t {
            TypeDef::Struct(s) => {
                if s.decoded {
                    out.push(from_xml(s));
                }
                if s.encoded && rest {
                    out.push(to_xml(s));
                } else if s.encoded {
                    out.push(query_value(s, ec2));
                }
            }
            TypeDef::Union(u) if !u.event_stream => {
                if u.decoded {
                    out.push(union_from_xml(u));
                }
                if u.encoded && rest {
                    out.push(union_to_xml(u));
                } else if u.encoded {
                    out.push(union_query_value(u, ec2));
                }
            }
            _ => {}
        }
    }
    out
}

/// The `use` lines the codec impls need.
pub(super) fn uses(ir: &Ir) -> TokenStream {
    if matches!(ir.service.protocol, Protocol::RpcV2Cbor { .. }) {
        let cbor = Rt::CborModule.path();
        return quote! {
            use #cbor;
        };
    }
    if !ir.service.protocol.is_xml() {
        return quote!();
    }
    let (xml, query) = (Rt::XmlModule.path(), Rt::QueryModule.path());
    if matches!(ir.service.protocol, Protocol::RestXml) {
        return quote! {
            use #xml;
        };
    }
    quote! {
        use #xml;
        use #query;
    }
}

/// A member of `self` as an `Option<&T>` (unboxed), whether the model requires it or not.
fn member_ref(f: &Field) -> TokenStream {
    let field = ident(&f.name);
    match (f.required, f.boxed) {
        (true, false) => quote!(Some(&self.#field)),
        (true, true) => quote!(Some(&*self.#field)),
        (false, false) => quote!(self.#field.as_ref()),
        (false, true) => quote!(self.#field.as_deref()),
    }
}

/// Whether the codecs carry a member of this type (documents and streams they do not).
fn carried(ty: &RustType) -> bool {
    match ty {
        RustType::Document | RustType::EventStream(_) | RustType::EventSender(_) => false,
        RustType::List(t) => carried(t),
        RustType::Map(k, v) => carried(k) && carried(v),
        _ => true,
    }
}

/// The element a member is read from: its wire name, or for a flattened list whose members are
/// named, that name (as botocore reads it).
fn element_name(f: &Field) -> &str {
    match (&f.ty, f.xml.flattened, &f.xml.member) {
        (RustType::List(_), true, Some(member)) => member,
        _ => &f.wire_name,
    }
}

/// The names of a map entry's key and value elements.
fn entry_names(xml: &XmlNames) -> (&str, &str) {
    (xml.key.as_deref().unwrap_or("key"), xml.value.as_deref().unwrap_or("value"))
}

/// Reads a structure member or union variant from its own element `child`: a wrapped list or map
/// by its layout, anything else as itself. (Flattened collections span several elements and are
/// read by the caller.)
fn element_read(xml: &XmlNames, ty: &RustType) -> TokenStream {
    match ty {
        RustType::List(item) => {
            let member = xml.member.as_deref().unwrap_or("member");
            let inner = optional(inner_layout(xml, item));
            quote!(xml::list(child, #member, #inner)?)
        }
        RustType::Map(_, item) => {
            let (key, value) = entry_names(xml);
            let inner = optional(inner_layout(xml, item));
            quote!(xml::map(child, #key, #value, #inner)?)
        }
        _ => quote!(xml::FromXml::from_xml(child)?),
    }
}

fn from_xml(s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    let mut seen = HashSet::new();
    let mut attributes = Vec::new();
    let mut arms = Vec::new();
    for f in s.fields.iter().filter(|f| carried(&f.ty) && f.binding.in_body()) {
        let field = ident(&f.name);
        let wrap = |v: TokenStream| {
            let v = if f.boxed { quote!(Box::new(#v)) } else { v };
            if f.required {
                quote!(out.#field = #v;)
            } else {
                quote!(out.#field = Some(#v);)
            }
        };
        if f.xml.attribute {
            let attr = &f.wire_name;
            let set =
                wrap(quote!(xml::FromXml::from_xml(&xml::Element { text: v.to_string(), ..Default::default() })?));
            attributes.push(quote! {
                if let Some(v) = el.attribute(#attr) {
                    #set
                }
            });
            continue;
        }
        let element = element_name(f);
        if !seen.insert(element.to_string()) {
            continue;
        }
        let statement = match (&f.ty, f.xml.flattened) {
            (RustType::List(element), true) => {
                let target =
                    if f.required { quote!(out.#field) } else { quote!(out.#field.get_or_insert_with(Vec::new)) };
                let read = match inner_layout(&f.xml, element) {
                    Some(layout) => quote!(xml::FromXml::from_xml_as(child, Some(#layout))?),
                    None => quote!(xml::FromXml::from_xml(child)?),
                };
                quote!(#target.push(#read);)
            }
            (RustType::Map(_, element), true) => {
                let target = if f.required {
                    quote!(&mut out.#field)
                } else {
                    quote!(out.#field.get_or_insert_with(Default::default))
                };
                let (key, value) = entry_names(&f.xml);
                let inner = optional(inner_layout(&f.xml, element));
                quote!(xml::entry(child, #key, #value, #inner, #target)?;)
            }
            _ => wrap(element_read(&f.xml, &f.ty)),
        };
        arms.push((element.to_string(), statement));
    }
    let body = match arms.as_slice() {
        [] => quote!(),
        [(element, statement)] => quote! {
            for child in &el.children {
                if child.name == #element {
                    #statement
                }
            }
        },
        _ => {
            let arms = arms.iter().map(|(element, statement)| quote!(#element => { #statement }));
            quote! {
                for child in &el.children {
                    match child.name.as_str() {
                        #(#arms)*
                        _ => {}
                    }
                }
            }
        }
    };
    // A structure with nothing to read neither looks at the element nor changes `out`.
    let (el, mutable) =
        if arms.is_empty() && attributes.is_empty() { (quote!(_el), quote!()) } else { (quote!(el), quote!(mut)) };
    quote! {
        impl xml::FromXml for #name {
            fn from_xml(#el: &xml::Element) -> Result<Self, xml::XmlError> {
                let #mutable out = Self::default();
                #(#attributes)*
                #body
                Ok(out)
            }
        }
    }
}

/// A member's name in a form request.
fn form_name(f: &Field, ec2: bool) -> &str {
    match &f.xml.ec2_name {
        Some(name) if ec2 => name,
        _ => &f.wire_name,
    }
}

fn query_value(s: &StructDef, ec2: bool) -> TokenStream {
    let name = ident(&s.name);
    let writes: Vec<TokenStream> = s
        .fields
        .iter()
        .filter(|f| carried(&f.ty))
        .map(|f| {
            let value = member_ref(f);
            let wire = form_name(f, ec2);
            match &f.ty {
                RustType::List(_) => {
                    let flattened = f.xml.flattened;
                    // The common case (`Name.member.N`) reads as the style's default.
                    let style = match &f.xml.member {
                        None if !flattened && !ec2 => quote!(query::ListStyle::default()),
                        Some(m) => quote!(query::ListStyle { member: Some(#m), flattened: #flattened, ec2: #ec2 }),
                        None => quote!(query::ListStyle { member: None, flattened: #flattened, ec2: #ec2 }),
                    };
                    quote!(w.list(key, #wire, #value, #style);)
                }
                RustType::Map(..) => {
                    let (k, v) = entry_names(&f.xml);
                    let flattened = f.xml.flattened;
                    quote!(w.map(key, #wire, #value, query::MapStyle { key: #k, value: #v, flattened: #flattened });)
                }
                RustType::DateTime if f.timestamp_format.is_some_and(|t| t != TimestampFormat::Iso8601) => {
                    let format = match f.timestamp_format {
                        Some(TimestampFormat::EpochSeconds) => quote!(query::TimestampFormat::EpochSeconds),
                        _ => quote!(query::TimestampFormat::HttpDate),
                    };
                    quote!(w.timestamp(key, #wire, #value, #format);)
                }
                _ => quote!(w.field(key, #wire, #value);),
            }
        })
        .collect();
    let (w, key) = if writes.is_empty() { (quote!(_w), quote!(_key)) } else { (quote!(w), quote!(key)) };
    quote! {
        impl query::QueryValue for #name {
            fn write(&self, #w: &mut query::Writer, #key: &str) {
                #(#writes)*
            }
        }
    }
}

/// The namespace attribute of a member's element, as tokens of a `&[(&str, &str)]`.
fn namespace(f: &Field) -> TokenStream {
    ns_tokens(&f.xml.namespace)
}

fn ns_tokens(ns: &Option<(String, String)>) -> TokenStream {
    match ns {
        Some((attr, uri)) => quote!(&[(#attr, #uri)]),
        None => quote!(&[]),
    }
}

/// A list member's `xml::ListXml` (and the layout of the lists or maps inside it).
fn list_layout(x: &XmlNames, item: &RustType) -> TokenStream {
    let member = match &x.member {
        Some(m) => quote!(Some(#m)),
        None => quote!(None),
    };
    let flattened = x.flattened;
    let member_ns = ns_tokens(&x.member_namespace);
    let inner = optional(inner_layout(x, item));
    quote!(xml::ListXml { member: #member, member_attributes: #member_ns, flattened: #flattened, inner: #inner })
}

/// A map member's `xml::MapXml` (and the layout of the lists or maps inside it).
fn map_layout(x: &XmlNames, value: &RustType) -> TokenStream {
    let (k, v) = entry_names(x);
    let (kn, vn) = (ns_tokens(&x.key_namespace), ns_tokens(&x.value_namespace));
    let flattened = x.flattened;
    let inner = optional(inner_layout(x, value));
    quote!(xml::MapXml { key: #k, key_attributes: #kn, value: #v, value_attributes: #vn, flattened: #flattened, inner: #inner })
}

/// `&xml::Layout::…` of a collection's elements when they are lists or maps the model lays out
/// other than by default; `None` when the default layout describes them.
fn inner_layout(x: &XmlNames, element: &RustType) -> Option<TokenStream> {
    let inner = x.inner.as_deref().filter(|i| !i.is_default_layout())?;
    match element {
        RustType::List(item) => {
            let l = list_layout(inner, item);
            Some(quote!(&xml::Layout::List(#l)))
        }
        RustType::Map(_, value) => {
            let m = map_layout(inner, value);
            Some(quote!(&xml::Layout::Map(#m)))
        }
        _ => None,
    }
}

fn optional(t: Option<TokenStream>) -> TokenStream {
    match t {
        Some(t) => quote!(Some(#t)),
        None => quote!(None),
    }
}

fn to_xml(s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    let body: Vec<&Field> = s.fields.iter().filter(|f| carried(&f.ty) && f.binding.in_body()).collect();
    let attributes: Vec<TokenStream> = body
        .iter()
        .filter(|f| f.xml.attribute)
        .map(|f| {
            let field = ident(&f.name);
            let attr = &f.wire_name;
            let value = if f.required { quote!(Some(&self.#field)) } else { quote!(self.#field.as_ref()) };
            quote! {
                let value = #value.map(|v| v.to_string());
                if let Some(v) = &value {
                    attributes.push((#attr, v.as_str()));
                }
            }
        })
        .collect();
    let writes: Vec<TokenStream> = body
        .iter()
        .filter(|f| !f.xml.attribute)
        .map(|f| {
            let value = member_ref(f);
            let element = &f.wire_name;
            let ns = namespace(f);
            match &f.ty {
                RustType::List(item) => {
                    let layout = list_layout(&f.xml, item);
                    quote!(w.list(#element, #ns, #value, #layout);)
                }
                RustType::Map(_, item) => {
                    let layout = map_layout(&f.xml, item);
                    quote!(w.map(#element, #ns, #value, #layout);)
                }
                RustType::DateTime if f.timestamp_format.is_some_and(|t| t != TimestampFormat::Iso8601) => {
                    let encoding = Rt::Encoding.path();
                    let format = match f.timestamp_format {
                        Some(TimestampFormat::EpochSeconds) => quote!(#encoding::TimestampFormat::EpochSeconds),
                        _ => quote!(#encoding::TimestampFormat::HttpDate),
                    };
                    quote!(w.timestamp(#element, #value, #format);)
                }
                _ => quote!(w.field(#element, #ns, #value);),
            }
        })
        .collect();
    let attrs = if attributes.is_empty() {
        quote!(w.start(name, attributes);)
    } else {
        quote! {
            let mut attributes = attributes.to_vec();
            #(#attributes)*
            w.start(name, &attributes);
        }
    };
    quote! {
        impl xml::ToXml for #name {
            fn write_xml(&self, w: &mut xml::Writer, name: &str, attributes: &[(&str, &str)]) {
                #attrs
                #(#writes)*
                w.end(name);
            }
        }
    }
}

fn union_to_xml(u: &UnionDef) -> TokenStream {
    let name = ident(&u.name);
    let arms = u.variants.iter().filter(|v| carried(&v.ty)).map(|v| {
        let variant = ident(&v.name);
        let wire = &v.wire_name;
        let ns = namespace(v);
        let value = if v.boxed { quote!(Some(&**value)) } else { quote!(Some(value)) };
        // A list or map variant is laid out as a structure member of its type would be.
        match &v.ty {
            RustType::List(item) => {
                let layout = list_layout(&v.xml, item);
                quote!(Self::#variant(value) => w.list(#wire, #ns, #value, #layout),)
            }
            RustType::Map(_, item) => {
                let layout = map_layout(&v.xml, item);
                quote!(Self::#variant(value) => w.map(#wire, #ns, #value, #layout),)
            }
            _ => quote!(Self::#variant(value) => w.field(#wire, #ns, #value),),
        }
    });
    quote! {
        impl xml::ToXml for #name {
            fn write_xml(&self, w: &mut xml::Writer, name: &str, attributes: &[(&str, &str)]) {
                w.start(name, attributes);
                #[allow(clippy::single_match)]
                match self {
                    #(#arms)*
                    _ => {}
                }
                w.end(name);
            }
        }
    }
}

fn union_from_xml(u: &UnionDef) -> TokenStream {
    let name = ident(&u.name);
    let arms = u.variants.iter().filter(|v| carried(&v.ty)).map(|v| {
        let variant = ident(&v.name);
        let wire = element_name(v);
        let read = match (&v.ty, v.xml.flattened) {
            // A flattened list variant is every element of its name.
            (RustType::List(item), true) => {
                let inner = optional(inner_layout(&v.xml, item));
                let read = quote! {
                    el.children
                        .iter()
                        .filter(|c| c.name == #wire)
                        .map(|c| xml::FromXml::from_xml_as(c, #inner))
                        .collect::<Result<_, _>>()?
                };
                return quote! {
                    if child.name == #wire {
                        return Ok(Self::#variant(#read));
                    }
                };
            }
            (RustType::Map(_, item), true) => {
                let (key, value_name) = entry_names(&v.xml);
                let inner = optional(inner_layout(&v.xml, item));
                quote! {{
                    let mut map = Default::default();
                    for entry in el.children.iter().filter(|c| c.name == #wire) {
                        xml::entry(entry, #key, #value_name, #inner, &mut map)?;
                    }
                    map
                }}
            }
            _ => element_read(&v.xml, &v.ty),
        };
        let value = if v.boxed { quote!(Box::new(#read)) } else { read };
        quote! {
            if child.name == #wire {
                return Ok(Self::#variant(#value));
            }
        }
    });
    quote! {
        impl xml::FromXml for #name {
            fn from_xml(el: &xml::Element) -> Result<Self, xml::XmlError> {
                for child in &el.children {
                    #(#arms)*
                }
                Ok(Self::Unknown)
            }
        }
    }
}

fn union_query_value(u: &UnionDef, ec2: bool) -> TokenStream {
    let name = ident(&u.name);
    let arms = u.variants.iter().filter(|v| carried(&v.ty)).map(|v| {
        let variant = ident(&v.name);
        let wire = form_name(v, ec2);
        let value = if v.boxed { quote!(Some(&**value)) } else { quote!(Some(value)) };
        quote!(Self::#variant(value) => w.field(key, #wire, #value),)
    });
    quote! {
        impl query::QueryValue for #name {
            fn write(&self, w: &mut query::Writer, key: &str) {
                #[allow(clippy::single_match)]
                match self {
                    #(#arms)*
                    _ => {}
                }
            }
        }
    }
}

/// The CBOR codecs: `ToCbor` for what requests carry, `FromCbor` for what responses carry.
fn cbor_items(ir: &Ir) -> Vec<TokenStream> {
    let mut out = Vec::new();
    for t in &ir.types {
        match t {
            TypeDef::Struct(s) => {
                let name = ident(&s.name);
                let fields: Vec<&Field> = s.fields.iter().filter(|f| carried(&f.ty) && f.binding.in_body()).collect();
                if s.encoded {
                    let writes = fields.iter().map(|f| {
                        let wire = &f.wire_name;
                        let value = member_ref(f);
                        quote!(map.field(#wire, #value);)
                    });
                    let map = if fields.is_empty() { quote!(let map) } else { quote!(let mut map) };
                    out.push(quote! {
                        impl cbor::ToCbor for #name {
                            fn to_cbor(&self) -> cbor::Value {
                                #map = cbor::MapBuilder::default();
                                #(#writes)*
                                map.finish()
                            }
                        }
                    });
                }
                if s.decoded {
                    let arms: Vec<TokenStream> = fields
                        .iter()
                        .map(|f| {
                            let field = ident(&f.name);
                            let wire = &f.wire_name;
                            let mut v = quote!(cbor::FromCbor::from_cbor(value)?);
                            if f.boxed {
                                v = quote!(Box::new(#v));
                            }
                            let set = if f.required { quote!(out.#field = #v) } else { quote!(out.#field = Some(#v)) };
                            quote!(#wire => #set,)
                        })
                        .collect();
                    let body = if arms.is_empty() {
                        quote! {
                            // Only checks that the value is a map.
                            let _ = cbor::fields(v)?;
                            Ok(Self::default())
                        }
                    } else {
                        quote! {
                            let mut out = Self::default();
                            for (key, value) in cbor::fields(v)? {
                                #[allow(clippy::single_match)]
                                match key {
                                    #(#arms)*
                                    _ => {}
                                }
                            }
                            Ok(out)
                        }
                    };
                    out.push(quote! {
                        impl cbor::FromCbor for #name {
                            fn from_cbor(v: &cbor::Value) -> Result<Self, cbor::CborError> {
                                #body
                            }
                        }
                    });
                }
            }
            TypeDef::Union(u) if !u.event_stream => {
                let name = ident(&u.name);
                let variants: Vec<&Field> = u.variants.iter().filter(|v| carried(&v.ty)).collect();
                if u.encoded {
                    let arms = variants.iter().map(|v| {
                        let variant = ident(&v.name);
                        let wire = &v.wire_name;
                        let value = if v.boxed { quote!(Some(&**value)) } else { quote!(Some(value)) };
                        quote!(Self::#variant(value) => map.field(#wire, #value),)
                    });
                    out.push(quote! {
                        impl cbor::ToCbor for #name {
                            fn to_cbor(&self) -> cbor::Value {
                                let mut map = cbor::MapBuilder::default();
                                #[allow(clippy::single_match)]
                                match self {
                                    #(#arms)*
                                    _ => {}
                                }
                                map.finish()
                            }
                        }
                    });
                }
                if u.decoded {
                    let tests = variants.iter().map(|v| {
                        let variant = ident(&v.name);
                        let wire = &v.wire_name;
                        let value = if v.boxed {
                            quote!(Box::new(cbor::FromCbor::from_cbor(value)?))
                        } else {
                            quote!(cbor::FromCbor::from_cbor(value)?)
                        };
                        quote! {
                            if key == #wire {
                                return Ok(Self::#variant(#value));
                            }
                        }
                    });
                    out.push(quote! {
                        impl cbor::FromCbor for #name {
                            fn from_cbor(v: &cbor::Value) -> Result<Self, cbor::CborError> {
                                for (key, value) in cbor::fields(v)? {
                                    #(#tests)*
                                }
                                Ok(Self::Unknown)
                            }
                        }
                    });
                }
            }
            _ => {}
        }
    }
    out
}
