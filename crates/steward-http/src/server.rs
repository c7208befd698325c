//! The server: one router for every face plus the operational and native routes, served on
//! a bound listener until a shutdown signal, then drained.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;

use crate::{AppState, Problem};

/// How long in-flight requests may take to finish after the shutdown signal.
pub const DRAIN_DEADLINE: Duration = Duration::from_secs(10);

pub use crate::apidoc::FaceRoutes;

/// Assembles every route: operational, native, the API description, and each enabled face.
/// Every request's client address is worked out once, believing forwarding headers only
/// from `proxies`.
pub fn router(state: AppState, faces: Vec<FaceRoutes>, proxies: crate::client::TrustedProxies) -> Router {
    let (app, _) = routes(faces).0.into_parts();
    // Outermost last: the client address is resolved first, then the request gets its id
    // and its access-log span, and a panic inside still answers with that id.
    let trusted = proxies.clone();
    app.fallback(|| async { Problem::not_found("No such path.") })
        .layer(CatchPanicLayer::custom(|_| panic_response()))
        .layer(crate::access::log_layer())
        .layer(axum::middleware::from_fn(move |request, next| crate::access::identify(trusted.clone(), request, next)))
        .layer(axum::middleware::from_fn(move |request, next| crate::client::resolve(proxies.clone(), request, next)))
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
            header::COOKIE,
            HeaderName::from_static("x-auth-token"),
            HeaderName::from_static("januaauthtoken"),
        ]))
        .with_state(state)
}

/// Every route, each group tracked under its face's metrics label, and the description of
/// them all, which they serve.
pub fn routes(faces: Vec<FaceRoutes>) -> (crate::apidoc::Routes, std::sync::Arc<crate::apidoc::Description>) {
    let track = |name: &'static str, routes: crate::apidoc::Routes| {
        routes.map(|router| router.route_layer(axum::middleware::from_fn(move |request, next| crate::metrics::track(name, request, next))))
    };
    let own: crate::apidoc::Describe = Box::new(|| {
        let mut own = crate::native::api();
        own.merge(crate::ops::api());
        own
    });
    let mut parts = Vec::with_capacity(faces.len());
    let mut app = track("ops", crate::ops::routes());
    for face in faces {
        parts.push(face.api);
        app = app.merge(track(face.face, face.routes));
    }
    let description = std::sync::Arc::new(crate::apidoc::Description::new(own, parts));
    let described = crate::apidoc::Routes::new().map(|router| router.merge(crate::apidoc::router(description.clone())));
    (app.merge(track("steward", crate::native::routes().merge(described))), description)
}

fn panic_response() -> Response {
    tracing::error!("a request handler panicked");
    Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "Steward hit an internal error; it has been logged.").into_response()
}

/// How serving ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Stopped {
    /// Every in-flight request finished within [`DRAIN_DEADLINE`].
    Drained,
    /// Requests were still running at the deadline and were aborted.
    Aborted,
}

/// Serves `app` on `listener` until `shutdown` is cancelled, then stops accepting, lets
/// in-flight requests finish (closing idle keep-alive connections) for up to
/// [`DRAIN_DEADLINE`].
pub async fn run(listener: TcpListener, app: Router, shutdown: CancellationToken) -> std::io::Result<Stopped> {
    let signal = shutdown.clone();
    let serve = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move { signal.cancelled().await });
    let mut serve = std::pin::pin!(serve.into_future());
    tokio::select! {
        result = &mut serve => return result.map(|()| Stopped::Drained),
        () = shutdown.cancelled() => {}
    }
    match tokio::time::timeout(DRAIN_DEADLINE, serve).await {
        Ok(result) => result.map(|()| Stopped::Drained),
        Err(_) => Ok(Stopped::Aborted),
    }
}
