//! `/sms-usage` and `/sms-stats`.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};
use steward_core::messaging::sms::SmsError;
use steward_http::AppState;

use crate::caller::WebCaller;
use crate::envelope::WebError;

fn unavailable(error: &SmsError) -> WebError {
    tracing::error!(%error, "SMS accounting unavailable");
    WebError::fail("Failed to read SMS usage")
}

/// `GET /sms-usage`: `{"smsusage": {"sent", "quota"}}`, plus `global` for the super admin.
pub async fn usage(State(state): State<AppState>, WebCaller(caller): WebCaller) -> Result<Json<Value>, WebError> {
    let usage = state.core.sms.usage(caller.account.id, caller.level).await.map_err(|error| unavailable(&error))?;
    let mut figures = json!({ "sent": usage.sent, "quota": usage.quota.as_str() });
    if let (Some(global), Some(object)) = (usage.global, figures.as_object_mut()) {
        object.insert("global".to_owned(), json!(global));
    }
    Ok(Json(json!({ "smsusage": figures })))
}

/// `GET /sms-stats`: the parts of each month of the current year, January first.
pub async fn stats(State(state): State<AppState>, WebCaller(caller): WebCaller) -> Result<Json<Value>, WebError> {
    let months = state.core.sms.monthly(caller.account.id, caller.level).await.map_err(|error| unavailable(&error))?;
    let objects: Vec<Value> = months.iter().map(|month| json!({ "month": month.month, "value": month.parts })).collect();
    Ok(Json(json!({ "num_results": objects.len(), "objects": objects })))
}
