//! The alias nodes: list, user, add, remove.

use serde_json::json;
use steward_http::AppState;
use steward_model::sip::{Glob, SipAddress};

use crate::nodes::AliasNode;
use crate::caller::Caller;
use crate::envelope::Answer;
use crate::params::Params;

/// `alias_username@alias_domain`, or `invalid` with `cause`.
fn alias_of(params: &Params, cause: &str) -> Result<SipAddress, Answer> {
    let user = params.get("alias_username").ok_or_else(|| Answer::invalid(cause, "alias_username is required"))?;
    let domain = params.get("alias_domain").ok_or_else(|| Answer::invalid(cause, "alias_domain is required"))?;
    SipAddress::from_parts(user, domain).map_err(|error| Answer::invalid(cause, format!("{user}@{domain} is not a SIP address: {error}")))
}

/// Answers `alias/<node>`.
pub async fn serve(state: &AppState, caller: &Caller, node: AliasNode, params: &Params) -> Result<Answer, Answer> {
    let hermes = &state.core.hermes;
    Ok(match node {
        AliasNode::List => {
            let search = params.optional("search", Glob::parse)?.flatten();
            let aliases: Vec<serde_json::Value> = hermes
                .aliases(search.as_ref())
                .await?
                .iter()
                .map(|row| json!({ "alias": row.alias.to_string(), "destination": row.destination.to_string() }))
                .collect();
            Answer::ok(json!({ "aliases": aliases }))
        }
        AliasNode::User => {
            let destination = params.parsed("destination", SipAddress::parse)?;
            let e164 = params.optional("e164", crate::numbers::flag)?.unwrap_or(false);
            let aliases: Vec<String> = hermes.aliases_of(&destination, e164).await?.iter().map(ToString::to_string).collect();
            Answer::ok(json!({ "destination": destination.to_string(), "aliases": aliases }))
        }
        AliasNode::Add => {
            let alias = alias_of(params, "alias")?;
            let destination = params.parsed("destination", SipAddress::parse)?;
            hermes.add_alias(&caller.actor, &alias, &destination).await?;
            Answer::ok(json!({ "alias": alias.to_string(), "destination": destination.to_string() }))
        }
        AliasNode::Remove => {
            let alias = alias_of(params, "address")?;
            hermes.remove_alias(&caller.actor, &alias).await?;
            Answer::ok(json!({ "alias": alias.to_string() }))
        }
    })
}
