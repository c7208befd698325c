//! `/api/ADMIN`: Janua admins (accounts with role `admin` or `supervisor`). The super
//! admin sees all of them, a supervisor itself. Passwords, phone tokens and web tokens are
//! never rendered nor searchable. Writes come in a later step (docs/faces/janua.md).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use serde_json::{Value, json};
use steward_core::janua::{AdminError, JanuaAdmin};
use steward_http::AppState;
use time::macros::format_description;

use super::{ListQuery, list_response, not_found, parse_id, single_response};
use crate::Prefix;
use crate::caller::RestCaller;
use crate::envelope::RestError;

const PATH: &str = "/api/ADMIN";

fn admin_error(error: AdminError) -> RestError {
    match error {
        AdminError::NotFound => not_found(),
        AdminError::BadQuery(detail) => RestError::new(StatusCode::BAD_REQUEST, "Unable to construct query").with_detail(detail),
        other => {
            tracing::error!(error = %other, "Janua admins unavailable");
            RestError::new(StatusCode::SERVICE_UNAVAILABLE, "503: Service Unavailable")
        }
    }
}

fn render(state: &AppState, admin: &JanuaAdmin) -> Value {
    let iso = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let last_quota_reached =
        admin.last_quota_reached.map(|at| state.core.sms.local_time(at).format(&iso).unwrap_or_default());
    json!({
        "id": admin.id,
        "login": admin.login,
        "name": admin.name,
        "firstname": admin.firstname,
        "fullname": admin.fullname(),
        "phone_number": admin.phone_number,
        "email": admin.email,
        "level": admin.level.number(),
        "sms_quota": admin.sms_quota,
        "recipient_filter": admin.recipient_filter,
        "has_client": admin.has_client,
        "last_quota_reached": last_quota_reached,
        "auth_backend": admin.auth_backend,
    })
}

/// `GET /api/ADMIN`.
pub async fn list(
    State(state): State<AppState>,
    Extension(prefix): Extension<Prefix>,
    RestCaller(caller): RestCaller,
    RawQuery(query): RawQuery,
) -> Result<Response, RestError> {
    let query = ListQuery::parse(query.as_deref())?;
    let (skip, size) = if query.search.single() { (0, 2) } else { (query.skip(), query.per_page) };
    let page = state
        .core
        .janua_admins
        .search(&state.core.sms, &caller.account, caller.level, &query.search, skip, size)
        .await
        .map_err(admin_error)?;
    let objects: Vec<Value> = page.rows.iter().map(|admin| render(&state, admin)).collect();
    if query.search.single() {
        return single_response(objects, page.total, |object| prefix.path(&format!("{PATH}/{}", object["id"])));
    }
    Ok(list_response(objects, page.total, &query, &prefix, PATH))
}

/// `GET /api/ADMIN/<id>`.
pub async fn get(State(state): State<AppState>, RestCaller(caller): RestCaller, Path(id): Path<String>) -> Result<Json<Value>, RestError> {
    let id = parse_id(&id)?;
    let admin = state.core.janua_admins.get(&state.core.sms, &caller.account, caller.level, id).await.map_err(admin_error)?;
    Ok(Json(render(&state, &admin)))
}
