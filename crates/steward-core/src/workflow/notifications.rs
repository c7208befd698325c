//! Notifications: raised by the workflow when a task needs approval or something failed,
//! listed and acknowledged by admins. Acknowledging is once and idempotent.

use serde_json::{Value, json};
use steward_model::filter::Search;
use steward_model::workflow::{Acknowledged, Acknowledgement, Notification};
use steward_store::WriteTx;
use time::OffsetDateTime;

use super::requester::{ADMIN, Requester};
use super::tasks::{Listed, Paging, window};
use super::tokens::mentions;
use super::{Workflow, WorkflowError, new_id};
use crate::messaging::mail::NewMail;
use crate::messaging::templates::Language;
use crate::now;
use steward_model::{Email, Role};

impl Workflow {
    /// The notifications `search` matches, newest first; only unacknowledged ones unless the
    /// filter tests `acknowledged`. A page of them when `paging` asks.
    pub async fn notifications(&self, requester: &Requester, search: &Search, paging: Option<Paging>) -> Result<Listed<Notification>, WorkflowError> {
        requester.require(ADMIN)?;
        let search = if mentions(search.filters(), "acknowledged") {
            search.clone()
        } else {
            let open = steward_model::filter::Filter::Compare {
                field: "acknowledged".to_owned(),
                op: steward_model::filter::CompareOp::Eq,
                value: steward_model::filter::FilterValue::Bool(false),
            };
            let filters = search.filters().iter().cloned().chain([open]).collect();
            Search::new(filters, Vec::new(), None, None, false).map_err(WorkflowError::Filter)?
        };
        Ok(match paging {
            None => Listed { rows: self.store.notifications(&search, None).await?, pages: None },
            Some(paging) => {
                let (window, pages) = window(paging, self.store.notification_count(&search).await?)?;
                Listed { rows: self.store.notifications(&search, Some(window)).await?, pages: Some(pages) }
            }
        })
    }

    /// One notification.
    pub async fn notification(&self, requester: &Requester, uuid: &str) -> Result<Notification, WorkflowError> {
        requester.require(ADMIN)?;
        self.store.notification(uuid).await?.ok_or(WorkflowError::NotificationNotFound)
    }

    /// Acknowledges one notification when the client confirms it (`confirmed`); one already
    /// acknowledged answers so whatever the client sent, as upstream checks that first.
    pub async fn acknowledge(&self, requester: &Requester, uuid: &str, confirmed: bool) -> Result<Acknowledged, WorkflowError> {
        requester.require(ADMIN)?;
        let at = now();
        let write = self.store.write().await?;
        let found = write.notification(uuid).await?.ok_or(WorkflowError::NotificationNotFound)?;
        let (_, outcome) = found.acknowledgement.acknowledge();
        if outcome == Acknowledged::Now && !confirmed {
            return Err(WorkflowError::AcknowledgementRequired);
        }
        if outcome == Acknowledged::Now {
            write.acknowledge_notifications(&[uuid.to_owned()]).await?;
            self.audit(&write, requester, "notification.acknowledge", uuid, json!({}), at).await?;
        }
        write.commit().await?;
        Ok(outcome)
    }

    /// Acknowledges every listed notification that exists; unknown ids are ignored.
    pub async fn acknowledge_all(&self, requester: &Requester, uuids: &[String]) -> Result<u64, WorkflowError> {
        requester.require(ADMIN)?;
        let at = now();
        let write = self.store.write().await?;
        let count = write.acknowledge_notifications(uuids).await?;
        self.audit(&write, requester, "notification.acknowledge", "list", json!({ "count": count }), at).await?;
        write.commit().await?;
        Ok(count)
    }

    /// Raises a notification about task `task` inside `write`, and mails it to every admin
    /// with an e-mail address (upstream's default notification handler) through the outbox.
    pub(crate) async fn raise(&self, write: &WriteTx, task: Option<&str>, notes: Value, error: bool, at: OffsetDateTime) -> Result<(), WorkflowError> {
        let notification = Notification {
            uuid: new_id(),
            task: task.map(str::to_owned),
            notes,
            error,
            acknowledgement: Acknowledgement::Open,
            created_on: at,
        };
        write.insert_notification(&notification).await?;
        let admins: Vec<Email> = self
            .store
            .accounts()
            .await?
            .into_iter()
            .filter(|account| account.active && account.has_role(Role::ADMIN))
            .filter_map(|account| account.email.and_then(|email| Email::parse(&email).ok()))
            .collect();
        if admins.is_empty() {
            return Ok(());
        }
        let summary = match notification.notes.get(if error { "errors" } else { "notes" }) {
            Some(Value::Array(items)) => items.first().and_then(Value::as_str).unwrap_or_default().to_owned(),
            Some(Value::String(text)) => text.clone(),
            _ => String::new(),
        };
        let mut arguments = std::collections::BTreeMap::new();
        arguments.insert("summary".to_owned(), summary.chars().take(120).collect());
        arguments.insert("task".to_owned(), notification.task.clone().unwrap_or_default());
        arguments.insert("notes".to_owned(), serde_json::to_string_pretty(&notification.notes).unwrap_or_default());
        let rendered = match self.mail.render("task_notification", Language::En, &arguments).await {
            Ok(rendered) => rendered,
            Err(error) => {
                tracing::error!(%error, "the notification mail template does not render");
                return Ok(());
            }
        };
        let mail = NewMail { to: admins, subject: rendered.subject, body: rendered.body, reply_to: None, sensitive: false };
        self.mail.queue_in(write, mail, at).await?;
        Ok(())
    }

    /// After a step failed in the store (its transaction rolled back), raises the error
    /// notification upstream raises for a crashed action, in a transaction of its own, and
    /// hands the failure back.
    pub(crate) async fn after_crash<T>(&self, task: &str, doing: &str, result: Result<T, WorkflowError>) -> Result<T, WorkflowError> {
        if let Err(WorkflowError::Store(failure)) = &result {
            let notes = json!({ "errors": [format!("Error: {failure} while {doing} task. See task itself for details.")] });
            let raised = async {
                let at = now();
                let write = self.store.write().await?;
                if write.task(task).await?.is_some() {
                    self.raise(&write, Some(task), notes, true, at).await?;
                    write.commit().await?;
                }
                Ok::<(), WorkflowError>(())
            };
            if let Err(error) = raised.await {
                tracing::error!(%error, task, "the error notification of a failed task could not be raised");
            }
        }
        result
    }
}
