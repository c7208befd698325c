//! Secrets: a password or a token prints as `***` and is wiped from memory when dropped.

use std::fmt;

/// A clear-text password on its way to the hasher. Never logged, never stored.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Longest password accepted: argon2 hashes anything, but a megabyte "password" is abuse.
    pub const MAX_LEN: usize = 1024;

    /// Accepts any non-empty password up to [`Self::MAX_LEN`] bytes. An empty password is
    /// refused here so that no backend (LDAP in particular) ever sees one.
    pub fn parse(raw: String) -> Result<Self, crate::ParseError> {
        if raw.is_empty() {
            return Err(crate::ParseError("the password is empty".into()));
        }
        if raw.len() > Self::MAX_LEN {
            return Err(crate::ParseError(format!(
                "the password is longer than {} bytes",
                Self::MAX_LEN
            )));
        }
        Ok(Self(raw))
    }

    /// The clear text, for the hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Drop for Password {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

/// A bearer token as the client holds it. The store only ever sees its hash.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

impl TokenSecret {
    /// Wraps what a client presented or what the core just generated.
    pub fn new(raw: String) -> Self {
        Self(raw)
    }

    /// The token itself, to hand to the client exactly once.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSecret(***)")
    }
}

impl Drop for TokenSecret {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

/// Overwrites a string's bytes before its memory is freed.
fn wipe(text: &mut String) {
    zeroize::Zeroize::zeroize(text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let password = Password::parse("hunter2".into()).unwrap();
        assert_eq!(format!("{password:?}"), "Password(***)");
        let token = TokenSecret::new("abc".into());
        assert_eq!(format!("{token:?}"), "TokenSecret(***)");
    }

    #[test]
    fn empty_and_huge_passwords_are_refused() {
        assert!(Password::parse(String::new()).is_err());
        assert!(Password::parse("x".repeat(1025)).is_err());
    }
}
