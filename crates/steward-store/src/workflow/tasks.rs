//! Tasks and their actions: read whole (a task is never shown without its actions), written
//! whole by a compare-and-set on the task's version.

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use steward_model::filter::Search;
use steward_model::projects::ProjectId;
use steward_model::workflow::{Action, Approval, Task, TaskStage, TaskType};
use time::OffsetDateTime;

use super::fields::TASK_FIELDS;
use crate::entity::{workflow_action as action, workflow_task as task};
use crate::filter::{self, Window};
use crate::{Store, StoreError, WriteTx, stored_time};

/// Which tasks a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskScope {
    /// Every task.
    All,
    /// Only the tasks of one project.
    Project(ProjectId),
}

impl Store {
    /// The tasks `search` matches within `scope`, newest first; `window` of them when given.
    pub async fn tasks(&self, search: &Search, scope: TaskScope, window: Option<Window>) -> Result<Vec<Task>, StoreError> {
        let mut select = self.scoped_tasks(search, scope)?.order_by_desc(task::Column::CreatedOn).order_by_desc(task::Column::Id);
        if let Some(window) = window {
            select = select.offset(window.offset).limit(window.limit);
        }
        let rows = select.all(&self.db).await?;
        with_actions(&self.db, rows).await
    }

    /// How many tasks `search` matches within `scope`.
    pub async fn task_count(&self, search: &Search, scope: TaskScope) -> Result<u64, StoreError> {
        Ok(self.scoped_tasks(search, scope)?.count(&self.db).await?)
    }

    fn scoped_tasks(&self, search: &Search, scope: TaskScope) -> Result<sea_orm::Select<task::Entity>, StoreError> {
        let condition = filter::condition(search, &TASK_FIELDS, self.backend, &self.local_zone)?;
        let select = task::Entity::find().filter(condition);
        Ok(match scope {
            TaskScope::All => select,
            TaskScope::Project(project) => select.filter(task::Column::ProjectId.eq(project.0)),
        })
    }

    /// The task `uuid` names.
    pub async fn task(&self, uuid: &str) -> Result<Option<Task>, StoreError> {
        task_named(&self.db, uuid).await
    }

    /// The newest task not completed (it may be cancelled): Adjutant's `last_created_task`.
    pub async fn last_created_open_task(&self) -> Result<Option<Task>, StoreError> {
        let row = task::Entity::find()
            .filter(task::Column::Completed.eq(false))
            .order_by_desc(task::Column::CreatedOn)
            .order_by_desc(task::Column::Id)
            .one(&self.db)
            .await?;
        Ok(with_actions(&self.db, row.into_iter().collect()).await?.pop())
    }

    /// The task completed last: Adjutant's `last_completed_task`.
    pub async fn last_completed_task(&self) -> Result<Option<Task>, StoreError> {
        let row = task::Entity::find()
            .filter(task::Column::Completed.eq(true))
            .order_by_desc(task::Column::CompletedOn)
            .order_by_desc(task::Column::Id)
            .one(&self.db)
            .await?;
        Ok(with_actions(&self.db, row.into_iter().collect()).await?.pop())
    }
}

impl WriteTx {
    /// The task `uuid` names, read inside this transaction.
    pub async fn task(&self, uuid: &str) -> Result<Option<Task>, StoreError> {
        task_named(&self.tx, uuid).await
    }

    /// The open (neither completed nor cancelled) tasks whose hash is `hash_key`, but `except`.
    pub async fn open_tasks_with_hash(&self, hash_key: &str, except: Option<&str>) -> Result<Vec<Task>, StoreError> {
        let mut select = task::Entity::find()
            .filter(task::Column::HashKey.eq(hash_key))
            .filter(task::Column::Completed.eq(false))
            .filter(task::Column::Cancelled.eq(false));
        if let Some(except) = except {
            select = select.filter(task::Column::Uuid.ne(except));
        }
        with_actions(&self.tx, select.order_by_asc(task::Column::Id).all(&self.tx).await?).await
    }

    /// How many tasks of `task_type` for `project` completed at or after `since`.
    pub async fn completed_tasks_since(&self, task_type: TaskType, project: ProjectId, since: OffsetDateTime) -> Result<u64, StoreError> {
        Ok(task::Entity::find()
            .filter(task::Column::TaskType.eq(task_type.as_str()))
            .filter(task::Column::ProjectId.eq(project.0))
            .filter(task::Column::Completed.eq(true))
            .filter(task::Column::CompletedOn.gte(stored_time(since)))
            .count(&self.tx)
            .await?)
    }

    /// Stores a new task and its actions; returns it with its key and version 1.
    pub async fn insert_task(&self, task: &Task) -> Result<Task, StoreError> {
        let StageColumns { approved, approved_by, approved_on, completed, completed_on, cancelled } = StageColumns::of(&task.stage);
        let row = task::ActiveModel {
            uuid: Set(task.uuid.clone()),
            task_type: Set(task.task_type.as_str().to_owned()),
            hash_key: Set(task.hash_key.clone()),
            keystone_user: Set(json_text(&task.keystone_user)),
            project_id: Set(task.project.map(|project| project.0)),
            ip_address: Set(task.ip_address.clone()),
            approved: Set(approved),
            approved_by: Set(approved_by),
            approved_on: Set(approved_on),
            completed: Set(completed),
            completed_on: Set(completed_on),
            cancelled: Set(cancelled),
            task_notes: Set(json_text(&task.task_notes)),
            action_notes: Set(json_text(&task.action_notes)),
            created_on: Set(stored_time(task.created_on)),
            version: Set(1),
            ..Default::default()
        }
        .insert(&self.tx)
        .await?;
        self.insert_actions(row.id, &task.actions, task.created_on).await?;
        Ok(Task { id: row.id, version: 1, created_on: stored_time(task.created_on), ..task.clone() })
    }

    /// Writes `task` over its stored row and actions if nobody wrote it since it was read
    /// (its version is still `task.version`); `false` when somebody did, and nothing changed.
    pub async fn save_task(&self, task: &Task) -> Result<bool, StoreError> {
        let StageColumns { approved, approved_by, approved_on, completed, completed_on, cancelled } = StageColumns::of(&task.stage);
        let updated = task::Entity::update_many()
            .col_expr(task::Column::HashKey, Expr::value(task.hash_key.clone()))
            .col_expr(task::Column::Approved, Expr::value(approved))
            .col_expr(task::Column::ApprovedBy, Expr::value(approved_by))
            .col_expr(task::Column::ApprovedOn, Expr::value(approved_on))
            .col_expr(task::Column::Completed, Expr::value(completed))
            .col_expr(task::Column::CompletedOn, Expr::value(completed_on))
            .col_expr(task::Column::Cancelled, Expr::value(cancelled))
            .col_expr(task::Column::TaskNotes, Expr::value(json_text(&task.task_notes)))
            .col_expr(task::Column::ActionNotes, Expr::value(json_text(&task.action_notes)))
            .col_expr(task::Column::Version, Expr::value(task.version + 1))
            .filter(task::Column::Id.eq(task.id))
            .filter(task::Column::Version.eq(task.version))
            .exec(&self.tx)
            .await?;
        if updated.rows_affected != 1 {
            return Ok(false);
        }
        action::Entity::delete_many().filter(action::Column::TaskId.eq(task.id)).exec(&self.tx).await?;
        self.insert_actions(task.id, &task.actions, task.created_on).await?;
        Ok(true)
    }

    async fn insert_actions(&self, task_id: i64, actions: &[Action], created_on: OffsetDateTime) -> Result<(), StoreError> {
        if actions.is_empty() {
            return Ok(());
        }
        let rows = actions.iter().zip(0..).map(|(action, position)| action::ActiveModel {
            task_id: Set(task_id),
            position: Set(position),
            action_name: Set(action.name.clone()),
            data: Set(json_text(&action.data)),
            cache: Set(json_text(&action.cache)),
            state: Set(action.state.clone()),
            valid: Set(action.valid),
            need_token: Set(action.need_token),
            auto_approve: Set(action.auto_approve),
            created_on: Set(stored_time(created_on)),
            ..Default::default()
        });
        action::Entity::insert_many(rows).exec(&self.tx).await?;
        Ok(())
    }
}

/// The columns a stage is stored as: Adjutant's three flags (kept as columns because
/// clients filter on them) and the approval's and the completion's details.
struct StageColumns {
    approved: bool,
    approved_by: String,
    approved_on: Option<OffsetDateTime>,
    completed: bool,
    completed_on: Option<OffsetDateTime>,
    cancelled: bool,
}

impl StageColumns {
    fn of(stage: &TaskStage) -> Self {
        let approval = stage.approval();
        Self {
            approved: approval.is_some(),
            approved_by: approval.map_or_else(|| "{}".to_owned(), |approval| json_text(&approval.by)),
            approved_on: approval.map(|approval| stored_time(approval.on)),
            completed: stage.completed_on().is_some(),
            completed_on: stage.completed_on().map(stored_time),
            cancelled: stage.is_cancelled(),
        }
    }
}

fn json_text(value: &impl serde::Serialize) -> String {
    // Maps, lists and strings always serialise.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

fn parse_json<T: serde::de::DeserializeOwned>(what: impl Fn() -> String, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|cause| StoreError::unreadable(what(), cause))
}

async fn task_named(db: &impl ConnectionTrait, uuid: &str) -> Result<Option<Task>, StoreError> {
    let row = task::Entity::find().filter(task::Column::Uuid.eq(uuid)).one(db).await?;
    Ok(with_actions(db, row.into_iter().collect()).await?.pop())
}

/// `rows` as tasks, with their actions read in one more statement.
async fn with_actions(db: &impl ConnectionTrait, rows: Vec<task::Model>) -> Result<Vec<Task>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let mut actions: std::collections::HashMap<i64, Vec<Action>> = std::collections::HashMap::new();
    let stored = action::Entity::find()
        .filter(action::Column::TaskId.is_in(ids))
        .order_by_asc(action::Column::TaskId)
        .order_by_asc(action::Column::Position)
        .all(db)
        .await?;
    for row in stored {
        let what = || format!("workflow action {}", row.id);
        actions.entry(row.task_id).or_default().push(Action {
            data: parse_json(what, &row.data)?,
            cache: parse_json(what, &row.cache)?,
            name: row.action_name,
            state: row.state,
            valid: row.valid,
            need_token: row.need_token,
            auto_approve: row.auto_approve,
        });
    }
    rows.into_iter()
        .map(|row| {
            let own = actions.remove(&row.id).unwrap_or_default();
            to_task(row, own)
        })
        .collect()
}

fn to_task(row: task::Model, actions: Vec<Action>) -> Result<Task, StoreError> {
    let what = || format!("workflow task {}", row.uuid);
    let task_type = TaskType::parse(&row.task_type).ok_or_else(|| StoreError::Corrupt(format!("workflow task {}: type {}", row.uuid, row.task_type)))?;
    let approval = match row.approved_on {
        Some(on) if row.approved => Some(Approval { by: parse_json(what, &row.approved_by)?, on }),
        _ => None,
    };
    let stage = TaskStage::from_flags(approval, row.completed_on.filter(|_| row.completed), row.cancelled)
        .map_err(|cause| StoreError::unreadable(what(), cause))?;
    Ok(Task {
        keystone_user: parse_json(what, &row.keystone_user)?,
        task_notes: parse_json(what, &row.task_notes)?,
        action_notes: parse_json(what, &row.action_notes)?,
        id: row.id,
        uuid: row.uuid,
        task_type,
        hash_key: row.hash_key,
        project: row.project_id.map(ProjectId),
        ip_address: row.ip_address,
        stage,
        actions,
        created_on: row.created_on,
        version: row.version,
    })
}
