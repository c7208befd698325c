//! Projects' vocabulary: owners, projects, project types, tenant databases and their names,
//! and the outbox jobs that clone and remove them.

use time::OffsetDateTime;

use crate::ParseError;

/// A project's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct ProjectId(pub i64);

/// An owner's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OwnerId(pub i64);

/// A tenant database's name: it becomes a file name and a PostgreSQL database name, so only
/// `[a-z0-9][a-z0-9_-]{0,62}` passes (no dot, slash or quote can reach a path or SQL).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DatabaseName(String);

impl DatabaseName {
    /// Longest name: PostgreSQL's identifier limit.
    pub const MAX_LEN: usize = 63;

    /// Parses a database name.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let mut chars = raw.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if first_ok && rest_ok && raw.len() <= Self::MAX_LEN {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ParseError(format!(
                "a database name is 1 to {} lower-case letters, digits, '_' or '-', starting with a letter or digit",
                Self::MAX_LEN
            )))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for DatabaseName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for DatabaseName {
    type Error = ParseError;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<DatabaseName> for String {
    fn from(name: DatabaseName) -> Self {
        name.0
    }
}

/// Where a tenant database is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantStatus {
    /// Being cloned from its template; not usable yet.
    Creating,
    /// Usable.
    Ready,
    /// The clone failed; the row says why, and nothing half-made is left behind.
    Failed,
}

impl TenantStatus {
    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Creating => "creating",
            Self::Ready => "ready",
            Self::Failed => "failed",
        }
    }

    /// Reads a stored status back.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "creating" => Some(Self::Creating),
            "ready" => Some(Self::Ready),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// What holds a tenant database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TenantEngine {
    /// A file `<name>.sqlite` in the tenants' directory.
    Sqlite,
    /// A database on the tenant PostgreSQL server.
    Postgres,
}

impl TenantEngine {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }

    /// Reads a stored engine back.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "sqlite" => Some(Self::Sqlite),
            "postgres" => Some(Self::Postgres),
            _ => None,
        }
    }
}

/// A database that holds projects' data, or a template new ones are cloned from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantDatabase {
    /// Key.
    pub id: i64,
    /// Its name, unique.
    pub name: DatabaseName,
    /// Whether new databases may be cloned from it.
    pub template: bool,
    /// What holds it.
    pub engine: TenantEngine,
    /// Where it is in its life.
    pub status: TenantStatus,
    /// Why the clone failed, when it did.
    pub failure: Option<String>,
    /// When the row was written.
    pub created_at: OffsetDateTime,
}

/// The outbox work that clones a template into a new database, or removes a database.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum TenantJob {
    /// Clone `template` into `name`, then mark the row `database_id` ready or failed.
    Clone(CloneJob),
    /// Remove what holds `name` (its row is gone already).
    Drop {
        /// The database.
        name: DatabaseName,
        /// What holds it.
        engine: TenantEngine,
    },
}

/// One clone: the outbox payload the worker reads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CloneJob {
    /// The row to mark.
    pub database_id: i64,
    /// The new database.
    pub name: DatabaseName,
    /// Its template.
    pub template: DatabaseName,
    /// What holds both.
    pub engine: TenantEngine,
}


/// An owner's descriptive fields, all optional text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnerDetails {
    /// Postal address.
    pub address: Option<String>,
    /// Where invoices go.
    pub billing_address: Option<String>,
    /// A contact person.
    pub contact: Option<String>,
    /// A logo's address.
    pub image: Option<String>,
    /// Network notes.
    pub network: Option<String>,
    /// Free text.
    pub note: Option<String>,
    /// A technical contact.
    pub tech_contact: Option<String>,
}

/// An owner of projects (dRofus'), a client company or a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// Key.
    pub id: OwnerId,
    /// Its name, unique whatever the case.
    pub name: String,
    /// The rest.
    pub details: OwnerDetails,
}

/// A kind of project (dRofus' `project_type_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectType {
    /// Key.
    pub id: i64,
    /// Shown name.
    pub name: String,
}

/// A project's descriptive fields, as written by a create or an update.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectDetails {
    /// Project number (dRofus' `no`), e.g. `"01"`.
    pub number: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// A contact person.
    pub contact: Option<String>,
    /// Free text status.
    pub status: Option<String>,
    /// Gross area, in the owner's unit.
    pub gross_area: Option<f64>,
    /// The builder or company.
    pub constructor: Option<String>,
    /// Its kind.
    pub project_type_id: Option<i64>,
}

/// A project: one row, whichever face administers it.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// Key.
    pub id: ProjectId,
    /// Its name (not unique).
    pub name: String,
    /// Inactive projects are hidden from dRofus' list unless asked for.
    pub active: bool,
    /// Its owner, if any (projects made outside dRofus may have none).
    pub owner_id: Option<OwnerId>,
    /// The database holding its data, if any.
    pub database: Option<DatabaseName>,
    /// The rest.
    pub details: ProjectDetails,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// Who created it.
    pub created_by: Option<String>,
    /// When it was last changed, if ever.
    pub updated_at: Option<OffsetDateTime>,
    /// Who changed it last.
    pub updated_by: Option<String>,
}

/// Which projects a list holds.
#[derive(Debug, Clone, Default)]
pub struct ProjectListing {
    /// Only those whose name contains this, whatever the case (`%` and `_` are literal).
    pub name_contains: Option<String>,
    /// Inactive projects too.
    pub include_inactive: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_are_safe_for_paths_and_sql() {
        for good in ["rest_test", "akl-test", "dev-template", "0", "a".repeat(63).as_str()] {
            assert!(DatabaseName::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "../x", "a/b", "A", "-a", "_a", "a.b", "a\"b", "a'b", "a b", "é", &"a".repeat(64)] {
            assert!(DatabaseName::parse(bad).is_err(), "{bad}");
        }
    }
}
