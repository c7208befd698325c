//! Tasks: made by delegate requests, listed and read by admins (and a project's moderators
//! for their own project), updated while pending, approved, cancelled. Each change runs in
//! one write transaction with its actions' steps, its tokens, mails, notifications and
//! audit entry, and is saved by a compare-and-set on the task's version.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use steward_model::filter::Search;
use steward_model::workflow::{
    self as model, Action, Closed, DuplicatePolicy, Notification, Pending, Task, TaskStage, TaskType, auto_approves,
};
use steward_store::WriteTx;
use steward_store::filter::Window;
use steward_store::workflow::TaskScope;
use time::OffsetDateTime;

use super::actions::{ActionKind, Submitted, TokenData, Verdict};
use super::fields::Reader;
use super::requester::{ADMIN, MOD_OR_ADMIN, Requester};
use super::{Workflow, WorkflowError, new_id};
use crate::now;

/// The least time a password reset request takes.
pub const RESET_FLOOR: std::time::Duration = std::time::Duration::from_millis(250);

/// A page asked for: 1-based `page` of `per_page` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// Which page, from 1.
    pub page: u64,
    /// Rows per page, at least 1.
    pub per_page: u64,
}

/// Where a page sits among all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pages {
    /// How many pages there are (at least 1).
    pub count: u64,
    /// Whether a page follows.
    pub has_more: bool,
    /// Whether a page precedes.
    pub has_prev: bool,
}

/// A list (of tasks or notifications), with where its page sits when it was paged.
#[derive(Debug, Clone)]
pub struct Listed<T> {
    /// The rows.
    pub rows: Vec<T>,
    /// Set when a page was asked for.
    pub pages: Option<Pages>,
}

/// The admin's overview.
#[derive(Debug, Clone)]
pub struct Status {
    /// Unacknowledged error notifications.
    pub error_notifications: Vec<Notification>,
    /// The newest task not completed.
    pub last_created_task: Option<Task>,
    /// The task completed last.
    pub last_completed_task: Option<Task>,
}

/// What an approval led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    /// A token was issued and mailed; the task waits for it.
    TokenCreated,
    /// No action needed a token: the task completed.
    Completed,
}

/// What a new task led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// Its uuid.
    pub uuid: String,
    /// `None` when it waits for an admin's approval.
    pub approval: Option<Approval>,
}

/// The page `paging` asks of `total` rows, as a window; or the refusal of a page past the
/// end (page 1 of nothing is fine).
pub(crate) fn window(paging: Paging, total: u64) -> Result<(Window, Pages), WorkflowError> {
    let per_page = paging.per_page.clamp(1, steward_store::filter::MAX_PAGE_SIZE);
    let count = total.div_ceil(per_page).max(1);
    if paging.page < 1 || paging.page > count {
        return Err(WorkflowError::EmptyPage);
    }
    let window = Window { offset: (paging.page - 1) * per_page, limit: per_page };
    Ok((window, Pages { count, has_more: paging.page < count, has_prev: paging.page > 1 }))
}

/// The fingerprint duplicates share: the type, the actions and their data.
fn hash_key(task_type: TaskType, kinds: &[ActionKind], data: &[Value]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(task_type.as_str());
    for (kind, data) in kinds.iter().zip(data) {
        hasher.update(b"|");
        hasher.update(kind.name());
        hasher.update(b"|");
        hasher.update(data.to_string());
    }
    steward_model::hex::encode(&hasher.finalize())
}

/// Whether a task type may approve itself (upstream's `allow_auto_approve`); a quota change
/// does when its action votes so (one step, not recently).
fn auto_approval_allowed(task_type: TaskType) -> bool {
    task_type != TaskType::Signup
}

/// The kinds of a stored task's actions.
pub(crate) fn kinds_of(task: &Task) -> Result<Vec<ActionKind>, WorkflowError> {
    task.actions
        .iter()
        .map(|action| ActionKind::named(&action.name).ok_or_else(|| steward_store::StoreError::Corrupt(format!("workflow task {}: action {}", task.uuid, action.name)).into()))
        .collect()
}

/// A note stamped as Adjutant stamps them.
pub(crate) fn stamped(note: &str, at: OffsetDateTime) -> Value {
    let stamp = at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    Value::String(format!("{note} - ({stamp})"))
}

impl Workflow {
    /// Makes a task of `task_type` from a client's `body`, prepares it, and approves it at
    /// once when its actions vote so and its type allows it; otherwise admins are notified.
    /// A password reset takes at least [`RESET_FLOOR`] whoever the address belongs to, so
    /// its time does not tell.
    #[tracing::instrument(skip_all, fields(task_type = %task_type))]
    pub async fn create(&self, requester: &Requester, task_type: TaskType, body: &Map<String, Value>) -> Result<Created, WorkflowError> {
        let floor = tokio::time::Instant::now() + RESET_FLOOR;
        let created = self.create_once(requester, task_type, body).await;
        if task_type == TaskType::ResetPassword {
            tokio::time::sleep_until(floor).await;
        }
        created
    }

    async fn create_once(&self, requester: &Requester, task_type: TaskType, body: &Map<String, Value>) -> Result<Created, WorkflowError> {
        match task_type {
            TaskType::Signup | TaskType::ResetPassword => {}
            TaskType::InviteUser | TaskType::EditUser | TaskType::UpdateQuota => requester.require(MOD_OR_ADMIN)?,
            TaskType::UpdateEmail => {
                requester.require_account()?;
            }
        }
        let kinds = ActionKind::of(task_type).ok_or(WorkflowError::NotServed(task_type))?;
        let mut reader = Reader::new(body);
        let data: Vec<Value> = kinds.iter().map(|kind| kind.read(&mut reader, requester)).collect();
        reader.errors.into_result()?;
        let unknown: Vec<String> = kinds.iter().zip(&data).flat_map(|(kind, data)| kind.unknown_regions(data)).collect();
        if !unknown.is_empty() {
            return Err(WorkflowError::UnknownRegions(unknown));
        }
        if requester.account_of().is_none() {
            // Anonymous requests are counted per e-mail and per client address, refused past
            // the limit: nobody fills the store or the mail queue from outside.
            let email = body.get("email").and_then(Value::as_str).map(str::to_lowercase);
            self.anonymous.check(email.as_deref(), requester.ip()).map_err(|limited| WorkflowError::TooManyRequests(limited.retry_after))?;
            self.anonymous.record_failure(email.as_deref(), requester.ip());
        }
        let hash = hash_key(task_type, kinds, &data);
        let at = now();
        let write = self.store.write().await?;
        self.settle_duplicates(&write, requester, task_type, &hash, None, at).await?;
        let mut task = Task {
            id: 0,
            uuid: new_id(),
            task_type,
            hash_key: hash,
            keystone_user: requester.keystone_user(),
            project: requester.project().map(|project| project.id),
            ip_address: requester.ip().map(|ip| ip.to_string()),
            stage: TaskStage::Pending(Pending),
            task_notes: Vec::new(),
            action_notes: Map::new(),
            actions: Vec::new(),
            created_on: at,
            version: 0,
        };
        let votes = prepare(&write, &self.store, &mut task, kinds, data, requester, at).await?;
        let trying = auto_approval_allowed(task_type) && votes.contains(&Some(true));
        if trying && task.actions.iter().any(|action| !action.valid) {
            return Err(WorkflowError::ActionsInvalid);
        }
        let task = write.insert_task(&task).await?;
        self.audit(&write, requester, "task.create", &task.uuid, json!({ "task_type": task_type.as_str() }), at).await?;
        self.mail_stage(&write, &task, "initial", None, at).await?;
        let approval = if trying && auto_approves(votes, true) {
            Some(self.approve_in(&write, requester, task.clone(), at).await?)
        } else {
            self.raise(&write, Some(&task.uuid), json!({ "notes": [format!("'{}' task needs approval.", task_type)] }), false, at).await?;
            None
        };
        write.commit().await?;
        Ok(Created { uuid: task.uuid, approval })
    }

    /// The tasks `search` matches, newest first; a page of them when `paging` asks.
    pub async fn tasks(&self, requester: &Requester, search: &Search, paging: Option<Paging>) -> Result<Listed<Task>, WorkflowError> {
        requester.require(ADMIN)?;
        let (rows, pages) = match paging {
            None => (self.store.tasks(search, TaskScope::All, None).await?, None),
            Some(paging) => {
                let (window, pages) = window(paging, self.store.task_count(search, TaskScope::All).await?)?;
                (self.store.tasks(search, TaskScope::All, Some(window)).await?, Some(pages))
            }
        };
        Ok(Listed { rows, pages })
    }

    /// One task, to an admin or a moderator of its project (to anyone else it does not exist).
    pub async fn task(&self, requester: &Requester, uuid: &str) -> Result<Task, WorkflowError> {
        requester.require(MOD_OR_ADMIN)?;
        self.store.task(uuid).await?.filter(|task| requester.sees(task)).ok_or(WorkflowError::TaskNotFound)
    }

    /// The admin's overview.
    pub async fn status(&self, requester: &Requester) -> Result<Status, WorkflowError> {
        requester.require(ADMIN)?;
        Ok(Status {
            error_notifications: self.store.open_error_notifications().await?,
            last_created_task: self.store.last_created_open_task().await?,
            last_completed_task: self.store.last_completed_task().await?,
        })
    }

    /// Replaces a pending task's data with `body` and prepares its actions again; approves it
    /// when it now may approve itself.
    #[tracing::instrument(skip_all, fields(task = uuid))]
    pub async fn update(&self, requester: &Requester, uuid: &str, body: &Map<String, Value>) -> Result<Option<Approval>, WorkflowError> {
        let updated = self.update_once(requester, uuid, body).await;
        self.after_crash(uuid, "setting up", updated).await
    }

    async fn update_once(&self, requester: &Requester, uuid: &str, body: &Map<String, Value>) -> Result<Option<Approval>, WorkflowError> {
        requester.require(MOD_OR_ADMIN)?;
        let at = now();
        let write = self.store.write().await?;
        let mut task = write.task(uuid).await?.filter(|task| requester.sees(task)).ok_or(WorkflowError::TaskNotFound)?;
        match &task.stage {
            TaskStage::Completed(_) => return Err(WorkflowError::Closed(Closed::Completed)),
            TaskStage::Cancelled(_) => return Err(WorkflowError::Closed(Closed::Cancelled)),
            TaskStage::Approved(_) => return Err(WorkflowError::AlreadyApproved),
            TaskStage::Pending(_) => {}
        }
        let kinds = kinds_of(&task)?;
        let mut reader = Reader::new(body);
        let data: Vec<Value> = kinds.iter().map(|kind| kind.read(&mut reader, requester)).collect();
        reader.errors.into_result()?;
        task.hash_key = hash_key(task.task_type, &kinds, &data);
        self.settle_duplicates(&write, requester, task.task_type, &task.hash_key, Some(uuid), at).await?;
        let votes = prepare(&write, &self.store, &mut task, &kinds, data, requester, at).await?;
        if let TaskStage::Pending(pending) = std::mem::replace(&mut task.stage, TaskStage::Pending(Pending)) {
            task.stage = TaskStage::Pending(pending.update());
        }
        if !write.save_task(&task).await? {
            return Err(WorkflowError::Changed);
        }
        task.version += 1;
        self.audit(&write, requester, "task.update", uuid, json!({}), at).await?;
        let valid = task.actions.iter().all(|action| action.valid);
        let approval = if valid && auto_approval_allowed(task.task_type) && auto_approves(votes, true) {
            Some(self.approve_in(&write, requester, task, at).await?)
        } else {
            None
        };
        write.commit().await?;
        Ok(approval)
    }

    /// Approves a task (again, when it waits for its token: the old token dies and a new one
    /// is mailed), runs its actions' approve step, then issues its token or completes it.
    #[tracing::instrument(skip_all, fields(task = uuid))]
    pub async fn approve(&self, requester: &Requester, uuid: &str) -> Result<Approval, WorkflowError> {
        let approved = self.approve_once(requester, uuid).await;
        self.after_crash(uuid, "approving", approved).await
    }

    async fn approve_once(&self, requester: &Requester, uuid: &str) -> Result<Approval, WorkflowError> {
        requester.require(ADMIN)?;
        let at = now();
        let write = self.store.write().await?;
        let task = write.task(uuid).await?.ok_or(WorkflowError::TaskNotFound)?;
        if let Some(closed) = task.stage.closed() {
            return Err(WorkflowError::Closed(closed));
        }
        if task.actions.iter().any(|action| !action.valid) {
            return Err(WorkflowError::ActionsInvalid);
        }
        let approval = self.approve_in(&write, requester, task, at).await?;
        write.commit().await?;
        Ok(approval)
    }

    /// Cancels a task that has not completed: its tokens die, no mail is sent.
    #[tracing::instrument(skip_all, fields(task = uuid))]
    pub async fn cancel(&self, requester: &Requester, uuid: &str) -> Result<(), WorkflowError> {
        requester.require(MOD_OR_ADMIN)?;
        let at = now();
        let write = self.store.write().await?;
        let mut task = write.task(uuid).await?.filter(|task| requester.sees(task)).ok_or(WorkflowError::TaskNotFound)?;
        task.stage = match std::mem::replace(&mut task.stage, TaskStage::Pending(Pending)) {
            TaskStage::Pending(pending) => TaskStage::Cancelled(pending.cancel()),
            TaskStage::Approved(approved) => TaskStage::Cancelled(approved.cancel()),
            TaskStage::Completed(_) => return Err(WorkflowError::Closed(Closed::Completed)),
            TaskStage::Cancelled(_) => return Err(WorkflowError::Closed(Closed::Cancelled)),
        };
        write.delete_task_tokens(uuid).await?;
        if !write.save_task(&task).await? {
            return Err(WorkflowError::Changed);
        }
        self.audit(&write, requester, "task.cancel", uuid, json!({}), at).await?;
        write.commit().await?;
        Ok(())
    }

    /// Refuses a duplicate of an open task of a "block" type; cancels the open duplicates of
    /// a "cancel" type, with a note on each.
    async fn settle_duplicates(
        &self,
        write: &WriteTx,
        requester: &Requester,
        task_type: TaskType,
        hash: &str,
        except: Option<&str>,
        at: OffsetDateTime,
    ) -> Result<(), WorkflowError> {
        let duplicates = write.open_tasks_with_hash(hash, except).await?;
        if duplicates.is_empty() {
            return Ok(());
        }
        if task_type.duplicates() == DuplicatePolicy::Block {
            return Err(WorkflowError::Duplicate);
        }
        for mut duplicate in duplicates {
            duplicate.stage = match std::mem::replace(&mut duplicate.stage, TaskStage::Pending(Pending)) {
                TaskStage::Pending(pending) => TaskStage::Cancelled(pending.cancel()),
                TaskStage::Approved(approved) => TaskStage::Cancelled(approved.cancel()),
                closed => closed,
            };
            duplicate.task_notes.push("Task cancelled because a newer duplicate task was created.".to_owned());
            write.delete_task_tokens(&duplicate.uuid).await?;
            if !write.save_task(&duplicate).await? {
                return Err(WorkflowError::Changed);
            }
            self.audit(write, requester, "task.cancel", &duplicate.uuid, json!({ "reason": "duplicate" }), at).await?;
        }
        Ok(())
    }

    /// Records the approval, runs the approve steps, then issues the token or completes the
    /// task; the caller commits. An action that finds the task invalid refuses it all.
    pub(crate) async fn approve_in(&self, write: &WriteTx, requester: &Requester, mut task: Task, at: OffsetDateTime) -> Result<Approval, WorkflowError> {
        let approval = model::Approval { by: requester.keystone_user(), on: at };
        let approved = match std::mem::replace(&mut task.stage, TaskStage::Pending(Pending)) {
            TaskStage::Pending(pending) => pending.approve(approval),
            TaskStage::Approved(approved) => {
                write.delete_task_tokens(&task.uuid).await?;
                approved.approve(approval)
            }
            TaskStage::Completed(_) => return Err(WorkflowError::Closed(Closed::Completed)),
            TaskStage::Cancelled(_) => return Err(WorkflowError::Closed(Closed::Cancelled)),
        };
        let kinds = kinds_of(&task)?;
        let mut fields: Vec<&'static str> = Vec::new();
        for (kind, action) in kinds.iter().zip(task.actions.iter_mut()) {
            let verdict = kind.approve(write, &action.data).await?;
            record(action, &mut task.action_notes, kind, &verdict, at);
            if !verdict.valid {
                return Err(WorkflowError::ActionsInvalid);
            }
            action.need_token = !verdict.token_fields.is_empty();
            action.cache = json!({ "token_fields": verdict.token_fields });
            for field in verdict.token_fields {
                if !fields.contains(&field) {
                    fields.push(field);
                }
            }
        }
        self.audit(write, requester, "task.approve", &task.uuid, json!({}), at).await?;
        if fields.is_empty() {
            task.stage = TaskStage::Approved(approved);
            self.complete_in(write, requester, task, &TokenData::default(), at).await?;
            return Ok(Approval::Completed);
        }
        task.stage = TaskStage::Approved(approved);
        if !write.save_task(&task).await? {
            return Err(WorkflowError::Changed);
        }
        self.issue_token(write, &task, at).await?;
        Ok(Approval::TokenCreated)
    }

    /// Submits every action of an approved task with `token`'s data and completes it; the
    /// caller commits. Returns what the actions did.
    pub(crate) async fn complete_in(
        &self,
        write: &WriteTx,
        requester: &Requester,
        mut task: Task,
        token: &TokenData,
        at: OffsetDateTime,
    ) -> Result<Vec<Submitted>, WorkflowError> {
        let approved = match std::mem::replace(&mut task.stage, TaskStage::Pending(Pending)) {
            TaskStage::Approved(approved) => approved,
            TaskStage::Pending(_) => return Err(WorkflowError::NotApproved),
            TaskStage::Completed(_) => return Err(WorkflowError::Closed(Closed::Completed)),
            TaskStage::Cancelled(_) => return Err(WorkflowError::Closed(Closed::Cancelled)),
        };
        let kinds = kinds_of(&task)?;
        let mut done = Vec::with_capacity(kinds.len());
        for (kind, action) in kinds.iter().zip(task.actions.iter_mut()) {
            let submitted = kind.submit(write, &action.data, token, at, &done).await?;
            record(action, &mut task.action_notes, kind, &submitted.verdict, at);
            if !submitted.verdict.valid {
                return Err(WorkflowError::ActionsInvalid);
            }
            action.state = submitted.verdict.state.to_owned();
            done.push(submitted);
        }
        task.stage = TaskStage::Completed(approved.complete(at));
        write.delete_task_tokens(&task.uuid).await?;
        if !write.save_task(&task).await? {
            return Err(WorkflowError::Changed);
        }
        for created in done.iter().filter_map(|submitted| submitted.created_account.as_deref()) {
            self.audit(write, requester, "account.create", created, json!({ "task": task.uuid }), at).await?;
        }
        self.audit(write, requester, "task.complete", &task.uuid, json!({}), at).await?;
        self.mail_stage(write, &task, "completed", None, at).await?;
        Ok(done)
    }

    /// Writes an audit entry of `requester` inside `write`.
    pub(crate) async fn audit(&self, write: &WriteTx, requester: &Requester, action: &str, target: &str, detail: Value, at: OffsetDateTime) -> Result<(), WorkflowError> {
        let entry = steward_model::NewAuditEntry {
            actor: requester.audit_name(),
            action: action.to_owned(),
            target: target.to_owned(),
            face: requester.face.to_owned(),
            detail,
        };
        Ok(write.audit(entry, at).await?)
    }
}

/// Prepares `task`'s actions from their new `data`: their validity, state and notes; returns
/// their votes.
async fn prepare(
    write: &WriteTx,
    store: &steward_store::Store,
    task: &mut Task,
    kinds: &[ActionKind],
    data: Vec<Value>,
    requester: &Requester,
    at: OffsetDateTime,
) -> Result<Vec<Option<bool>>, WorkflowError> {
    task.actions.clear();
    task.action_notes = Map::new();
    let mut votes = Vec::with_capacity(kinds.len());
    for (kind, data) in kinds.iter().zip(data) {
        let verdict = kind.prepare(write, store, &data, requester).await?;
        let mut action = Action {
            name: kind.name().to_owned(),
            data,
            cache: json!({}),
            state: verdict.state.to_owned(),
            valid: verdict.valid,
            need_token: false,
            auto_approve: verdict.vote,
        };
        record(&mut action, &mut task.action_notes, kind, &verdict, at);
        votes.push(verdict.vote);
        task.actions.push(action);
    }
    Ok(votes)
}

/// Writes a step's verdict on its action, and its notes in the task's notes.
fn record(action: &mut Action, notes: &mut Map<String, Value>, kind: &ActionKind, verdict: &Verdict, at: OffsetDateTime) {
    action.valid = verdict.valid;
    let entry = notes.entry(kind.name().to_owned()).or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(list) = entry {
        list.extend(verdict.notes.iter().map(|note| stamped(note, at)));
    }
}
