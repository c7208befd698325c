//! The Hermes face: the seed's GET nodes under `/user`, `/phone`, `/numbers` and `/alias`,
//! answering `{"response": "ok" | "invalid" | "failed" | "error", …}`, translated onto
//! Steward's core. Work in progress: docs/faces/hermes.md says what is served so far.
//!
//! # Layout
//! - [`envelope`]: the response envelope and its transport-level forms (401, 403, 404, 405).
//! - [`params`]: a node's parameters, from the query string or a form body.
//! - [`caller`]: trusted networks, or a token / Basic of a `sip_admin` (or `admin`).
//! - [`users`]: the user nodes.

pub mod caller;
pub mod envelope;
pub mod params;
pub mod users;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use steward_http::AppState;

/// What the face needs from the configuration.
#[derive(Debug, Clone, Default)]
pub struct HermesSettings {
    /// `""` at the root, else `/hermes`-like.
    pub prefix: String,
    /// Callers from these networks need no credentials (`security.trusted_networks`).
    pub trusted_networks: Vec<ipnet::IpNet>,
}

/// Every Hermes route, under `settings.prefix`.
pub fn router(settings: HermesSettings) -> Router<AppState> {
    let prefix = settings.prefix.clone();
    let routes = Router::new()
        .route("/user/{node}", axum::routing::any(user_node))
        .route("/user/{node}/", axum::routing::any(user_node))
        .layer(axum::Extension(std::sync::Arc::new(settings)));
    if prefix.is_empty() { routes } else { Router::new().nest(&prefix, routes) }
}

async fn user_node(
    State(state): State<AppState>,
    axum::Extension(settings): axum::Extension<std::sync::Arc<HermesSettings>>,
    Path(node): Path<String>,
    request: axum::extract::Request,
) -> Response {
    let (request, caller) = match caller::Caller::of(&state, &settings, request).await {
        Ok(found) => found,
        Err(refusal) => return refusal,
    };
    users::serve(&state, &caller, &node, request).await
}
