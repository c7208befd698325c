//! `/api/CONTACT`: the caller's own contacts (the super admin too sees only its own), each
//! with its groups.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::{Map, Value};
use steward_core::messaging::directory::{ContactChanges, DirectoryError, NewContact};
use steward_http::AppState;
use steward_model::Page;
use steward_model::directory::{Contact, ContactAddress, ContactNumber, Group};
use steward_model::filter::Search;

use super::resource::{Fields, Methods, Model, Spec};
use super::{PersonFields, RelatedObject, not_emptied, nullable_text, required};
use crate::caller::JanuaCaller;
use crate::envelope::RestError;

const FIELDS: [&str; 8] = ["id", "name", "firstname", "phone_number", "email", "description", "admin_id", "groups"];

/// A group as Janua shows it, nested in a contact or reached through one. Fields are in
/// the order the original's sorted keys give, as in every DTO of this face.
#[derive(Debug, serde::Serialize)]
pub struct GroupDto {
    /// The owner.
    pub admin_id: i64,
    /// Free text.
    pub description: String,
    /// Janua's key.
    pub id: i64,
    /// Unique per owner.
    pub name: String,
}

impl From<Group> for GroupDto {
    fn from(group: Group) -> Self {
        Self { admin_id: group.owner.0, description: group.description, id: group.id, name: group.name }
    }
}

/// A contact as Janua shows it: its columns, `fullname`, and on `/api/CONTACT` its groups.
#[derive(Debug, serde::Serialize)]
pub struct ContactDto {
    /// The owner.
    pub admin_id: i64,
    /// Free text, or `null`.
    pub description: Option<String>,
    /// Mail address.
    pub email: String,
    /// Given name.
    pub firstname: String,
    /// `firstname name`, as Janua computes it.
    pub fullname: String,
    /// The contact's groups; absent where a contact is nested in a group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<GroupDto>>,
    /// Janua's key.
    pub id: i64,
    /// Family name.
    pub name: String,
    /// E.164 number.
    pub phone_number: String,
}

impl ContactDto {
    /// A contact's own columns (nested in a group, or reached through a relation).
    pub fn columns(contact: Contact) -> Self {
        Self::with_groups(contact, None)
    }

    fn with_groups(contact: Contact, groups: Option<Vec<Group>>) -> Self {
        Self {
            fullname: contact.fullname(),
            admin_id: contact.owner.0,
            description: contact.description,
            email: contact.email,
            firstname: contact.firstname,
            groups: groups.map(|groups| groups.into_iter().map(GroupDto::from).collect()),
            id: contact.id,
            name: contact.name,
            phone_number: contact.phone_number,
        }
    }
}

keyed_by_id!(ContactDto);

/// Each contact with its groups, read in one call.
async fn with_groups(state: &AppState, contacts: Vec<Contact>) -> Result<Vec<ContactDto>, RestError> {
    let ids: Vec<i64> = contacts.iter().map(|contact| contact.id).collect();
    let mut groups: HashMap<i64, Vec<Group>> = state.core.directory.groups_of_contacts(&ids).await?;
    Ok(contacts
        .into_iter()
        .map(|contact| {
            let groups = groups.remove(&contact.id).unwrap_or_default();
            ContactDto::with_groups(contact, Some(groups))
        })
        .collect())
}

async fn one_with_groups(state: &AppState, contact: Contact) -> Result<ContactDto, RestError> {
    with_groups(state, vec![contact]).await?.pop().ok_or_else(super::not_found)
}

/// `phone_number`: a number the recipient parser reads as one.
fn number(raw: &str) -> Result<ContactNumber, RestError> {
    ContactNumber::parse(raw).map_err(|_| RestError::new(StatusCode::BAD_REQUEST, "Invalid phone number"))
}

/// `email`: an address the recipient parser reads as one.
fn address(raw: &str) -> Result<ContactAddress, RestError> {
    ContactAddress::parse(raw).map_err(|_| RestError::new(StatusCode::BAD_REQUEST, "Invalid email"))
}

/// A POST's body: the four required fields first, then their syntax.
fn new_contact(body: &Map<String, Value>) -> Result<NewContact, RestError> {
    let person = PersonFields::read(|key| required(body, key))?;
    Ok(NewContact {
        phone_number: number(&person.phone_number)?,
        email: address(&person.email)?,
        name: person.name,
        firstname: person.firstname,
        description: nullable_text(body, "description")?.flatten(),
    })
}

/// A PUT's body: what is sent is changed, and may not empty a required field.
fn changes(body: &Map<String, Value>) -> Result<ContactChanges, RestError> {
    let person = PersonFields::read(|key| not_emptied(body, key))?;
    Ok(ContactChanges {
        phone_number: person.phone_number.as_deref().map(number).transpose()?,
        email: person.email.as_deref().map(address).transpose()?,
        name: person.name,
        firstname: person.firstname,
        description: nullable_text(body, "description")?,
    })
}

/// `/api/CONTACT`.
#[derive(Debug, Clone, Copy)]
pub struct Contacts;

impl Model for Contacts {
    type Object = ContactDto;

    fn spec(&self) -> Spec {
        Spec { path: "/api/CONTACT", methods: Methods::ALL, fields: Fields::Only(&FIELDS) }
    }

    async fn list(&self, state: &AppState, caller: &JanuaCaller, search: &Search, skip: u64, size: u64) -> Result<Page<ContactDto>, RestError> {
        let page = state.core.directory.search_contacts(caller.account.id, search, skip, size).await?;
        Ok(Page { total: page.total, rows: with_groups(state, page.rows).await? })
    }

    async fn get(&self, state: &AppState, caller: &JanuaCaller, id: i64) -> Result<ContactDto, RestError> {
        let contact = state.core.directory.contact(caller.account.id, id).await?;
        one_with_groups(state, contact).await
    }

    /// Owned by the caller whatever `admin_id` says.
    async fn create(&self, state: &AppState, caller: &JanuaCaller, body: Map<String, Value>) -> Result<ContactDto, RestError> {
        let contact = state.core.directory.create_contact(&caller.actor, caller.account.id, new_contact(&body)?).await?;
        one_with_groups(state, contact).await
    }

    /// `admin_id` cannot move a contact to another owner (ignored). A phone outside the
    /// prefix filter is Janua's 422 here, not the 400 of a create.
    async fn update(&self, state: &AppState, caller: &JanuaCaller, id: i64, body: Map<String, Value>) -> Result<ContactDto, RestError> {
        let contact = state.core.directory.update_contact(&caller.actor, caller.account.id, id, changes(&body)?).await.map_err(|error| match error {
            DirectoryError::PrefixNotAllowed => RestError::new(StatusCode::UNPROCESSABLE_ENTITY, super::errors::PREFIX_NOT_ALLOWED),
            other => other.into(),
        })?;
        one_with_groups(state, contact).await
    }

    async fn delete(&self, state: &AppState, caller: &JanuaCaller, id: i64) -> Result<(), RestError> {
        Ok(state.core.directory.delete_contact(&caller.actor, caller.account.id, id).await?)
    }

    /// A contact's groups, its one relation.
    async fn related(&self, state: &AppState, caller: &JanuaCaller, id: i64, relation: &str) -> Result<Vec<RelatedObject>, RestError> {
        if relation != "groups" {
            return Err(super::not_found());
        }
        let contact = state.core.directory.contact(caller.account.id, id).await?;
        let mut groups = state.core.directory.groups_of_contacts(&[contact.id]).await?;
        let groups = groups.remove(&contact.id).unwrap_or_default();
        Ok(groups.into_iter().map(|group| RelatedObject::Group(group.into())).collect())
    }
}
