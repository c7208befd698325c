//! `GET /im/authenticate[?usage=1]`: who a user token belongs to, with the dates of that
//! token and, on request, the user's quota usage. The five 401s of Astakos, in its order.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use steward_core::token_checks::{TokenRefusal, UserToken};
use steward_core::quotas::QuotaRow;
use steward_http::AppState;
use time::OffsetDateTime;

use crate::fault::{Fault, serialized_response};
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
    uuid: String,
    displayname: &'a str,
    username: &'a str,
    email: Vec<&'a str>,
    name: &'a str,
    auth_token_created: String,
    auth_token_expires: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<Vec<Usage<'a>>>,
}

/// One resource in `usage`, with 0.13's field names.
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
struct Usage<'a> {
    name: &'a str,
    description: &'a str,
    unit: &'a str,
    #[serde(rename = "maxValue")]
    max_value: i64,
    #[serde(rename = "currValue")]
    curr_value: i64,
    verbose_name: String,
    display_name: String,
    pluralized_display_name: String,
    is_abbreviation: bool,
    report_desc: String,
    placeholder: &'static str,
    help_text: &'static str,
    help_text_input_each: &'static str,
}

impl<'a> Usage<'a> {
    fn of(row: &'a QuotaRow) -> Self {
        let shown = presentation::of(&row.resource.name, &row.resource.description);
        Self {
            name: &row.resource.name,
            description: &row.resource.description,
            unit: &row.resource.unit,
            max_value: row.limit,
            curr_value: row.used,
            display_name: shown.display_name(),
            pluralized_display_name: shown.pluralized_display_name(&row.resource.unit),
            is_abbreviation: shown.is_abbreviation,
            placeholder: shown.placeholder,
            help_text: shown.help_text,
            help_text_input_each: shown.help_text_input_each,
            verbose_name: shown.verbose_name,
            report_desc: shown.report_desc,
        }
    }
}

/// `GET /im/authenticate`.
pub async fn authenticate(State(state): State<AppState>, method: Method, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
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
        let report = if wants_usage { Some(state.core.quotas.report(account.id).await.map_err(|error| Fault::unexpected(&error))?) } else { None };
        let usage = report.as_deref().map(|rows| {
            let mut usage: Vec<Usage<'_>> = rows.iter().map(Usage::of).collect();
            usage.sort_by_key(|entry| (presentation::rank(entry.name), entry.name));
            usage
        });
        let body = Authenticated {
            id: account.id.0,
            uuid: account.uuid.to_string(),
            displayname: &account.login,
            username: &account.login,
            email: account.email.iter().map(|email| email.as_str()).collect(),
            name: &account.name,
            auth_token_created: http_date(created_at),
            auth_token_expires: expires_at.map(http_date),
            usage,
        };
        Ok(serialized_response(StatusCode::OK, &body))
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
