//! Task tokens: issued when an approved task waits for a user's data, mailed as a link,
//! read and submitted by anyone holding them, reissued by moderators, purged when expired.
//! The store finds a token by its SHA-256; the comparison with the stored hash is in
//! constant time.

use serde_json::{Map, Value, json};
use steward_model::filter::{Filter, Search};
use steward_model::workflow::{Closed, Task, TaskStage, TaskToken, TaskType, TokenLife};
use steward_model::{Password, TokenSecret};
use steward_store::WriteTx;
use time::OffsetDateTime;

use super::actions::TokenData;
use super::fields::{FieldError, FieldErrors};
use super::requester::{ADMIN, MOD_OR_ADMIN, Requester};
use super::tasks::kinds_of;
use super::{Workflow, WorkflowError, new_id};
use crate::identity::tokens::{fingerprint, same_fingerprint};
use crate::now;

/// Shortest password a token may set.
const MIN_PASSWORD_CHARS: usize = 8;

/// What a token's holder is told before submitting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenDetails {
    /// The task's action class names, in order.
    pub actions: Vec<String>,
    /// The fields the submission must hold.
    pub required_fields: Vec<String>,
    /// The task's type.
    pub task_type: TaskType,
    /// Whether only an authenticated caller may submit it.
    pub requires_authentication: bool,
}

/// Whether `filters` test `field` of the model itself (not through a relation).
pub(crate) fn mentions(filters: &[Filter], field: &str) -> bool {
    filters.iter().any(|filter| match filter {
        Filter::Compare { field: name, .. }
        | Filter::Like { field: name, .. }
        | Filter::In { field: name, .. }
        | Filter::IsNull { field: name, .. }
        | Filter::Regex { field: name, .. }
        | Filter::DatePart { field: name, .. } => name == field,
        Filter::CompareFields { field: name, other, .. } => name == field || other == field,
        Filter::And(inner) | Filter::Or(inner) => mentions(inner, field),
        Filter::Has { .. } | Filter::Any { .. } => false,
    })
}

/// The token fields a task's actions wait for, without repeats, in first-seen order.
fn required_fields(task: &Task) -> Vec<String> {
    let mut fields: Vec<String> = Vec::new();
    for action in task.actions.iter().filter(|action| action.need_token) {
        let listed = action.cache.get("token_fields").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
        for field in listed {
            if !fields.iter().any(|known| known == field) {
                fields.push(field.to_owned());
            }
        }
    }
    fields
}

/// Whether only an authenticated caller may submit `task`'s token.
fn needs_authentication(task: &Task) -> Result<bool, WorkflowError> {
    Ok(kinds_of(task)?.iter().any(|kind| kind.token_needs_authentication()))
}

/// Why a password may not be chosen.
fn password_problem(password: &str, login: Option<&str>) -> Option<&'static str> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Some("This password is too short. It must contain at least 8 characters.");
    }
    if password.len() > Password::MAX_LEN {
        return Some("This password is too long.");
    }
    if login.is_some_and(|login| login.eq_ignore_ascii_case(password)) {
        return Some("The password is too similar to the username.");
    }
    None
}

impl Workflow {
    /// Every token `search` matches, newest first; expired ones only when the filter tests
    /// `expires` (until they are purged, upstream listed them all).
    pub async fn task_tokens(&self, requester: &Requester, search: &Search) -> Result<Vec<TaskToken>, WorkflowError> {
        requester.require(ADMIN)?;
        Ok(self.store.task_tokens(search, mentions(search.filters(), "expires"), now()).await?)
    }

    /// Deletes every expired token.
    pub async fn purge_expired_tokens(&self, requester: &Requester) -> Result<u64, WorkflowError> {
        requester.require(ADMIN)?;
        let at = now();
        let write = self.store.write().await?;
        let deleted = write.delete_expired_task_tokens(at).await?;
        self.audit(&write, requester, "task_token.purge", "expired", json!({ "deleted": deleted }), at).await?;
        write.commit().await?;
        Ok(deleted)
    }

    /// Replaces a waiting task's token with a new one, mailed again.
    #[tracing::instrument(skip_all, fields(task = uuid))]
    pub async fn reissue_token(&self, requester: &Requester, uuid: &str) -> Result<(), WorkflowError> {
        requester.require(MOD_OR_ADMIN)?;
        let at = now();
        let write = self.store.write().await?;
        let task = write.task(uuid).await?.filter(|task| requester.sees(task)).ok_or(WorkflowError::TaskNotFound)?;
        match &task.stage {
            TaskStage::Completed(_) => return Err(WorkflowError::Closed(Closed::Completed)),
            TaskStage::Cancelled(_) => return Err(WorkflowError::Closed(Closed::Cancelled)),
            TaskStage::Pending(_) => return Err(WorkflowError::NotApproved),
            TaskStage::Approved(_) => {}
        }
        if required_fields(&task).is_empty() {
            return Err(WorkflowError::NoToken);
        }
        write.delete_task_tokens(uuid).await?;
        self.issue_token(&write, &task, at).await?;
        self.audit(&write, requester, "task_token.reissue", uuid, json!({}), at).await?;
        write.commit().await?;
        Ok(())
    }

    /// What the holder of `token` must send; an expired token is deleted and unknown.
    pub async fn token_details(&self, requester: &Requester, token: &str) -> Result<TokenDetails, WorkflowError> {
        let (_, task) = self.live_token(requester, token).await?;
        Ok(TokenDetails {
            actions: task.actions.iter().map(|action| action.name.clone()).collect(),
            required_fields: required_fields(&task),
            task_type: task.task_type,
            requires_authentication: needs_authentication(&task)?,
        })
    }

    /// Completes the task of `token` with `body`'s fields; the token dies.
    #[tracing::instrument(skip_all)]
    pub async fn submit_token(&self, requester: &Requester, token: &str, body: &Map<String, Value>) -> Result<(), WorkflowError> {
        let (hash, task) = self.live_token(requester, token).await?;
        let uuid = task.uuid.clone();
        let submitted = self.submit_once(requester, hash, task, body).await;
        self.after_crash(&uuid, "submiting", submitted).await
    }

    async fn submit_once(&self, requester: &Requester, hash: String, task: Task, body: &Map<String, Value>) -> Result<(), WorkflowError> {
        if needs_authentication(&task)? && requester.account_of().is_none() {
            return Err(WorkflowError::TokenNeedsAuthentication);
        }
        let required = required_fields(&task);
        let mut errors = FieldErrors::default();
        for field in &required {
            if !body.contains_key(field) {
                errors.add(field, FieldError::Required);
            }
        }
        errors.into_result()?;
        let login = task.actions.iter().find_map(|action| action.data.get("email").and_then(Value::as_str)).map(str::to_owned);
        let mut data = TokenData::default();
        if required.iter().any(|field| field == "password") {
            let password = match body.get("password") {
                Some(Value::String(password)) => password,
                Some(Value::Null) => return Err(FieldErrors::of("password", FieldError::Null).into()),
                _ => return Err(FieldErrors::of("password", FieldError::NotAString).into()),
            };
            if let Some(problem) = password_problem(password, login.as_deref()) {
                return Err(FieldErrors::of("password", FieldError::WeakPassword(problem)).into());
            }
            let password = Password::parse(password.clone()).map_err(|_| FieldErrors::of("password", FieldError::Blank))?;
            data.password_hash = Some(self.hasher.hash(&password).await?);
        }
        let at = now();
        let write = self.store.write().await?;
        let found = write.task_token(&hash).await?.filter(|found| same_fingerprint(&found.token_hash, &hash) && found.token.life.is_live(at));
        let task = match found {
            Some(found) => write.task(&found.token.task).await?.ok_or(WorkflowError::TokenNotFound)?,
            None => return Err(WorkflowError::TokenNotFound),
        };
        let done = self.complete_in(&write, requester, task, &data, at).await?;
        write.commit().await?;
        if done.iter().any(|submitted| submitted.password_changed.is_some()) {
            // The account's tokens were revoked in the store; drop their cached verdicts.
            self.tokens.forget_all();
        }
        Ok(())
    }

    /// The live token `token` and its task; an expired one is deleted and answered as unknown.
    /// Unknown tokens are counted per client address: past the limit, the address is refused
    /// for a while (a token has 128 random bits; this keeps guessing from costing the store).
    async fn live_token(&self, requester: &Requester, token: &str) -> Result<(String, Task), WorkflowError> {
        self.token_misses.check(None, requester.ip()).map_err(|limited| WorkflowError::TooManyRequests(limited.retry_after))?;
        let hash = fingerprint(&TokenSecret::new(token.to_owned()));
        let Some(found) = self.store.task_token(&hash).await?.filter(|found| same_fingerprint(&found.token_hash, &hash)) else {
            self.token_misses.record_failure(None, requester.ip());
            return Err(WorkflowError::TokenNotFound);
        };
        let at = now();
        if !found.token.life.is_live(at) {
            let write = self.store.write().await?;
            write.delete_task_token(&hash).await?;
            write.commit().await?;
            return Err(WorkflowError::TokenNotFound);
        }
        let task = self.store.task(&found.token.task).await?.ok_or(WorkflowError::TokenNotFound)?;
        if let Some(closed) = task.stage.closed() {
            return Err(WorkflowError::Closed(closed));
        }
        Ok((hash, task))
    }

    /// Issues a new token for `task` and mails its link.
    pub(crate) async fn issue_token(&self, write: &WriteTx, task: &Task, at: OffsetDateTime) -> Result<(), WorkflowError> {
        let value = new_id();
        let life = TokenLife::issued(at, self.settings.token_life);
        write.insert_task_token(fingerprint(&TokenSecret::new(value.clone())), &value, &task.uuid, life).await?;
        self.mail_stage(write, task, "token", Some((&value, life)), at).await
    }

    /// Queues the mail of `stage` for `task`, when its type has one: to the one address its
    /// actions name (more than one is an error notification, none is no mail).
    pub(crate) async fn mail_stage(&self, write: &WriteTx, task: &Task, stage: &str, token: Option<(&str, TokenLife)>, at: OffsetDateTime) -> Result<(), WorkflowError> {
        let template = format!("task_{}_{stage}", task.task_type.as_str());
        let kinds = kinds_of(task)?;
        let mut recipients: Vec<String> = Vec::new();
        let mut project = None;
        for (kind, action) in kinds.iter().zip(&task.actions) {
            if let Some(address) = kind.recipient(write, stage, &action.data).await?
                && !recipients.contains(&address)
            {
                recipients.push(address);
            }
            if project.is_none() {
                project = kind.project_name(write, &action.data).await?;
            }
        }
        let address = match recipients.as_slice() {
            [] => return Ok(()),
            [one] => one.clone(),
            _ => {
                let notes = json!({ "errors": format!("Error: Unable to send update, more than one email for task: {}", task.uuid) });
                return self.raise(write, Some(&task.uuid), notes, true, at).await;
            }
        };
        let Ok(to) = steward_model::Email::parse(&address) else {
            return Ok(());
        };
        let mut arguments = std::collections::BTreeMap::new();
        arguments.insert("task_type".to_owned(), task.task_type.as_str().to_owned());
        arguments.insert("project".to_owned(), project.unwrap_or_default());
        arguments.insert("username".to_owned(), address.clone());
        arguments.insert("email".to_owned(), address);
        if let Some((value, life)) = token {
            arguments.insert("link".to_owned(), format!("{}{value}", self.settings.token_link_base));
            arguments.insert("expires".to_owned(), life.expires.format(&time::format_description::well_known::Rfc3339).unwrap_or_default());
        }
        let rendered = match self.mail.render(&template, crate::messaging::templates::Language::En, &arguments).await {
            Ok(rendered) => rendered,
            Err(crate::messaging::templates::TemplateError::NotFound(_)) => return Ok(()),
            Err(error) => {
                tracing::error!(%error, template, "a task mail template does not render");
                let notes = json!({ "errors": format!("Error: '{error}' while emailing update for task: {}", task.uuid) });
                return self.raise(write, Some(&task.uuid), notes, true, at).await;
            }
        };
        let mail = crate::messaging::mail::NewMail { to: vec![to], subject: rendered.subject, body: rendered.body, reply_to: None, sensitive: token.is_some() };
        self.mail.queue_in(write, mail, at).await?;
        Ok(())
    }
}
