//! Many-row reads on a SQLite store file through rusqlite, on Tokio's blocking pool. sqlx's
//! SQLite driver copies every value of a row (`sqlite3_value_dup`) and hands each row from
//! its worker thread across a channel: for a list of 1 000 projects that was half the
//! request. Here a statement is stepped where its rows are decoded, with no copy between.
//! The connections are query-only: every write still goes through the pool, in a
//! `WriteTx`, and a read here sees what those writes committed (WAL snapshots).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags};
use sea_orm::sea_query::{SelectStatement, Value};
use sea_orm::{DbBackend, DbErr, RuntimeErr};

use crate::StoreError;
use crate::rows::Decode;

/// Connections kept open between reads: as many as the machines we run on read at once.
const KEPT: usize = 8;

/// Query-only connections to the store's file.
#[derive(Debug)]
pub(crate) struct SqliteReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

/// A rusqlite failure, as the store reports an unusable database.
fn failed(error: &rusqlite::Error) -> StoreError {
    StoreError::Unavailable(DbErr::Query(RuntimeErr::Internal(format!("SQLite read: {error}"))))
}

/// A value sea-query bound, as rusqlite binds it; the few kinds Steward's reads bind.
fn bound(value: &Value) -> Result<rusqlite::types::Value, StoreError> {
    use rusqlite::types::Value as Sqlite;
    Ok(match value {
        Value::Bool(value) => value.map_or(Sqlite::Null, |value| Sqlite::Integer(i64::from(value))),
        Value::Int(value) => value.map_or(Sqlite::Null, |value| Sqlite::Integer(i64::from(value))),
        Value::BigInt(value) => value.map_or(Sqlite::Null, Sqlite::Integer),
        Value::Double(value) => value.map_or(Sqlite::Null, Sqlite::Real),
        Value::String(value) => value.clone().map_or(Sqlite::Null, Sqlite::Text),
        other => return Err(StoreError::Corrupt(format!("a read binds a value it cannot: {other:?}"))),
    })
}

impl SqliteReads {
    /// Reads on the file `path`, the one the pool opened.
    pub(crate) fn new(path: PathBuf) -> Self {
        Self { path, idle: Mutex::new(Vec::new()) }
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(&self.path, flags).map_err(|error| failed(&error))?;
        connection.busy_timeout(std::time::Duration::from_secs(10)).map_err(|error| failed(&error))?;
        // As the pool's connections (see `connect`): pages mapped, not copied in.
        connection
            .execute_batch("PRAGMA query_only = ON; PRAGMA mmap_size = 268435456;")
            .map_err(|error| failed(&error))?;
        Ok(connection)
    }

    /// Every row `select` yields, decoded, on a kept connection (or a new one).
    pub(crate) async fn read_all<T: Send + 'static>(self: &Arc<Self>, select: &SelectStatement, decode: Decode<T>) -> Result<Vec<T>, StoreError> {
        let statement = DbBackend::Sqlite.build(select);
        let values = statement.values.map(|values| values.0).unwrap_or_default().iter().map(bound).collect::<Result<Vec<_>, _>>()?;
        let sql = statement.sql;
        let reads = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let kept = reads.idle.lock().ok().and_then(|mut idle| idle.pop());
            let connection = match kept {
                Some(connection) => connection,
                None => reads.open()?,
            };
            let rows = Self::step(&connection, &sql, &values, decode);
            if let Ok(mut idle) = reads.idle.lock()
                && idle.len() < KEPT
            {
                idle.push(connection);
            }
            rows
        })
        .await
        .map_err(|error| StoreError::Unavailable(DbErr::Query(RuntimeErr::Internal(format!("SQLite read task: {error}")))))?
    }

    fn step<T>(connection: &Connection, sql: &str, values: &[rusqlite::types::Value], decode: Decode<T>) -> Result<Vec<T>, StoreError> {
        let mut statement = connection.prepare_cached(sql).map_err(|error| failed(&error))?;
        let mut rows = statement.query(rusqlite::params_from_iter(values)).map_err(|error| failed(&error))?;
        let mut decoded = Vec::new();
        while let Some(row) = rows.next().map_err(|error| failed(&error))? {
            decoded.push(decode(row)?);
        }
        Ok(decoded)
    }
}
