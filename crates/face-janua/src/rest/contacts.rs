//! `/api/CONTACT`: the caller's own contacts (the super admin too sees only its own).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Map, Value};
use steward_core::messaging::directory::ContactInput;
use steward_http::AppState;
use steward_model::directory::{Contact, Group};

use super::{ListQuery, RestBody, Write, created, directory_error, known_fields, nullable_text, parse_id, text};
use crate::Prefix;
use crate::caller::RestCaller;
use crate::envelope::RestError;

const PATH: &str = "/api/CONTACT";
const FIELDS: [&str; 8] = ["id", "name", "firstname", "phone_number", "email", "description", "admin_id", "groups"];

/// A group as Janua shows it (nested in a contact, or on its own).
#[derive(Debug, serde::Serialize)]
pub struct GroupJson<'a> {
    admin_id: i64,
    description: &'a str,
    id: i64,
    name: &'a str,
}

impl<'a> GroupJson<'a> {
    fn of(group: &'a Group) -> Self {
        Self { admin_id: group.owner.0, description: &group.description, id: group.id, name: &group.name }
    }
}

/// A contact as Janua shows it: its columns, `fullname`, and (on `/api/CONTACT`) its groups.
/// Fields are in the order the original's sorted keys give.
#[derive(Debug, serde::Serialize)]
pub struct ContactJson<'a> {
    admin_id: i64,
    description: Option<&'a str>,
    email: &'a str,
    firstname: &'a str,
    fullname: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    groups: Option<Vec<GroupJson<'a>>>,
    id: i64,
    name: &'a str,
    phone_number: &'a str,
}

impl<'a> ContactJson<'a> {
    fn of(contact: &'a Contact, groups: Option<&'a [Group]>) -> Self {
        Self {
            admin_id: contact.owner.0,
            description: contact.description.as_deref(),
            email: &contact.email,
            firstname: &contact.firstname,
            fullname: contact.fullname(),
            groups: groups.map(|groups| groups.iter().map(GroupJson::of).collect()),
            id: contact.id,
            name: &contact.name,
            phone_number: &contact.phone_number,
        }
    }
}

impl super::RestObject for ContactJson<'_> {
    fn id_text(&self) -> String {
        self.id.to_string()
    }
}

/// A group nested in a contact, as a JSON value.
pub fn group_json(group: &Group) -> Value {
    serde_json::to_value(GroupJson::of(group)).unwrap_or(Value::Null)
}

/// A contact's own columns and `fullname`, as a JSON object.
pub fn contact_columns(contact: &Contact) -> Map<String, Value> {
    match serde_json::to_value(ContactJson::of(contact, None)) {
        Ok(Value::Object(object)) => object,
        _ => Map::new(),
    }
}

/// Each contact's groups, for rendering them with [`ContactJson`].
async fn groups_of(state: &AppState, contacts: &[Contact]) -> Result<std::collections::HashMap<i64, Vec<Group>>, RestError> {
    let ids: Vec<i64> = contacts.iter().map(|contact| contact.id).collect();
    state.core.directory.groups_of_contacts(&ids).await.map_err(|error| directory_error(error, StatusCode::BAD_REQUEST))
}

fn render<'a>(contacts: &'a [Contact], groups: &'a std::collections::HashMap<i64, Vec<Group>>) -> Vec<ContactJson<'a>> {
    contacts
        .iter()
        .map(|contact| ContactJson::of(contact, Some(groups.get(&contact.id).map_or(&[][..], Vec::as_slice))))
        .collect()
}

async fn render_one(state: &AppState, contact: &Contact) -> Result<Value, RestError> {
    let contacts = std::slice::from_ref(contact);
    let groups = groups_of(state, contacts).await?;
    let rendered = render(contacts, &groups).pop().ok_or_else(super::not_found)?;
    serde_json::to_value(rendered).map_err(|_| super::not_found())
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
    let groups = groups_of(&state, &page.rows).await?;
    query.respond(render(&page.rows, &groups), page.total, &prefix, PATH)
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
