//! `/api/GROUPS`: the caller's own groups, with their contacts.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Map, Value, json};
use steward_http::AppState;
use steward_model::directory::Group;

use super::contacts::contact_columns;
use super::{ListQuery, RestBody, Write, created, directory_error, known_fields, parse_id, text};
use crate::Prefix;
use crate::caller::RestCaller;
use crate::envelope::RestError;

const PATH: &str = "/api/GROUPS";
const FIELDS: [&str; 6] = ["id", "name", "description", "admin_id", "contacts", "actions"];

async fn render(state: &AppState, groups: &[Group]) -> Result<Vec<Value>, RestError> {
    let ids: Vec<i64> = groups.iter().map(|group| group.id).collect();
    let contacts = state.core.directory.contacts_of_groups(&ids).await.map_err(|error| directory_error(error, StatusCode::BAD_REQUEST))?;
    Ok(groups
        .iter()
        .map(|group| {
            let nested: Vec<Value> = contacts
                .get(&group.id)
                .map(|list| list.iter().map(|contact| Value::Object(contact_columns(contact))).collect())
                .unwrap_or_default();
            // Keyword actions are not run by Steward: no group is authorized for any yet.
            json!({
                "id": group.id,
                "name": group.name,
                "description": group.description,
                "admin_id": group.owner.0,
                "contacts": nested,
                "actions": [],
            })
        })
        .collect())
}

async fn render_one(state: &AppState, group: &Group) -> Result<Value, RestError> {
    render(state, std::slice::from_ref(group)).await?.pop().ok_or_else(super::not_found)
}

fn fields(body: &Map<String, Value>) -> Result<(Option<String>, Option<String>), RestError> {
    Ok((text(body, "name")?, text(body, "description")?))
}

/// `GET /api/GROUPS`.
pub async fn list(
    State(state): State<AppState>,
    Extension(prefix): Extension<Prefix>,
    RestCaller(caller): RestCaller,
    RawQuery(query): RawQuery,
) -> Result<Response, RestError> {
    let query = ListQuery::parse(query.as_deref())?;
    let (skip, size) = query.window();
    let page = state.core.directory.search_groups(caller.account.id, &query.search, skip, size).await.map_err(|error| directory_error(error, StatusCode::BAD_REQUEST))?;
    let objects = render(&state, &page.rows).await?;
    query.respond(objects, page.total, &prefix, PATH)
}

/// `POST /api/GROUPS`.
pub async fn create(
    State(state): State<AppState>,
    Extension(prefix): Extension<Prefix>,
    RestCaller(caller): RestCaller,
    RestBody(body): RestBody,
) -> Result<Response, RestError> {
    known_fields(&body, &FIELDS, Write::Create)?;
    let (name, description) = fields(&body)?;
    let group = state
        .core
        .directory
        .create_group(&caller.actor, caller.account.id, name, description)
        .await
        .map_err(|error| directory_error(error, StatusCode::BAD_REQUEST))?;
    let location = prefix.path(&format!("{PATH}/{}", group.id));
    Ok(created(render_one(&state, &group).await?, location))
}

/// `GET /api/GROUPS/<id>`.
pub async fn get(State(state): State<AppState>, RestCaller(caller): RestCaller, Path(id): Path<String>) -> Result<Json<Value>, RestError> {
    let id = parse_id(&id)?;
    let group = state.core.directory.group(caller.account.id, id).await.map_err(|error| directory_error(error, StatusCode::BAD_REQUEST))?;
    Ok(Json(render_one(&state, &group).await?))
}

/// `PUT /api/GROUPS/<id>`.
pub async fn update(
    State(state): State<AppState>,
    RestCaller(caller): RestCaller,
    Path(id): Path<String>,
    RestBody(body): RestBody,
) -> Result<Json<Value>, RestError> {
    let id = parse_id(&id)?;
    known_fields(&body, &FIELDS, Write::Update)?;
    let (name, description) = fields(&body)?;
    let group = state
        .core
        .directory
        .update_group(&caller.actor, caller.account.id, id, name, description)
        .await
        .map_err(|error| directory_error(error, StatusCode::BAD_REQUEST))?;
    Ok(Json(render_one(&state, &group).await?))
}

/// `DELETE /api/GROUPS/<id>` → 204.
pub async fn delete(State(state): State<AppState>, RestCaller(caller): RestCaller, Path(id): Path<String>) -> Result<Response, RestError> {
    let id = parse_id(&id)?;
    state.core.directory.delete_group(&caller.actor, caller.account.id, id).await.map_err(|error| directory_error(error, StatusCode::BAD_REQUEST))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/GROUPS/<id>/<relation>[/<relid>]`: a group's contacts, or its actions (none).
pub async fn related(
    State(state): State<AppState>,
    Extension(prefix): Extension<Prefix>,
    RestCaller(caller): RestCaller,
    Path(path): Path<Vec<String>>,
    RawQuery(query): RawQuery,
) -> Result<Response, RestError> {
    let (id, relation, related_id) = super::parse_related(&path)?;
    let group = state.core.directory.group(caller.account.id, id).await.map_err(|error| directory_error(error, StatusCode::BAD_REQUEST))?;
    let objects: Vec<Value> = match relation {
        "contacts" => {
            let contacts = state.core.directory.contacts_of_groups(&[group.id]).await.map_err(|error| directory_error(error, StatusCode::BAD_REQUEST))?;
            contacts.get(&group.id).map(|list| list.iter().map(|contact| Value::Object(contact_columns(contact))).collect()).unwrap_or_default()
        }
        "actions" => Vec::new(),
        _ => return Err(super::not_found()),
    };
    super::related_response(objects, related_id, query.as_deref(), &prefix, &format!("{PATH}/{id}/{relation}"))
}
