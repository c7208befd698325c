//! Steward's core: every rule, once. Faces and the CLI call these services; nothing here
//! knows HTTP, and all SQL stays in the store.
//!
//! # Layout
//! The domains of an administration server, each a module with its own services:
//! - [`identity`]: accounts, credentials and their backends, tokens, the hasher, the login
//!   rate limit, service principals, token checks.
//! - [`messaging`]: Janua's directory, SMS and mail sending, templates, the prefix filter,
//!   delivery reports, feedback; Janua's admin levels and access lists as its policies.
//! - [`sip`]: SIP users, phones, the E.164 number pool and aliases, written into Kamailio.
//! - [`quotas`]: resources, per-account limits and usage; a project's quota as its members'
//!   limits, in named sizes.
//! - [`projects`]: owners, projects, memberships, tenant databases (dRofus, Adjutant).
//! - [`workflow`]: tasks, actions, task tokens, notifications (Adjutant).
//!
//! And what every domain shares:
//! - [`actor`]: who is calling ([`Actor`], [`Principal`]) and the capabilities a role check
//!   hands out ([`AdminCapability`]).
//! - [`audit`]: building the audit entry written inside every admin change.
//! - [`invalid`]: what a client sent of a field, and every problem a body has at once
//!   (Rails-style validation, for dRofus and Adjutant).
//! - [`outbox`]: what operators do with the queue (list, retry).
//! - [`load`]: the hashers' and the store pool's load, as `/metrics` gauges.

/// `From<StoreError>` for domain errors whose `Store` variant holds [`Unavailable`], so a
/// store call's `?` works and the store's error stays the source.
macro_rules! store_failures_are_unavailable {
    ($($error:ty),+ $(,)?) => {
        $(
            impl From<$crate::StoreError> for $error {
                fn from(error: $crate::StoreError) -> Self {
                    Self::Store(error.into())
                }
            }
        )+
    };
}
pub(crate) use store_failures_are_unavailable;

pub mod actor;
pub mod audit;
pub mod identity;
pub mod invalid;
pub mod load;
pub mod messaging;
pub mod outbox;
pub mod projects;
pub mod quotas;
pub mod sip;
pub mod workflow;

use std::sync::Arc;
use std::time::Duration;

pub use actor::{Actor, AdminCapability, Forbidden, Principal, ProjectsCapability};
pub(crate) use steward_store::{Store, StoreError};

/// The store could not do its part (down, timed out, or holding a row it cannot read).
/// The store's own error stays inside, as the source a log prints; callers see only this.
#[derive(Debug)]
pub struct Unavailable(StoreError);

impl std::fmt::Display for Unavailable {
    /// The store's error with its own causes (the database's words), so a log line that
    /// prints only this says what failed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the store is unavailable: {}", self.0)?;
        let mut cause = std::error::Error::source(&self.0);
        while let Some(error) = cause {
            write!(f, ": {error}")?;
            cause = error.source();
        }
        Ok(())
    }
}

impl std::error::Error for Unavailable {
    // No source: the text above already carries the whole chain, and printers of chains
    // would repeat it.
}

impl From<StoreError> for Unavailable {
    fn from(error: StoreError) -> Self {
        Self(error)
    }
}



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
    /// Adjutant's workflow: token links and lifetimes, the anonymous request limit.
    pub workflow: workflow::WorkflowSettings,
}

/// Every core service, built once and shared by the faces, the native API and the CLI.
#[derive(Clone)]
pub struct Core {
    /// How busy the hashers and the store pool are, for `/metrics`.
    pub load: load::Load,
    /// Accounts: the one identity.
    pub accounts: Arc<identity::accounts::Accounts>,
    /// Authentication of every credential form.
    pub auth: Arc<identity::auth::Authenticator>,
    /// External authentication backends' settings.
    pub auth_backends: Arc<identity::backends::AuthBackends>,
    /// Janua's contacts and groups.
    pub directory: Arc<messaging::directory::Directory>,
    /// SMS accounting.
    pub sms: Arc<messaging::sms::Sms>,
    /// Janua's actions and access lists.
    pub janua_acl: Arc<messaging::access_lists::JanuaAcl>,
    /// Janua's admins.
    pub janua_admins: Arc<messaging::admins::Admins>,
    /// SMS sending.
    pub messaging: Arc<messaging::send::Messaging>,
    /// Service principals.
    pub services: Arc<identity::services::Services>,
    /// Quota resources, limits and usage.
    pub quotas: Arc<quotas::Quotas>,
    /// Mail through the outbox.
    pub mail: Arc<messaging::mail::Mail>,
    /// Operator actions on the outbox.
    pub outbox: Arc<outbox::Outbox>,
    /// SMS delivery reports from the gateway.
    pub sms_reports: Arc<messaging::delivery_reports::SmsReports>,
    /// Hermes' SIP users.
    pub hermes: Arc<sip::Sip>,
    /// Astakos' user feedback.
    pub feedback: Arc<messaging::feedback::Feedback>,
    /// Owners of projects.
    pub owners: Arc<projects::owners::Owners>,
    /// Set-password links (welcome mails).
    pub password_links: Arc<identity::password_links::PasswordLinks>,
    /// Accounts as people (dRofus' users).
    pub people: Arc<identity::people::People>,
    /// People in projects.
    pub members: Arc<projects::members::Members>,
    /// Projects.
    pub projects: Arc<projects::project::Projects>,
    /// Tenant databases and their templates.
    pub tenant_databases: Arc<projects::tenants::TenantDatabases>,
    /// Adjutant's tasks, task tokens and notifications.
    pub workflow: Arc<workflow::Workflow>,
}

/// The peers the core reaches during a request, each through its port; the binary plugs
/// in the connectors.
#[derive(Default)]
pub struct Peers {
    /// LDAP binds, for accounts whose backend is `ldap`.
    pub ldap: Option<Arc<dyn identity::backends::LdapBinder>>,
    /// Kamailio's tables, for Hermes' local users.
    pub kamailio: Option<Arc<dyn sip::KamailioTables>>,
    /// Immediate mail delivery, for Astakos' feedback.
    pub mail_now: Option<Arc<dyn messaging::feedback::MailNow>>,
    /// Where tenant databases and their templates live, for dRofus' projects.
    pub tenants: Option<Arc<dyn projects::tenants::TenantHost>>,
}

impl Core {
    /// Builds every service over one store, with no in-request peer.
    pub fn new(store: Store, settings: CoreSettings) -> Self {
        Self::with_peers(store, settings, Peers::default())
    }

    /// Builds every service, reaching the in-request peers through `peers`.
    pub fn with_peers(store: Store, settings: CoreSettings, peers: Peers) -> Self {
        let Peers { ldap, kamailio, mail_now, tenants } = peers;
        // Janua shows times naive in the configured zone, so a naive time in a filter is too.
        let store = store.with_local_zone(settings.timezone.clone());
        let backends = Arc::new(identity::backends::AuthBackends::new(store.clone()));
        let prefixes = messaging::prefix_filter::PrefixFilter::new(settings.sms_prefix_filter);
        let hasher = identity::hasher::Hasher::new(identity::hasher::Hasher::default_permits());
        let tokens = Arc::new(identity::tokens::TokenCache::new());
        let tokens_for_services = tokens.clone();
        let limiter = Arc::new(identity::rate_limit::LoginLimiter::new(settings.login_attempts_per_minute));
        let accounts = Arc::new(identity::accounts::Accounts::new(store.clone(), hasher.clone(), tokens.clone()));
        let sms = Arc::new(messaging::sms::Sms::new(store.clone(), settings.timezone));
        let quotas = Arc::new(quotas::Quotas::new(store.clone(), sms.clone()));
        let templates = messaging::templates::MailTemplates::new(settings.mail_templates_dir);
        let mail = Arc::new(messaging::mail::Mail::new(store.clone(), settings.mail_from, settings.mail_domain, templates));
        let auth = Arc::new(identity::auth::Authenticator::new(
            store.clone(),
            hasher.clone(),
            tokens.clone(),
            limiter,
            settings.token_ttl,
            backends.clone(),
            ldap,
        ));
        let tenant_databases = Arc::new(projects::tenants::TenantDatabases::new(store.clone(), tenants, tokens.clone()));
        let people = Arc::new(identity::people::People::new(store.clone(), accounts.clone()));
        let password_links =
            Arc::new(identity::password_links::PasswordLinks::new(store.clone(), hasher.clone(), tokens.clone(), settings.public_url.clone()));
        Self {
            load: load::Load::new(hasher.clone(), store.clone()),
            workflow: Arc::new(workflow::Workflow::new(store.clone(), hasher.clone(), tokens.clone(), mail.clone(), settings.workflow)),
            owners: Arc::new(projects::owners::Owners::new(store.clone())),
            members: Arc::new(projects::members::Members::new(store.clone(), people.clone(), mail.clone(), password_links.clone(), settings.public_url.clone())),
            password_links,
            people,
            projects: Arc::new(projects::project::Projects::new(store.clone(), tenant_databases.clone())),
            tenant_databases,
            janua_acl: Arc::new(messaging::access_lists::JanuaAcl::new(store.clone())),
            janua_admins: Arc::new(messaging::admins::Admins::new(
                store.clone(),
                accounts.clone(),
                mail.clone(),
                sms.clone(),
                settings.public_url,
                prefixes.clone(),
            )),
            accounts,
            auth,
            auth_backends: backends,
            messaging: Arc::new(messaging::send::Messaging::new(store.clone(), prefixes.clone(), quotas.clone(), sms.clone(), mail.clone())),
            directory: Arc::new(messaging::directory::Directory::new(store.clone(), prefixes)),
            sms,
            services: Arc::new(identity::services::Services::new(store.clone(), tokens_for_services)),
            quotas,
            feedback: Arc::new(messaging::feedback::Feedback::new(store.clone(), mail.clone(), settings.feedback_to, mail_now)),
            mail,
            outbox: Arc::new(outbox::Outbox::new(store.clone())),
            sms_reports: Arc::new(messaging::delivery_reports::SmsReports::new(store.clone())),
            hermes: Arc::new(sip::Sip::new(store, kamailio, settings.hermes_max_range)),
        }
    }
}

/// The one clock of the core, in UTC, to the second: the precision the store keeps, so a
/// time handed to a client is exactly the stored one.
pub fn now() -> time::OffsetDateTime {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::{StoreError, Unavailable};

    #[test]
    fn unavailable_says_what_the_store_said() {
        let unavailable = Unavailable::from(StoreError::Corrupt("outbox 7: kind fax".to_owned()));
        assert!(unavailable.to_string().contains("outbox 7: kind fax"), "{unavailable}");
    }
}
