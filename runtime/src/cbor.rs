//! CBOR (RFC 8949) for the smithy-rpc-v2-cbor protocol (feature `cbor`): a value tree, a decoder
//! that takes what the protocol allows (definite and indefinite lengths, half/single/double floats,
//! tags) and refuses anything malformed or nested deeper than 128 levels without panicking, an
//! encoder, and [`ToCbor`]/[`FromCbor`], the codecs generated per structure.

use crate::types::IndexMap;
use crate::types::{Blob, DateTime};
use std::fmt;
use std::hash::Hash;

/// The deepest nesting decoded.
const MAX_DEPTH: usize = 128;

/// A CBOR data item.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `undefined`.
    Undefined,
    /// A boolean.
    Bool(bool),
    /// An integer (major types 0 and 1).
    Int(i128),
    /// A float of any width.
    Float(f64),
    /// A byte string.
    Bytes(Vec<u8>),
    /// A text string.
    Text(String),
    /// An array.
    Array(Vec<Value>),
    /// A map, in document order.
    Map(Vec<(Value, Value)>),
    /// A tagged item.
    Tag(u64, Box<Value>),
}

/// A document or value that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CborError(pub String);

impl fmt::Display for CborError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CborError {}

fn err(what: impl Into<String>) -> CborError {
    CborError(what.into())
}

struct Decoder<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// Decodes one data item that must fill `bytes`.
pub fn decode(bytes: &[u8]) -> Result<Value, CborError> {
    let mut d = Decoder { bytes, pos: 0 };
    let v = d.item(0)?;
    if d.pos != bytes.len() {
        return Err(err(format!("invalid CBOR: {} bytes after the data item", bytes.len() - d.pos)));
    }
    Ok(v)
}

/// Half-precision bits as an `f64`.
fn half(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((bits >> 10) & 0x1f);
    let frac = f64::from(bits & 0x3ff);
    sign * match exp {
        0 => frac * 2f64.powi(-24),
        31 if frac == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        e => (1.0 + frac / 1024.0) * 2f64.powi(e - 15),
    }
}

impl Decoder<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], CborError> {
        let end =
            self.pos.checked_add(n).filter(|e| *e <= self.bytes.len()).ok_or_else(|| err("invalid CBOR: truncated"))?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn byte(&mut self) -> Result<u8, CborError> {
        Ok(self.take(1)?[0])
    }

    /// The argument of an initial byte; `None` for an indefinite length.
    fn argument(&mut self, info: u8) -> Result<Option<u64>, CborError> {
        Ok(Some(match info {
            0..=23 => u64::from(info),
            24 => u64::from(self.byte()?),
            25 => u64::from(u16::from_be_bytes([self.byte()?, self.byte()?])),
            26 => u64::from(u32::from_be_bytes(self.take(4)?.try_into().map_err(|_| err("invalid CBOR"))?)),
            27 => u64::from_be_bytes(self.take(8)?.try_into().map_err(|_| err("invalid CBOR"))?),
            31 => return Ok(None),
            _ => return Err(err(format!("invalid CBOR: reserved additional information {info}"))),
        }))
    }

    fn length(&mut self, n: u64) -> Result<usize, CborError> {
        let n = usize::try_from(n).map_err(|_| err("invalid CBOR: length too large"))?;
        // Every element takes at least one byte: a length beyond the input is malformed, and
        // refusing it here keeps a hostile length from reserving memory.
        if n > self.bytes.len() - self.pos {
            return Err(err("invalid CBOR: a length beyond the end of the input"));
        }
        Ok(n)
    }

    fn is_break(&self) -> bool {
        self.bytes.get(self.pos) == Some(&0xff)
    }

    /// The chunks of an indefinite-length string of `major`.
    fn chunks(&mut self, major: u8) -> Result<Vec<u8>, CborError> {
        let mut out = Vec::new();
        while !self.is_break() {
            let b = self.byte()?;
            if b >> 5 != major {
                return Err(err("invalid CBOR: a chunk of another type in an indefinite string"));
            }
            let n = self.argument(b & 0x1f)?.ok_or_else(|| err("invalid CBOR: nested indefinite string"))?;
            let n = self.length(n)?;
            out.extend_from_slice(self.take(n)?);
        }
        self.pos += 1;
        Ok(out)
    }

    fn item(&mut self, depth: usize) -> Result<Value, CborError> {
        if depth > MAX_DEPTH {
            return Err(err(format!("CBOR nests deeper than {MAX_DEPTH} levels")));
        }
        let b = self.byte()?;
        let (major, info) = (b >> 5, b & 0x1f);
        match major {
            0 => Ok(Value::Int(i128::from(self.argument(info)?.ok_or_else(|| err("invalid CBOR"))?))),
            1 => Ok(Value::Int(-1 - i128::from(self.argument(info)?.ok_or_else(|| err("invalid CBOR"))?))),
            2 | 3 => {
                let bytes = match self.argument(info)? {
                    Some(n) => {
                        let n = self.length(n)?;
                        self.take(n)?.to_vec()
                    }
                    None => self.chunks(major)?,
                };
                if major == 2 {
                    Ok(Value::Bytes(bytes))
                } else {
                    String::from_utf8(bytes).map(Value::Text).map_err(|_| err("invalid CBOR: text is not UTF-8"))
                }
            }
            4 => {
                let mut items = Vec::new();
                match self.argument(info)? {
                    Some(n) => {
                        for _ in 0..self.length(n)? {
                            items.push(self.item(depth + 1)?);
                        }
                    }
                    None => {
                        while !self.is_break() {
                            items.push(self.item(depth + 1)?);
                        }
                        self.pos += 1;
                    }
                }
                Ok(Value::Array(items))
            }
            5 => {
                let mut entries = Vec::new();
                match self.argument(info)? {
                    Some(n) => {
                        for _ in 0..self.length(n)? {
                            let k = self.item(depth + 1)?;
                            entries.push((k, self.item(depth + 1)?));
                        }
                    }
                    None => {
                        while !self.is_break() {
                            let k = self.item(depth + 1)?;
                            entries.push((k, self.item(depth + 1)?));
                        }
                        self.pos += 1;
                    }
                }
                Ok(Value::Map(entries))
            }
            6 => {
                let tag = self.argument(info)?.ok_or_else(|| err("invalid CBOR: indefinite tag"))?;
                Ok(Value::Tag(tag, Box::new(self.item(depth + 1)?)))
            }
            _ => match info {
                20 => Ok(Value::Bool(false)),
                21 => Ok(Value::Bool(true)),
                22 => Ok(Value::Null),
                23 => Ok(Value::Undefined),
                25 => Ok(Value::Float(half(u16::from_be_bytes([self.byte()?, self.byte()?])))),
                26 => {
                    let b: [u8; 4] = self.take(4)?.try_into().map_err(|_| err("invalid CBOR"))?;
                    Ok(Value::Float(f64::from(f32::from_be_bytes(b))))
                }
                27 => {
                    let b: [u8; 8] = self.take(8)?.try_into().map_err(|_| err("invalid CBOR"))?;
                    Ok(Value::Float(f64::from_be_bytes(b)))
                }
                other => Err(err(format!("invalid CBOR: simple value {other}"))),
            },
        }
    }
}

fn head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    if n < 24 {
        out.push(m | n as u8);
    } else if n <= 0xff {
        out.extend_from_slice(&[m | 24, n as u8]);
    } else if n <= 0xffff {
        out.push(m | 25);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else if n <= 0xffff_ffff {
        out.push(m | 26);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    } else {
        out.push(m | 27);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

/// Encodes a value (definite lengths; integers in their shortest form; floats as doubles).
pub fn encode(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.push(0xf6),
        Value::Undefined => out.push(0xf7),
        Value::Bool(b) => out.push(if *b { 0xf5 } else { 0xf4 }),
        Value::Int(i) if *i >= 0 => head(out, 0, u64::try_from(*i).unwrap_or(u64::MAX)),
        Value::Int(i) => head(out, 1, u64::try_from(-1 - *i).unwrap_or(u64::MAX)),
        Value::Float(f) => {
            out.push(0xfb);
            out.extend_from_slice(&f.to_be_bytes());
        }
        Value::Bytes(b) => {
            head(out, 2, b.len() as u64);
            out.extend_from_slice(b);
        }
        Value::Text(t) => {
            head(out, 3, t.len() as u64);
            out.extend_from_slice(t.as_bytes());
        }
        Value::Array(items) => {
            head(out, 4, items.len() as u64);
            for i in items {
                encode(i, out);
            }
        }
        Value::Map(entries) => {
            head(out, 5, entries.len() as u64);
            for (k, v) in entries {
                encode(k, out);
                encode(v, out);
            }
        }
        Value::Tag(t, v) => {
            head(out, 6, *t);
            encode(v, out);
        }
    }
}

/// Whether two values are the same data: maps compared without regard to entry order, floats by
/// value (NaN equal to NaN) — how tests compare CBOR bodies.
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x == y || (x.is_nan() && y.is_nan()),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_value(a, b)),
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.iter().any(|(k2, v2)| same_value(k, k2) && same_value(v, v2)))
        }
        (Value::Tag(t, x), Value::Tag(u, y)) => t == u && same_value(x, y),
        _ => a == b,
    }
}

/// A value written as CBOR (generated for structures).
pub trait ToCbor {
    /// The value.
    fn to_cbor(&self) -> Value;
}

/// A value read from CBOR (generated for structures).
pub trait FromCbor: Sized {
    /// Reads `v`.
    fn from_cbor(v: &Value) -> Result<Self, CborError>;
}

fn wrong(what: &str, v: &Value) -> CborError {
    err(format!("expected {what}, found {v:?}"))
}

impl ToCbor for String {
    fn to_cbor(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl FromCbor for String {
    fn from_cbor(v: &Value) -> Result<Self, CborError> {
        match v {
            Value::Text(t) => Ok(t.clone()),
            other => Err(wrong("text", other)),
        }
    }
}

impl ToCbor for bool {
    fn to_cbor(&self) -> Value {
        Value::Bool(*self)
    }
}

impl FromCbor for bool {
    fn from_cbor(v: &Value) -> Result<Self, CborError> {
        match v {
            Value::Bool(b) => Ok(*b),
            other => Err(wrong("a boolean", other)),
        }
    }
}

macro_rules! cbor_integers {
    ($($t:ty),*) => {$(
        impl ToCbor for $t {
            fn to_cbor(&self) -> Value {
                Value::Int(i128::from(*self))
            }
        }

        impl FromCbor for $t {
            fn from_cbor(v: &Value) -> Result<Self, CborError> {
                match v {
                    Value::Int(i) => <$t>::try_from(*i).map_err(|_| err(format!("{i} is out of range"))),
                    other => Err(wrong("an integer", other)),
                }
            }
        }
    )*};
}
cbor_integers!(i8, i16, i32, i64);

impl ToCbor for f64 {
    fn to_cbor(&self) -> Value {
        Value::Float(*self)
    }
}

impl FromCbor for f64 {
    fn from_cbor(v: &Value) -> Result<Self, CborError> {
        match v {
            Value::Float(f) => Ok(*f),
            Value::Int(i) => Ok(*i as f64),
            other => Err(wrong("a number", other)),
        }
    }
}

impl ToCbor for f32 {
    fn to_cbor(&self) -> Value {
        Value::Float(f64::from(*self))
    }
}

impl FromCbor for f32 {
    fn from_cbor(v: &Value) -> Result<Self, CborError> {
        f64::from_cbor(v).map(|f| f as f32)
    }
}

impl ToCbor for Blob {
    fn to_cbor(&self) -> Value {
        Value::Bytes(self.as_bytes().to_vec())
    }
}

impl FromCbor for Blob {
    fn from_cbor(v: &Value) -> Result<Self, CborError> {
        match v {
            Value::Bytes(b) => Ok(Blob::from(b.clone())),
            other => Err(wrong("a byte string", other)),
        }
    }
}

impl ToCbor for DateTime {
    /// Tag 1 over epoch seconds as a double, as botocore writes it.
    fn to_cbor(&self) -> Value {
        Value::Tag(1, Box::new(Value::Float(self.as_secs_f64())))
    }
}

impl FromCbor for DateTime {
    fn from_cbor(v: &Value) -> Result<Self, CborError> {
        let inner = match v {
            Value::Tag(1, inner) => &**inner,
            other => other,
        };
        match inner {
            Value::Int(i) => i64::try_from(*i).map(DateTime::from_secs).map_err(|_| err("timestamp out of range")),
            // To the microsecond, as botocore reads it: a double cannot hold nanoseconds exactly.
            Value::Float(f) if f.is_finite() => {
                let micros = (f * 1e6).round();
                let secs = (micros / 1e6).floor();
                let nanos = ((micros - secs * 1e6) as u32).min(999_999) * 1000;
                Ok(DateTime::from_secs_and_nanos(secs as i64, nanos))
            }
            other => Err(wrong("a timestamp", other)),
        }
    }
}

impl<T: crate::types::StringEnum> ToCbor for T {
    fn to_cbor(&self) -> Value {
        Value::Text(self.as_ref().to_string())
    }
}

impl<T: crate::types::StringEnum> FromCbor for T {
    fn from_cbor(v: &Value) -> Result<Self, CborError> {
        match v {
            Value::Text(t) => Ok(T::from(t.as_str())),
            other => Err(wrong("text", other)),
        }
    }
}

impl<T: ToCbor> ToCbor for Vec<T> {
    fn to_cbor(&self) -> Value {
        Value::Array(self.iter().map(ToCbor::to_cbor).collect())
    }
}

impl<T: FromCbor> FromCbor for Vec<T> {
    fn from_cbor(v: &Value) -> Result<Self, CborError> {
        match v {
            Value::Array(items) => items.iter().map(T::from_cbor).collect(),
            other => Err(wrong("an array", other)),
        }
    }
}

impl<K: AsRef<str>, V: ToCbor> ToCbor for IndexMap<K, V> {
    fn to_cbor(&self) -> Value {
        Value::Map(self.iter().map(|(k, v)| (Value::Text(k.as_ref().to_string()), v.to_cbor())).collect())
    }
}

impl<K: FromCbor + Eq + Hash, V: FromCbor> FromCbor for IndexMap<K, V> {
    /// A map; entries whose value is null are left out (a sparse map's holes).
    fn from_cbor(v: &Value) -> Result<Self, CborError> {
        match v {
            Value::Map(entries) => entries
                .iter()
                .filter(|(_, v)| *v != Value::Null)
                .map(|(k, v)| Ok((K::from_cbor(k)?, V::from_cbor(v)?)))
                .collect(),
            other => Err(wrong("a map", other)),
        }
    }
}

/// A structure's map entries by key, for generated `FromCbor` impls: `(key, value)` pairs whose value
/// is not null.
pub fn fields(v: &Value) -> Result<impl Iterator<Item = (&str, &Value)>, CborError> {
    match v {
        Value::Map(entries) => Ok(entries.iter().filter_map(|(k, v)| match (k, v) {
            (_, Value::Null) => None,
            (Value::Text(k), v) => Some((k.as_str(), v)),
            _ => None,
        })),
        other => Err(wrong("a map", other)),
    }
}

/// Builds a structure's map, for generated `ToCbor` impls: members that are set.
#[derive(Debug, Default)]
pub struct MapBuilder {
    entries: Vec<(Value, Value)>,
}

impl MapBuilder {
    /// Adds a member when set.
    pub fn field<T: ToCbor + ?Sized>(&mut self, name: &str, value: Option<&T>) {
        if let Some(v) = value {
            self.entries.push((Value::Text(name.to_string()), v.to_cbor()));
        }
    }

    /// The map.
    pub fn finish(self) -> Value {
        Value::Map(self.entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_of_every_kind_decode() {
        // {_ "a": [_ 1, -2, 1.5(half), "x"], "b": h'0102', "t": 1(1.5e9)} written by hand.
        let mut doc = vec![0xbf, 0x61, b'a', 0x9f, 0x01, 0x21, 0xf9, 0x3e, 0x00, 0x61, b'x', 0xff];
        doc.extend_from_slice(&[0x61, b'b', 0x42, 1, 2, 0x61, b't', 0xc1, 0xfa]);
        doc.extend_from_slice(&1.5e9f32.to_be_bytes());
        doc.push(0xff);
        let v = decode(&doc).unwrap();
        let Value::Map(entries) = &v else { panic!("{v:?}") };
        assert_eq!(
            entries[0].1,
            Value::Array(vec![Value::Int(1), Value::Int(-2), Value::Float(1.5), Value::Text("x".into())])
        );
        assert_eq!(entries[1].1, Value::Bytes(vec![1, 2]));
        assert_eq!(DateTime::from_cbor(&entries[2].1).unwrap().secs(), 1_500_000_000);
        let mut out = Vec::new();
        encode(&v, &mut out);
        assert!(same_value(&decode(&out).unwrap(), &v), "re-encoded definite form is the same data");
    }

    #[test]
    fn malformed_and_hostile_input_is_an_error() {
        for bad in [
            &[][..],
            &[0x18],
            &[0x62, b'a'],
            &[0x9f, 0x01],
            &[0xbf, 0x61],
            &[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            &[0x01, 0x02],
            &[0xfc],
            &[0x1c],
        ] {
            assert!(decode(bad).is_err(), "{bad:?}");
        }
        let deep = vec![0x81; 1000];
        assert!(decode(&deep).unwrap_err().0.contains("deeper"));
        assert!(half(0x7c00).is_infinite() && half(0x7e00).is_nan() && half(0x0001) > 0.0);
    }
}
