//! Tokens: 256 random bits, base64url for the client, SHA-256 hex for the store, and a
//! cache so a token is read from the store once per TTL rather than once per request.

use std::time::Duration;

use base64::Engine;
use sha2::{Digest, Sha256};
use steward_model::TokenSecret;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use crate::Principal;

/// How long a verified token is trusted from memory. A revocation on this instance evicts
/// at once; on another instance sharing the store it is seen within this time (the contract
/// allows 2 s; the margin covers a slow store read).
pub const CACHE_TTL: Duration = Duration::from_millis(1500);

/// A new random token: 32 bytes from the thread's CSPRNG, base64url without padding.
pub fn generate() -> TokenSecret {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    TokenSecret::new(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The SHA-256 of a token, hex: the only form the store keeps. A fast hash is right here
/// (unlike passwords): the token has 256 bits of entropy, so there is nothing to brute-force.
pub fn fingerprint(token: &TokenSecret) -> String {
    steward_model::hex::encode(&Sha256::digest(token.expose().as_bytes()))
}

/// Compares two fingerprints in constant time.
pub(crate) fn same_fingerprint(left: &str, right: &str) -> bool {
    left.as_bytes().ct_eq(right.as_bytes()).into()
}

/// A verified token, as the cache keeps it.
#[derive(Debug, Clone)]
pub(crate) struct Verified {
    /// Whose token it is, as read from the store.
    pub principal: Principal,
    /// When it stops working (checked on every hit, so expiry is exact).
    pub expires_at: Option<OffsetDateTime>,
    /// When it was issued.
    pub created_at: OffsetDateTime,
    /// The project it was opened on, if any.
    pub project: Option<steward_model::projects::ProjectId>,
}

/// The in-memory cache of verified tokens, keyed by fingerprint.
pub struct TokenCache {
    entries: moka::future::Cache<String, Verified>,
}

impl Default for TokenCache {
    fn default() -> Self {
        Self::new()
    }
}

impl TokenCache {
    /// An empty cache holding up to 100 000 tokens for [`CACHE_TTL`] each.
    pub fn new() -> Self {
        Self { entries: moka::future::Cache::builder().max_capacity(100_000).time_to_live(CACHE_TTL).build() }
    }

    pub(crate) async fn get(&self, fingerprint: &str) -> Option<Verified> {
        self.entries.get(fingerprint).await
    }

    pub(crate) async fn put(&self, fingerprint: String, verified: Verified) {
        self.entries.insert(fingerprint, verified).await;
    }

    /// Forgets one token (it was revoked here).
    pub(crate) async fn forget(&self, fingerprint: &str) {
        self.entries.invalidate(fingerprint).await;
    }

    /// Forgets every token: an account changed (password, disabled, roles), and tokens
    /// are keyed by fingerprint, not by account. Entries refill from the store on next use.
    pub(crate) fn forget_all(&self) {
        self.entries.invalidate_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_fingerprinted() {
        let first = generate();
        let second = generate();
        assert_ne!(first.expose(), second.expose());
        assert_eq!(first.expose().len(), 43, "32 bytes in base64url");
        let print = fingerprint(&first);
        assert_eq!(print.len(), 64);
        assert!(same_fingerprint(&print, &fingerprint(&first)));
        assert!(!same_fingerprint(&print, &fingerprint(&second)));
    }
}
