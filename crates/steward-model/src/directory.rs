//! Janua's directory: contacts and groups owned by an admin's account, and memberships.

use std::fmt;

use crate::sms::recipients::{RecipientToken, is_group_name, is_recipient_email, is_recipient_number};
use crate::{AccountId, ParseError};

/// A contact's phone number: what the recipient parser of `/sendsms` reads as a number
/// (`^\+?[0-9]+$`), so the contact can always be addressed. Kept as typed: Janua's
/// contacts are not required to be E.164.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactNumber(String);

impl ContactNumber {
    /// Parses `+33612345678` or `0612345678`; spaces, dots and letters are refused.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        if is_recipient_number(raw) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ParseError(format!("`{raw}` is not a phone number: an optional '+' then digits only")))
        }
    }

    /// The number as typed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for ContactNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A contact's mail address, in the syntax the recipient parser of `/sendmail` reads as
/// one, so the contact can always be addressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactAddress(String);

impl ContactAddress {
    /// Parses `jane.doe@example.org`.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        if is_recipient_email(raw) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ParseError(format!("`{raw}` is not an e-mail address a message can be sent to")))
        }
    }

    /// The address as typed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// A group name that a `to` list can address: ASCII letters, digits and `-`, and not a word
/// the recipient parser reads as something else (`all`, or digits only: a number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupName(String);

/// Why a group name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GroupNameError {
    /// Empty, or a character other than an ASCII letter, a digit or `-`.
    #[error("a group name holds only ASCII letters, digits and '-'")]
    Characters,
    /// `all` or digits only: a `to` list would read it as every contact, or as a number.
    #[error("`{0}` cannot name a group: a recipient list reads it as something else")]
    Reserved(String),
}

impl GroupName {
    /// Parses `night-shift`.
    pub fn parse(raw: &str) -> Result<Self, GroupNameError> {
        if !is_group_name(raw) {
            return Err(GroupNameError::Characters);
        }
        match RecipientToken::classify(raw) {
            Some(RecipientToken::Group(_)) => Ok(Self(raw.to_owned())),
            _ => Err(GroupNameError::Reserved(raw.to_owned())),
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_numbers_are_what_the_recipient_parser_reads_as_numbers() {
        for good in ["+33612345678", "0612345678", "1"] {
            assert_eq!(ContactNumber::parse(good).unwrap().as_str(), good);
        }
        for bad in ["", "+", "06 12", "06.12", "+33-6", "phone", "＋336"] {
            assert!(ContactNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn contact_addresses_are_what_the_recipient_parser_reads_as_addresses() {
        assert_eq!(ContactAddress::parse("jane.doe+x@example.org").unwrap().into_string(), "jane.doe+x@example.org");
        for bad in ["", "jane", "jane@", "jane@example", "@example.org", "jane doe@example.org"] {
            assert!(ContactAddress::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn group_names_are_addressable_words() {
        assert_eq!(GroupName::parse("night-shift").unwrap().as_str(), "night-shift");
        assert_eq!(GroupName::parse("All").unwrap().as_str(), "All", "only lower-case all is the token");
        for bad in ["", "a b", "café", "x_y", "a,b"] {
            assert_eq!(GroupName::parse(bad), Err(GroupNameError::Characters), "{bad}");
        }
        for reserved in ["all", "1234", "0"] {
            assert_eq!(GroupName::parse(reserved), Err(GroupNameError::Reserved(reserved.to_owned())), "{reserved}");
        }
    }
}
