//! Accounts: the one identity every face reads and writes.

use std::sync::Arc;

use serde_json::json;
use steward_model::{Account, AuthBackend, E164, Email, Login, Password, Role};
use steward_store::NewAccountRow;

use crate::identity::hasher::{HashError, Hasher};
use crate::identity::tokens::TokenCache;
use crate::{AdminCapability, Actor, Forbidden, Store, StoreError, audit, now};

/// What went wrong with an account operation.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// No account has this login.
    #[error("no account has the login `{0}`")]
    NotFound(String),
    /// The login is taken (case-insensitively).
    #[error("an account with the login `{0}` already exists")]
    LoginTaken(String),
    /// Another account has this phone number.
    #[error("another account has the phone number {0}")]
    PhoneTaken(String),
    /// A value was refused.
    #[error("{0}")]
    Invalid(String),
    /// The caller lacks a role.
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    /// Hashing the password failed or was too busy.
    #[error(transparent)]
    Hash(#[from] HashError),
    /// The store failed.
    #[error(transparent)]
    Store(crate::Unavailable),
}

crate::store_failures_are_unavailable!(AccountError);

/// An account to create; every field already parsed.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Its login.
    pub login: Login,
    /// Its local password; `None` for an account that authenticates elsewhere.
    pub password: Option<Password>,
    /// Display name.
    pub name: String,
    /// Given name, when known apart.
    pub given_name: Option<String>,
    /// Family name, when known apart.
    pub family_name: Option<String>,
    /// Mail address.
    pub email: Option<Email>,
    /// Phone number.
    pub phone: Option<E164>,
    /// Roles.
    pub roles: Vec<Role>,
}

/// What bootstrap did on an empty store.
#[derive(Debug)]
pub enum Bootstrap {
    /// Accounts exist already: nothing done.
    NotNeeded,
    /// The configured super admin was created.
    Created(Account),
    /// No bootstrap was configured: `admin` was created with this random password, which
    /// the binary prints once.
    CreatedWithRandomPassword(Account, Password),
}

/// Accounts per page of [`Accounts::every_account_page`]: about 70 KB of JSON.
pub const CATALOG_PAGE: u64 = 1000;

/// The accounts service.
pub struct Accounts {
    store: Store,
    hasher: Hasher,
    tokens: Arc<TokenCache>,
    /// When the current terms were published (`None`: never), and when that was read.
    /// Every user-token check needs it and it changes only on `terms publish`: kept for a
    /// token's cache TTL, so terms published elsewhere bind here within the contract's 2 s.
    terms_published: std::sync::Mutex<Option<(std::time::Instant, Option<time::OffsetDateTime>)>>,
}

impl Accounts {
    pub(crate) fn new(store: Store, hasher: Hasher, tokens: Arc<TokenCache>) -> Self {
        Self { store, hasher, tokens, terms_published: std::sync::Mutex::new(None) }
    }

    /// The account with this login (case-insensitive).
    pub async fn by_login(&self, login: &str) -> Result<Option<Account>, AccountError> {
        Ok(self.store.account_by_login(&login.to_lowercase()).await?.map(|found| found.account))
    }

    /// The account whose uuid is `uuid` (Keystone's user id).
    pub async fn by_uuid(&self, uuid: uuid::Uuid) -> Result<Option<Account>, AccountError> {
        Ok(self.store.account_by_uuid(uuid).await?)
    }

    /// Every account, by login (the operator's `steward account list`).
    pub async fn list(&self, _capability: AdminCapability<'_>) -> Result<Vec<Account>, AccountError> {
        Ok(self.store.accounts().await?)
    }

    async fn require(&self, login: &str) -> Result<Account, AccountError> {
        self.by_login(login).await?.ok_or_else(|| AccountError::NotFound(login.to_owned()))
    }

    /// Creates an account. The password is hashed before the write transaction opens, so
    /// the write lock is never held across a 20 ms hash.
    #[tracing::instrument(skip_all, fields(login = %new.login))]
    pub async fn create(&self, capability: AdminCapability<'_>, new: NewAccount) -> Result<Account, AccountError> {
        self.insert(capability.actor(), new).await
    }

    async fn insert(&self, actor: &Actor, new: NewAccount) -> Result<Account, AccountError> {
        let prepared = self.prepare(new, AuthBackend::Local).await?;
        let at = now();
        let write = self.store.write().await?;
        let account = Self::insert_prepared(&write, actor, prepared, at).await?;
        write.commit().await?;
        Ok(account)
    }

    /// Forgets every cached token after another service changed or deleted an account, so
    /// this instance refuses a dead account's tokens from the next request.
    pub(crate) fn forget_cached_tokens(&self) {
        self.tokens.forget_all();
    }

    /// Hashes a password for another service's write (outside any transaction).
    pub(crate) async fn hash(&self, password: &Password) -> Result<String, AccountError> {
        Ok(self.hasher.hash(password).await?)
    }

    /// Hashes the password of an account about to be created: done before the write
    /// transaction opens, so the write lock is never held across a 20 ms hash.
    pub(crate) async fn prepare(&self, new: NewAccount, backend: AuthBackend) -> Result<NewAccountRow, AccountError> {
        let password_hash = match &new.password {
            Some(password) => Some(self.hasher.hash(password).await?),
            None => None,
        };
        // A local account created without a password has nothing to check it against.
        let backend = if password_hash.is_none() && backend == AuthBackend::Local { AuthBackend::External } else { backend };
        Ok(NewAccountRow {
            login: new.login.as_str().to_owned(),
            login_key: new.login.folded(),
            name: new.name,
            given_name: new.given_name,
            family_name: new.family_name,
            email: new.email.map(|email| email.as_str().to_owned()),
            phone: new.phone.map(|phone| phone.as_str().to_owned()),
            roles: new.roles,
            auth_backend: backend,
            password_hash,
        })
    }

    /// Inserts a prepared account inside another change's transaction, audited.
    pub(crate) async fn insert_prepared(
        write: &steward_store::WriteTx,
        actor: &Actor,
        row: NewAccountRow,
        at: time::OffsetDateTime,
    ) -> Result<Account, AccountError> {
        let phone = row.phone.clone();
        let login = row.login.clone();
        let account = write.insert_account(row, at).await.map_err(|error| match error {
            StoreError::Conflict(what) if what.contains("phone") => AccountError::PhoneTaken(phone.unwrap_or_default()),
            StoreError::Conflict(_) => AccountError::LoginTaken(login),
            other => AccountError::Store(other.into()),
        })?;
        let roles: Vec<&str> = account.roles.iter().map(Role::as_str).collect();
        write
            .audit(audit::entry(actor, "account.create", &account.login, json!({ "roles": roles })), at)
            .await?;
        Ok(account)
    }

    /// Replaces an account's password and revokes all its tokens, in one transaction.
    #[tracing::instrument(skip_all, fields(login))]
    pub async fn set_password(
        &self,
        capability: AdminCapability<'_>,
        login: &str,
        password: &Password,
    ) -> Result<u64, AccountError> {
        let account = self.require(login).await?;
        let hash = self.hasher.hash(password).await?;
        let at = now();
        let write = self.store.write().await?;
        write.set_password_hash(account.id, Some(hash), at).await?;
        let revoked = write.revoke_account_tokens(account.id, at).await?;
        write
            .audit(
                audit::entry(capability.actor(), "account.set_password", &account.login, json!({ "tokens_revoked": revoked })),
                at,
            )
            .await?;
        write.commit().await?;
        self.tokens.forget_all();
        Ok(revoked)
    }

    /// Enables or disables an account. A disabled account's tokens are refused but kept, so
    /// enabling it again revives the unexpired ones.
    #[tracing::instrument(skip_all, fields(login, active))]
    pub async fn set_active(&self, capability: AdminCapability<'_>, login: &str, active: bool) -> Result<(), AccountError> {
        let account = self.require(login).await?;
        let at = now();
        let write = self.store.write().await?;
        write.set_active(account.id, active, at).await?;
        let action = if active { "account.enable" } else { "account.disable" };
        write.audit(audit::entry(capability.actor(), action, &account.login, json!({})), at).await?;
        write.commit().await?;
        self.tokens.forget_all();
        Ok(())
    }

    /// Records that `login` accepted the current terms.
    #[tracing::instrument(skip_all, fields(login))]
    pub async fn accept_terms(&self, capability: AdminCapability<'_>, login: &str) -> Result<(), AccountError> {
        let account = self.require(login).await?;
        let at = now();
        let write = self.store.write().await?;
        write.accept_terms(account.id, at).await?;
        write.audit(audit::entry(capability.actor(), "account.accept_terms", &account.login, json!({})), at).await?;
        write.commit().await?;
        self.tokens.forget_all();
        Ok(())
    }

    /// Publishes new terms: every account must accept them again.
    #[tracing::instrument(skip_all)]
    pub async fn publish_terms(&self, capability: AdminCapability<'_>, body: String) -> Result<(), AccountError> {
        let at = now();
        let write = self.store.write().await?;
        let length = body.len();
        write.publish_terms(body, at).await?;
        write.audit(audit::entry(capability.actor(), "terms.publish", "terms", json!({ "bytes": length })), at).await?;
        write.commit().await?;
        *self.remembered_terms() = None;
        Ok(())
    }

    /// `(uuid, login)` of the accounts `uuids` names (unknown ones left out), in no particular order: the
    /// catalog services translate uuids with.
    pub async fn names_by_uuid(&self, uuids: &[uuid::Uuid]) -> Result<Vec<(uuid::Uuid, String)>, AccountError> {
        Ok(self.store.names_by_uuid(uuids).await?)
    }

    /// `(uuid, login)` of the accounts `logins` names, in no particular order.
    pub async fn uuids_by_login(&self, logins: &[String]) -> Result<Vec<(uuid::Uuid, String)>, AccountError> {
        Ok(self.store.uuids_by_login(logins).await?)
    }

    /// One page, [`CATALOG_PAGE`] long unless it is the last, of the catalog of every
    /// account, by login, after the login `after`. Read page by page so that listing a
    /// million accounts holds one page in memory; accounts added meanwhile may or may not
    /// appear, as in any read that is not one snapshot.
    pub async fn every_account_page(&self, after: Option<&str>) -> Result<Vec<(uuid::Uuid, String)>, AccountError> {
        Ok(self.store.catalog_page(after, CATALOG_PAGE).await?)
    }

    /// Whether the account accepted the newest terms (true when none were ever published).
    pub async fn has_accepted_terms(&self, account: &Account) -> Result<bool, AccountError> {
        let Some(published_at) = self.terms_published_at().await? else {
            return Ok(true);
        };
        Ok(account.terms_accepted_at.is_some_and(|accepted_at| accepted_at >= published_at))
    }

    async fn terms_published_at(&self) -> Result<Option<time::OffsetDateTime>, AccountError> {
        if let Some((read_at, published_at)) = *self.remembered_terms()
            && read_at.elapsed() < crate::identity::tokens::CACHE_TTL
        {
            return Ok(published_at);
        }
        let published_at = self.store.current_terms_published_at().await?;
        *self.remembered_terms() = Some((std::time::Instant::now(), published_at));
        Ok(published_at)
    }

    fn remembered_terms(&self) -> std::sync::MutexGuard<'_, Option<(std::time::Instant, Option<time::OffsetDateTime>)>> {
        // A panic while holding this lock cannot leave the value half-written: it is one store.
        self.terms_published.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// On a store without any account, creates the super admin: `configured` when given
    /// (`STEWARD_BOOTSTRAP_ADMIN`), else `admin` with a random password. Two instances
    /// starting at once may both try; the loser sees the login taken and does nothing.
    pub async fn bootstrap(&self, configured: Option<(Login, Password)>) -> Result<Bootstrap, AccountError> {
        if self.store.account_count().await? > 0 {
            return Ok(Bootstrap::NotNeeded);
        }
        let (login, password, random) = match configured {
            Some((login, password)) => (login, password, false),
            None => {
                let login = Login::parse("admin").map_err(|error| AccountError::Invalid(error.to_string()))?;
                // 20 base64url characters: 120 random bits, short enough to type once.
                let random: String = crate::identity::tokens::generate().expose().chars().take(20).collect();
                let password = Password::parse(random).map_err(|error| AccountError::Invalid(error.to_string()))?;
                (login, password, true)
            }
        };
        let new = NewAccount {
            login,
            password: Some(password.clone()),
            name: "Administrator".to_owned(),
            given_name: None,
            family_name: None,
            email: None,
            phone: None,
            roles: Role::super_admin(),
        };
        match self.insert(&Actor::system(), new).await {
            Ok(account) if random => Ok(Bootstrap::CreatedWithRandomPassword(account, password)),
            Ok(account) => Ok(Bootstrap::Created(account)),
            Err(AccountError::LoginTaken(_)) => Ok(Bootstrap::NotNeeded),
            Err(other) => Err(other),
        }
    }
}
