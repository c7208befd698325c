//! `/api/GROUPS`: the caller's own groups, each with its contacts.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::{Map, Value};
use steward_http::AppState;
use steward_model::Page;
use steward_model::directory::{Contact, Group, GroupName, GroupNameError};
use steward_model::filter::Search;

use super::contacts::ContactDto;
use super::resource::{Fields, Methods, Model, Spec};
use super::{RelatedObject, required, text};
use crate::caller::JanuaCaller;
use crate::envelope::RestError;

const FIELDS: [&str; 6] = ["id", "name", "description", "admin_id", "contacts", "actions"];

/// A group as `/api/GROUPS` shows it, with its contacts' own columns.
#[derive(Debug, serde::Serialize)]
pub struct GroupWithContactsDto {
    /// The keyword actions the group may trigger: Steward runs none, so always empty.
    pub actions: [(); 0],
    /// The owner.
    pub admin_id: i64,
    /// Its members.
    pub contacts: Vec<ContactDto>,
    /// Free text.
    pub description: String,
    /// Janua's key.
    pub id: i64,
    /// Unique per owner.
    pub name: String,
}

keyed_by_id!(GroupWithContactsDto);

/// Each group with its contacts, read in one call.
async fn with_contacts(state: &AppState, groups: Vec<Group>) -> Result<Vec<GroupWithContactsDto>, RestError> {
    let ids: Vec<i64> = groups.iter().map(|group| group.id).collect();
    let mut contacts: HashMap<i64, Vec<Contact>> = state.core.directory.contacts_of_groups(&ids).await?;
    Ok(groups
        .into_iter()
        .map(|group| GroupWithContactsDto {
            actions: [],
            admin_id: group.owner.0,
            contacts: contacts.remove(&group.id).unwrap_or_default().into_iter().map(ContactDto::columns).collect(),
            description: group.description,
            id: group.id,
            name: group.name,
        })
        .collect())
}

async fn one_with_contacts(state: &AppState, group: Group) -> Result<GroupWithContactsDto, RestError> {
    with_contacts(state, vec![group]).await?.pop().ok_or_else(super::not_found)
}

/// `name`, in the syntax a `to` list can address.
fn group_name(raw: &str) -> Result<GroupName, RestError> {
    GroupName::parse(raw).map_err(|error| {
        let message = match error {
            GroupNameError::Characters => "Accented and special characters are forbidden, except hyphen".to_owned(),
            GroupNameError::Reserved(name) => format!("Group name {name} is reserved"),
        };
        RestError::new(StatusCode::BAD_REQUEST, message)
    })
}

/// `/api/GROUPS`.
#[derive(Debug, Clone, Copy)]
pub struct Groups;

impl Model for Groups {
    type Object = GroupWithContactsDto;

    fn spec(&self) -> Spec {
        Spec { path: "/api/GROUPS", methods: Methods::ALL, fields: Fields::Only(&FIELDS) }
    }

    async fn list(&self, state: &AppState, caller: &JanuaCaller, search: &Search, skip: u64, size: u64) -> Result<Page<GroupWithContactsDto>, RestError> {
        let page = state.core.directory.search_groups(caller.account.id, search, skip, size).await?;
        Ok(Page { total: page.total, rows: with_contacts(state, page.rows).await? })
    }

    async fn get(&self, state: &AppState, caller: &JanuaCaller, id: i64) -> Result<GroupWithContactsDto, RestError> {
        let group = state.core.directory.group(caller.account.id, id).await?;
        one_with_contacts(state, group).await
    }

    async fn create(&self, state: &AppState, caller: &JanuaCaller, body: Map<String, Value>) -> Result<GroupWithContactsDto, RestError> {
        let name = group_name(&required(&body, "name")?)?;
        let group = state.core.directory.create_group(&caller.actor, caller.account.id, name, text(&body, "description")?).await?;
        one_with_contacts(state, group).await
    }

    async fn update(&self, state: &AppState, caller: &JanuaCaller, id: i64, body: Map<String, Value>) -> Result<GroupWithContactsDto, RestError> {
        let name = text(&body, "name")?.as_deref().map(group_name).transpose()?;
        let group = state.core.directory.update_group(&caller.actor, caller.account.id, id, name, text(&body, "description")?).await?;
        one_with_contacts(state, group).await
    }

    async fn delete(&self, state: &AppState, caller: &JanuaCaller, id: i64) -> Result<(), RestError> {
        Ok(state.core.directory.delete_group(&caller.actor, caller.account.id, id).await?)
    }

    /// A group's contacts, or its actions (none: Steward runs no keyword actions).
    async fn related(&self, state: &AppState, caller: &JanuaCaller, id: i64, relation: &str) -> Result<Vec<RelatedObject>, RestError> {
        let group = state.core.directory.group(caller.account.id, id).await?;
        match relation {
            "contacts" => {
                let mut contacts = state.core.directory.contacts_of_groups(&[group.id]).await?;
                let contacts = contacts.remove(&group.id).unwrap_or_default();
                Ok(contacts.into_iter().map(|contact| RelatedObject::Contact(ContactDto::columns(contact))).collect())
            }
            "actions" => Ok(Vec::new()),
            _ => Err(super::not_found()),
        }
    }
}
