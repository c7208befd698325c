//! SIP aliases. Without a Kamailio peer (`Core::new`) nothing is written and the reads
//! still work; with an in-memory Kamailio behind the core's own port, the rules: Kamailio
//! first, the pool emptied of an aliased number, one E.164 alias per user, and Kamailio's
//! row taken back when Steward refuses.

use std::sync::{Arc, Mutex};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};
use steward_core::sip::{KamailioFailure, KamailioResult, KamailioTables, RangeAdded, SipError};
use steward_core::{Actor, Peers};
use steward_model::E164;
use steward_model::sip::{SipAddress, SipDomain, SipPassword};
use steward_model::sip::SipAlias;

use crate::kit::Kit;

/// Kamailio's tables in memory: the domains it serves, its subscribers and `dbaliases`.
#[derive(Default)]
struct FakeKamailio {
    state: Mutex<Tables>,
    /// Armed: the next `add_alias` first lets another instance add this E.164 alias to the
    /// same destination, in Kamailio and in Steward, as a request racing this one would.
    rival: Mutex<Option<(DatabaseConnection, SipAddress)>>,
}

#[derive(Default)]
struct Tables {
    domains: Vec<SipDomain>,
    subscribers: Vec<SipAddress>,
    aliases: Vec<(SipAddress, SipAddress)>,
    /// Every write fails, as when Kamailio's database is down.
    failing: bool,
}

impl FakeKamailio {
    fn serving(domain: &str, subscribers: &[&str]) -> Arc<Self> {
        let fake = Self::default();
        {
            let mut tables = fake.state.lock().unwrap();
            tables.domains.push(SipDomain::parse(domain).unwrap());
            tables.subscribers.extend(subscribers.iter().map(|address| SipAddress::parse(address).unwrap()));
        }
        Arc::new(fake)
    }

    fn aliases(&self) -> Vec<(String, String)> {
        self.state.lock().unwrap().aliases.iter().map(|(alias, to)| (alias.to_string(), to.to_string())).collect()
    }

    fn fail(&self, failing: bool) {
        self.state.lock().unwrap().failing = failing;
    }

    fn write<T>(&self, change: impl FnOnce(&mut Tables) -> T) -> Result<T, KamailioFailure> {
        let mut tables = self.state.lock().unwrap();
        if tables.failing {
            return Err(KamailioFailure("connection refused".to_owned()));
        }
        Ok(change(&mut tables))
    }

    fn read<T: Send + 'static>(&self, read: impl FnOnce(&Tables) -> T) -> KamailioResult<'_, T> {
        let value = read(&self.state.lock().unwrap());
        Box::pin(std::future::ready(Ok(value)))
    }
}

impl KamailioTables for FakeKamailio {
    fn serves<'a>(&'a self, domain: &'a SipDomain) -> KamailioResult<'a, bool> {
        self.read(|tables| tables.domains.contains(domain))
    }

    fn has_subscriber<'a>(&'a self, address: &'a SipAddress) -> KamailioResult<'a, bool> {
        self.read(|tables| tables.subscribers.contains(address))
    }

    fn add_subscribers<'a>(&'a self, accounts: &'a [(SipAddress, SipPassword)]) -> KamailioResult<'a, ()> {
        let done = self.write(|tables| tables.subscribers.extend(accounts.iter().map(|(address, _)| address.clone())));
        Box::pin(std::future::ready(done))
    }

    fn set_password<'a>(&'a self, address: &'a SipAddress, _password: &'a SipPassword) -> KamailioResult<'a, bool> {
        let done = self.write(|tables| tables.subscribers.contains(address));
        Box::pin(std::future::ready(done))
    }

    fn remove_subscriber<'a>(&'a self, address: &'a SipAddress) -> KamailioResult<'a, (bool, Vec<SipAddress>)> {
        let done = self.write(|tables| {
            let existed = tables.subscribers.contains(address);
            tables.subscribers.retain(|subscriber| subscriber != address);
            let aliases = tables.aliases.iter().filter(|(_, to)| to == address).map(|(alias, _)| alias.clone()).collect();
            tables.aliases.retain(|(_, to)| to != address);
            (existed, aliases)
        });
        Box::pin(std::future::ready(done))
    }

    fn add_alias<'a>(&'a self, alias: &'a SipAddress, destination: &'a SipAddress) -> KamailioResult<'a, ()> {
        Box::pin(async move {
            let rival = self.rival.lock().unwrap().take();
            if let Some((db, rival_alias)) = rival {
                let at = time::OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
                let values: [Value; 5] = [
                    rival_alias.user.as_str().into(),
                    rival_alias.domain.as_str().into(),
                    destination.user.as_str().into(),
                    destination.domain.as_str().into(),
                    at.into(),
                ];
                let sql = "INSERT INTO sip_aliases (alias_username, alias_domain, username, domain, created_at) VALUES (?, ?, ?, ?, ?)";
                db.execute_raw(Statement::from_sql_and_values(DbBackend::Sqlite, sql, values)).await.unwrap();
                self.state.lock().unwrap().aliases.push((rival_alias, destination.clone()));
            }
            self.write(|tables| {
                // `dbaliases`' unique key.
                if tables.aliases.iter().any(|(taken, _)| taken == alias) {
                    return Err(KamailioFailure(format!("duplicate entry {alias}")));
                }
                tables.aliases.push((alias.clone(), destination.clone()));
                Ok(())
            })?
        })
    }

    fn remove_alias_row<'a>(&'a self, alias: &'a SipAddress, destination: &'a SipAddress) -> KamailioResult<'a, bool> {
        let done = self.write(|tables| {
            let before = tables.aliases.len();
            tables.aliases.retain(|row| row != &(alias.clone(), destination.clone()));
            tables.aliases.len() < before
        });
        Box::pin(std::future::ready(done))
    }

    fn remove_alias<'a>(&'a self, alias: &'a SipAddress) -> KamailioResult<'a, bool> {
        let done = self.write(|tables| {
            let before = tables.aliases.len();
            tables.aliases.retain(|(taken, _)| taken != alias);
            tables.aliases.len() < before
        });
        Box::pin(std::future::ready(done))
    }

    fn subscribers(&self) -> KamailioResult<'_, Vec<(SipAddress, String)>> {
        self.read(|tables| tables.subscribers.iter().map(|address| (address.clone(), format!("ha1 of {address}"))).collect())
    }

    fn aliases(&self) -> KamailioResult<'_, Vec<(SipAddress, SipAddress)>> {
        self.read(|tables| tables.aliases.clone())
    }

    fn ha1(&self, address: &SipAddress, password: &str) -> String {
        format!("{address}:{password}")
    }
}

fn address(text: &str) -> SipAddress {
    SipAddress::parse(text).unwrap()
}

fn number(text: &str) -> E164 {
    E164::parse(text).unwrap()
}

fn hermes() -> Actor {
    Actor::trusted_network(std::net::Ipv4Addr::LOCALHOST.into(), "hermes")
}

/// A core whose Kamailio serves `sip.example.org`, where `alice` is a subscriber, with
/// `+4761123400` to `+4761123402` in the pool.
async fn with_kamailio() -> (Kit, Arc<FakeKamailio>) {
    let fake = FakeKamailio::serving("sip.example.org", &["alice@sip.example.org"]);
    let kit = Kit::with_peers(Peers { kamailio: Some(fake.clone() as Arc<dyn KamailioTables>), ..Peers::default() }).await;
    kit.core.hermes.add_range(&hermes(), &number("+4761123400"), &number("+4761123402")).await.unwrap().unwrap();
    (kit, fake)
}

/// Steward's aliases, as `(alias, destination)`.
async fn stewards(kit: &Kit) -> Vec<(String, String)> {
    let rows = kit.core.hermes.aliases(None).await.unwrap();
    rows.into_iter().map(|SipAlias { alias, destination }| (alias.to_string(), destination.to_string())).collect()
}

fn pair(alias: &str, destination: &str) -> (String, String) {
    (alias.to_owned(), destination.to_owned())
}

#[tokio::test]
async fn without_kamailio_aliases_are_read_but_never_written() {
    let kit = Kit::new().await;
    let sip = &kit.core.hermes;
    sip.add_number(&hermes(), &number("+4761123400")).await.unwrap();
    let (alias, alice) = (address("+4761123400@sip.example.org"), address("alice@sip.example.org"));

    let refused = sip.add_alias(&hermes(), &alias, &alice).await.unwrap_err();
    assert!(matches!(&refused, SipError::DbFail(why) if why.contains("not configured")), "{refused:?}");
    // Removing is refused before Steward's rows are even looked at.
    let refused = sip.remove_alias(&hermes(), &alias).await.unwrap_err();
    assert!(matches!(&refused, SipError::DbFail(why) if why.contains("not configured")), "{refused:?}");

    assert!(sip.aliases(None).await.unwrap().is_empty());
    assert!(sip.aliases_of(&alice, false).await.unwrap().is_empty());
    sip.in_pool(&number("+4761123400")).await.unwrap();
    assert_eq!(kit.audit_actions().await, ["hermes.numbers.add"]);
}

#[tokio::test]
async fn an_alias_is_written_to_kamailio_and_takes_its_number_out_of_the_pool() {
    let (kit, kamailio) = with_kamailio().await;
    let sip = &kit.core.hermes;
    let (alias, alice) = (address("+4761123400@sip.example.org"), address("alice@sip.example.org"));
    sip.add_alias(&hermes(), &alias, &alice).await.unwrap();

    let expected = vec![pair("+4761123400@sip.example.org", "alice@sip.example.org")];
    assert_eq!(kamailio.aliases(), expected);
    assert_eq!(stewards(&kit).await, expected);
    assert_eq!(sip.aliases_of(&alice, false).await.unwrap(), std::slice::from_ref(&alias));
    assert!(matches!(sip.in_pool(&number("+4761123400")).await, Err(SipError::NonExistent(_))));
    assert_eq!(kit.audit_actions().await.first().map(String::as_str), Some("hermes.alias.add"));

    // An aliased number cannot go back into the pool, one by one or in a range.
    let refused = sip.add_number(&hermes(), &number("+4761123400")).await.unwrap_err();
    assert!(matches!(&refused, SipError::InUse(why) if why == "+4761123400 is in use as an alias"), "{refused:?}");
    sip.remove_number(&hermes(), &number("+4761123401")).await.unwrap();
    let added = sip.add_range(&hermes(), &number("+4761123400"), &number("+4761123403")).await.unwrap().unwrap();
    assert_eq!(added, RangeAdded { added: 2, skipped: 2 }, "401 and 403 added; 400 aliased, 402 pooled");
    let pool: Vec<String> = sip.numbers(None, false, None).await.unwrap().iter().map(|number| number.to_string()).collect();
    assert_eq!(pool, ["+4761123401", "+4761123402", "+4761123403"]);

    // A search over aliases matches the whole `alias@domain`.
    let search = steward_model::sip::Glob::parse("*@sip.example*").unwrap().unwrap();
    assert_eq!(sip.aliases(Some(&search)).await.unwrap().len(), 1);
    let search = steward_model::sip::Glob::parse("bob").unwrap().unwrap();
    assert!(sip.aliases(Some(&search)).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_user_has_one_e164_alias_and_any_number_of_names() {
    let (kit, kamailio) = with_kamailio().await;
    let sip = &kit.core.hermes;
    let alice = address("alice@sip.example.org");
    sip.add_alias(&hermes(), &address("+4761123400@sip.example.org"), &alice).await.unwrap();

    let refused = sip.add_alias(&hermes(), &address("+4761123401@sip.example.org"), &alice).await.unwrap_err();
    assert!(
        matches!(&refused, SipError::Exists(why) if why == "alice@sip.example.org already has an E.164 alias (one per user)"),
        "{refused:?}"
    );
    sip.in_pool(&number("+4761123401")).await.unwrap();

    sip.add_alias(&hermes(), &address("support@sip.example.org"), &alice).await.unwrap();
    sip.add_alias(&hermes(), &address("sales@sip.example.org"), &alice).await.unwrap();
    let all: Vec<String> = sip.aliases_of(&alice, false).await.unwrap().iter().map(ToString::to_string).collect();
    assert_eq!(all, ["+4761123400@sip.example.org", "sales@sip.example.org", "support@sip.example.org"]);
    assert_eq!(sip.aliases_of(&alice, true).await.unwrap(), [address("+4761123400@sip.example.org")]);
    assert_eq!(kamailio.aliases().len(), 3);
    assert_eq!(stewards(&kit).await.len(), 3);
}

#[tokio::test]
async fn refused_aliases_are_written_nowhere() {
    let (kit, kamailio) = with_kamailio().await;
    let sip = &kit.core.hermes;
    let alice = address("alice@sip.example.org");
    sip.add_alias(&hermes(), &address("support@sip.example.org"), &alice).await.unwrap();
    let audited = kit.audit_actions().await;

    let refusals = [
        ("+4761123400@other.example", "alice@sip.example.org", "nxdomain"),
        ("+4761123400@sip.example.org", "bob@sip.example.org", "nonexistent"),
        ("alice@sip.example.org", "alice@sip.example.org", "subscriber"),
        ("support@sip.example.org", "alice@sip.example.org", "alias"),
        ("support@sip.example.org", "carol@remote.example", "alias"),
    ];
    for (alias, destination, why) in refusals {
        let refused = sip.add_alias(&hermes(), &address(alias), &address(destination)).await.unwrap_err();
        let fits = match (&refused, why) {
            (SipError::NxDomain(text), "nxdomain") => text == "other.example is not a domain served here",
            (SipError::NonExistent(text), "nonexistent") => text == "bob@sip.example.org is not a SIP account here",
            (SipError::Exists(text), "subscriber") => text == "alice@sip.example.org is a SIP account",
            (SipError::Exists(text), "alias") => text == "support@sip.example.org is already an alias",
            _ => false,
        };
        assert!(fits, "{alias} → {destination}: {refused:?}");
    }
    let expected = vec![pair("support@sip.example.org", "alice@sip.example.org")];
    assert_eq!(kamailio.aliases(), expected);
    assert_eq!(stewards(&kit).await, expected);
    assert_eq!(sip.numbers(None, false, None).await.unwrap().len(), 3, "the pool is whole");
    assert_eq!(kit.audit_actions().await, audited);

    // A destination on a domain Kamailio does not serve is another registrar's: allowed.
    sip.add_alias(&hermes(), &address("+4761123400@sip.example.org"), &address("carol@remote.example")).await.unwrap();
    assert_eq!(kamailio.aliases().len(), 2);
}

#[tokio::test]
async fn when_kamailio_fails_steward_changes_nothing() {
    let (kit, kamailio) = with_kamailio().await;
    let sip = &kit.core.hermes;
    let (alias, alice) = (address("+4761123400@sip.example.org"), address("alice@sip.example.org"));
    kamailio.fail(true);
    let refused = sip.add_alias(&hermes(), &alias, &alice).await.unwrap_err();
    assert!(matches!(&refused, SipError::DbFail(why) if why == "Kamailio's database: connection refused"), "{refused:?}");
    assert!(stewards(&kit).await.is_empty());
    sip.in_pool(&number("+4761123400")).await.unwrap();

    kamailio.fail(false);
    sip.add_alias(&hermes(), &alias, &alice).await.unwrap();
    kamailio.fail(true);
    let refused = sip.remove_alias(&hermes(), &alias).await.unwrap_err();
    assert!(matches!(refused, SipError::DbFail(_)), "{refused:?}");
    assert_eq!(stewards(&kit).await, [pair("+4761123400@sip.example.org", "alice@sip.example.org")]);
    assert_eq!(kit.audit_actions().await.first().map(String::as_str), Some("hermes.alias.add"));
}

#[tokio::test]
async fn a_removed_alias_leaves_both_tables_and_its_number_out_of_the_pool() {
    let (kit, kamailio) = with_kamailio().await;
    let sip = &kit.core.hermes;
    let (alias, alice) = (address("+4761123400@sip.example.org"), address("alice@sip.example.org"));
    let missing = sip.remove_alias(&hermes(), &alias).await.unwrap_err();
    assert!(matches!(&missing, SipError::NonExistent(why) if why == "+4761123400@sip.example.org is not an alias"), "{missing:?}");

    sip.add_alias(&hermes(), &alias, &alice).await.unwrap();
    sip.remove_alias(&hermes(), &alias).await.unwrap();
    assert!(kamailio.aliases().is_empty());
    assert!(stewards(&kit).await.is_empty());
    assert!(sip.aliases_of(&alice, false).await.unwrap().is_empty());
    assert!(matches!(sip.in_pool(&number("+4761123400")).await, Err(SipError::NonExistent(_))), "the client puts it back");
    assert_eq!(kit.audit_actions().await.first().map(String::as_str), Some("hermes.alias.remove"));

    let again = sip.remove_alias(&hermes(), &alias).await.unwrap_err();
    assert!(matches!(again, SipError::NonExistent(_)), "{again:?}");
    // No longer an alias: the number may return to the pool, and the user take another.
    sip.add_number(&hermes(), &number("+4761123400")).await.unwrap();
    sip.add_alias(&hermes(), &address("+4761123401@sip.example.org"), &alice).await.unwrap();
}

#[tokio::test]
async fn losing_a_race_takes_back_only_this_requests_kamailio_row() {
    let (kit, kamailio) = with_kamailio().await;
    let sip = &kit.core.hermes;
    let alice = address("alice@sip.example.org");
    // Another instance gives alice +4761123499 between this request's checks and its write.
    *kamailio.rival.lock().unwrap() = Some((kit.raw(), address("+4761123499@sip.example.org")));

    let refused = sip.add_alias(&hermes(), &address("+4761123400@sip.example.org"), &alice).await.unwrap_err();
    assert!(
        matches!(&refused, SipError::Exists(why) if why == "alice@sip.example.org already has an E.164 alias (one per user)"),
        "{refused:?}"
    );
    let winner = vec![pair("+4761123499@sip.example.org", "alice@sip.example.org")];
    assert_eq!(kamailio.aliases(), winner, "the winner's row stays, ours is gone");
    assert_eq!(stewards(&kit).await, winner);
    sip.in_pool(&number("+4761123400")).await.unwrap();
}
