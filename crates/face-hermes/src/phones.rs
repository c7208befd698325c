//! The phone nodes: get, list, add, remove.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use steward_http::AppState;
use steward_model::sip::{Glob, MacAddress};

use crate::caller::Caller;
use crate::envelope::Answer;
use crate::params::Params;

/// Answers `phone/<node>`.
pub async fn serve(state: &AppState, caller: &Caller, node: &str, request: Request) -> Response {
    if !["get", "list", "add", "remove"].contains(&node) {
        return Answer::transport(StatusCode::NOT_FOUND, "node", format!("Unknown API node phone/{node}")).into_response();
    }
    let params = match crate::users::params_of(request).await {
        Ok(params) => params,
        Err(answer) => return answer.into_response(),
    };
    let hermes = &state.core.hermes;
    let answer: Result<Answer, Answer> = async {
        Ok(match node {
            "get" => get(state, &params).await?,
            "list" => {
                let search = params.optional("search", Glob::parse)?.flatten();
                let macs: Vec<String> = hermes.phones(search.as_ref()).await?.iter().map(ToString::to_string).collect();
                Answer::ok(json!({ "macs": macs }))
            }
            "add" => {
                let mac = params.parsed("mac", MacAddress::parse)?;
                let address = params.address("user")?;
                hermes.add_phone(&caller.actor, &mac, &address).await?;
                Answer::ok(json!({ "mac": mac.as_str(), "user": address.to_string() }))
            }
            _ => {
                let mac = params.parsed("mac", MacAddress::parse)?;
                let address = params.address("user")?;
                hermes.remove_phone(&caller.actor, &mac, &address).await?;
                Answer::ok(json!({}))
            }
        })
    }
    .await;
    answer.unwrap_or_else(|refusal| refusal).into_response()
}

/// `phone/get?mac=…` or `phone/get?user=…` (or `username` + `domain`), not both.
async fn get(state: &AppState, params: &Params) -> Result<Answer, Answer> {
    let by_user = params.get("user").is_some() || params.get("username").is_some() || params.get("domain").is_some();
    match (params.get("mac"), by_user) {
        (Some(_), true) => Err(Answer::invalid("mac", "Give either mac or user, not both")),
        (None, false) => Err(Answer::invalid("mac", "Give mac or user")),
        (Some(_), false) => {
            let mac = params.parsed("mac", MacAddress::parse)?;
            let users: Vec<String> = state.core.hermes.phone_users(&mac).await?.iter().map(ToString::to_string).collect();
            Ok(Answer::ok(json!({ "mac": mac.as_str(), "users": users })))
        }
        (None, true) => {
            let address = params.address("user")?;
            let macs: Vec<String> = state.core.hermes.user_phones(&address).await?.iter().map(ToString::to_string).collect();
            Ok(Answer::ok(json!({ "user": address.to_string(), "macs": macs })))
        }
    }
}
