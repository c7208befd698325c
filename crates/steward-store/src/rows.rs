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

/// The value of a `NOT NULL` column.
pub(crate) fn required<T>(value: Option<T>, at: usize) -> Result<T, StoreError> {
    value.ok_or_else(|| StoreError::Corrupt(format!("column {at} is null")))
}

fn unreadable(at: usize) -> impl FnOnce(sea_orm::DbErr) -> StoreError {
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
        self.get(at).map_err(|cause| StoreError::unreadable(format!("column {at}"), cause))
    }

    fn real(&self, at: usize) -> Result<Option<f64>, StoreError> {
        self.get(at).map_err(|cause| StoreError::unreadable(format!("column {at}"), cause))
    }

    fn flag(&self, at: usize) -> Result<Option<bool>, StoreError> {
        self.get(at).map_err(|cause| StoreError::unreadable(format!("column {at}"), cause))
    }

    fn text(&self, at: usize) -> Result<Option<String>, StoreError> {
        self.get(at).map_err(|cause| StoreError::unreadable(format!("column {at}"), cause))
    }

    /// SQLite keeps timestamps as the RFC 3339 text sqlx wrote.
    fn time(&self, at: usize) -> Result<Option<OffsetDateTime>, StoreError> {
        let value = self.get_ref(at).map_err(|cause| StoreError::unreadable(format!("column {at}"), cause))?;
        let Some(text) = value.as_str_or_null().map_err(|cause| StoreError::unreadable(format!("column {at}"), cause))? else {
            return Ok(None);
        };
        OffsetDateTime::parse(text, &Rfc3339).map(Some).map_err(|cause| StoreError::unreadable(format!("column {at}"), cause))
    }
}

/// Every row `select` yields on `db` (the pool or a transaction), decoded.
pub(crate) async fn read_all<T>(db: &impl ConnectionTrait, select: &SelectStatement, decode: Decode<T>) -> Result<Vec<T>, StoreError> {
    let statement = db.get_database_backend().build(select);
    db.query_all_raw(statement).await?.iter().map(|row| decode(row)).collect()
}

/// A row's columns read in the order the statement selected them, so a decoder names no
/// positions: its reads follow the select list.
pub(crate) struct InOrder<'r> {
    row: &'r dyn Columns,
    at: usize,
}

impl<'r> InOrder<'r> {
    /// From the first column of `row`.
    pub(crate) fn new(row: &'r dyn Columns) -> Self {
        Self { row, at: 0 }
    }

    fn advance(&mut self) -> usize {
        self.at += 1;
        self.at - 1
    }

    /// The next column, an integer.
    pub(crate) fn int(&mut self) -> Result<Option<i64>, StoreError> {
        let at = self.advance();
        self.row.int(at)
    }

    /// The next column, a float.
    pub(crate) fn real(&mut self) -> Result<Option<f64>, StoreError> {
        let at = self.advance();
        self.row.real(at)
    }

    /// The next column, a boolean.
    pub(crate) fn flag(&mut self) -> Result<Option<bool>, StoreError> {
        let at = self.advance();
        self.row.flag(at)
    }

    /// The next column, text.
    pub(crate) fn text(&mut self) -> Result<Option<String>, StoreError> {
        let at = self.advance();
        self.row.text(at)
    }

    /// The next column, a timestamp.
    pub(crate) fn time(&mut self) -> Result<Option<OffsetDateTime>, StoreError> {
        let at = self.advance();
        self.row.time(at)
    }

    /// The column just read was `NOT NULL`.
    pub(crate) fn required<T>(&self, value: Option<T>) -> Result<T, StoreError> {
        required(value, self.at.saturating_sub(1))
    }
}
