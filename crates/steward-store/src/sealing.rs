//! Secrets Steward must read back, sealed at rest with XChaCha20-Poly1305 under the data
//! key, which is kept outside the store: a copied database file alone reveals none of them.
//!
//! A sealed value is `sealed:v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`. The key id
//! names the key that sealed it, so a store half-way through a rotation, or a file paired
//! with the wrong key, is told apart from a damaged value. The associated data is the
//! value's place ([`Place`]): a value moved to another column does not open.
//!
//! The places, and [`Store::seal_secrets`], which seals what is still clear (a store from
//! before sealing) or under an older key (a rotation) in one transaction.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::entity::{outbox, setting, sip_user, workflow_token};
use crate::{Store, StoreError, WriteTx};

/// What every sealed value starts with.
const PREFIX: &str = "sealed:v1:";
/// XChaCha20's nonce: long enough to be drawn at random for every value.
const NONCE_LEN: usize = 24;
/// Where the store records the id of the key its secrets are sealed under.
pub(crate) const KEY_ID_SETTING: &str = "security.data_key_id";

/// A 256-bit data key; its bytes are wiped when it is dropped.
#[derive(Clone)]
pub struct DataKey {
    bytes: Zeroizing<[u8; 32]>,
    id: String,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("DataKey").field("id", &self.id).finish_non_exhaustive()
    }
}

impl DataKey {
    /// A new random key.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::fill(&mut bytes[..]);
        Self::from_bytes(bytes)
    }

    fn from_bytes(bytes: Zeroizing<[u8; 32]>) -> Self {
        let digest = Sha256::new().chain_update(b"steward data key id\0").chain_update(&bytes[..]).finalize();
        let id = digest.iter().take(8).map(|byte| format!("{byte:02x}")).collect();
        Self { bytes, id }
    }

    /// Reads a key file's text: one line, the key in standard base64.
    pub fn parse(text: &str) -> Result<Self, String> {
        let decoded = Zeroizing::new(
            STANDARD.decode(text.trim()).map_err(|_| "a data key file holds one line of base64 and nothing else".to_owned())?,
        );
        let bytes: [u8; 32] = decoded
            .as_slice()
            .try_into()
            .map_err(|_| format!("a data key is 32 bytes, this one is {}", decoded.len()))?;
        Ok(Self::from_bytes(Zeroizing::new(bytes)))
    }

    /// The text of its key file (see [`DataKey::parse`]).
    pub fn to_file_text(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("{}\n", STANDARD.encode(&self.bytes[..])))
    }

    /// Its public name: 16 hex digits derived from the key, revealing nothing of it.
    pub fn id(&self) -> &str {
        &self.id
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&(*self.bytes).into())
    }
}

/// Where a sealed value lives; its name is the value's associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// `sip_users.password`: Kamailio needs the clear text, Hermes answers it.
    SipPassword,
    /// The `settings` row of the key delivery-report references are signed with.
    ReportKey,
    /// `workflow_tokens.token`: Adjutant lists task tokens to admins.
    TaskToken,
    /// The body of a sensitive mail waiting in the outbox (a password, a link).
    MailBody,
}

impl Place {
    fn name(self) -> &'static str {
        match self {
            Self::SipPassword => "sip_users.password",
            Self::ReportKey => "settings.sms.report_key",
            Self::TaskToken => "workflow_tokens.token",
            Self::MailBody => "outbox.payload.body",
        }
    }
}

/// The key new values are sealed with, and every key values may still be sealed under.
#[derive(Debug)]
pub struct Keyring {
    current: DataKey,
    older: Vec<DataKey>,
}

impl Keyring {
    /// Seals with `current` (and opens what it sealed).
    pub fn new(current: DataKey) -> Self {
        Self { current, older: Vec::new() }
    }

    /// Also opens what `older` sealed (a rotation in progress).
    #[must_use]
    pub fn with_older(mut self, older: DataKey) -> Self {
        if !self.holds(older.id()) {
            self.older.push(older);
        }
        self
    }

    /// The key new values are sealed with.
    pub fn current(&self) -> &DataKey {
        &self.current
    }

    /// Whether a key of this id is on the ring.
    pub fn holds(&self, id: &str) -> bool {
        self.key(id).is_some()
    }

    fn key(&self, id: &str) -> Option<&DataKey> {
        std::iter::once(&self.current).chain(&self.older).find(|key| key.id == id)
    }

    /// `clear`, sealed under the current key for `place`.
    pub(crate) fn seal(&self, place: Place, clear: &str) -> Result<String, StoreError> {
        let key = self.current();
        let mut nonce = [0u8; NONCE_LEN];
        rand::fill(&mut nonce);
        let sealed = key
            .cipher()
            .encrypt(&XNonce::from(nonce), Payload { msg: clear.as_bytes(), aad: place.name().as_bytes() })
            .map_err(|_| StoreError::Sealed(format!("a secret for {} could not be sealed", place.name())))?;
        let mut joined = Vec::with_capacity(NONCE_LEN + sealed.len());
        joined.extend_from_slice(&nonce);
        joined.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}:{}", key.id, URL_SAFE_NO_PAD.encode(joined)))
    }

    /// The clear text of a value sealed for `place` under a key on the ring.
    pub(crate) fn open(&self, place: Place, stored: &str) -> Result<String, StoreError> {
        let unsealable = |why: &str| StoreError::Sealed(format!("a secret in {}: {why}", place.name()));
        let rest = stored.strip_prefix(PREFIX).ok_or_else(|| unsealable("stored in clear, not sealed"))?;
        let (id, encoded) = rest.split_once(':').ok_or_else(|| unsealable("not a sealed value"))?;
        let key = self.key(id).ok_or_else(|| {
            unsealable(&format!("sealed under data key {id}, which is not the data key file's ({})", self.current().id))
        })?;
        let joined = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| unsealable("damaged (not base64)"))?;
        if joined.len() < NONCE_LEN {
            return Err(unsealable("damaged (too short)"));
        }
        let (nonce, sealed) = joined.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| unsealable("damaged (too short)"))?;
        let clear = key
            .cipher()
            .decrypt(&XNonce::from(nonce), Payload { msg: sealed, aad: place.name().as_bytes() })
            .map_err(|_| unsealable("damaged, or moved from another place"))?;
        String::from_utf8(clear).map_err(|_| unsealable("not text"))
    }

    /// Whether `stored` is already sealed under the current key.
    fn is_current(&self, stored: &str) -> bool {
        stored.strip_prefix(PREFIX).and_then(|rest| rest.strip_prefix(self.current().id.as_str())).is_some_and(|rest| rest.starts_with(':'))
    }

    /// `stored` sealed under the current key: opened first if sealed under an older one,
    /// taken as it is if still in clear (a store from before sealing).
    fn reseal(&self, place: Place, stored: &str) -> Result<String, StoreError> {
        let clear = if stored.starts_with(PREFIX) { Zeroizing::new(self.open(place, stored)?) } else { Zeroizing::new(stored.to_owned()) };
        self.seal(place, &clear)
    }
}

/// How many values [`Store::seal_secrets`] sealed anew, by place.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Resealed {
    /// SIP passwords.
    pub sip_passwords: u64,
    /// Task tokens.
    pub task_tokens: u64,
    /// Bodies of sensitive mails waiting in the outbox.
    pub mail_bodies: u64,
    /// The delivery-report key (0 or 1).
    pub report_key: u64,
}

impl Resealed {
    /// All of them.
    pub fn total(&self) -> u64 {
        self.sip_passwords + self.task_tokens + self.mail_bodies + self.report_key
    }
}

impl Store {
    /// This store, sealing and opening secrets with `keys`. Without keys, reading or
    /// writing a secret is an error, never a clear value.
    #[must_use]
    pub fn with_data_keys(mut self, keys: Keyring) -> Self {
        self.keys = Some(std::sync::Arc::new(keys));
        self
    }

    pub(crate) fn keys(&self) -> Result<&Keyring, StoreError> {
        self.keys.as_deref().ok_or_else(no_keys)
    }

    /// The id of the data key this store's secrets are sealed under, once one was recorded.
    pub async fn data_key_id(&self) -> Result<Option<String>, StoreError> {
        Ok(self.setting(KEY_ID_SETTING).await?.and_then(|value| value.as_str().map(str::to_owned)))
    }

    /// Seals, in one transaction, every secret still in clear or under an older key of the
    /// ring, and records the current key's id. Serving, migrating and rotating the key call
    /// it; with nothing to do it reads a few rows.
    pub async fn seal_secrets(&self, now: OffsetDateTime) -> Result<Resealed, StoreError> {
        let keys = self.keys()?;
        let current = format!("{PREFIX}{}:%", keys.current().id);
        let write = self.write().await?;
        let sip_passwords =
            reseal_column::<sip_user::Entity>(&write, keys, &current, sip_user::Column::Id, sip_user::Column::Password, Place::SipPassword).await?;
        let task_tokens =
            reseal_column::<workflow_token::Entity>(&write, keys, &current, workflow_token::Column::Id, workflow_token::Column::Token, Place::TaskToken)
                .await?;
        let mut resealed = Resealed { sip_passwords, task_tokens, ..Resealed::default() };

        // Only waiting mails carry a body worth sealing: a delivered one's was erased.
        let mails: Vec<(i64, String)> = outbox::Entity::find()
            .select_only()
            .columns([outbox::Column::Id, outbox::Column::Payload])
            .filter(outbox::Column::Kind.eq(steward_model::OutboxKind::Mail.as_str()))
            .filter(outbox::Column::Status.ne(steward_model::OutboxStatus::Delivered.as_str()))
            .filter(outbox::Column::Payload.like("%\"sensitive\":true%"))
            .into_tuple()
            .all(&write.tx)
            .await?;
        for (id, stored) in mails {
            let mut payload: serde_json::Value =
                serde_json::from_str(&stored).map_err(|cause| StoreError::unreadable(format!("outbox {id} payload"), cause))?;
            let Some(body) = crate::outbox::sensitive_body(steward_model::OutboxKind::Mail, &payload) else { continue };
            if keys.is_current(body) {
                continue;
            }
            let sealed = keys.reseal(Place::MailBody, body)?;
            crate::outbox::replace_body(&mut payload, sealed);
            outbox::Entity::update_many()
                .col_expr(outbox::Column::Payload, Expr::value(payload.to_string()))
                .filter(outbox::Column::Id.eq(id))
                .exec(&write.tx)
                .await?;
            resealed.mail_bodies += 1;
        }

        if let Some(row) = setting::Entity::find_by_id(crate::REPORT_KEY_SETTING).one(&write.tx).await? {
            let stored: serde_json::Value =
                serde_json::from_str(&row.value).map_err(|cause| StoreError::unreadable("the delivery-report key", cause))?;
            let stored = stored.as_str().ok_or_else(|| StoreError::Corrupt("the delivery-report key is not text".to_owned()))?;
            if !keys.is_current(stored) {
                let sealed = keys.reseal(Place::ReportKey, stored)?;
                write.set_setting(crate::REPORT_KEY_SETTING, &serde_json::Value::String(sealed), now).await?;
                resealed.report_key = 1;
            }
        }

        write.set_setting(KEY_ID_SETTING, &serde_json::Value::String(keys.current().id.clone()), now).await?;
        write.commit().await?;
        Ok(resealed)
    }
}

/// Reseals, in `write`, the values of `column` not yet sealed under the current key (they
/// do not match `current`, its prefix pattern); each row is found again by its `id`.
async fn reseal_column<E: EntityTrait>(write: &WriteTx, keys: &Keyring, current: &str, id: E::Column, column: E::Column, place: Place) -> Result<u64, StoreError> {
    let stale: Vec<(i64, String)> = E::find().select_only().columns([id, column]).filter(column.not_like(current)).into_tuple().all(&write.tx).await?;
    let mut count = 0;
    for (row, stored) in stale {
        let sealed = keys.reseal(place, &stored)?;
        E::update_many().col_expr(column, Expr::value(sealed)).filter(id.eq(row)).exec(&write.tx).await?;
        count += 1;
    }
    Ok(count)
}

impl WriteTx {
    pub(crate) fn keys(&self) -> Result<&Keyring, StoreError> {
        self.keys.as_deref().ok_or_else(no_keys)
    }
}

fn no_keys() -> StoreError {
    StoreError::Sealed("this store was opened without its data key".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_in_its_place() {
        let ring = Keyring::new(DataKey::generate());
        let sealed = ring.seal(Place::SipPassword, "s3cret-pass").unwrap();
        assert!(sealed.starts_with(&format!("sealed:v1:{}:", ring.current().id())));
        assert!(!sealed.contains("s3cret"));
        assert_eq!(ring.open(Place::SipPassword, &sealed).unwrap(), "s3cret-pass");
        // Two seals of one value differ (a fresh nonce each).
        assert_ne!(ring.seal(Place::SipPassword, "s3cret-pass").unwrap(), sealed);
        // Another place, another key, a damaged value or a clear one: refused, with a reason.
        let moved = ring.open(Place::TaskToken, &sealed).unwrap_err().to_string();
        assert!(moved.contains("moved from another place"), "{moved}");
        let other = Keyring::new(DataKey::generate());
        let wrong_key = other.open(Place::SipPassword, &sealed).unwrap_err().to_string();
        assert!(wrong_key.contains(ring.current().id()), "{wrong_key}");
        let mut damaged = sealed.clone();
        damaged.replace_range(damaged.len() - 3.., "AAA");
        assert!(ring.open(Place::SipPassword, &damaged).is_err());
        assert!(ring.open(Place::SipPassword, "s3cret-pass").unwrap_err().to_string().contains("clear"));
    }

    #[test]
    fn an_older_key_still_opens_and_reseal_moves_values_to_the_current_one() {
        let old = DataKey::generate();
        let old_text = old.to_file_text();
        let before = Keyring::new(old).seal(Place::ReportKey, "abc").unwrap();
        let ring = Keyring::new(DataKey::generate()).with_older(DataKey::parse(&old_text).unwrap());
        assert_eq!(ring.open(Place::ReportKey, &before).unwrap(), "abc");
        assert!(!ring.is_current(&before));
        let after = ring.reseal(Place::ReportKey, &before).unwrap();
        assert!(ring.is_current(&after));
        assert_eq!(ring.open(Place::ReportKey, &after).unwrap(), "abc");
        // A clear value from before sealing is sealed as it is.
        let was_clear = ring.reseal(Place::ReportKey, "abc").unwrap();
        assert_eq!(ring.open(Place::ReportKey, &was_clear).unwrap(), "abc");
    }

    #[test]
    fn key_files_round_trip_and_bad_ones_say_why() {
        let key = DataKey::generate();
        let again = DataKey::parse(&key.to_file_text()).unwrap();
        assert_eq!(again.id(), key.id());
        assert_eq!(key.id().len(), 16);
        assert!(!format!("{key:?}").contains(key.to_file_text().trim()));
        assert!(DataKey::parse("not base64!").unwrap_err().contains("base64"));
        assert!(DataKey::parse(&STANDARD.encode([0u8; 16])).unwrap_err().contains("32 bytes"));
    }
}
