//! Consistent copies of the store, and restoring one into an empty store.
//!
//! SQLite: `VACUUM INTO` writes a compact copy read under one read transaction, so it is
//! one moment of the store while writers go on (WAL mode); it is restored with SQLite's
//! online backup API. PostgreSQL: `pg_dump -Fc` (one snapshot too) and `pg_restore`, the
//! server's own tools, with the password in their environment, never on a command line.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use sea_orm::sqlx::sqlite::SqliteConnectOptions;

use crate::{Backend, Store, StoreError};

/// The table every Steward store has from its first migration on (the migrator's
/// bookkeeping, named in `migration`).
const MIGRATIONS_TABLE: &str = "steward_migrations";

impl Store {
    /// How many tables the store holds: 0 for an empty store, the only kind restored into.
    pub async fn table_count(&self) -> Result<u64, StoreError> {
        let (backend, sql) = match self.backend {
            Backend::Sqlite => (DbBackend::Sqlite, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"),
            Backend::Postgres => (DbBackend::Postgres, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()"),
        };
        let row = self.db.query_one_raw(Statement::from_string(backend, sql)).await?;
        let count: i64 = row.map(|row| row.try_get_by_index(0)).transpose()?.unwrap_or(0);
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Writes a consistent copy of a SQLite store to `to`, a file that must not exist.
    pub async fn vacuum_into(&self, to: &Path) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Setup("VACUUM INTO is SQLite's; PostgreSQL is copied with pg_dump".to_owned()));
        }
        let to = to.to_str().ok_or_else(|| StoreError::Setup(format!("{} is not a UTF-8 path", to.display())))?;
        self.db
            .execute_raw(Statement::from_sql_and_values(DbBackend::Sqlite, "VACUUM INTO ?", [to.into()]))
            .await?;
        Ok(())
    }
}

/// The file a `sqlite:` URL names.
pub fn sqlite_file(url: &str) -> Result<PathBuf, StoreError> {
    let options = SqliteConnectOptions::from_str(url).map_err(|cause| StoreError::BadUrl { backend: "SQLite", cause })?;
    Ok(options.get_filename().to_path_buf())
}

/// Restores the SQLite backup `backup` into the file `into`, which must not exist or hold
/// no table; the copy is checked to be a Steward store first. Blocking: SQLite's own API.
pub fn restore_sqlite(backup: &Path, into: &Path) -> Result<(), StoreError> {
    use rusqlite::{Connection, OpenFlags};
    let failed = |what: &str, error: rusqlite::Error| StoreError::Setup(format!("{what}: {error}"));
    let source = Connection::open_with_flags(backup, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|error| failed(&format!("cannot open {}", backup.display()), error))?;
    let is_steward = source
        .query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1", [MIGRATIONS_TABLE], |row| row.get::<_, i64>(0))
        .map_err(|error| failed(&format!("{} is not a SQLite database", backup.display()), error))?;
    if is_steward == 0 {
        return Err(StoreError::Setup(format!("{} is not a backup of a Steward store", backup.display())));
    }
    drop(source);
    let mut target = Connection::open(into).map_err(|error| failed(&format!("cannot open {}", into.display()), error))?;
    let tables: i64 = target
        .query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'", [], |row| row.get(0))
        .map_err(|error| failed(&format!("cannot read {}", into.display()), error))?;
    if tables > 0 {
        return Err(StoreError::Setup(format!("{} is not empty ({tables} tables): restore needs an empty store", into.display())));
    }
    target
        .restore(rusqlite::MAIN_DB, backup, None::<fn(rusqlite::backup::Progress)>)
        .map_err(|error| failed("restore", error))?;
    // The store runs in WAL mode; set it now so the first server start need not.
    target
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get::<_, String>(0))
        .map_err(|error| failed("journal mode", error))?;
    Ok(())
}

/// `pg_dump` or `pg_restore` (`program`) against the database `url` names: the URL without
/// its password goes in `--dbname`, the password in `PGPASSWORD`.
pub fn postgres_tool(program: &str, url: &str) -> Result<tokio::process::Command, StoreError> {
    let mut parsed = url::Url::parse(url).map_err(|error| StoreError::Setup(format!("database_url: {error}")))?;
    let password = parsed.password().map(|encoded| percent_encoding::percent_decode_str(encoded).decode_utf8_lossy().into_owned());
    let _ = parsed.set_password(None);
    // sqlx's loopback rule (no TLS to 127.0.0.1 unless the URL says) is libpq's default too:
    // `prefer` falls back to plain when the server has no TLS.
    let mut command = tokio::process::Command::new(program);
    command.arg(format!("--dbname={parsed}")).stdin(std::process::Stdio::null()).kill_on_drop(true);
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    Ok(command)
}
