//! Authentication, one folder: the SigV4 signer (`sigv4`), credentials and their providers
//! (`credentials/`, one file per provider) and the shared config and credentials files (`profile`).
//!
//! These modules are published at the crate root — [`crate::sigv4`], [`crate::credentials`],
//! [`crate::profile`] — and those are their stable paths; this module only groups their sources.

pub mod credentials;
pub mod profile;
pub mod sigv4;
