//! The user nodes: get, list, add_local, add_remote, remove, gen_pw, change_pw, update.

use serde_json::{Value, json};
use steward_core::sip::{NewLocalUser, NewRemoteUser, UserChanges};
use steward_http::AppState;
use steward_model::sip::{Dialplan, DisplayName, Glob, LineText, Port, ProvisionedUser, SipAddress, SipDomain, SipPassword, SipUser};

use crate::nodes::UserNode;
use crate::caller::Caller;
use crate::envelope::Answer;
use crate::params::Params;

/// The user object (every key present; `null` when unused).
fn user_json(user: &ProvisionedUser) -> Value {
    json!({
        "username": user.address.user.as_str(),
        "domain": user.address.domain.as_str(),
        "address": user.address.to_string(),
        "type": user.kind.as_str(),
        "displayname": user.displayname,
        "email": user.email,
        "password": user.password,
        "authid": user.authid,
        "registrar": user.registrar,
        "r_port": user.r_port,
        "proxy": user.proxy,
        "p_port": user.p_port,
        "dialplan": user.dialplan,
        "linetext": user.linetext,
    })
}

/// Answers `user/<node>`.
pub async fn serve(state: &AppState, caller: &Caller, node: UserNode, params: &Params) -> Result<Answer, Answer> {
    let hermes = &state.core.hermes;
    Ok(match node {
        UserNode::Get => {
            // `address=` (the seed's extension), `user=`, or `username` + `domain`.
            let address = if params.get("address").is_some() { params.address("address")? } else { params.address("user")? };
            Answer::ok(json!({ "user": user_json(&hermes.user(&address).await?) }))
        }
        UserNode::List => {
            let search = params.get("search").map(Glob::parse).transpose().map_err(|error| Answer::invalid("search", error.to_string()))?.flatten();
            let users: Vec<String> = hermes.users(search.as_ref()).await?.iter().map(ToString::to_string).collect();
            Answer::ok(json!({ "users": users }))
        }
        UserNode::AddLocal => {
            let address = SipAddress::new(params.parsed("username", SipUser::parse)?, params.parsed("domain", SipDomain::parse)?);
            let new = NewLocalUser {
                address,
                displayname: params.parsed("displayname", DisplayName::parse)?,
                email: params.parsed("email", steward_model::Email::parse)?,
                dialplan: params.optional("dialplan", Dialplan::parse)?,
                linetext: params.optional("linetext", LineText::parse)?,
            };
            Answer::ok(json!({ "user": user_json(&hermes.add_local(&caller.actor, new).await?) }))
        }
        UserNode::AddRemote => {
            let address = SipAddress::new(params.parsed("username", SipUser::parse)?, params.parsed("domain", SipDomain::parse)?);
            let new = NewRemoteUser {
                address,
                password: params.parsed("password", SipPassword::parse)?,
                displayname: params.parsed("displayname", DisplayName::parse)?,
                registrar: params.parsed("registrar", SipDomain::parse)?,
                r_port: params.optional("r_port", Port::parse)?,
                proxy: params.optional("proxy", SipDomain::parse)?,
                p_port: params.optional("p_port", Port::parse)?,
                authid: params.optional("authid", SipUser::parse)?,
                dialplan: params.optional("dialplan", Dialplan::parse)?,
                linetext: params.optional("linetext", LineText::parse)?,
            };
            Answer::ok(json!({ "user": user_json(&hermes.add_remote(&caller.actor, new).await?) }))
        }
        UserNode::Remove => {
            let address = params.address("user")?;
            let aliases: Vec<String> = hermes.remove(&caller.actor, &address).await?.iter().map(ToString::to_string).collect();
            if aliases.is_empty() { Answer::ok(json!({})) } else { Answer::ok(json!({ "removed_aliases": aliases })) }
        }
        UserNode::GenPw => Answer::ok(json!({ "password": steward_core::sip::generate_password().expose() })),
        UserNode::ChangePw => {
            let address = params.address("user")?;
            let password = params.parsed("password", SipPassword::parse)?;
            Answer::ok(json!({ "user": user_json(&hermes.change_password(&caller.actor, &address, &password).await?) }))
        }
        UserNode::Update => {
            let address = params.address("user")?;
            let changes = UserChanges {
                displayname: params.optional("displayname", DisplayName::parse)?,
                dialplan: params.optional("dialplan", Dialplan::parse)?,
                linetext: params.optional("linetext", LineText::parse)?,
            };
            if changes.displayname.is_none() && changes.dialplan.is_none() && changes.linetext.is_none() {
                return Err(Answer::invalid("displayname", "Nothing to update: give displayname, dialplan or linetext"));
            }
            Answer::ok(json!({ "user": user_json(&hermes.update(&caller.actor, &address, changes).await?) }))
        }
    })
}
