//! One resource definition, three renderings. A [`Resource`] lists its attributes once, as
//! typed values; this module writes them as Rails does: root-wrapped JSON (a list is an
//! array of wrapped objects), `to_xml` with `type` attributes and `nil="true"` (written with
//! quick-xml, escaped by it), and an HTML table from a template that escapes every value.

use std::io::Cursor;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::format::Format;

/// One attribute's value, typed as Rails would type its column; text is borrowed from the
/// model, so a list of a thousand objects copies none of its strings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Attr<'a> {
    /// `integer`.
    Int(Option<i64>),
    /// `float`.
    Float(Option<f64>),
    /// `boolean`.
    Bool(Option<bool>),
    /// A string (no `type` attribute in XML).
    Text(Option<&'a str>),
    /// `dateTime`, in UTC with `Z` and no fraction.
    Time(Option<OffsetDateTime>),
}

impl Attr<'_> {
    /// The XML `type` attribute.
    fn xml_type(&self) -> Option<&'static str> {
        match self {
            Self::Int(_) => Some("integer"),
            Self::Float(_) => Some("float"),
            Self::Bool(_) => Some("boolean"),
            Self::Text(_) => None,
            Self::Time(_) => Some("dateTime"),
        }
    }

    /// The value as XML and HTML show it, `None` for nil: borrowed text as it is, anything
    /// else written into `scratch`.
    fn text<'s>(&'s self, scratch: &'s mut String) -> Option<&'s str> {
        use std::fmt::Write as _;
        scratch.clear();
        // Writing into a String cannot fail.
        match *self {
            Self::Text(value) => return value,
            Self::Bool(value) => return value.map(|value| if value { "true" } else { "false" }),
            Self::Int(value) => {
                let _ = write!(scratch, "{}", value?);
            }
            Self::Float(value) => {
                let _ = write!(scratch, "{}", value?);
            }
            Self::Time(value) => scratch.push_str(Stamp::of(value?).as_str()),
        }
        Some(scratch)
    }

    /// The value as an HTML cell shows it (the template escapes it).
    fn shown(&self) -> String {
        self.text(&mut String::new()).unwrap_or_default().to_owned()
    }
}

/// `2016-11-01T09:39:14Z`, formatted on the stack: a list writes two per object.
pub struct Stamp {
    bytes: [u8; 32],
    len: usize,
}

impl Stamp {
    /// `at` in UTC, whole seconds; empty if RFC 3339 cannot show it (a year past 9999).
    pub fn of(at: OffsetDateTime) -> Self {
        let utc = at.to_offset(time::UtcOffset::UTC).replace_nanosecond(0).unwrap_or(at);
        let mut bytes = [0; 32];
        let len = {
            let mut output: &mut [u8] = &mut bytes;
            utc.format_into(&mut output, &Rfc3339).unwrap_or(0)
        };
        Self { bytes, len }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.bytes.get(..self.len).and_then(|bytes| std::str::from_utf8(bytes).ok()).unwrap_or_default()
    }
}

/// Something dRofus serves: its names and its attributes, declared once.
pub trait Resource {
    /// The singular name: the JSON root key and the XML element (`project`).
    const SINGULAR: &'static str;
    /// The plural name: the XML list element (`projects`).
    const PLURAL: &'static str;

    /// The attributes, in the order Rails' model declares them.
    fn attributes(&self) -> Vec<(&'static str, Attr<'_>)>;
}

/// A rendered answer: status, format and body.
pub struct Rendered {
    status: StatusCode,
    format: Format,
    body: Vec<u8>,
    location: Option<String>,
}

impl Rendered {
    /// `body` in `format`, with `status`.
    pub fn new(status: StatusCode, format: Format, body: impl Into<Vec<u8>>) -> Self {
        Self { status, format, body: body.into(), location: None }
    }

    /// The same, with a `Location` header.
    #[must_use]
    pub fn at(mut self, location: String) -> Self {
        self.location = Some(location);
        self
    }
}

impl IntoResponse for Rendered {
    fn into_response(self) -> Response {
        let mut response = (self.status, [(header::CONTENT_TYPE, self.format.content_type())], self.body).into_response();
        if let Some(location) = self.location.and_then(|location| HeaderValue::from_str(&location).ok()) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        response
    }
}

/// An attribute's value written straight into JSON.
struct JsonValue<'a>(&'a Attr<'a>);

impl serde::Serialize for JsonValue<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Attr::Int(Some(value)) => serializer.serialize_i64(*value),
            Attr::Float(Some(value)) => serializer.serialize_f64(*value),
            Attr::Bool(Some(value)) => serializer.serialize_bool(*value),
            Attr::Text(Some(value)) => serializer.serialize_str(value),
            Attr::Time(Some(at)) => serializer.serialize_str(Stamp::of(*at).as_str()),
            Attr::Int(None) | Attr::Float(None) | Attr::Bool(None) | Attr::Text(None) | Attr::Time(None) => serializer.serialize_none(),
        }
    }
}

/// Attributes as a JSON object, in their order.
struct Attributes<'a>(Vec<(&'static str, Attr<'a>)>);

impl serde::Serialize for Attributes<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, attr)| (*name, JsonValue(attr))))
    }
}

/// `{"<singular>": {attributes…}}`, written straight into the output: a list of a
/// thousand objects builds no `Value` tree (allocation was most of a list's cost).
struct JsonObject<'a, R>(&'a R);

impl<R: Resource> serde::Serialize for JsonObject<'_, R> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut wrapped = serializer.serialize_map(Some(1))?;
        wrapped.serialize_entry(R::SINGULAR, &Attributes(self.0.attributes()))?;
        wrapped.end()
    }
}

/// `value` as JSON text (serialising these types cannot fail).
fn json_text(value: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// `[{"<singular>": {…}}, …]`, written object by object into one buffer sized after the
/// first, so a long list is not grown by doubling (no gain measured on JSON beyond noise;
/// the XML form, twice the bytes, gained some 8 %).
fn json_list<R: Resource>(resources: &[R]) -> Vec<u8> {
    let mut out = vec![b'['];
    for (index, resource) in resources.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut out, &JsonObject(resource));
        if index == 0 {
            out.reserve(out.len().saturating_mul(resources.len()));
        }
    }
    out.push(b']');
    out
}

/// The XML element name of a key: `created_at` → `created-at`.
fn element(name: &str) -> String {
    name.replace('_', "-")
}

/// An attribute's XML element, its tags built once for a whole list: building a tag with
/// attributes allocates, and a list of a thousand objects writes fourteen thousand.
struct Element {
    /// `created-at`.
    name: String,
    /// `<created-at type="dateTime">`.
    open: BytesStart<'static>,
    /// `<created-at type="dateTime" nil="true"/>`.
    nil: BytesStart<'static>,
}

impl Element {
    fn new(key: &str, type_name: Option<&'static str>) -> Self {
        let name = element(key);
        let mut open = BytesStart::new(name.clone());
        if let Some(type_name) = type_name {
            open.push_attribute(("type", type_name));
        }
        let mut nil = open.clone();
        nil.push_attribute(("nil", "true"));
        Self { name, open, nil }
    }
}

/// The elements of a resource's attributes: the same for every object of a list.
fn elements<R: Resource>(resource: &R) -> Vec<Element> {
    resource.attributes().iter().map(|(key, attr)| Element::new(key, attr.xml_type())).collect()
}

/// An XML writer of one document, indented as Rails writes it.
struct Xml(Writer<Cursor<Vec<u8>>>);

impl Xml {
    fn new() -> Self {
        let mut writer = Writer::new_with_indent(Cursor::new(Vec::new()), b' ', 2);
        // Writing into memory cannot fail.
        let _ = writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        Self(writer)
    }

    fn open(&mut self, name: &str, attributes: &[(&str, &str)]) {
        let mut start = BytesStart::new(name);
        for attribute in attributes {
            start.push_attribute(*attribute);
        }
        let _ = self.0.write_event(Event::Start(start));
    }

    fn close(&mut self, name: &str) {
        let _ = self.0.write_event(Event::End(BytesEnd::new(name)));
    }

    fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) {
        let mut start = BytesStart::new(name);
        for attribute in attributes {
            start.push_attribute(*attribute);
        }
        let _ = self.0.write_event(Event::Empty(start));
    }

    /// `<name type="…">text</name>`, or `<name type="…" nil="true"/>`.
    fn value(&mut self, element: &Element, text: Option<&str>) {
        match text {
            Some(text) => {
                let _ = self.0.write_event(Event::Start(element.open.borrow()));
                // `<`, `>` and `&` only, as Rails' builder does: "can't" stays as it is.
                let _ = self.0.write_event(Event::Text(BytesText::from_escaped(quick_xml::escape::partial_escape(text))));
                self.close(&element.name);
            }
            None => {
                let _ = self.0.write_event(Event::Empty(element.nil.borrow()));
            }
        }
    }

    /// A value of a one-off element (an error body's).
    fn one_value(&mut self, key: &str, type_name: Option<&'static str>, text: Option<&str>) {
        self.value(&Element::new(key, type_name), text);
    }

    /// One object, its attributes written as `elements` (see [`elements`]).
    fn object<R: Resource>(&mut self, elements: &[Element], resource: &R) {
        let root = element(R::SINGULAR);
        self.open(&root, &[]);
        let mut scratch = String::new();
        for ((_, attr), element) in resource.attributes().iter().zip(elements) {
            self.value(element, attr.text(&mut scratch));
        }
        self.close(&root);
    }

    /// Bytes written so far.
    fn len(&self) -> usize {
        self.0.get_ref().get_ref().len()
    }

    /// Room for `more` bytes, at once.
    fn reserve(&mut self, more: usize) {
        self.0.get_mut().get_mut().reserve(more);
    }

    fn finish(self) -> Vec<u8> {
        let mut bytes = self.0.into_inner().into_inner();
        bytes.push(b'\n');
        bytes
    }
}

/// The page every HTML answer fills: a name ending in `.html` turns on auto-escaping.
const PAGE: &str = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{{ title }}</title></head>\n<body>\n<h1>{{ title }}</h1>\n\
<table>\n<tr>{% for column in columns %}<th>{{ column }}</th>{% endfor %}</tr>\n\
{% for row in rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>\n{% endfor %}</table>\n</body></html>\n";

/// The template environment, built once.
fn pages() -> &'static minijinja::Environment<'static> {
    static PAGES: std::sync::OnceLock<minijinja::Environment<'static>> = std::sync::OnceLock::new();
    PAGES.get_or_init(|| {
        let mut environment = minijinja::Environment::new();
        // A constant template: it parses, and the tests render it.
        let _ = environment.add_template("page.html", PAGE);
        environment
    })
}

/// The HTML page of one object or a list: a table whose every value the template escapes.
fn html_page(title: &str, columns: &[&'static str], rows: &[Vec<String>]) -> String {
    let columns: minijinja::Value = columns.iter().copied().collect();
    let rows: minijinja::Value = rows.iter().map(|row| row.iter().cloned().collect::<minijinja::Value>()).collect();
    pages()
        .get_template("page.html")
        .and_then(|template| template.render(minijinja::context! { title, columns, rows }))
        .unwrap_or_default()
}

/// One object in `format`.
pub fn one<R: Resource>(format: Format, status: StatusCode, resource: &R) -> Rendered {
    let body = match format {
        Format::Json => json_text(&JsonObject(resource)),
        Format::Xml => {
            let mut xml = Xml::new();
            xml.object(&elements(resource), resource);
            xml.finish()
        }
        Format::Html => {
            let attributes = resource.attributes();
            let columns: Vec<&'static str> = attributes.iter().map(|(name, _)| *name).collect();
            let row: Vec<String> = attributes.iter().map(|(_, attr)| attr.shown()).collect();
            html_page(R::SINGULAR, &columns, &[row]).into_bytes()
        }
    };
    Rendered::new(status, format, body)
}

/// A list in `format`: a JSON array of wrapped objects, `<plural type="array">`, a table.
pub fn list<R: Resource>(format: Format, resources: &[R]) -> Rendered {
    let body = match format {
        Format::Json => json_list(resources),
        Format::Xml => {
            let mut xml = Xml::new();
            let root = element(R::PLURAL);
            if resources.is_empty() {
                xml.empty(&root, &[("type", "array")]);
            } else {
                xml.open(&root, &[("type", "array")]);
                let elements = resources.first().map(elements).unwrap_or_default();
                for (index, resource) in resources.iter().enumerate() {
                    let before = xml.len();
                    xml.object(&elements, resource);
                    if index == 0 {
                        // Sized after the first object, as for JSON.
                        xml.reserve((xml.len() - before).saturating_mul(resources.len()));
                    }
                }
                xml.close(&root);
            }
            xml.finish()
        }
        Format::Html => {
            let columns: Vec<&'static str> = resources.first().map(|first| first.attributes().iter().map(|(name, _)| *name).collect()).unwrap_or_default();
            let rows: Vec<Vec<String>> = resources.iter().map(|resource| resource.attributes().iter().map(|(_, attr)| attr.shown()).collect()).collect();
            html_page(R::PLURAL, &columns, &rows).into_bytes()
        }
    };
    Rendered::new(StatusCode::OK, format, body)
}

/// What an action GET (`disable`, `kickall`, …) did: `{"status": "ok", "message", "count"}`,
/// or `<result>` with the same children.
struct Outcome<'a> {
    message: &'a str,
    count: u64,
}

impl Resource for Outcome<'_> {
    const SINGULAR: &'static str = "result";
    const PLURAL: &'static str = "results";

    fn attributes(&self) -> Vec<(&'static str, Attr<'_>)> {
        vec![
            ("status", Attr::Text(Some("ok"))),
            ("message", Attr::Text(Some(self.message))),
            ("count", Attr::Int(Some(i64::try_from(self.count).unwrap_or(i64::MAX)))),
        ]
    }
}

/// An action's outcome, 200: unwrapped JSON (the notes' shape), or `<result>` in XML.
pub fn outcome(format: Format, message: &str, count: u64) -> Rendered {
    let outcome = Outcome { message, count };
    match format {
        Format::Json => {
            Rendered::new(StatusCode::OK, format, json_text(&Attributes(outcome.attributes())))
        }
        Format::Xml | Format::Html => one(format, StatusCode::OK, &outcome),
    }
}

/// Rails' exception body: `{"status": 404, "error": "Not Found"}`, or its XML `<hash>`.
pub fn status_error(format: Format, status: StatusCode) -> Rendered {
    let reason = status.canonical_reason().unwrap_or("Error");
    let body = match format {
        Format::Json | Format::Html => serde_json::json!({ "status": status.as_u16(), "error": reason }).to_string().into_bytes(),
        Format::Xml => {
            let mut xml = Xml::new();
            xml.open("hash", &[]);
            xml.one_value("status", Some("integer"), Some(&status.as_u16().to_string()));
            xml.one_value("error", None, Some(reason));
            xml.close("hash");
            xml.finish()
        }
    };
    // An HTML client gets the JSON body too: Rails' HTML error pages are files we do not ship.
    let format = if format == Format::Html { Format::Json } else { format };
    Rendered::new(status, format, body)
}

/// Validation errors, 422: `{"field": ["message", …]}`, or `<errors><error>Field message</error></errors>`.
pub fn validation(format: Format, problems: &[(String, String)]) -> Rendered {
    let body = match format {
        Format::Json | Format::Html => {
            let mut fields: Map<String, Value> = Map::new();
            for (field, message) in problems {
                let messages = fields.entry(field.clone()).or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(messages) = messages {
                    messages.push(Value::from(message.clone()));
                }
            }
            Value::Object(fields).to_string().into_bytes()
        }
        Format::Xml => {
            let mut xml = Xml::new();
            xml.open("errors", &[]);
            for (field, message) in problems {
                xml.one_value("error", None, Some(&full_message(field, message)));
            }
            xml.close("errors");
            xml.finish()
        }
    };
    let format = if format == Format::Html { Format::Json } else { format };
    Rendered::new(StatusCode::UNPROCESSABLE_ENTITY, format, body)
}

/// Rails' full message: the humanized field, then the message (`base` has no field).
fn full_message(field: &str, message: &str) -> String {
    if field == "base" {
        return message.to_owned();
    }
    let human = field.strip_suffix("_id").unwrap_or(field).replace('_', " ");
    let mut characters = human.chars();
    let capitalized: String = characters.next().map(|first| first.to_uppercase().chain(characters).collect()).unwrap_or_default();
    format!("{capitalized} {message}")
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Rendered {
        fn text(&self) -> String {
            String::from_utf8(self.body.clone()).unwrap()
        }
    }

    struct Sample {
        id: i64,
        name: Option<String>,
        note: Option<String>,
        active: bool,
    }

    impl Resource for Sample {
        const SINGULAR: &'static str = "sample";
        const PLURAL: &'static str = "samples";

        fn attributes(&self) -> Vec<(&'static str, Attr<'_>)> {
            vec![
                ("id", Attr::Int(Some(self.id))),
                ("name", Attr::Text(self.name.as_deref())),
                ("tech_note", Attr::Text(self.note.as_deref())),
                ("active", Attr::Bool(Some(self.active))),
            ]
        }
    }

    fn sample() -> Sample {
        Sample { id: 7, name: Some("<b>Ål & co</b>".to_owned()), note: None, active: true }
    }

    #[test]
    fn json_is_root_wrapped_and_lists_are_arrays_of_wrapped_objects() {
        let one: Value = serde_json::from_str(&one(Format::Json, StatusCode::OK, &sample()).text()).unwrap();
        assert_eq!(one, serde_json::json!({"sample": {"id": 7, "name": "<b>Ål & co</b>", "tech_note": null, "active": true}}));
        let list: Value = serde_json::from_str(&list(Format::Json, &[sample()]).text()).unwrap();
        assert_eq!(list, serde_json::json!([{"sample": {"id": 7, "name": "<b>Ål & co</b>", "tech_note": null, "active": true}}]));
        assert_eq!(super::list::<Sample>(Format::Json, &[]).text(), "[]");
    }

    #[test]
    fn xml_has_types_nils_dashes_and_escapes() {
        let body = one(Format::Xml, StatusCode::OK, &sample()).text();
        assert!(body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"), "{body}");
        assert!(body.contains("<id type=\"integer\">7</id>"), "{body}");
        assert!(body.contains("<name>&lt;b&gt;Ål &amp; co&lt;/b&gt;</name>"), "{body}");
        assert!(body.contains("<tech-note nil=\"true\"/>"), "{body}");
        assert!(body.contains("<active type=\"boolean\">true</active>"), "{body}");
        assert!(super::list::<Sample>(Format::Xml, &[]).text().contains("<samples type=\"array\"/>"));
        assert!(list(Format::Xml, &[sample()]).text().contains("<samples type=\"array\">"));
    }

    #[test]
    fn html_escapes_every_value() {
        let body = one(Format::Html, StatusCode::OK, &sample()).text();
        assert!(body.contains("&lt;b&gt;Ål &amp; co&lt;&#x2f;b&gt;"), "{body}");
        assert!(!body.contains("<b>Ål"), "{body}");
    }

    #[test]
    fn validation_errors_are_field_lists_or_full_messages() {
        let problems = vec![("name".to_owned(), "can't be blank".to_owned()), ("project_type_id".to_owned(), "is not included in the list".to_owned())];
        let json: Value = serde_json::from_str(&validation(Format::Json, &problems).text()).unwrap();
        assert_eq!(json, serde_json::json!({"name": ["can't be blank"], "project_type_id": ["is not included in the list"]}));
        let xml = validation(Format::Xml, &problems).text();
        assert!(xml.contains("<error>Name can't be blank</error>"), "{xml}");
        assert!(xml.contains("<error>Project type is not included in the list</error>"), "{xml}");
    }

    #[test]
    fn outcomes_are_unwrapped_in_json_and_a_result_in_xml() {
        let json: Value = serde_json::from_str(&outcome(Format::Json, "2 sessions ended", 2).text()).unwrap();
        assert_eq!(json, serde_json::json!({"status": "ok", "message": "2 sessions ended", "count": 2}));
        let xml = outcome(Format::Xml, "done & dusted", 0).text();
        assert!(xml.contains("<result>") && xml.contains("<message>done &amp; dusted</message>") && xml.contains("<count type=\"integer\">0</count>"), "{xml}");
    }

    #[test]
    fn exceptions_have_rails_bodies() {
        let json: Value = serde_json::from_str(&status_error(Format::Json, StatusCode::NOT_FOUND).text()).unwrap();
        assert_eq!(json, serde_json::json!({"status": 404, "error": "Not Found"}));
        let xml = status_error(Format::Xml, StatusCode::NOT_FOUND).text();
        assert!(xml.contains("<hash>") && xml.contains("<status type=\"integer\">404</status>") && xml.contains("<error>Not Found</error>"), "{xml}");
    }

    #[test]
    fn timestamps_are_utc_with_z_and_no_fraction() {
        let at = OffsetDateTime::from_unix_timestamp(1_478_000_000).unwrap().replace_nanosecond(123).unwrap();
        assert_eq!(Stamp::of(at).as_str(), "2016-11-01T11:33:20Z");
    }
}
