//! Authentication: every credential form (a token, a login with a password) becomes a
//! [`Principal`] here, so every face and the native API apply the same rules and the same
//! login rate limit.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use steward_model::projects::{ClientKind, ProjectId};
use steward_model::{Account, AuthBackend, Password, TokenSecret};
use steward_store::AccountWithSecret;
use time::OffsetDateTime;

use crate::identity::hasher::{HashError, Hasher};
use crate::identity::rate_limit::{LoginLimiter, RateLimited};
use crate::identity::tokens::{self, TokenCache, Verified};
use crate::{Principal, Store, audit, now};

/// Why a credential was refused. The reason is for logs and metrics; faces show their own
/// uniform message so a client cannot tell an unknown login from a wrong password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Wrong password, or no such login.
    Password,
    /// The account is disabled.
    Disabled,
    /// No token with this value exists.
    UnknownToken,
    /// The token's lifetime is over.
    Expired,
    /// The token was revoked (logout, password change).
    Revoked,
    /// The project asked for is none of the account's, or it was disabled there.
    NotAMember,
}

impl Refusal {
    /// The `reason` label of `steward_login_failures_total`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::Disabled => "disabled",
            Self::NotAMember => "not_a_member",
            Self::UnknownToken => "unknown_token",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

/// What went wrong authenticating.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The credential is not valid.
    #[error("invalid credentials")]
    Refused(Refusal),
    /// Too many failed password checks for this login or address.
    #[error(transparent)]
    RateLimited(#[from] RateLimited),
    /// The password hashers are saturated.
    #[error("too many password checks at once; try again shortly")]
    Busy,
    /// The hasher or the LDAP directory failed.
    #[error("authentication unavailable: {0}")]
    Unavailable(String),
    /// The store failed.
    #[error(transparent)]
    Store(crate::Unavailable),
}

crate::store_failures_are_unavailable!(AuthError);

impl From<HashError> for AuthError {
    fn from(error: HashError) -> Self {
        match error {
            HashError::Busy => Self::Busy,
            HashError::Failed(reason) => Self::Unavailable(reason),
        }
    }
}

/// A principal authenticated by a token, with what is known of the token.
#[derive(Debug, Clone)]
pub struct TokenAuthenticated {
    /// Who the token belongs to.
    pub principal: Principal,
    /// The token's fingerprint (to revoke it).
    pub fingerprint: String,
    /// When it was issued.
    pub created_at: OffsetDateTime,
    /// When it stops working; `None` for a service token without expiry.
    pub expires_at: Option<OffsetDateTime>,
    /// The project a user token was opened on, if any.
    pub project: Option<ProjectId>,
}

/// A freshly issued user token, to hand to the client once.
#[derive(Debug)]
pub struct IssuedToken {
    /// The token itself.
    pub secret: TokenSecret,
    /// The account it belongs to.
    pub account: Account,
    /// When it was issued.
    pub created_at: OffsetDateTime,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
}

/// An account that has just proved who it is with its password. Only the authenticator
/// makes one, so a token can only be issued after a real check.
#[derive(Debug, Clone)]
pub struct Proven(Account);

impl Proven {
    /// The account.
    pub fn account(&self) -> &Account {
        &self.0
    }

    /// The account, giving up the proof.
    pub fn into_account(self) -> Account {
        self.0
    }
}

/// Checks credentials and issues tokens.
pub struct Authenticator {
    store: Store,
    /// LDAP settings (changed at run time).
    backends: Arc<crate::identity::backends::AuthBackends>,
    /// The LDAP connector, when the binary plugged one in.
    ldap: Option<Arc<dyn crate::identity::backends::LdapBinder>>,
    hasher: Hasher,
    tokens: Arc<TokenCache>,
    limiter: Arc<LoginLimiter>,
    token_ttl: Duration,
}

fn count_refusal(reason: &'static str) {
    metrics::counter!("steward_login_failures_total", "reason" => reason).increment(1);
}

/// `refusal`, counted.
fn refused(refusal: Refusal) -> AuthError {
    count_refusal(refusal.as_str());
    AuthError::Refused(refusal)
}

impl Authenticator {
    pub(crate) fn new(
        store: Store,
        hasher: Hasher,
        tokens: Arc<TokenCache>,
        limiter: Arc<LoginLimiter>,
        token_ttl: Duration,
        backends: Arc<crate::identity::backends::AuthBackends>,
        ldap: Option<Arc<dyn crate::identity::backends::LdapBinder>>,
    ) -> Self {
        Self { store, backends, ldap, hasher, tokens, limiter, token_ttl }
    }

    /// How many password checks may run at once (for the benchmark's ceiling).
    pub fn concurrent_hashes(&self) -> usize {
        self.hasher.size()
    }

    /// The default lifetime of user tokens.
    pub fn token_ttl(&self) -> Duration {
        self.token_ttl
    }

    /// Checks a login and password, counting failures against the rate limit. The login is
    /// matched case-insensitively. Unknown logins cost one dummy verify, like known ones.
    #[tracing::instrument(skip_all, fields(login))]
    pub async fn check_password(
        &self,
        login: &str,
        password: &Password,
        address: Option<IpAddr>,
    ) -> Result<Proven, AuthError> {
        let login_key = login.to_lowercase();
        if let Err(limited) = self.limiter.check(Some(&login_key), address) {
            count_refusal("rate_limited");
            return Err(limited.into());
        }
        let found = self.store.account_by_login(&login_key).await?;
        let matches = self.verify(found.as_ref(), password).await?;
        self.conclude(found.map(|found| found.account), matches, &login_key, address)
    }

    /// The one rule deciding who checks a password, whatever form the username took (login
    /// or phone number): the account's backend. An LDAP account is only ever checked by a
    /// bind, so a person removed from the directory cannot fall back on a local hash; an
    /// unknown login or an account without a password costs one dummy verify, like a real
    /// one, so timing does not tell them apart.
    async fn verify(&self, found: Option<&AccountWithSecret>, password: &Password) -> Result<bool, AuthError> {
        match found {
            Some(found) if found.account.auth_backend == AuthBackend::Ldap => self.check_ldap(&found.account.login, password).await,
            Some(found) if found.account.auth_backend == AuthBackend::Local => {
                Ok(self.hasher.verify(password, found.password_hash.as_deref()).await?)
            }
            _ => Ok(self.hasher.verify(password, None).await?),
        }
    }

    /// Binds to the configured LDAP directory as `login`.
    /// Whether the LDAP directory answers: `None` when LDAP was never configured (or no
    /// binder is plugged in), else the probe's outcome.
    pub async fn probe_ldap(&self) -> Option<Result<(), String>> {
        let binder = self.ldap.as_ref()?;
        let settings = match self.backends.configured_ldap().await {
            Ok(settings) => settings?,
            Err(error) => return Some(Err(format!("cannot read the LDAP settings: {error}"))),
        };
        Some(binder.probe(&settings).await)
    }

    async fn check_ldap(&self, login: &str, password: &Password) -> Result<bool, AuthError> {
        let Some(binder) = &self.ldap else {
            return Err(AuthError::Unavailable("no LDAP connector in this process".to_owned()));
        };
        let settings = self.backends.ldap().await.map_err(|error| AuthError::Unavailable(error.to_string()))?;
        match binder.verify(&settings, login, password.expose()).await {
            Ok(()) => Ok(true),
            Err(crate::identity::backends::ExternalAuthError::Refused) => Ok(false),
            Err(crate::identity::backends::ExternalAuthError::Unavailable(why)) => Err(AuthError::Unavailable(format!("LDAP: {why}"))),
        }
    }

    /// Checks a phone number and password (Janua's Basic form `+33…:password`) by the
    /// account's own backend, like a login (Janua checked the local hash whatever the
    /// backend; its notes ask Steward to close that gap); counted like any failure.
    #[tracing::instrument(skip_all, fields(phone))]
    pub async fn check_password_by_phone(
        &self,
        phone: &str,
        password: &Password,
        address: Option<IpAddr>,
    ) -> Result<Proven, AuthError> {
        if let Err(limited) = self.limiter.check(Some(phone), address) {
            count_refusal("rate_limited");
            return Err(limited.into());
        }
        let found = self.store.account_by_phone(phone).await?;
        let matches = self.verify(found.as_ref(), password).await?;
        self.conclude(found.map(|found| found.account), matches, phone, address)
    }

    /// Turns a password check's outcome into the answer, counting failures.
    fn conclude(
        &self,
        account: Option<Account>,
        matches: bool,
        key: &str,
        address: Option<IpAddr>,
    ) -> Result<Proven, AuthError> {
        match account {
            Some(account) if matches => {
                if account.active {
                    Ok(Proven(account))
                } else {
                    Err(refused(Refusal::Disabled))
                }
            }
            _ => {
                self.limiter.record_failure(Some(key), address);
                Err(refused(Refusal::Password))
            }
        }
    }

    /// A login: checks the password and issues a user token for the default lifetime.
    pub async fn login(
        &self,
        login: &str,
        password: &Password,
        address: Option<IpAddr>,
    ) -> Result<IssuedToken, AuthError> {
        let proven = self.check_password(login, password, address).await?;
        self.issue(proven).await
    }

    /// Issues a user token for the default lifetime to an account that just proved who it is.
    pub async fn issue(&self, proven: Proven) -> Result<IssuedToken, AuthError> {
        Ok(self.issue_on(proven, None, &ClientKind::web()).await?.0)
    }

    /// A login and password for a token opened on a project: the one `project` names (an
    /// id or a name) if the account is an enabled member of it, else, when none is named,
    /// the account's only project, else none. A login that carries a project is counted
    /// for `client` (dRofus' `/node/logins`). Returns the token and its project.
    pub async fn login_on(
        &self,
        login: &str,
        password: &Password,
        address: Option<IpAddr>,
        project: Option<&str>,
        client: &ClientKind,
    ) -> Result<(IssuedToken, Option<ProjectId>), AuthError> {
        let proven = self.check_password(login, password, address).await?;
        let memberships = self.store.memberships_of(proven.account().id).await?;
        let enabled = memberships.iter().filter(|membership| !membership.disabled);
        let chosen = match project.map(str::trim) {
            Some(asked) => {
                let named = |membership: &&steward_store::Membership| {
                    asked.parse::<i64>().is_ok_and(|id| membership.project.0 == id) || membership.name == asked
                };
                Some(enabled.clone().find(named).map(|membership| membership.project).ok_or(AuthError::Refused(Refusal::NotAMember))?)
            }
            None => {
                let mut enabled = enabled;
                match (enabled.next(), enabled.next()) {
                    (Some(only), None) => Some(only.project),
                    _ => None,
                }
            }
        };
        self.issue_on(proven, chosen, client).await
    }

    /// Issues a token, opened on `project` if any (that login counted for `client`).
    async fn issue_on(&self, proven: Proven, project: Option<ProjectId>, client: &ClientKind) -> Result<(IssuedToken, Option<ProjectId>), AuthError> {
        let account = proven.into_account();
        let secret = tokens::generate();
        let created_at = now();
        let expires_at = created_at + self.token_ttl;
        let write = self.store.write().await?;
        write.insert_token(tokens::fingerprint(&secret), account.id, created_at, expires_at, project).await?;
        if let Some(project) = project {
            write.record_login(account.id, project, client, created_at).await?;
        }
        write.commit().await?;
        Ok((IssuedToken { secret, account, created_at, expires_at }, project))
    }

    /// Issues a token for `login` without a password: the operator's `steward token issue`.
    #[tracing::instrument(skip_all, fields(login))]
    pub async fn issue_for(
        &self,
        capability: crate::AdminCapability<'_>,
        login: &str,
        ttl: Option<Duration>,
    ) -> Result<Option<IssuedToken>, AuthError> {
        let Some(found) = self.store.account_by_login(&login.to_lowercase()).await? else {
            return Ok(None);
        };
        let secret = tokens::generate();
        let created_at = now();
        let expires_at = created_at + ttl.unwrap_or(self.token_ttl);
        let write = self.store.write().await?;
        write.insert_token(tokens::fingerprint(&secret), found.account.id, created_at, expires_at, None).await?;
        write
            .audit(
                audit::entry(
                    capability.actor(),
                    "token.issue",
                    &found.account.login,
                    serde_json::json!({ "expires_at": expires_at.unix_timestamp() }),
                ),
                created_at,
            )
            .await?;
        write.commit().await?;
        Ok(Some(IssuedToken { secret, account: found.account, created_at, expires_at }))
    }

    /// Turns a presented token (user or service) into its principal. Served from memory
    /// after the first hit; expiry is checked on every call.
    pub async fn authenticate_token(&self, token: &TokenSecret) -> Result<TokenAuthenticated, AuthError> {
        let fingerprint = tokens::fingerprint(token);
        let at = now();
        let verified = match self.tokens.get(&fingerprint).await {
            Some(verified) => verified,
            None => {
                let verified = self.load(&fingerprint, at).await?;
                self.tokens.put(fingerprint.clone(), verified.clone()).await;
                verified
            }
        };
        if verified.expires_at.is_some_and(|expires_at| expires_at <= at) {
            return Err(refused(Refusal::Expired));
        }
        Ok(TokenAuthenticated {
            principal: verified.principal,
            fingerprint,
            created_at: verified.created_at,
            expires_at: verified.expires_at,
            project: verified.project,
        })
    }

    async fn load(&self, fingerprint: &str, at: OffsetDateTime) -> Result<Verified, AuthError> {
        if let Some(token) = self.store.token_by_hash(fingerprint).await? {
            if !tokens::same_fingerprint(&token.token_hash, fingerprint) {
                return Err(refused(Refusal::UnknownToken));
            }
            if token.revoked_at.is_some() {
                return Err(refused(Refusal::Revoked));
            }
            let Some(found) = self.store.account_by_id(token.account_id).await? else {
                return Err(refused(Refusal::UnknownToken));
            };
            // Astakos' order: an inactive user is refused as such even when the token is
            // also expired.
            if !found.account.active {
                return Err(refused(Refusal::Disabled));
            }
            if token.expires_at <= at {
                return Err(refused(Refusal::Expired));
            }
            return Ok(Verified {
                principal: Principal::Account(found.account),
                expires_at: Some(token.expires_at),
                created_at: token.created_at,
                project: token.project,
            });
        }
        if let Some(record) = self.store.service_by_token_hash(fingerprint).await?
            && tokens::same_fingerprint(&record.token_hash, fingerprint)
        {
            let created_at = record.service.token_created_at;
            let expires_at = record.service.token_expires_at;
            return Ok(Verified { principal: Principal::Service(record.service), expires_at, created_at, project: None });
        }
        Err(refused(Refusal::UnknownToken))
    }

    /// Every token of `login`, newest first (the operator's `steward token list`); `None`
    /// when no account has that login.
    pub async fn tokens_of(&self, _capability: crate::AdminCapability<'_>, login: &str) -> Result<Option<Vec<steward_model::UserToken>>, AuthError> {
        let Some(found) = self.store.account_by_login(&login.to_lowercase()).await? else {
            return Ok(None);
        };
        Ok(Some(self.store.tokens_of(found.account.id).await?))
    }

    /// Revokes the live token with this id (`steward token revoke ID`), audited on its
    /// account; `false` when no live token has it.
    #[tracing::instrument(skip_all, fields(id))]
    pub async fn revoke_by_id(&self, capability: crate::AdminCapability<'_>, id: i64) -> Result<bool, AuthError> {
        let at = now();
        let write = self.store.write().await?;
        let Some((account, fingerprint)) = write.revoke_token_by_id(id, at).await? else {
            return Ok(false);
        };
        let login = self.store.account_by_id(account).await?.map(|found| found.account.login).unwrap_or_default();
        write.audit(audit::entry(capability.actor(), "token.revoke", &login, serde_json::json!({ "token": id })), at).await?;
        write.commit().await?;
        self.tokens.forget(&fingerprint).await;
        Ok(true)
    }

    /// Revokes every live token of `login` (`steward token revoke --all LOGIN`); how many,
    /// `None` when no account has that login.
    #[tracing::instrument(skip_all, fields(login))]
    pub async fn revoke_all_of(&self, capability: crate::AdminCapability<'_>, login: &str) -> Result<Option<u64>, AuthError> {
        let Some(found) = self.store.account_by_login(&login.to_lowercase()).await? else {
            return Ok(None);
        };
        let at = now();
        let write = self.store.write().await?;
        let revoked = write.revoke_account_tokens(found.account.id, at).await?;
        write
            .audit(audit::entry(capability.actor(), "token.revoke_all", &found.account.login, serde_json::json!({ "tokens_revoked": revoked })), at)
            .await?;
        write.commit().await?;
        self.tokens.forget_all();
        Ok(Some(revoked))
    }

    /// Revokes the token with this fingerprint: refused on this instance from the next
    /// request, on others once their cache entry lapses.
    #[tracing::instrument(skip_all)]
    pub async fn revoke(&self, fingerprint: &str) -> Result<bool, AuthError> {
        let write = self.store.write().await?;
        let revoked = write.revoke_token(fingerprint, now()).await?;
        write.commit().await?;
        self.tokens.forget(fingerprint).await;
        Ok(revoked)
    }
}
