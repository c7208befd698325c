//! The Hermes face: the seed's GET nodes under `/user`, `/phone`, `/numbers` and `/alias`,
//! answering `{"response": "ok" | "invalid" | "failed" | "error", …}`, translated onto
//! Steward's core. docs/faces/hermes.md says what is served and every difference.
//!
//! # Layout
//! - [`envelope`]: the response envelope and its transport-level forms (401, 403, 404, 405).
//! - [`params`]: a node's parameters, from the query string or a form body.
//! - [`caller`]: trusted networks, or a token / Basic of a `sip_admin` (or `admin`).
//! - [`users`]: the user nodes.
//! - [`phones`]: the phone nodes.
//! - [`nodes`]: the groups and their nodes, parsed from the path.
//! - [`numbers`]: the number pool nodes.
//! - [`aliases`]: the alias nodes.
//! - [`api`]: the nodes in the API description, from the same table.

pub mod aliases;
pub mod api;
pub mod caller;
pub mod envelope;
pub mod nodes;
pub mod numbers;
pub mod params;
pub mod phones;
pub mod users;

use axum::extract::{Path, State};
use axum::response::Response;
use steward_http::AppState;
use steward_http::apidoc::Routes;

use crate::nodes::{Group, Node};

/// What the face needs from the configuration.
#[derive(Debug, Clone, Default)]
pub struct HermesSettings {
    /// `""` at the root, else `/hermes`-like.
    pub prefix: String,
    /// Callers from these networks need no credentials (`security.trusted_networks`).
    pub trusted_networks: Vec<ipnet::IpNet>,
}

/// Every Hermes route, under `settings.prefix`, and their description.
pub fn face(settings: HermesSettings) -> steward_http::apidoc::FaceRoutes {
    let prefix = settings.prefix.clone();
    let described = prefix.clone();
    let api: steward_http::apidoc::Describe = Box::new(move || api::described().under(&described));
    let mut routes = Routes::new();
    for group in Group::ALL {
        let handler = move |state, settings, Path(node): Path<String>, request| serve(state, settings, group, node, request);
        let path = group.as_str();
        routes = routes
            .route(&format!("/{path}/{{node}}"), axum::routing::any(handler))
            .route(&format!("/{path}/{{node}}/"), axum::routing::any(handler));
    }
    let routes = routes.map(|router| router.layer(axum::Extension(std::sync::Arc::new(settings)))).nest(&prefix);
    steward_http::apidoc::FaceRoutes { face: "hermes", routes, api }
}

async fn serve(
    State(state): State<AppState>,
    axum::Extension(settings): axum::Extension<std::sync::Arc<HermesSettings>>,
    group: Group,
    node: String,
    request: axum::extract::Request,
) -> Response {
    use axum::response::IntoResponse;
    let (request, caller) = match caller::Caller::of(&state, &settings, request).await {
        Ok(found) => found,
        Err(refusal) => return refusal,
    };
    let Some(parsed) = group.node(&node) else {
        let unknown = format!("Unknown API node {}/{node}", group.as_str());
        return envelope::Answer::transport(axum::http::StatusCode::NOT_FOUND, "node", unknown).into_response();
    };
    let params = match params::Params::of(request).await {
        Ok(params) => params,
        Err(answer) => return answer.into_response(),
    };
    let answer = match parsed {
        Node::User(node) => users::serve(&state, &caller, node, &params).await,
        Node::Phone(node) => phones::serve(&state, &caller, node, &params).await,
        Node::Numbers(node) => numbers::serve(&state, &caller, node, &params).await,
        Node::Alias(node) => aliases::serve(&state, &caller, node, &params).await,
    };
    answer.unwrap_or_else(|refusal| refusal).into_response()
}
