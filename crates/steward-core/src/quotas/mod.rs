//! Quotas: resources (`service.name`), per-account limits and usage. Astakos reports them;
//! Janua's SMS quota is the resource `janua.sms`, whose usage is the parts sent in its window.
//! [`project_sizes`] says what a project's quota is over these per-account limits.

pub mod project_sizes;

use std::sync::Arc;

use serde_json::json;
use steward_model::{AccountId, Resource};
pub use steward_model::records::Quota;

use crate::messaging::sms::{self, Sms, SmsError};
use crate::{AdminCapability, Store, StoreError, audit, now};

/// What went wrong with a quota operation.
#[derive(Debug, thiserror::Error)]
pub enum QuotaError {
    /// No such account.
    #[error("no account has the login `{0}`")]
    UnknownAccount(String),
    /// No such resource.
    #[error("no resource is called `{0}`")]
    UnknownResource(String),
    /// The resource name is taken.
    #[error("a resource called `{0}` already exists")]
    NameTaken(String),
    /// A value was refused.
    #[error("{0}")]
    Invalid(String),
    /// The SMS accounting behind `janua.sms` could not be read.
    #[error("{0}")]
    Broken(String),
    /// The store failed.
    #[error(transparent)]
    Store(crate::Unavailable),
}

crate::store_failures_are_unavailable!(QuotaError);

impl From<SmsError> for QuotaError {
    fn from(error: SmsError) -> Self {
        match error {
            SmsError::Store(error) => Self::Store(error),
            other => Self::Broken(other.to_string()),
        }
    }
}

/// A resource name: `service.resource`, where each part is a non-empty name.
fn check_resource_name(name: &str) -> Result<(), QuotaError> {
    let parts: Vec<&str> = name.splitn(2, '.').collect();
    let part_ok = |part: &str| {
        !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '+'))
    };
    if name.len() <= 128 && parts.len() == 2 && parts.iter().all(|part| part_ok(part)) {
        Ok(())
    } else {
        Err(QuotaError::Invalid(format!(
            "`{name}` is not a resource name: write SERVICE.NAME, e.g. cyclades.vm"
        )))
    }
}

/// One account's quotas as reported to clients, shared by every reader of the cache.
pub type UsageReport = Arc<[Quota]>;

/// The quotas service.
pub struct Quotas {
    store: Store,
    sms: Arc<Sms>,
    /// Reports by account, kept as long as a verified token: services ask for usage on
    /// every user request, and a report is read-only. A change made here evicts at once;
    /// one made by another process (the CLI, another instance) is seen within the TTL,
    /// which the contract allows (2 s). Quota *checks* never read it.
    reports: moka::future::Cache<AccountId, UsageReport>,
}

impl Quotas {
    pub(crate) fn new(store: Store, sms: Arc<Sms>) -> Self {
        // About 1 KiB per account: 16 MiB keep some 15 000 accounts' reports.
        let reports = moka::future::Cache::builder()
            .weigher(|_, report: &UsageReport| u32::try_from(report_bytes(report)).unwrap_or(u32::MAX))
            .max_capacity(16 * 1024 * 1024)
            .time_to_live(crate::identity::tokens::CACHE_TTL)
            .build();
        Self { store, sms, reports }
    }

    /// Registers a resource with its default per-account limit.
    #[tracing::instrument(skip_all, fields(resource = %resource.name))]
    pub async fn add_resource(&self, capability: AdminCapability<'_>, resource: Resource) -> Result<(), QuotaError> {
        check_resource_name(&resource.name)?;
        if resource.default_limit < 0 {
            return Err(QuotaError::Invalid("a limit cannot be negative".to_owned()));
        }
        let at = now();
        let write = self.store.write().await?;
        write.insert_resource(&resource, at).await.map_err(|error| match error {
            StoreError::Conflict(_) => QuotaError::NameTaken(resource.name.clone()),
            other => QuotaError::Store(other.into()),
        })?;
        write
            .audit(
                audit::entry(
                    capability.actor(),
                    "resource.add",
                    &resource.name,
                    json!({ "unit": resource.unit, "limit": resource.default_limit }),
                ),
                at,
            )
            .await?;
        write.commit().await?;
        self.reports.invalidate_all();
        Ok(())
    }

    /// Every registered resource.
    pub async fn resources(&self) -> Result<Vec<Resource>, QuotaError> {
        Ok(self.store.resources().await?)
    }

    async fn account_id(&self, login: &str) -> Result<steward_model::AccountId, QuotaError> {
        self.store
            .account_by_login(&login.to_lowercase())
            .await?
            .map(|found| found.account.id)
            .ok_or_else(|| QuotaError::UnknownAccount(login.to_owned()))
    }

    /// Sets one account's own limit for a resource.
    #[tracing::instrument(skip_all, fields(login, resource, limit))]
    pub async fn set_limit(&self, capability: AdminCapability<'_>, login: &str, resource: &str, limit: i64) -> Result<(), QuotaError> {
        self.set(capability, login, resource, limit, Counter::Limit).await
    }

    /// Sets one account's current usage of a resource (what a service reports).
    #[tracing::instrument(skip_all, fields(login, resource, used))]
    pub async fn set_usage(&self, capability: AdminCapability<'_>, login: &str, resource: &str, used: i64) -> Result<(), QuotaError> {
        self.set(capability, login, resource, used, Counter::Usage).await
    }

    async fn set(
        &self,
        capability: AdminCapability<'_>,
        login: &str,
        resource: &str,
        value: i64,
        counter: Counter,
    ) -> Result<(), QuotaError> {
        if value < 0 {
            return Err(QuotaError::Invalid(format!("{} cannot be negative", counter.noun())));
        }
        // Janua shows its quota as `"<n> <D|W|M|Y>"` in at most ten characters.
        let max = steward_model::sms::SmsQuota::MAX_LIMIT;
        if matches!(counter, Counter::Limit) && resource == crate::messaging::sms::RESOURCE && u64::try_from(value).is_ok_and(|value| value > max) {
            return Err(QuotaError::Invalid(format!("a {resource} limit is at most {max}")));
        }
        let account = self.account_id(login).await?;
        let at = now();
        let write = self.store.write().await?;
        let written = match counter {
            Counter::Limit => write.set_quota(account, resource, value, None).await,
            Counter::Usage => write.set_usage(account, resource, value, at).await,
        };
        written.map_err(|error| match error {
            StoreError::NotFound => QuotaError::UnknownResource(resource.to_owned()),
            other => QuotaError::Store(other.into()),
        })?;
        write
            .audit(
                audit::entry(
                    capability.actor(),
                    counter.action(),
                    login,
                    json!({ "resource": resource, "value": value }),
                ),
                at,
            )
            .await?;
        write.commit().await?;
        self.reports.invalidate(&account).await;
        Ok(())
    }

    /// Every resource with the account's effective limit and usage, `janua.sms`'s usage
    /// being the parts sent in the account's current window. At most
    /// [`crate::identity::tokens::CACHE_TTL`] old (see [`Quotas`]): for showing, not for checking.
    pub async fn report(&self, account: AccountId) -> Result<UsageReport, QuotaError> {
        if let Some(report) = self.reports.get(&account).await {
            return Ok(report);
        }
        let mut rows = self.store.quotas_of(account).await?;
        if let Some(row) = rows.iter_mut().find(|row| row.resource.name == sms::RESOURCE) {
            let quota = Sms::quota_from(row.limit, row.window)?;
            row.used = i64::try_from(self.sms.parts_in_window(account, &quota, now()).await?).unwrap_or(i64::MAX);
        }
        let report: UsageReport = rows.into();
        self.reports.insert(account, report.clone()).await;
        Ok(report)
    }

    /// `login`'s report, for the operator (`steward quota show`).
    pub async fn report_of(&self, _capability: AdminCapability<'_>, login: &str) -> Result<UsageReport, QuotaError> {
        self.report(self.account_id(login).await?).await
    }

    /// Forgets `account`'s report: it just sent SMS, so its `janua.sms` usage moved.
    pub(crate) async fn forget_report(&self, account: AccountId) {
        self.reports.invalidate(&account).await;
    }
}

/// Roughly what a report holds in memory: its strings and each row's fixed part.
fn report_bytes(report: &[Quota]) -> usize {
    report
        .iter()
        .map(|row| std::mem::size_of::<Quota>() + row.resource.name.len() + row.resource.unit.len() + row.resource.description.len())
        .sum()
}

#[derive(Clone, Copy)]
enum Counter {
    Limit,
    Usage,
}

impl Counter {
    fn action(self) -> &'static str {
        match self {
            Self::Limit => "quota.set",
            Self::Usage => "usage.set",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Self::Limit => "a limit",
            Self::Usage => "a usage",
        }
    }
}
