//! `/api/SMS`: the caller's SMS log, read only. Dates are naive ISO 8601 in the configured
//! `timezone`, as Janua rendered its local time.

use axum::http::StatusCode;
use steward_http::AppState;
use steward_model::Page;
use steward_model::filter::Search;
use time::macros::format_description;

use super::resource::{Fields, Methods, Model, Spec};
use crate::caller::JanuaCaller;
use crate::envelope::RestError;

/// One SMS as Janua shows it.
#[derive(Debug, serde::Serialize)]
pub struct SmsDto {
    /// Whether a received SMS's sender was allowed.
    pub authorized: bool,
    /// Local time, naive.
    pub date_time: String,
    /// Janua's key.
    pub id: i64,
    /// Parts.
    pub number_of_slices: i32,
    /// The text.
    pub raw_message: String,
    /// To whom.
    pub recipient: String,
    /// The recipient's number.
    pub recipient_phone_number: String,
    /// Who sent it.
    pub sender: String,
    /// 0 sent, 1 delivered, 2 unknown, 3 unsupported, 4 received, 5 queued, 6 failed.
    pub status: i32,
}

keyed_by_id!(SmsDto);

/// `/api/SMS`.
#[derive(Debug, Clone, Copy)]
pub struct SmsLog;

impl Model for SmsLog {
    type Object = SmsDto;

    fn spec(&self) -> Spec {
        Spec { path: "/api/SMS", methods: Methods { create: false, update: false, delete: false, related: false }, fields: Fields::Only(&[]) }
    }

    /// Janua does not serve one SMS: every `/api/SMS/<anything>` is 404 "Not supported".
    fn parse_id(&self, _raw: &str) -> Result<i64, RestError> {
        Err(RestError::new(StatusCode::NOT_FOUND, "Not supported"))
    }

    async fn list(&self, state: &AppState, caller: &JanuaCaller, search: &Search, skip: u64, size: u64) -> Result<Page<SmsDto>, RestError> {
        let page = state.core.sms.search_log(caller.account.id, search, skip, size).await?;
        let iso = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
        let rows = page
            .rows
            .into_iter()
            .map(|row| SmsDto {
                authorized: row.authorized,
                date_time: state.core.sms.local_time(row.date_time).format(&iso).unwrap_or_default(),
                id: row.id,
                number_of_slices: row.number_of_slices,
                raw_message: row.raw_message,
                recipient: row.recipient,
                recipient_phone_number: row.recipient_phone_number,
                sender: row.sender,
                status: row.status,
            })
            .collect();
        Ok(Page { total: page.total, rows })
    }

    async fn get(&self, _state: &AppState, _caller: &JanuaCaller, _id: i64) -> Result<SmsDto, RestError> {
        Err(RestError::new(StatusCode::NOT_FOUND, "Not supported"))
    }
}
