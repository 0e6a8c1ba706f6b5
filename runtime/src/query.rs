//! The query protocol's request bodies (feature `query`): `Action=…&Version=…` and the input's
//! members as form parameters, named as botocore names them.
//!
//! A structure member is `Prefix.Name`; a list is `Name.member.N` (`Name.N` when flattened, the
//! member's own name replacing `Name` when it has one), an empty list `Name=`; a map is
//! `Name.entry.N.key` / `.value` (`Name.N.…` when flattened), its entries sorted by key; timestamps
//! are ISO 8601 unless the member says otherwise, blobs base64, booleans `true`/`false`. Generated
//! structures implement [`QueryValue`] with one [`Writer`] call per member.

use crate::types::IndexMap;
use crate::types::{Blob, DateTime, StringEnum};
use bytes::Bytes;

/// The form parameters of a request, in order.
#[derive(Debug, Default)]
pub struct Writer {
    pairs: Vec<(String, String)>,
}

/// How a list member is written. The default is the query protocol's usual `Name.member.N`.
#[derive(Clone, Copy, Debug, Default)]
pub struct ListStyle {
    /// The list member's own name (`locationName`), if it has one.
    pub member: Option<&'static str>,
    /// Flattened: elements are `Name.N` rather than `Name.member.N`.
    pub flattened: bool,
    /// The ec2 protocol's lists: always `Name.N`, and an empty list writes nothing.
    pub ec2: bool,
}

/// How a map member is written.
#[derive(Clone, Copy, Debug)]
pub struct MapStyle {
    /// The key's name (`key` unless the model renames it).
    pub key: &'static str,
    /// The value's name (`value` unless the model renames it).
    pub value: &'static str,
    /// Flattened: entries are `Name.N.key` rather than `Name.entry.N.key`.
    pub flattened: bool,
}

impl Default for MapStyle {
    fn default() -> Self {
        MapStyle { key: "key", value: "value", flattened: false }
    }
}

pub use crate::encoding::{format_float, format_timestamp, TimestampFormat};

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

impl Writer {
    /// A body for `action` of API `version`.
    pub fn new(action: &str, version: &str) -> Self {
        Writer { pairs: vec![("Action".into(), action.into()), ("Version".into(), version.into())] }
    }

    /// Adds one parameter.
    pub fn pair(&mut self, key: String, value: String) {
        self.pairs.push((key, value));
    }

    /// A member, when set.
    pub fn field<T: QueryValue + ?Sized>(&mut self, prefix: &str, name: &str, value: Option<&T>) {
        if let Some(v) = value {
            v.write(self, &join(prefix, name));
        }
    }

    /// A timestamp member in a format of its own.
    pub fn timestamp(&mut self, prefix: &str, name: &str, value: Option<&DateTime>, format: TimestampFormat) {
        if let Some(t) = value {
            self.pair(join(prefix, name), format_timestamp(t, format));
        }
    }

    /// A list member, when set.
    pub fn list<T: QueryValue>(&mut self, prefix: &str, name: &str, value: Option<&Vec<T>>, style: ListStyle) {
        if let Some(items) = value {
            self.write_list(&join(prefix, name), items, style);
        }
    }

    fn write_list<T: QueryValue>(&mut self, key: &str, items: &[T], style: ListStyle) {
        if style.ec2 {
            for (i, item) in items.iter().enumerate() {
                item.write(self, &format!("{key}.{}", i + 1));
            }
            return;
        }
        if items.is_empty() {
            self.pair(key.to_string(), String::new());
            return;
        }
        let base = match (style.flattened, style.member) {
            (false, member) => format!("{key}.{}", member.unwrap_or("member")),
            (true, None) => key.to_string(),
            // A flattened list whose member has a name of its own: the name replaces the last part.
            (true, Some(member)) => match key.rsplit_once('.') {
                Some((parent, _)) => format!("{parent}.{member}"),
                None => member.to_string(),
            },
        };
        for (i, item) in items.iter().enumerate() {
            item.write(self, &format!("{base}.{}", i + 1));
        }
    }

    /// A map member, when set; entries in the map's order.
    pub fn map<K: AsRef<str>, V: QueryValue>(
        &mut self,
        prefix: &str,
        name: &str,
        value: Option<&IndexMap<K, V>>,
        style: MapStyle,
    ) {
        if let Some(map) = value {
            self.write_map(&join(prefix, name), map, style);
        }
    }

    fn write_map<K: AsRef<str>, V: QueryValue>(&mut self, key: &str, map: &IndexMap<K, V>, style: MapStyle) {
        let base = if style.flattened { key.to_string() } else { format!("{key}.entry") };
        for (i, (k, v)) in map.iter().enumerate() {
            self.pair(format!("{base}.{}.{}", i + 1, style.key), k.as_ref().to_string());
            v.write(self, &format!("{base}.{}.{}", i + 1, style.value));
        }
    }

    /// The `application/x-www-form-urlencoded` body.
    pub fn into_body(self) -> Bytes {
        let mut out = String::new();
        for (i, (k, v)) in self.pairs.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            crate::encoding::percent_encode(k, false, &mut out);
            out.push('=');
            crate::encoding::percent_encode(v, false, &mut out);
        }
        Bytes::from(out)
    }
}

/// A value written as form parameters under a key (generated for structures).
pub trait QueryValue {
    /// Writes the value under `key`.
    fn write(&self, w: &mut Writer, key: &str);
}

impl QueryValue for str {
    fn write(&self, w: &mut Writer, key: &str) {
        w.pair(key.to_string(), self.to_string());
    }
}

impl QueryValue for String {
    fn write(&self, w: &mut Writer, key: &str) {
        w.pair(key.to_string(), self.clone());
    }
}

impl QueryValue for bool {
    fn write(&self, w: &mut Writer, key: &str) {
        w.pair(key.to_string(), if *self { "true" } else { "false" }.to_string());
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl QueryValue for $t {
            fn write(&self, w: &mut Writer, key: &str) {
                w.pair(key.to_string(), self.to_string());
            }
        }
    )*};
}
integers!(i8, i16, i32, i64);

impl QueryValue for f64 {
    fn write(&self, w: &mut Writer, key: &str) {
        w.pair(key.to_string(), format_float(*self));
    }
}

impl QueryValue for f32 {
    fn write(&self, w: &mut Writer, key: &str) {
        // Through the shortest text of the f32, so 10.8f32 is `10.8`, not its f64 widening.
        let v: f64 = self.to_string().parse().unwrap_or(f64::from(*self));
        w.pair(key.to_string(), format_float(v));
    }
}

impl QueryValue for Blob {
    fn write(&self, w: &mut Writer, key: &str) {
        use base64::Engine as _;
        w.pair(key.to_string(), base64::engine::general_purpose::STANDARD.encode(self.as_bytes()));
    }
}

impl QueryValue for DateTime {
    fn write(&self, w: &mut Writer, key: &str) {
        w.pair(key.to_string(), format_timestamp(self, TimestampFormat::Iso8601));
    }
}

impl<T: StringEnum> QueryValue for T {
    fn write(&self, w: &mut Writer, key: &str) {
        w.pair(key.to_string(), self.as_ref().to_string());
    }
}

impl<T: QueryValue> QueryValue for Vec<T> {
    /// A list inside a list or map: `member`-named, not flattened.
    fn write(&self, w: &mut Writer, key: &str) {
        w.write_list(key, self, ListStyle::default());
    }
}

impl<K: AsRef<str>, V: QueryValue> QueryValue for IndexMap<K, V> {
    /// A map inside a list or map: `entry`/`key`/`value`.
    fn write(&self, w: &mut Writer, key: &str) {
        w.write_map(key, self, MapStyle::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Nested {
        name: Option<String>,
        tags: Option<Vec<String>>,
    }

    impl QueryValue for Nested {
        fn write(&self, w: &mut Writer, key: &str) {
            w.field(key, "Name", self.name.as_ref());
            w.list(key, "Tags", self.tags.as_ref(), ListStyle::default());
        }
    }

    #[test]
    fn bodies_follow_botocore_naming() {
        let mut w = Writer::new("Op", "2020-01-08");
        let nested = Nested { name: Some("a b".into()), tags: Some(vec!["x".into()]) };
        w.field("", "Nested", Some(&nested));
        w.list("", "Empty", Some(&Vec::<String>::new()), ListStyle::default());
        w.list("", "Flat", Some(&vec![1, 2]), ListStyle { member: None, flattened: true, ec2: false });
        w.list("", "FlatNamed", Some(&vec![true]), ListStyle { member: Some("Hi"), flattened: true, ec2: false });
        w.list("", "Ec2", Some(&vec![7]), ListStyle { member: Some("item"), flattened: false, ec2: true });
        w.list("", "Ec2Empty", Some(&Vec::<i32>::new()), ListStyle { ec2: true, ..ListStyle::default() });
        let map = IndexMap::from([("foo".to_string(), "Foo".to_string()), ("bar".to_string(), "Bar".to_string())]);
        w.map("", "M", Some(&map), MapStyle::default());
        w.map("", "F", Some(&map), MapStyle { key: "K", value: "V", flattened: true });
        w.map("", "E", Some(&IndexMap::<String, String>::new()), MapStyle::default());
        w.field("", "B", Some(&Blob::from("value")));
        w.field("", "T", Some(&DateTime::from_secs(1_422_172_800)));
        w.timestamp("", "U", Some(&DateTime::from_secs(1_422_172_800)), TimestampFormat::EpochSeconds);
        assert_eq!(
            String::from_utf8(w.into_body().to_vec()).unwrap(),
            "Action=Op&Version=2020-01-08&Nested.Name=a%20b&Nested.Tags.member.1=x&Empty=&Flat.1=1&Flat.2=2\
             &Hi.1=true&Ec2.1=7&M.entry.1.key=foo&M.entry.1.value=Foo&M.entry.2.key=bar&M.entry.2.value=Bar\
             &F.1.K=foo&F.1.V=Foo&F.2.K=bar&F.2.V=Bar&B=dmFsdWU%3D&T=2015-01-25T08%3A00%3A00Z&U=1422172800"
        );
    }

    #[test]
    fn floats_and_timestamps_print_as_python_does() {
        assert_eq!(format_float(10.8), "10.8");
        assert_eq!(format_float(1.0), "1.0");
        assert_eq!(format_float(-0.5), "-0.5");
        assert_eq!(format_float(1e20), "1e+20");
        assert_eq!(format_float(1.5e-7), "1.5e-07");
        assert_eq!(format_float(f64::NEG_INFINITY), "-Infinity");
        let t = DateTime::from_secs_and_nanos(1_422_172_800, 123_000_000);
        assert_eq!(format_timestamp(&t, TimestampFormat::Iso8601), "2015-01-25T08:00:00.123000Z");
    }
}
