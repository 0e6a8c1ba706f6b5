//! The validation plan: what is checked before a request is sent, member by member.
//!
//! A member's own constraints give its local checks; a structure is validated when one of its
//! members has a check, and a member holding validated structures (directly, in a list or as map
//! values) checks them too. The second part is a fixed point over the structures.

use super::{Binding, Check, Constraints, Nesting, RustType, TypeDef, TypeId};

/// The checks a member's own constraints call for.
pub(super) fn local_checks(
    ty: &RustType,
    c: &Constraints,
    required: bool,
    binding: &Binding,
    streaming: bool,
) -> Vec<Check> {
    let mut out = Vec::new();
    // Required strings must not be empty (a URI label is checked when the URI is built; a minimum
    // length already refuses an empty value).
    let has_min = c.min.is_some_and(|m| m >= 1.0);
    if required && *ty == RustType::String && *binding != Binding::Label && !has_min {
        out.push(Check::NotEmpty);
    }
    let length = |x: Option<f64>| x.filter(|v| *v >= 0.0 && v.fract() == 0.0).map(|v| v as usize);
    let min = c.min.filter(|m| !(ty.has_length() && *m == 0.0));
    if ty.has_length() && (min.is_some() || c.max.is_some()) && !streaming {
        out.push(Check::Length { min: length(min), max: length(c.max) });
    }
    if ty.is_number() && (c.min.is_some() || c.max.is_some()) {
        out.push(Check::Range { min: c.min, max: c.max });
    }
    out
}

/// The structure a member's nested validation applies to, and how it is held.
fn nested(ty: &RustType) -> Option<(Nesting, TypeId)> {
    match ty {
        RustType::Named(id) => Some((Nesting::One, *id)),
        RustType::List(inner) => match &**inner {
            RustType::Named(id) => Some((Nesting::Each, *id)),
            _ => None,
        },
        RustType::Map(_, v) => match &**v {
            RustType::Named(id) => Some((Nesting::EachValue, *id)),
            _ => None,
        },
        _ => None,
    }
}

/// Marks the validated structures and adds the nested checks.
pub(super) fn plan(types: &mut [TypeDef]) {
    let mut validated = vec![false; types.len()];
    loop {
        let mut changed = false;
        for (i, t) in types.iter().enumerate() {
            let TypeDef::Struct(s) = t else { continue };
            if validated[i] || s.error.is_some() {
                continue;
            }
            let checks = s
                .fields
                .iter()
                .any(|f| !f.checks.is_empty() || nested(&f.ty).is_some_and(|(_, target)| validated[target.0]));
            if checks {
                validated[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for (i, t) in types.iter_mut().enumerate() {
        let TypeDef::Struct(s) = t else { continue };
        s.validated = validated[i];
        for f in &mut s.fields {
            if let Some((how, target)) = nested(&f.ty) {
                if validated[target.0] {
                    f.checks.push(Check::Nested(how));
                }
            }
        }
    }
}
