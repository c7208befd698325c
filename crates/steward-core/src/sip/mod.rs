//! SIP: the accounts a Kamailio server registers, the phones that carry them, the E.164
//! number pool and the aliases leading to accounts (what Hermes provisions). Steward's rows
//! and Kamailio's never disagree after a change answers: Kamailio is written before
//! Steward's transaction and undone if that then fails, never inside the transaction, so no
//! network statement holds the store's write lock. What a crash between the two leaves,
//! `steward hermes sync` repairs.
//!
//! # Layout
//! - [`users`]: local users (Kamailio subscribers) and remote ones; passwords.
//! - [`phones`]: which users a phone carries.
//! - [`numbers`]: the number pool, one by one or by range.
//! - [`aliases`]: aliases in Steward and in Kamailio's `dbaliases`.
//! - [`sync`]: Kamailio made to match Steward.

pub mod aliases;
pub mod numbers;
pub mod phones;
pub mod sync;
pub mod users;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use steward_model::sip::{SipAddress, SipDomain, SipPassword};

use crate::Store;

pub use numbers::{RangeAdded, RangeError, number_range};
pub use sync::SyncReport;
pub use users::{NewLocalUser, NewRemoteUser, UserChanges, generate_password};

/// A Kamailio write or read that failed: Hermes' `dbfail`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KamailioFailure(pub String);

/// What a [`KamailioTables`] call returns.
pub type KamailioResult<'a, T> = Pin<Box<dyn Future<Output = Result<T, KamailioFailure>> + Send + 'a>>;

/// The port through which the core reads and writes Kamailio's tables; the binary plugs in
/// the connector.
pub trait KamailioTables: Send + Sync {
    /// Whether Kamailio serves `domain`.
    fn serves<'a>(&'a self, domain: &'a SipDomain) -> KamailioResult<'a, bool>;
    /// Whether Kamailio has the subscriber `address`.
    fn has_subscriber<'a>(&'a self, address: &'a SipAddress) -> KamailioResult<'a, bool>;
    /// Adds subscribers with their passwords, all or none.
    fn add_subscribers<'a>(&'a self, accounts: &'a [(SipAddress, SipPassword)]) -> KamailioResult<'a, ()>;
    /// Sets a subscriber's password; `false` if there is none.
    fn set_password<'a>(&'a self, address: &'a SipAddress, password: &'a SipPassword) -> KamailioResult<'a, bool>;
    /// Removes a subscriber and the aliases to it; whether it existed, and those aliases.
    fn remove_subscriber<'a>(&'a self, address: &'a SipAddress) -> KamailioResult<'a, (bool, Vec<SipAddress>)>;
    /// Adds an alias to `destination`.
    fn add_alias<'a>(&'a self, alias: &'a SipAddress, destination: &'a SipAddress) -> KamailioResult<'a, ()>;
    /// Removes one row of `alias` → `destination`, leaving any other (a lost race's undo).
    fn remove_alias_row<'a>(&'a self, alias: &'a SipAddress, destination: &'a SipAddress) -> KamailioResult<'a, bool>;
    /// Removes an alias; `false` if there was none.
    fn remove_alias<'a>(&'a self, alias: &'a SipAddress) -> KamailioResult<'a, bool>;
    /// Every subscriber with its `ha1`.
    fn subscribers(&self) -> KamailioResult<'_, Vec<(SipAddress, String)>>;
    /// Every alias row, `(alias, destination)`.
    fn aliases(&self) -> KamailioResult<'_, Vec<(SipAddress, SipAddress)>>;
    /// The `ha1` Kamailio should hold for `address` with `password`.
    fn ha1(&self, address: &SipAddress, password: &str) -> String;
}

/// Why a Hermes operation did not happen: a malformed request (`invalid`, its cause the
/// parameter), or one of the seed's `failed` causes.
#[derive(Debug, thiserror::Error)]
pub enum SipError {
    /// `invalid`: a parameter the rules refuse, though it parsed.
    #[error("{detail}")]
    Invalid {
        /// The parameter.
        cause: &'static str,
        /// Why.
        detail: String,
    },
    /// `nonexistant` (sic).
    #[error("{0}")]
    NonExistent(String),
    /// `exists`.
    #[error("{0}")]
    Exists(String),
    /// `inuse`.
    #[error("{0}")]
    InUse(String),
    /// `nxdomain`: not a domain Kamailio serves.
    #[error("{0}")]
    NxDomain(String),
    /// `localdomain`: a remote user on a domain Kamailio serves.
    #[error("{0}")]
    LocalDomain(String),
    /// `remote`: what only local users support.
    #[error("{0}")]
    Remote(String),
    /// `dbfail`: Kamailio's database or the store refused.
    #[error("{0}")]
    DbFail(String),
    /// Steward's own store failed (Hermes' `dbfail` too).
    #[error(transparent)]
    Store(crate::Unavailable),
}

impl From<KamailioFailure> for SipError {
    fn from(failure: KamailioFailure) -> Self {
        Self::DbFail(format!("Kamailio's database: {failure}"))
    }
}

crate::store_failures_are_unavailable!(SipError);

/// The SIP service: users, phones, numbers and aliases (methods in each file).
pub struct Sip {
    store: Store,
    kamailio: Option<Arc<dyn KamailioTables>>,
    /// The most numbers one `numbers/add_range` adds (`faces.hermes.max_range`).
    max_range: u64,
}

impl Sip {
    pub(crate) fn new(store: Store, kamailio: Option<Arc<dyn KamailioTables>>, max_range: u64) -> Self {
        Self { store, kamailio, max_range }
    }

    fn kamailio(&self) -> Result<&dyn KamailioTables, SipError> {
        self.kamailio.as_deref().ok_or_else(|| {
            SipError::DbFail("Kamailio's database is not configured (faces.hermes.kamailio_database_url)".to_owned())
        })
    }

}
