//! `/get_sms_config` and `/get_web_config`: the plug-in actions a Janua client may trigger.
//! Steward runs no plug-ins, so both lists are empty (janua.md §3 W10–W11).

use axum::Json;
use serde_json::{Value, json};

use crate::caller::WebCaller;

/// `GET /get_sms_config`.
pub async fn sms(WebCaller(_caller): WebCaller) -> Json<Value> {
    Json(json!({ "totalaction": 0, "totalcategory": 0, "action": [], "category": [], "phone_token": null }))
}

/// `GET /get_web_config`.
pub async fn web(WebCaller(_caller): WebCaller) -> Json<Value> {
    Json(json!({ "totalaction": 0, "totalcategory": 0, "action": [], "category": [] }))
}
