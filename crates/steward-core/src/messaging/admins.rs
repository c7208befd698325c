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
    /// How many SMS per window it may send.
    pub sms_quota: steward_model::sms::SmsQuota,
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
    #[error("no such admin among those you may see")]
    NotFound,
    /// Only the super admin creates admins.
    #[error("only the super admin creates admins")]
    CreateNotAllowed,
    /// Only the super admin deletes admins.
    #[error("only the super admin deletes admins")]
    DeleteNotAllowed,
    /// A supervisor asked to change what only the super admin may.
    #[error("only the super admin may change an admin's {0}")]
    Denied(Guarded),
    /// The super admin asked to change an admin's level: there is one super admin.
    #[error("an admin's level cannot be changed")]
    LevelFixed,
    /// The super admin's password is checked by Steward, never by a directory.
    #[error("the super admin must be a local account")]
    SuperAdminMustBeLocal,
    /// The super admin cannot be deleted.
    #[error("the super admin cannot be deleted")]
    SuperAdminUndeletable,
    /// The phone number matches none of `sms.prefix_filter`.
    #[error("the phone number matches none of the allowed prefixes")]
    PrefixNotAllowed,
    /// A login, phone number or e-mail another account already has.
    #[error("{0}")]
    Taken(&'static str),
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

/// What only the super admin may change on an admin, in the order Janua checks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guarded {
    /// `phone_number`.
    PhoneNumber,
    /// `level`, to anything but a supervisor's.
    Level,
    /// `recipient_filter`.
    RecipientFilter,
    /// `login`.
    Login,
    /// `auth_backend`.
    AuthBackend,
}

impl std::fmt::Display for Guarded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::PhoneNumber => "phone number",
            Self::Level => "level",
            Self::RecipientFilter => "recipient filter",
            Self::Login => "login",
            Self::AuthBackend => "authentication backend",
        })
    }
}

impl From<crate::StoreError> for AdminError {
    fn from(error: crate::StoreError) -> Self {
        match error {
            crate::StoreError::BadFilter(filter) => Self::BadQuery(filter.to_string()),
            other => Self::Store(other.into()),
        }
    }
}

/// A supervisor to create, parsed.
#[derive(Debug, Clone)]
pub struct NewAdmin {
    /// Login.
    pub login: steward_model::Login,
    /// Local password (mailed in the welcome mail, stored only as a hash).
    pub password: steward_model::Password,
    /// Family name, not empty.
    pub name: String,
    /// Given name, not empty.
    pub firstname: String,
    /// Phone number.
    pub phone_number: steward_model::E164,
    /// Mail address.
    pub email: steward_model::Email,
    /// SMS quota; `None` keeps Steward's default.
    pub sms_quota: Option<steward_model::sms::SmsQuota>,
    /// May only message its own contacts (default true).
    pub recipient_filter: Option<bool>,
    /// Who checks the password (default local).
    pub auth_backend: Option<steward_model::AuthBackend>,
}

/// Changes to an admin, parsed (`None`: not in the body).
#[derive(Debug, Clone, Default)]
pub struct AdminUpdate {
    /// Login.
    pub login: Option<steward_model::Login>,
    /// Local password.
    pub password: Option<steward_model::Password>,
    /// Family name, not empty.
    pub name: Option<String>,
    /// Given name, not empty.
    pub firstname: Option<String>,
    /// Phone number.
    pub phone_number: Option<steward_model::E164>,
    /// Mail address.
    pub email: Option<steward_model::Email>,
    /// SMS quota (a supervisor's own becomes a request to the super admin).
    pub sms_quota: Option<steward_model::sms::SmsQuota>,
    /// May only message its own contacts.
    pub recipient_filter: Option<bool>,
    /// Who checks the password.
    pub auth_backend: Option<steward_model::AuthBackend>,
    /// Level, as a client may name it.
    pub level: Option<i64>,
    /// The fingerprint of the token the request came with: an admin changing its own
    /// password keeps that session, while every other one ends.
    pub presented_token: Option<String>,
}

/// What an update asks to change, as far as who may ask matters: a face can ask
/// [`Admins::authorize_update`] before it parses the values.
#[derive(Debug, Clone, Copy, Default)]
pub struct UpdateRequest {
    /// `phone_number` is sent.
    pub phone_number: bool,
    /// The level asked for.
    pub level: Option<i64>,
    /// `recipient_filter` is sent.
    pub recipient_filter: bool,
    /// `login` is sent.
    pub login: bool,
    /// `auth_backend` is sent.
    pub auth_backend: bool,
}

impl AdminUpdate {
    /// What this update asks to change.
    pub fn request(&self) -> UpdateRequest {
        UpdateRequest {
            phone_number: self.phone_number.is_some(),
            level: self.level,
            recipient_filter: self.recipient_filter.is_some(),
            login: self.login.is_some(),
            auth_backend: self.auth_backend.is_some(),
        }
    }
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
        if level == Level::Admin { Ok(()) } else { Err(AdminError::CreateNotAllowed) }
    }

    /// Whether a caller at `level` may make the update `request` describes on admin `id`: a
    /// supervisor sees only itself (any other id is not found) and may not change its phone,
    /// level, recipient filter, login or backend (the first of them asked is the answer).
    /// Faces may ask before parsing a body, as Janua's preprocessor did; [`Self::update`]
    /// asks again.
    pub fn authorize_update(caller: &Account, level: Level, id: i64, request: &UpdateRequest) -> Result<(), AdminError> {
        if level == Level::Admin {
            return Ok(());
        }
        if id != caller.id.0 {
            return Err(AdminError::NotFound);
        }
        let denied = [
            (request.phone_number, Guarded::PhoneNumber),
            (request.level.is_some_and(|asked| asked != i64::from(Level::Supervisor.number())), Guarded::Level),
            (request.recipient_filter, Guarded::RecipientFilter),
            (request.login, Guarded::Login),
            (request.auth_backend, Guarded::AuthBackend),
        ];
        match denied.into_iter().find(|(asked, _)| *asked) {
            Some((_, field)) => Err(AdminError::Denied(field)),
            None => Ok(()),
        }
    }

    /// Creates a supervisor (level 2 whatever was asked: there is one super admin), with its
    /// profile, its quota and the welcome mail carrying its password, in one transaction.
    /// The mail is marked sensitive: its body is erased once delivered.
    #[tracing::instrument(skip_all, fields(by = %caller.id.0))]
    pub async fn create(&self, actor: &crate::Actor, level: Level, caller: &Account, new: NewAdmin) -> Result<i64, AdminError> {
        Self::authorize_create(level)?;
        let NewAdmin { login, password, name, firstname, phone_number: phone, email, sms_quota: quota, recipient_filter, auth_backend } = new;
        if !self.prefix_filter.allows(phone.as_str()) {
            return Err(AdminError::PrefixNotAllowed);
        }
        let backend = auth_backend.unwrap_or(steward_model::AuthBackend::Local);
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
            given_name: Some(firstname.clone()),
            family_name: Some(name.clone()),
            email: Some(email.clone()),
            phone: Some(phone),
            roles: vec![Role::known(Role::SUPERVISOR)],
        };
        let row = self.accounts.prepare(new, backend).await?;
        let at = crate::now();
        let write = self.store.write().await?;
        if write.janua_email_taken(email.as_str()).await? {
            return Err(AdminError::Taken("a Janua admin already has this e-mail"));
        }
        let account = crate::identity::accounts::Accounts::insert_prepared(&write, actor, row, at).await.map_err(|error| match error {
            crate::identity::accounts::AccountError::LoginTaken(_) => AdminError::Taken("this login is taken"),
            crate::identity::accounts::AccountError::PhoneTaken(_) => AdminError::Taken("this phone number is taken"),
            other => AdminError::Account(other),
        })?;
        let profile = steward_store::messaging::admins::NewJanuaProfile {
            firstname,
            last_name: name,
            recipient_filter: recipient_filter.unwrap_or(true),
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
                sms_quota: quota,
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
        Self::authorize_update(caller, level, id, &update.request())?;
        let target = self.get(caller, level, id).await?;
        let AdminUpdate {
            login,
            password,
            name: new_name,
            firstname: new_firstname,
            phone_number,
            email,
            sms_quota: quota,
            recipient_filter,
            auth_backend,
            level: asked_level,
            presented_token,
        } = update;
        let own_level = target.level;
        if let Some(asked) = asked_level
            && i64::from(own_level.number()) != asked
        {
            return Err(AdminError::LevelFixed);
        }
        if own_level == Level::Admin && auth_backend.is_some_and(|backend| backend != steward_model::AuthBackend::Local) {
            return Err(AdminError::SuperAdminMustBeLocal);
        }
        if let Some(phone) = &phone_number
            && !self.prefix_filter.allows(phone.as_str())
        {
            return Err(AdminError::PrefixNotAllowed);
        }
        let login = login.map(|login| (login.as_str().to_owned(), login.folded()));
        let password_hash = match password {
            Some(password) => Some(self.accounts.hash(&password).await?),
            None => None,
        };
        let profile_changed = new_name.is_some() || new_firstname.is_some() || recipient_filter.is_some();
        let name = new_name.unwrap_or_else(|| target.name.clone());
        let firstname = new_firstname.unwrap_or_else(|| target.firstname.clone());
        let changes = steward_store::messaging::admins::AdminChanges {
            login,
            display_name: profile_changed.then(|| format!("{firstname} {name}").trim().to_owned()),
            email: email.as_ref().map(|email| email.as_str().to_owned()),
            phone: phone_number.as_ref().map(|phone| phone.as_str().to_owned()),
            auth_backend,
            password_hash,
            profile: profile_changed.then(|| steward_store::messaging::admins::NewJanuaProfile {
                firstname: firstname.clone(),
                last_name: name.clone(),
                recipient_filter: recipient_filter.unwrap_or(target.recipient_filter),
            }),
        };
        let at = crate::now();
        let write = self.store.write().await?;
        if let Some(email) = &email
            && !target.email.as_deref().is_some_and(|current| current.eq_ignore_ascii_case(email.as_str()))
            && write.janua_email_taken(email.as_str()).await?
        {
            return Err(AdminError::Taken("a Janua admin already has this e-mail"));
        }
        let target_id = steward_model::AccountId(target.id);
        let password_changed = changes.password_hash.is_some();
        write.update_janua_admin(target_id, changes, at).await.map_err(|error| match error {
            crate::StoreError::Conflict(_) => AdminError::Taken("this login or phone number is taken"),
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
            && quota != target.sms_quota
        {
            let limit = i64::try_from(quota.limit()).unwrap_or(i64::MAX);
            if level == Level::Supervisor {
                // Not applied: a request to the super admin, as in Janua.
                let current = &target.sms_quota;
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
            return Err(AdminError::SuperAdminUndeletable);
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
