//! Rows read by position, whatever read them: one decoding for SeaORM's rows (PostgreSQL, and
//! any read inside a transaction) and rusqlite's (many-row reads on a SQLite file, see
//! `sqlite_reads`), so a statement and its decoding are written once for both backends.

use sea_orm::{ConnectionTrait, QueryResult};
use sea_orm::sea_query::SelectStatement;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::StoreError;

/// A row's columns, by their position in the statement's select list.
pub(crate) trait Columns {
    /// An integer column.
    fn int(&self, at: usize) -> Result<Option<i64>, StoreError>;
    /// A floating-point column.
    fn real(&self, at: usize) -> Result<Option<f64>, StoreError>;
    /// A boolean column.
    fn flag(&self, at: usize) -> Result<Option<bool>, StoreError>;
    /// A text column.
    fn text(&self, at: usize) -> Result<Option<String>, StoreError>;
    /// A timestamp column (`timestamptz` on PostgreSQL, RFC 3339 text on SQLite).
    fn time(&self, at: usize) -> Result<Option<OffsetDateTime>, StoreError>;
}

/// Turns a row into a value; the same function for both kinds of rows.
pub(crate) type Decode<T> = fn(&dyn Columns) -> Result<T, StoreError>;

/// The column at `at` could not be read, because of `cause` (either driver's error).
fn unreadable<E: std::error::Error + Send + Sync + 'static>(at: usize) -> impl FnOnce(E) -> StoreError {
    move |cause| StoreError::unreadable(format!("column {at}"), cause)
}

impl Columns for QueryResult {
    fn int(&self, at: usize) -> Result<Option<i64>, StoreError> {
        self.try_get_by_index(at).map_err(unreadable(at))
    }

    fn real(&self, at: usize) -> Result<Option<f64>, StoreError> {
        self.try_get_by_index(at).map_err(unreadable(at))
    }

    fn flag(&self, at: usize) -> Result<Option<bool>, StoreError> {
        self.try_get_by_index(at).map_err(unreadable(at))
    }

    fn text(&self, at: usize) -> Result<Option<String>, StoreError> {
        self.try_get_by_index(at).map_err(unreadable(at))
    }

    fn time(&self, at: usize) -> Result<Option<OffsetDateTime>, StoreError> {
        self.try_get_by_index(at).map_err(unreadable(at))
    }
}

impl Columns for rusqlite::Row<'_> {
    fn int(&self, at: usize) -> Result<Option<i64>, StoreError> {
        self.get(at).map_err(unreadable(at))
    }

    fn real(&self, at: usize) -> Result<Option<f64>, StoreError> {
        self.get(at).map_err(unreadable(at))
    }

    fn flag(&self, at: usize) -> Result<Option<bool>, StoreError> {
        self.get(at).map_err(unreadable(at))
    }

    fn text(&self, at: usize) -> Result<Option<String>, StoreError> {
        self.get(at).map_err(unreadable(at))
    }

    /// SQLite keeps timestamps as the RFC 3339 text sqlx wrote.
    fn time(&self, at: usize) -> Result<Option<OffsetDateTime>, StoreError> {
        let value = self.get_ref(at).map_err(unreadable(at))?;
        let Some(text) = value.as_str_or_null().map_err(unreadable(at))? else {
            return Ok(None);
        };
        OffsetDateTime::parse(text, &Rfc3339).map(Some).map_err(unreadable(at))
    }
}

/// Every row `select` yields on `db` (the pool or a transaction), decoded.
pub(crate) async fn read_all<T>(db: &impl ConnectionTrait, select: &SelectStatement, decode: Decode<T>) -> Result<Vec<T>, StoreError> {
    let statement = db.get_database_backend().build(select);
    db.query_all_raw(statement).await?.iter().map(|row| decode(row)).collect()
}

/// A Rust type a column reads as, through the [`Columns`] method for its kind.
pub(crate) trait Column: Sized {
    /// The value at `at` in `row`, `None` for SQL `NULL`.
    fn read(row: &dyn Columns, at: usize) -> Result<Option<Self>, StoreError>;
}

impl Column for i64 {
    fn read(row: &dyn Columns, at: usize) -> Result<Option<Self>, StoreError> {
        row.int(at)
    }
}

impl Column for f64 {
    fn read(row: &dyn Columns, at: usize) -> Result<Option<Self>, StoreError> {
        row.real(at)
    }
}

impl Column for bool {
    fn read(row: &dyn Columns, at: usize) -> Result<Option<Self>, StoreError> {
        row.flag(at)
    }
}

impl Column for String {
    fn read(row: &dyn Columns, at: usize) -> Result<Option<Self>, StoreError> {
        row.text(at)
    }
}

impl Column for OffsetDateTime {
    fn read(row: &dyn Columns, at: usize) -> Result<Option<Self>, StoreError> {
        row.time(at)
    }
}

/// A row's columns read in the order the statement selected them, so a decoder names no
/// positions: its reads follow the select list, each typed by where its value goes.
pub(crate) struct InOrder<'r> {
    row: &'r dyn Columns,
    at: usize,
}

impl<'r> InOrder<'r> {
    /// From the first column of `row`.
    pub(crate) fn new(row: &'r dyn Columns) -> Self {
        Self { row, at: 0 }
    }

    /// The next column, which may be `NULL`.
    pub(crate) fn optional<T: Column>(&mut self) -> Result<Option<T>, StoreError> {
        self.at += 1;
        T::read(self.row, self.at - 1)
    }

    /// The next column, `NOT NULL`.
    pub(crate) fn required<T: Column>(&mut self) -> Result<T, StoreError> {
        let at = self.at;
        self.optional()?.ok_or_else(|| StoreError::Corrupt(format!("column {at} is null")))
    }
}
