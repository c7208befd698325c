//! Astakos' answers: faults as `{"<faultName>": {"code", "message", "details"}}` with the
//! 0.13 message texts, and JSON or JSONP bodies.

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An Astakos fault.
#[derive(Debug)]
pub struct Fault {
    status: StatusCode,
    message: String,
}

impl Fault {
    /// 400 `badRequest`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self { status: StatusCode::BAD_REQUEST, message: message.into() }
    }

    /// 401 `unauthorized` with one of the 0.13 messages.
    pub fn unauthorized(message: &str) -> Self {
        Self { status: StatusCode::UNAUTHORIZED, message: message.to_owned() }
    }

    /// 500 `Unexpected error`: the store failed (never for bad input).
    pub fn unexpected(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(%cause, "an Astakos request failed");
        Self { status: StatusCode::INTERNAL_SERVER_ERROR, message: "Unexpected error".to_owned() }
    }

    /// 400 `Method not allowed.`: Astakos answers a wrong method with 400, before any
    /// token check.
    pub fn method_not_allowed() -> Self {
        Self::bad_request("Method not allowed.")
    }
}

impl IntoResponse for Fault {
    fn into_response(self) -> Response {
        let name = match self.status {
            StatusCode::BAD_REQUEST => "badRequest",
            StatusCode::UNAUTHORIZED => "unauthorized",
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::NOT_FOUND => "itemNotFound",
            _ => "internalServerError",
        };
        let body = json!({ name: { "code": self.status.as_u16(), "message": self.message, "details": "" } });
        json_response(self.status, &body)
    }
}

/// `body` as `application/json; charset=UTF-8`.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    json_bytes_response(status, body.to_string().into_bytes())
}

/// JSON already rendered, with Astakos' content type.
pub fn json_bytes_response(status: StatusCode, json: Vec<u8>) -> Response {
    let mut response = (status, json).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=UTF-8"));
    response
}

/// Whether `callback` may name a JSONP function: `^[A-Za-z_$][A-Za-z0-9_$.]*$` (the
/// original echoed it unchecked, an XSS hole).
fn is_callback(callback: &str) -> bool {
    let mut characters = callback.chars();
    characters.next().is_some_and(|first| first.is_ascii_alphabetic() || first == '_' || first == '$')
        && characters.all(|character| character.is_ascii_alphanumeric() || matches!(character, '_' | '$' | '.'))
}

/// `body` as JSON, or as `callback(body)` JavaScript when the query names a callback.
pub fn json_or_jsonp(callback: Option<&str>, body: &Value) -> Result<Response, Fault> {
    let Some(callback) = callback else {
        return Ok(json_response(StatusCode::OK, body));
    };
    if !is_callback(callback) {
        return Err(Fault::bad_request("Invalid callback"));
    }
    let mut response = (StatusCode::OK, format!("{callback}({body})")).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/javascript; charset=UTF-8"));
    Ok(response)
}

/// The catalog views take GET, HEAD and POST alike; anything else is Astakos' 400.
pub fn any_read_method(method: &Method) -> Result<(), Fault> {
    if matches!(*method, Method::GET | Method::HEAD | Method::POST) { Ok(()) } else { Err(Fault::method_not_allowed()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_are_identifiers_only() {
        for good in ["cb", "jQuery123_456", "$.cb", "_x.y$z"] {
            assert!(is_callback(good), "{good}");
        }
        for bad in ["", "1cb", "cb()", "alert(1)//", "a-b", "a b", "<script>", "cb;"] {
            assert!(!is_callback(bad), "{bad}");
        }
    }
}
