//! The outbox: rows written in the same transaction as the change that caused them, claimed
//! by workers under a lease, never deleted.

use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use steward_model::{OutboxKind, OutboxRow, OutboxStatus};
use time::{Duration, OffsetDateTime};

use crate::entity::outbox;
use crate::sealing::{Keyring, Place};
use crate::{Backend, Store, StoreError, WriteTx, stored_time};

/// Rows per multi-row insert: well under SQLite's 32 766 bound parameters at 6–9 columns.
pub const BATCH_ROWS: usize = 500;

use steward_model::records::OutboxCounts;

/// Whether `payload` is a mail marked sensitive (a password, a link) with a body: that body
/// is sealed at rest while the mail waits, and erased once it is delivered.
pub(crate) fn sensitive_body(kind: OutboxKind, payload: &serde_json::Value) -> Option<&str> {
    if kind != OutboxKind::Mail || payload.get("sensitive") != Some(&serde_json::Value::Bool(true)) {
        return None;
    }
    payload.get("body").and_then(serde_json::Value::as_str).filter(|body| !body.is_empty())
}

/// `payload` with its body replaced by `body`.
pub(crate) fn replace_body(payload: &mut serde_json::Value, body: String) {
    if let Some(slot) = payload.get_mut("body") {
        *slot = serde_json::Value::String(body);
    }
}

/// The text `payload` is stored as: with a sensitive mail's body sealed.
fn stored_payload(keys: Result<&Keyring, StoreError>, kind: OutboxKind, payload: &serde_json::Value) -> Result<String, StoreError> {
    let Some(body) = sensitive_body(kind, payload) else { return Ok(payload.to_string()) };
    let sealed = keys?.seal(Place::MailBody, body)?;
    let mut stored = payload.clone();
    replace_body(&mut stored, sealed);
    Ok(stored.to_string())
}

/// A claimed row's payload as the worker sends it: a sealed body opened.
fn opened(keys: Result<&Keyring, StoreError>, mut row: OutboxRow) -> Result<OutboxRow, StoreError> {
    if let Some(body) = sensitive_body(row.kind, &row.payload) {
        let clear = keys?.open(Place::MailBody, body)?;
        replace_body(&mut row.payload, clear);
    }
    Ok(row)
}

fn to_row(row: outbox::Model) -> Result<OutboxRow, StoreError> {
    let kind = OutboxKind::parse(&row.kind)
        .ok_or_else(|| StoreError::Corrupt(format!("outbox {}: kind {}", row.id, row.kind)))?;
    let status = OutboxStatus::parse(&row.status)
        .ok_or_else(|| StoreError::Corrupt(format!("outbox {}: status {}", row.id, row.status)))?;
    let payload = serde_json::from_str(&row.payload)
        .map_err(|cause| StoreError::unreadable(format!("outbox {} payload", row.id), cause))?;
    Ok(OutboxRow {
        id: row.id,
        kind,
        payload,
        status,
        attempts: row.attempts,
        last_error: row.last_error,
        created_at: row.created_at,
        next_attempt_at: row.next_attempt_at,
    })
}

impl WriteTx {
    /// Queues one delivery in this transaction; returns its id.
    pub async fn enqueue(&self, kind: OutboxKind, payload: &serde_json::Value, now: OffsetDateTime) -> Result<i64, StoreError> {
        self.enqueue_due(kind, payload, now, now).await
    }

    /// Queues one delivery the worker takes only from `due` on (a request that delivers
    /// it itself first, and hands it to the worker only if it could not finish).
    pub async fn enqueue_due(&self, kind: OutboxKind, payload: &serde_json::Value, now: OffsetDateTime, due: OffsetDateTime) -> Result<i64, StoreError> {
        let now = stored_time(now);
        let row = outbox::ActiveModel {
            kind: Set(kind.as_str().to_owned()),
            payload: Set(stored_payload(self.keys(), kind, payload)?),
            status: Set(OutboxStatus::Pending.as_str().to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(stored_time(due)),
            lease_until: Set(None),
            lease_owner: Set(None),
            last_error: Set(None),
            created_at: Set(now),
            finished_at: Set(None),
            ..Default::default()
        }
        .insert(&self.tx)
        .await?;
        self.made_outbox_rows_due();
        Ok(row.id)
    }

    /// Queues many deliveries of one kind in this transaction, in multi-row statements of
    /// [`BATCH_ROWS`] rows (a 10 000-member group is 20 statements, not 10 000).
    pub async fn enqueue_many(&self, kind: OutboxKind, payloads: &[serde_json::Value], now: OffsetDateTime) -> Result<(), StoreError> {
        let now = stored_time(now);
        for chunk in payloads.chunks(BATCH_ROWS) {
            let rows = chunk
                .iter()
                .map(|payload| {
                    Ok(outbox::ActiveModel {
                        kind: Set(kind.as_str().to_owned()),
                        payload: Set(stored_payload(self.keys(), kind, payload)?),
                        status: Set(OutboxStatus::Pending.as_str().to_owned()),
                        attempts: Set(0),
                        next_attempt_at: Set(now),
                        created_at: Set(now),
                        ..Default::default()
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            outbox::Entity::insert_many(rows).exec_without_returning(&self.tx).await?;
        }
        if !payloads.is_empty() {
            self.made_outbox_rows_due();
        }
        Ok(())
    }

    /// Puts one failed row back in the queue; `false` if it is not failed.
    pub async fn retry_failed(&self, id: i64, now: OffsetDateTime) -> Result<bool, StoreError> {
        let result = outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value(OutboxStatus::Pending.as_str()))
            .col_expr(outbox::Column::Attempts, Expr::value(0))
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(stored_time(now)))
            .filter(outbox::Column::Id.eq(id))
            .filter(outbox::Column::Status.eq(OutboxStatus::Failed.as_str()))
            .exec(&self.tx)
            .await?;
        if result.rows_affected > 0 {
            self.made_outbox_rows_due();
        }
        Ok(result.rows_affected > 0)
    }

    /// Puts every failed row back in the queue; returns how many.
    pub async fn retry_all_failed(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        let result = outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value(OutboxStatus::Pending.as_str()))
            .col_expr(outbox::Column::Attempts, Expr::value(0))
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(stored_time(now)))
            .filter(outbox::Column::Status.eq(OutboxStatus::Failed.as_str()))
            .exec(&self.tx)
            .await?;
        if result.rows_affected > 0 {
            self.made_outbox_rows_due();
        }
        Ok(result.rows_affected)
    }
}

impl Store {
    /// Leases up to `limit` due rows of the given kinds to `owner` until `now + lease`. On PostgreSQL rows another
    /// worker is claiming are skipped (`FOR UPDATE SKIP LOCKED`); on SQLite the immediate
    /// transaction already serialises claimers.
    pub async fn claim_due(
        &self,
        owner: &str,
        kinds: &[OutboxKind],
        now: OffsetDateTime,
        lease: Duration,
        limit: u64,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let now = stored_time(now);
        let lease_until = stored_time(now + lease);
        let write = self.write().await?;
        let mut due = outbox::Entity::find()
            .filter(outbox::Column::Status.eq(OutboxStatus::Pending.as_str()))
            .filter(outbox::Column::Kind.is_in(kinds.iter().map(|kind| kind.as_str())))
            .filter(outbox::Column::NextAttemptAt.lte(now))
            .filter(
                outbox::Column::LeaseUntil
                    .is_null()
                    .or(outbox::Column::LeaseUntil.lte(now)),
            )
            .order_by_asc(outbox::Column::Id)
            .limit(limit);
        // The one place the backends differ in Steward: SQLite has no row locks.
        if self.backend == Backend::Postgres {
            due = due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let rows = due.all(&write.tx).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
        outbox::Entity::update_many()
            .col_expr(outbox::Column::LeaseUntil, Expr::value(lease_until))
            .col_expr(outbox::Column::LeaseOwner, Expr::value(owner))
            .filter(outbox::Column::Id.is_in(ids))
            .exec(&write.tx)
            .await?;
        write.commit().await?;
        rows.into_iter().map(|row| opened(self.keys(), to_row(row)?)).collect()
    }

    /// Records a delivery; `payload` replaces the stored one (a secret-bearing body is erased).
    /// Only the lease holder may finish a row.
    pub async fn finish_delivered(
        &self,
        id: i64,
        owner: &str,
        payload: &serde_json::Value,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let write = self.write().await?;
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value(OutboxStatus::Delivered.as_str()))
            .col_expr(outbox::Column::Payload, Expr::value(payload.to_string()))
            .col_expr(outbox::Column::Attempts, Expr::col(outbox::Column::Attempts).add(1))
            .col_expr(outbox::Column::FinishedAt, Expr::value(stored_time(now)))
            .col_expr(outbox::Column::LeaseUntil, Expr::value(Option::<OffsetDateTime>::None))
            .col_expr(outbox::Column::LastError, Expr::value(Option::<String>::None))
            .filter(outbox::Column::Id.eq(id))
            .filter(outbox::Column::LeaseOwner.eq(owner))
            .exec(&write.tx)
            .await?;
        write.commit().await
    }

    /// Records a failed attempt: either back in the queue at `retry_at`, or, with `None`,
    /// marked failed for good.
    pub async fn finish_failed_attempt(
        &self,
        id: i64,
        owner: &str,
        error: &str,
        retry_at: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let write = self.write().await?;
        let mut update = outbox::Entity::update_many()
            .col_expr(outbox::Column::Attempts, Expr::col(outbox::Column::Attempts).add(1))
            .col_expr(outbox::Column::LastError, Expr::value(error))
            .col_expr(outbox::Column::LeaseUntil, Expr::value(Option::<OffsetDateTime>::None));
        update = match retry_at {
            Some(at) => update.col_expr(outbox::Column::NextAttemptAt, Expr::value(stored_time(at))),
            None => update
                .col_expr(outbox::Column::Status, Expr::value(OutboxStatus::Failed.as_str()))
                .col_expr(outbox::Column::FinishedAt, Expr::value(stored_time(now))),
        };
        update
            .filter(outbox::Column::Id.eq(id))
            .filter(outbox::Column::LeaseOwner.eq(owner))
            .exec(&write.tx)
            .await?;
        write.commit().await
    }

    /// Hands back a row that made progress but is not finished (an SMS batch that used up
    /// its share of the lease): due again at once, with no attempt counted.
    pub async fn release_unfinished(&self, id: i64, owner: &str, now: OffsetDateTime) -> Result<(), StoreError> {
        let write = self.write().await?;
        outbox::Entity::update_many()
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(stored_time(now)))
            .col_expr(outbox::Column::LeaseUntil, Expr::value(Option::<OffsetDateTime>::None))
            .filter(outbox::Column::Id.eq(id))
            .filter(outbox::Column::LeaseOwner.eq(owner))
            .exec(&write.tx)
            .await?;
        write.commit().await
    }

    /// Records a delivery made outside the worker, of a row no worker holds.
    pub async fn finish_delivered_unleased(&self, id: i64, now: OffsetDateTime) -> Result<bool, StoreError> {
        let write = self.write().await?;
        let result = outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value(OutboxStatus::Delivered.as_str()))
            .col_expr(outbox::Column::Attempts, Expr::col(outbox::Column::Attempts).add(1))
            .col_expr(outbox::Column::FinishedAt, Expr::value(stored_time(now)))
            .filter(outbox::Column::Id.eq(id))
            .filter(outbox::Column::Status.eq(OutboxStatus::Pending.as_str()))
            .filter(outbox::Column::LeaseOwner.is_null())
            .exec(&write.tx)
            .await?;
        write.commit().await?;
        Ok(result.rows_affected > 0)
    }

    /// Withdraws a queued row that no worker holds, so it is never sent; `false` if it was
    /// already taken or finished.
    pub async fn abandon(&self, id: i64, now: OffsetDateTime) -> Result<bool, StoreError> {
        let now = stored_time(now);
        let write = self.write().await?;
        let result = outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value(OutboxStatus::Abandoned.as_str()))
            .col_expr(outbox::Column::FinishedAt, Expr::value(now))
            .filter(outbox::Column::Id.eq(id))
            .filter(outbox::Column::Status.eq(OutboxStatus::Pending.as_str()))
            .filter(outbox::Column::LeaseUntil.is_null().or(outbox::Column::LeaseUntil.lte(now)))
            .exec(&write.tx)
            .await?;
        write.commit().await?;
        Ok(result.rows_affected > 0)
    }

    /// How many rows are pending and failed.
    pub async fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        let pending = outbox::Entity::find()
            .filter(outbox::Column::Status.eq(OutboxStatus::Pending.as_str()))
            .count(&self.db)
            .await?;
        let failed = outbox::Entity::find()
            .filter(outbox::Column::Status.eq(OutboxStatus::Failed.as_str()))
            .count(&self.db)
            .await?;
        Ok(OutboxCounts { pending, failed })
    }

    /// Pending and failed rows (or failed only), oldest first.
    pub async fn outbox_waiting(&self, failed_only: bool) -> Result<Vec<OutboxRow>, StoreError> {
        let statuses: Vec<&str> = if failed_only {
            vec![OutboxStatus::Failed.as_str()]
        } else {
            vec![OutboxStatus::Pending.as_str(), OutboxStatus::Failed.as_str()]
        };
        let rows = outbox::Entity::find()
            .filter(outbox::Column::Status.is_in(statuses))
            .order_by_asc(outbox::Column::Id)
            .all(&self.db)
            .await?;
        rows.into_iter().map(to_row).collect()
    }

    /// One row by id, whatever its status.
    pub async fn outbox_row(&self, id: i64) -> Result<Option<OutboxRow>, StoreError> {
        outbox::Entity::find_by_id(id).one(&self.db).await?.map(to_row).transpose()
    }
}

impl Store {
    /// On SQLite, folds the WAL back into the database file and truncates it, so content
    /// overwritten under `secure_delete` (an erased mail body) leaves no copy in the WAL.
    /// Nothing to do on PostgreSQL.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        if self.backend == Backend::Sqlite {
            sea_orm::ConnectionTrait::execute_unprepared(&self.db, "PRAGMA wal_checkpoint(TRUNCATE)").await?;
        }
        Ok(())
    }
}
