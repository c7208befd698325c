//! Janua's keyword actions and their three access lists. Steward runs no plug-in actions,
//! so `janua_actions` starts empty; the access lists keep Janua's rules and cascades so
//! clients that manage them keep working.

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, FromQueryResult};
use steward_model::AccountId;
use steward_model::filter::Search;

use steward_model::Page;
use crate::filter::{ColumnKind, FieldSpec, Fields};
use crate::{Store, StoreError, WriteTx};

/// What clients may filter actions on (`module` and `janua_id` are hidden).
pub static ACTION_FIELDS: Fields = Fields {
    table: "janua_actions",
    primary_key: "id",
    fields: &[
        FieldSpec { name: "id", column: ("janua_actions", "id"), kind: ColumnKind::Integer },
        FieldSpec { name: "name", column: ("janua_actions", "name"), kind: ColumnKind::Text },
        FieldSpec { name: "description", column: ("janua_actions", "description"), kind: ColumnKind::Text },
        FieldSpec { name: "authentication", column: ("janua_actions", "authentication"), kind: ColumnKind::Bool },
        FieldSpec { name: "enabled", column: ("janua_actions", "enabled"), kind: ColumnKind::Bool },
        FieldSpec { name: "admin_id", column: ("janua_actions", "admin_id"), kind: ColumnKind::Integer },
    ],
    relations: &[],
};

pub use steward_model::directory::{AccessList, AccessRow, Action};

static GROUP_ACTION_FIELDS: Fields = Fields {
    table: "janua_authorized_group_actions",
    primary_key: "id",
    fields: &[
        FieldSpec { name: "id", column: ("janua_authorized_group_actions", "id"), kind: ColumnKind::Integer },
        FieldSpec { name: "group_id", column: ("janua_authorized_group_actions", "group_id"), kind: ColumnKind::Integer },
        FieldSpec { name: "action_id", column: ("janua_authorized_group_actions", "action_id"), kind: ColumnKind::Integer },
    ],
    relations: &[],
};

static SUPERVISOR_ACTION_FIELDS: Fields = Fields {
    table: "janua_authorized_supervisor_actions",
    primary_key: "id",
    fields: &[
        FieldSpec { name: "id", column: ("janua_authorized_supervisor_actions", "id"), kind: ColumnKind::Integer },
        FieldSpec { name: "admin_id", column: ("janua_authorized_supervisor_actions", "admin_id"), kind: ColumnKind::Integer },
        FieldSpec { name: "action_id", column: ("janua_authorized_supervisor_actions", "action_id"), kind: ColumnKind::Integer },
    ],
    relations: &[],
};

static CONTACT_NOTIFY_FIELDS: Fields = Fields {
    table: "janua_contact_notify_actions",
    primary_key: "id",
    fields: &[
        FieldSpec { name: "id", column: ("janua_contact_notify_actions", "id"), kind: ColumnKind::Integer },
        FieldSpec { name: "contact_id", column: ("janua_contact_notify_actions", "contact_id"), kind: ColumnKind::Integer },
        FieldSpec { name: "action_id", column: ("janua_contact_notify_actions", "action_id"), kind: ColumnKind::Integer },
        FieldSpec { name: "group_id", column: ("janua_contact_notify_actions", "group_id"), kind: ColumnKind::Integer },
    ],
    relations: &[],
};

/// A list's allow-list (its table), naming [`AccessList::field_names`]' fields.
pub fn fields_of(list: AccessList) -> &'static Fields {
    match list {
        AccessList::GroupAction => &GROUP_ACTION_FIELDS,
        AccessList::SupervisorAction => &SUPERVISOR_ACTION_FIELDS,
        AccessList::ContactNotify => &CONTACT_NOTIFY_FIELDS,
    }
}

/// An action as the store reads it.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
struct ActionRow {
    id: i64,
    name: String,
    description: String,
    authentication: bool,
    enabled: bool,
    admin_id: i64,
}

impl From<ActionRow> for Action {
    fn from(row: ActionRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            description: row.description,
            authentication: row.authentication,
            enabled: row.enabled,
            admin_id: row.admin_id,
        }
    }
}

impl Store {
    /// A client's search over actions, all of them or those `managed_by` one admin.
    pub async fn search_actions(
        &self,
        managed_by: Option<AccountId>,
        search: &Search,
        skip: u64,
        page_size: u64,
    ) -> Result<Page<Action>, StoreError> {
        Ok(self.search_rows::<ActionRow>(&ACTION_FIELDS, managed_by, search, skip, page_size).await?.map(Action::from))
    }

    /// A client's search over an access list: all rows, or those under actions `managed_by`.
    pub async fn search_access(
        &self,
        list: AccessList,
        managed_by: Option<AccountId>,
        search: &Search,
        skip: u64,
        page_size: u64,
    ) -> Result<Page<AccessRow>, StoreError> {
        let page = self.search_rows::<sea_orm::JsonValue>(fields_of(list), managed_by, search, skip, page_size).await?;
        let rows = page
            .rows
            .into_iter()
            .map(|row| AccessRow {
                id: row.get("id").and_then(serde_json::Value::as_i64).unwrap_or_default(),
                columns: fields_of(list)
                    .fields
                    .iter()
                    .filter(|field| field.name != "id")
                    .map(|field| (field.name, row.get(field.name).and_then(serde_json::Value::as_i64).unwrap_or_default()))
                    .collect(),
            })
            .collect();
        Ok(Page { total: page.total, rows })
    }

    /// The action `id`.
    pub async fn action(&self, id: i64) -> Result<Option<Action>, StoreError> {
        let select = Query::select()
            .columns(["id", "name", "description", "authentication", "enabled", "admin_id"])
            .from("janua_actions")
            .and_where(Expr::col("id").eq(id))
            .take();
        let statement = sea_orm::StatementBuilder::build(&select, &self.db.get_database_backend());
        Ok(ActionRow::find_by_statement(statement).one(&self.db).await?.map(Action::from))
    }
}

impl WriteTx {
    /// Reassigns an action to another admin, dropping its three access lists (Janua's
    /// trigger); `false` if the action does not exist.
    pub async fn reassign_action(&self, id: i64, admin: AccountId) -> Result<bool, StoreError> {
        for list in [AccessList::GroupAction, AccessList::SupervisorAction, AccessList::ContactNotify] {
            let delete = Query::delete().from_table(fields_of(list).table).and_where(Expr::col("action_id").eq(id)).take();
            self.tx.execute(&delete).await?;
        }
        let update = Query::update().table("janua_actions").value("admin_id", admin.0).and_where(Expr::col("id").eq(id)).take();
        Ok(self.tx.execute(&update).await?.rows_affected() > 0)
    }
}

impl WriteTx {
    /// Deletes one access-list row (and, for a group's authorization, the notifications of
    /// that group's contacts for that action, Janua's trigger).
    pub async fn delete_access(&self, list: AccessList, row: &AccessRow) -> Result<bool, StoreError> {
        if list == AccessList::GroupAction {
            let value = |name: &str| row.columns.iter().find(|(column, _)| *column == name).map(|(_, value)| *value);
            if let (Some(group_id), Some(action_id)) = (value("group_id"), value("action_id")) {
                let notify = Query::delete()
                    .from_table("janua_contact_notify_actions")
                    .and_where(Expr::col("group_id").eq(group_id))
                    .and_where(Expr::col("action_id").eq(action_id))
                    .take();
                self.tx.execute(&notify).await?;
            }
        }
        let delete = Query::delete().from_table(fields_of(list).table).and_where(Expr::col("id").eq(row.id)).take();
        Ok(self.tx.execute(&delete).await?.rows_affected() > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::{AccessList, fields_of};

    #[test]
    fn each_list_filters_on_exactly_its_domain_fields() {
        for list in [AccessList::GroupAction, AccessList::SupervisorAction, AccessList::ContactNotify] {
            let stored: Vec<&str> = fields_of(list).fields.iter().map(|field| field.name).collect();
            assert_eq!(stored, list.field_names(), "{list:?}");
        }
    }
}
