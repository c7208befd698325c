//! The state every handler receives.

use std::sync::Arc;

use steward_core::Core;
use steward_model::health::Health;
use tokio::sync::Notify;

/// Shared by every route of every face; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Every core service.
    pub core: Core,
    /// Connector health, for `/readyz`.
    pub health: Health,
    /// Renders `/metrics`.
    pub metrics: Arc<metrics_exporter_prometheus::PrometheusHandle>,
    /// Wakes the outbox worker after something was queued.
    pub outbox_waker: Arc<Notify>,
}
