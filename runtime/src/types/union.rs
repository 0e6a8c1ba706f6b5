//! Reading JSON unions: the one member that is set ([`union_member`]) and its value
//! ([`union_value`]).

use serde::{de, Deserialize, Deserializer};

/// Reads the one member of a JSON union: `(name, value)`, ignoring `__type` and null members;
/// `None` when no member is set.
pub fn union_member<'de, D: Deserializer<'de>>(d: D) -> Result<Option<(String, serde_json::Value)>, D::Error> {
    let map = serde_json::Map::<String, serde_json::Value>::deserialize(d)?;
    let mut set = map.into_iter().filter(|(k, v)| k != "__type" && !v.is_null());
    let first = set.next();
    if set.next().is_some() {
        return Err(de::Error::custom("a union must have exactly one member set"));
    }
    Ok(first)
}

/// Deserializes a union member's value.
pub fn union_value<T: serde::de::DeserializeOwned, E: de::Error>(v: serde_json::Value) -> Result<T, E> {
    serde_json::from_value(v).map_err(E::custom)
}
