//! Reading a task's fields from a client's JSON object the way Django REST framework's
//! serializers do: every problem of every field at once, by field name. What the problems
//! are is here; their wording is the face's.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    /// Absent.
    Required,
    /// An empty string.
    Blank,
    /// `null` where a value is needed.
    Null,
    /// Not a string.
    NotAString,
    /// Not a boolean.
    NotABoolean,
    /// Not a list of strings.
    NotAList,
    /// Not an e-mail address.
    InvalidEmail,
    /// Longer than this many characters.
    TooLong(usize),
    /// A value outside the allowed ones.
    NotAChoice(String),
    /// A quota size that does not exist.
    NotASize(String),
    /// A password the policy refuses, and why.
    WeakPassword(&'static str),
    /// Any other rule, said in a sentence.
    Rule(&'static str),
}

/// Every problem a body has, by field (`non_field_errors` for the body as a whole).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, Vec<FieldError>>);

impl FieldErrors {
    /// Adds a problem of `field`.
    pub fn add(&mut self, field: &str, error: FieldError) {
        self.0.entry(field.to_owned()).or_default().push(error);
    }

    /// The errors of a single field.
    pub fn of(field: &str, error: FieldError) -> Self {
        let mut errors = Self::default();
        errors.add(field, error);
        errors
    }

    /// `Ok` when there is no problem.
    pub fn into_result(self) -> Result<(), Self> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

/// A body being read: its fields, and the problems found so far.
pub(crate) struct Reader<'a> {
    body: &'a Map<String, Value>,
    pub(crate) errors: FieldErrors,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(body: &'a Map<String, Value>) -> Self {
        Self { body, errors: FieldErrors::default() }
    }

    /// The body being read.
    pub(crate) fn body(&self) -> &'a Map<String, Value> {
        self.body
    }

    /// A required string of at most `max` characters, trimmed as DRF trims.
    pub(crate) fn text(&mut self, name: &str, max: usize) -> Option<String> {
        match self.body.get(name) {
            None => self.refuse(name, FieldError::Required),
            Some(value) => self.string(name, value, max),
        }
    }

    /// An optional string; absent or null is `None`.
    pub(crate) fn optional_text(&mut self, name: &str, max: usize) -> Option<String> {
        match self.body.get(name) {
            None | Some(Value::Null) => None,
            Some(value) => self.string(name, value, max),
        }
    }

    fn string(&mut self, name: &str, value: &Value, max: usize) -> Option<String> {
        let text = match value {
            Value::Null => return self.refuse(name, FieldError::Null),
            Value::String(text) => text.trim(),
            // DRF's CharField takes numbers as their text.
            Value::Number(number) => return Some(number.to_string()),
            _ => return self.refuse(name, FieldError::NotAString),
        };
        if text.is_empty() {
            return self.refuse(name, FieldError::Blank);
        }
        if text.chars().count() > max {
            return self.refuse(name, FieldError::TooLong(max));
        }
        Some(text.to_owned())
    }

    /// A required e-mail address, lower-cased (Steward's logins are e-mails, compared
    /// whatever their case).
    pub(crate) fn email(&mut self, name: &str) -> Option<String> {
        let text = self.text(name, 254)?;
        match steward_model::Email::parse(&text) {
            Ok(email) => Some(email.as_str().to_lowercase()),
            Err(_) => self.refuse(name, FieldError::InvalidEmail),
        }
    }

    /// A list of strings, empty when absent.
    pub(crate) fn list(&mut self, name: &str) -> Vec<String> {
        match self.body.get(name) {
            None => Vec::new(),
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
                items.iter().filter_map(Value::as_str).map(str::to_owned).collect()
            }
            Some(_) => {
                self.errors.add(name, FieldError::NotAList);
                Vec::new()
            }
        }
    }

    fn refuse<T>(&mut self, name: &str, error: FieldError) -> Option<T> {
        self.errors.add(name, error);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn every_problem_is_reported_by_field() {
        let body = body(serde_json::json!({"email": "not-an-email", "project_name": "", "roles": "member"}));
        let mut reader = Reader::new(&body);
        assert_eq!(reader.email("email"), None);
        assert_eq!(reader.text("project_name", 64), None);
        assert_eq!(reader.text("absent", 64), None);
        assert!(reader.list("roles").is_empty());
        let found: Vec<_> = reader.errors.0.iter().map(|(field, errors)| (field.as_str(), errors[0].clone())).collect();
        assert_eq!(
            found,
            [
                ("absent", FieldError::Required),
                ("email", FieldError::InvalidEmail),
                ("project_name", FieldError::Blank),
                ("roles", FieldError::NotAList),
            ]
        );
    }

    #[test]
    fn text_is_trimmed_limited_and_emails_folded() {
        let body = body(serde_json::json!({"name": "  x  ", "long": "a".repeat(65), "email": "New@Example.com", "n": 5}));
        let mut reader = Reader::new(&body);
        assert_eq!(reader.text("name", 64).as_deref(), Some("x"));
        assert_eq!(reader.text("long", 64), None);
        assert_eq!(reader.email("email").as_deref(), Some("new@example.com"));
        assert_eq!(reader.text("n", 64).as_deref(), Some("5"));
        assert_eq!(reader.errors.0["long"], [FieldError::TooLong(64)]);
    }
}
