//! Janua's two kinds of admin, derived from Steward roles, and what each may see.

use steward_model::{Account, Role};

/// Janua's admin levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Level 1, the super administrator (role `admin`).
    Admin,
    /// Level 2, a supervisor (role `supervisor`).
    Supervisor,
}

impl Level {
    /// The account's Janua level, if it has a Janua role (`admin` wins over `supervisor`).
    pub fn of(account: &Account) -> Option<Self> {
        if account.has_role(Role::ADMIN) {
            Some(Self::Admin)
        } else if account.has_role(Role::SUPERVISOR) {
            Some(Self::Supervisor)
        } else {
            None
        }
    }

    /// The level number of Janua's `ADMIN.level`.
    pub fn number(self) -> u8 {
        match self {
            Self::Admin => 1,
            Self::Supervisor => 2,
        }
    }

    /// Janua's role name (`role` cookie).
    pub fn name(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Supervisor => "supervisor",
        }
    }

    /// Whether statistics and usage cover every sender (the super admin) or only the
    /// caller's own SMS (a supervisor).
    pub fn sees_everyone(self) -> bool {
        self == Self::Admin
    }
}

/// A Janua admin as `/api/ADMIN` shows it (secrets are never part of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JanuaAdmin {
    /// The account id.
    pub id: i64,
    /// The login.
    pub login: String,
    /// Family name (the profile's, else the account's display name).
    pub name: String,
    /// Given name (empty without a profile).
    pub firstname: String,
    /// Phone number.
    pub phone_number: Option<String>,
    /// Mail address.
    pub email: Option<String>,
    /// Janua level.
    pub level: Level,
    /// `<limit> <window>`.
    pub sms_quota: String,
    /// May only message its own contacts.
    pub recipient_filter: bool,
    /// An Android client asked for its configuration.
    pub has_client: bool,
    /// When the quota mail was last sent.
    pub last_quota_reached: Option<time::OffsetDateTime>,
    /// Who checks the password.
    pub auth_backend: steward_model::AuthBackend,
}

impl JanuaAdmin {
    /// Janua's computed `fullname`.
    pub fn fullname(&self) -> String {
        if self.firstname.is_empty() { self.name.clone() } else { format!("{} {}", self.firstname, self.name) }
    }
}

/// What went wrong with Janua admins.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// No such admin visible to the caller.
    #[error("not found")]
    NotFound,
    /// Only the super admin creates and deletes supervisors.
    #[error("405: Method Not Allowed")]
    NotAllowed,
    /// A new admin needs a password (Janua's 405, sic).
    #[error("Password is missing")]
    PasswordMissing,
    /// A required field is missing, or a login, phone or e-mail is taken.
    #[error("{0}")]
    Integrity(String),
    /// The phone number matches none of `sms.prefix_filter`.
    #[error("Phone number prefix not allowed")]
    PrefixNotAllowed,
    /// A value that cannot be right.
    #[error("{0}")]
    Invalid(String),
    /// A supervisor changing what only the super admin may (Janua's 401 with a reason).
    #[error("{0}")]
    Denied(&'static str),
    /// The phone number of an update matches none of `sms.prefix_filter` (Janua's 422).
    #[error("Phone number prefix not allowed")]
    PrefixNotAllowedOnUpdate,
    /// A supervisor tried to delete (Janua's 405 "Not authorized").
    #[error("Not authorized")]
    DeleteNotAllowed,
    /// The welcome mail could not be rendered or queued.
    #[error("{0}")]
    Mail(String),
    /// Hashing the password failed.
    #[error(transparent)]
    Account(#[from] crate::identity::accounts::AccountError),
    /// A client's search names an unknown field.
    #[error("{0}")]
    BadQuery(String),
    /// The quota could not be read.
    #[error(transparent)]
    Accounting(#[from] crate::messaging::sms::SmsError),
    /// The store failed.
    #[error(transparent)]
    Store(crate::Unavailable),
}

impl From<crate::StoreError> for AdminError {
    fn from(error: crate::StoreError) -> Self {
        match error {
            crate::StoreError::BadFilter(filter) => Self::BadQuery(filter.to_string()),
            other => Self::Store(other.into()),
        }
    }
}

/// A supervisor to create, as a client sent it.
#[derive(Debug, Clone, Default)]
pub struct AdminInput {
    /// Login.
    pub login: Option<String>,
    /// Local password (mailed in the welcome mail, stored only as a hash).
    pub password: Option<String>,
    /// Family name.
    pub name: Option<String>,
    /// Given name.
    pub firstname: Option<String>,
    /// Phone number.
    pub phone_number: Option<String>,
    /// Mail address.
    pub email: Option<String>,
    /// `"<n> <D|W|M|Y>"`.
    pub sms_quota: Option<String>,
    /// May only message its own contacts (default true).
    pub recipient_filter: Option<bool>,
    /// `local` (default) or `ldap`.
    pub auth_backend: Option<steward_model::AuthBackend>,
}

/// Changes to an admin, as a client sent them (`None`: not in the body): the fields of a
/// creation, plus the level a client may name.
#[derive(Debug, Clone, Default)]
pub struct AdminUpdate {
    /// The fields a creation takes, each only when sent.
    pub fields: AdminInput,
    /// Level.
    pub level: Option<i64>,
    /// The fingerprint of the token the request came with: an admin changing its own
    /// password keeps that session, while every other one ends.
    pub presented_token: Option<String>,
}

/// Janua's view of admins: the super admin sees every Janua admin, a supervisor itself.
pub struct Admins {
    store: crate::Store,
    accounts: std::sync::Arc<crate::identity::accounts::Accounts>,
    mail: std::sync::Arc<crate::messaging::mail::Mail>,
    /// Each admin's SMS quota.
    sms: std::sync::Arc<crate::messaging::sms::Sms>,
    public_url: String,
    prefix_filter: crate::messaging::prefix_filter::PrefixFilter,
}

fn required(value: Option<String>, field: &str) -> Result<String, AdminError> {
    value.filter(|value| !value.is_empty()).ok_or_else(|| AdminError::Integrity(format!("{field} is required")))
}

impl Admins {
    pub(crate) fn new(
        store: crate::Store,
        accounts: std::sync::Arc<crate::identity::accounts::Accounts>,
        mail: std::sync::Arc<crate::messaging::mail::Mail>,
        sms: std::sync::Arc<crate::messaging::sms::Sms>,
        public_url: String,
        prefix_filter: crate::messaging::prefix_filter::PrefixFilter,
    ) -> Self {
        Self { store, accounts, mail, sms, public_url, prefix_filter }
    }

    /// Whether a caller at `level` may create admins: only the super admin. Faces may ask
    /// before reading a body, as Janua's preprocessor did; [`Self::create`] asks again.
    pub fn authorize_create(level: Level) -> Result<(), AdminError> {
        if level == Level::Admin { Ok(()) } else { Err(AdminError::NotAllowed) }
    }

    /// Creates a supervisor (level 2 whatever was asked: there is one super admin), with its
    /// profile, its quota and the welcome mail carrying its password, in one transaction.
    /// The mail is marked sensitive: its body is erased once delivered.
    #[tracing::instrument(skip_all, fields(by = %caller.id.0))]
    pub async fn create(&self, actor: &crate::Actor, level: Level, caller: &Account, input: AdminInput) -> Result<i64, AdminError> {
        Self::authorize_create(level)?;
        let password = input.password.filter(|password| !password.is_empty()).ok_or(AdminError::PasswordMissing)?;
        let password = steward_model::Password::parse(password).map_err(|error| AdminError::Invalid(error.to_string()))?;
        let login = required(input.login, "login")?;
        let name = required(input.name, "name")?;
        let firstname = required(input.firstname, "firstname")?;
        let phone = required(input.phone_number, "phone_number")?;
        let email = required(input.email, "email")?;
        if !steward_model::sms::recipients::is_recipient_number(&phone) {
            return Err(AdminError::Invalid("Invalid phone number".to_owned()));
        }
        if !self.prefix_filter.allows(&phone) {
            return Err(AdminError::PrefixNotAllowed);
        }
        let phone = steward_model::E164::parse(&phone).map_err(|_| AdminError::Invalid("Invalid phone number".to_owned()))?;
        let email = steward_model::Email::parse(&email).map_err(|_| AdminError::Invalid("Invalid email".to_owned()))?;
        let login = steward_model::Login::parse(&login).map_err(|error| AdminError::Invalid(error.to_string()))?;
        let quota = match input.sms_quota {
            Some(quota) => Some(steward_model::sms::SmsQuota::parse(&quota).map_err(|error| AdminError::Invalid(error.to_string()))?),
            None => None,
        };
        let backend = input.auth_backend.unwrap_or(steward_model::AuthBackend::Local);
        let template = if backend == steward_model::AuthBackend::Ldap { "create_admin_ldap" } else { "create_admin" };
        let arguments: std::collections::BTreeMap<String, String> = [
            ("url".to_owned(), self.public_url.clone()),
            ("phone_number".to_owned(), phone.as_str().to_owned()),
            ("password".to_owned(), password.expose().to_owned()),
        ]
        .into_iter()
        .collect();
        let welcome = self
            .mail
            .render(template, crate::messaging::templates::Language::En, &arguments)
            .await
            .map_err(|error| AdminError::Mail(error.to_string()))?;
        let new = crate::identity::accounts::NewAccount {
            login,
            password: Some(password),
            name: format!("{firstname} {name}"),
            email: Some(email.clone()),
            phone: Some(phone),
            roles: vec![Role::known(Role::SUPERVISOR)],
        };
        let row = self.accounts.prepare(new, backend).await?;
        let at = crate::now();
        let write = self.store.write().await?;
        if write.janua_email_taken(email.as_str()).await? {
            return Err(AdminError::Integrity("a Janua admin already has this e-mail".to_owned()));
        }
        let account = crate::identity::accounts::Accounts::insert_prepared(&write, actor, row, at).await.map_err(|error| match error {
            crate::identity::accounts::AccountError::LoginTaken(_) => AdminError::Integrity("this login is taken".to_owned()),
            crate::identity::accounts::AccountError::PhoneTaken(_) => AdminError::Integrity("this phone number is taken".to_owned()),
            other => AdminError::Account(other),
        })?;
        let profile = steward_store::messaging::admins::NewJanuaProfile {
            firstname,
            last_name: name,
            recipient_filter: input.recipient_filter.unwrap_or(true),
        };
        write.insert_janua_profile(account.id, &profile).await?;
        if let Some(quota) = quota {
            let limit = i64::try_from(quota.limit()).unwrap_or(i64::MAX);
            write.set_quota(account.id, crate::messaging::sms::RESOURCE, limit, Some(quota.window().letter())).await?;
        }
        let reply_to = caller.email.as_deref().and_then(|address| steward_model::Email::parse(address).ok());
        let mail = crate::messaging::mail::NewMail { to: vec![email], subject: welcome.subject, body: welcome.body, reply_to, sensitive: true };
        self.mail.queue_in(&write, mail, at).await.map_err(|error| AdminError::Mail(error.to_string()))?;
        write.commit().await?;
        Ok(account.id.0)
    }

    /// A client's search over the admins `caller` may see.
    pub async fn search(
        &self,
        caller: &Account,
        level: Level,
        search: &steward_model::filter::Search,
        skip: u64,
        page_size: u64,
    ) -> Result<steward_model::Page<JanuaAdmin>, AdminError> {
        let only = if level.sees_everyone() { None } else { Some(caller.id) };
        let page = self.store.search_janua_admins(only, search, skip, page_size).await?;
        let mut rows = Vec::with_capacity(page.rows.len());
        for row in page.rows {
            let quota = self.sms.quota_of(steward_model::AccountId(row.id)).await?;
            // Without a Janua profile (an account made elsewhere), the display name's first
            // word is the given name and the rest the family name.
            let (firstname, name) = match (row.firstname, row.last_name) {
                (Some(firstname), Some(name)) => (firstname, name),
                _ => match row.display_name.split_once(' ') {
                    Some((first, rest)) => (first.to_owned(), rest.to_owned()),
                    None => (String::new(), row.display_name.clone()),
                },
            };
            rows.push(JanuaAdmin {
                id: row.id,
                login: row.login,
                name,
                firstname,
                phone_number: row.phone,
                email: row.email,
                level: if row.is_admin { Level::Admin } else { Level::Supervisor },
                sms_quota: quota.as_str().to_owned(),
                recipient_filter: row.recipient_filter.unwrap_or(true),
                has_client: row.has_client.unwrap_or(false),
                last_quota_reached: row.last_quota_reached,
                auth_backend: steward_model::AuthBackend::from_stored(&row.auth_backend),
            });
        }
        Ok(steward_model::Page { total: page.total, rows })
    }

    /// Updates an admin with Janua's rules: a supervisor may change only itself, and not its
    /// phone, level, recipient filter, login or backend; its quota change becomes a request
    /// mailed to the super admin. The super admin stays a local account.
    #[tracing::instrument(skip_all, fields(by = %caller.id.0, admin = id))]
    pub async fn update(
        &self,
        actor: &crate::Actor,
        caller: &Account,
        level: Level,
        id: i64,
        update: AdminUpdate,
    ) -> Result<(), AdminError> {
        let AdminUpdate { fields: input, level: asked_level, presented_token } = update;
        let target = self.get(caller, level, id).await?;
        if level == Level::Supervisor {
            let denied = [
                (input.phone_number.is_some(), "You don't have permission to change your phone_number"),
                (asked_level.is_some_and(|asked| asked != 2), "You don't have permission to change your access level"),
                (input.recipient_filter.is_some(), "You don't have permission to change sms recipient filter"),
                (input.login.is_some(), "You don't have permission to change your login"),
                (input.auth_backend.is_some(), "You don't have permission to change your authentication backend"),
            ];
            if let Some((_, reason)) = denied.iter().find(|(hit, _)| *hit) {
                return Err(AdminError::Denied(reason));
            }
        }
        let own_level = target.level;
        if let Some(asked) = asked_level
            && i64::from(own_level.number()) != asked
            && level == Level::Admin
        {
            return Err(AdminError::Invalid("The level of an admin cannot be changed".to_owned()));
        }
        if own_level == Level::Admin && input.auth_backend.is_some_and(|backend| backend != steward_model::AuthBackend::Local) {
            return Err(AdminError::Invalid("Administrator must be a local account".to_owned()));
        }
        if let Some(phone) = &input.phone_number {
            if !steward_model::sms::recipients::is_recipient_number(phone) || steward_model::E164::parse(phone).is_err() {
                return Err(AdminError::Invalid("Invalid phone number".to_owned()));
            }
            if !self.prefix_filter.allows(phone) {
                return Err(AdminError::PrefixNotAllowedOnUpdate);
            }
        }
        if let Some(email) = &input.email
            && steward_model::Email::parse(email).is_err()
        {
            return Err(AdminError::Invalid("Invalid email".to_owned()));
        }
        let login = match &input.login {
            Some(login) => {
                let login = steward_model::Login::parse(login).map_err(|error| AdminError::Invalid(error.to_string()))?;
                Some((login.as_str().to_owned(), login.folded()))
            }
            None => None,
        };
        let quota = match &input.sms_quota {
            Some(quota) => Some(steward_model::sms::SmsQuota::parse(quota).map_err(|error| AdminError::Invalid(error.to_string()))?),
            None => None,
        };
        let password_hash = match input.password.filter(|password| !password.is_empty()) {
            Some(password) => {
                let password = steward_model::Password::parse(password).map_err(|error| AdminError::Invalid(error.to_string()))?;
                Some(self.accounts.hash(&password).await?)
            }
            None => None,
        };
        let name = input.name.clone().unwrap_or_else(|| target.name.clone());
        let firstname = input.firstname.clone().unwrap_or_else(|| target.firstname.clone());
        let profile_changed = input.name.is_some() || input.firstname.is_some() || input.recipient_filter.is_some();
        let changes = steward_store::messaging::admins::AdminChanges {
            login,
            display_name: profile_changed.then(|| format!("{firstname} {name}").trim().to_owned()),
            email: input.email.clone(),
            phone: input.phone_number.clone(),
            auth_backend: input.auth_backend,
            password_hash,
            profile: profile_changed.then(|| steward_store::messaging::admins::NewJanuaProfile {
                firstname: firstname.clone(),
                last_name: name.clone(),
                recipient_filter: input.recipient_filter.unwrap_or(target.recipient_filter),
            }),
        };
        let at = crate::now();
        let write = self.store.write().await?;
        if let Some(email) = &input.email
            && !target.email.as_deref().is_some_and(|current| current.eq_ignore_ascii_case(email))
            && write.janua_email_taken(email).await?
        {
            return Err(AdminError::Integrity("a Janua admin already has this e-mail".to_owned()));
        }
        let target_id = steward_model::AccountId(target.id);
        let password_changed = changes.password_hash.is_some();
        write.update_janua_admin(target_id, changes, at).await.map_err(|error| match error {
            crate::StoreError::Conflict(_) => AdminError::Integrity("this login or phone number is taken".to_owned()),
            other => AdminError::Store(other.into()),
        })?;
        // A new password ends every session of the old one, on every face; an admin who
        // changes its own keeps the session it changed it from.
        let tokens_revoked = if password_changed {
            let keep = presented_token.as_deref().filter(|_| target_id == caller.id);
            write.revoke_account_tokens_except(target_id, keep, at).await?
        } else {
            0
        };
        if let Some(quota) = quota
            && quota.as_str() != target.sms_quota
        {
            let limit = i64::try_from(quota.limit()).unwrap_or(i64::MAX);
            if level == Level::Supervisor {
                // Not applied: a request to the super admin, as in Janua.
                let current = steward_model::sms::SmsQuota::parse(&target.sms_quota).map_err(|error| AdminError::Invalid(error.to_string()))?;
                let arguments = [
                    ("name", target.fullname()),
                    ("current_limit", current.limit().to_string()),
                    ("current_unit", current.window().noun().to_owned()),
                    ("new_limit", quota.limit().to_string()),
                    ("new_unit", quota.window().noun().to_owned()),
                ];
                if let Some(super_admin) = self.super_admin_email().await? {
                    self.queue_template(&write, "request_quota", &arguments, super_admin, caller.email.as_deref(), at).await?;
                }
            } else {
                write.set_quota(target_id, crate::messaging::sms::RESOURCE, limit, Some(quota.window().letter())).await?;
                if own_level == Level::Supervisor
                    && let Some(address) = target.email.as_deref().and_then(|email| steward_model::Email::parse(email).ok())
                {
                    let arguments = [("limit", quota.limit().to_string()), ("unit", quota.window().noun().to_owned())];
                    self.queue_template(&write, "update_quota", &arguments, address, caller.email.as_deref(), at).await?;
                }
            }
        }
        write
            .audit(
                crate::audit::entry(actor, "janua_admin.update", &target.login, serde_json::json!({ "id": target.id, "tokens_revoked": tokens_revoked })),
                at,
            )
            .await?;
        write.commit().await?;
        self.accounts.forget_cached_tokens();
        Ok(())
    }

    /// Deletes a supervisor (the super admin only; the super admin itself cannot be deleted).
    /// Its SMS log goes to the caller; its contacts and groups go with it; it is told by mail.
    #[tracing::instrument(skip_all, fields(by = %caller.id.0, admin = id))]
    pub async fn delete(&self, actor: &crate::Actor, caller: &Account, level: Level, id: i64) -> Result<(), AdminError> {
        if level != Level::Admin {
            return Err(AdminError::DeleteNotAllowed);
        }
        let target = self.get(caller, level, id).await?;
        if target.level == Level::Admin {
            return Err(AdminError::Integrity("Super admin cannot be deleted.".to_owned()));
        }
        let at = crate::now();
        let write = self.store.write().await?;
        if let Some(address) = target.email.as_deref().and_then(|email| steward_model::Email::parse(email).ok()) {
            self.queue_template(&write, "delete_admin", &[], address, caller.email.as_deref(), at).await?;
        }
        if !write.delete_janua_admin(steward_model::AccountId(target.id), caller.id).await? {
            return Err(AdminError::NotFound);
        }
        write
            .audit(crate::audit::entry(actor, "janua_admin.delete", &target.login, serde_json::json!({ "id": target.id })), at)
            .await?;
        write.commit().await?;
        self.accounts.forget_cached_tokens();
        Ok(())
    }

    async fn super_admin_email(&self) -> Result<Option<steward_model::Email>, AdminError> {
        let admins = self.store.search_janua_admins(None, &steward_model::filter::Search::default(), 0, 100).await?;
        Ok(admins
            .rows
            .into_iter()
            .filter(|row| row.is_admin)
            .find_map(|row| row.email.and_then(|email| steward_model::Email::parse(&email).ok())))
    }

    async fn queue_template(
        &self,
        write: &steward_store::WriteTx,
        template: &str,
        arguments: &[(&str, String)],
        to: steward_model::Email,
        reply_to: Option<&str>,
        at: time::OffsetDateTime,
    ) -> Result<(), AdminError> {
        let arguments = arguments.iter().map(|(key, value)| ((*key).to_owned(), value.clone())).collect();
        let rendered = self
            .mail
            .render(template, crate::messaging::templates::Language::En, &arguments)
            .await
            .map_err(|error| AdminError::Mail(error.to_string()))?;
        let reply_to = reply_to.and_then(|address| steward_model::Email::parse(address).ok());
        let mail = crate::messaging::mail::NewMail { to: vec![to], subject: rendered.subject, body: rendered.body, reply_to, sensitive: false };
        self.mail.queue_in(write, mail, at).await.map_err(|error| AdminError::Mail(error.to_string()))?;
        Ok(())
    }

    /// One admin `caller` may see.
    pub async fn get(&self, caller: &Account, level: Level, id: i64) -> Result<JanuaAdmin, AdminError> {
        let by_id = steward_model::filter::Search::by_id(id)
        .map_err(|error| AdminError::BadQuery(error.to_string()))?;
        self.search(caller, level, &by_id, 0, 1).await?.rows.pop().ok_or(AdminError::NotFound)
    }
}
