//! The store's own failures, in terms the core can act on without knowing SQL.

use sea_orm::{DbErr, SqlErr};

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule refused the write; the text names the constraint.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database could not be reached or refused the statement.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// A stored value could not be read back (a bug or a hand-edited row).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// A client's filter names an unknown field or does not fit the column (a 400).
    #[error("{0}")]
    BadFilter(#[from] steward_model::filter::FilterError),
    /// The URL or the schema is not usable.
    #[error("{0}")]
    Setup(String),
}

impl From<DbErr> for StoreError {
    fn from(error: DbErr) -> Self {
        match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(what)) => Self::Conflict(what),
            _ => match error {
                DbErr::RecordNotFound(_) => Self::NotFound,
                other => Self::Unavailable(other.to_string()),
            },
        }
    }
}
