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
    /// A sealed secret could not be opened, or there is no data key to seal one with: the
    /// text says which secret and why (another key, damaged).
    #[error("{0}")]
    Sealed(String),
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

/// PostgreSQL's SQLSTATE for a regular expression it cannot read.
const INVALID_REGULAR_EXPRESSION: &str = "2201B";

/// The SQLSTATE a database error carries, if any.
fn sql_state(error: &DbErr) -> Option<String> {
    let (DbErr::Query(sea_orm::RuntimeErr::SqlxError(cause)) | DbErr::Exec(sea_orm::RuntimeErr::SqlxError(cause))) = error else {
        return None;
    };
    match cause.as_ref() {
        sea_orm::sqlx::Error::Database(database) => database.code().map(|code| code.into_owned()),
        _ => None,
    }
}

impl From<DbErr> for StoreError {
    fn from(error: DbErr) -> Self {
        // A client's regular expression that Rust's regex accepted and PostgreSQL's does not
        // (a `\p{L}` class, a named group) is the client's mistake, not an outage.
        if sql_state(&error).as_deref() == Some(INVALID_REGULAR_EXPRESSION) {
            return Self::BadFilter(steward_model::filter::FilterError::InvalidValue {
                field: "regex".to_owned(),
                expected: "a regular expression PostgreSQL can read (no Unicode classes or named groups)",
                found: "another".to_owned(),
            });
        }
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
