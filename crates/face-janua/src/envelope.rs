//! Janua's two error envelopes: web services answer `{"success": false, "message"}` (mostly
//! with HTTP 200, as the original), the REST API answers `{"message"}` with a 4xx.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A web-service failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebError {
    /// 200 `{"success": false, "message": …}`: the original's way of saying no.
    Fail(String),
    /// 401 `{"success": false, "message": "Not Authorized"}`: no or bad credentials, or a
    /// role the service does not allow (a wrong role is 401 in Janua, not 403).
    NotAuthorized,
    /// Another status with the same envelope (400 broken JSON, 405, 413, 429, 503).
    Status(StatusCode, String),
}

impl WebError {
    /// A `success: false` answer with HTTP 200.
    pub fn fail(message: impl Into<String>) -> Self {
        Self::Fail(message.into())
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            Self::Fail(message) => (StatusCode::OK, message),
            Self::NotAuthorized => (StatusCode::UNAUTHORIZED, "Not Authorized".to_owned()),
            Self::Status(status, message) => (status, message),
        };
        (status, Json(json!({ "success": false, "message": message }))).into_response()
    }
}

/// Flask-Restless's text when it cannot say which field is wrong.
const VALIDATION: &str = "Could not determine specific validation errors";

/// A REST API failure: `{"message": …}` (and `detail` where Steward can say more).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestError {
    /// HTTP status.
    pub status: StatusCode,
    /// The original's exact text (clients compare it).
    pub message: String,
    /// Steward's actionable sentence, when there is one.
    pub detail: Option<String>,
}

impl RestError {
    /// `{"message": message}` with `status`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into(), detail: None }
    }

    /// 401 `Not Authorized`.
    pub fn not_authorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Not Authorized")
    }

    /// 400 `{"validation_errors": "Could not determine specific validation errors"}`, the
    /// original's answer to a POST naming a field the model does not have.
    pub fn validation(detail: impl Into<String>) -> Self {
        Self { status: StatusCode::BAD_REQUEST, message: VALIDATION.to_owned(), detail: Some(detail.into()) }
    }

    /// Adds Steward's explanation next to the original message.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        let key = if self.message == VALIDATION { "validation_errors" } else { "message" };
        let body = match self.detail {
            Some(detail) => json!({ key: self.message, "detail": detail }),
            None => json!({ key: self.message }),
        };
        (self.status, Json(body)).into_response()
    }
}

/// 405 in the web-services envelope, with `Allow`.
pub fn web_method_not_allowed(allow: &'static str) -> Response {
    let mut response = WebError::Status(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed".to_owned()).into_response();
    response.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}
