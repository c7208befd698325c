//! What clients may filter tasks, tokens and notifications on: Adjutant's Django field names,
//! and the relations Django lets a filter cross (`task__task_type`, `action__action_name`).
//! JSON fields are text, so `contains` matches inside their serialised form, as upstream.
//! Token values and hashes are not listed: a filter cannot probe them.

use crate::entity::{workflow_action as action, workflow_notification as notification, workflow_task as task, workflow_token as token};
use crate::filter::{ColumnKind, FieldSpec, Fields, Join, Owner, RelationKind, RelationSpec};

/// Tasks.
pub static TASK_FIELDS: Fields = Fields {
    table: &task::Entity,
    primary_key: &task::Column::Id,
    // Not used: tasks are scoped by project in the core, never by an owning account.
    owner: Owner::Column(&task::Column::Id),
    fields: &[
        FieldSpec { name: "uuid", column: &task::Column::Uuid, kind: ColumnKind::Text },
        FieldSpec { name: "hash_key", column: &task::Column::HashKey, kind: ColumnKind::Text },
        FieldSpec { name: "ip_address", column: &task::Column::IpAddress, kind: ColumnKind::Text },
        FieldSpec { name: "keystone_user", column: &task::Column::KeystoneUser, kind: ColumnKind::Text },
        FieldSpec { name: "project_id", column: &task::Column::ProjectId, kind: ColumnKind::Integer },
        FieldSpec { name: "approved_by", column: &task::Column::ApprovedBy, kind: ColumnKind::Text },
        FieldSpec { name: "task_type", column: &task::Column::TaskType, kind: ColumnKind::Text },
        FieldSpec { name: "task_notes", column: &task::Column::TaskNotes, kind: ColumnKind::Text },
        FieldSpec { name: "action_notes", column: &task::Column::ActionNotes, kind: ColumnKind::Text },
        FieldSpec { name: "cancelled", column: &task::Column::Cancelled, kind: ColumnKind::Bool },
        FieldSpec { name: "approved", column: &task::Column::Approved, kind: ColumnKind::Bool },
        FieldSpec { name: "completed", column: &task::Column::Completed, kind: ColumnKind::Bool },
        FieldSpec { name: "created_on", column: &task::Column::CreatedOn, kind: ColumnKind::DateTime },
        FieldSpec { name: "approved_on", column: &task::Column::ApprovedOn, kind: ColumnKind::DateTime },
        FieldSpec { name: "completed_on", column: &task::Column::CompletedOn, kind: ColumnKind::DateTime },
    ],
    relations: &[
        RelationSpec {
            name: "action",
            kind: RelationKind::ToMany,
            target: &ACTION_FIELDS,
            join: Join::Columns { local: &task::Column::Id, remote: &action::Column::TaskId },
        },
        RelationSpec {
            name: "token",
            kind: RelationKind::ToMany,
            target: &TOKEN_FIELDS,
            join: Join::Columns { local: &task::Column::Uuid, remote: &token::Column::TaskUuid },
        },
        RelationSpec {
            name: "notification",
            kind: RelationKind::ToMany,
            target: &NOTIFICATION_FIELDS,
            join: Join::Columns { local: &task::Column::Uuid, remote: &notification::Column::TaskUuid },
        },
    ],
};

/// Actions, reached from tasks only.
static ACTION_FIELDS: Fields = Fields {
    table: &action::Entity,
    primary_key: &action::Column::Id,
    owner: Owner::Column(&action::Column::Id),
    fields: &[
        FieldSpec { name: "action_name", column: &action::Column::ActionName, kind: ColumnKind::Text },
        FieldSpec { name: "action_data", column: &action::Column::Data, kind: ColumnKind::Text },
        FieldSpec { name: "state", column: &action::Column::State, kind: ColumnKind::Text },
        FieldSpec { name: "valid", column: &action::Column::Valid, kind: ColumnKind::Bool },
        FieldSpec { name: "need_token", column: &action::Column::NeedToken, kind: ColumnKind::Bool },
        FieldSpec { name: "auto_approve", column: &action::Column::AutoApprove, kind: ColumnKind::Bool },
        FieldSpec { name: "order", column: &action::Column::Position, kind: ColumnKind::Integer },
        FieldSpec { name: "created", column: &action::Column::CreatedOn, kind: ColumnKind::DateTime },
    ],
    relations: &[],
};

/// Task tokens.
pub static TOKEN_FIELDS: Fields = Fields {
    table: &token::Entity,
    primary_key: &token::Column::Id,
    owner: Owner::Column(&token::Column::Id),
    fields: &[
        FieldSpec { name: "task", column: &token::Column::TaskUuid, kind: ColumnKind::Text },
        FieldSpec { name: "task_id", column: &token::Column::TaskUuid, kind: ColumnKind::Text },
        FieldSpec { name: "created_on", column: &token::Column::CreatedOn, kind: ColumnKind::DateTime },
        FieldSpec { name: "expires", column: &token::Column::Expires, kind: ColumnKind::DateTime },
    ],
    relations: &[RelationSpec {
        name: "task",
        kind: RelationKind::ToOne,
        target: &TASK_FIELDS,
        join: Join::Columns { local: &token::Column::TaskUuid, remote: &task::Column::Uuid },
    }],
};

/// Notifications.
pub static NOTIFICATION_FIELDS: Fields = Fields {
    table: &notification::Entity,
    primary_key: &notification::Column::Id,
    owner: Owner::Column(&notification::Column::Id),
    fields: &[
        FieldSpec { name: "uuid", column: &notification::Column::Uuid, kind: ColumnKind::Text },
        FieldSpec { name: "notes", column: &notification::Column::Notes, kind: ColumnKind::Text },
        FieldSpec { name: "task", column: &notification::Column::TaskUuid, kind: ColumnKind::Text },
        FieldSpec { name: "task_id", column: &notification::Column::TaskUuid, kind: ColumnKind::Text },
        FieldSpec { name: "error", column: &notification::Column::Error, kind: ColumnKind::Bool },
        FieldSpec { name: "acknowledged", column: &notification::Column::Acknowledged, kind: ColumnKind::Bool },
        FieldSpec { name: "created_on", column: &notification::Column::CreatedOn, kind: ColumnKind::DateTime },
    ],
    relations: &[RelationSpec {
        name: "task",
        kind: RelationKind::ToOne,
        target: &TASK_FIELDS,
        join: Join::Columns { local: &notification::Column::TaskUuid, remote: &task::Column::Uuid },
    }],
};
