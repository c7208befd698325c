//! `/api/CONTACT_GROUP`: memberships of the caller's groups.

use axum::http::StatusCode;
use serde_json::{Map, Value};
use steward_http::AppState;
use steward_model::Page;
use steward_model::directory::Membership;
use steward_model::filter::Search;

use super::resource::{Fields, Methods, Model, Spec};
use super::id_field;
use crate::caller::JanuaCaller;
use crate::envelope::RestError;

const FIELDS: [&str; 3] = ["id", "group_id", "contact_id"];

/// A membership as Janua shows it.
#[derive(Debug, serde::Serialize)]
pub struct MembershipDto {
    /// The contact.
    pub contact_id: i64,
    /// The group.
    pub group_id: i64,
    /// Janua's key.
    pub id: i64,
}

impl From<Membership> for MembershipDto {
    fn from(membership: Membership) -> Self {
        Self { contact_id: membership.contact_id, group_id: membership.group_id, id: membership.id }
    }
}

keyed_by_id!(MembershipDto);

/// `/api/CONTACT_GROUP`.
#[derive(Debug, Clone, Copy)]
pub struct Memberships;

impl Model for Memberships {
    type Object = MembershipDto;

    fn spec(&self) -> Spec {
        Spec { path: "/api/CONTACT_GROUP", methods: Methods { related: false, ..Methods::ALL }, fields: Fields::Only(&FIELDS) }
    }

    async fn list(&self, state: &AppState, caller: &JanuaCaller, search: &Search, skip: u64, size: u64) -> Result<Page<MembershipDto>, RestError> {
        Ok(state.core.directory.search_memberships(caller.account.id, search, skip, size).await?.map(MembershipDto::from))
    }

    async fn get(&self, state: &AppState, caller: &JanuaCaller, id: i64) -> Result<MembershipDto, RestError> {
        Ok(state.core.directory.membership(caller.account.id, id).await?.into())
    }

    /// `{"group_id", "contact_id"}`: both must be the caller's (403).
    async fn create(&self, state: &AppState, caller: &JanuaCaller, body: Map<String, Value>) -> Result<MembershipDto, RestError> {
        let (Some(group_id), Some(contact_id)) = (id_field(&body, "group_id")?, id_field(&body, "contact_id")?) else {
            return Err(RestError::new(StatusCode::BAD_REQUEST, "400: Bad Request").with_detail("group_id and contact_id are required"));
        };
        Ok(state.core.directory.add_member(&caller.actor, caller.account.id, group_id, contact_id).await?.into())
    }

    /// The new group and contact must be the caller's too.
    async fn update(&self, state: &AppState, caller: &JanuaCaller, id: i64, body: Map<String, Value>) -> Result<MembershipDto, RestError> {
        let (group_id, contact_id) = (id_field(&body, "group_id")?, id_field(&body, "contact_id")?);
        Ok(state.core.directory.update_member(&caller.actor, caller.account.id, id, group_id, contact_id).await?.into())
    }

    async fn delete(&self, state: &AppState, caller: &JanuaCaller, id: i64) -> Result<(), RestError> {
        Ok(state.core.directory.remove_member(&caller.actor, caller.account.id, id).await?)
    }
}
