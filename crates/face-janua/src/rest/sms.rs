//! `/api/SMS`: the caller's SMS log, read only.

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use steward_core::messaging::sms::SmsError;
use steward_http::AppState;
use time::macros::format_description;

use super::ListQuery;
use crate::Prefix;
use crate::caller::RestCaller;
use crate::envelope::RestError;

const PATH: &str = "/api/SMS";

fn sms_error(error: SmsError) -> RestError {
    match error {
        SmsError::BadQuery(detail) => RestError::new(StatusCode::BAD_REQUEST, "Unable to construct query").with_detail(detail),
        other => {
            tracing::error!(error = %other, "SMS log unavailable");
            RestError::new(StatusCode::SERVICE_UNAVAILABLE, "503: Service Unavailable")
        }
    }
}

/// `GET /api/SMS`: dates are naive ISO 8601 in the configured `timezone`, as Janua rendered
/// its local time.
pub async fn list(
    State(state): State<AppState>,
    Extension(prefix): Extension<Prefix>,
    RestCaller(caller): RestCaller,
    RawQuery(query): RawQuery,
) -> Result<Response, RestError> {
    let query = ListQuery::parse(query.as_deref())?;
    let (skip, size) = query.window();
    let page = state.core.sms.search_log(caller.account.id, &query.search, skip, size).await.map_err(sms_error)?;
    let iso = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let objects: Vec<Value> = page
        .rows
        .iter()
        .map(|row| {
            let local = state.core.sms.local_time(row.date_time).format(&iso).unwrap_or_default();
            json!({
                "id": row.id,
                "date_time": local,
                "sender": row.sender,
                "recipient": row.recipient,
                "recipient_phone_number": row.recipient_phone_number,
                "raw_message": row.raw_message,
                "authorized": row.authorized,
                "status": row.status,
                "number_of_slices": row.number_of_slices,
            })
        })
        .collect();
    query.respond(objects, page.total, &prefix, PATH)
}

/// `GET /api/SMS/<id>`: not supported by Janua (404 "Not supported").
pub async fn get(RestCaller(_caller): RestCaller) -> RestError {
    RestError::new(StatusCode::NOT_FOUND, "Not supported")
}
