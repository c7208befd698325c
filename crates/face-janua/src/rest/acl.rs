//! `/api/ACTION` and the three access lists (`AUTHORIZED_GROUP_ACTION`,
//! `AUTHORIZED_SUPERVISOR_ACTION`, `CONTACT_NOTIFY_ACTION`).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Map, Value, json};
use steward_core::messaging::access_lists::{AccessInput, AccessList, AccessRow, AclError, ActionRow};
use steward_http::AppState;

use super::{ListQuery, RestBody, Write, created, id_field, known_fields, not_found, parse_id};
use crate::Prefix;
use crate::caller::RestCaller;
use crate::envelope::RestError;

fn acl_error(error: AclError, list: Option<AccessList>) -> RestError {
    match error {
        AclError::NotFound if list == Some(AccessList::ContactNotify) => RestError::new(StatusCode::NOT_FOUND, "Bad instance"),
        AclError::NotFound => not_found(),
        AclError::NotAuthorized => RestError::not_authorized(),
        AclError::NotAllowed => RestError::new(StatusCode::METHOD_NOT_ALLOWED, "405: Method Not Allowed"),
        AclError::Missing(message) => RestError::new(StatusCode::BAD_REQUEST, message),
        AclError::Forbidden(message) => {
            RestError::new(StatusCode::FORBIDDEN, message).with_detail("the action must be one you manage (Steward runs no keyword actions)")
        }
        AclError::Unknown(message) => RestError::new(StatusCode::BAD_REQUEST, message),
        AclError::BadQuery(detail) => RestError::new(StatusCode::BAD_REQUEST, "Unable to construct query").with_detail(detail),
        AclError::Store(cause) => {
            tracing::error!(%cause, "Janua access lists unavailable");
            RestError::new(StatusCode::SERVICE_UNAVAILABLE, "503: Service Unavailable")
        }
    }
}

fn render_action(action: &ActionRow) -> Value {
    json!({
        "id": action.id,
        "name": action.name,
        "description": action.description,
        "authentication": action.authentication,
        "enabled": action.enabled,
        "admin_id": action.admin_id,
    })
}

fn render_row(row: &AccessRow) -> Value {
    let mut object = Map::new();
    object.insert("id".into(), json!(row.id));
    for (column, value) in &row.columns {
        object.insert((*column).to_owned(), json!(value));
    }
    Value::Object(object)
}

/// `GET /api/ACTION`.
pub async fn actions(
    State(state): State<AppState>,
    Extension(prefix): Extension<Prefix>,
    RestCaller(caller): RestCaller,
    RawQuery(query): RawQuery,
) -> Result<Response, RestError> {
    let query = ListQuery::parse(query.as_deref())?;
    let (skip, size) = query.window();
    let page = state.core.janua_acl.actions(&caller.account, caller.level, &query.search, skip, size).await.map_err(|error| acl_error(error, None))?;
    let objects: Vec<Value> = page.rows.iter().map(render_action).collect();
    query.respond(objects, page.total, &prefix, "/api/ACTION")
}

/// `GET /api/ACTION/<id>`.
pub async fn action(State(state): State<AppState>, RestCaller(caller): RestCaller, Path(id): Path<String>) -> Result<Json<Value>, RestError> {
    let id = parse_id(&id)?;
    let action = state.core.janua_acl.action(&caller.account, caller.level, id).await.map_err(|error| acl_error(error, None))?;
    Ok(Json(render_action(&action)))
}

/// `GET /api/ACTION/<id>/<relation>[/<related>]`. Steward runs no keyword actions, so
/// the ACTION table stays empty and an action id is never found; a row an operator wrote
/// by hand is refused with a detail rather than answered with made-up relations.
pub async fn action_related(State(state): State<AppState>, RestCaller(caller): RestCaller, Path(path): Path<Vec<String>>) -> Result<Response, RestError> {
    let (id, relation, _) = super::parse_related(&path)?;
    state.core.janua_acl.action(&caller.account, caller.level, id).await.map_err(|error| acl_error(error, None))?;
    let detail = match relation {
        "admin" | "authorized_group" | "authorized_supervisor" | "contact_notify" => {
            "the relations of actions are not served: Steward runs no keyword actions"
        }
        _ => "ACTION has no such relation",
    };
    Err(not_found().with_detail(detail))
}

/// `PUT /api/ACTION/<id>` `{"admin_id"}`: the super admin reassigns an action.
pub async fn reassign(
    State(state): State<AppState>,
    RestCaller(caller): RestCaller,
    Path(id): Path<String>,
    RestBody(body): RestBody,
) -> Result<Json<Value>, RestError> {
    let id = parse_id(&id)?;
    // Janua dropped every other key silently; so does Steward.
    let admin_id = id_field(&body, "admin_id")?;
    state.core.janua_acl.reassign(&caller.actor, caller.level, id, admin_id).await.map_err(|error| acl_error(error, None))?;
    let action = state.core.janua_acl.action(&caller.account, caller.level, id).await.map_err(|error| acl_error(error, None))?;
    Ok(Json(render_action(&action)))
}

/// Which list a route serves, and its URL.
#[derive(Debug, Clone, Copy)]
pub struct ListRoute {
    /// The list.
    pub list: AccessList,
    /// `/api/<MODEL>`.
    pub path: &'static str,
}

/// `GET /api/<LIST>`.
pub async fn list(
    State(state): State<AppState>,
    Extension(prefix): Extension<Prefix>,
    Extension(route): Extension<ListRoute>,
    RestCaller(caller): RestCaller,
    RawQuery(query): RawQuery,
) -> Result<Response, RestError> {
    let query = ListQuery::parse(query.as_deref())?;
    let (skip, size) = query.window();
    let page = state
        .core
        .janua_acl
        .rows(route.list, &caller.account, caller.level, &query.search, skip, size)
        .await
        .map_err(|error| acl_error(error, Some(route.list)))?;
    let objects: Vec<Value> = page.rows.iter().map(render_row).collect();
    query.respond(objects, page.total, &prefix, route.path)
}

/// `GET /api/<LIST>/<id>`.
pub async fn get(
    State(state): State<AppState>,
    Extension(route): Extension<ListRoute>,
    RestCaller(caller): RestCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, RestError> {
    let id = parse_id(&id)?;
    let row = state.core.janua_acl.row(route.list, &caller.account, caller.level, id).await.map_err(|error| acl_error(error, Some(route.list)))?;
    Ok(Json(render_row(&row)))
}

/// `POST /api/<LIST>`.
pub async fn create(
    State(state): State<AppState>,
    Extension(prefix): Extension<Prefix>,
    Extension(route): Extension<ListRoute>,
    RestCaller(caller): RestCaller,
    RestBody(body): RestBody,
) -> Result<Response, RestError> {
    let allowed: Vec<&str> = route.list.fields().fields.iter().map(|field| field.name).collect();
    known_fields(&body, &allowed, Write::Create)?;
    let input = AccessInput {
        group_id: id_field(&body, "group_id")?,
        admin_id: id_field(&body, "admin_id")?,
        action_id: id_field(&body, "action_id")?,
        contact_id: id_field(&body, "contact_id")?,
    };
    let row = state
        .core
        .janua_acl
        .create(route.list, &caller.account, caller.level, input)
        .await
        .map_err(|error| acl_error(error, Some(route.list)))?;
    Ok(created(render_row(&row), prefix.path(&format!("{}/{}", route.path, row.id))))
}

/// `DELETE /api/<LIST>/<id>` → 204.
pub async fn delete(
    State(state): State<AppState>,
    Extension(route): Extension<ListRoute>,
    RestCaller(caller): RestCaller,
    Path(id): Path<String>,
) -> Result<Response, RestError> {
    let id = parse_id(&id)?;
    state
        .core
        .janua_acl
        .delete(&caller.actor, route.list, &caller.account, caller.level, id)
        .await
        .map_err(|error| acl_error(error, Some(route.list)))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
