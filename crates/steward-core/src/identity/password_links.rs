//! Set-password links: what a welcome mail carries instead of a password. A link is a
//! random secret kept only as its hash, used once, good for [`LINK_LIFETIME`]; using it sets
//! a local password and ends every session the account had.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use steward_model::{AccountId, Password, TokenSecret};
use steward_store::WriteTx;

use crate::identity::hasher::{HashError, Hasher};
use crate::identity::tokens::{self, TokenCache};
use crate::{Actor, Principal, Store, StoreError, audit, now};

/// How long a set-password link works.
pub const LINK_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

/// Why a link did not set a password.
#[derive(Debug, thiserror::Error)]
pub enum PasswordLinkError {
    /// No unused, unexpired link has this secret.
    #[error("this link is unknown, used or expired; ask for a new one")]
    Invalid,
    /// Hashing failed or was too busy.
    #[error(transparent)]
    Hash(#[from] HashError),
    /// The store failed.
    #[error(transparent)]
    Store(crate::Unavailable),
}

crate::store_failures_are_unavailable!(PasswordLinkError);

/// The set-password links service.
pub struct PasswordLinks {
    store: Store,
    hasher: Hasher,
    tokens: Arc<TokenCache>,
    public_url: String,
}

impl PasswordLinks {
    pub(crate) fn new(store: Store, hasher: Hasher, tokens: Arc<TokenCache>, public_url: String) -> Self {
        Self { store, hasher, tokens, public_url }
    }

    /// Writes a new link for `account` inside another change's transaction; its address,
    /// to put in a mail (which must then be sensitive: erased once delivered).
    pub(crate) async fn issue_in(&self, write: &WriteTx, account: AccountId, at: time::OffsetDateTime) -> Result<String, StoreError> {
        let secret = tokens::generate();
        write.insert_password_link(tokens::fingerprint(&secret), account, at, at + LINK_LIFETIME).await?;
        Ok(format!("{}/steward/v1/password?token={}", self.public_url.trim_end_matches('/'), secret.expose()))
    }

    /// Sets `password` for the account the link `secret` belongs to, if the link is unused
    /// and unexpired; every token of the account is revoked. Returns the account's id.
    #[tracing::instrument(skip_all)]
    pub async fn set_password(&self, secret: &str, password: &Password) -> Result<AccountId, PasswordLinkError> {
        let hash = self.hasher.hash(password).await?;
        let at = now();
        let write = self.store.write().await?;
        let fingerprint = tokens::fingerprint(&TokenSecret::new(secret.to_owned()));
        let account = write.take_password_link(&fingerprint, at).await?.ok_or(PasswordLinkError::Invalid)?;
        write.set_local_password(account, hash, at).await?;
        let revoked = write.revoke_account_tokens(account, at).await?;
        let person = write.account_by_id(account).await?;
        let actor = person.clone().map_or_else(Actor::system, |person| Actor::new(Principal::Account(person), "steward"));
        let login = person.map(|person| person.login).unwrap_or_default();
        write.audit(audit::entry(&actor, "account.set_password_by_link", &login, json!({ "tokens_revoked": revoked })), at).await?;
        write.commit().await?;
        self.tokens.forget_all();
        Ok(account)
    }
}
