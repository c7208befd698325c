//! The number pool nodes: list, add_range, add, remove, inpool.

use serde_json::json;
use steward_http::AppState;
use steward_model::E164;
use steward_model::sip::Glob;

use crate::nodes::NumbersNode;
use crate::caller::Caller;
use crate::envelope::Answer;
use crate::params::Params;

/// `true`, `false`, `1` or `0`.
pub fn flag(raw: &str) -> Result<bool, String> {
    match raw {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(format!("`{raw}` is not one of true, false, 1, 0")),
    }
}

fn positive(raw: &str) -> Result<usize, String> {
    raw.parse::<usize>().ok().filter(|limit| *limit > 0).ok_or_else(|| format!("`{raw}` is not a positive whole number"))
}

/// Answers `numbers/<node>`.
pub async fn serve(state: &AppState, caller: &Caller, node: NumbersNode, params: &Params) -> Result<Answer, Answer> {
    let hermes = &state.core.hermes;
    Ok(match node {
        NumbersNode::List => {
            let search = params.optional("search", Glob::parse)?.flatten();
            let random = params.optional("random", flag)?.unwrap_or(false);
            let limit = params.optional("limit", positive)?;
            let numbers: Vec<String> = hermes.numbers(search.as_ref(), random, limit).await?.iter().map(ToString::to_string).collect();
            Answer::ok(json!({ "numbers": numbers }))
        }
        NumbersNode::AddRange => {
            let start = params.parsed("start", E164::parse)?;
            let end = params.parsed("end", E164::parse)?;
            match hermes.add_range(&caller.actor, &start, &end).await? {
                Ok(done) => Answer::ok(json!({ "detail": format!("Added {} numbers", done.added), "added": done.added, "skipped": done.skipped })),
                Err(refusal) => Answer::invalid("range", refusal.to_string()),
            }
        }
        NumbersNode::Add => {
            let number = params.parsed("number", E164::parse)?;
            hermes.add_number(&caller.actor, &number).await?;
            Answer::ok(json!({ "number": number.as_str(), "detail": format!("Added {number}") }))
        }
        NumbersNode::Remove => {
            let number = params.parsed("number", E164::parse)?;
            hermes.remove_number(&caller.actor, &number).await?;
            Answer::ok(json!({ "number": number.as_str() }))
        }
        NumbersNode::InPool => {
            let number = params.parsed("number", E164::parse)?;
            hermes.in_pool(&number).await?;
            Answer::ok(json!({ "number": number.as_str() }))
        }
    })
}
