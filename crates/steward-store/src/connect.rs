//! Opening the store: the pool settings each backend needs, and migrations under a lock so
//! several instances may start at once on one PostgreSQL database.

use std::str::FromStr;
use std::time::Duration;

use sea_orm::sqlx::postgres::PgPoolOptions;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sea_orm::{ConnectionTrait, SqlxPostgresConnector, SqlxSqliteConnector, TransactionTrait};
use sea_orm_migration::MigratorTrait;

use crate::migration::Migrator;
use crate::{Store, StoreError};

/// The two backends Steward runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One file, WAL mode; the embedded default.
    Sqlite,
    /// For several instances behind a load balancer.
    Postgres,
}

impl Backend {
    /// Which backend a `database_url` names, or why none.
    pub fn of_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::Setup(
                "database_url must start with sqlite: or postgres://".to_owned(),
            ))
        }
    }
}

/// The pool could not be opened: the database is down, refused us, or timed out.
fn unreachable(error: sea_orm::sqlx::Error) -> StoreError {
    StoreError::Unavailable(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(std::sync::Arc::new(error))))
}

/// An arbitrary constant naming Steward's migration lock among PostgreSQL advisory locks.
const MIGRATION_LOCK: i64 = 0x5374_6577_6172_6401;

/// Opens the SQLite pool. Turning a new file to WAL needs an exclusive lock, and SQLite
/// answers "database is locked" at once, without waiting out the busy timeout, when another
/// process starting at the same moment holds it: such a start is tried again a few times.
async fn connect_sqlite(options: SqliteConnectOptions) -> Result<sea_orm::sqlx::SqlitePool, StoreError> {
    let mut attempt = 0;
    loop {
        match SqlitePoolOptions::new().max_connections(8).connect_with(options.clone()).await {
            Ok(pool) => return Ok(pool),
            Err(sea_orm::sqlx::Error::Database(error)) if error.code().as_deref() == Some("5") && attempt < 20 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
            }
            Err(error) => return Err(unreachable(error)),
        }
    }
}

/// The PostgreSQL options for `url`: a loopback server without TLS unless the URL sets
/// `sslmode` (see [`steward_model::database_url::postgres_plain_on_loopback`]).
pub fn postgres_options(url: &str) -> Result<sea_orm::sqlx::postgres::PgConnectOptions, StoreError> {
    use sea_orm::sqlx::postgres::{PgConnectOptions, PgSslMode};
    let options =
        PgConnectOptions::from_str(url).map_err(|cause| StoreError::BadUrl { backend: "PostgreSQL", cause })?;
    let plain = steward_model::database_url::postgres_plain_on_loopback(options.get_host(), url);
    Ok(if plain { options.ssl_mode(PgSslMode::Disable) } else { options })
}

impl Store {
    /// Opens the pool for `url`; does not migrate.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let backend = Backend::of_url(url)?;
        let mut sqlite_reads = None;
        let db = match backend {
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(|cause| StoreError::BadUrl { backend: "SQLite", cause })?
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    // `REGEXP`, for filters' regular expressions (Rust's regex: no backtracking).
                    .with_regexp()
                    // Deleted and overwritten content (a delivered mail's secret) is zeroed
                    // in the file, not merely unlinked.
                    .pragma("secure_delete", "ON")
                    // Pages are read from the mapped file instead of being copied in by a
                    // read() each: a catalog of 1 000 random accounts out of 100 000 touches
                    // some 2 000 pages, more than the default 2 MB page cache keeps, and a
                    // profile put 20 % of its time in the kernel copying them. The map
                    // shares the OS page cache across connections; 256 MB is address space.
                    .pragma("mmap_size", "268435456")
                    // Rows come from each connection's worker thread through a channel; at
                    // the default 50 the thread stalls and wakes twenty times for a page of
                    // 1 000 rows, and those context switches cost more than the query.
                    .row_buffer_size(crate::filter::MAX_PAGE_SIZE as usize + 1);
                let pool = connect_sqlite(options.clone()).await?;
                // A file the pool has opened (not `sqlite::memory:`) is read by many-row reads too.
                let file = options.get_filename();
                if file.is_file() {
                    sqlite_reads = Some(std::sync::Arc::new(crate::sqlite_reads::SqliteReads::new(file.to_path_buf())));
                }
                SqlxSqliteConnector::from_sqlx_sqlite_pool(pool)
            }
            Backend::Postgres => {
                let options = postgres_options(url)?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options)
                    .await
                    .map_err(unreachable)?;
                SqlxPostgresConnector::from_sqlx_postgres_pool(pool)
            }
        };
        Ok(Self {
            db,
            backend,
            sqlite_reads,
            positions: std::sync::Arc::default(),
            local_zone: std::sync::Arc::default(),
            outbox_signal: std::sync::Arc::default(),
            keys: None,
        })
    }

    /// Opens the store and applies pending migrations, holding a lock for the duration so
    /// concurrent starts apply each migration once.
    pub async fn open_and_migrate(url: &str) -> Result<Self, StoreError> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// The names of the migrations this build would apply, oldest first; reads only (no
    /// bookkeeping table is made). A store migrated by a newer Steward is an error.
    pub async fn pending_migrations(&self) -> Result<Vec<String>, StoreError> {
        let pending = Migrator::get_pending_migrations_read_only(&self.db).await?;
        Ok(pending.iter().map(|migration| migration.name().to_owned()).collect())
    }

    /// Applies pending migrations inside one write transaction: on PostgreSQL under a
    /// transaction-scoped advisory lock, on SQLite under the write lock `BEGIN IMMEDIATE` takes.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let transaction = self.db.begin_with_options(crate::write::immediate()).await?;
        if self.backend == Backend::Postgres {
            transaction
                .execute_raw(sea_orm::Statement::from_sql_and_values(
                    sea_orm::DbBackend::Postgres,
                    "SELECT pg_advisory_xact_lock($1)",
                    [MIGRATION_LOCK.into()],
                ))
                .await?;
        }
        Migrator::up(&transaction, None).await?;
        transaction.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sqlx::postgres::PgSslMode;

    #[test]
    fn loopback_servers_go_without_tls_unless_the_url_says() {
        let mode = |url: &str| postgres_options(url).unwrap().get_ssl_mode();
        assert!(matches!(mode("postgres://postgres@127.0.0.1:5432/db"), PgSslMode::Disable));
        assert!(matches!(mode("postgres://postgres@localhost/db"), PgSslMode::Disable));
        assert!(matches!(mode("postgres://postgres@127.0.0.1/db?sslmode=require"), PgSslMode::Require));
        assert!(matches!(mode("postgres://postgres@db.example.org/db"), PgSslMode::Prefer));
        assert!(postgres_options("postgres://[bad").is_err());
    }
}
