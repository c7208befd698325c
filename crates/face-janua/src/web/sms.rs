//! `POST /sendsms`: `{"message", "to"}` → one queued SMS per recipient.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};
use steward_core::messaging::send::SendError;
use steward_http::AppState;
use steward_model::sms::SmsText;

use crate::body::RawBody;
use crate::caller::WebCaller;
use crate::envelope::WebError;

/// A required string argument, checked in alphabetical order as Janua's dispatcher did.
fn argument<'a>(body: &'a serde_json::Map<String, Value>, name: &str) -> Result<&'a str, WebError> {
    match body.get(name) {
        None => Err(WebError::fail(format!("Failed to trigger action: Action argument {name} is required"))),
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(WebError::fail(format!("Wrong value for argument {name}"))),
    }
}

/// `POST /sendsms`.
pub async fn send(State(state): State<AppState>, WebCaller(caller): WebCaller, body: RawBody) -> Result<Json<Value>, WebError> {
    let body = body.object_or("Not in json format")?;
    let message = argument(&body, "message")?;
    let to = argument(&body, "to")?;
    if message.is_empty() || to.is_empty() {
        return Err(WebError::fail(super::refusals::wording(&SendError::Empty)));
    }
    let text = SmsText::parse(message).map_err(|error| WebError::fail(error.to_string()))?;
    state
        .core
        .messaging
        .send_sms(&caller.actor, &caller.account, &text, to)
        .await
        .map_err(|error| match error {
            SendError::Accounting(_) | SendError::Store(_) => {
                tracing::error!(%error, "sendsms could not queue");
                WebError::fail("Failed to queue SMS, try again shortly")
            }
            refusal => WebError::fail(super::refusals::wording(&refusal)),
        })?;
    Ok(Json(json!({ "success": true, "message": "SMS message has been queued" })))
}
