//! A JSON body extractor whose every rejection (wrong content type, broken JSON, invalid
//! UTF-8, a body over the limit, a body that is not an object) is a problem-details 4xx
//! instead of axum's plain text.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::Problem;

/// `Json<T>` with problem-details rejections. The body must be a JSON object: serde would
/// otherwise read a struct from an array of its fields in order (`["admin", "secret"]`
/// as a login), which no client means.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let value = match axum::Json::<serde_json::Value>::from_request(request, state).await {
            Ok(axum::Json(value)) => value,
            Err(rejection) => return Err(problem_of(&rejection)),
        };
        if !value.is_object() {
            return Err(Problem::bad_request("The body must be a JSON object."));
        }
        T::deserialize(value).map(Self).map_err(|error| {
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, format!("The JSON does not have the expected fields: {error}"))
        })
    }
}

fn problem_of(rejection: &JsonRejection) -> Problem {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The body must be JSON, sent with Content-Type: application/json.",
        ),
        JsonRejection::JsonSyntaxError(error) => {
            Problem::bad_request(format!("The body is not valid JSON: {}", error.body_text()))
        }
        JsonRejection::JsonDataError(error) => {
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, format!("The JSON does not have the expected fields: {}", error.body_text()))
        }
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "The body is too large.")
        }
        other => Problem::bad_request(format!("The body could not be read: {}", other.body_text())),
    }
}
