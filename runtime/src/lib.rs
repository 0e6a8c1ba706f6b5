//! The hand-written runtime of Stratus-generated AWS clients.
//!
//! Generated crates stay small by describing each shape and operation compactly and leaving the generic
//! work to this crate: value types ([`types`]) and the macros that expand the repetitive parts of
//! generated items ([`impl_string_enum!`]).

#![deny(missing_docs)]

mod macros;
pub mod types;

#[doc(hidden)]
pub mod __private {
    pub use serde;
}
