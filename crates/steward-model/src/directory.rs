//! Janua's directory: contacts and groups owned by an admin's account, and memberships.

use crate::AccountId;

/// A person an admin messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// Numeric key (Janua's `id`).
    pub id: i64,
    /// The owning account (Janua's `admin_id`).
    pub owner: AccountId,
    /// Family name.
    pub name: String,
    /// Given name.
    pub firstname: String,
    /// Phone number as Janua's recipient parser reads it (`^\+?[0-9]+$`).
    pub phone_number: String,
    /// Mail address.
    pub email: String,
    /// Free text.
    pub description: Option<String>,
}

impl Contact {
    /// Janua's `fullname`: first name, a space, family name.
    pub fn fullname(&self) -> String {
        format!("{} {}", self.firstname, self.name)
    }
}

/// Which of an owner's contacts a message goes to, besides bare numbers and addresses:
/// resolved by the store in one statement, never by loading the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Nobody from the directory.
    Nobody,
    /// Every contact (Janua's `all`).
    Everyone,
    /// The members of these groups (ids of the owner's groups), each contact once.
    Groups(Vec<i64>),
}

/// A named set of contacts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Numeric key.
    pub id: i64,
    /// The owning account.
    pub owner: AccountId,
    /// `^[a-zA-Z0-9-]+$`, unique per owner.
    pub name: String,
    /// Free text, `""` by default.
    pub description: String,
}

/// One contact in one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    /// Numeric key.
    pub id: i64,
    /// The group.
    pub group_id: i64,
    /// The contact.
    pub contact_id: i64,
}

/// One of Janua's three access lists, each tying an action to who may trigger it or who
/// hears of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessList {
    /// `AUTHORIZED_GROUP_ACTION`: groups allowed to trigger an action.
    GroupAction,
    /// `AUTHORIZED_SUPERVISOR_ACTION`: supervisors allowed to trigger an action.
    SupervisorAction,
    /// `CONTACT_NOTIFY_ACTION`: who is told when a contact triggers an action.
    ContactNotify,
}

impl AccessList {
    /// The fields of a row of the list (the ones a client may write and filter on).
    pub fn field_names(self) -> &'static [&'static str] {
        match self {
            Self::GroupAction => &["id", "group_id", "action_id"],
            Self::SupervisorAction => &["id", "admin_id", "action_id"],
            Self::ContactNotify => &["id", "contact_id", "action_id", "group_id"],
        }
    }
}

/// A keyword action of Janua's (Steward runs none; rows are an operator's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// Janua's `id`.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// Needs the supervisor's phone token.
    pub authentication: bool,
    /// Whether it runs.
    pub enabled: bool,
    /// The managing admin.
    pub admin_id: i64,
}

/// An access-list row: its id and columns by name (`group_id`, `admin_id`, `action_id`,
/// `contact_id`), as the list has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRow {
    /// The row's id.
    pub id: i64,
    /// `(column, value)` pairs, in the list's column order.
    pub columns: Vec<(&'static str, i64)>,
}
