//! The test kit: a brand-new SQLite store in a temp dir, the core over it, and the accounts
//! and actors the rules are exercised with.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use steward_core::identity::accounts::NewAccount;
use steward_core::messaging::admins::{Level, NewAdmin};
use steward_core::{Actor, Core, CoreSettings, Peers, Principal};
use steward_store::Store;
use steward_model::quota_window::TimeZone;
use steward_model::sms::SmsQuota;
use steward_model::{Account, E164, Email, Login, Password, Role};
use tempfile::TempDir;

/// The most numbers one `add_range` adds in these tests (`faces.hermes.max_range`).
pub const MAX_RANGE: u64 = 100;

/// Settings as the binary derives them from a default configuration, with a small range.
pub fn settings() -> CoreSettings {
    CoreSettings {
        token_ttl: Duration::from_secs(3600),
        login_attempts_per_minute: 10,
        mail_from: "steward@example.org".to_owned(),
        mail_domain: "example.org".to_owned(),
        public_url: "http://127.0.0.1:8080".to_owned(),
        timezone: TimeZone::utc(),
        sms_prefix_filter: Vec::new(),
        mail_templates_dir: None,
        hermes_max_range: MAX_RANGE,
        feedback_to: None,
        workflow: steward_core::workflow::WorkflowSettings {
            token_link_base: "http://127.0.0.1:8080/v1/tokens/".to_owned(),
            token_life: time::Duration::hours(24),
            anonymous_per_minute: 10,
        },
    }
}

/// One test's world: the core over a fresh store, and the store's file kept alive.
pub struct Kit {
    /// Every core service.
    pub core: Core,
    /// A second connection to the same file, for what no core operation writes.
    raw: DatabaseConnection,
    /// Holds the store's directory until the test ends.
    _dir: TempDir,
}

impl Kit {
    /// A core with no in-request peer (no LDAP, no Kamailio).
    pub async fn new() -> Self {
        Self::with_peers(Peers::default()).await
    }

    /// A core reaching `peers`.
    pub async fn with_peers(peers: Peers) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/steward.db?mode=rwc", dir.path().display());
        let keys = steward_store::sealing::Keyring::new(steward_store::sealing::DataKey::generate());
        let store = Store::open_and_migrate(&url).await.unwrap().with_data_keys(keys);
        let core = Core::with_peers(store, settings(), peers);
        let raw = sea_orm::Database::connect(url.as_str()).await.unwrap();
        Self { core, raw, _dir: dir }
    }

    /// Creates an account as the operator's CLI does.
    pub async fn account(&self, login: &str, roles: &[&'static str]) -> Account {
        let cli = Actor::cli();
        let new = NewAccount {
            login: Login::parse(login).unwrap(),
            password: Some(Password::parse(format!("{login}-secret-password")).unwrap()),
            name: format!("{login} Example"),
            given_name: None,
            family_name: None,
            email: Some(Email::parse(&format!("{login}@example.org")).unwrap()),
            phone: None,
            roles: roles.iter().map(|role| Role::known(role)).collect(),
        };
        self.core.accounts.create(cli.admin().unwrap(), new).await.unwrap()
    }

    /// The super admin (Janua's level 1), `admin`.
    pub async fn admin(&self) -> Account {
        self.account("admin", &[Role::ADMIN]).await
    }

    /// A supervisor (Janua's level 2) created by `admin` through Janua's admin rules, with
    /// its profile and, when given, its SMS quota.
    pub async fn supervisor(&self, admin: &Account, login: &str, phone: &str, quota: Option<&str>, recipient_filter: bool) -> Account {
        let input = NewAdmin {
            login: Login::parse(login).unwrap(),
            password: Password::parse(format!("{login}-secret-password")).unwrap(),
            name: "Example".to_owned(),
            firstname: login.to_owned(),
            phone_number: E164::parse(phone).unwrap(),
            email: Email::parse(&format!("{login}@example.org")).unwrap(),
            sms_quota: quota.map(|quota| SmsQuota::parse(quota).unwrap()),
            recipient_filter: Some(recipient_filter),
            auth_backend: None,
        };
        let id = self.core.janua_admins.create(&actor(admin), Level::Admin, admin, input).await.unwrap();
        let account = self.core.accounts.by_login(login).await.unwrap().unwrap();
        assert_eq!(account.id.0, id);
        assert!(account.has_role(Role::SUPERVISOR));
        account
    }

    /// Runs one statement on the store's file from outside the core; rows affected.
    pub async fn execute(&self, sql: &str, values: Vec<sea_orm::Value>) -> u64 {
        let statement = Statement::from_sql_and_values(DbBackend::Sqlite, sql, values);
        self.raw.execute_raw(statement).await.unwrap().rows_affected()
    }

    /// A second connection to the store's file, for a peer that plays another instance.
    pub fn raw(&self) -> DatabaseConnection {
        self.raw.clone()
    }

    /// One integer read from outside the core.
    pub async fn count(&self, sql: &str) -> i64 {
        let row = self.raw.query_one_raw(Statement::from_string(DbBackend::Sqlite, sql)).await.unwrap().unwrap();
        row.try_get_by_index(0).unwrap()
    }

    /// The actions of the audit log, newest first.
    pub async fn audit_actions(&self) -> Vec<String> {
        let cli = Actor::cli();
        let entries = self.core.outbox.audit_tail(cli.admin().unwrap(), 1000).await.unwrap();
        entries.into_iter().map(|entry| entry.action).collect()
    }
}

/// `account` calling through Janua.
pub fn actor(account: &Account) -> Actor {
    Actor::new(Principal::Account(account.clone()), "janua")
}
