//! The Kamailio connector plugged into the core's `KamailioTables` port.

use steward_connectors::kamailio::KamailioDb;
use steward_core::sip::{KamailioFailure, KamailioResult, KamailioTables};
use steward_model::sip::{SipAddress, SipDomain, SipPassword};

/// Kamailio's tables at `faces.hermes.kamailio_database_url`.
pub struct Kamailio {
    /// The connection pool.
    pub db: KamailioDb,
    /// Keep the clear-text `password` column filled (`calculate_ha1=1` set-ups); the
    /// digests are always written.
    pub keep_clear_text: bool,
}

fn failure(error: steward_connectors::kamailio::KamailioError) -> KamailioFailure {
    KamailioFailure(error.to_string())
}

impl KamailioTables for Kamailio {
    fn serves<'a>(&'a self, domain: &'a SipDomain) -> KamailioResult<'a, bool> {
        Box::pin(async move { self.db.serves(domain).await.map_err(failure) })
    }

    fn has_subscriber<'a>(&'a self, address: &'a SipAddress) -> KamailioResult<'a, bool> {
        Box::pin(async move { self.db.has_subscriber(address).await.map_err(failure) })
    }

    fn add_subscribers<'a>(&'a self, accounts: &'a [(SipAddress, SipPassword)]) -> KamailioResult<'a, ()> {
        Box::pin(async move { self.db.add_subscribers(accounts, self.keep_clear_text).await.map_err(failure) })
    }

    fn set_password<'a>(&'a self, address: &'a SipAddress, password: &'a SipPassword) -> KamailioResult<'a, bool> {
        Box::pin(async move { self.db.set_password(address, password, self.keep_clear_text).await.map_err(failure) })
    }

    fn remove_subscriber<'a>(&'a self, address: &'a SipAddress) -> KamailioResult<'a, (bool, Vec<SipAddress>)> {
        Box::pin(async move { self.db.remove_subscriber(address).await.map_err(failure) })
    }

    fn add_alias<'a>(&'a self, alias: &'a SipAddress, destination: &'a SipAddress) -> KamailioResult<'a, ()> {
        Box::pin(async move { self.db.add_alias(alias, destination).await.map_err(failure) })
    }

    fn remove_alias_row<'a>(&'a self, alias: &'a SipAddress, destination: &'a SipAddress) -> KamailioResult<'a, bool> {
        Box::pin(async move { self.db.remove_alias_row(alias, destination).await.map_err(failure) })
    }

    fn remove_alias<'a>(&'a self, alias: &'a SipAddress) -> KamailioResult<'a, bool> {
        Box::pin(async move { self.db.remove_alias(alias).await.map_err(failure) })
    }

    fn subscribers(&self) -> KamailioResult<'_, Vec<(SipAddress, String)>> {
        Box::pin(async move {
            Ok(self.db.subscribers().await.map_err(failure)?.into_iter().map(|row| (row.address, row.ha1)).collect())
        })
    }

    fn aliases(&self) -> KamailioResult<'_, Vec<(SipAddress, SipAddress)>> {
        Box::pin(async move { Ok(self.db.aliases().await.map_err(failure)?.into_iter().map(|row| (row.alias, row.destination)).collect()) })
    }

    fn ha1(&self, address: &SipAddress, password: &str) -> String {
        steward_connectors::kamailio::ha1(address, password)
    }
}
