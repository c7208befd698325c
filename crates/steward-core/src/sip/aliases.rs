//! SIP aliases: another address (often an E.164 number, a DID) leading to a SIP account,
//! in Steward and in Kamailio's `dbaliases`.

use serde_json::json;
use steward_model::E164;
use steward_model::sip::{Glob, SipAddress};

use super::{Sip, SipError};
use crate::{Actor, StoreError, audit, now};

/// Whether an alias's user part is an E.164 number (a DID).
fn is_e164(address: &SipAddress) -> bool {
    E164::parse(address.user.as_str()).is_ok()
}

impl Sip {
    /// Every alias matching `search`, by alias.
    pub async fn aliases(&self, search: Option<&Glob>) -> Result<Vec<steward_model::sip::SipAlias>, SipError> {
        Ok(self.store.sip_aliases(search).await?)
    }

    /// The aliases leading to `destination` (E.164 ones only with `e164_only`).
    pub async fn aliases_of(&self, destination: &SipAddress, e164_only: bool) -> Result<Vec<SipAddress>, SipError> {
        let mut aliases = self.store.sip_aliases_to(destination).await?;
        if e164_only {
            aliases.retain(is_e164);
        }
        Ok(aliases)
    }

    /// Adds `alias` → `destination` in Kamailio's `dbaliases`, then in Steward; an E.164
    /// alias still in the pool leaves it, so a number is never both free and assigned. If
    /// Steward's write then fails, Kamailio's row is taken back.
    #[tracing::instrument(skip_all, fields(alias = %alias, destination = %destination))]
    pub async fn add_alias(&self, actor: &Actor, alias: &SipAddress, destination: &SipAddress) -> Result<(), SipError> {
        let kamailio = self.kamailio()?;
        if !kamailio.serves(&alias.domain).await? {
            return Err(SipError::NxDomain(format!("{} is not a domain served here", alias.domain)));
        }
        if kamailio.serves(&destination.domain).await? && !kamailio.has_subscriber(destination).await? {
            return Err(SipError::NonExistent(format!("{destination} is not a SIP account here")));
        }
        if kamailio.has_subscriber(alias).await? || self.store.sip_user(alias).await?.is_some() {
            return Err(SipError::Exists(format!("{alias} is a SIP account")));
        }
        if self.store.sip_alias(alias).await?.is_some() {
            return Err(SipError::Exists(format!("{alias} is already an alias")));
        }
        if is_e164(alias) && self.store.sip_aliases_to(destination).await?.iter().any(is_e164) {
            return Err(SipError::Exists(format!("{destination} already has an E.164 alias (one per user)")));
        }
        // Kamailio first, outside Steward's transaction: a slow Kamailio never holds the
        // store's write lock. Its unique key refuses the second of two requests at once.
        kamailio.add_alias(alias, destination).await?;
        let recorded = async {
            let at = now();
            let write = self.store.write().await?;
            // Checked again under the lock: another instance may have won the race.
            if write.sip_alias(alias).await?.is_some() {
                return Ok(Err(SipError::Exists(format!("{alias} is already an alias"))));
            }
            if is_e164(alias) && write.sip_aliases_to(destination).await?.iter().any(is_e164) {
                return Ok(Err(SipError::Exists(format!("{destination} already has an E.164 alias (one per user)"))));
            }
            if let Ok(number) = E164::parse(alias.user.as_str()) {
                write.delete_sip_number(&number).await?;
            }
            write.insert_sip_alias(alias, destination, at).await?;
            write
                .audit(audit::entry(actor, "hermes.alias.add", &alias.to_string(), json!({ "destination": destination.to_string() })), at)
                .await?;
            write.commit().await?;
            Ok::<_, StoreError>(Ok(()))
        }
        .await;
        let refusal = match recorded {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(refusal)) => refusal,
            Err(StoreError::Conflict(_)) => SipError::Exists(format!("{alias} is already an alias")),
            Err(error) => error.into(),
        };
        // Only this request's row: the winner of a race has its own.
        if let Err(failure) = kamailio.remove_alias_row(alias, destination).await {
            tracing::error!(%alias, %failure, "an alias added for a failed request could not be removed; `steward hermes sync` will");
        }
        Err(refusal)
    }

    /// Removes `alias` from Kamailio, then from Steward; the number does not return to the
    /// pool (the client's `numbers/add` does that). If Steward's write then fails,
    /// Kamailio's row is put back.
    #[tracing::instrument(skip_all, fields(alias = %alias))]
    pub async fn remove_alias(&self, actor: &Actor, alias: &SipAddress) -> Result<(), SipError> {
        let kamailio = self.kamailio()?;
        let Some(row) = self.store.sip_alias(alias).await? else {
            return Err(SipError::NonExistent(format!("{alias} is not an alias")));
        };
        kamailio.remove_alias(alias).await?;
        let recorded = async {
            let at = now();
            let write = self.store.write().await?;
            if !write.delete_sip_alias(alias).await? {
                // Another request removed it meanwhile: Kamailio's row is rightly gone too.
                return Ok(Err(SipError::NonExistent(format!("{alias} is not an alias"))));
            }
            write.audit(audit::entry(actor, "hermes.alias.remove", &alias.to_string(), json!({})), at).await?;
            write.commit().await?;
            Ok::<_, StoreError>(Ok(()))
        }
        .await;
        let error = match recorded {
            Ok(outcome) => return outcome,
            Err(error) => error,
        };
        if let Err(failure) = kamailio.add_alias(alias, &row.destination).await {
            tracing::error!(%alias, %failure, "an alias removed for a failed request could not be put back; `steward hermes sync` will");
        }
        Err(error.into())
    }
}
