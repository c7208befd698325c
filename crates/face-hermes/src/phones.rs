//! The phone nodes: get, list, add, remove.

use serde_json::json;
use steward_http::AppState;
use steward_model::sip::{Glob, MacAddress};

use crate::nodes::PhoneNode;
use crate::caller::Caller;
use crate::envelope::Answer;
use crate::params::Params;

/// Answers `phone/<node>`.
pub async fn serve(state: &AppState, caller: &Caller, node: PhoneNode, params: &Params) -> Result<Answer, Answer> {
    let hermes = &state.core.hermes;
    Ok(match node {
        PhoneNode::Get => get(state, params).await?,
        PhoneNode::List => {
            let search = params.optional("search", Glob::parse)?.flatten();
            let macs: Vec<String> = hermes.phones(search.as_ref()).await?.iter().map(ToString::to_string).collect();
            Answer::ok(json!({ "macs": macs }))
        }
        PhoneNode::Add => {
            let mac = params.parsed("mac", MacAddress::parse)?;
            let address = params.address("user")?;
            hermes.add_phone(&caller.actor, &mac, &address).await?;
            Answer::ok(json!({ "mac": mac.as_str(), "user": address.to_string() }))
        }
        PhoneNode::Remove => {
            let mac = params.parsed("mac", MacAddress::parse)?;
            let address = params.address("user")?;
            hermes.remove_phone(&caller.actor, &mac, &address).await?;
            Answer::ok(json!({}))
        }
    })
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
