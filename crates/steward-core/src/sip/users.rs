//! SIP users: local users are Kamailio subscribers, written to Kamailio's tables before
//! Steward's transaction and taken back if that fails; remote users are kept for phone
//! provisioning only.

use serde_json::json;
use steward_model::sip::{Dialplan, DisplayName, LineText, ProvisionedUser, SipAddress, SipDomain, SipPassword, SipUserKind};

use super::{KamailioFailure, KamailioTables, Sip, SipError};
use crate::{Actor, StoreError, audit, now};

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

impl Sip {
    /// The provisioned user at `address`.
    pub async fn user(&self, address: &SipAddress) -> Result<ProvisionedUser, SipError> {
        self.store.sip_user(address).await?.ok_or_else(|| SipError::NonExistent(format!("User {address} does not exist")))
    }

    /// Every provisioned user matching `search`, by domain then user name.
    pub async fn users(&self, search: Option<&steward_model::sip::Glob>) -> Result<Vec<SipAddress>, SipError> {
        Ok(self.store.sip_user_addresses(search).await?)
    }

    /// Adds a local user: a Kamailio subscriber with a generated password.
    #[tracing::instrument(skip_all, fields(address = %new.address))]
    pub async fn add_local(&self, actor: &Actor, new: NewLocalUser) -> Result<ProvisionedUser, SipError> {
        let kamailio = self.kamailio()?;
        let address = new.address;
        if !kamailio.serves(&address.domain).await? {
            return Err(SipError::NxDomain(format!("{} is not a domain served here", address.domain)));
        }
        if self.store.sip_user(&address).await?.is_some() || kamailio.has_subscriber(&address).await? {
            return Err(SipError::Exists(format!("User {address} already exists")));
        }
        let (mut user, password) = local_user(NewLocalUser { address, ..new });
        // The one identity: a Steward account with this e-mail owns the SIP user.
        if let Some(email) = &user.email {
            user.account = self.store.account_with_email(email).await?;
        }
        if let Err(failure) = kamailio.add_subscribers(&[(user.address.clone(), password.clone())]).await {
            // Two requests at once: Kamailio's unique key refused the second.
            if kamailio.has_subscriber(&user.address).await.unwrap_or(false) {
                return Err(SipError::Exists(format!("User {} already exists", user.address)));
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
                StoreError::Conflict(_) => SipError::Exists(format!("User {} already exists", user.address)),
                other => other.into(),
            });
        }
        Ok(user)
    }

    /// Adds many local users at once, all or none: one Kamailio transaction of multi-row
    /// inserts, then one of Steward's. The same checks as [`Self::add_local`], each made
    /// once for the whole batch.
    #[tracing::instrument(skip_all, fields(count = new.len()))]
    pub async fn add_local_many(&self, actor: &Actor, new: Vec<NewLocalUser>) -> Result<Vec<ProvisionedUser>, SipError> {
        use std::collections::HashSet;
        let kamailio = self.kamailio()?;
        let domains: HashSet<&SipDomain> = new.iter().map(|user| &user.address.domain).collect();
        for domain in domains {
            if !kamailio.serves(domain).await? {
                return Err(SipError::NxDomain(format!("{domain} is not a domain served here")));
            }
        }
        let mut seen = HashSet::new();
        if let Some(twice) = new.iter().find(|user| !seen.insert(&user.address)) {
            return Err(SipError::Exists(format!("User {} is given twice", twice.address)));
        }
        let taken: HashSet<SipAddress> = kamailio
            .subscribers()
            .await?
            .into_iter()
            .map(|(address, _)| address)
            .chain(self.store.sip_user_addresses(None).await?)
            .collect();
        if let Some(existing) = new.iter().find(|user| taken.contains(&user.address)) {
            return Err(SipError::Exists(format!("User {} already exists", existing.address)));
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
    #[tracing::instrument(skip_all, fields(address = %new.address))]
    pub async fn add_remote(&self, actor: &Actor, new: NewRemoteUser) -> Result<ProvisionedUser, SipError> {
        if let Some(kamailio) = &self.kamailio
            && kamailio.serves(&new.address.domain).await?
        {
            return Err(SipError::LocalDomain(format!("{} is served here: use add_local", new.address.domain)));
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
            return Err(SipError::Exists(format!("User {} already exists", user.address)));
        }
        write.insert_sip_user(&user, at).await.map_err(|error| match error {
            StoreError::Conflict(_) => SipError::Exists(format!("User {} already exists", user.address)),
            other => other.into(),
        })?;
        write.audit(audit::entry(actor, "hermes.user.add_remote", &user.address.to_string(), json!({})), at).await?;
        write.commit().await?;
        Ok(user)
    }

    /// Removes a user without phones, its Kamailio subscriber if any, and the aliases to it;
    /// returns those aliases.
    #[tracing::instrument(skip_all, fields(address = %address))]
    pub async fn remove(&self, actor: &Actor, address: &SipAddress) -> Result<Vec<SipAddress>, SipError> {
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
            return Err(SipError::NonExistent(format!("User {address} does not exist")));
        }
        let phones = self.store.sip_phone_count(address).await?;
        if phones > 0 {
            return Err(SipError::InUse(format!("User has {phones} associated phone(s); remove them first")));
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
                return Ok(Err(SipError::InUse(format!("User has {phones} associated phone(s); remove them first"))));
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
    #[tracing::instrument(skip_all, fields(address = %address))]
    pub async fn change_password(&self, actor: &Actor, address: &SipAddress, password: &SipPassword) -> Result<ProvisionedUser, SipError> {
        if password.expose().len() < MIN_NEW_PASSWORD {
            return Err(SipError::Invalid { cause: "password", detail: format!("A new password needs at least {MIN_NEW_PASSWORD} characters") });
        }
        let mut user = self.user(address).await?;
        let previous = std::mem::replace(&mut user.password, password.expose().to_owned());
        let kamailio = if user.kind == SipUserKind::Local { Some(self.kamailio()?) } else { None };
        if let Some(kamailio) = kamailio
            && !kamailio.set_password(address, password).await?
        {
            return Err(SipError::NonExistent(format!("User {address} has no Kamailio subscriber; `steward hermes sync` repairs it")));
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
    #[tracing::instrument(skip_all, fields(address = %address))]
    pub async fn update(&self, actor: &Actor, address: &SipAddress, changes: UserChanges) -> Result<ProvisionedUser, SipError> {
        let mut user = self.user(address).await?;
        if user.kind == SipUserKind::Remote {
            return Err(SipError::Remote("Remote users cannot be updated; remove and re-add them".to_owned()));
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

#[cfg(test)]
mod tests {
    use super::*;

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
