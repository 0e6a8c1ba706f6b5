//! serde helpers for floating-point members: JSON has no NaN or infinities, so AWS protocols write
//! them as the strings `"NaN"`, `"Infinity"` and `"-Infinity"`.

use serde::{de, Deserialize, Deserializer, Serializer};

fn write<S: Serializer>(v: f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_nan() {
        s.serialize_str("NaN")
    } else if v.is_infinite() {
        s.serialize_str(if v > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        s.serialize_f64(v)
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Repr {
    Num(f64),
    Text(String),
}

fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Option::<Repr>::deserialize(d)? {
        None => None,
        Some(Repr::Num(v)) => Some(v),
        Some(Repr::Text(t)) => Some(match t.as_str() {
            "NaN" => f64::NAN,
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            other => return Err(de::Error::custom(format!("`{other}` is not a number"))),
        }),
    })
}

/// `Option<f64>`.
pub mod f64_opt {
    use serde::{Deserializer, Serializer};
    /// Serializes.
    pub fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => super::write(*v, s),
            None => s.serialize_none(),
        }
    }
    /// Deserializes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        super::read(d)
    }
}

/// `Option<f32>`.
pub mod f32_opt {
    use serde::{Deserializer, Serializer};
    /// Serializes.
    pub fn serialize<S: Serializer>(v: &Option<f32>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => super::write(f64::from(*v), s),
            None => s.serialize_none(),
        }
    }
    /// Deserializes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f32>, D::Error> {
        Ok(super::read(d)?.map(|v| v as f32))
    }
}

/// `f64`.
pub mod f64_required {
    use serde::{Deserializer, Serializer};
    /// Serializes.
    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        super::write(*v, s)
    }
    /// Deserializes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(super::read(d)?.unwrap_or_default())
    }
}

/// `f32`.
pub mod f32_required {
    use serde::{Deserializer, Serializer};
    /// Serializes.
    pub fn serialize<S: Serializer>(v: &f32, s: S) -> Result<S::Ok, S::Error> {
        super::write(f64::from(*v), s)
    }
    /// Deserializes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
        Ok(super::read(d)?.unwrap_or_default() as f32)
    }
}
