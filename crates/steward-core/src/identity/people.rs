//! People: accounts as a projects administrator sees them (dRofus' `/users`). Addressed by
//! login, with given and family names and an e-mail; created without a password (a welcome
//! mail lets them choose one) or with one; disabled, enabled and kicked out of every face.

use std::sync::Arc;

use serde_json::json;
use steward_model::{Account, AuthBackend, Email, Login, Password};
use steward_store::PersonRow;

use crate::identity::accounts::{AccountError, Accounts, NewAccount};
use crate::invalid::{Invalid, MAX_TEXT, Problem, Sent};
use crate::{Actor, ProjectsCapability, Store, StoreError, audit, now};

/// Why a change to a person was refused.
#[derive(Debug, thiserror::Error)]
pub enum PeopleError {
    /// No account has this login.
    #[error("no such person")]
    NotFound,
    /// The body breaks the rules; every problem is listed.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// Hashing the password failed or was too busy.
    #[error(transparent)]
    Hash(#[from] crate::identity::hasher::HashError),
    /// The store failed.
    #[error(transparent)]
    Store(crate::Unavailable),
}

crate::store_failures_are_unavailable!(PeopleError);

impl From<AccountError> for PeopleError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::NotFound(_) => Self::NotFound,
            AccountError::LoginTaken(_) => Self::Invalid(Invalid::of("username", Problem::Taken)),
            AccountError::PhoneTaken(_) | AccountError::Invalid(_) => Self::Invalid(Invalid::of("username", Problem::Invalid)),
            AccountError::Hash(error) => Self::Hash(error),
            // The capability was checked before any account call is made.
            AccountError::Forbidden(_) => Self::NotFound,
            AccountError::Store(error) => Self::Store(error),
        }
    }
}

/// A person's fields as a client sent them (dRofus' `user` object).
#[derive(Debug, Clone, Default)]
pub struct PersonDraft {
    /// The login; required on create, never changed after.
    pub username: Sent<String>,
    /// Given name; required.
    pub first_name: Sent<String>,
    /// Family name; required.
    pub last_name: Sent<String>,
    /// E-mail; required, valid, unique whatever the case.
    pub email: Sent<String>,
    /// An initial password; optional (without one, the person sets it from a mail).
    pub password: Sent<String>,
}

/// Longest username dRofus takes.
pub const MAX_USERNAME: usize = 64;

/// Whether `raw` is a dRofus username: 1–64 letters, digits, `.`, `_`, `-` or `@`.
pub fn is_username(raw: &str) -> bool {
    let length = raw.chars().count();
    (1..=MAX_USERNAME).contains(&length) && raw.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
}

/// A person about to be created, every field checked.
#[derive(Debug, Clone)]
pub(crate) struct NewPerson {
    pub(crate) login: Login,
    pub(crate) first_name: String,
    pub(crate) last_name: String,
    pub(crate) email: Email,
    pub(crate) password: Option<Password>,
}

impl PersonDraft {
    /// Checks a draft for a new person, adding its problems to `invalid` (the e-mail's
    /// uniqueness is checked in the write transaction).
    pub(crate) fn check_new(&self, invalid: &mut Invalid) -> Option<NewPerson> {
        let login = match self.username.text() {
            None => {
                invalid.add("username", Problem::Blank);
                None
            }
            Some(raw) if !is_username(raw) => {
                invalid.add("username", Problem::Invalid);
                None
            }
            Some(raw) => Login::parse(raw).ok(),
        };
        invalid.require_text("first_name", &self.first_name, MAX_TEXT);
        invalid.require_text("last_name", &self.last_name, MAX_TEXT);
        let email = self.checked_email(invalid, true);
        let password = self.checked_password(invalid);
        Some(NewPerson {
            login: login?,
            first_name: self.first_name.text()?.trim().to_owned(),
            last_name: self.last_name.text()?.trim().to_owned(),
            email: email?,
            password,
        })
    }

    fn checked_email(&self, invalid: &mut Invalid, required: bool) -> Option<Email> {
        match self.email.text() {
            None if required || !matches!(self.email, Sent::Absent) => {
                invalid.add("email", Problem::Blank);
                None
            }
            None => None,
            Some(raw) => match Email::parse(raw.trim()) {
                Ok(email) => Some(email),
                Err(_) => {
                    invalid.add("email", Problem::Invalid);
                    None
                }
            },
        }
    }

    fn checked_password(&self, invalid: &mut Invalid) -> Option<Password> {
        match &self.password {
            Sent::Value(raw) => match Password::parse(raw.clone()) {
                Ok(password) => Some(password),
                Err(_) => {
                    invalid.add("password", Problem::Invalid);
                    None
                }
            },
            Sent::Unreadable => {
                invalid.add("password", Problem::Invalid);
                None
            }
            Sent::Absent | Sent::Null => None,
        }
    }
}

/// Display name of a person with these names.
fn display_name(first: &str, last: &str) -> String {
    format!("{first} {last}").trim().to_owned()
}

/// The people service.
pub struct People {
    store: Store,
    accounts: Arc<Accounts>,
}

impl People {
    pub(crate) fn new(store: Store, accounts: Arc<Accounts>) -> Self {
        Self { store, accounts }
    }

    /// Everyone, by login; with `needle`, those whose login, names or e-mail contain it.
    pub async fn list(&self, _can: ProjectsCapability<'_>, needle: Option<&str>) -> Result<Vec<Account>, PeopleError> {
        let needle = needle.map(str::trim).filter(|needle| !needle.is_empty());
        Ok(self.store.people(needle).await?)
    }

    /// The person whose login is `login`, whatever its case.
    pub async fn get(&self, _can: ProjectsCapability<'_>, login: &str) -> Result<Account, PeopleError> {
        self.accounts.by_login(login).await?.ok_or(PeopleError::NotFound)
    }

    /// Creates a person.
    #[tracing::instrument(skip_all)]
    pub async fn create(&self, can: ProjectsCapability<'_>, draft: PersonDraft) -> Result<Account, PeopleError> {
        let mut invalid = Invalid::default();
        let new = draft.check_new(&mut invalid);
        let Some(new) = new else {
            return Err(invalid.into());
        };
        invalid.into_result()?;
        let row = self.prepare(new).await?;
        let write = self.store.write().await?;
        let account = self.insert_in(&write, can.actor(), row, now()).await?;
        write.commit().await?;
        Ok(account)
    }

    /// Hashes a new person's password, if any, outside any transaction.
    pub(crate) async fn prepare(&self, new: NewPerson) -> Result<steward_store::NewAccountRow, PeopleError> {
        let name = display_name(&new.first_name, &new.last_name);
        let account = NewAccount {
            login: new.login,
            password: new.password,
            name,
            given_name: Some(new.first_name),
            family_name: Some(new.last_name),
            email: Some(new.email),
            phone: None,
            roles: Vec::new(),
        };
        Ok(self.accounts.prepare(account, AuthBackend::Local).await?)
    }

    /// Inserts a prepared person inside another change's transaction, audited; a taken
    /// login or e-mail is a validation problem.
    pub(crate) async fn insert_in(
        &self,
        write: &steward_store::WriteTx,
        actor: &Actor,
        row: steward_store::NewAccountRow,
        at: time::OffsetDateTime,
    ) -> Result<Account, PeopleError> {
        let mut invalid = Invalid::default();
        if write.account_by_login(&row.login_key).await?.is_some() {
            invalid.add("username", Problem::Taken);
        }
        if let Some(email) = &row.email
            && write.email_taken(email, None).await?
        {
            invalid.add("email", Problem::Taken);
        }
        invalid.into_result()?;
        Ok(Accounts::insert_prepared(write, actor, row, at).await?)
    }

    /// Changes the names and e-mail `draft` sends of the person `login` (a login itself
    /// never changes; a password sent here is ignored, as the names-only form of Rails').
    #[tracing::instrument(skip_all)]
    pub async fn update(&self, can: ProjectsCapability<'_>, login: &str, draft: PersonDraft) -> Result<Account, PeopleError> {
        let at = now();
        let write = self.store.write().await?;
        let current = write.account_by_login(&login.to_lowercase()).await?.ok_or(PeopleError::NotFound)?;
        let mut invalid = Invalid::default();
        for (field, sent) in [("first_name", &draft.first_name), ("last_name", &draft.last_name)] {
            if !matches!(sent, Sent::Absent) {
                invalid.require_text(field, sent, MAX_TEXT);
            }
        }
        let email = draft.checked_email(&mut invalid, false);
        if let Some(email) = &email
            && write.email_taken(email.as_str(), Some(current.id)).await?
        {
            invalid.add("email", Problem::Taken);
        }
        invalid.into_result()?;
        let first = draft.first_name.text().map(|text| text.trim().to_owned()).or(current.given_name);
        let last = draft.last_name.text().map(|text| text.trim().to_owned()).or(current.family_name);
        let name = match (&first, &last) {
            (None, None) => current.name,
            _ => display_name(first.as_deref().unwrap_or(""), last.as_deref().unwrap_or("")),
        };
        let email = email.map(|email| email.as_str().to_owned()).or(current.email);
        let person = PersonRow { name, given_name: first, family_name: last, email };
        let account = write.update_person(current.id, person, at).await?;
        write.audit(audit::entry(can.actor(), "person.update", &account.login, json!({})), at).await?;
        write.commit().await?;
        self.accounts.forget_cached_tokens();
        Ok(account)
    }

    /// Deletes the person `login` with its tokens and memberships.
    #[tracing::instrument(skip_all)]
    pub async fn delete(&self, can: ProjectsCapability<'_>, login: &str) -> Result<(), PeopleError> {
        let at = now();
        let write = self.store.write().await?;
        let account = write.account_by_login(&login.to_lowercase()).await?.ok_or(PeopleError::NotFound)?;
        write.delete_account(account.id).await.map_err(|error| match error {
            StoreError::NotFound => PeopleError::NotFound,
            other => other.into(),
        })?;
        write.audit(audit::entry(can.actor(), "person.delete", &account.login, json!({})), at).await?;
        write.commit().await?;
        self.accounts.forget_cached_tokens();
        Ok(())
    }

    /// Disables (`active` false: no login on any face, its tokens revoked) or enables the
    /// person `login`. Returns 1 when this changed the account, 0 when it already was so.
    #[tracing::instrument(skip_all, fields(active))]
    pub async fn set_active(&self, can: ProjectsCapability<'_>, login: &str, active: bool) -> Result<u64, PeopleError> {
        let at = now();
        let write = self.store.write().await?;
        let account = write.account_by_login(&login.to_lowercase()).await?.ok_or(PeopleError::NotFound)?;
        let changed = account.active != active;
        let revoked = if changed {
            write.set_active(account.id, active, at).await?;
            if active { 0 } else { write.revoke_account_tokens(account.id, at).await? }
        } else {
            0
        };
        let action = if active { "person.enable" } else { "person.disable" };
        write.audit(audit::entry(can.actor(), action, &account.login, json!({ "tokens_revoked": revoked })), at).await?;
        write.commit().await?;
        self.accounts.forget_cached_tokens();
        Ok(u64::from(changed))
    }

    /// Logins that carried a project from `from` to `to` (both whole UTC days, inclusive),
    /// counted per project, client kind and month.
    pub async fn login_counts(
        &self,
        _can: ProjectsCapability<'_>,
        from: time::Date,
        to: time::Date,
    ) -> Result<Vec<steward_model::projects::LoginCount>, PeopleError> {
        let start = from.midnight().assume_utc();
        let end = to.next_day().unwrap_or(to).midnight().assume_utc();
        Ok(self.store.login_counts(start, end).await?)
    }

    /// Ends every session of the person `login` on every face: all its tokens are revoked;
    /// the account stays enabled. Returns how many tokens were revoked.
    #[tracing::instrument(skip_all)]
    pub async fn kick(&self, can: ProjectsCapability<'_>, login: &str) -> Result<u64, PeopleError> {
        let at = now();
        let write = self.store.write().await?;
        let account = write.account_by_login(&login.to_lowercase()).await?.ok_or(PeopleError::NotFound)?;
        let revoked = write.revoke_account_tokens(account.id, at).await?;
        write.audit(audit::entry(can.actor(), "person.kick", &account.login, json!({ "tokens_revoked": revoked })), at).await?;
        write.commit().await?;
        self.accounts.forget_cached_tokens();
        Ok(revoked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_letters_digits_and_four_marks() {
        for good in ["hakonhc", "hakon.clausen", "a_b-c@d", "Håkon", &"x".repeat(64)] {
            assert!(is_username(good), "{good}");
        }
        for bad in ["", "a b", "a:b", "a/b", "a%b", &"x".repeat(65)] {
            assert!(!is_username(bad), "{bad}");
        }
    }

    #[test]
    fn a_new_person_needs_every_field() {
        let mut invalid = Invalid::default();
        let draft = PersonDraft { username: Sent::Value("a b".to_owned()), email: Sent::Value("nope".to_owned()), ..Default::default() };
        assert!(draft.check_new(&mut invalid).is_none());
        let fields: Vec<_> = invalid.0.iter().map(|problem| (problem.field, problem.problem)).collect();
        assert_eq!(
            fields,
            [
                ("username", Problem::Invalid),
                ("first_name", Problem::Blank),
                ("last_name", Problem::Blank),
                ("email", Problem::Invalid),
            ]
        );
    }
}
