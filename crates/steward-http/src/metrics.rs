//! Request metrics: `steward_http_requests_total{face,route,status}` and
//! `steward_http_request_duration_seconds{face,route}`, labelled by the matched route
//! (never the raw path, which would let clients mint unbounded label values); and the
//! process's own `process_*` (the `metrics-process` crate), read at each scrape.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// The matched route template of an answered request, left in the response's extensions
/// for the access log (which runs outside the router, where the route is not known).
#[derive(Debug, Clone)]
pub struct Route(pub String);

/// The `process_*` collector, described once at install.
static PROCESS: std::sync::OnceLock<metrics_process::Collector> = std::sync::OnceLock::new();

/// Reads the gauges that are only sampled when scraped: the process's CPU, memory, file
/// descriptors and threads.
pub fn sample_process() {
    if let Some(collector) = PROCESS.get() {
        collector.collect();
    }
}

/// How often histogram samples are folded into their buckets.
const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Installs the process-wide Prometheus recorder and returns the handle `/metrics` renders.
/// Must be called inside the runtime: it starts the upkeep task, without which the recorder
/// keeps every histogram sample until the next scrape (memory grew ~21 bytes a request).
pub fn install() -> Result<PrometheusHandle, String> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("steward_http_request_duration_seconds".to_owned()),
            &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5],
        )
        .map_err(|error| error.to_string())?
        .install_recorder()
        .map_err(|error| error.to_string())?;
    PROCESS.get_or_init(|| {
        let collector = metrics_process::Collector::default();
        collector.describe();
        collector
    });
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(UPKEEP_EVERY);
        loop {
            every.tick().await;
            upkeep.run_upkeep();
        }
    });
    Ok(handle)
}

/// Records one request under `face`. Added with `route_layer` so the matched path is known.
pub async fn track(face: &'static str, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let started = Instant::now();
    let mut response = next.run(request).await;
    let elapsed = started.elapsed().as_secs_f64();
    let status = response.status().as_u16().to_string();
    metrics::counter!("steward_http_requests_total", "face" => face, "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("steward_http_request_duration_seconds", "face" => face, "route" => route.clone()).record(elapsed);
    response.extensions_mut().insert(Route(route));
    response
}
