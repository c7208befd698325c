//! The state every handler receives.

use std::sync::Arc;

use steward_core::Core;
use steward_model::health::Health;

/// Shared by every route of every face. One pointer: axum clones the state for every
/// request, and cloning the core's twenty `Arc`s there showed as 3 % of a busy server's
/// time (contended reference counts on two cores).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What [`AppState`] shares.
pub struct Shared {
    /// Every core service.
    pub core: Core,
    /// Connector health, for `/readyz`.
    pub health: Health,
    /// Renders `/metrics`.
    pub metrics: Arc<metrics_exporter_prometheus::PrometheusHandle>,
}

impl AppState {
    /// The state of a server.
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
