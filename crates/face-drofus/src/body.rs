//! Request bodies as Rails reads them: JSON, or a form with bracket keys
//! (`project[name]=X`), into one JSON object; then the root key a resource's parameters
//! are wrapped in, and each field read as what the client [`Sent`].

use axum::body::Bytes;
use axum::http::{HeaderMap, header};
use serde_json::{Map, Value};
use steward_core::projects::Sent;

/// Why a body could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// Not JSON, or not an object, or a form that cannot be read (400).
    Unreadable,
    /// The root key (`project`) is missing or not an object (400).
    MissingRoot,
    /// Neither JSON nor a form (415).
    UnsupportedType,
}

/// The body as one object: JSON (an object), or a URL-encoded form with bracket keys.
pub fn parse(headers: &HeaderMap, bytes: &Bytes) -> Result<Map<String, Value>, BodyError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match media.as_str() {
        "application/json" => match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(object)) => Ok(object),
            _ => Err(BodyError::Unreadable),
        },
        "application/x-www-form-urlencoded" => form(bytes),
        // curl's -d without a type, and an empty body, read as an empty form.
        "" if bytes.is_empty() => Ok(Map::new()),
        _ => Err(BodyError::UnsupportedType),
    }
}

/// A form's pairs, `a[b]=c` nested as `{"a": {"b": "c"}}`; a key given twice keeps the last.
fn form(bytes: &Bytes) -> Result<Map<String, Value>, BodyError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).map_err(|_| BodyError::Unreadable)?;
    let mut root = Map::new();
    for (key, value) in pairs {
        let path = bracket_path(&key).ok_or(BodyError::Unreadable)?;
        insert(&mut root, &path, Value::String(value))?;
    }
    Ok(root)
}

/// `project[name]` → `["project", "name"]`; `None` for unbalanced brackets.
fn bracket_path(key: &str) -> Option<Vec<&str>> {
    let (head, mut rest) = match key.find('[') {
        Some(open) => (key.get(..open)?, key.get(open..)?),
        None => (key, ""),
    };
    if head.is_empty() {
        return None;
    }
    let mut path = vec![head];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let close = inner.find(']')?;
        let name = inner.get(..close)?;
        if name.is_empty() {
            return None;
        }
        path.push(name);
        rest = inner.get(close + 1..)?;
    }
    Some(path)
}

fn insert(object: &mut Map<String, Value>, path: &[&str], value: Value) -> Result<(), BodyError> {
    match path {
        [] => Err(BodyError::Unreadable),
        [last] => {
            object.insert((*last).to_owned(), value);
            Ok(())
        }
        [first, rest @ ..] => {
            let child = object.entry((*first).to_owned()).or_insert_with(|| Value::Object(Map::new()));
            match child {
                Value::Object(child) => insert(child, rest, value),
                _ => Err(BodyError::Unreadable),
            }
        }
    }
}

/// The parameters under `root` (`{"project": {...}}`).
pub fn root<'a>(body: &'a Map<String, Value>, root: &str) -> Result<&'a Map<String, Value>, BodyError> {
    match body.get(root) {
        Some(Value::Object(parameters)) => Ok(parameters),
        _ => Err(BodyError::MissingRoot),
    }
}

/// A text field: a string (numbers and booleans as their text, as Rails casts them).
pub fn text(parameters: &Map<String, Value>, key: &str) -> Sent<String> {
    match parameters.get(key) {
        None => Sent::Absent,
        Some(Value::Null) => Sent::Null,
        Some(Value::String(text)) => Sent::Value(text.clone()),
        Some(Value::Number(number)) => Sent::Value(number.to_string()),
        Some(Value::Bool(flag)) => Sent::Value(flag.to_string()),
        Some(Value::Array(_) | Value::Object(_)) => Sent::Unreadable,
    }
}

/// An integer field: a number, or a string of digits (forms send text); `""` is null.
pub fn integer(parameters: &Map<String, Value>, key: &str) -> Sent<i64> {
    match parameters.get(key) {
        None => Sent::Absent,
        Some(Value::Null) => Sent::Null,
        Some(Value::Number(number)) => number.as_i64().map_or(Sent::Unreadable, Sent::Value),
        Some(Value::String(text)) if text.trim().is_empty() => Sent::Null,
        Some(Value::String(text)) => text.trim().parse().map_or(Sent::Unreadable, Sent::Value),
        Some(_) => Sent::Unreadable,
    }
}

/// A decimal field: a number or its text; `""` is null.
pub fn decimal(parameters: &Map<String, Value>, key: &str) -> Sent<f64> {
    match parameters.get(key) {
        None => Sent::Absent,
        Some(Value::Null) => Sent::Null,
        Some(Value::Number(number)) => number.as_f64().map_or(Sent::Unreadable, Sent::Value),
        Some(Value::String(text)) if text.trim().is_empty() => Sent::Null,
        Some(Value::String(text)) => text.trim().parse::<f64>().ok().filter(|value| value.is_finite()).map_or(Sent::Unreadable, Sent::Value),
        Some(_) => Sent::Unreadable,
    }
}

/// A boolean field as Rails casts it: `true`/`false`, `1`/`0`, `"true"`/`"false"`,
/// `"1"`/`"0"`, `"t"`/`"f"`; `""` is null.
pub fn boolean(parameters: &Map<String, Value>, key: &str) -> Sent<bool> {
    match parameters.get(key) {
        None => Sent::Absent,
        Some(Value::Null) => Sent::Null,
        Some(Value::Bool(flag)) => Sent::Value(*flag),
        Some(Value::Number(number)) => match number.as_i64() {
            Some(1) => Sent::Value(true),
            Some(0) => Sent::Value(false),
            _ => Sent::Unreadable,
        },
        Some(Value::String(text)) => match text.trim().to_ascii_lowercase().as_str() {
            "" => Sent::Null,
            "true" | "1" | "t" | "yes" | "on" => Sent::Value(true),
            "false" | "0" | "f" | "no" | "off" => Sent::Value(false),
            _ => Sent::Unreadable,
        },
        Some(_) => Sent::Unreadable,
    }
}

/// The last value of `key` in a query string (`?q=x&q=y` is `y`, as Rails reads it); an
/// unreadable query has none.
pub fn query_value(query: Option<&str>, key: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = query.and_then(|query| serde_urlencoded::from_str(query).ok()).unwrap_or_default();
    pairs.into_iter().rev().find(|(name, _)| name == key).map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(content_type: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
        headers
    }

    #[test]
    fn json_and_bracket_forms_read_alike() {
        let json = parse(&headers("application/json; charset=UTF-8"), &Bytes::from(r#"{"project":{"name":"X","owner_id":5}}"#)).unwrap();
        let form = parse(&headers("application/x-www-form-urlencoded"), &Bytes::from("project%5Bname%5D=X&project[owner_id]=5")).unwrap();
        assert_eq!(text(root(&json, "project").unwrap(), "name"), Sent::Value("X".to_owned()));
        assert_eq!(text(root(&form, "project").unwrap(), "name"), Sent::Value("X".to_owned()));
        assert_eq!(integer(root(&json, "project").unwrap(), "owner_id"), Sent::Value(5));
        assert_eq!(integer(root(&form, "project").unwrap(), "owner_id"), Sent::Value(5));
    }

    #[test]
    fn bad_bodies_are_told_apart() {
        assert_eq!(parse(&headers("application/json"), &Bytes::from(r#"{"owner":"#)), Err(BodyError::Unreadable));
        assert_eq!(parse(&headers("application/json"), &Bytes::from("[]")), Err(BodyError::Unreadable));
        assert_eq!(parse(&headers("text/plain"), &Bytes::from("x")), Err(BodyError::UnsupportedType));
        assert_eq!(parse(&headers("application/x-www-form-urlencoded"), &Bytes::from("a[b=1")), Err(BodyError::Unreadable));
        let no_root = parse(&headers("application/json"), &Bytes::from(r#"{"name":"x"}"#)).unwrap();
        assert_eq!(root(&no_root, "owner"), Err(BodyError::MissingRoot));
    }

    #[test]
    fn fields_are_cast_as_rails_casts_them() {
        let object = serde_json::json!({"a": "1", "b": 0, "c": "x", "d": "", "e": null, "f": "2.5", "g": [1]});
        let Value::Object(object) = object else { unreachable!() };
        assert_eq!(boolean(&object, "a"), Sent::Value(true));
        assert_eq!(boolean(&object, "b"), Sent::Value(false));
        assert_eq!(boolean(&object, "c"), Sent::Unreadable);
        assert_eq!(integer(&object, "c"), Sent::Unreadable);
        assert_eq!(integer(&object, "d"), Sent::Null);
        assert_eq!(integer(&object, "e"), Sent::Null);
        assert_eq!(decimal(&object, "f"), Sent::Value(2.5));
        assert_eq!(text(&object, "g"), Sent::Unreadable);
        assert_eq!(text(&object, "zz"), Sent::Absent);
    }
}
