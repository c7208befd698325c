//! Janua's SMS accounting: the quota (the account's limit on the shared resource
//! `janua.sms`, with its window), usage within the current window, and monthly statistics.

use steward_model::AccountId;
use steward_model::quota_window::{self, TimeZone};
use steward_model::sms::SmsQuota;

use steward_model::filter::Search;
use steward_model::Page;
use steward_model::records::SmsLogEntry;

use crate::messaging::admins::Level;
use crate::{Store, StoreError, now};

/// The quota resource Janua's SMS count against.
pub const RESOURCE: &str = "janua.sms";

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    /// The stored quota or the calendar could not be used (a bug or a hand-edited row).
    #[error("{0}")]
    Broken(String),
    /// A client's search names an unknown field or does not fit a column.
    #[error("{0}")]
    BadQuery(String),
    /// The store failed.
    #[error(transparent)]
    Store(crate::Unavailable),
}

crate::store_failures_are_unavailable!(SmsError);

/// `/sms-usage`'s figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsUsage {
    /// The caller's parts in its current quota window.
    pub sent: u64,
    /// The caller's quota.
    pub quota: SmsQuota,
    /// Everybody's parts this calendar month, for the super admin only.
    pub global: Option<u64>,
}

/// One month of `/sms-stats`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthCount {
    /// `Jan` … `Dec`.
    pub month: &'static str,
    /// Parts sent that month.
    pub parts: u64,
}

/// The SMS accounting service.
pub struct Sms {
    store: Store,
    zone: TimeZone,
}

impl Sms {
    pub(crate) fn new(store: Store, zone: TimeZone) -> Self {
        Self { store, zone }
    }

    /// The account's SMS quota: its own limit on `janua.sms`, else the resource's default
    /// (`100 M`, Janua's default).
    pub async fn quota_of(&self, account: AccountId) -> Result<SmsQuota, SmsError> {
        let limit = self
            .store
            .limit_of(account, RESOURCE)
            .await?
            .ok_or_else(|| SmsError::Broken(format!("the resource {RESOURCE} is missing")))?;
        Self::quota_from(limit.value, limit.window)
    }

    /// The SMS quota an effective limit on `janua.sms` and its window letter make (a month
    /// when none is set, as in Janua).
    pub(crate) fn quota_from(limit: i64, window: Option<char>) -> Result<SmsQuota, SmsError> {
        let window = window.unwrap_or('M');
        SmsQuota::parse(&format!("{limit} {window}")).map_err(|error| SmsError::Broken(error.to_string()))
    }

    /// The quota's current window in the configured zone.
    pub fn current_window(&self, quota: &SmsQuota) -> Result<steward_model::quota_window::TimeWindow, SmsError> {
        quota.current_window(now(), &self.zone).map_err(|error| SmsError::Broken(error.to_string()))
    }

    /// The caller's usage of its quota (and, for the super admin, everybody's this month).
    pub async fn usage(&self, account: AccountId, level: Level) -> Result<SmsUsage, SmsError> {
        let at = now();
        let (quota, sent) = self.quota_and_parts(account, at).await?;
        let global = if level.sees_everyone() {
            let month = quota_window::calendar_month(at, &self.zone).map_err(|error| SmsError::Broken(error.to_string()))?;
            Some(self.store.sms_parts(None, month.start(), month.end()).await?)
        } else {
            None
        };
        Ok(SmsUsage { sent, quota, global })
    }

    /// The parts `account` sent in the current window of its `quota`: its usage of
    /// `janua.sms`.
    pub(crate) async fn parts_in_window(&self, account: AccountId, quota: &SmsQuota, at: time::OffsetDateTime) -> Result<u64, SmsError> {
        let window = quota.current_window(at, &self.zone).map_err(|error| SmsError::Broken(error.to_string()))?;
        Ok(self.store.sms_parts(Some(account), window.start(), window.end()).await?)
    }

    async fn quota_and_parts(&self, account: AccountId, at: time::OffsetDateTime) -> Result<(SmsQuota, u64), SmsError> {
        let quota = self.quota_of(account).await?;
        let sent = self.parts_in_window(account, &quota, at).await?;
        Ok((quota, sent))
    }

    /// A client's search over the SMS the account sent (the super admin too sees only its
    /// own, as in Janua).
    pub async fn search_log(
        &self,
        account: AccountId,
        search: &Search,
        skip: u64,
        page_size: u64,
    ) -> Result<Page<SmsLogEntry>, SmsError> {
        self.store.search_sms(account, search, skip, page_size).await.map_err(|error| match error {
            StoreError::BadFilter(filter) => SmsError::BadQuery(filter.to_string()),
            other => SmsError::Store(other.into()),
        })
    }

    /// `at` in the configured zone, as the naive local time Janua renders.
    pub fn local_time(&self, at: time::OffsetDateTime) -> time::PrimitiveDateTime {
        let local = self.zone.to_local(at).unwrap_or(at);
        time::PrimitiveDateTime::new(local.date(), local.time())
    }

    /// Parts per month of the current local year: everybody's for the super admin, the
    /// caller's own for a supervisor.
    pub async fn monthly(&self, account: AccountId, level: Level) -> Result<Vec<MonthCount>, SmsError> {
        let months = quota_window::months_of_year(now(), &self.zone).map_err(|error| SmsError::Broken(error.to_string()))?;
        let sender = if level.sees_everyone() { None } else { Some(account) };
        let mut counts = Vec::with_capacity(12);
        for month in months {
            let window = month.window();
            let parts = self.store.sms_parts(sender, window.start(), window.end()).await?;
            counts.push(MonthCount { month: month.abbreviation(), parts });
        }
        Ok(counts)
    }
}
