//! `/api/CONTACT_GROUP`: memberships of the caller's groups.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Value, json};
use steward_http::AppState;
use steward_model::directory::Membership;

use super::{ListQuery, RestBody, Write, created, directory_error, id_field, known_fields, parse_id};
use crate::Prefix;
use crate::caller::RestCaller;
use crate::envelope::RestError;

const PATH: &str = "/api/CONTACT_GROUP";
const FIELDS: [&str; 3] = ["id", "group_id", "contact_id"];

fn render(membership: &Membership) -> Value {
    json!({ "id": membership.id, "group_id": membership.group_id, "contact_id": membership.contact_id })
}

/// `GET /api/CONTACT_GROUP`.
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
        .directory
        .search_memberships(caller.account.id, &query.search, skip, size)
        .await
        .map_err(|error| directory_error(error, StatusCode::BAD_REQUEST))?;
    let objects: Vec<Value> = page.rows.iter().map(render).collect();
    query.respond(objects, page.total, &prefix, PATH)
}

/// `POST /api/CONTACT_GROUP` `{"group_id", "contact_id"}`: both must be the caller's (403).
pub async fn create(
    State(state): State<AppState>,
    Extension(prefix): Extension<Prefix>,
    RestCaller(caller): RestCaller,
    RestBody(body): RestBody,
) -> Result<Response, RestError> {
    known_fields(&body, &FIELDS, Write::Create)?;
    let (Some(group_id), Some(contact_id)) = (id_field(&body, "group_id")?, id_field(&body, "contact_id")?) else {
        return Err(RestError::new(StatusCode::BAD_REQUEST, "400: Bad Request").with_detail("group_id and contact_id are required"));
    };
    let membership = state
        .core
        .directory
        .add_member(&caller.actor, caller.account.id, group_id, contact_id)
        .await
        .map_err(|error| directory_error(error, StatusCode::BAD_REQUEST))?;
    Ok(created(render(&membership), prefix.path(&format!("{PATH}/{}", membership.id))))
}

/// `GET /api/CONTACT_GROUP/<id>`.
pub async fn get(State(state): State<AppState>, RestCaller(caller): RestCaller, Path(id): Path<String>) -> Result<Json<Value>, RestError> {
    let id = parse_id(&id)?;
    let membership = state.core.directory.membership(caller.account.id, id).await.map_err(|error| directory_error(error, StatusCode::BAD_REQUEST))?;
    Ok(Json(render(&membership)))
}

/// `PUT /api/CONTACT_GROUP/<id>`: the new group and contact must be the caller's too.
pub async fn update(
    State(state): State<AppState>,
    RestCaller(caller): RestCaller,
    Path(id): Path<String>,
    RestBody(body): RestBody,
) -> Result<Json<Value>, RestError> {
    let id = parse_id(&id)?;
    known_fields(&body, &FIELDS, Write::Update)?;
    let membership = state
        .core
        .directory
        .update_member(&caller.actor, caller.account.id, id, id_field(&body, "group_id")?, id_field(&body, "contact_id")?)
        .await
        .map_err(|error| directory_error(error, StatusCode::BAD_REQUEST))?;
    Ok(Json(render(&membership)))
}

/// `DELETE /api/CONTACT_GROUP/<id>` → 204.
pub async fn delete(State(state): State<AppState>, RestCaller(caller): RestCaller, Path(id): Path<String>) -> Result<Response, RestError> {
    let id = parse_id(&id)?;
    state.core.directory.remove_member(&caller.actor, caller.account.id, id).await.map_err(|error| directory_error(error, StatusCode::BAD_REQUEST))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
