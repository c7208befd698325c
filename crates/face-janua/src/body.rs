//! Reading a web service's JSON object body the way Janua did: a body that is not JSON by
//! its content type, or an empty object, is "not json" (HTTP 200); broken JSON is HTTP 400;
//! either way the message is the service's own.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};

use crate::envelope::WebError;

/// The largest body a web service reads: Janua's requests are a few hundred bytes.
pub const LIMIT: usize = 256 * 1024;

/// Why a body is not a usable JSON object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyProblem {
    /// Not sent as JSON, not an object, or `{}`: Janua's 200 "not json".
    NotJson,
    /// Sent as JSON but not parseable (or not UTF-8): 400 with the same message.
    Broken,
}

/// The raw body of a web-service request, read up to [`LIMIT`].
pub struct RawBody {
    /// The request's headers (for the content type).
    pub headers: HeaderMap,
    /// The bytes.
    pub bytes: Bytes,
}

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = WebError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body): (_, Body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, LIMIT)
            .await
            .map_err(|_| WebError::Status(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large".to_owned()))?;
        Ok(Self { headers: parts.headers, bytes })
    }
}

impl RawBody {
    /// The body as a non-empty JSON object.
    pub fn object(&self) -> Result<serde_json::Map<String, serde_json::Value>, BodyProblem> {
        let is_json = self
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(BodyProblem::NotJson);
        }
        match serde_json::from_slice::<serde_json::Value>(&self.bytes) {
            Ok(serde_json::Value::Object(map)) if !map.is_empty() => Ok(map),
            Ok(_) => Err(BodyProblem::NotJson),
            // An empty body with a JSON content type is Flask's "no JSON", not broken JSON.
            Err(_) if self.bytes.iter().all(u8::is_ascii_whitespace) => Err(BodyProblem::NotJson),
            Err(_) => Err(BodyProblem::Broken),
        }
    }

    /// [`Self::object`] with a problem turned into the service's envelope.
    pub fn object_or(&self, message: &str) -> Result<serde_json::Map<String, serde_json::Value>, WebError> {
        self.object().map_err(|problem| match problem {
            BodyProblem::NotJson => WebError::fail(message),
            BodyProblem::Broken => WebError::Status(StatusCode::BAD_REQUEST, message.to_owned()),
        })
    }
}
