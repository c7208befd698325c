//! `POST /sendmail`: `{"to", "subject", "message"}` or `{"to", "template", "template_args"}`
//! → one queued mail per recipient.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use serde_json::{Value, json};
use steward_core::messaging::templates::Language;
use steward_core::messaging::send::{MailContent, SendError};
use steward_http::AppState;

use crate::body::RawBody;
use crate::caller::WebCaller;
use crate::envelope::WebError;

/// `template_args`: an object, or (as the original declared it) a string holding one.
/// Values are rendered as text: strings as they are, other JSON values as JSON.
fn template_arguments(value: Option<&Value>) -> Result<BTreeMap<String, String>, WebError> {
    let wrong = || WebError::fail("Wrong value for argument template_args");
    let object = match value {
        None | Some(Value::Null) => return Ok(BTreeMap::new()),
        Some(Value::Object(object)) => object.clone(),
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(object)) => object,
            _ => return Err(wrong()),
        },
        Some(_) => return Err(wrong()),
    };
    Ok(object
        .into_iter()
        .map(|(key, value)| {
            let text = match value {
                Value::String(text) => text,
                other => other.to_string(),
            };
            (key, text)
        })
        .collect())
}

/// `POST /sendmail`. The success message is the seed's ("SMS message has been queued", a
/// copy-paste in Janua's documentation that clients may compare).
pub async fn send(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    headers: HeaderMap,
    body: RawBody,
) -> Result<Json<Value>, WebError> {
    let body = body.object_or("Not in json format")?;
    let to = match body.get("to") {
        None => return Err(WebError::fail("Failed to trigger action: Action argument to is required")),
        Some(Value::String(to)) => to.clone(),
        Some(_) => return Err(WebError::fail("Wrong value for argument to")),
    };
    let content = match body.get("template") {
        Some(Value::String(name)) if !name.is_empty() => {
            let language = Language::from_accept_language(headers.get(header::ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok()));
            MailContent::Template { name: name.clone(), arguments: template_arguments(body.get("template_args"))?, language }
        }
        Some(Value::String(_)) | None | Some(Value::Null) => {
            let Some(Value::String(message)) = body.get("message") else {
                return Err(WebError::fail("Message argument must be a string"));
            };
            let Some(Value::String(subject)) = body.get("subject") else {
                return Err(WebError::fail("Subject argument must be a string"));
            };
            MailContent::Text { subject: subject.clone(), body: message.clone() }
        }
        Some(_) => return Err(WebError::fail("Wrong value for argument template")),
    };
    if to.is_empty() {
        return Err(WebError::fail("No recipients was found to send email"));
    }
    state
        .core
        .messaging
        .send_mail(&caller.actor, &caller.account, content, &to)
        .await
        .map_err(|error| match error {
            SendError::Accounting(_) | SendError::Store(_) => {
                tracing::error!(%error, "sendmail could not queue");
                WebError::fail("Failed to queue mail, try again shortly")
            }
            SendError::Empty => WebError::fail("No recipients was found to send email"),
            refusal => WebError::fail(super::refusals::wording(&refusal)),
        })?;
    Ok(Json(json!({ "success": true, "message": "SMS message has been queued" })))
}
