//! The write transaction: a change, its audit entry and its outbox rows commit together,
//! and the commit that made outbox rows due wakes the worker.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sea_orm::{DatabaseTransaction, SqliteTransactionMode, TransactionOptions, TransactionTrait};
use tokio::sync::Notify;

use crate::{Store, StoreError};

/// SQLite fails a deferred transaction that reads then writes with `SQLITE_BUSY` at once,
/// whatever the busy timeout; `IMMEDIATE` takes the write lock up front and waits for it.
/// PostgreSQL ignores the option.
pub(crate) fn immediate() -> TransactionOptions {
    TransactionOptions {
        isolation_level: None,
        access_mode: None,
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
    }
}

/// One open write transaction. Dropped without [`WriteTx::commit`], it rolls back.
/// Keep it short and never await a network peer while holding it.
pub struct WriteTx {
    pub(crate) tx: DatabaseTransaction,
    /// Set when this transaction made outbox rows due (queued or retried).
    made_due: AtomicBool,
    /// The store's outbox signal, raised once the commit made them visible.
    outbox_signal: Arc<Notify>,
    /// The store's data keys, for the secrets this transaction writes.
    pub(crate) keys: Option<Arc<crate::sealing::Keyring>>,
}

impl Store {
    /// Starts a write transaction holding the write lock.
    pub async fn write(&self) -> Result<WriteTx, StoreError> {
        let tx = self.db.begin_with_options(immediate()).await?;
        Ok(WriteTx { tx, made_due: AtomicBool::new(false), outbox_signal: self.outbox_signal.clone(), keys: self.keys.clone() })
    }

    /// Raised by every commit that made outbox rows due: the worker waits on it, so work
    /// starts at once without any caller remembering to wake it. A commit on another
    /// instance (or by the CLI) is found by the worker's periodic poll instead.
    pub fn outbox_signal(&self) -> Arc<Notify> {
        self.outbox_signal.clone()
    }
}

impl WriteTx {
    /// Makes every write of this transaction durable, or none of them; then wakes the
    /// worker if outbox rows became due.
    pub async fn commit(self) -> Result<(), StoreError> {
        sea_orm::TransactionSession::commit(self.tx).await.map_err(StoreError::from)?;
        if self.made_due.load(Ordering::Relaxed) {
            self.outbox_signal.notify_one();
        }
        Ok(())
    }

    /// Notes that this transaction made outbox rows due.
    pub(crate) fn made_outbox_rows_due(&self) {
        self.made_due.store(true, Ordering::Relaxed);
    }
}
