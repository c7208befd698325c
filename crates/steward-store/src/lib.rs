//! Steward's store: one schema on SQLite or PostgreSQL, chosen by URL, through one code path.
//! Every SQL statement of Steward lives in this crate.
//!
//! # Layout
//! The domains, mirroring the core's; each adds reads on [`Store`] and writes on [`WriteTx`]:
//! - `identity`: accounts and roles, tokens, service principals, terms.
//! - [`messaging`]: Janua's directory, audiences, the SMS log, admins and access lists.
//! - [`sip`]: SIP users, phones, the number pool and aliases.
//! - `quotas`: resources, per-account limits and usage counters.
//! - [`projects`]: owners, projects and their types, tenant databases.
//! - [`workflow`]: Adjutant's tasks and their actions, task tokens, notifications, and the
//!   allow-lists clients filter them through.
//!
//! And what every domain shares:
//! - [`connect`]: opening the pool with each backend's settings, and migrating under a lock.
//! - [`backup`]: consistent copies (`VACUUM INTO`, `pg_dump -Fc`) and restoring them.
//! - [`error`]: [`StoreError`], the store's own failures (not found, conflict, unavailable).
//! - [`write`]: [`WriteTx`], the one short write transaction a change, its audit entry and its
//!   outbox rows share.
//! - `audit`: the audit log, written only inside a change's transaction.
//! - [`outbox`]: rows written with their cause, claimed by the worker.
//! - `settings`: settings changed at run time, as JSON by key.
//! - [`sealing`]: secrets Steward must read back, sealed under the data key kept outside the
//!   store, and resealing them under a new one.
//! - [`filter`]: user filters → bound `Condition`s and `ORDER BY` against per-model
//!   allow-lists, alike on SQLite and PostgreSQL.
//! - `paging`: cheap pages of an owner's plain list from trigger-kept counts.
//! - `text`: text joined from columns in SQL, alike on both backends.
//! - `rows`: rows decoded by position, one function for SeaORM's rows and rusqlite's.
//! - `sqlite_reads`: many-row reads stepped on query-only rusqlite connections to a SQLite
//!   file (sqlx copies every value and hands every row across threads).
//! - `testing` (tests only): a throw-away PostgreSQL database for the store's own tests.
//! - `entity`, `migration`: SeaORM entities and the migrations, private to the store.

mod audit;
pub mod backup;
pub mod connect;
mod entity;
pub mod error;
pub mod filter;
mod identity;
pub mod messaging;
mod migration;
pub mod outbox;
mod paging;
pub mod projects;
mod quotas;
mod rows;
pub mod sealing;
mod settings;
pub mod sip;
mod sqlite_reads;
#[cfg(test)]
mod testing;
mod text;
pub mod workflow;
pub mod write;

pub use identity::accounts::{AccountWithSecret, NewAccountRow};
pub use identity::logins::Membership;
pub use identity::people::PersonRow;
pub use connect::Backend;
pub use error::StoreError;

pub use quotas::Limit;
pub use identity::tokens::{ServiceTokenRecord, TokenRecord};
pub use write::WriteTx;
use settings::REPORT_KEY_SETTING;

use sea_orm::DatabaseConnection;
use time::OffsetDateTime;

/// A handle on the store: cheap to clone, shared by every service and the worker.
#[derive(Clone, Debug)]
pub struct Store {
    /// The pool (SQLite: 8 connections in WAL mode; PostgreSQL: 16).
    db: DatabaseConnection,
    /// Which backend the URL named; decides the one backend branch (the outbox claim).
    backend: Backend,
    /// On a SQLite file, the connections many-row reads step their statements on (see
    /// [`Store::read_all`]).
    sqlite_reads: Option<std::sync::Arc<sqlite_reads::SqliteReads>>,
    /// Where deep pages of plain lists start (see `paging`).
    positions: std::sync::Arc<paging::PositionCache>,
    /// The zone naive date/times in clients' filters are local to (`timezone`).
    local_zone: std::sync::Arc<steward_model::quota_window::TimeZone>,
    /// Raised by commits that made outbox rows due (see [`Store::outbox_signal`]).
    outbox_signal: std::sync::Arc<tokio::sync::Notify>,
    /// The data keys secrets are sealed with (see [`sealing`]); none until given.
    keys: Option<std::sync::Arc<sealing::Keyring>>,
}

impl Store {
    /// This store, reading naive date/times in clients' filters as local to `zone`.
    #[must_use]
    pub fn with_local_zone(mut self, zone: steward_model::quota_window::TimeZone) -> Self {
        self.local_zone = std::sync::Arc::new(zone);
        self
    }

    /// Which backend this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Every row `select` yields, decoded by `decode`: stepped on a query-only connection
    /// to a SQLite file, else on the pool. The statement and its decoding are the same on
    /// both; only who steps it differs.
    pub(crate) async fn read_all<T: Send + 'static>(&self, select: &sea_orm::sea_query::SelectStatement, decode: rows::Decode<T>) -> Result<Vec<T>, StoreError> {
        match &self.sqlite_reads {
            Some(reads) => reads.read_all(select, decode).await,
            None => rows::read_all(&self.db, select, decode).await,
        }
    }

    /// The pool's connections now: `(open, idle, max)`.
    pub fn pool_connections(&self) -> (u32, u32, u32) {
        let idle = |idle: usize| u32::try_from(idle).unwrap_or(u32::MAX);
        match self.backend {
            Backend::Sqlite => {
                let pool = self.db.get_sqlite_connection_pool();
                (pool.size(), idle(pool.num_idle()), pool.options().get_max_connections())
            }
            Backend::Postgres => {
                let pool = self.db.get_postgres_connection_pool();
                (pool.size(), idle(pool.num_idle()), pool.options().get_max_connections())
            }
        }
    }

    /// Checks the store answers a trivial query (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await.map_err(StoreError::from)
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(self) -> Result<(), StoreError> {
        self.db.close().await.map_err(StoreError::from)
    }
}

/// Timestamps are stored to the second: SQLite keeps them as RFC 3339 text, which drops a
/// zero fraction, so values with and without fractions would not compare as text.
pub(crate) fn stored_time(at: OffsetDateTime) -> OffsetDateTime {
    let utc = at.to_offset(time::UtcOffset::UTC);
    utc.replace_nanosecond(0).unwrap_or(utc)
}
