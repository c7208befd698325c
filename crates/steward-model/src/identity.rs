//! Identity values: each type can only hold a valid value, so code past the edge never re-checks.

use std::fmt;

/// Why a string was refused; the message is written for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

/// A login: what a person types to sign in. Unique across Steward, case-insensitively.
///
/// Any printable string of 1–128 characters without whitespace or `:` (Basic auth splits on
/// the first `:`) is accepted: Janua's original only allowed `[a-zA-Z0-9-]`, but its notes
/// ask Steward to accept any login, and Astakos logins are e-mail addresses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Login(String);

impl Login {
    /// Longest login accepted.
    pub const MAX_LEN: usize = 128;

    /// Parses a login, refusing empty, over-long, or whitespace/colon/control-bearing strings.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        if raw.is_empty() {
            return Err(ParseError("the login is empty".into()));
        }
        if raw.chars().count() > Self::MAX_LEN {
            return Err(ParseError(format!("the login is longer than {} characters", Self::MAX_LEN)));
        }
        if raw.chars().any(|c| c.is_whitespace() || c.is_control() || c == ':') {
            return Err(ParseError(
                "a login cannot contain spaces, control characters or ':'".into(),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The login as typed at creation.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key uniqueness is checked on: logins differing only in case are the same login.
    pub fn folded(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who checks an account's password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthBackend {
    /// An argon2id hash kept in the store.
    Local,
    /// A bind to the configured LDAP directory; no password is kept in the store.
    Ldap,
    /// No password at all: the account authenticates only with tokens issued for it
    /// (created without a password, e.g. by an Astakos or Hermes import).
    External,
}

impl AuthBackend {
    /// The backends an operator may choose for an account, in the order Janua lists them.
    pub const SELECTABLE: [Self; 2] = [Self::Local, Self::Ldap];

    /// Parses a backend an operator chose (`local` or `ldap`).
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        Self::SELECTABLE
            .into_iter()
            .find(|backend| backend.as_str() == raw)
            .ok_or_else(|| ParseError(format!("Unknown authentication backend {raw}")))
    }

    /// Reads a stored name; an unknown one is treated as [`Self::External`], which no
    /// password opens.
    pub fn from_stored(stored: &str) -> Self {
        match stored {
            "local" => Self::Local,
            "ldap" => Self::Ldap,
            _ => Self::External,
        }
    }

    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Ldap => "ldap",
            Self::External => "external",
        }
    }
}

impl fmt::Display for AuthBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for AuthBackend {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A role name. The core knows `admin`, `supervisor`, `sip_admin`, `project_admin` and
/// `drofus_admin`;
/// faces may name others, so any lower-case identifier is accepted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Role(String);

impl Role {
    /// Full administrator of Steward (and Janua's level-1 admin).
    pub const ADMIN: &'static str = "admin";
    /// Janua's level-2 supervisor.
    pub const SUPERVISOR: &'static str = "supervisor";
    /// May provision SIP accounts through Hermes.
    pub const SIP_ADMIN: &'static str = "sip_admin";
    /// Administers one project (Adjutant's role on a project; globally, every project).
    pub const PROJECT_ADMIN: &'static str = "project_admin";
    /// May administer dRofus: owners, projects, project users, tenant databases.
    pub const DROFUS_ADMIN: &'static str = "drofus_admin";

    /// Parses a role: 1–64 characters of `a-z`, `0-9`, `_`, `-`, `.`.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let valid = !raw.is_empty()
            && raw.len() <= 64
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.'));
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ParseError(format!(
                "`{raw}` is not a role name: use 1-64 lower-case letters, digits, '_', '-' or '.'"
            )))
        }
    }

    /// A role the code names itself; the constants above are valid by construction.
    pub fn known(name: &'static str) -> Self {
        Self(name.to_owned())
    }

    /// The role's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The roles of the super admin created at bootstrap.
    pub fn super_admin() -> Vec<Role> {
        vec![Self::known(Self::ADMIN), Self::known(Self::SIP_ADMIN), Self::known(Self::PROJECT_ADMIN)]
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An e-mail address, checked by `email_address` and kept as given.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Parses an address such as `alice@example.org`.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        match email_address::EmailAddress::parse_with_options(
            raw,
            email_address::Options::default().without_display_text(),
        ) {
            Ok(_) => Ok(Self(raw.to_owned())),
            Err(error) => Err(ParseError(format!("`{raw}` is not an e-mail address: {error}"))),
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A phone number in E.164 form: `+`, a non-zero digit, 2 to 15 digits in all.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct E164(String);

impl E164 {
    /// Parses `+33612345678`. A leading space instead of `+` is what a `+` becomes when a
    /// client forgets to URL-encode it, so the message says so.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let digits = match raw.strip_prefix('+') {
            Some(rest) => rest,
            None if raw.starts_with(' ') => {
                return Err(ParseError(format!(
                    "`{raw}` is not an E.164 number: a '+' sent in a URL must be written %2B"
                )));
            }
            None => {
                return Err(ParseError(format!(
                    "`{raw}` is not an E.164 number: it must start with '+'"
                )));
            }
        };
        // "+1" alone is a country code, not a number (Hermes: `^\+[1-9][0-9]{1,14}$`).
        let valid = (2..=15).contains(&digits.len())
            && digits.chars().all(|c| c.is_ascii_digit())
            && !digits.starts_with('0');
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ParseError(format!(
                "`{raw}` is not an E.164 number: '+' then 2 to 15 digits, the first not 0"
            )))
        }
    }

    /// The number with its `+`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_refuse_separators_and_fold_case() {
        assert!(Login::parse("").is_err());
        assert!(Login::parse("a b").is_err());
        assert!(Login::parse("a:b").is_err());
        assert!(Login::parse(&"x".repeat(129)).is_err());
        let login = Login::parse("Alice.Smith@example.org").unwrap();
        assert_eq!(login.folded(), "alice.smith@example.org");
    }

    #[test]
    fn roles_are_lower_case_identifiers() {
        assert!(Role::parse("sip_admin").is_ok());
        assert!(Role::parse("Admin").is_err());
        assert!(Role::parse("").is_err());
        assert!(Role::parse("a b").is_err());
    }

    #[test]
    fn e164_needs_plus_and_hints_at_url_encoding() {
        assert!(E164::parse("+33612345678").is_ok());
        assert!(E164::parse("33612345678").is_err());
        assert!(E164::parse("+0123").is_err());
        assert!(E164::parse("+1234567890123456").is_err());
        assert!(E164::parse("+123456789012345").is_ok());
        assert!(E164::parse("+1").is_err() && E164::parse("+12").is_ok());
        let hint = E164::parse(" 33612345678").unwrap_err();
        assert!(hint.0.contains("%2B"), "{hint}");
    }

    #[test]
    fn auth_backends_parse_only_what_an_operator_may_choose() {
        assert_eq!(AuthBackend::parse("ldap"), Ok(AuthBackend::Ldap));
        assert_eq!(AuthBackend::parse("local"), Ok(AuthBackend::Local));
        assert!(AuthBackend::parse("external").is_err());
        assert!(AuthBackend::parse("LDAP").is_err());
        assert_eq!(AuthBackend::from_stored("external"), AuthBackend::External);
        assert_eq!(AuthBackend::from_stored("ldap").as_str(), "ldap");
    }

    #[test]
    fn emails_are_checked() {
        assert!(Email::parse("alice@example.org").is_ok());
        assert!(Email::parse("alice").is_err());
        assert!(Email::parse("Alice <alice@example.org>").is_err());
    }
}
