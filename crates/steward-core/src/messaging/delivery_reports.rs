//! Delivery reports: the gateway calls back with the reference Steward signed for one SMS
//! and what happened to it, and the SMS log row moves to Janua's status for that (1
//! delivered, 2 not delivered or unknown).

use steward_model::sms::report::ReportKey;
use steward_store::messaging::sms_log::status;
use tokio::sync::OnceCell;

use crate::{Store, StoreError, now};

/// Why a report was not taken.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The reference is not one this store's key signed.
    #[error("the report reference is not one Steward signed")]
    UnknownReference,
    /// Not one of Kannel's report types.
    #[error("`type` must be one of Kannel's delivery report types: 1, 2, 4, 8 or 16")]
    UnknownType,
    /// The store failed.
    #[error(transparent)]
    Store(crate::Unavailable),
}

crate::store_failures_are_unavailable!(ReportError);

/// What a report did to its SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportOutcome {
    /// The log row moved to this status.
    Recorded(i32),
    /// Nothing to change: an intermediate report, or the row is already past it.
    Unchanged,
}

/// What one of Kannel's report types means for a log row: the new status and the statuses
/// it may replace (a late "accepted by the SMSC" never undoes "delivered").
fn kannel_transition(kind: u8) -> Result<Option<(i32, &'static [i32])>, ReportError> {
    Ok(match kind {
        // Delivered to the phone.
        1 => Some((status::DELIVERED, &[status::QUEUED, status::SENT, status::UNKNOWN])),
        // Not delivered to the phone: Janua's SENT/UNKNOWN.
        2 => Some((status::UNKNOWN, &[status::QUEUED, status::SENT])),
        // Buffered by the SMSC: still on its way.
        4 => None,
        // Accepted by the SMSC: sent, which the worker records too unless it stopped first.
        8 => Some((status::SENT, &[status::QUEUED])),
        // Refused by the SMSC: never sent, so it no longer counts against the quota.
        16 => Some((status::FAILED, &[status::QUEUED, status::SENT])),
        _ => return Err(ReportError::UnknownType),
    })
}

/// The delivery report service.
pub struct SmsReports {
    store: Store,
    key: OnceCell<ReportKey>,
}

impl SmsReports {
    pub(crate) fn new(store: Store) -> Self {
        Self { store, key: OnceCell::new() }
    }

    /// The key references are signed with: the store's, made on first use.
    pub async fn key(&self) -> Result<ReportKey, StoreError> {
        self.key
            .get_or_try_init(|| async {
                let mut fresh = [0u8; 64];
                rand::fill(&mut fresh);
                let stored = self.store.report_key_or_insert(&ReportKey::from_bytes(fresh).to_hex(), now()).await?;
                ReportKey::from_hex(&stored).ok_or_else(|| StoreError::Corrupt("the stored delivery-report key is not one".to_owned()))
            })
            .await
            .cloned()
    }

    /// Records one of Kannel's delivery reports (`type`, Kannel's `%d`) for the SMS
    /// `reference` names.
    #[tracing::instrument(skip_all, fields(kind))]
    pub async fn record_kannel(&self, reference: &str, kind: &str) -> Result<ReportOutcome, ReportError> {
        let kind: u8 = kind.parse().map_err(|_| ReportError::UnknownType)?;
        let transition = kannel_transition(kind)?;
        let log_id = self.key().await?.verify(reference).ok_or(ReportError::UnknownReference)?;
        let Some((new_status, from)) = transition else {
            return Ok(ReportOutcome::Unchanged);
        };
        Ok(if self.store.apply_sms_report(log_id, new_status, from).await? {
            ReportOutcome::Recorded(new_status)
        } else {
            ReportOutcome::Unchanged
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kannel_types_map_to_janua_statuses() {
        assert_eq!(kannel_transition(1).unwrap().map(|(to, _)| to), Some(1));
        assert_eq!(kannel_transition(2).unwrap().map(|(to, _)| to), Some(2));
        assert_eq!(kannel_transition(4).unwrap(), None);
        assert_eq!(kannel_transition(8).unwrap().map(|(to, _)| to), Some(0));
        assert_eq!(kannel_transition(16).unwrap().map(|(to, _)| to), Some(6));
        for bad in [0, 3, 5, 32, 255] {
            assert!(matches!(kannel_transition(bad), Err(ReportError::UnknownType)), "{bad}");
        }
        // "Delivered" is final: no report moves a delivered SMS.
        for kind in [2, 8, 16] {
            let (_, from) = kannel_transition(kind).unwrap().unwrap();
            assert!(!from.contains(&status::DELIVERED), "{kind}");
        }
    }
}
