//! Hermes' nodes in the API description, one operation per node and method, made from the
//! node table that routes them: a node added to [`crate::nodes`] does not compile until
//! [`parameters`] describes it.

use steward_http::apidoc::{self, Described, scheme, schema};
use utoipa::openapi::path::OperationBuilder;
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::{ContentBuilder, HttpMethod};

use crate::nodes::{AliasNode, Group, Node, NumbersNode, PhoneNode, UserNode};

/// A node's parameter: its name, whether it must be given, what it is.
type Parameter = (&'static str, bool, &'static str);

const USERNAME: Parameter = ("username", true, "The user part of the SIP address.");
const DOMAIN: Parameter = ("domain", true, "The domain of the SIP address.");
const SEARCH: Parameter = ("search", false, "Only what matches `*search*` (`*` and `?` are wildcards).");
const NUMBER: Parameter = ("number", true, "An E.164 number, `+` encoded as %2B.");
const MAC: Parameter = ("mac", false, "The phone's MAC address, 12 hex digits.");
const USER: Parameter = ("user", false, "`user@domain`, instead of `username` and `domain`.");

/// A node's summary and parameters.
fn parameters(node: Node) -> (&'static str, &'static [Parameter]) {
    match node {
        Node::User(node) => match node {
            UserNode::Get => (
                "One user.",
                &[("username", false, "The user part (with `domain`)."), ("domain", false, "The domain (with `username`)."), ("address", false, "`user@domain`, instead.")],
            ),
            UserNode::List => ("Every provisioned user's address, by domain then user name.", &[SEARCH]),
            UserNode::AddLocal => (
                "Provision a subscriber of Steward's Kamailio; the answer carries its generated password.",
                &[USERNAME, DOMAIN, ("displayname", true, "The name shown."), ("email", true, "The user's mail address."), ("dialplan", false, "A regular expression; default `(.*)`."), ("linetext", false, "Default: the user name.")],
            ),
            UserNode::AddRemote => (
                "Keep an account at another registrar.",
                &[
                    USERNAME,
                    DOMAIN,
                    ("password", true, "The account's password at its registrar."),
                    ("displayname", true, "The name shown."),
                    ("registrar", true, "The registrar's host."),
                    ("r_port", false, "The registrar's port; default 5060."),
                    ("proxy", false, "The proxy's host; default the registrar."),
                    ("p_port", false, "The proxy's port; default 5060."),
                    ("authid", false, "Default: the user name."),
                    ("dialplan", false, "Default `(.*)`."),
                    ("linetext", false, "Default: the user name."),
                ],
            ),
            UserNode::Remove => ("Remove a user without phones.", &[USERNAME, DOMAIN]),
            UserNode::GenPw => ("A fresh password, stored nowhere.", &[]),
            UserNode::ChangePw => ("Set a user's password (in Kamailio at once).", &[USERNAME, DOMAIN, ("password", true, "The new password.")]),
            UserNode::Update => (
                "Change a user's display name, dial plan or line text.",
                &[USERNAME, DOMAIN, ("displayname", false, "The name shown."), ("dialplan", false, "A regular expression."), ("linetext", false, "The line text.")],
            ),
        },
        Node::Phone(node) => match node {
            PhoneNode::Get => ("One phone with its lines, by MAC, or the phones of a user.", &[MAC, USER]),
            PhoneNode::List => ("Every phone's MAC address.", &[SEARCH]),
            PhoneNode::Add => ("Put a user on a phone.", &[("mac", true, "The phone's MAC address."), ("username", false, "With `domain`."), ("domain", false, "With `username`."), USER]),
            PhoneNode::Remove => ("Take a user off a phone.", &[("mac", true, "The phone's MAC address."), ("username", false, "With `domain`."), ("domain", false, "With `username`."), USER]),
        },
        Node::Numbers(node) => match node {
            NumbersNode::List => (
                "Numbers of the pool not in use.",
                &[SEARCH, ("random", false, "`true`: in random order."), ("limit", false, "At most this many.")],
            ),
            NumbersNode::AddRange => ("A range of numbers into the pool.", &[("start", true, "The first number, E.164."), ("end", true, "The last number, E.164.")]),
            NumbersNode::Add => ("One number into the pool.", &[NUMBER]),
            NumbersNode::Remove => ("One number out of the pool.", &[NUMBER]),
            NumbersNode::InPool => ("Whether a number is in the pool.", &[NUMBER]),
        },
        Node::Alias(node) => match node {
            AliasNode::List => ("Every alias and where it leads.", &[SEARCH]),
            AliasNode::User => ("The aliases leading to a user.", &[("destination", true, "`user@domain`."), ("e164", false, "`true`: only the E.164 one.")]),
            AliasNode::Add => (
                "Add an alias.",
                &[("alias_username", true, "The alias' user part."), ("alias_domain", true, "The alias' domain."), ("destination", true, "`user@domain` it leads to.")],
            ),
            AliasNode::Remove => ("Remove an alias.", &[("alias_username", true, "The alias' user part."), ("alias_domain", true, "The alias' domain.")]),
        },
    }
}

/// The envelope every node answers with.
fn envelope() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    schema::object_with(
        &[
            ("response", schema::one_of_strings(&["ok", "invalid", "failed", "error"])),
            ("cause", schema::string()),
            ("detail", schema::string()),
        ],
        &["response"],
    )
}

fn operation(summary: &str, parameters: &[Parameter]) -> OperationBuilder {
    let mut operation = apidoc::summary(summary)
        .response(
            "200",
            apidoc::json("`response`: `ok` with the node's answer, or `invalid`, `failed`, `error` with `cause` and `detail`.", envelope()),
        )
        .response("default", apidoc::json("Not served: `invalid` with `cause` `auth`, `permission`, `node` or `method`.", envelope()))
        // Trusted networks need no credentials (an empty requirement).
        .security(utoipa::openapi::security::SecurityRequirement::default())
        .security(apidoc::needs(scheme::BASIC))
        .security(apidoc::needs(scheme::BEARER))
        .security(apidoc::needs(scheme::AUTH_TOKEN));
    for (name, required, description) in parameters {
        operation = operation.parameter(apidoc::query(name, *required, description, schema::string()));
    }
    operation
}

fn form(parameters: &[Parameter]) -> utoipa::openapi::request_body::RequestBody {
    let members: Vec<(&str, _)> = parameters.iter().map(|(name, _, _)| (*name, schema::string())).collect();
    let required: Vec<&str> = parameters.iter().filter(|(_, required, _)| *required).map(|(name, _, _)| *name).collect();
    RequestBodyBuilder::new()
        .content("application/x-www-form-urlencoded", ContentBuilder::new().schema(Some(schema::object_with(&members, &required))).build())
        .build()
}

/// Every node, as `GET` with query parameters and as `POST` with a form.
pub fn described() -> Described {
    let mut described = Described::new("hermes");
    for group in Group::ALL {
        for name in group.node_names() {
            let Some(node) = group.node(name) else { continue };
            let (summary, parameters) = parameters(node);
            let path = format!("/{}/{name}", group.as_str());
            described = described
                .operation(HttpMethod::Get, &path, operation(summary, parameters))
                .operation(HttpMethod::Post, &path, operation(summary, &[]).request_body(Some(form(parameters))));
        }
    }
    described
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_node_is_described_for_get_and_post() {
        let document = described().under("");
        let nodes: usize = Group::ALL.iter().map(|group| group.node_names().len()).sum();
        assert_eq!(nodes, 21, "the seed's 21 nodes");
        assert_eq!(document.paths.paths.len(), nodes);
        for item in document.paths.paths.values() {
            assert!(item.get.is_some() && item.post.is_some());
        }
    }
}
