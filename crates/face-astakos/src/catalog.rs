//! `/im/get_services` (the registered services) and `/im/get_menu` (the cloud bar's
//! menu, signed in when `X-Auth-Token` holds a valid user token).

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use steward_http::AppState;

use crate::fault::{Fault, any_read_method, json_or_jsonp};

/// The query's parameters (the last of a repeated one wins, as Django's `GET` does).
fn query_params(query: Option<&str>) -> Result<Vec<(String, String)>, Fault> {
    serde_urlencoded::from_str(query.unwrap_or("")).map_err(|_| Fault::bad_request("The query string is not URL-encoded"))
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().rev().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
}

/// `GET /im/get_services`: `[{"id": "<id>", "name", "url"}]` in registration order; the
/// seed's form (a string id, no `icon`: services have none in Steward).
pub async fn services(State(state): State<AppState>, method: Method, RawQuery(query): RawQuery) -> Response {
    let answer = async {
        any_read_method(&method)?;
        let params = query_params(query.as_deref())?;
        let mut services = state.core.services.list().await.map_err(|error| {
            tracing::error!(%error, "the service list is unavailable");
            Fault::bad_request("Unexpected error")
        })?;
        services.sort_by_key(|service| service.id.0);
        let list: Vec<Value> =
            services.iter().map(|service| json!({ "id": service.id.0.to_string(), "name": service.name, "url": service.url })).collect();
        json_or_jsonp(param(&params, "callback"), &Value::Array(list))
    }
    .await;
    answer.unwrap_or_else(IntoResponse::into_response)
}

/// Characters that would break `next=` in the sign-in URL.
fn encode_next(location: &str) -> String {
    let mut encoded = String::with_capacity(location.len());
    for character in location.chars() {
        match character {
            '&' => encoded.push_str("%26"),
            '#' => encoded.push_str("%23"),
            '?' => encoded.push_str("%3F"),
            '+' => encoded.push_str("%2B"),
            '%' => encoded.push_str("%25"),
            ' ' => encoded.push_str("%20"),
            other => encoded.push(other),
        }
    }
    encoded
}

/// `GET /im/get_menu`: signed out, a "Sign in" link (with `next=` from `location`); with
/// a valid user token, the user's e-mail, "My account" and "Sign out". Never 401: an
/// invalid token is the signed-out menu.
pub async fn menu(State(state): State<AppState>, method: Method, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let answer = async {
        any_read_method(&method)?;
        let params = query_params(query.as_deref())?;
        let token = headers.get("x-auth-token").and_then(|value| value.to_str().ok());
        // Any refusal is simply the signed-out menu.
        let signed_in = state.core.user_token(token).await.ok().map(|user| user.account.email.unwrap_or(user.account.login));
        let menu = match signed_in {
            Some(name) => json!([
                { "url": "/im/login", "name": name },
                { "url": "/im/profile", "name": "My account" },
                { "url": "/im/logout", "name": "Sign out" },
            ]),
            None => {
                let url = match param(&params, "location").filter(|location| !location.is_empty()) {
                    Some(location) => format!("/im/?next={}", encode_next(location)),
                    None => "/im/".to_owned(),
                };
                json!([{ "url": url, "name": "Sign in" }])
            }
        };
        json_or_jsonp(param(&params, "callback"), &menu)
    }
    .await;
    answer.unwrap_or_else(IntoResponse::into_response)
}
