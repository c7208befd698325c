//! Janua's two kinds of admin, derived from Steward roles, and what each may see.

use steward_model::{Account, Role};

/// Janua's admin levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Level 1, the super administrator (role `admin`).
    Admin,
    /// Level 2, a supervisor (role `supervisor`).
    Supervisor,
}

impl Level {
    /// The account's Janua level, if it has a Janua role (`admin` wins over `supervisor`).
    pub fn of(account: &Account) -> Option<Self> {
        if account.has_role(Role::ADMIN) {
            Some(Self::Admin)
        } else if account.has_role(Role::SUPERVISOR) {
            Some(Self::Supervisor)
        } else {
            None
        }
    }

    /// The level number of Janua's `ADMIN.level`.
    pub fn number(self) -> u8 {
        match self {
            Self::Admin => 1,
            Self::Supervisor => 2,
        }
    }

    /// Janua's role name (`role` cookie).
    pub fn name(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Supervisor => "supervisor",
        }
    }

    /// Whether statistics and usage cover every sender (the super admin) or only the
    /// caller's own SMS (a supervisor).
    pub fn sees_everyone(self) -> bool {
        self == Self::Admin
    }
}

/// A Janua admin as `/api/ADMIN` shows it (secrets are never part of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JanuaAdmin {
    /// The account id.
    pub id: i64,
    /// The login.
    pub login: String,
    /// Family name (the profile's, else the account's display name).
    pub name: String,
    /// Given name (empty without a profile).
    pub firstname: String,
    /// Phone number.
    pub phone_number: Option<String>,
    /// Mail address.
    pub email: Option<String>,
    /// Janua level.
    pub level: Level,
    /// `<limit> <window>`.
    pub sms_quota: String,
    /// May only message its own contacts.
    pub recipient_filter: bool,
    /// An Android client asked for its configuration.
    pub has_client: bool,
    /// When the quota mail was last sent.
    pub last_quota_reached: Option<time::OffsetDateTime>,
    /// `local` or `ldap`.
    pub auth_backend: String,
}

impl JanuaAdmin {
    /// Janua's computed `fullname`.
    pub fn fullname(&self) -> String {
        if self.firstname.is_empty() { self.name.clone() } else { format!("{} {}", self.firstname, self.name) }
    }
}

/// What went wrong reading Janua admins.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// No such admin visible to the caller.
    #[error("not found")]
    NotFound,
    /// A client's search names an unknown field.
    #[error("{0}")]
    BadQuery(String),
    /// The quota could not be read.
    #[error(transparent)]
    Accounting(#[from] crate::sms::SmsError),
    /// The store failed.
    #[error(transparent)]
    Store(crate::StoreError),
}

impl From<crate::StoreError> for AdminError {
    fn from(error: crate::StoreError) -> Self {
        match error {
            crate::StoreError::BadFilter(filter) => Self::BadQuery(filter.to_string()),
            other => Self::Store(other),
        }
    }
}

/// Janua's view of admins: the super admin sees every Janua admin, a supervisor itself.
pub struct Admins {
    store: crate::Store,
}

impl Admins {
    pub(crate) fn new(store: crate::Store) -> Self {
        Self { store }
    }

    /// A client's search over the admins `caller` may see.
    pub async fn search(
        &self,
        accounting: &crate::sms::Sms,
        caller: &Account,
        level: Level,
        search: &steward_model::filter::Search,
        skip: u64,
        page_size: u64,
    ) -> Result<steward_store::directory::Page<JanuaAdmin>, AdminError> {
        let only = if level.sees_everyone() { None } else { Some(caller.id) };
        let page = self.store.search_janua_admins(only, search, skip, page_size).await?;
        let mut rows = Vec::with_capacity(page.rows.len());
        for row in page.rows {
            let quota = accounting.quota_of(steward_model::AccountId(row.id)).await?;
            rows.push(JanuaAdmin {
                id: row.id,
                login: row.login,
                name: row.last_name.unwrap_or(row.display_name),
                firstname: row.firstname.unwrap_or_default(),
                phone_number: row.phone,
                email: row.email,
                level: if row.is_admin { Level::Admin } else { Level::Supervisor },
                sms_quota: quota.as_str().to_owned(),
                recipient_filter: row.recipient_filter.unwrap_or(true),
                has_client: row.has_client.unwrap_or(false),
                last_quota_reached: row.last_quota_reached,
                auth_backend: row.auth_backend,
            });
        }
        Ok(steward_store::directory::Page { total: page.total, rows })
    }

    /// One admin `caller` may see.
    pub async fn get(&self, accounting: &crate::sms::Sms, caller: &Account, level: Level, id: i64) -> Result<JanuaAdmin, AdminError> {
        let by_id = steward_model::filter::Search::new(
            vec![steward_model::filter::Filter::Compare {
                field: "id".to_owned(),
                op: steward_model::filter::CompareOp::Eq,
                value: steward_model::filter::FilterValue::Integer(id),
            }],
            Vec::new(),
            None,
            None,
            false,
        )
        .map_err(|error| AdminError::BadQuery(error.to_string()))?;
        self.search(accounting, caller, level, &by_id, 0, 1).await?.rows.pop().ok_or(AdminError::NotFound)
    }
}
