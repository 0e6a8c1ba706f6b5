//! The one registry of paths into `stratus_runtime` that generated code names.
//!
//! Emitters never spell a runtime path as text: they take it from here, as tokens for code or as
//! text for doc links and serde attributes, so a runtime item that moves is changed in one place
//! and the generated crates' whole dependency on the runtime can be read off this file.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// The runtime crate's name as generated code spells it.
const CRATE: &str = "stratus_runtime";

/// A runtime item generated code refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rt {
    /// `types::Blob`.
    Blob,
    /// `types::DateTime`.
    DateTime,
    /// `types::Document`.
    Document,
    /// `types::IndexMap`: the map type of generated structures.
    IndexMap,
    /// `types::UnknownValue`: what an enum keeps of a value it does not know.
    UnknownValue,
    /// `types::Redacted`: what `Debug` prints for sensitive members.
    Redacted,
    /// `types::union_member`: reads a union's one member.
    UnionMember,
    /// `types::union_value`: reads a union member's value.
    UnionValue,
    /// `types::float`: serde codecs of non-finite floats.
    FloatCodecs,
    /// `types::timestamp_format`: serde codecs of non-epoch timestamps.
    TimestampCodecs,
    /// `event_stream::EventStream`.
    EventStream,
    /// `event_stream::EventUnion`.
    EventUnion,
    /// `event_stream::EventSender`.
    EventSender,
    /// `event_stream::EventEncode`.
    EventEncode,
    /// `event_stream::EventBody`.
    EventBody,
    /// `event_stream::Message`.
    EventMessage,
    /// `event_stream::EventStreamError`.
    EventStreamError,
    /// `operation`: the module operation impls are written against.
    OperationModule,
    /// `operation::Dispatch`.
    Dispatch,
    /// `operation::Operation`.
    Operation,
    /// `client::Handle`.
    Handle,
    /// `client::ServiceInfo`.
    ServiceInfo,
    /// `Config`.
    Config,
    /// `Error`.
    Error,
    /// `Error::service_error`.
    ServiceError,
    /// `paginate::Paginator`.
    Paginator,
    /// `paginate::Paginator::pages`.
    PaginatorPages,
    /// `paginate::Paginator::items`.
    PaginatorItems,
    /// `paginate::Paginated`.
    Paginated,
    /// `paginate::PaginatedItems`.
    PaginatedItems,
    /// `waiter`: the module waiters are written against.
    WaiterModule,
    /// `waiter::WaiterCtx`.
    WaiterCtx,
    /// `testing`: helpers of the generated tests.
    Testing,
    /// `xml`: the XML codec.
    XmlModule,
    /// `query`: the query-protocol request codec.
    QueryModule,
    /// `encoding`: percent-encoding, and the text of floats and timestamps.
    Encoding,
    /// `cbor`: the CBOR codec.
    CborModule,
    /// `error::RawResponse`.
    RawResponse,
    /// `impl_error!`.
    ImplErrorMacro,
    /// `impl_string_enum!`.
    ImplStringEnumMacro,
}

impl Rt {
    /// The path below the crate root.
    fn segments(self) -> &'static [&'static str] {
        match self {
            Rt::Blob => &["types", "Blob"],
            Rt::DateTime => &["types", "DateTime"],
            Rt::Document => &["types", "Document"],
            Rt::IndexMap => &["types", "IndexMap"],
            Rt::UnknownValue => &["types", "UnknownValue"],
            Rt::Redacted => &["types", "Redacted"],
            Rt::UnionMember => &["types", "union_member"],
            Rt::UnionValue => &["types", "union_value"],
            Rt::FloatCodecs => &["types", "float"],
            Rt::TimestampCodecs => &["types", "timestamp_format"],
            Rt::EventStream => &["event_stream", "EventStream"],
            Rt::EventUnion => &["event_stream", "EventUnion"],
            Rt::EventSender => &["event_stream", "EventSender"],
            Rt::EventEncode => &["event_stream", "EventEncode"],
            Rt::EventBody => &["event_stream", "EventBody"],
            Rt::EventMessage => &["event_stream", "Message"],
            Rt::EventStreamError => &["event_stream", "EventStreamError"],
            Rt::OperationModule => &["operation"],
            Rt::Dispatch => &["operation", "Dispatch"],
            Rt::Operation => &["operation", "Operation"],
            Rt::Handle => &["client", "Handle"],
            Rt::ServiceInfo => &["client", "ServiceInfo"],
            Rt::Config => &["Config"],
            Rt::Error => &["Error"],
            Rt::ServiceError => &["Error", "service_error"],
            Rt::Paginator => &["paginate", "Paginator"],
            Rt::PaginatorPages => &["paginate", "Paginator", "pages"],
            Rt::PaginatorItems => &["paginate", "Paginator", "items"],
            Rt::Paginated => &["paginate", "Paginated"],
            Rt::PaginatedItems => &["paginate", "PaginatedItems"],
            Rt::WaiterModule => &["waiter"],
            Rt::WaiterCtx => &["waiter", "WaiterCtx"],
            Rt::Testing => &["testing"],
            Rt::XmlModule => &["xml"],
            Rt::QueryModule => &["query"],
            Rt::Encoding => &["encoding"],
            Rt::CborModule => &["cbor"],
            Rt::RawResponse => &["error", "RawResponse"],
            Rt::ImplErrorMacro => &["impl_error"],
            Rt::ImplStringEnumMacro => &["impl_string_enum"],
        }
    }

    /// The item's own name (the last segment), for `use` lines and short spellings.
    pub(crate) fn name(self) -> &'static str {
        self.segments().last().copied().unwrap_or(CRATE)
    }

    /// The full path as tokens (`stratus_runtime::types::Blob`).
    pub(crate) fn path(self) -> TokenStream {
        let krate = Ident::new(CRATE, Span::call_site());
        let segments = self.segments().iter().map(|s| Ident::new(s, Span::call_site()));
        quote!(#krate #(:: #segments)*)
    }

    /// The full path as text, for doc links and attribute strings.
    pub(crate) fn text(self) -> String {
        let mut out = CRATE.to_string();
        for s in self.segments() {
            out.push_str("::");
            out.push_str(s);
        }
        out
    }

    /// The path of an item inside this module (`Rt::FloatCodecs.join("f64_opt")`), as text.
    pub(crate) fn join(self, item: &str) -> String {
        format!("{}::{item}", self.text())
    }

    /// The parent module's path as tokens (`stratus_runtime::types` for `Rt::Blob`).
    pub(crate) fn module(self) -> TokenStream {
        let krate = Ident::new(CRATE, Span::call_site());
        let segments = self.segments();
        let parents = segments[..segments.len().saturating_sub(1)].iter().map(|s| Ident::new(s, Span::call_site()));
        quote!(#krate #(:: #parents)*)
    }
}

/// The runtime crate's root path, as tokens.
pub(crate) fn krate() -> TokenStream {
    let krate = Ident::new(CRATE, Span::call_site());
    quote!(#krate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_as_tokens_and_text_agree() {
        assert_eq!(Rt::Blob.text(), "stratus_runtime::types::Blob");
        assert_eq!(Rt::Blob.path().to_string().replace(' ', ""), Rt::Blob.text());
        assert_eq!(Rt::Blob.module().to_string().replace(' ', ""), "stratus_runtime::types");
        assert_eq!(Rt::Blob.name(), "Blob");
        assert_eq!(Rt::FloatCodecs.join("f64_opt"), "stratus_runtime::types::float::f64_opt");
        assert_eq!(Rt::Config.module().to_string().replace(' ', ""), "stratus_runtime");
    }
}
