//! What changes in the generated API between two versions of a model, and what that means for the
//! crate's version.
//!
//! The comparison is of the IR — the Rust API users program against — not of the JSON: operations
//! and types added or removed, members added, removed, retyped or made required, enum values added
//! or removed, documentation changed. The classification follows semver for the generated crate:
//! removals, type changes and members becoming required (or optional: `T` and `Option<T>` differ) are
//! **major**; additions are **minor** (enums and errors are `#[non_exhaustive]`, structures are built
//! with `..Default::default()` or builders); documentation-only changes are a **patch**.

use crate::ir::{Field, Ir, TypeDef};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The kind of version bump a change needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    /// Nothing changed.
    None,
    /// Documentation only.
    Patch,
    /// Additions.
    Minor,
    /// Breaking changes.
    Major,
}

impl Bump {
    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }

    /// The next version after `version` (`major.minor.patch`) for this bump; pre-1.0 crates shift
    /// one place (a breaking change bumps the minor, as Cargo's compatibility rules read it).
    pub fn next_version(self, version: &str) -> String {
        let parts: Vec<u64> = version.split('.').map(|p| p.parse().unwrap_or(0)).collect();
        let (mut major, mut minor, mut patch) = (
            parts.first().copied().unwrap_or(0),
            parts.get(1).copied().unwrap_or(0),
            parts.get(2).copied().unwrap_or(0),
        );
        let bump = if major == 0 {
            match self {
                Bump::Major => Bump::Minor,
                Bump::Minor | Bump::Patch => Bump::Patch,
                Bump::None => Bump::None,
            }
        } else {
            self
        };
        match bump {
            Bump::Major if major > 0 => (major, minor, patch) = (major + 1, 0, 0),
            Bump::Minor => (minor, patch) = (minor + 1, 0),
            Bump::Patch => patch += 1,
            Bump::Major => major += 1,
            Bump::None => {}
        }
        format!("{major}.{minor}.{patch}")
    }
}

/// One change, with its classification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// How it affects the version.
    pub bump: Bump,
    /// What changed (one line).
    pub text: String,
}

/// All changes between two models.
#[derive(Debug, Clone, Default)]
pub struct ApiDiff {
    /// The changes, in a stable order (operations, then types by name).
    pub changes: Vec<Change>,
}

impl ApiDiff {
    /// The bump the changes need together.
    pub fn bump(&self) -> Bump {
        self.changes.iter().map(|c| c.bump).max().unwrap_or(Bump::None)
    }

    /// Counts per bump kind.
    pub fn count(&self, bump: Bump) -> usize {
        self.changes.iter().filter(|c| c.bump == bump).count()
    }

    /// A Markdown report: the classification with its reasons, then every change by kind.
    pub fn report(&self, old_name: &str, new_name: &str) -> String {
        let mut out = format!("# API changes: {old_name} -> {new_name}\n\n");
        let bump = self.bump();
        let _ = writeln!(
            out,
            "Classification: **{}** ({} breaking, {} additions, {} documentation changes)\n",
            bump.as_str(),
            self.count(Bump::Major),
            self.count(Bump::Minor),
            self.count(Bump::Patch)
        );
        for (kind, title) in [(Bump::Major, "Breaking"), (Bump::Minor, "Added"), (Bump::Patch, "Documentation")] {
            let items: Vec<&Change> = self.changes.iter().filter(|c| c.bump == kind).collect();
            if items.is_empty() {
                continue;
            }
            let _ = writeln!(out, "## {title}\n");
            for c in items {
                let _ = writeln!(out, "- {}", c.text);
            }
            out.push('\n');
        }
        out
    }

    /// A CHANGELOG entry for `crate_name` at `version` (the report's lists, under a version heading).
    pub fn changelog_entry(&self, crate_name: &str, version: &str, date: &str) -> String {
        let mut out = format!("## {crate_name} {version} ({date})\n\n");
        for (kind, title) in [(Bump::Major, "Breaking changes"), (Bump::Minor, "Added"), (Bump::Patch, "Documentation")]
        {
            let items: Vec<&Change> = self.changes.iter().filter(|c| c.bump == kind).collect();
            if items.is_empty() {
                continue;
            }
            let _ = writeln!(out, "### {title}\n");
            for c in items {
                let _ = writeln!(out, "- {}", c.text);
            }
            out.push('\n');
        }
        if self.changes.is_empty() {
            out.push_str("No API changes.\n\n");
        }
        out
    }
}

fn field_type(ir: &Ir, f: &Field) -> String {
    let mut ty = ir.display(&f.ty).to_string();
    if f.boxed {
        ty = format!("Box<{ty}>");
    }
    if f.required {
        ty
    } else {
        format!("Option<{ty}>")
    }
}

/// Compares the APIs of two IRs.
pub fn diff(old: &Ir, new: &Ir) -> ApiDiff {
    let mut changes = Vec::new();
    let mut push = |bump, text: String| changes.push(Change { bump, text });

    let old_ops: BTreeMap<&str, _> = old.operations.iter().map(|o| (o.name.as_str(), o)).collect();
    let new_ops: BTreeMap<&str, _> = new.operations.iter().map(|o| (o.name.as_str(), o)).collect();
    for (name, o) in &old_ops {
        match new_ops.get(name) {
            None => push(Bump::Major, format!("operation `{name}` removed (`Client::{}`)", o.method)),
            Some(n) => {
                if old.output_name(o) != new.output_name(n) {
                    push(
                        Bump::Major,
                        format!(
                            "operation `{name}` now returns `{}` instead of `{}`",
                            new.output_name(n),
                            old.output_name(o)
                        ),
                    );
                }
                if old.name(o.input) != new.name(n.input) {
                    push(Bump::Major, format!("operation `{name}` now takes `{}`", new.name(n.input)));
                }
                let old_errors: Vec<&str> = o.errors.iter().map(|e| old.name(*e)).collect();
                let new_errors: Vec<&str> = n.errors.iter().map(|e| new.name(*e)).collect();
                for e in &new_errors {
                    if !old_errors.contains(e) {
                        push(Bump::Minor, format!("operation `{name}` can return `{e}`"));
                    }
                }
                for e in &old_errors {
                    if !new_errors.contains(e) {
                        push(
                            Bump::Major,
                            format!("operation `{name}` no longer models `{e}` (its error variant is removed)"),
                        );
                    }
                }
                if (o.http_method.as_str(), o.request_uri.as_str()) != (n.http_method.as_str(), n.request_uri.as_str())
                {
                    push(
                        Bump::Minor,
                        format!(
                            "operation `{name}` moved: {} {} -> {} {}",
                            o.http_method, o.request_uri, n.http_method, n.request_uri
                        ),
                    );
                }
                if o.deprecated.is_none() && n.deprecated.is_some() {
                    push(Bump::Minor, format!("operation `{name}` deprecated"));
                }
                if o.docs != n.docs {
                    push(Bump::Patch, format!("operation `{name}`: documentation changed"));
                }
            }
        }
    }
    for (name, n) in &new_ops {
        if !old_ops.contains_key(name) {
            push(Bump::Minor, format!("operation `{name}` added (`Client::{}`)", n.method));
        }
    }

    let old_types: BTreeMap<&str, &TypeDef> = old.types.iter().map(|t| (t.name(), t)).collect();
    let new_types: BTreeMap<&str, &TypeDef> = new.types.iter().map(|t| (t.name(), t)).collect();
    for (name, o) in &old_types {
        let Some(n) = new_types.get(name) else {
            push(Bump::Major, format!("type `{name}` removed"));
            continue;
        };
        match (o, n) {
            (TypeDef::Struct(o), TypeDef::Struct(n)) => {
                for of in &o.fields {
                    match n.fields.iter().find(|f| f.member == of.member) {
                        None => push(Bump::Major, format!("`{name}.{}` removed", of.name)),
                        Some(nf) => {
                            let (ot, nt) = (field_type(old, of), field_type(new, nf));
                            if !of.required && nf.required {
                                push(Bump::Major, format!("`{name}.{}` became required ({ot} -> {nt})", nf.name));
                            } else if of.required && !nf.required {
                                push(Bump::Major, format!("`{name}.{}` became optional ({ot} -> {nt})", nf.name));
                            } else if ot != nt {
                                push(Bump::Major, format!("`{name}.{}` changed type: {ot} -> {nt}", nf.name));
                            } else if of.docs != nf.docs {
                                push(Bump::Patch, format!("`{name}.{}`: documentation changed", nf.name));
                            }
                            if of.binding != nf.binding || of.wire_name != nf.wire_name {
                                push(Bump::Minor, format!("`{name}.{}` is sent differently on the wire", nf.name));
                            }
                        }
                    }
                }
                for nf in &n.fields {
                    if !o.fields.iter().any(|f| f.member == nf.member) {
                        let bump = if nf.required { Bump::Major } else { Bump::Minor };
                        let what = if nf.required { "added, required" } else { "added" };
                        push(bump, format!("`{name}.{}` {what} ({})", nf.name, field_type(new, nf)));
                    }
                }
                if o.docs != n.docs {
                    push(Bump::Patch, format!("`{name}`: documentation changed"));
                }
            }
            (TypeDef::Enum(o), TypeDef::Enum(n)) => {
                for v in &o.variants {
                    if !n.variants.iter().any(|nv| nv.value == v.value) {
                        push(Bump::Major, format!("`{name}::{}` (`{}`) removed", v.name, v.value));
                    }
                }
                for v in &n.variants {
                    if !o.variants.iter().any(|ov| ov.value == v.value) {
                        push(Bump::Minor, format!("`{name}::{}` (`{}`) added", v.name, v.value));
                    }
                }
                if o.docs != n.docs {
                    push(Bump::Patch, format!("`{name}`: documentation changed"));
                }
            }
            (TypeDef::Union(o), TypeDef::Union(n)) => {
                for v in &o.variants {
                    if !n.variants.iter().any(|nv| nv.member == v.member) {
                        push(Bump::Major, format!("`{name}::{}` removed", v.name));
                    }
                }
                for v in &n.variants {
                    if !o.variants.iter().any(|ov| ov.member == v.member) {
                        push(Bump::Minor, format!("`{name}::{}` added", v.name));
                    }
                }
            }
            _ => push(Bump::Major, format!("type `{name}` changed kind")),
        }
    }
    for (name, n) in &new_types {
        if !old_types.contains_key(name) {
            let kind = match n {
                TypeDef::Struct(s) if s.error.is_some() => "error",
                TypeDef::Struct(_) => "structure",
                TypeDef::Enum(_) => "enum",
                TypeDef::Union(_) => "union",
            };
            push(Bump::Minor, format!("{kind} `{name}` added"));
        }
    }
    ApiDiff { changes }
}

#[cfg(test)]
mod tests {
    use super::Bump;

    #[test]
    fn versions_bump_by_semver_rules() {
        assert_eq!(Bump::Major.next_version("1.2.3"), "2.0.0");
        assert_eq!(Bump::Minor.next_version("1.2.3"), "1.3.0");
        assert_eq!(Bump::Patch.next_version("1.2.3"), "1.2.4");
        assert_eq!(Bump::None.next_version("1.2.3"), "1.2.3");
        // Before 1.0, a breaking change bumps the minor and an addition the patch.
        assert_eq!(Bump::Major.next_version("0.1.0"), "0.2.0");
        assert_eq!(Bump::Minor.next_version("0.1.0"), "0.1.1");
    }
}
