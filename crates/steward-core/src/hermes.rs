//! Hermes' rules for SIP users: local users are Kamailio subscribers, written to
//! Kamailio's own tables during the request, so a success means a phone can register at
//! once; remote users are kept for phone provisioning only. Steward's rows and Kamailio's
//! never disagree after a node answers: Kamailio is written either before Steward's
//! transaction and undone if that then fails (users), or as the last statement before its
//! commit, one short statement under the lock, with the commit's failure undone the same
//! way (aliases). What a crash between the two leaves, `steward hermes sync` repairs.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::json;
use steward_model::E164;
use steward_model::sip::{Dialplan, DisplayName, Glob, LineText, MacAddress, ProvisionedUser, SipAddress, SipDomain, SipPassword, SipUserKind};

use crate::{Actor, Store, StoreError, audit, now};

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
pub enum HermesError {
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
}

impl From<KamailioFailure> for HermesError {
    fn from(failure: KamailioFailure) -> Self {
        Self::DbFail(format!("Kamailio's database: {failure}"))
    }
}

impl From<StoreError> for HermesError {
    fn from(error: StoreError) -> Self {
        Self::DbFail(format!("Steward's store: {error}"))
    }
}

/// A local user to add (`user/add_local`).
#[derive(Debug, Clone)]
pub struct NewLocalUser {
    /// `username@domain`.
    pub address: SipAddress,
    /// Display name.
    pub displayname: DisplayName,
    /// E-mail.
    pub email: steward_model::Email,
    /// Dial plan, `(.*)` when not given.
    pub dialplan: Option<Dialplan>,
    /// Line text, the user name when not given.
    pub linetext: Option<LineText>,
}

/// A remote user to add (`user/add_remote`).
#[derive(Debug, Clone)]
pub struct NewRemoteUser {
    /// `username@domain`, at the foreign registrar.
    pub address: SipAddress,
    /// Its password there.
    pub password: SipPassword,
    /// Display name.
    pub displayname: DisplayName,
    /// The registrar host.
    pub registrar: SipDomain,
    /// Its port, 5060 when not given.
    pub r_port: Option<steward_model::sip::Port>,
    /// The proxy host, the registrar when not given.
    pub proxy: Option<SipDomain>,
    /// Its port, 5060 when not given.
    pub p_port: Option<steward_model::sip::Port>,
    /// The digest user, the user name when not given.
    pub authid: Option<steward_model::sip::SipUser>,
    /// Dial plan.
    pub dialplan: Option<Dialplan>,
    /// Line text.
    pub linetext: Option<LineText>,
}

/// What `user/update` changes (at least one).
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    /// New display name.
    pub displayname: Option<DisplayName>,
    /// New dial plan.
    pub dialplan: Option<Dialplan>,
    /// New line text.
    pub linetext: Option<LineText>,
}

const DEFAULT_DIALPLAN: &str = "(.*)";
/// The shortest password `user/change_pw` takes (Steward's choice; add_remote takes the
/// foreign registrar's as it is).
const MIN_NEW_PASSWORD: usize = 8;
const SIP_PORT: u16 = 5060;

/// Letters and digits without the ones people misread (`0 O o 1 l I`).
const PASSWORD_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

/// A new SIP password: 12 characters from [`PASSWORD_ALPHABET`], at least one upper-case
/// letter, one lower-case letter and one digit, from the thread's CSPRNG.
pub fn generate_password() -> SipPassword {
    loop {
        let mut bytes = [0u8; 12];
        rand::fill(&mut bytes);
        // 256 is not a multiple of the alphabet: drop the bytes that would bias it.
        let limit = u8::try_from(256 - 256 % PASSWORD_ALPHABET.len()).unwrap_or(u8::MAX);
        if bytes.iter().any(|byte| *byte >= limit) {
            continue;
        }
        let text: String = bytes
            .iter()
            .filter_map(|byte| PASSWORD_ALPHABET.get(usize::from(*byte) % PASSWORD_ALPHABET.len()).copied().map(char::from))
            .collect();
        let mixed = text.bytes().any(|byte| byte.is_ascii_uppercase())
            && text.bytes().any(|byte| byte.is_ascii_lowercase())
            && text.bytes().any(|byte| byte.is_ascii_digit());
        if mixed && let Ok(password) = SipPassword::parse(&text) {
            return password;
        }
    }
}

/// The provisioned form of a new local user, with its generated password.
fn local_user(new: NewLocalUser) -> (ProvisionedUser, SipPassword) {
    let password = generate_password();
    let address = new.address;
    let user = ProvisionedUser {
        kind: SipUserKind::Local,
        displayname: new.displayname.as_str().to_owned(),
        email: Some(new.email.as_str().to_owned()),
        password: password.expose().to_owned(),
        authid: address.user.as_str().to_owned(),
        registrar: address.domain.as_str().to_owned(),
        r_port: SIP_PORT,
        proxy: address.domain.as_str().to_owned(),
        p_port: SIP_PORT,
        dialplan: new.dialplan.map_or_else(|| DEFAULT_DIALPLAN.to_owned(), |dialplan| dialplan.as_str().to_owned()),
        linetext: new.linetext.map_or_else(|| address.user.as_str().to_owned(), |linetext| linetext.as_str().to_owned()),
        account: None,
        address,
    };
    (user, password)
}

/// Hermes' user service.
pub struct Hermes {
    store: Store,
    kamailio: Option<Arc<dyn KamailioTables>>,
    /// The most numbers one `numbers/add_range` adds (`faces.hermes.max_range`).
    max_range: u64,
}

impl Hermes {
    pub(crate) fn new(store: Store, kamailio: Option<Arc<dyn KamailioTables>>, max_range: u64) -> Self {
        Self { store, kamailio, max_range }
    }

    fn kamailio(&self) -> Result<&dyn KamailioTables, HermesError> {
        self.kamailio.as_deref().ok_or_else(|| {
            HermesError::DbFail("Kamailio's database is not configured (faces.hermes.kamailio_database_url)".to_owned())
        })
    }

    /// The provisioned user at `address`.
    pub async fn user(&self, address: &SipAddress) -> Result<ProvisionedUser, HermesError> {
        self.store.sip_user(address).await?.ok_or_else(|| HermesError::NonExistent(format!("User {address} does not exist")))
    }

    /// Every provisioned user matching `search`, by domain then user name.
    pub async fn users(&self, search: Option<&steward_model::sip::Glob>) -> Result<Vec<SipAddress>, HermesError> {
        Ok(self.store.sip_user_addresses(search).await?)
    }

    /// Adds a local user: a Kamailio subscriber with a generated password.
    pub async fn add_local(&self, actor: &Actor, new: NewLocalUser) -> Result<ProvisionedUser, HermesError> {
        let kamailio = self.kamailio()?;
        let address = new.address;
        if !kamailio.serves(&address.domain).await? {
            return Err(HermesError::NxDomain(format!("{} is not a domain served here", address.domain)));
        }
        if self.store.sip_user(&address).await?.is_some() || kamailio.has_subscriber(&address).await? {
            return Err(HermesError::Exists(format!("User {address} already exists")));
        }
        let (mut user, password) = local_user(NewLocalUser { address, ..new });
        // The one identity: a Steward account with this e-mail owns the SIP user.
        if let Some(email) = &user.email {
            user.account = self.store.account_with_email(email).await?;
        }
        if let Err(failure) = kamailio.add_subscribers(&[(user.address.clone(), password.clone())]).await {
            // Two requests at once: Kamailio's unique key refused the second.
            if kamailio.has_subscriber(&user.address).await.unwrap_or(false) {
                return Err(HermesError::Exists(format!("User {} already exists", user.address)));
            }
            return Err(failure.into());
        }
        let recorded = async {
            let at = now();
            let write = self.store.write().await?;
            write.insert_sip_user(&user, at).await?;
            write.audit(audit::entry(actor, "hermes.user.add_local", &user.address.to_string(), json!({})), at).await?;
            write.commit().await
        }
        .await;
        if let Err(error) = recorded {
            self.undo_subscriber(kamailio, &user.address).await;
            return Err(match error {
                StoreError::Conflict(_) => HermesError::Exists(format!("User {} already exists", user.address)),
                other => other.into(),
            });
        }
        Ok(user)
    }

    /// Adds many local users at once, all or none: one Kamailio transaction of multi-row
    /// inserts, then one of Steward's. The same checks as [`Self::add_local`], each made
    /// once for the whole batch.
    pub async fn add_local_many(&self, actor: &Actor, new: Vec<NewLocalUser>) -> Result<Vec<ProvisionedUser>, HermesError> {
        use std::collections::HashSet;
        let kamailio = self.kamailio()?;
        let domains: HashSet<&SipDomain> = new.iter().map(|user| &user.address.domain).collect();
        for domain in domains {
            if !kamailio.serves(domain).await? {
                return Err(HermesError::NxDomain(format!("{domain} is not a domain served here")));
            }
        }
        let mut seen = HashSet::new();
        if let Some(twice) = new.iter().find(|user| !seen.insert(&user.address)) {
            return Err(HermesError::Exists(format!("User {} is given twice", twice.address)));
        }
        let taken: HashSet<SipAddress> = kamailio
            .subscribers()
            .await?
            .into_iter()
            .map(|(address, _)| address)
            .chain(self.store.sip_user_addresses(None).await?)
            .collect();
        if let Some(existing) = new.iter().find(|user| taken.contains(&user.address)) {
            return Err(HermesError::Exists(format!("User {} already exists", existing.address)));
        }
        let owners = self.store.accounts_by_email().await?;
        let (users, accounts): (Vec<ProvisionedUser>, Vec<(SipAddress, SipPassword)>) = new
            .into_iter()
            .map(|new| {
                let (mut user, password) = local_user(new);
                user.account = user.email.as_ref().and_then(|email| owners.get(&email.to_lowercase()).copied());
                let address = user.address.clone();
                (user, (address, password))
            })
            .unzip();
        kamailio.add_subscribers(&accounts).await?;
        let recorded = async {
            let at = now();
            let write = self.store.write().await?;
            write.insert_sip_users(&users, at).await?;
            write.audit(audit::entry(actor, "hermes.user.import", "local", json!({ "users": users.len() })), at).await?;
            write.commit().await
        }
        .await;
        if let Err(error) = recorded {
            for (address, _) in &accounts {
                self.undo_subscriber(kamailio, address).await;
            }
            return Err(error.into());
        }
        Ok(users)
    }

    /// Takes back a subscriber this request added, after Steward's own write failed.
    async fn undo_subscriber(&self, kamailio: &dyn KamailioTables, address: &SipAddress) {
        if let Err(failure) = kamailio.remove_subscriber(address).await {
            tracing::error!(%address, %failure, "a subscriber added for a failed request could not be removed; `steward hermes sync` will");
        }
    }

    /// Adds a remote user (nothing is written to Kamailio).
    pub async fn add_remote(&self, actor: &Actor, new: NewRemoteUser) -> Result<ProvisionedUser, HermesError> {
        if let Some(kamailio) = &self.kamailio
            && kamailio.serves(&new.address.domain).await?
        {
            return Err(HermesError::LocalDomain(format!("{} is served here: use add_local", new.address.domain)));
        }
        let address = new.address;
        let registrar = new.registrar.as_str().to_owned();
        let user = ProvisionedUser {
            kind: SipUserKind::Remote,
            displayname: new.displayname.as_str().to_owned(),
            email: None,
            password: new.password.expose().to_owned(),
            authid: new.authid.map_or_else(|| address.user.as_str().to_owned(), |authid| authid.as_str().to_owned()),
            r_port: new.r_port.map_or(SIP_PORT, steward_model::sip::Port::get),
            proxy: new.proxy.map_or_else(|| registrar.clone(), |proxy| proxy.as_str().to_owned()),
            p_port: new.p_port.map_or(SIP_PORT, steward_model::sip::Port::get),
            registrar,
            dialplan: new.dialplan.map_or_else(|| DEFAULT_DIALPLAN.to_owned(), |dialplan| dialplan.as_str().to_owned()),
            linetext: new.linetext.map_or_else(|| address.user.as_str().to_owned(), |linetext| linetext.as_str().to_owned()),
            account: None,
            address,
        };
        let at = now();
        let write = self.store.write().await?;
        if write.sip_user(&user.address).await?.is_some() {
            return Err(HermesError::Exists(format!("User {} already exists", user.address)));
        }
        write.insert_sip_user(&user, at).await.map_err(|error| match error {
            StoreError::Conflict(_) => HermesError::Exists(format!("User {} already exists", user.address)),
            other => other.into(),
        })?;
        write.audit(audit::entry(actor, "hermes.user.add_remote", &user.address.to_string(), json!({})), at).await?;
        write.commit().await?;
        Ok(user)
    }

    /// Removes a user without phones, its Kamailio subscriber if any, and the aliases to it;
    /// returns those aliases.
    pub async fn remove(&self, actor: &Actor, address: &SipAddress) -> Result<Vec<SipAddress>, HermesError> {
        let user = self.store.sip_user(address).await?;
        let kamailio = match user.as_ref().map(|user| user.kind) {
            Some(SipUserKind::Remote) => None,
            // A subscriber made with kamctl, unknown to Steward, is removable too.
            None | Some(SipUserKind::Local) => self.kamailio.as_deref(),
        };
        let in_kamailio = match kamailio {
            Some(kamailio) => kamailio.has_subscriber(address).await?,
            None => false,
        };
        if user.is_none() && !in_kamailio {
            return Err(HermesError::NonExistent(format!("User {address} does not exist")));
        }
        let phones = self.store.sip_phone_count(address).await?;
        if phones > 0 {
            return Err(HermesError::InUse(format!("User has {phones} associated phone(s); remove them first")));
        }
        let mut aliases = Vec::new();
        if in_kamailio && let Some(kamailio) = kamailio {
            aliases = kamailio.remove_subscriber(address).await?.1;
        }
        let recorded = async {
            let at = now();
            let write = self.store.write().await?;
            // A phone added since the check above keeps the user: nothing goes.
            let phones = write.sip_phone_count(address).await?;
            if phones > 0 {
                return Ok(Err(HermesError::InUse(format!("User has {phones} associated phone(s); remove them first"))));
            }
            let ours = write.delete_sip_aliases_to(address).await?;
            write.delete_sip_user(address).await?;
            write.audit(audit::entry(actor, "hermes.user.remove", &address.to_string(), json!({ "removed_aliases": ours.len() })), at).await?;
            write.commit().await?;
            Ok::<_, StoreError>(Ok(ours))
        }
        .await;
        match recorded {
            Ok(Ok(ours)) => {
                aliases.extend(ours);
                aliases.sort();
                aliases.dedup();
                Ok(aliases)
            }
            Ok(Err(refusal)) => {
                self.restore_subscriber(kamailio, user.as_ref(), &aliases).await;
                Err(refusal)
            }
            Err(error) => {
                self.restore_subscriber(kamailio, user.as_ref(), &aliases).await;
                Err(error.into())
            }
        }
    }

    /// Puts back a subscriber (and its aliases) this request removed, after Steward's own
    /// write failed. Only a provisioned user's password is known; anything else is left
    /// to `steward hermes sync`.
    async fn restore_subscriber(&self, kamailio: Option<&dyn KamailioTables>, user: Option<&ProvisionedUser>, aliases: &[SipAddress]) {
        let (Some(kamailio), Some(user)) = (kamailio, user) else {
            return;
        };
        let restored = match SipPassword::parse(&user.password) {
            Ok(password) => kamailio.add_subscribers(&[(user.address.clone(), password)]).await,
            Err(error) => Err(KamailioFailure(error.to_string())),
        };
        if let Err(failure) = restored {
            tracing::error!(address = %user.address, %failure, "a subscriber removed for a failed request could not be put back; `steward hermes sync` will");
        }
        if !aliases.is_empty() {
            tracing::error!(address = %user.address, aliases = aliases.len(), "aliases removed for a failed request are left to `steward hermes sync`");
        }
    }

    /// Sets a user's password: Kamailio's digests too for a local user, the stored foreign
    /// secret only for a remote one.
    pub async fn change_password(&self, actor: &Actor, address: &SipAddress, password: &SipPassword) -> Result<ProvisionedUser, HermesError> {
        if password.expose().len() < MIN_NEW_PASSWORD {
            return Err(HermesError::Invalid { cause: "password", detail: format!("A new password needs at least {MIN_NEW_PASSWORD} characters") });
        }
        let mut user = self.user(address).await?;
        let previous = std::mem::replace(&mut user.password, password.expose().to_owned());
        let kamailio = if user.kind == SipUserKind::Local { Some(self.kamailio()?) } else { None };
        if let Some(kamailio) = kamailio
            && !kamailio.set_password(address, password).await?
        {
            return Err(HermesError::NonExistent(format!("User {address} has no Kamailio subscriber; `steward hermes sync` repairs it")));
        }
        let recorded = async {
            let at = now();
            let write = self.store.write().await?;
            write.update_sip_user(&user, at).await?;
            write.audit(audit::entry(actor, "hermes.user.change_pw", &address.to_string(), json!({})), at).await?;
            write.commit().await
        }
        .await;
        if let Err(error) = recorded {
            if let (Some(kamailio), Ok(previous)) = (kamailio, SipPassword::parse(&previous))
                && let Err(failure) = kamailio.set_password(address, &previous).await
            {
                tracing::error!(%address, %failure, "a password changed for a failed request could not be put back; `steward hermes sync` will");
            }
            return Err(error.into());
        }
        Ok(user)
    }

    /// Changes a local user's display name, dial plan or line text.
    pub async fn update(&self, actor: &Actor, address: &SipAddress, changes: UserChanges) -> Result<ProvisionedUser, HermesError> {
        let mut user = self.user(address).await?;
        if user.kind == SipUserKind::Remote {
            return Err(HermesError::Remote("Remote users cannot be updated; remove and re-add them".to_owned()));
        }
        if let Some(displayname) = changes.displayname {
            user.displayname = displayname.as_str().to_owned();
        }
        if let Some(dialplan) = changes.dialplan {
            user.dialplan = dialplan.as_str().to_owned();
        }
        if let Some(linetext) = changes.linetext {
            user.linetext = linetext.as_str().to_owned();
        }
        let at = now();
        let write = self.store.write().await?;
        write.update_sip_user(&user, at).await?;
        write.audit(audit::entry(actor, "hermes.user.update", &address.to_string(), json!({})), at).await?;
        write.commit().await?;
        Ok(user)
    }
}

impl Hermes {
    /// The users on the phone `mac`; none is `nonexistant`.
    pub async fn phone_users(&self, mac: &MacAddress) -> Result<Vec<SipAddress>, HermesError> {
        let users = self.store.sip_phone_users(mac).await?;
        if users.is_empty() {
            return Err(HermesError::NonExistent(format!("No phone {mac} is registered")));
        }
        Ok(users)
    }

    /// The phones carrying the user at `address` (which must exist).
    pub async fn user_phones(&self, address: &SipAddress) -> Result<Vec<MacAddress>, HermesError> {
        self.user(address).await?;
        Ok(self.store.sip_user_phones(address).await?)
    }

    /// Every phone with a user, matching `search` over its twelve digits.
    pub async fn phones(&self, search: Option<&Glob>) -> Result<Vec<MacAddress>, HermesError> {
        // A MAC search ignores the colons of the paired form and case.
        let search = search.map(|glob| glob.map_literals(|character| (character != ':').then(|| character.to_ascii_lowercase())));
        Ok(self.store.sip_phone_macs(search.as_ref()).await?)
    }

    /// Puts the user at `address` (local or remote) on the phone `mac`.
    pub async fn add_phone(&self, actor: &Actor, mac: &MacAddress, address: &SipAddress) -> Result<(), HermesError> {
        let at = now();
        let write = self.store.write().await?;
        let added = write.insert_sip_phone(mac, address, at).await.map_err(|error| match error {
            StoreError::Conflict(_) => HermesError::Exists(format!("{address} is already on phone {mac}")),
            other => other.into(),
        })?;
        if !added {
            return Err(HermesError::NonExistent(format!("{address} must match a valid user registration")));
        }
        write.audit(audit::entry(actor, "hermes.phone.add", mac.as_str(), json!({ "user": address.to_string() })), at).await?;
        write.commit().await?;
        Ok(())
    }

    /// Takes the user at `address` off the phone `mac`.
    pub async fn remove_phone(&self, actor: &Actor, mac: &MacAddress, address: &SipAddress) -> Result<(), HermesError> {
        let at = now();
        let write = self.store.write().await?;
        if !write.delete_sip_phone(mac, address).await? {
            return Err(HermesError::NonExistent(format!("{address} is not on phone {mac}")));
        }
        write.audit(audit::entry(actor, "hermes.phone.remove", mac.as_str(), json!({ "user": address.to_string() })), at).await?;
        write.commit().await?;
        Ok(())
    }
}

/// Why a range of numbers is refused (Hermes' `invalid`/`range`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RangeError(pub String);

/// What `numbers/add_range` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeAdded {
    /// Numbers now in the pool that were not.
    pub added: u64,
    /// Numbers already pooled or used as aliases.
    pub skipped: u64,
}

/// The numbers from `start` to `end` inclusive, checked as the seed asks: the same lead-in
/// (the first two digits after `+`), start before end, at most `max` of them.
pub fn number_range(start: &E164, end: &E164, max: u64) -> Result<Vec<E164>, RangeError> {
    let digits = |number: &E164| number.as_str().trim_start_matches('+').to_owned();
    let (first, last) = (digits(start), digits(end));
    let lead = |text: &str| text.get(..2).unwrap_or(text).to_owned();
    if lead(&first) != lead(&last) {
        return Err(RangeError(format!("start and end must share the lead-in +{}", lead(&first))));
    }
    let (Ok(low), Ok(high)) = (first.parse::<u64>(), last.parse::<u64>()) else {
        return Err(RangeError("start and end must be numbers".to_owned()));
    };
    if low >= high {
        return Err(RangeError("start must be below end".to_owned()));
    }
    let count = high - low + 1;
    if count > max {
        return Err(RangeError(format!("Range of {count} numbers exceeds the maximum of {max}")));
    }
    (low..=high)
        .map(|number| E164::parse(&format!("+{number}")).map_err(|error| RangeError(error.to_string())))
        .collect()
}

impl Hermes {
    /// The pool's numbers matching `search`, ascending, or shuffled with `random`, at most
    /// `limit`.
    pub async fn numbers(&self, search: Option<&Glob>, random: bool, limit: Option<usize>) -> Result<Vec<E164>, HermesError> {
        let mut numbers = self.store.sip_numbers(search).await?;
        if random {
            use rand::seq::SliceRandom;
            numbers.shuffle(&mut rand::rng());
        }
        if let Some(limit) = limit {
            numbers.truncate(limit);
        }
        Ok(numbers)
    }

    /// Whether `number` is in the pool.
    pub async fn in_pool(&self, number: &E164) -> Result<(), HermesError> {
        if self.store.sip_number_in_pool(number).await? {
            Ok(())
        } else {
            Err(HermesError::NonExistent(format!("{number} is not in the pool")))
        }
    }

    /// Adds `number` to the pool.
    pub async fn add_number(&self, actor: &Actor, number: &E164) -> Result<(), HermesError> {
        let at = now();
        let write = self.store.write().await?;
        if write.sip_number_aliased(number).await? {
            return Err(HermesError::InUse(format!("{number} is in use as an alias")));
        }
        if !write.insert_sip_number(number).await? {
            return Err(HermesError::Exists(format!("{number} is already in the pool")));
        }
        write.audit(audit::entry(actor, "hermes.numbers.add", number.as_str(), json!({})), at).await?;
        write.commit().await?;
        Ok(())
    }

    /// Takes `number` out of the pool (how a client allocates it).
    pub async fn remove_number(&self, actor: &Actor, number: &E164) -> Result<(), HermesError> {
        let at = now();
        let write = self.store.write().await?;
        if !write.delete_sip_number(number).await? {
            return Err(HermesError::NonExistent(format!("{number} is not in the pool")));
        }
        write.audit(audit::entry(actor, "hermes.numbers.remove", number.as_str(), json!({})), at).await?;
        write.commit().await?;
        Ok(())
    }

    /// Adds every number from `start` to `end`, in one transaction, skipping those already
    /// pooled or used as aliases.
    pub async fn add_range(&self, actor: &Actor, start: &E164, end: &E164) -> Result<Result<RangeAdded, RangeError>, HermesError> {
        let numbers = match number_range(start, end, self.max_range) {
            Ok(numbers) => numbers,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let aliased = self.store.sip_aliased_numbers().await?;
        let free: Vec<E164> = numbers.iter().filter(|number| !aliased.contains(number.as_str())).cloned().collect();
        let at = now();
        let write = self.store.write().await?;
        let added = write.insert_sip_numbers(&free).await?;
        let total = u64::try_from(numbers.len()).unwrap_or(u64::MAX);
        write
            .audit(audit::entry(actor, "hermes.numbers.add_range", &format!("{start}..{end}"), json!({ "added": added })), at)
            .await?;
        write.commit().await?;
        Ok(Ok(RangeAdded { added, skipped: total - added }))
    }
}

/// Whether an alias's user part is an E.164 number (a DID).
fn is_e164(address: &SipAddress) -> bool {
    E164::parse(address.user.as_str()).is_ok()
}

impl Hermes {
    /// Every alias matching `search`, by alias.
    pub async fn aliases(&self, search: Option<&Glob>) -> Result<Vec<steward_store::hermes::SipAliasRow>, HermesError> {
        Ok(self.store.sip_aliases(search).await?)
    }

    /// The aliases leading to `destination` (E.164 ones only with `e164_only`).
    pub async fn aliases_of(&self, destination: &SipAddress, e164_only: bool) -> Result<Vec<SipAddress>, HermesError> {
        let mut aliases = self.store.sip_aliases_to(destination).await?;
        if e164_only {
            aliases.retain(is_e164);
        }
        Ok(aliases)
    }

    /// Adds `alias` → `destination` in Steward and in Kamailio's `dbaliases`; an E.164
    /// alias still in the pool leaves it, so a number is never both free and assigned.
    pub async fn add_alias(&self, actor: &Actor, alias: &SipAddress, destination: &SipAddress) -> Result<(), HermesError> {
        let kamailio = self.kamailio()?;
        if !kamailio.serves(&alias.domain).await? {
            return Err(HermesError::NxDomain(format!("{} is not a domain served here", alias.domain)));
        }
        if kamailio.serves(&destination.domain).await? && !kamailio.has_subscriber(destination).await? {
            return Err(HermesError::NonExistent(format!("{destination} is not a SIP account here")));
        }
        if kamailio.has_subscriber(alias).await? || self.store.sip_user(alias).await?.is_some() {
            return Err(HermesError::Exists(format!("{alias} is a SIP account")));
        }
        let at = now();
        let write = self.store.write().await?;
        if write.sip_alias(alias).await?.is_some() {
            return Err(HermesError::Exists(format!("{alias} is already an alias")));
        }
        if is_e164(alias) && write.sip_aliases_to(destination).await?.iter().any(is_e164) {
            return Err(HermesError::Exists(format!("{destination} already has an E.164 alias (one per user)")));
        }
        if let Ok(number) = E164::parse(alias.user.as_str()) {
            write.delete_sip_number(&number).await?;
        }
        write.insert_sip_alias(alias, destination, at).await.map_err(|error| match error {
            StoreError::Conflict(_) => HermesError::Exists(format!("{alias} is already an alias")),
            other => other.into(),
        })?;
        write
            .audit(audit::entry(actor, "hermes.alias.add", &alias.to_string(), json!({ "destination": destination.to_string() })), at)
            .await?;
        // Kamailio last, just before the commit: one short statement under the lock, and
        // if it refuses nothing of Steward's goes.
        kamailio.add_alias(alias, destination).await?;
        if let Err(error) = write.commit().await {
            if let Err(failure) = kamailio.remove_alias(alias).await {
                tracing::error!(%alias, %failure, "an alias added for a failed request could not be removed; `steward hermes sync` will");
            }
            return Err(error.into());
        }
        Ok(())
    }

    /// Removes `alias` from Steward and from Kamailio; the number does not return to the
    /// pool (the client's `numbers/add` does that).
    pub async fn remove_alias(&self, actor: &Actor, alias: &SipAddress) -> Result<(), HermesError> {
        let kamailio = self.kamailio()?;
        let at = now();
        let write = self.store.write().await?;
        let Some(row) = write.sip_alias(alias).await? else {
            return Err(HermesError::NonExistent(format!("{alias} is not an alias")));
        };
        write.delete_sip_alias(alias).await?;
        write.audit(audit::entry(actor, "hermes.alias.remove", &alias.to_string(), json!({})), at).await?;
        kamailio.remove_alias(alias).await?;
        if let Err(error) = write.commit().await {
            if let Err(failure) = kamailio.add_alias(alias, &row.destination).await {
                tracing::error!(%alias, %failure, "an alias removed for a failed request could not be put back; `steward hermes sync` will");
            }
            return Err(error.into());
        }
        Ok(())
    }
}

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

impl Hermes {
    /// Compares Steward's users and aliases with Kamailio's tables and, unless `dry_run`,
    /// makes Kamailio match Steward. Running it twice changes nothing the second time.
    pub async fn sync(&self, actor: &Actor, dry_run: bool) -> Result<SyncReport, HermesError> {
        use std::collections::{HashMap, HashSet};
        let kamailio = self.kamailio()?;
        let mut report = SyncReport::default();
        let subscribers: HashMap<SipAddress, String> = kamailio.subscribers().await?.into_iter().collect();
        let users = self.store.sip_local_users().await?;
        let provisioned: HashSet<&SipAddress> = users.iter().map(|user| &user.address).collect();
        for user in &users {
            let password = SipPassword::parse(&user.password).map_err(|error| HermesError::DbFail(format!("{}: {error}", user.address)))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_share_their_lead_in_and_stay_small() {
        let number = |text: &str| E164::parse(text).unwrap();
        let range = number_range(&number("+4761123400"), &number("+4761123409"), 10_000).unwrap();
        assert_eq!(range.len(), 10, "the end is included");
        assert_eq!((range[0].as_str(), range[9].as_str()), ("+4761123400", "+4761123409"));
        assert!(number_range(&number("+4761123400"), &number("+4661123409"), 10_000).unwrap_err().0.contains("lead-in +47"));
        assert!(number_range(&number("+4761123409"), &number("+4761123400"), 10_000).is_err());
        assert!(number_range(&number("+4761123400"), &number("+4761123400"), 10_000).is_err());
        let big = number_range(&number("+471234"), &number("+47123456"), 10_000).unwrap_err();
        assert_eq!(big.0, "Range of 46652223 numbers exceeds the maximum of 10000");
    }

    #[test]
    fn generated_passwords_mix_cases_and_digits_and_avoid_look_alikes() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let password = generate_password();
            let text = password.expose();
            assert_eq!(text.len(), 12);
            assert!(text.bytes().any(|b| b.is_ascii_uppercase()) && text.bytes().any(|b| b.is_ascii_lowercase()) && text.bytes().any(|b| b.is_ascii_digit()), "{text}");
            assert!(!text.contains(['0', 'O', 'o', '1', 'l', 'I']), "{text}");
            seen.insert(text.to_owned());
        }
        assert_eq!(seen.len(), 200, "no repeats");
    }
}
