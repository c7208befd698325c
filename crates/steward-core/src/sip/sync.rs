//! `steward hermes sync`: Kamailio's tables made to match Steward's after any drift.

use steward_model::sip::{SipAddress, SipPassword};

use super::{Sip, SipError};
use crate::{Actor, audit, now};

/// What `steward hermes sync` found, and (unless a dry run) repaired.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    /// Local users Kamailio had no subscriber for: added.
    pub missing_subscribers: Vec<String>,
    /// Subscribers whose digest did not match the user's password: rewritten.
    pub stale_passwords: Vec<String>,
    /// Steward's aliases missing from `dbaliases` (or leading elsewhere there): written.
    pub missing_aliases: Vec<String>,
    /// `dbaliases` rows Steward does not have: removed.
    pub extra_aliases: Vec<String>,
    /// Subscribers Steward does not provision (made with kamctl): reported, kept.
    pub unmanaged_subscribers: Vec<String>,
}

impl SyncReport {
    /// Whether anything was out of step (unmanaged subscribers aside).
    pub fn drifted(&self) -> bool {
        !(self.missing_subscribers.is_empty() && self.stale_passwords.is_empty() && self.missing_aliases.is_empty() && self.extra_aliases.is_empty())
    }
}

impl Sip {
    /// Compares Steward's users and aliases with Kamailio's tables and, unless `dry_run`,
    /// makes Kamailio match Steward. Running it twice changes nothing the second time.
    #[tracing::instrument(skip_all, fields(dry_run))]
    pub async fn sync(&self, actor: &Actor, dry_run: bool) -> Result<SyncReport, SipError> {
        use std::collections::{HashMap, HashSet};
        let kamailio = self.kamailio()?;
        let mut report = SyncReport::default();
        let subscribers: HashMap<SipAddress, String> = kamailio.subscribers().await?.into_iter().collect();
        let users = self.store.sip_local_users().await?;
        let provisioned: HashSet<&SipAddress> = users.iter().map(|user| &user.address).collect();
        for user in &users {
            let password = SipPassword::parse(&user.password).map_err(|error| SipError::DbFail(format!("{}: {error}", user.address)))?;
            match subscribers.get(&user.address) {
                None => {
                    report.missing_subscribers.push(user.address.to_string());
                    if !dry_run {
                        kamailio.add_subscribers(&[(user.address.clone(), password)]).await?;
                    }
                }
                Some(ha1) if *ha1 != kamailio.ha1(&user.address, password.expose()) => {
                    report.stale_passwords.push(user.address.to_string());
                    if !dry_run {
                        kamailio.set_password(&user.address, &password).await?;
                    }
                }
                Some(_) => {}
            }
        }
        report.unmanaged_subscribers = subscribers.keys().filter(|address| !provisioned.contains(address)).map(ToString::to_string).collect();
        report.unmanaged_subscribers.sort();
        let ours: HashMap<SipAddress, SipAddress> =
            self.store.sip_aliases(None).await?.into_iter().map(|row| (row.alias, row.destination)).collect();
        let theirs = kamailio.aliases().await?;
        let mut seen: HashMap<SipAddress, Vec<SipAddress>> = HashMap::new();
        for (alias, destination) in theirs {
            seen.entry(alias).or_default().push(destination);
        }
        for (alias, destinations) in &seen {
            let wanted = ours.get(alias);
            if wanted.is_none() || destinations.len() > 1 || destinations.first() != wanted {
                report.extra_aliases.push(alias.to_string());
                if !dry_run {
                    kamailio.remove_alias(alias).await?;
                }
            }
        }
        for (alias, destination) in &ours {
            let in_step = seen.get(alias).is_some_and(|destinations| destinations.len() == 1 && destinations.first() == Some(destination));
            if !in_step {
                report.missing_aliases.push(alias.to_string());
                if !dry_run {
                    kamailio.add_alias(alias, destination).await?;
                }
            }
        }
        for list in [&mut report.missing_subscribers, &mut report.stale_passwords, &mut report.missing_aliases, &mut report.extra_aliases] {
            list.sort();
        }
        if !dry_run && report.drifted() {
            let at = now();
            let write = self.store.write().await?;
            write.audit(audit::entry(actor, "hermes.sync", "kamailio", serde_json::to_value(&report).unwrap_or_default()), at).await?;
            write.commit().await?;
        }
        Ok(report)
    }
}

