//! `/api/ACTION` and the three access lists (`AUTHORIZED_GROUP_ACTION`,
//! `AUTHORIZED_SUPERVISOR_ACTION`, `CONTACT_NOTIFY_ACTION`): one model for actions, one for
//! the lists, each list a value of it.

use axum::http::StatusCode;
use serde_json::{Map, Value};
use steward_core::messaging::access_lists::{AccessInput, AccessList, AccessRow, AclError, Action};
use steward_http::AppState;
use steward_model::Page;
use steward_model::filter::Search;

use super::resource::{Fields, Methods, Model, Spec};
use super::{RelatedObject, id_field, not_found};
use crate::caller::JanuaCaller;
use crate::envelope::RestError;

/// An action as Janua shows it.
#[derive(Debug, serde::Serialize)]
pub struct ActionDto {
    /// The managing admin.
    pub admin_id: i64,
    /// Needs the supervisor's phone token.
    pub authentication: bool,
    /// What it does.
    pub description: String,
    /// Whether it runs.
    pub enabled: bool,
    /// Janua's key.
    pub id: i64,
    /// Unique name.
    pub name: String,
}

impl From<Action> for ActionDto {
    fn from(action: Action) -> Self {
        Self {
            admin_id: action.admin_id,
            authentication: action.authentication,
            description: action.description,
            enabled: action.enabled,
            id: action.id,
            name: action.name,
        }
    }
}

keyed_by_id!(ActionDto);

/// `/api/ACTION`: read, and reassigned by the super admin.
#[derive(Debug, Clone, Copy)]
pub struct Actions;

impl Model for Actions {
    type Object = ActionDto;

    /// Janua dropped every key of a PUT but `admin_id` silently; so does Steward.
    fn spec(&self) -> Spec {
        Spec { path: "/api/ACTION", methods: Methods { create: false, update: true, delete: false, related: true }, fields: Fields::Any }
    }

    async fn list(&self, state: &AppState, caller: &JanuaCaller, search: &Search, skip: u64, size: u64) -> Result<Page<ActionDto>, RestError> {
        Ok(state.core.janua_acl.actions(&caller.account, caller.level, search, skip, size).await?.map(ActionDto::from))
    }

    async fn get(&self, state: &AppState, caller: &JanuaCaller, id: i64) -> Result<ActionDto, RestError> {
        Ok(state.core.janua_acl.action(&caller.account, caller.level, id).await?.into())
    }

    /// `{"admin_id"}`: the super admin reassigns an action.
    async fn update(&self, state: &AppState, caller: &JanuaCaller, id: i64, body: Map<String, Value>) -> Result<ActionDto, RestError> {
        let admin_id = id_field(&body, "admin_id")?;
        state.core.janua_acl.reassign(&caller.actor, caller.level, id, admin_id).await?;
        self.get(state, caller, id).await
    }

    /// Steward runs no keyword actions, so the ACTION table stays empty and an action id is
    /// never found; a row an operator wrote by hand is refused with a detail rather than
    /// answered with made-up relations.
    async fn related(&self, state: &AppState, caller: &JanuaCaller, id: i64, relation: &str) -> Result<Vec<RelatedObject>, RestError> {
        state.core.janua_acl.action(&caller.account, caller.level, id).await?;
        let detail = match relation {
            "admin" | "authorized_group" | "authorized_supervisor" | "contact_notify" => {
                "the relations of actions are not served: Steward runs no keyword actions"
            }
            _ => "ACTION has no such relation",
        };
        Err(not_found().with_detail(detail))
    }
}

/// An access-list row: its id and the list's own columns, sorted as Janua's keys are.
#[derive(Debug, Default, serde::Serialize)]
pub struct AccessRowDto {
    /// The action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_id: Option<i64>,
    /// The supervisor (`AUTHORIZED_SUPERVISOR_ACTION`, `CONTACT_NOTIFY_ACTION`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_id: Option<i64>,
    /// The contact (`CONTACT_NOTIFY_ACTION`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<i64>,
    /// The group (`AUTHORIZED_GROUP_ACTION`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<i64>,
    /// Janua's key.
    pub id: i64,
}

impl From<AccessRow> for AccessRowDto {
    fn from(row: AccessRow) -> Self {
        let mut dto = Self { id: row.id, ..Self::default() };
        for (column, value) in row.columns {
            let slot = match column {
                "action_id" => &mut dto.action_id,
                "admin_id" => &mut dto.admin_id,
                "contact_id" => &mut dto.contact_id,
                "group_id" => &mut dto.group_id,
                _ => continue,
            };
            *slot = Some(value);
        }
        dto
    }
}

keyed_by_id!(AccessRowDto);

/// One of the three access lists, at its URL.
#[derive(Debug, Clone, Copy)]
pub struct AccessLists {
    /// The list.
    pub list: AccessList,
    /// `/api/<MODEL>`.
    pub path: &'static str,
}

impl AccessLists {
    /// The notify list says `Bad instance` where the others say `404: Not Found`.
    fn refusal(self, error: AclError) -> RestError {
        match error {
            AclError::NotFound if self.list == AccessList::ContactNotify => RestError::new(StatusCode::NOT_FOUND, "Bad instance"),
            other => other.into(),
        }
    }
}

impl Model for AccessLists {
    type Object = AccessRowDto;

    fn spec(&self) -> Spec {
        Spec { path: self.path, methods: Methods { create: true, update: false, delete: true, related: false }, fields: Fields::Only(self.list.field_names()) }
    }

    async fn list(&self, state: &AppState, caller: &JanuaCaller, search: &Search, skip: u64, size: u64) -> Result<Page<AccessRowDto>, RestError> {
        let page = state.core.janua_acl.rows(self.list, &caller.account, caller.level, search, skip, size).await.map_err(|error| self.refusal(error))?;
        Ok(page.map(AccessRowDto::from))
    }

    async fn get(&self, state: &AppState, caller: &JanuaCaller, id: i64) -> Result<AccessRowDto, RestError> {
        let row = state.core.janua_acl.row(self.list, &caller.account, caller.level, id).await.map_err(|error| self.refusal(error))?;
        Ok(row.into())
    }

    async fn create(&self, state: &AppState, caller: &JanuaCaller, body: Map<String, Value>) -> Result<AccessRowDto, RestError> {
        let input = AccessInput {
            group_id: id_field(&body, "group_id")?,
            admin_id: id_field(&body, "admin_id")?,
            action_id: id_field(&body, "action_id")?,
            contact_id: id_field(&body, "contact_id")?,
        };
        let row = state.core.janua_acl.create(self.list, &caller.account, caller.level, input).await.map_err(|error| self.refusal(error))?;
        Ok(row.into())
    }

    async fn delete(&self, state: &AppState, caller: &JanuaCaller, id: i64) -> Result<(), RestError> {
        state.core.janua_acl.delete(&caller.actor, self.list, &caller.account, caller.level, id).await.map_err(|error| self.refusal(error))
    }
}
