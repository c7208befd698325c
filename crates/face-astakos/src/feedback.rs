//! `POST /feedback`: a user's message to the operators, form-encoded (as 0.13 read it) or
//! JSON. 200 and 502 have empty bodies, as in 0.13.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use steward_core::messaging::feedback::{FeedbackError, MAX_DATA, MAX_MESSAGE};
use steward_core::{Actor, Principal};
use steward_http::AppState;

use crate::authenticate::{presented_token, refusal};
use crate::fault::Fault;

/// `feedback_msg` and `feedback_data` from a form or a JSON object.
fn fields(headers: &HeaderMap, body: &Bytes) -> Result<(String, String), Fault> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().to_ascii_lowercase().starts_with("application/json"));
    if is_json {
        let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) else {
            return Err(Fault::bad_request("Invalid data"));
        };
        let text = |name: &str| object.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
        return Ok((text("feedback_msg"), text("feedback_data")));
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|_| Fault::bad_request("Invalid data"))?;
    let text = |name: &str| pairs.iter().rev().find(|(key, _)| key == name).map(|(_, value)| value.clone()).unwrap_or_default();
    Ok((text("feedback_msg"), text("feedback_data")))
}

/// `POST /feedback`.
pub async fn feedback(State(state): State<AppState>, method: Method, headers: HeaderMap, RawQuery(query): RawQuery, body: Bytes) -> Response {
    let answer = async {
        if method != Method::POST {
            return Err(Fault::method_not_allowed());
        }
        let params: Vec<(String, String)> = serde_urlencoded::from_str(query.as_deref().unwrap_or("")).unwrap_or_default();
        let account = state.core.user_token(presented_token(&headers, &params).as_deref()).await.map_err(refusal)?.account;
        let (message, data) = fields(&headers, &body)?;
        let actor = Actor::new(Principal::Account(account.clone()), "astakos");
        match state.core.feedback.send(&actor, &account, &message, &data).await {
            Ok(()) => Ok(StatusCode::OK.into_response()),
            Err(FeedbackError::NotSent(why)) => {
                tracing::warn!(%why, "feedback not delivered");
                Ok(StatusCode::BAD_GATEWAY.into_response())
            }
            Err(FeedbackError::Store(error)) => Err(Fault::unexpected(&error)),
            Err(FeedbackError::Invalid) => Err(Fault::bad_request("Invalid data")),
            Err(FeedbackError::TooLong) => Err(Fault::bad_request(format!(
                "The feedback is too long: at most {MAX_MESSAGE} bytes of message and {MAX_DATA} of data"
            ))),
            Err(FeedbackError::RateLimited) => Err(Fault::bad_request("Too many feedback messages; try again in a minute")),
        }
    }
    .await;
    answer.unwrap_or_else(IntoResponse::into_response)
}
