//! The audit log: written only inside a change's write transaction, read newest first.

use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, QuerySelect, Set};
use steward_model::{AuditEntry, NewAuditEntry};
use time::OffsetDateTime;

use crate::entity::audit;
use crate::{Store, StoreError, WriteTx, stored_time};

impl Store {
    /// The newest `limit` entries, newest first.
    pub async fn audit_tail(&self, limit: u64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = audit::Entity::find().order_by_desc(audit::Column::Id).limit(limit).all(&self.db).await?;
        rows.into_iter()
            .map(|row| {
                let detail = serde_json::from_str(&row.detail)
                    .map_err(|cause| StoreError::unreadable(format!("audit {} detail", row.id), cause))?;
                Ok(AuditEntry {
                    id: row.id,
                    at: row.at,
                    actor: row.actor,
                    action: row.action,
                    target: row.target,
                    face: row.face,
                    detail,
                })
            })
            .collect()
    }
}

impl WriteTx {
    /// Records one admin change in this transaction.
    pub async fn audit(&self, entry: NewAuditEntry, now: OffsetDateTime) -> Result<(), StoreError> {
        audit::ActiveModel {
            at: Set(stored_time(now)),
            actor: Set(entry.actor),
            action: Set(entry.action),
            target: Set(entry.target),
            face: Set(entry.face),
            detail: Set(entry.detail.to_string()),
            ..Default::default()
        }
        .insert(&self.tx)
        .await?;
        Ok(())
    }
}
