//! Janua's keyword actions and their three access lists. Steward runs no plug-in actions,
//! so `janua_actions` starts empty; the access lists keep Janua's rules and cascades so
//! clients that manage them keep working.

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use steward_model::AccountId;
use steward_model::filter::Search;

use steward_model::Page;
use crate::entity::{
    janua_action, janua_authorized_group_action as group_action, janua_authorized_supervisor_action as supervisor_action,
    janua_contact_notify_action as contact_notify,
};
use crate::filter::{Column, ColumnKind, FieldSpec, Fields, Owner};
use crate::{Store, StoreError, WriteTx};

/// What clients may filter actions on (`module` and `janua_id` are hidden).
pub static ACTION_FIELDS: Fields = Fields {
    table: &janua_action::Entity,
    primary_key: &janua_action::Column::Id,
    owner: Owner::Column(&janua_action::Column::AdminId),
    fields: &[
        FieldSpec { name: "id", column: &janua_action::Column::Id, kind: ColumnKind::Integer },
        FieldSpec { name: "name", column: &janua_action::Column::Name, kind: ColumnKind::Text },
        FieldSpec { name: "description", column: &janua_action::Column::Description, kind: ColumnKind::Text },
        FieldSpec { name: "authentication", column: &janua_action::Column::Authentication, kind: ColumnKind::Bool },
        FieldSpec { name: "enabled", column: &janua_action::Column::Enabled, kind: ColumnKind::Bool },
        FieldSpec { name: "admin_id", column: &janua_action::Column::AdminId, kind: ColumnKind::Integer },
    ],
    relations: &[],
};

pub use steward_model::directory::{AccessList, AccessRow, Action};

/// A row under an action (its `action_id`) belongs to the admin managing the action.
const fn under_action(action_id: &'static dyn Column) -> Owner {
    Owner::Parent { column: action_id, key: &janua_action::Column::Id, owner: &janua_action::Column::AdminId }
}

static GROUP_ACTION_FIELDS: Fields = Fields {
    table: &group_action::Entity,
    primary_key: &group_action::Column::Id,
    owner: under_action(&group_action::Column::ActionId),
    fields: &[
        FieldSpec { name: "id", column: &group_action::Column::Id, kind: ColumnKind::Integer },
        FieldSpec { name: "group_id", column: &group_action::Column::GroupId, kind: ColumnKind::Integer },
        FieldSpec { name: "action_id", column: &group_action::Column::ActionId, kind: ColumnKind::Integer },
    ],
    relations: &[],
};

static SUPERVISOR_ACTION_FIELDS: Fields = Fields {
    table: &supervisor_action::Entity,
    primary_key: &supervisor_action::Column::Id,
    // Searched whole only (the list is the super admin's); a row names its supervisor.
    owner: Owner::Column(&supervisor_action::Column::AdminId),
    fields: &[
        FieldSpec { name: "id", column: &supervisor_action::Column::Id, kind: ColumnKind::Integer },
        FieldSpec { name: "admin_id", column: &supervisor_action::Column::AdminId, kind: ColumnKind::Integer },
        FieldSpec { name: "action_id", column: &supervisor_action::Column::ActionId, kind: ColumnKind::Integer },
    ],
    relations: &[],
};

static CONTACT_NOTIFY_FIELDS: Fields = Fields {
    table: &contact_notify::Entity,
    primary_key: &contact_notify::Column::Id,
    owner: under_action(&contact_notify::Column::ActionId),
    fields: &[
        FieldSpec { name: "id", column: &contact_notify::Column::Id, kind: ColumnKind::Integer },
        FieldSpec { name: "contact_id", column: &contact_notify::Column::ContactId, kind: ColumnKind::Integer },
        FieldSpec { name: "action_id", column: &contact_notify::Column::ActionId, kind: ColumnKind::Integer },
        FieldSpec { name: "group_id", column: &contact_notify::Column::GroupId, kind: ColumnKind::Integer },
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

fn to_action(row: janua_action::Model) -> Action {
    Action {
        id: row.id,
        name: row.name,
        description: row.description,
        authentication: row.authentication,
        enabled: row.enabled,
        admin_id: row.admin_id,
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
        Ok(self.search_rows::<janua_action::Model>(&ACTION_FIELDS, managed_by, search, skip, page_size).await?.map(to_action))
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
        let fields = fields_of(list);
        let page = self.search_rows::<sea_orm::JsonValue>(fields, managed_by, search, skip, page_size).await?;
        // The rows are `SELECT table.*`: keyed by column name.
        let value = |row: &sea_orm::JsonValue, column: &dyn Column| {
            row.get(column.name()).and_then(serde_json::Value::as_i64).unwrap_or_default()
        };
        let rows = page
            .rows
            .into_iter()
            .map(|row| AccessRow {
                id: value(&row, fields.primary_key),
                columns: fields
                    .fields
                    .iter()
                    .filter(|field| !field.column.is(fields.primary_key))
                    .map(|field| (field.name, value(&row, field.column)))
                    .collect(),
            })
            .collect();
        Ok(Page { total: page.total, rows })
    }

    /// The action `id`.
    pub async fn action(&self, id: i64) -> Result<Option<Action>, StoreError> {
        Ok(janua_action::Entity::find_by_id(id).one(&self.db).await?.map(to_action))
    }
}

impl WriteTx {
    /// Reassigns an action to another admin, dropping its three access lists (Janua's
    /// trigger); `false` if the action does not exist.
    pub async fn reassign_action(&self, id: i64, admin: AccountId) -> Result<bool, StoreError> {
        group_action::Entity::delete_many().filter(group_action::Column::ActionId.eq(id)).exec(&self.tx).await?;
        supervisor_action::Entity::delete_many().filter(supervisor_action::Column::ActionId.eq(id)).exec(&self.tx).await?;
        contact_notify::Entity::delete_many().filter(contact_notify::Column::ActionId.eq(id)).exec(&self.tx).await?;
        let update = janua_action::Entity::update_many()
            .col_expr(janua_action::Column::AdminId, Expr::value(admin.0))
            .filter(janua_action::Column::Id.eq(id))
            .exec(&self.tx)
            .await?;
        Ok(update.rows_affected > 0)
    }
}

impl WriteTx {
    /// Deletes one access-list row (and, for a group's authorization, the notifications of
    /// that group's contacts for that action, Janua's trigger).
    pub async fn delete_access(&self, list: AccessList, row: &AccessRow) -> Result<bool, StoreError> {
        if list == AccessList::GroupAction {
            let value = |name: &str| row.columns.iter().find(|(column, _)| *column == name).map(|(_, value)| *value);
            if let (Some(group_id), Some(action_id)) = (value("group_id"), value("action_id")) {
                contact_notify::Entity::delete_many()
                    .filter(contact_notify::Column::GroupId.eq(group_id))
                    .filter(contact_notify::Column::ActionId.eq(action_id))
                    .exec(&self.tx)
                    .await?;
            }
        }
        let fields = fields_of(list);
        let delete = Query::delete()
            .from_table(fields.table.name())
            .and_where(fields.primary_key.qualified().eq(row.id))
            .take();
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
