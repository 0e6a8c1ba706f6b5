//! XML responses (feature `xml`): a small element tree read with quick-xml, and [`FromXml`], the
//! decoding every generated structure of an XML protocol implements from its model.
//!
//! The AWS XML protocols need little of XML: elements, their text, attributes. Names are compared
//! without their namespace prefix (`xsi:type` is `type`), namespaces are otherwise ignored, as
//! botocore ignores them. A document deeper than 256 elements is refused rather than recursed into.

use crate::types::{Blob, DateTime};
use quick_xml::events::Event;
use std::collections::HashMap;
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

/// A wrapped list: the children of `el` named `member` (`<Tags><member>…</member></Tags>`).
pub fn list<T: FromXml>(el: &Element, member: &str) -> Result<Vec<T>, XmlError> {
    el.children.iter().filter(|c| c.name == member).map(T::from_xml).collect()
}

/// A list of lists, the inner ones wrapped in `member` elements.
pub fn nested_list<T: FromXml>(el: &Element, member: &str) -> Result<Vec<Vec<T>>, XmlError> {
    el.children.iter().filter(|c| c.name == member).map(|c| list(c, "member")).collect()
}

/// One map entry: the `key` and `value` children of `entry`.
pub fn entry<K: FromXml + Eq + Hash, V: FromXml>(
    entry: &Element,
    key: &str,
    value: &str,
    map: &mut HashMap<K, V>,
) -> Result<(), XmlError> {
    let k = entry.child(key).ok_or_else(|| XmlError(format!("<{}>: a map entry without <{key}>", entry.name)))?;
    let k = K::from_xml(k)?;
    let v = match entry.child(value) {
        Some(v) => V::from_xml(v)?,
        None => V::from_xml(&Element::default())?,
    };
    map.insert(k, v);
    Ok(())
}

/// A wrapped map: `<M><entry><key>…</key><value>…</value></entry>…</M>`.
pub fn map<K: FromXml + Eq + Hash, V: FromXml>(
    el: &Element,
    key: &str,
    value: &str,
) -> Result<HashMap<K, V>, XmlError> {
    let mut out = HashMap::new();
    for e in el.children.iter().filter(|c| c.name == "entry") {
        entry(e, key, value, &mut out)?;
    }
    Ok(out)
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
        assert_eq!(list::<i32>(root.child("List").unwrap(), "member").unwrap(), vec![1, 2]);
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
        let m: HashMap<String, i64> = map(&entries, "key", "value").unwrap();
        assert_eq!(m["b"], 2);
    }
}
