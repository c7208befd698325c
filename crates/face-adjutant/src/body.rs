//! Request bodies: JSON objects only, read by hand so that every way a body can be wrong
//! gets Adjutant's JSON envelope (upstream's exception handler answered these with 500).

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::{Map, Value};

use crate::envelope::Answer;

/// Longest body read (Adjutant's bodies are a few fields).
pub const MAX_BODY: usize = 64 * 1024;

/// What a body holds, before the endpoint says what it wants of it.
#[derive(Debug)]
pub enum Parsed {
    /// No body at all (DRF reads it as an empty object).
    Empty,
    /// A JSON value.
    Json(Value),
}

/// Reads a body as JSON: a non-JSON content type with a body is 415, broken JSON 400.
pub fn parse(headers: &HeaderMap, body: &Bytes) -> Result<Parsed, Answer> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Parsed::Empty);
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence != "application/json" && !essence.ends_with("+json") {
        let shown = if content_type.is_empty() { "none" } else { content_type };
        return Err(Answer::error(StatusCode::UNSUPPORTED_MEDIA_TYPE, format!("Unsupported media type \"{shown}\" in request.")));
    }
    serde_json::from_slice(body).map(Parsed::Json).map_err(|error| Answer::error(StatusCode::BAD_REQUEST, format!("Malformed JSON body: {error}")))
}

/// A body that must be a JSON object (an empty body is an empty object).
pub fn object(headers: &HeaderMap, body: &Bytes) -> Result<Map<String, Value>, Answer> {
    match parse(headers, body)? {
        Parsed::Empty => Ok(Map::new()),
        Parsed::Json(Value::Object(map)) => Ok(map),
        Parsed::Json(_) => Err(Answer::error(StatusCode::BAD_REQUEST, "Request body must be a JSON object.")),
    }
}
