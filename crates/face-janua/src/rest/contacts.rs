//! `/api/CONTACT`: the caller's own contacts (the super admin too sees only its own).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Map, Value, json};
use steward_core::directory::ContactInput;
use steward_http::AppState;
use steward_model::directory::{Contact, Group};

use super::{ListQuery, RestBody, Write, created, directory_error, known_fields, nullable_text, parse_id, text};
use crate::Prefix;
use crate::caller::RestCaller;
use crate::envelope::RestError;

const PATH: &str = "/api/CONTACT";
const FIELDS: [&str; 8] = ["id", "name", "firstname", "phone_number", "email", "description", "admin_id", "groups"];

/// A group as nested in a contact.
pub fn group_json(group: &Group) -> Value {
    json!({ "id": group.id, "name": group.name, "description": group.description, "admin_id": group.owner.0 })
}

/// A contact's own columns and `fullname`.
pub fn contact_columns(contact: &Contact) -> Map<String, Value> {
    let mut object = Map::new();
    object.insert("id".into(), json!(contact.id));
    object.insert("name".into(), json!(contact.name));
    object.insert("firstname".into(), json!(contact.firstname));
    object.insert("phone_number".into(), json!(contact.phone_number));
    object.insert("email".into(), json!(contact.email));
    object.insert("description".into(), json!(contact.description));
    object.insert("admin_id".into(), json!(contact.owner.0));
    object.insert("fullname".into(), json!(contact.fullname()));
    object
}

async fn render(state: &AppState, contacts: &[Contact]) -> Result<Vec<Value>, RestError> {
    let ids: Vec<i64> = contacts.iter().map(|contact| contact.id).collect();
    let groups = state.core.directory.groups_of_contacts(&ids).await.map_err(|error| directory_error(error, StatusCode::BAD_REQUEST))?;
    Ok(contacts
        .iter()
        .map(|contact| {
            let mut object = contact_columns(contact);
            let nested: Vec<Value> = groups.get(&contact.id).map(|list| list.iter().map(group_json).collect()).unwrap_or_default();
            object.insert("groups".into(), Value::Array(nested));
            Value::Object(object)
        })
        .collect())
}

async fn render_one(state: &AppState, contact: &Contact) -> Result<Value, RestError> {
    render(state, std::slice::from_ref(contact)).await?.pop().ok_or_else(super::not_found)
}

fn input(body: &Map<String, Value>) -> Result<ContactInput, RestError> {
    Ok(ContactInput {
        name: text(body, "name")?,
        firstname: text(body, "firstname")?,
        phone_number: text(body, "phone_number")?,
        email: text(body, "email")?,
        description: nullable_text(body, "description")?,
    })
}

/// `GET /api/CONTACT`.
pub async fn list(
    State(state): State<AppState>,
    Extension(prefix): Extension<Prefix>,
    RestCaller(caller): RestCaller,
    RawQuery(query): RawQuery,
) -> Result<Response, RestError> {
    let query = ListQuery::parse(query.as_deref())?;
    let owner = caller.account.id;
    let (skip, size) = query.window();
    let page = state.core.directory.search_contacts(owner, &query.search, skip, size).await.map_err(|error| directory_error(error, StatusCode::BAD_REQUEST))?;
    let objects = render(&state, &page.rows).await?;
    query.respond(objects, page.total, &prefix, PATH)
}

/// `POST /api/CONTACT`: owned by the caller whatever `admin_id` says.
pub async fn create(
    State(state): State<AppState>,
    Extension(prefix): Extension<Prefix>,
    RestCaller(caller): RestCaller,
    RestBody(body): RestBody,
) -> Result<Response, RestError> {
    known_fields(&body, &FIELDS, Write::Create)?;
    let contact = state
        .core
        .directory
        .create_contact(&caller.actor, caller.account.id, input(&body)?)
        .await
        .map_err(|error| directory_error(error, StatusCode::BAD_REQUEST))?;
    let location = prefix.path(&format!("{PATH}/{}", contact.id));
    Ok(created(render_one(&state, &contact).await?, location))
}

/// `GET /api/CONTACT/<id>`.
pub async fn get(State(state): State<AppState>, RestCaller(caller): RestCaller, Path(id): Path<String>) -> Result<Json<Value>, RestError> {
    let id = parse_id(&id)?;
    let contact = state.core.directory.contact(caller.account.id, id).await.map_err(|error| directory_error(error, StatusCode::BAD_REQUEST))?;
    Ok(Json(render_one(&state, &contact).await?))
}

/// `PUT /api/CONTACT/<id>`: `admin_id` cannot move a contact to another owner (ignored).
pub async fn update(
    State(state): State<AppState>,
    RestCaller(caller): RestCaller,
    Path(id): Path<String>,
    RestBody(body): RestBody,
) -> Result<Json<Value>, RestError> {
    let id = parse_id(&id)?;
    known_fields(&body, &FIELDS, Write::Update)?;
    let contact = state
        .core
        .directory
        .update_contact(&caller.actor, caller.account.id, id, input(&body)?)
        .await
        .map_err(|error| directory_error(error, StatusCode::UNPROCESSABLE_ENTITY))?;
    Ok(Json(render_one(&state, &contact).await?))
}

/// `DELETE /api/CONTACT/<id>` → 204.
pub async fn delete(State(state): State<AppState>, RestCaller(caller): RestCaller, Path(id): Path<String>) -> Result<Response, RestError> {
    let id = parse_id(&id)?;
    state.core.directory.delete_contact(&caller.actor, caller.account.id, id).await.map_err(|error| directory_error(error, StatusCode::BAD_REQUEST))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/CONTACT/<id>/<relation>[/<relid>]`: a contact's groups (the one relation).
pub async fn related(
    State(state): State<AppState>,
    Extension(prefix): Extension<Prefix>,
    RestCaller(caller): RestCaller,
    Path(path): Path<Vec<String>>,
    RawQuery(query): RawQuery,
) -> Result<Response, RestError> {
    let (id, relation, related_id) = super::parse_related(&path)?;
    if relation != "groups" {
        return Err(super::not_found());
    }
    let contact = state.core.directory.contact(caller.account.id, id).await.map_err(|error| directory_error(error, StatusCode::BAD_REQUEST))?;
    let groups = state.core.directory.groups_of_contacts(&[contact.id]).await.map_err(|error| directory_error(error, StatusCode::BAD_REQUEST))?;
    let groups = groups.get(&contact.id).cloned().unwrap_or_default();
    super::related_response(groups.iter().map(group_json).collect(), related_id, query.as_deref(), &prefix, &format!("{PATH}/{id}/groups"))
}
