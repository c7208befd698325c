//! Notifications: raised by the workflow when a task needs approval or something failed,
//! listed and acknowledged by admins. Acknowledging is once and idempotent.

use serde_json::{Value, json};
use steward_model::filter::Search;
use steward_model::workflow::{Acknowledged, Acknowledgement, Notification};
use steward_store::WriteTx;
use time::OffsetDateTime;

use super::requester::{ADMIN, Requester};
use super::tasks::{Paging, TaskList, window};
use super::tokens::mentions;
use super::{Workflow, WorkflowError, new_id};
use crate::now;

impl Workflow {
    /// The notifications `search` matches, newest first; only unacknowledged ones unless the
    /// filter tests `acknowledged`. A page of them when `paging` asks.
    pub async fn notifications(&self, requester: &Requester, search: &Search, paging: Option<Paging>) -> Result<TaskList<Notification>, WorkflowError> {
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
            None => TaskList { rows: self.store.notifications(&search, None).await?.0, pages: None },
            Some(paging) => {
                let total = self.store.notifications(&search, Some(steward_store::filter::Window { offset: 0, limit: 0 })).await?.1;
                let (window, pages) = window(paging, total)?;
                TaskList { rows: self.store.notifications(&search, Some(window)).await?.0, pages: Some(pages) }
            }
        })
    }

    /// One notification.
    pub async fn notification(&self, requester: &Requester, uuid: &str) -> Result<Notification, WorkflowError> {
        requester.require(ADMIN)?;
        self.store.notification(uuid).await?.ok_or(WorkflowError::NotificationNotFound)
    }

    /// Acknowledges one notification; acknowledging it again is not an error.
    pub async fn acknowledge(&self, requester: &Requester, uuid: &str) -> Result<Acknowledged, WorkflowError> {
        requester.require(ADMIN)?;
        let at = now();
        let write = self.store.write().await?;
        let found = write.notification(uuid).await?.ok_or(WorkflowError::NotificationNotFound)?;
        let (_, outcome) = found.acknowledgement.acknowledge();
        if outcome == Acknowledged::Now {
            write.acknowledge_notifications(&[uuid.to_owned()]).await?;
            self.audit(&write, requester, "notification.acknowledge", uuid, json!({}), at).await?;
        }
        write.commit().await?;
        Ok(outcome)
    }

    /// Whether `uuid` names an open notification (the face asks before reading the body, as
    /// upstream checks the id first).
    pub async fn notification_is_acknowledged(&self, requester: &Requester, uuid: &str) -> Result<bool, WorkflowError> {
        Ok(self.notification(requester, uuid).await?.acknowledgement == Acknowledgement::Acknowledged)
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

    /// Raises a notification about task `task` inside `write`.
    pub(crate) async fn raise(&self, write: &WriteTx, task: Option<&str>, notes: Value, error: bool, at: OffsetDateTime) -> Result<(), WorkflowError> {
        let notification = Notification {
            uuid: new_id(),
            task: task.map(str::to_owned),
            notes,
            error,
            acknowledgement: Acknowledgement::Open,
            created_on: at,
        };
        Ok(write.insert_notification(&notification).await?)
    }
}
