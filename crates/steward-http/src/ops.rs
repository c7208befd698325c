//! Operational endpoints, never under a face prefix: liveness, readiness, metrics.

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use utoipa::openapi::HttpMethod;
use serde_json::json;

use crate::AppState;
use crate::apidoc::{self, Described, Routes, schema};

/// How long `/readyz` waits for the store before calling it down.
const STORE_DEADLINE: Duration = Duration::from_secs(2);

/// `/healthz`, `/readyz`, `/metrics`.
pub fn routes() -> Routes {
    Routes::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(render_metrics))
}

/// Their description.
pub fn api() -> utoipa::openapi::OpenApi {
    let status = |values: &[&str]| schema::object_with(&[("status", schema::one_of_strings(values))], &["status"]);
    let ready = schema::object_with(
        &[
            ("status", schema::one_of_strings(&["ok", "degraded", "down"])),
            ("checks", schema::object()),
            ("outbox", schema::object_with(&[("pending", schema::integer()), ("failed", schema::integer())], &["pending", "failed"])),
        ],
        &["status", "checks", "outbox"],
    );
    Described::new("ops")
        .operation(HttpMethod::Get, "/healthz", apidoc::summary("Liveness: 200 while the process runs.").response("200", apidoc::json("Alive.", status(&["ok"]))))
        .operation(
            HttpMethod::Get,
            "/readyz",
            apidoc::summary("Readiness: the store, each connector, and the outbox's waiting and failed deliveries.")
                .response("200", apidoc::json("`ok`, or `degraded` when a connector is down or deliveries failed.", ready.clone()))
                .response("503", apidoc::json("`down`: the store does not answer.", ready)),
        )
        .operation(
            HttpMethod::Get,
            "/metrics",
            apidoc::summary("Prometheus metrics (docs/configuration.md lists them).")
                .response("200", apidoc::content("The text exposition format.", "text/plain", schema::string())),
        )
        .under("")
}

/// 200 while the process runs.
async fn healthz() -> Response {
    // A fixed body, pre-serialised: this is the benchmarks' baseline.
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], r#"{"status":"ok"}"#).into_response()
}

/// 200 while the store answers (`ok`, or `degraded` when a connector is down or deliveries
/// failed), else 503 `down`.
async fn readyz(State(state): State<AppState>) -> Response {
    // Counting the outbox is a read of the store: an answer proves it answers.
    let store = tokio::time::timeout(STORE_DEADLINE, state.core.outbox.counts()).await;
    let (store_check, counts) = match store {
        Ok(Ok(counts)) => ("ok".to_owned(), Some(counts)),
        Ok(Err(error)) => (format!("down: {error}"), None),
        Err(_) => ("down: no answer within 2 s".to_owned(), None),
    };
    let connectors = [&state.health.mail, &state.health.sms, &state.health.kamailio, &state.health.ldap].map(|health| health.get());
    let failed = counts.map_or(0, |counts| counts.failed);
    let (status, code) = if counts.is_none() {
        ("down", StatusCode::SERVICE_UNAVAILABLE)
    } else if connectors.iter().any(|state| state.is_down()) || failed > 0 {
        ("degraded", StatusCode::OK)
    } else {
        ("ok", StatusCode::OK)
    };
    let [mail, sms, kamailio, ldap] = connectors.map(|state| state.describe());
    let body = json!({
        "status": status,
        "checks": { "store": store_check, "mail": mail, "sms": sms, "kamailio": kamailio, "ldap": ldap },
        "outbox": { "pending": counts.map_or(0, |counts| counts.pending), "failed": failed },
    });
    (code, Json(body)).into_response()
}

/// Prometheus text format; the sampled gauges (process, hashers, store pool) are read now.
async fn render_metrics(State(state): State<AppState>) -> Response {
    crate::metrics::sample_process();
    state.core.load.record();
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"))],
        state.metrics.render(),
    )
        .into_response()
}
