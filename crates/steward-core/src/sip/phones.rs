//! Phones: which SIP users a phone (its MAC address) carries.

use serde_json::json;
use steward_model::sip::{Glob, MacAddress, SipAddress};

use super::{Sip, SipError};
use crate::{Actor, StoreError, audit, now};

impl Sip {
    /// The users on the phone `mac`; none is `nonexistant`.
    pub async fn phone_users(&self, mac: &MacAddress) -> Result<Vec<SipAddress>, SipError> {
        let users = self.store.sip_phone_users(mac).await?;
        if users.is_empty() {
            return Err(SipError::NonExistent(format!("No phone {mac} is registered")));
        }
        Ok(users)
    }

    /// The phones carrying the user at `address` (which must exist).
    pub async fn user_phones(&self, address: &SipAddress) -> Result<Vec<MacAddress>, SipError> {
        self.user(address).await?;
        Ok(self.store.sip_user_phones(address).await?)
    }

    /// Every phone with a user, matching `search` over its twelve digits.
    pub async fn phones(&self, search: Option<&Glob>) -> Result<Vec<MacAddress>, SipError> {
        // A MAC search ignores the colons of the paired form and case.
        let search = search.map(|glob| glob.map_literals(|character| (character != ':').then(|| character.to_ascii_lowercase())));
        Ok(self.store.sip_phone_macs(search.as_ref()).await?)
    }

    /// Puts the user at `address` (local or remote) on the phone `mac`.
    #[tracing::instrument(skip_all, fields(mac = %mac, address = %address))]
    pub async fn add_phone(&self, actor: &Actor, mac: &MacAddress, address: &SipAddress) -> Result<(), SipError> {
        let at = now();
        let write = self.store.write().await?;
        let added = write.insert_sip_phone(mac, address, at).await.map_err(|error| match error {
            StoreError::Conflict(_) => SipError::Exists(format!("{address} is already on phone {mac}")),
            other => other.into(),
        })?;
        if !added {
            return Err(SipError::NonExistent(format!("{address} must match a valid user registration")));
        }
        write.audit(audit::entry(actor, "hermes.phone.add", mac.as_str(), json!({ "user": address.to_string() })), at).await?;
        write.commit().await?;
        Ok(())
    }

    /// Takes the user at `address` off the phone `mac`.
    #[tracing::instrument(skip_all, fields(mac = %mac, address = %address))]
    pub async fn remove_phone(&self, actor: &Actor, mac: &MacAddress, address: &SipAddress) -> Result<(), SipError> {
        let at = now();
        let write = self.store.write().await?;
        if !write.delete_sip_phone(mac, address).await? {
            return Err(SipError::NonExistent(format!("{address} is not on phone {mac}")));
        }
        write.audit(audit::entry(actor, "hermes.phone.remove", mac.as_str(), json!({ "user": address.to_string() })), at).await?;
        write.commit().await?;
        Ok(())
    }
}
