//! The operator's view of the outbox: what waits, what failed, and putting failures back.

use serde_json::json;
use steward_model::{AuditEntry, OutboxKind, OutboxRow, OutboxStatus, QueuedSms};
use steward_model::records::OutboxCounts;

use crate::{AdminCapability, Store, Unavailable, audit, now};

/// The outbox service.
pub struct Outbox {
    store: Store,
}

impl Outbox {
    pub(crate) fn new(store: Store) -> Self {
        Self { store }
    }

    /// Pending and failed counts.
    pub async fn counts(&self) -> Result<OutboxCounts, Unavailable> {
        Ok(self.store.outbox_counts().await?)
    }

    /// Rows still queued and failed ones (or failed only), oldest first.
    pub async fn waiting(&self, _capability: AdminCapability<'_>, failed_only: bool) -> Result<Vec<OutboxRow>, Unavailable> {
        Ok(self.store.outbox_waiting(failed_only).await?)
    }

    /// Puts one failed row back in the queue; `false` if it was not failed.
    #[tracing::instrument(skip_all, fields(outbox = id))]
    pub async fn retry(&self, capability: AdminCapability<'_>, id: i64) -> Result<bool, Unavailable> {
        let sms = match self.store.outbox_row(id).await? {
            Some(row) => sms_of(&row),
            None => Vec::new(),
        };
        let at = now();
        let write = self.store.write().await?;
        let retried = write.retry_failed(id, at).await?;
        if retried {
            write.requeue_failed_sms(&sms).await?;
            write.audit(audit::entry(capability.actor(), "outbox.retry", &id.to_string(), json!({})), at).await?;
        }
        write.commit().await?;
        Ok(retried)
    }

    /// Puts every failed row back in the queue; returns how many.
    #[tracing::instrument(skip_all)]
    pub async fn retry_all_failed(&self, capability: AdminCapability<'_>) -> Result<u64, Unavailable> {
        let sms: Vec<i64> = self.store.outbox_waiting(true).await?.iter().flat_map(sms_of).collect();
        let at = now();
        let write = self.store.write().await?;
        let count = write.retry_all_failed(at).await?;
        write.requeue_failed_sms(&sms).await?;
        write
            .audit(audit::entry(capability.actor(), "outbox.retry_all", "failed", json!({ "count": count })), at)
            .await?;
        write.commit().await?;
        Ok(count)
    }

    /// The newest audit entries (admins only).
    pub async fn audit_tail(&self, _capability: AdminCapability<'_>, limit: u64) -> Result<Vec<AuditEntry>, Unavailable> {
        Ok(self.store.audit_tail(limit).await?)
    }
}

/// The SMS log rows of a failed SMS row, which go back to queued with it: the worker sends
/// only what is queued.
fn sms_of(row: &OutboxRow) -> Vec<i64> {
    if row.kind != OutboxKind::Sms || row.status != OutboxStatus::Failed {
        return Vec::new();
    }
    serde_json::from_value::<QueuedSms>(row.payload.clone()).map(|queued| queued.log_ids).unwrap_or_default()
}
