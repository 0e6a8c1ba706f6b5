//! The hand-written runtime of Stratus-generated AWS clients.
//!
//! Generated crates stay small by describing each shape and operation compactly and leaving the
//! generic work to this crate. One module per concern:
//!
//! - [`client`]: the service-independent part of a client (endpoint, signing, retries, parsing);
//! - [`operation`]: the restJson1 wiring generated operations describe themselves with;
//! - [`event_stream`]: event-stream framing and typed event streams;
//! - [`paginate`]: paginators as streams of pages or items;
//! - [`waiter`]: polling until an acceptor matches;
//! - [`config`]: `Config::from_env()` and its builder;
//! - [`error`]: `Error<E>`, the error of every operation;
//! - [`retry`]: standard and adaptive retries, timeouts;
//! - [`types`]: value types of generated code (`DateTime`, `Blob`, `Document`, enum support), one
//!   file per type in `types/`;
//! - [`sigv4`]: the request signer;
//! - [`credentials`]: credentials, their providers (one file each) and the default chain;
//! - [`profile`]: the shared config and credentials files;
//! - [`encoding`]: the one percent-encoder;
//! - [`env`](mod@env): environment access that tests can replace;
//! - [`endpoint`]: the endpoint rule-set engine and partitions (the `stratus-endpoint` crate,
//!   re-exported);
//! - [`http`]: the transport trait, the hyper + rustls client, and a capturing fake;
//! - [`testing`]: checking the requests a client sends, without a network;
//!
//! and the macros that implement the traits every generated enum or exception has alike
//! ([`impl_string_enum!`], [`impl_error!`]).
//!
//! `sigv4`, `credentials` and `profile` live together in the `auth/` folder of the sources; the
//! crate-root paths above are their stable paths.

#![deny(missing_docs)]

mod auth;
#[cfg(feature = "cbor")]
pub mod cbor;
pub mod client;
pub mod config;
pub mod encoding;
pub mod env;
pub mod error;
pub mod event_stream;
pub mod http;
mod macros;
pub mod operation;
pub mod paginate;
#[cfg(feature = "query")]
pub mod query;
pub mod retry;
pub mod testing;
pub mod types;
pub mod waiter;
#[cfg(feature = "xml")]
pub mod xml;

#[doc(hidden)]
#[path = "fuzz_entry.rs"]
pub mod __fuzz;

// The stable paths of the authentication modules, whose sources live in `auth/`.
pub use auth::{credentials, profile, sigv4};
pub use config::Config;
pub use error::Error;
/// The endpoint rule-set types, their interpreter and the partitions: the `stratus-endpoint` crate,
/// which the code generator shares.
#[doc(inline)]
pub use stratus_endpoint as endpoint;

#[doc(hidden)]
pub mod __private {
    pub use serde;
}
