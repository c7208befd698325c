//! The write transaction: a change, its audit entry and its outbox rows commit together.

use sea_orm::{DatabaseTransaction, SqliteTransactionMode, TransactionOptions, TransactionTrait};

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
}

impl Store {
    /// Starts a write transaction holding the write lock.
    pub async fn write(&self) -> Result<WriteTx, StoreError> {
        let tx = self.db.begin_with_options(immediate()).await?;
        Ok(WriteTx { tx })
    }
}

impl WriteTx {
    /// Makes every write of this transaction durable, or none of them.
    pub async fn commit(self) -> Result<(), StoreError> {
        sea_orm::TransactionSession::commit(self.tx).await.map_err(StoreError::from)
    }
}
