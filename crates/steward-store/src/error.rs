//! The store's own failures, in terms the core can act on without knowing SQL. A failure
//! caused by another error keeps it as its [`source`](std::error::Error::source) rather than
//! copying its text, so whoever logs the error prints the whole chain once.

use sea_orm::{DbErr, QueryResult, SqlErr, TryGetable};

/// Any error a stored value failed to read back with (a decoding, a JSON or a parse error).
type Cause = Box<dyn std::error::Error + Send + Sync>;

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
    #[error("store unavailable")]
    Unavailable(#[source] DbErr),
    /// A stored value could not be read back (a bug or a hand-edited row); the text says which.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// A stored value could not be read back (a bug or a hand-edited row): `what` names it,
    /// the source says why.
    #[error("corrupt row: {what}")]
    Unreadable {
        /// The value (`column total`, `outbox 12`).
        what: String,
        /// Why it could not be read.
        #[source]
        cause: Cause,
    },
    /// A statement could not be built: its columns and values disagree (a bug).
    #[error("statement not built")]
    Statement(#[from] sea_orm::sea_query::error::Error),
    /// A client's filter names an unknown field or does not fit the column (a 400).
    #[error("{0}")]
    BadFilter(#[from] steward_model::filter::FilterError),
    /// The URL or the schema is not usable.
    #[error("{0}")]
    Setup(String),
    /// The URL could not be read as the backend's connection options.
    #[error("bad {backend} URL")]
    BadUrl {
        /// `SQLite` or `PostgreSQL`.
        backend: &'static str,
        /// What the driver found wrong with it.
        #[source]
        cause: sea_orm::sqlx::Error,
    },
}

impl StoreError {
    /// The value `what` could not be read back, because of `cause`.
    pub fn unreadable(what: impl Into<String>, cause: impl Into<Cause>) -> Self {
        Self::Unreadable { what: what.into(), cause: cause.into() }
    }
}

impl From<DbErr> for StoreError {
    fn from(error: DbErr) -> Self {
        match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(what)) => Self::Conflict(what),
            _ => match error {
                DbErr::RecordNotFound(_) => Self::NotFound,
                other => Self::Unavailable(other),
            },
        }
    }
}

/// The value of `column` (a column or an alias the statement selected) in a raw row.
pub(crate) fn read<T: TryGetable>(row: &QueryResult, column: impl sea_orm::Iden) -> Result<T, StoreError> {
    let name = column.unquoted();
    row.try_get("", name).map_err(|cause| StoreError::unreadable(format!("column {name}"), cause))
}
