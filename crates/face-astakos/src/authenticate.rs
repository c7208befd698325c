//! `GET /im/authenticate[?usage=1]`: who a user token belongs to, with the dates of that
//! token and, on request, the user's quota usage. The five 401s of Astakos, in its order.

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use std::borrow::Cow;
use std::sync::Arc;

use serde::Serialize;
use steward_core::identity::token_checks::{TokenRefusal, UserToken};
use steward_core::quotas::{Quota, UsageReport};
use steward_model::AccountId;
use steward_http::AppState;
use time::OffsetDateTime;

use crate::fault::{Fault, json_bytes_response};
use crate::presentation;

/// A date as the seed writes them: RFC 1123 in GMT (`Wed, 30 May 2012 10:03:37 GMT`).
pub fn http_date(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!("[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT");
    at.to_offset(time::UtcOffset::UTC).format(&format).unwrap_or_default()
}

/// The token a request presents: the `X-Auth-Token` header, else the same-named query
/// parameter (later Astakos versions accepted it).
pub fn presented_token(headers: &HeaderMap, params: &[(String, String)]) -> Option<String> {
    let header = headers.get("x-auth-token").and_then(|value| value.to_str().ok());
    let query = params.iter().find(|(key, _)| key == "X-Auth-Token").map(|(_, value)| value.as_str());
    header.or(query).filter(|token| !token.is_empty()).map(str::to_owned)
}

/// Astakos' 401 (or 500) for a token the request cannot use.
pub fn refusal(refusal: TokenRefusal) -> Fault {
    match refusal {
        TokenRefusal::Missing => Fault::unauthorized("Access denied"),
        TokenRefusal::Invalid => Fault::unauthorized("Invalid X-Auth-Token"),
        TokenRefusal::Inactive => Fault::unauthorized("User inactive"),
        TokenRefusal::Expired => Fault::unauthorized("Authentication expired"),
        TokenRefusal::TermsPending => Fault::unauthorized("Pending approval terms"),
        TokenRefusal::Unavailable(cause) => Fault::unexpected(&cause),
    }
}

/// `GET /im/authenticate`'s body, borrowed from the account and its usage report.
#[derive(Serialize)]
struct Authenticated<'a> {
    id: i64,
    uuid: &'a str,
    displayname: &'a str,
    username: &'a str,
    email: Vec<&'a str>,
    name: &'a str,
    auth_token_created: String,
    auth_token_expires: Option<String>,
}

/// One resource in `usage`, with 0.13's field names.
#[derive(Serialize)]
struct Usage<'a> {
    name: &'a str,
    description: &'a str,
    unit: &'a str,
    #[serde(rename = "maxValue")]
    max_value: i64,
    #[serde(rename = "currValue")]
    curr_value: i64,
    verbose_name: Cow<'a, str>,
    display_name: Cow<'a, str>,
    pluralized_display_name: Cow<'a, str>,
    is_abbreviation: bool,
    report_desc: Cow<'a, str>,
    placeholder: &'static str,
    help_text: &'static str,
    help_text_input_each: &'static str,
}

impl<'a> Usage<'a> {
    fn of(row: &'a Quota) -> Self {
        let shown = presentation::of(&row.resource.name, &row.resource.description, &row.resource.unit);
        Self {
            name: &row.resource.name,
            description: &row.resource.description,
            unit: &row.resource.unit,
            max_value: row.limit,
            curr_value: row.used,
            display_name: shown.display_name,
            pluralized_display_name: shown.pluralized_display_name,
            is_abbreviation: shown.is_abbreviation,
            placeholder: shown.placeholder,
            help_text: shown.help_text,
            help_text_input_each: shown.help_text_input_each,
            verbose_name: shown.verbose_name,
            report_desc: shown.report_desc,
        }
    }
}

/// A report's `usage` array, rendered, with the report it was rendered from.
struct RenderedUsage {
    report: UsageReport,
    json: Vec<u8>,
}

/// The `usage` arrays rendered lately, by account: the face's own state, one per router. A
/// report is immutable and the core hands out the same one until it changes, so while the
/// report is the same (the same `Arc`), so is its rendering: services ask for it on every
/// user request, and rendering seven resources' help texts was most of the handler's own
/// time. Kept no longer than the core keeps its reports, and 16 MiB at most (about 5 000
/// accounts; more users than that within the TTL only means more renderings).
#[derive(Clone)]
pub struct RenderedUsages(Arc<moka::sync::Cache<AccountId, Arc<RenderedUsage>>>);

impl RenderedUsages {
    /// An empty cache.
    pub fn new() -> Self {
        Self(Arc::new(
            moka::sync::Cache::builder()
                .weigher(|_, rendered: &Arc<RenderedUsage>| u32::try_from(rendered.json.len()).unwrap_or(u32::MAX))
                .max_capacity(16 * 1024 * 1024)
                .time_to_live(steward_core::identity::tokens::CACHE_TTL)
                .build(),
        ))
    }

    /// `report` as the `usage` array, in 0.13's presentation order.
    fn render(&self, account: AccountId, report: UsageReport) -> Arc<RenderedUsage> {
        if let Some(rendered) = self.0.get(&account)
            && Arc::ptr_eq(&rendered.report, &report)
        {
            return rendered;
        }
        let rendered = render_usage(report);
        self.0.insert(account, rendered.clone());
        rendered
    }
}

impl Default for RenderedUsages {
    fn default() -> Self {
        Self::new()
    }
}

/// `report` as the `usage` array, in 0.13's presentation order.
fn render_usage(report: UsageReport) -> Arc<RenderedUsage> {
    let mut usage: Vec<Usage<'_>> = report.iter().map(Usage::of).collect();
    usage.sort_by_key(|entry| (presentation::rank(entry.name), entry.name));
    // Seven resources with their help texts come to about 3.2 KB.
    let mut json = Vec::with_capacity(4096);
    // Writing plain structs of strings and numbers into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut json, &usage);
    drop(usage);
    Arc::new(RenderedUsage { report, json })
}

/// `GET /im/authenticate`.
pub async fn authenticate(
    State(state): State<AppState>,
    Extension(usages): Extension<RenderedUsages>,
    method: Method, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let answer = async {
        // The method first, then the token: a POST without a token is 400, not 401.
        if method != Method::GET {
            return Err(Fault::method_not_allowed());
        }
        let params: Vec<(String, String)> =
            serde_urlencoded::from_str(query.as_deref().unwrap_or("")).map_err(|_| Fault::bad_request("The query string is not URL-encoded"))?;
        let UserToken { account, created_at, expires_at } =
            state.core.user_token(presented_token(&headers, &params).as_deref()).await.map_err(refusal)?;
        // 0.13: usage when the parameter is there and not empty (`usage=0` included).
        let wants_usage = params.iter().any(|(key, value)| key == "usage" && !value.is_empty());
        let usage = if wants_usage {
            let report = state.core.quotas.report(account.id).await.map_err(|error| Fault::unexpected(&error))?;
            Some(usages.render(account.id, report))
        } else {
            None
        };
        let mut uuid = uuid::Uuid::encode_buffer();
        let body = Authenticated {
            id: account.id.0,
            uuid: account.uuid.hyphenated().encode_lower(&mut uuid),
            displayname: &account.login,
            username: &account.login,
            email: account.email.iter().map(|email| email.as_str()).collect(),
            name: &account.name,
            auth_token_created: http_date(created_at),
            auth_token_expires: expires_at.map(http_date),
        };
        let mut json = Vec::with_capacity(512 + usage.as_ref().map_or(0, |usage| usage.json.len()));
        serde_json::to_writer(&mut json, &body).map_err(|error| Fault::unexpected(&error))?;
        if let Some(usage) = usage {
            // The object's closing brace gives way to the usage member.
            debug_assert_eq!(json.last(), Some(&b'}'));
            json.pop();
            json.extend_from_slice(b",\"usage\":");
            json.extend_from_slice(&usage.json);
            json.push(b'}');
        }
        Ok(json_bytes_response(StatusCode::OK, json))
    }
    .await;
    answer.unwrap_or_else(IntoResponse::into_response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc_1123_in_gmt() {
        assert_eq!(http_date(time::macros::datetime!(2012-05-30 12:03:37 +02:00)), "Wed, 30 May 2012 10:03:37 GMT");
        assert_eq!(http_date(time::macros::datetime!(2012-06-09 10:03:37 UTC)), "Sat, 09 Jun 2012 10:03:37 GMT");
    }
}
