//! Delivery report references: what Steward puts in the callback URL it gives the SMS
//! gateway, so that a report can only be filed for an SMS Steward sent. A reference is the
//! SMS log id and an HMAC-SHA256 of it under the store's report key; the callback carries
//! no other credential.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Bytes of the key: SHA-256's block, so HMAC takes it as it is.
const KEY_BYTES: usize = 64;

/// Bytes of the MAC a reference carries (128 bits, 32 hex digits).
const MAC_BYTES: usize = 16;

/// The secret delivery report references are signed with, kept in the store's settings.
#[derive(Clone)]
pub struct ReportKey([u8; KEY_BYTES]);

impl std::fmt::Debug for ReportKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReportKey(<redacted>)")
    }
}

impl ReportKey {
    /// The key from its 64 bytes.
    pub fn from_bytes(bytes: [u8; KEY_BYTES]) -> Self {
        Self(bytes)
    }

    /// The key from its 128 hex digits, as stored.
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = crate::hex::decode(text)?;
        Some(Self(bytes.try_into().ok()?))
    }

    /// The 128 hex digits to store.
    pub fn to_hex(&self) -> String {
        crate::hex::encode(&self.0)
    }

    fn mac(&self, log_id: i64) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new(&self.0.into());
        mac.update(b"steward sms report ");
        mac.update(log_id.to_string().as_bytes());
        mac
    }

    /// The reference of the SMS with log row `log_id`: `<id>-<32 hex digits>`.
    pub fn sign(&self, log_id: i64) -> String {
        let tag = self.mac(log_id).finalize().into_bytes();
        format!("{log_id}-{}", crate::hex::encode(tag.get(..MAC_BYTES).unwrap_or_default()))
    }

    /// The log id a reference names, if this key signed it (compared in constant time).
    pub fn verify(&self, reference: &str) -> Option<i64> {
        let (id, tag) = reference.split_once('-')?;
        if id.is_empty() || !id.bytes().all(|byte| byte.is_ascii_digit()) {
            return None;
        }
        let log_id: i64 = id.parse().ok()?;
        let tag = crate::hex::decode(tag)?;
        if tag.len() != MAC_BYTES {
            return None;
        }
        self.mac(log_id).verify_truncated_left(&tag).ok().map(|()| log_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> ReportKey {
        ReportKey::from_bytes([byte; KEY_BYTES])
    }

    #[test]
    fn a_reference_names_its_sms_under_its_key_only() {
        let reference = key(1).sign(42);
        assert!(reference.starts_with("42-") && reference.len() == 3 + 2 * MAC_BYTES, "{reference}");
        assert_eq!(key(1).verify(&reference), Some(42));
        assert_eq!(key(2).verify(&reference), None, "another key");
        let forged = reference.replacen("42-", "43-", 1);
        assert_eq!(key(1).verify(&forged), None, "another id");
    }

    #[test]
    fn malformed_references_are_refused() {
        let good = key(1).sign(7);
        let (_, tag) = good.split_once('-').unwrap();
        for bad in ["", "-", "7", "7-", "-abc", "x-00", "+7-00", &format!("7-{}", &tag[..30]), &format!("7-{tag}00"), &format!("7-{}", tag.to_uppercase()), &format!(" 7-{tag}")] {
            assert_eq!(key(1).verify(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_key_survives_its_stored_form_and_never_prints() {
        let stored = key(9).to_hex();
        assert_eq!(stored.len(), 128);
        assert_eq!(ReportKey::from_hex(&stored).unwrap().sign(1), key(9).sign(1));
        assert!(ReportKey::from_hex("abc").is_none() && ReportKey::from_hex(&"zz".repeat(64)).is_none());
        assert_eq!(format!("{:?}", key(9)), "ReportKey(<redacted>)");
    }
}
