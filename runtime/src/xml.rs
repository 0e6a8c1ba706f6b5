//! XML (feature `xml`): a small element tree read with quick-xml and [`FromXml`], the decoding
//! every generated structure of an XML protocol implements from its model; a [`Writer`] and
//! [`ToXml`], the encoding of rest-xml request bodies.
//!
//! The AWS XML protocols need little of XML: elements, their text, attributes. Names are compared
//! without their namespace prefix (`xsi:type` is `type`), namespaces are otherwise ignored, as
//! botocore ignores them. A document deeper than 256 elements is refused rather than recursed into.

use crate::types::{Blob, DateTime, IndexMap};
use quick_xml::events::Event;
use std::fmt;
use std::hash::Hash;

/// The deepest nesting read.
const MAX_DEPTH: usize = 256;

/// One element: its local name, attributes, text and children.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Element {
    /// The name without a namespace prefix.
    pub name: String,
    /// Attributes (local names), in document order.
    pub attributes: Vec<(String, String)>,
    /// The text directly inside, unescaped (CDATA included).
    pub text: String,
    /// Child elements, in document order.
    pub children: Vec<Element>,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the first child named `name`.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }

    /// An attribute's value.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// An XML document or value that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XmlError(pub String);

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for XmlError {}

fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    match name.rsplit_once(':') {
        Some((_, local)) => local.to_string(),
        None => name.into_owned(),
    }
}

/// Parses a document into its root element.
pub fn parse(bytes: &[u8]) -> Result<Element, XmlError> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut stack: Vec<Element> = Vec::new();
    let bad = |e: &dyn fmt::Display| XmlError(format!("invalid XML: {e}"));
    let open = |e: &quick_xml::events::BytesStart<'_>| -> Result<Element, XmlError> {
        let mut attributes = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(|e| bad(&e))?;
            let value = a.unescape_value().map_err(|e| bad(&e))?.into_owned();
            attributes.push((local(a.key.as_ref()), value));
        }
        Ok(Element { name: local(e.name().as_ref()), attributes, ..Element::default() })
    };
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| bad(&e))?;
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError(format!("the document nests deeper than {MAX_DEPTH} elements")));
                }
                stack.push(open(&e)?);
            }
            Event::Empty(e) => {
                let el = open(&e)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Ok(el),
                }
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else {
                    return Err(XmlError("invalid XML: an end tag closes nothing".into()));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Ok(el),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.unescape().map_err(|e| bad(&e))?);
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&String::from_utf8_lossy(&t.into_inner()));
                }
            }
            Event::Eof => return Err(XmlError("invalid XML: the document has no complete root element".into())),
            _ => {}
        }
        buf.clear();
    }
}

/// A value decoded from an element (generated for structures; provided for scalars, string
/// enums, lists and maps through the helpers below).
pub trait FromXml: Sized {
    /// Decodes the value `el` holds.
    fn from_xml(el: &Element) -> Result<Self, XmlError>;

    /// Decodes a list or map laid out as `layout` says (a collection inside a list or map whose
    /// element names the model renames); any other value ignores the layout.
    fn from_xml_as(el: &Element, layout: Option<&Layout<'_>>) -> Result<Self, XmlError> {
        let _ = layout;
        Self::from_xml(el)
    }
}

fn number<T: std::str::FromStr>(el: &Element, what: &str) -> Result<T, XmlError> {
    el.text.trim().parse().map_err(|_| XmlError(format!("<{}>: `{}` is not {what}", el.name, el.text.trim())))
}

impl FromXml for String {
    fn from_xml(el: &Element) -> Result<Self, XmlError> {
        Ok(el.text.clone())
    }
}

impl FromXml for bool {
    fn from_xml(el: &Element) -> Result<Self, XmlError> {
        match el.text.trim() {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(XmlError(format!("<{}>: `{other}` is not a boolean", el.name))),
        }
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl FromXml for $t {
            fn from_xml(el: &Element) -> Result<Self, XmlError> {
                number(el, "an integer")
            }
        }
    )*};
}
integers!(i8, i16, i32, i64);

macro_rules! floats {
    ($($t:ty),*) => {$(
        impl FromXml for $t {
            fn from_xml(el: &Element) -> Result<Self, XmlError> {
                match el.text.trim() {
                    "NaN" => Ok(<$t>::NAN),
                    "Infinity" => Ok(<$t>::INFINITY),
                    "-Infinity" => Ok(<$t>::NEG_INFINITY),
                    _ => number(el, "a number"),
                }
            }
        }
    )*};
}
floats!(f32, f64);

impl FromXml for Blob {
    fn from_xml(el: &Element) -> Result<Self, XmlError> {
        use base64::Engine as _;
        let text: String = el.text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map(Blob::from)
            .map_err(|_| XmlError(format!("<{}>: not base64", el.name)))
    }
}

impl FromXml for DateTime {
    /// ISO 8601 (the XML protocols' default), or epoch seconds, or an HTTP-date: whichever the
    /// text is, as botocore accepts.
    fn from_xml(el: &Element) -> Result<Self, XmlError> {
        let t = el.text.trim();
        DateTime::parse_iso8601(t)
            .or_else(|_| DateTime::parse_epoch(t))
            .or_else(|_| DateTime::parse_http_date(t))
            .map_err(|_| XmlError(format!("<{}>: `{t}` is not a timestamp", el.name)))
    }
}

impl<T: crate::types::StringEnum> FromXml for T {
    fn from_xml(el: &Element) -> Result<Self, XmlError> {
        Ok(T::from(el.text.as_str()))
    }
}

impl<T: FromXml> FromXml for Vec<T> {
    /// A list inside a list or map: `member` elements, unless `layout` renames them.
    fn from_xml(el: &Element) -> Result<Self, XmlError> {
        list(el, "member", None)
    }

    fn from_xml_as(el: &Element, layout: Option<&Layout<'_>>) -> Result<Self, XmlError> {
        match layout {
            Some(Layout::List(l)) => list(el, l.member.unwrap_or("member"), l.inner),
            _ => Self::from_xml(el),
        }
    }
}

impl<K: FromXml + Eq + Hash, V: FromXml> FromXml for IndexMap<K, V> {
    /// A map inside a list or map: `entry`/`key`/`value`, unless `layout` renames them.
    fn from_xml(el: &Element) -> Result<Self, XmlError> {
        map(el, "key", "value", None)
    }

    fn from_xml_as(el: &Element, layout: Option<&Layout<'_>>) -> Result<Self, XmlError> {
        match layout {
            Some(Layout::Map(m)) => map(el, m.key, m.value, m.inner),
            _ => Self::from_xml(el),
        }
    }
}

/// A wrapped list: the children of `el` named `member` (`<Tags><member>…</member></Tags>`), each
/// a collection laid out as `inner` says when it is one.
pub fn list<T: FromXml>(el: &Element, member: &str, inner: Option<&Layout<'_>>) -> Result<Vec<T>, XmlError> {
    el.children.iter().filter(|c| c.name == member).map(|c| T::from_xml_as(c, inner)).collect()
}

/// One map entry: the `key` and `value` children of `entry` (the value a collection laid out as
/// `inner` says, when it is one).
pub fn entry<K: FromXml + Eq + Hash, V: FromXml>(
    entry: &Element,
    key: &str,
    value: &str,
    inner: Option<&Layout<'_>>,
    map: &mut IndexMap<K, V>,
) -> Result<(), XmlError> {
    let k = entry.child(key).ok_or_else(|| XmlError(format!("<{}>: a map entry without <{key}>", entry.name)))?;
    let k = K::from_xml(k)?;
    let v = match (inner, entry.child(value)) {
        // A flattened list or map as the value: each of its elements is a `value` element.
        (Some(Layout::List(l)), _) if l.flattened => {
            let unwrapped = ListXml { member: Some(value), flattened: false, ..*l };
            V::from_xml_as(&gathered(entry, value, value), Some(&Layout::List(unwrapped)))?
        }
        (Some(Layout::Map(m)), _) if m.flattened => {
            V::from_xml_as(&gathered(entry, value, "entry"), Some(&Layout::Map(MapXml { flattened: false, ..*m })))?
        }
        (_, Some(v)) => V::from_xml_as(v, inner)?,
        (_, None) => V::from_xml_as(&Element::default(), inner)?,
    };
    map.insert(k, v);
    Ok(())
}

/// The children of `el` named `name`, renamed `as_name`, as the children of one element: the
/// wrapped form of a flattened collection, which a [`Layout`] then reads.
fn gathered(el: &Element, name: &str, as_name: &str) -> Element {
    let children = el.children.iter().filter(|c| c.name == name);
    let children = children.map(|c| Element { name: as_name.into(), ..c.clone() });
    Element { name: name.into(), children: children.collect(), ..Element::default() }
}

/// A wrapped map: `<M><entry><key>…</key><value>…</value></entry>…</M>`.
pub fn map<K: FromXml + Eq + Hash, V: FromXml>(
    el: &Element,
    key: &str,
    value: &str,
    inner: Option<&Layout<'_>>,
) -> Result<IndexMap<K, V>, XmlError> {
    let mut out = IndexMap::new();
    for e in el.children.iter().filter(|c| c.name == "entry") {
        entry(e, key, value, inner, &mut out)?;
    }
    Ok(out)
}

/// Writes an XML document.
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
}

fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

impl Writer {
    /// Opens `<name attr="value"…>`.
    pub fn start(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attributes {
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            escape(v, &mut self.out);
            self.out.push('"');
        }
        self.out.push('>');
    }

    /// Closes `</name>`.
    pub fn end(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Text, escaped.
    pub fn text(&mut self, text: &str) {
        escape(text, &mut self.out);
    }

    /// `<name …>text</name>`.
    pub fn element(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) {
        self.start(name, attributes);
        self.text(text);
        self.end(name);
    }

    /// A member, when set.
    pub fn field<T: ToXml + ?Sized>(&mut self, name: &str, attributes: &[(&str, &str)], value: Option<&T>) {
        if let Some(v) = value {
            v.write_xml(self, name, attributes);
        }
    }

    /// A timestamp member in a format of its own.
    pub fn timestamp(&mut self, name: &str, value: Option<&DateTime>, format: crate::encoding::TimestampFormat) {
        if let Some(t) = value {
            self.element(name, &[], &crate::encoding::format_timestamp(t, format));
        }
    }

    /// A list member: `<name><member>…</member></name>`, or each element as `<name>` when
    /// flattened.
    pub fn list<T: ToXml>(
        &mut self,
        name: &str,
        attributes: &[(&str, &str)],
        value: Option<&Vec<T>>,
        style: ListXml<'_>,
    ) {
        let Some(items) = value else { return };
        if style.flattened {
            for item in items {
                item.write_xml_as(self, name, attributes, style.inner);
            }
            return;
        }
        self.start(name, attributes);
        for item in items {
            item.write_xml_as(self, style.member.unwrap_or("member"), style.member_attributes, style.inner);
        }
        self.end(name);
    }

    /// A map member: `<name><entry><key>…</key><value>…</value></entry>…</name>`, entries in the
    /// map's order.
    pub fn map<K: AsRef<str>, V: ToXml>(
        &mut self,
        name: &str,
        attributes: &[(&str, &str)],
        value: Option<&IndexMap<K, V>>,
        style: MapXml<'_>,
    ) {
        let Some(map) = value else { return };
        if !style.flattened {
            self.start(name, attributes);
        }
        for (k, v) in map {
            // Flattened: each entry is an element of the member's name, no `<entry>`.
            let entry = if style.flattened { name } else { "entry" };
            self.start(entry, if style.flattened { attributes } else { &[] });
            self.element(style.key, style.key_attributes, k.as_ref());
            v.write_xml_as(self, style.value, style.value_attributes, style.inner);
            self.end(entry);
        }
        if !style.flattened {
            self.end(name);
        }
    }

    /// The document.
    pub fn finish(self) -> String {
        self.out
    }
}

/// How a list member is written.
#[derive(Clone, Copy, Debug, Default)]
pub struct ListXml<'a> {
    /// The members' element name (`member` when `None`).
    pub member: Option<&'a str>,
    /// Attributes of each member element (a namespace).
    pub member_attributes: &'a [(&'a str, &'a str)],
    /// The members are not wrapped.
    pub flattened: bool,
    /// The layout of each member, when members are lists or maps with renamed elements.
    pub inner: Option<&'a Layout<'a>>,
}

/// How a list or map inside a list or map is laid out, when the model renames its elements (a
/// map of maps whose inner keys are `<InnerKey>`); without one, such a collection is `member`
/// elements or `entry`/`key`/`value`.
#[derive(Clone, Copy, Debug)]
pub enum Layout<'a> {
    /// A list.
    List(ListXml<'a>),
    /// A map.
    Map(MapXml<'a>),
}

/// How a map member is written.
#[derive(Clone, Copy, Debug)]
pub struct MapXml<'a> {
    /// The keys' element name.
    pub key: &'a str,
    /// Attributes of each key element.
    pub key_attributes: &'a [(&'a str, &'a str)],
    /// The values' element name.
    pub value: &'a str,
    /// Attributes of each value element.
    pub value_attributes: &'a [(&'a str, &'a str)],
    /// The entries are not wrapped.
    pub flattened: bool,
    /// The layout of each value, when values are lists or maps with renamed elements.
    pub inner: Option<&'a Layout<'a>>,
}

impl Default for MapXml<'_> {
    fn default() -> Self {
        MapXml { key: "key", key_attributes: &[], value: "value", value_attributes: &[], flattened: false, inner: None }
    }
}

/// A value written as an XML element (generated for structures).
pub trait ToXml {
    /// Writes the value as the element `name` with `attributes`.
    fn write_xml(&self, w: &mut Writer, name: &str, attributes: &[(&str, &str)]);

    /// Writes a list or map laid out as `layout` says (a collection inside a list or map whose
    /// element names the model renames); any other value ignores the layout.
    fn write_xml_as(&self, w: &mut Writer, name: &str, attributes: &[(&str, &str)], layout: Option<&Layout<'_>>) {
        let _ = layout;
        self.write_xml(w, name, attributes);
    }
}

impl ToXml for str {
    fn write_xml(&self, w: &mut Writer, name: &str, attributes: &[(&str, &str)]) {
        w.element(name, attributes, self);
    }
}

impl ToXml for String {
    fn write_xml(&self, w: &mut Writer, name: &str, attributes: &[(&str, &str)]) {
        w.element(name, attributes, self);
    }
}

impl ToXml for bool {
    fn write_xml(&self, w: &mut Writer, name: &str, attributes: &[(&str, &str)]) {
        w.element(name, attributes, if *self { "true" } else { "false" });
    }
}

macro_rules! to_xml_integers {
    ($($t:ty),*) => {$(
        impl ToXml for $t {
            fn write_xml(&self, w: &mut Writer, name: &str, attributes: &[(&str, &str)]) {
                w.element(name, attributes, &self.to_string());
            }
        }
    )*};
}
to_xml_integers!(i8, i16, i32, i64);

impl ToXml for f64 {
    fn write_xml(&self, w: &mut Writer, name: &str, attributes: &[(&str, &str)]) {
        w.element(name, attributes, &crate::encoding::format_float(*self));
    }
}

impl ToXml for f32 {
    fn write_xml(&self, w: &mut Writer, name: &str, attributes: &[(&str, &str)]) {
        let v: f64 = self.to_string().parse().unwrap_or(f64::from(*self));
        w.element(name, attributes, &crate::encoding::format_float(v));
    }
}

impl ToXml for Blob {
    fn write_xml(&self, w: &mut Writer, name: &str, attributes: &[(&str, &str)]) {
        use base64::Engine as _;
        w.element(name, attributes, &base64::engine::general_purpose::STANDARD.encode(self.as_bytes()));
    }
}

impl ToXml for DateTime {
    fn write_xml(&self, w: &mut Writer, name: &str, attributes: &[(&str, &str)]) {
        let text = crate::encoding::format_timestamp(self, crate::encoding::TimestampFormat::Iso8601);
        w.element(name, attributes, &text);
    }
}

impl<T: crate::types::StringEnum> ToXml for T {
    fn write_xml(&self, w: &mut Writer, name: &str, attributes: &[(&str, &str)]) {
        w.element(name, attributes, self.as_ref());
    }
}

impl<T: ToXml> ToXml for Vec<T> {
    /// A list inside a list or map: `member` elements.
    fn write_xml(&self, w: &mut Writer, name: &str, attributes: &[(&str, &str)]) {
        w.list(name, attributes, Some(self), ListXml::default());
    }

    fn write_xml_as(&self, w: &mut Writer, name: &str, attributes: &[(&str, &str)], layout: Option<&Layout<'_>>) {
        let style = match layout {
            Some(Layout::List(l)) => *l,
            _ => ListXml::default(),
        };
        w.list(name, attributes, Some(self), style);
    }
}

impl<K: AsRef<str>, V: ToXml> ToXml for IndexMap<K, V> {
    /// A map inside a list or map: `entry`/`key`/`value`.
    fn write_xml(&self, w: &mut Writer, name: &str, attributes: &[(&str, &str)]) {
        w.map(name, attributes, Some(self), MapXml::default());
    }

    fn write_xml_as(&self, w: &mut Writer, name: &str, attributes: &[(&str, &str)], layout: Option<&Layout<'_>>) {
        let style = match layout {
            Some(Layout::Map(m)) => *m,
            _ => MapXml::default(),
        };
        w.map(name, attributes, Some(self), style);
    }
}

/// Whether two documents are the same XML: names, attributes (in any order), text with surrounding
/// whitespace trimmed, and children in order — a canonical comparison, for tests.
pub fn same_document(a: &[u8], b: &[u8]) -> Result<bool, XmlError> {
    fn same(a: &Element, b: &Element) -> bool {
        let mut aa = a.attributes.clone();
        let mut ba = b.attributes.clone();
        aa.sort();
        ba.sort();
        a.name == b.name
            && aa == ba
            && a.text.trim() == b.text.trim()
            && a.children.len() == b.children.len()
            && a.children.iter().zip(&b.children).all(|(x, y)| same(x, y))
    }
    Ok(same(&parse(a)?, &parse(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_become_trees() {
        let doc = br#"<?xml version="1.0"?>
            <r:Root xmlns:r="urn:x" a="1"><Name>A &amp; B</Name><Empty/><List><member>1</member><member>2</member></List>
            <Data><![CDATA[<raw>]]></Data></r:Root>"#;
        let root = parse(doc).unwrap();
        assert_eq!(root.name, "Root");
        assert_eq!(root.attribute("a"), Some("1"));
        assert_eq!(root.child_text("Name"), Some("A & B"));
        assert_eq!(root.child_text("Empty"), Some(""));
        assert_eq!(root.child_text("Data"), Some("<raw>"));
        assert_eq!(list::<i32>(root.child("List").unwrap(), "member", None).unwrap(), vec![1, 2]);
    }

    #[test]
    fn bad_documents_are_errors_not_panics() {
        for bad in [&b""[..], b"<a>", b"</a>", b"<a><b></a>", b"text", b"<a x='1></a>"] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        let deep = format!("{}{}", "<a>".repeat(300), "</a>".repeat(300));
        assert!(parse(deep.as_bytes()).unwrap_err().0.contains("deeper"));
        let el = Element { name: "n".into(), text: "x".into(), ..Default::default() };
        assert!(i32::from_xml(&el).is_err());
        assert!(bool::from_xml(&el).is_err());
        assert!(DateTime::from_xml(&el).is_err());
    }

    #[test]
    fn scalars_read_as_botocore_reads_them() {
        let el = |t: &str| Element { name: "v".into(), text: t.into(), ..Default::default() };
        assert!(f64::from_xml(&el("NaN")).unwrap().is_nan());
        assert_eq!(f32::from_xml(&el("-Infinity")).unwrap(), f32::NEG_INFINITY);
        assert_eq!(DateTime::from_xml(&el("2014-04-29T18:30:38Z")).unwrap().secs(), 1_398_796_238);
        assert_eq!(DateTime::from_xml(&el("1398796238")).unwrap().secs(), 1_398_796_238);
        assert_eq!(Blob::from_xml(&el("dmFsdWU=")).unwrap().as_bytes(), b"value");
        let mut entries = Element { name: "m".into(), ..Default::default() };
        for (k, v) in [("a", "1"), ("b", "2")] {
            entries.children.push(Element {
                name: "entry".into(),
                children: vec![
                    Element { name: "key".into(), text: k.into(), ..Default::default() },
                    Element { name: "value".into(), text: v.into(), ..Default::default() },
                ],
                ..Default::default()
            });
        }
        let m: IndexMap<String, i64> = map(&entries, "key", "value", None).unwrap();
        assert_eq!(m["b"], 2);
    }

    #[test]
    fn collections_inside_collections_keep_their_renamed_elements_both_ways() {
        // A map of maps whose inner keys and values are renamed, entries in insertion order.
        let inner = Layout::Map(MapXml { key: "K", value: "V", ..MapXml::default() });
        let style = MapXml { key: "Outer", inner: Some(&inner), ..MapXml::default() };
        let value: IndexMap<String, IndexMap<String, String>> = IndexMap::from([
            ("z".to_string(), IndexMap::from([("b".to_string(), "1".to_string()), ("a".to_string(), "2".to_string())])),
            ("y".to_string(), IndexMap::new()),
        ]);
        let mut w = Writer::default();
        w.map("M", &[], Some(&value), style);
        let text = w.finish();
        assert_eq!(
            text,
            "<M><entry><Outer>z</Outer><value><entry><K>b</K><V>1</V></entry><entry><K>a</K><V>2</V></entry>\
             </value></entry><entry><Outer>y</Outer><value></value></entry></M>"
        );
        let read: IndexMap<String, IndexMap<String, String>> =
            map(&parse(text.as_bytes()).unwrap(), "Outer", "value", Some(&inner)).unwrap();
        assert_eq!(read, value);
        assert_eq!(read["z"].keys().collect::<Vec<_>>(), ["b", "a"]);
        // Without the layout the inner names are not found: the layout is what carries them.
        assert!(
            map::<String, IndexMap<String, String>>(&parse(text.as_bytes()).unwrap(), "Outer", "value", None).is_err()
        );
    }

    #[test]
    fn flattened_collections_as_map_values_read_back_as_written() {
        let inner = Layout::List(ListXml { flattened: true, ..ListXml::default() });
        let style = MapXml { inner: Some(&inner), ..MapXml::default() };
        let value: IndexMap<String, Vec<String>> =
            IndexMap::from([("a".to_string(), vec!["1".to_string(), "2".to_string()]), ("b".to_string(), vec![])]);
        let mut w = Writer::default();
        w.map("M", &[], Some(&value), style);
        let text = w.finish();
        assert_eq!(
            text,
            "<M><entry><key>a</key><value>1</value><value>2</value></entry><entry><key>b</key></entry></M>"
        );
        let read: IndexMap<String, Vec<String>> =
            map(&parse(text.as_bytes()).unwrap(), "key", "value", Some(&inner)).unwrap();
        assert_eq!(read, value);

        let inner = Layout::Map(MapXml { key: "K", value: "V", flattened: true, ..MapXml::default() });
        let style = MapXml { inner: Some(&inner), ..MapXml::default() };
        let value: IndexMap<String, IndexMap<String, String>> =
            IndexMap::from([("a".to_string(), IndexMap::from([("x".to_string(), "1".to_string())]))]);
        let mut w = Writer::default();
        w.map("M", &[], Some(&value), style);
        let text = w.finish();
        assert_eq!(text, "<M><entry><key>a</key><value><K>x</K><V>1</V></value></entry></M>");
        let read: IndexMap<String, IndexMap<String, String>> =
            map(&parse(text.as_bytes()).unwrap(), "key", "value", Some(&inner)).unwrap();
        assert_eq!(read, value);
    }
}
