//! Adjutant's workflow: tasks, their actions, task tokens and notifications. Tokens and
//! notifications point at their task by its uuid (Django's `task_id` is the uuid, and
//! clients filter on it); everything of a task goes with it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{cascade, references, unique};
use crate::entity::{project, workflow_action, workflow_notification, workflow_task, workflow_token};

/// Creates the workflow's tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0010_workflow"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(workflow_task::Entity)
                    .col(big_pk_auto(workflow_task::Column::Id))
                    .col(string_uniq(workflow_task::Column::Uuid))
                    .col(string(workflow_task::Column::TaskType))
                    .col(string(workflow_task::Column::HashKey))
                    .col(text(workflow_task::Column::KeystoneUser))
                    .col(big_integer_null(workflow_task::Column::ProjectId))
                    .col(string_null(workflow_task::Column::IpAddress))
                    .col(boolean(workflow_task::Column::Approved))
                    .col(text(workflow_task::Column::ApprovedBy))
                    .col(timestamp_with_time_zone_null(workflow_task::Column::ApprovedOn))
                    .col(boolean(workflow_task::Column::Completed))
                    .col(timestamp_with_time_zone_null(workflow_task::Column::CompletedOn))
                    .col(boolean(workflow_task::Column::Cancelled))
                    .col(text(workflow_task::Column::TaskNotes))
                    .col(text(workflow_task::Column::ActionNotes))
                    .col(timestamp_with_time_zone(workflow_task::Column::CreatedOn))
                    .col(big_integer(workflow_task::Column::Version))
                    // A task outlives its project (it is the record of what was done).
                    .foreign_key(&mut references(workflow_task::Column::ProjectId, project::Column::Id, ForeignKeyAction::SetNull))
                    .take(),
            )
            .await?;
        // Lists are newest first; duplicates are found by hash among open tasks.
        manager
            .create_index(Index::create().name("workflow_tasks_created").table(workflow_task::Entity).col(workflow_task::Column::CreatedOn).take())
            .await?;
        manager
            .create_index(Index::create().name("workflow_tasks_hash").table(workflow_task::Entity).col(workflow_task::Column::HashKey).take())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(workflow_action::Entity)
                    .col(big_pk_auto(workflow_action::Column::Id))
                    .col(big_integer(workflow_action::Column::TaskId))
                    .col(integer(workflow_action::Column::Position))
                    .col(string(workflow_action::Column::ActionName))
                    .col(text(workflow_action::Column::Data))
                    .col(text(workflow_action::Column::Cache))
                    .col(string(workflow_action::Column::State))
                    .col(boolean(workflow_action::Column::Valid))
                    .col(boolean(workflow_action::Column::NeedToken))
                    .col(boolean_null(workflow_action::Column::AutoApprove))
                    .col(timestamp_with_time_zone(workflow_action::Column::CreatedOn))
                    .foreign_key(&mut cascade(workflow_action::Column::TaskId, workflow_task::Column::Id))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique(
                "workflow_actions_task_position",
                workflow_action::Entity,
                [workflow_action::Column::TaskId, workflow_action::Column::Position],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(workflow_token::Entity)
                    .col(big_pk_auto(workflow_token::Column::Id))
                    .col(string_uniq(workflow_token::Column::TokenHash))
                    .col(string(workflow_token::Column::Token))
                    .col(string(workflow_token::Column::TaskUuid))
                    .col(timestamp_with_time_zone(workflow_token::Column::CreatedOn))
                    .col(timestamp_with_time_zone(workflow_token::Column::Expires))
                    .foreign_key(&mut cascade(workflow_token::Column::TaskUuid, workflow_task::Column::Uuid))
                    .take(),
            )
            .await?;
        manager
            .create_index(Index::create().name("workflow_tokens_task").table(workflow_token::Entity).col(workflow_token::Column::TaskUuid).take())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(workflow_notification::Entity)
                    .col(big_pk_auto(workflow_notification::Column::Id))
                    .col(string_uniq(workflow_notification::Column::Uuid))
                    .col(string_null(workflow_notification::Column::TaskUuid))
                    .col(text(workflow_notification::Column::Notes))
                    .col(boolean(workflow_notification::Column::Error))
                    .col(boolean(workflow_notification::Column::Acknowledged))
                    .col(timestamp_with_time_zone(workflow_notification::Column::CreatedOn))
                    .foreign_key(&mut cascade(workflow_notification::Column::TaskUuid, workflow_task::Column::Uuid))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("workflow_notifications_created")
                    .table(workflow_notification::Entity)
                    .col(workflow_notification::Column::CreatedOn)
                    .take(),
            )
            .await
    }
}
