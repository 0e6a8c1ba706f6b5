//! [`UnknownValue`]: the value of a string enum this version does not know.

/// A value of a string enum that this version of the client does not know.
///
/// Only the client creates these (from a string it received or was given), so an enum's known
/// variant and its `Unknown` form never compare unequal for the same string.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    #[doc(hidden)]
    pub fn new(value: String) -> Self {
        UnknownValue(value)
    }

    /// The value as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
