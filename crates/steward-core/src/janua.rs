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
