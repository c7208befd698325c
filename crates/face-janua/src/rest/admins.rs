//! `/api/ADMIN`: Janua admins (accounts with role `admin` or `supervisor`). The super
//! admin sees all of them, a supervisor itself. Passwords, phone tokens and web tokens are
//! never rendered nor searchable.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Json};
use serde_json::{Value, json};
use steward_core::messaging::admins::{AdminError, AdminInput, AdminUpdate, JanuaAdmin};
use steward_http::AppState;
use time::macros::format_description;

use super::{ListQuery, RestBody, Write, created, known_fields, not_found, parse_id, text};
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
        "auth_backend": admin.auth_backend.as_str(),
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
    let (skip, size) = query.window();
    let page = state
        .core
        .janua_admins
        .search(&state.core.sms, &caller.account, caller.level, &query.search, skip, size)
        .await
        .map_err(admin_error)?;
    let objects: Vec<Value> = page.rows.iter().map(|admin| render(&state, admin)).collect();
    query.respond(objects, page.total, &prefix, PATH)
}

/// `GET /api/ADMIN/<id>`.
pub async fn get(State(state): State<AppState>, RestCaller(caller): RestCaller, Path(id): Path<String>) -> Result<Json<Value>, RestError> {
    let id = parse_id(&id)?;
    let admin = state.core.janua_admins.get(&state.core.sms, &caller.account, caller.level, id).await.map_err(admin_error)?;
    Ok(Json(render(&state, &admin)))
}

const FIELDS: [&str; 13] = [
    "id",
    "login",
    "password",
    "name",
    "firstname",
    "phone_number",
    "email",
    "level",
    "sms_quota",
    "recipient_filter",
    "has_client",
    "last_quota_reached",
    "auth_backend",
];

fn write_error(error: AdminError) -> RestError {
    match error {
        AdminError::NotAllowed => RestError::new(StatusCode::METHOD_NOT_ALLOWED, "405: Method Not Allowed"),
        AdminError::PasswordMissing => RestError::new(StatusCode::METHOD_NOT_ALLOWED, "Password is missing"),
        AdminError::Integrity(detail) => RestError::new(StatusCode::BAD_REQUEST, "IntegrityError").with_detail(detail),
        AdminError::PrefixNotAllowed => RestError::new(StatusCode::BAD_REQUEST, "Phone number prefix not allowed"),
        AdminError::Invalid(message) => RestError::new(StatusCode::BAD_REQUEST, message),
        AdminError::Denied(reason) => RestError::new(StatusCode::UNAUTHORIZED, reason),
        AdminError::PrefixNotAllowedOnUpdate => RestError::new(StatusCode::UNPROCESSABLE_ENTITY, "Phone number prefix not allowed"),
        AdminError::DeleteNotAllowed => RestError::new(StatusCode::METHOD_NOT_ALLOWED, "Not authorized"),
        other => admin_error(other),
    }
}

fn boolean(body: &serde_json::Map<String, Value>, key: &str) -> Result<Option<bool>, RestError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(value)) => Ok(Some(*value)),
        Some(_) => Err(RestError::new(StatusCode::BAD_REQUEST, "IntegrityError").with_detail(format!("{key} must be true or false"))),
    }
}

/// `POST /api/ADMIN`: the super admin creates a supervisor (201); a supervisor gets 405.
pub async fn create(
    State(state): State<AppState>,
    Extension(prefix): Extension<Prefix>,
    RestCaller(caller): RestCaller,
    RestBody(body): RestBody,
) -> Result<Response, RestError> {
    if caller.level != steward_core::messaging::admins::Level::Admin {
        return Err(write_error(AdminError::NotAllowed));
    }
    known_fields(&body, &FIELDS, Write::Create)?;
    let input = AdminInput {
        login: text(&body, "login")?,
        password: text(&body, "password")?,
        name: text(&body, "name")?,
        firstname: text(&body, "firstname")?,
        phone_number: text(&body, "phone_number")?,
        email: text(&body, "email")?,
        sms_quota: text(&body, "sms_quota")?,
        recipient_filter: boolean(&body, "recipient_filter")?,
        auth_backend: backend(&body)?,
    };
    let id = state
        .core
        .janua_admins
        .create(&caller.actor, caller.level, &caller.account, input)
        .await
        .map_err(write_error)?;
    state.outbox_waker.notify_one();
    let admin = state.core.janua_admins.get(&state.core.sms, &caller.account, caller.level, id).await.map_err(admin_error)?;
    Ok(created(render(&state, &admin), prefix.path(&format!("{PATH}/{id}"))))
}

/// `auth_backend`: `local` or `ldap`.
fn backend(body: &serde_json::Map<String, Value>) -> Result<Option<steward_model::AuthBackend>, RestError> {
    text(body, "auth_backend")?
        .map(|raw| steward_model::AuthBackend::parse(&raw).map_err(|error| RestError::new(StatusCode::BAD_REQUEST, error.0)))
        .transpose()
}

fn integer(body: &serde_json::Map<String, Value>, key: &str) -> Result<Option<i64>, RestError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => number.as_i64().map(Some).ok_or_else(|| RestError::new(StatusCode::BAD_REQUEST, "IntegrityError")),
        Some(_) => Err(RestError::new(StatusCode::BAD_REQUEST, "IntegrityError").with_detail(format!("{key} must be an integer"))),
    }
}

/// `PUT /api/ADMIN/<id>`: Janua's rules for who may change what (see the core).
pub async fn update(
    State(state): State<AppState>,
    RestCaller(caller): RestCaller,
    Path(id): Path<String>,
    RestBody(body): RestBody,
) -> Result<Json<Value>, RestError> {
    let id = parse_id(&id)?;
    known_fields(&body, &FIELDS, Write::Update)?;
    let input = AdminUpdate {
        login: text(&body, "login")?,
        password: text(&body, "password")?,
        name: text(&body, "name")?,
        firstname: text(&body, "firstname")?,
        phone_number: text(&body, "phone_number")?,
        email: text(&body, "email")?,
        level: integer(&body, "level")?,
        sms_quota: text(&body, "sms_quota")?,
        recipient_filter: boolean(&body, "recipient_filter")?,
        auth_backend: backend(&body)?,
        presented_token: caller.token_fingerprint.clone(),
    };
    state
        .core
        .janua_admins
        .update(&state.core.sms, &caller.actor, &caller.account, caller.level, id, input)
        .await
        .map_err(write_error)?;
    state.outbox_waker.notify_one();
    let admin = state.core.janua_admins.get(&state.core.sms, &caller.account, caller.level, id).await.map_err(admin_error)?;
    Ok(Json(render(&state, &admin)))
}

/// `DELETE /api/ADMIN/<id>` → 204.
pub async fn delete(State(state): State<AppState>, RestCaller(caller): RestCaller, Path(id): Path<String>) -> Result<Response, RestError> {
    let id = parse_id(&id)?;
    state
        .core
        .janua_admins
        .delete(&state.core.sms, &caller.actor, &caller.account, caller.level, id)
        .await
        .map_err(write_error)?;
    state.outbox_waker.notify_one();
    Ok(axum::response::IntoResponse::into_response(StatusCode::NO_CONTENT))
}

/// `GET /api/ADMIN/<id>/<relation>[/<related>]`: Janua's ADMIN model has no relations, so
/// every such path is 404, after the caller is authenticated and the ids are read.
pub async fn related(RestCaller(_caller): RestCaller, Path(path): Path<Vec<String>>) -> Result<Response, RestError> {
    super::parse_related(&path)?;
    Err(not_found().with_detail("ADMIN has no relations"))
}
