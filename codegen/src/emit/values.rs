//! Rust expressions for values given as JSON in botocore's form (member names as keys, blobs as
//! text, timestamps as epoch seconds): used for protocol-suite inputs and documentation examples.

use super::rt::Rt;
use crate::ir::{Ir, RustType, TypeDef};
use proc_macro2::{Literal, TokenStream};
use quote::quote;
use serde_json::Value;

/// Rust code building a value of `ty` from its JSON form (`types` is the path of the `types` module) (member names as
/// keys, blobs as text, timestamps as epoch seconds).
pub fn value_expr(ir: &Ir, types: &TokenStream, ty: &RustType, v: &Value) -> Result<TokenStream, String> {
    Ok(match (ty, v) {
        (RustType::String, Value::String(s)) => quote!(#s.to_string()),
        (RustType::Bool, Value::Bool(b)) => quote!(#b),
        (RustType::I8 | RustType::I16 | RustType::I32 | RustType::I64, Value::Number(n)) => {
            let lit = Literal::i64_unsuffixed(n.as_i64().ok_or(format!("{n} is not an integer"))?);
            quote!(#lit)
        }
        (RustType::F32 | RustType::F64, Value::Number(n)) => {
            let lit = Literal::f64_unsuffixed(n.as_f64().unwrap_or_default());
            quote!(#lit)
        }
        (RustType::F32 | RustType::F64, Value::String(s)) => match s.as_str() {
            "NaN" => quote!(f64::NAN as _),
            "Infinity" => quote!(f64::INFINITY as _),
            "-Infinity" => quote!(f64::NEG_INFINITY as _),
            other => return Err(format!("float `{other}`")),
        },
        (RustType::Blob, Value::String(s)) => {
            let blob = Rt::Blob.path();
            quote!(#blob::from(#s))
        }
        (RustType::DateTime, Value::Number(n)) => {
            let text = n.to_string();
            let date_time = Rt::DateTime.path();
            quote!(#date_time::parse_epoch(#text).unwrap_or_default())
        }
        (RustType::Document, v) => {
            let text = v.to_string();
            let document = Rt::Document.path();
            quote!(serde_json::from_str::<#document>(#text).unwrap_or_default())
        }
        (RustType::List(inner), Value::Array(items)) => {
            let items = items.iter().map(|i| value_expr(ir, types, inner, i)).collect::<Result<Vec<_>, _>>()?;
            quote!(vec![#(#items),*])
        }
        (RustType::Map(k, val), Value::Object(entries)) => {
            let mut pairs = Vec::new();
            for (key, v) in entries {
                let key = value_expr(ir, types, k, &Value::String(key.clone()))?;
                let v = value_expr(ir, types, val, v)?;
                pairs.push(quote!((#key, #v)));
            }
            let map = Rt::IndexMap.path();
            quote!(#map::from([#(#pairs),*]))
        }
        (RustType::Named(id), v) => {
            let name = ir.name(*id);
            let t = super::ident_of(name);
            match ir.def(*id) {
                TypeDef::Enum(_) => match v {
                    Value::String(s) => quote!(#types::#t::from(#s)),
                    other => return Err(format!("enum {name} from {other}")),
                },
                TypeDef::Struct(s) => {
                    let empty = serde_json::Map::new();
                    let obj = match v {
                        Value::Object(o) => o,
                        Value::Null => &empty,
                        other => return Err(format!("structure {name} from {other}")),
                    };
                    let mut fields = Vec::new();
                    for (key, val) in obj {
                        let f =
                            s.fields.iter().find(|f| &f.member == key).ok_or(format!("{name} has no member {key}"))?;
                        if val.is_null() {
                            continue;
                        }
                        let fname = super::ident_of(&f.name);
                        let mut x = value_expr(ir, types, &f.ty, val)?;
                        if f.boxed {
                            x = quote!(Box::new(#x));
                        }
                        if !f.required {
                            x = quote!(Some(#x));
                        }
                        fields.push(quote!(#fname: #x,));
                    }
                    let rest = if fields.len() < s.fields.len() { quote!(..Default::default()) } else { quote!() };
                    quote!(#types::#t { #(#fields)* #rest })
                }
                TypeDef::Union(u) => {
                    let obj = v.as_object().ok_or(format!("union {name} from {v}"))?;
                    let (key, val) = obj.iter().next().ok_or(format!("empty union {name}"))?;
                    let variant =
                        u.variants.iter().find(|f| &f.member == key).ok_or(format!("{name} has no member {key}"))?;
                    let vname = super::ident_of(&variant.name);
                    let mut x = value_expr(ir, types, &variant.ty, val)?;
                    if variant.boxed {
                        x = quote!(Box::new(#x));
                    }
                    quote!(#types::#t::#vname(#x))
                }
            }
        }
        (ty, v) => return Err(format!("cannot build a {} from {v}", ir.display(ty))),
    })
}
