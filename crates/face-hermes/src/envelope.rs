//! Hermes' answers. Every body is a JSON object with `response`; `ok`, `invalid`, `failed`
//! and `error` are all HTTP 200 (the seed's clients read `response`), and only transport
//! problems use other statuses (401, 403, 404 unknown node, 405 method).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use steward_core::sip::SipError;

/// A node's answer.
#[derive(Debug)]
pub struct Answer {
    status: StatusCode,
    body: Value,
}

impl Answer {
    /// `{"response": "ok", …fields}`.
    pub fn ok(fields: Value) -> Self {
        let mut body = Map::new();
        body.insert("response".into(), json!("ok"));
        if let Value::Object(fields) = fields {
            body.extend(fields);
        }
        Self { status: StatusCode::OK, body: Value::Object(body) }
    }

    /// `{"response": "invalid", "cause", "detail"}`: the request is malformed.
    pub fn invalid(cause: &str, detail: impl Into<String>) -> Self {
        Self::with(StatusCode::OK, "invalid", cause, detail)
    }

    /// `{"response": "failed", "cause", "detail"}`: well-formed, but not done.
    pub fn failed(cause: &str, detail: impl Into<String>) -> Self {
        Self::with(StatusCode::OK, "failed", cause, detail)
    }

    /// A transport-level refusal in the envelope (401, 403, 404, 405).
    pub fn transport(status: StatusCode, cause: &str, detail: impl Into<String>) -> Self {
        Self::with(status, "invalid", cause, detail)
    }

    fn with(status: StatusCode, response: &str, cause: &str, detail: impl Into<String>) -> Self {
        Self { status, body: json!({ "response": response, "cause": cause, "detail": detail.into() }) }
    }
}

impl From<SipError> for Answer {
    fn from(error: SipError) -> Self {
        let cause = match &error {
            SipError::Invalid { cause, detail } => return Self::invalid(cause, detail.clone()),
            // The seed's spelling, which clients compare.
            SipError::NonExistent(_) => "nonexistant",
            SipError::Exists(_) => "exists",
            SipError::InUse(_) => "inuse",
            SipError::NxDomain(_) => "nxdomain",
            SipError::LocalDomain(_) => "localdomain",
            SipError::Remote(_) => "remote",
            SipError::DbFail(_) | SipError::Store(_) => "dbfail",
        };
        if cause == "dbfail" {
            tracing::warn!(%error, "a Hermes node could not write");
        }
        Self::failed(cause, error.to_string())
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"hermes\""));
        }
        response
    }
}
