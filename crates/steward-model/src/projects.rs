//! Projects' vocabulary: owners, projects, project types, tenant databases and their names,
//! the outbox jobs that clone and remove them, and memberships with dRofus' rights.

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

/// A level of one of dRofus' rights: 0 (none) to 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RightLevel(u8);

impl RightLevel {
    /// The highest level (the highest the seed shows).
    pub const MAX: u8 = 4;

    /// The level `value`, if it is one.
    pub fn new(value: i64) -> Option<Self> {
        u8::try_from(value).ok().filter(|level| *level <= Self::MAX).map(Self)
    }

    /// Its number.
    pub fn get(self) -> u8 {
        self.0
    }
}

/// dRofus' rights on a project, each unset or a level, in [`Rights::NAMES`] order: rooms,
/// equipment, tenders, consignations, system, the model store, rooms' surface treatments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rights(pub [Option<RightLevel>; 7]);

impl Rights {
    /// The rights' names, as dRofus' fields and Steward's columns spell them.
    pub const NAMES: [&'static str; 7] = [
        "room_rights",
        "equipment_rights",
        "tender_rights",
        "consignation_rights",
        "system_rights",
        "modelstore_rights",
        "room_surface_treatment_rights",
    ];

    /// Each right by its name.
    pub fn named(&self) -> impl Iterator<Item = (&'static str, Option<RightLevel>)> + '_ {
        Self::NAMES.into_iter().zip(self.0)
    }
}

/// dRofus' flags and role on a membership.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberProfile {
    /// A role name, free text.
    pub role: Option<String>,
    /// A role's id in the tenant database.
    pub user_role_id: Option<i32>,
    /// Superuser of the project.
    pub superuser: Option<bool>,
    /// The rights.
    pub rights: Rights,
    /// BIM admin.
    pub addon_admin: Option<bool>,
    /// No access to the web admin.
    pub no_web_admin_access: Option<bool>,
    /// Prices hidden.
    pub hide_price: Option<bool>,
}

/// An account's place in a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectMember {
    /// The member's login.
    pub login: String,
    /// The account.
    pub account_id: crate::AccountId,
    /// The project.
    pub project_id: ProjectId,
    /// dRofus' role, rights and flags.
    pub profile: MemberProfile,
    /// Set by a database's `disableall`; the account itself is untouched.
    pub disabled: bool,
    /// Roles on the project (Adjutant's), sorted.
    pub roles: Vec<crate::Role>,
    /// When the membership began.
    pub created_at: OffsetDateTime,
}


/// The kind of client a login came from (`X-Client-Type`, else the User-Agent's product):
/// a short lower-case word, `web` when nothing says.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientKind(String);

impl ClientKind {
    /// Longest kind kept.
    pub const MAX_LEN: usize = 32;

    /// What a login without a better hint counts as.
    pub fn web() -> Self {
        Self("web".to_owned())
    }

    /// From an `X-Client-Type` value, or from a User-Agent's first product (`Revit/2024` →
    /// `revit`); `web` for a browser's or nothing usable.
    pub fn from_hints(client_type: Option<&str>, user_agent: Option<&str>) -> Self {
        let word = |raw: &str| -> Option<String> {
            let word: String = raw
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .take(Self::MAX_LEN)
                .collect::<String>()
                .to_ascii_lowercase();
            (!word.is_empty()).then_some(word)
        };
        if let Some(kind) = client_type.and_then(word) {
            return Self(kind);
        }
        match user_agent.and_then(word) {
            // Every browser says Mozilla first.
            Some(product) if product != "mozilla" => Self(product),
            _ => Self::web(),
        }
    }

    /// A stored kind back.
    pub fn stored(raw: String) -> Self {
        Self(raw)
    }

    /// The kind.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Logins into one project by one kind of client in one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginCount {
    /// The project.
    pub project_id: ProjectId,
    /// Its name.
    pub project_name: String,
    /// Its database's name, if it has one.
    pub database: Option<String>,
    /// The client kind.
    pub client: ClientKind,
    /// Year (UTC).
    pub year: i32,
    /// Month, 1–12 (UTC).
    pub month: u8,
    /// Successful logins.
    pub count: u64,
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_kind_comes_from_the_header_then_the_user_agent() {
        assert_eq!(ClientKind::from_hints(Some("Revit"), Some("curl/8")).as_str(), "revit");
        assert_eq!(ClientKind::from_hints(None, Some("dRofus/2.14 (Windows)")).as_str(), "drofus");
        assert_eq!(ClientKind::from_hints(None, Some("Mozilla/5.0 (X11)")).as_str(), "web");
        assert_eq!(ClientKind::from_hints(Some("  "), None).as_str(), "web");
        assert_eq!(ClientKind::from_hints(None, None).as_str(), "web");
        assert_eq!(ClientKind::from_hints(Some(&"x".repeat(100)), None).as_str().len(), ClientKind::MAX_LEN);
    }

    #[test]
    fn right_levels_are_zero_to_four() {
        assert_eq!(RightLevel::new(0).map(RightLevel::get), Some(0));
        assert_eq!(RightLevel::new(4).map(RightLevel::get), Some(4));
        assert_eq!(RightLevel::new(5), None);
        assert_eq!(RightLevel::new(-1), None);
    }

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
