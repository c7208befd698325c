//! Steward's core: every rule, once. Faces and the CLI call these services; nothing here
//! knows HTTP, and all SQL stays in the store.
//!
//! # Layout
//! - [`actor`]: who is calling ([`Actor`], [`Principal`]) and the capabilities a role check
//!   hands out ([`AdminCapability`]).
//! - [`hasher`]: argon2id off the async runtime, a bounded number at a time.
//! - [`tokens`]: token generation, hashing, the short-lived in-memory cache.
//! - [`auth`]: turning credentials (token, login + password) into a principal, with the
//!   login rate limit of [`rate_limit`].
//! - [`auth_backends`]: external backends' settings (LDAP), changed at run time.
//! - [`accounts`]: the one identity: create, passwords, enable/disable, terms.
//! - [`directory`]: Janua's contacts, groups and memberships, within the caller's own rows.
//! - [`janua`]: Janua's admin levels, from Steward roles, and its admins.
//! - [`janua_acl`]: Janua's keyword actions and their access lists.
//! - [`sms`]: Janua's SMS quota, usage and monthly statistics.
//! - [`services`]: service principals and their tokens.
//! - [`quotas`]: resources, per-account limits and usage.
//! - [`messaging`]: Janua's `/sendsms`: recipients, quota check, one queued SMS each.
//! - [`mail_templates`]: Janua's mail templates (EN, FR) and their `$name` placeholders.
//! - [`mail`]: mails queued in the outbox with their cause.
//! - [`prefix_filter`]: `sms.prefix_filter`, the one rule on which numbers Janua may use.
//! - [`outbox`]: what operators do with the queue (list, retry).
//! - [`audit`]: building the audit entry written inside every admin change.

pub mod accounts;
pub mod actor;
pub mod audit;
pub mod directory;
pub mod feedback;
pub mod auth;
pub mod auth_backends;
pub mod hasher;
pub mod hermes;
pub mod janua;
pub mod janua_acl;
pub mod mail;
pub mod mail_templates;
pub mod messaging;
pub mod outbox;
pub mod prefix_filter;
pub mod quotas;
pub mod rate_limit;
pub mod services;
pub mod sms;
pub mod sms_reports;
pub mod token_checks;
pub mod tokens;

use std::sync::Arc;
use std::time::Duration;

pub use actor::{Actor, AdminCapability, Forbidden, Principal};
pub use steward_store::{Store, StoreError};

/// The settings the core's rules depend on, taken from the configuration by the binary.
#[derive(Debug, Clone)]
pub struct CoreSettings {
    /// Lifetime of a user token issued by any login (`security.token_ttl_hours`).
    pub token_ttl: Duration,
    /// Failed password checks allowed per login and per client address in 60 s.
    pub login_attempts_per_minute: u32,
    /// `From:` of every mail Steward sends (`mail.from`).
    pub mail_from: String,
    /// Host part of generated Message-IDs.
    pub mail_domain: String,
    /// Base of links put in mails (`public_url`).
    pub public_url: String,
    /// The local zone of quota windows and statistics (`timezone`).
    pub timezone: steward_model::quota_window::TimeZone,
    /// Allowed phone-number prefixes for contacts and SMS (`sms.prefix_filter`); empty = all.
    pub sms_prefix_filter: Vec<String>,
    /// The operator's mail templates (`faces.janua.mail_templates_dir`), over the built-ins.
    pub mail_templates_dir: Option<std::path::PathBuf>,
    /// The most numbers one Hermes `numbers/add_range` adds (`faces.hermes.max_range`).
    pub hermes_max_range: u64,
    /// Where user feedback goes (`mail.feedback_to`).
    pub feedback_to: Option<steward_model::Email>,
}

/// Every core service, built once and shared by the faces, the native API and the CLI.
#[derive(Clone)]
pub struct Core {
    /// The store, for readiness checks.
    pub store: Store,
    /// Accounts: the one identity.
    pub accounts: Arc<accounts::Accounts>,
    /// Authentication of every credential form.
    pub auth: Arc<auth::Authenticator>,
    /// External authentication backends' settings.
    pub auth_backends: Arc<auth_backends::AuthBackends>,
    /// Janua's contacts and groups.
    pub directory: Arc<directory::Directory>,
    /// SMS accounting.
    pub sms: Arc<sms::Sms>,
    /// Janua's actions and access lists.
    pub janua_acl: Arc<janua_acl::JanuaAcl>,
    /// Janua's admins.
    pub janua_admins: Arc<janua::Admins>,
    /// SMS sending.
    pub messaging: Arc<messaging::Messaging>,
    /// Service principals.
    pub services: Arc<services::Services>,
    /// Quota resources, limits and usage.
    pub quotas: Arc<quotas::Quotas>,
    /// Mail through the outbox.
    pub mail: Arc<mail::Mail>,
    /// Operator actions on the outbox.
    pub outbox: Arc<outbox::Outbox>,
    /// SMS delivery reports from the gateway.
    pub sms_reports: Arc<sms_reports::SmsReports>,
    /// Hermes' SIP users.
    pub hermes: Arc<hermes::Hermes>,
    /// Astakos' user feedback.
    pub feedback: Arc<feedback::Feedback>,
}

/// The peers the core reaches during a request, each through its port; the binary plugs
/// in the connectors.
#[derive(Default)]
pub struct Peers {
    /// LDAP binds, for accounts whose backend is `ldap`.
    pub ldap: Option<Arc<dyn auth_backends::LdapBinder>>,
    /// Kamailio's tables, for Hermes' local users.
    pub kamailio: Option<Arc<dyn hermes::KamailioTables>>,
    /// Immediate mail delivery, for Astakos' feedback.
    pub mail_now: Option<Arc<dyn feedback::MailNow>>,
}

impl Core {
    /// Builds every service over one store, with no in-request peer.
    pub fn new(store: Store, settings: CoreSettings) -> Self {
        Self::with_peers(store, settings, Peers::default())
    }

    /// Builds every service, reaching the in-request peers through `peers`.
    pub fn with_peers(store: Store, settings: CoreSettings, peers: Peers) -> Self {
        let Peers { ldap, kamailio, mail_now } = peers;
        // Janua shows times naive in the configured zone, so a naive time in a filter is too.
        let store = store.with_local_zone(settings.timezone.clone());
        let backends = Arc::new(auth_backends::AuthBackends::new(store.clone()));
        let prefixes = prefix_filter::PrefixFilter::new(settings.sms_prefix_filter);
        let hasher = hasher::Hasher::new(hasher::Hasher::default_permits());
        let tokens = Arc::new(tokens::TokenCache::new());
        let tokens_for_services = tokens.clone();
        let limiter = Arc::new(rate_limit::LoginLimiter::new(settings.login_attempts_per_minute));
        let accounts = Arc::new(accounts::Accounts::new(store.clone(), hasher.clone(), tokens.clone()));
        let sms = Arc::new(sms::Sms::new(store.clone(), settings.timezone));
        let quotas = Arc::new(quotas::Quotas::new(store.clone(), sms.clone()));
        let templates = mail_templates::MailTemplates::new(settings.mail_templates_dir);
        let mail = Arc::new(mail::Mail::new(store.clone(), settings.mail_from, settings.mail_domain, templates));
        let auth = Arc::new(auth::Authenticator::new(
            store.clone(),
            hasher.clone(),
            tokens.clone(),
            limiter,
            settings.token_ttl,
            backends.clone(),
            ldap,
        ));
        Self {
            janua_acl: Arc::new(janua_acl::JanuaAcl::new(store.clone())),
            janua_admins: Arc::new(janua::Admins::new(
                store.clone(),
                accounts.clone(),
                mail.clone(),
                settings.public_url,
                prefixes.clone(),
            )),
            accounts,
            auth,
            auth_backends: backends,
            messaging: Arc::new(messaging::Messaging::new(store.clone(), prefixes.clone(), quotas.clone())),
            directory: Arc::new(directory::Directory::new(store.clone(), prefixes)),
            sms,
            services: Arc::new(services::Services::new(store.clone(), tokens_for_services)),
            quotas,
            feedback: Arc::new(feedback::Feedback::new(store.clone(), mail.clone(), settings.feedback_to, mail_now)),
            mail,
            outbox: Arc::new(outbox::Outbox::new(store.clone())),
            sms_reports: Arc::new(sms_reports::SmsReports::new(store.clone())),
            hermes: Arc::new(hermes::Hermes::new(store.clone(), kamailio, settings.hermes_max_range)),
            store,
        }
    }
}

/// The one clock of the core, in UTC, to the second: the precision the store keeps, so a
/// time handed to a client is exactly the stored one.
pub(crate) fn now() -> time::OffsetDateTime {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}
