//! Each request's id and its line in the access log.
//!
//! The id is the `X-Request-Id` a trusted proxy sent, so the proxy's log and Steward's
//! share it; from anyone else the header is not believed (a client could pick an id to
//! muddle the logs) and a fresh UUID is made instead. The id is answered in
//! `X-Request-Id`, carried by every log line the request causes (they are inside its
//! `request` span), and given as a problem's `instance` ([`RequestId::current`]).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderName, HeaderValue, Response};
use axum::middleware::Next;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::client::{ClientAddress, TrustedProxies};

/// `X-Request-Id`, in requests from trusted proxies and in every answer.
pub static HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The longest id believed from a proxy.
const MAX_LENGTH: usize = 128;

tokio::task_local! {
    /// The id of the request the current task is serving.
    static CURRENT: RequestId;
}

/// One request's id: printable, at most 128 characters, and a valid URI reference (letters,
/// digits and `-._~:`), so it can stand as a problem's `instance` as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(Arc<str>);

impl RequestId {
    /// The id of the request being served, outside a request `None`.
    pub fn current() -> Option<Self> {
        CURRENT.try_with(Clone::clone).ok()
    }

    /// A fresh id.
    fn generate() -> Self {
        // From the thread's CSPRNG (seeded from the OS, reseeded by `rand`), not the OS per
        // id: `Uuid::new_v4` made one getrandom syscall per request (docs/PERFORMANCE.md,
        // issue 14: a syscall each request is worth avoiding, if not the main cost there).
        let mut random = [0u8; 16];
        rand::fill(&mut random);
        let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
        Self(Arc::from(&*uuid::Builder::from_random_bytes(random).into_uuid().hyphenated().encode_lower(&mut text)))
    }

    /// `raw` when it is an acceptable id.
    fn parse(raw: &str) -> Option<Self> {
        let acceptable = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~' | ':');
        (!raw.is_empty() && raw.len() <= MAX_LENGTH && raw.chars().all(acceptable)).then(|| Self(Arc::from(raw)))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// Middleware: gives the request its [`RequestId`] (in its extensions and its header, and
/// as the task's current id while it is served) and answers it in `X-Request-Id`.
pub async fn identify(proxies: TrustedProxies, mut request: Request, next: Next) -> axum::response::Response {
    let peer = request.extensions().get::<ConnectInfo<std::net::SocketAddr>>().map(|info| info.0.ip());
    let from_proxy = peer.is_some_and(|peer| proxies.contains(peer));
    let sent = request.headers().get(&HEADER).and_then(|value| value.to_str().ok());
    let id = sent.filter(|_| from_proxy).and_then(RequestId::parse).unwrap_or_else(RequestId::generate);
    if let Ok(value) = HeaderValue::from_str(id.as_str()) {
        request.headers_mut().insert(HEADER.clone(), value.clone());
        request.extensions_mut().insert(id.clone());
        let mut response = CURRENT.scope(id, next.run(request)).await;
        response.headers_mut().insert(HEADER.clone(), value);
        return response;
    }
    next.run(request).await
}

/// The access-log layer's type: a span per request, one event per answer, nothing else.
pub type AccessLog = TraceLayer<SharedClassifier<ServerErrorsAsFailures>, fn(&Request) -> Span, (), Answered, (), (), ()>;

/// What logs an answer.
type Answered = fn(&Response<axum::body::Body>, Duration, &Span);

/// The access log: one `steward::access` event per answered request, inside a `request`
/// span that every other event of the request inherits. Silence it with
/// `RUST_LOG=info,steward::access=off`.
pub fn log_layer() -> AccessLog {
    TraceLayer::new_for_http()
        .make_span_with(request_span as fn(&Request) -> Span)
        .on_request(())
        .on_response(answered as Answered)
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
}

fn request_span(request: &Request) -> Span {
    let id = request.extensions().get::<RequestId>().map_or("", RequestId::as_str);
    let client = request.extensions().get::<ClientAddress>().and_then(|client| client.0);
    tracing::info_span!(
        "request",
        id = %id,
        client = %client.map_or_else(|| "-".to_owned(), |address| address.to_string()),
        method = %request.method(),
    )
}

/// Logs the answer with its route template, never the raw path: some paths carry a secret
/// (Adjutant's task tokens, set-password links).
fn answered(response: &Response<axum::body::Body>, latency: Duration, _span: &Span) {
    let millis = latency.as_secs_f64() * 1000.0;
    let route = response.extensions().get::<crate::metrics::Route>().map_or("unmatched", |route| route.0.as_str());
    tracing::info!(target: "steward::access", route, status = response.status().as_u16(), millis, "answered");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_random_uuids() {
        let (one, two) = (RequestId::generate(), RequestId::generate());
        assert_ne!(one, two);
        let parsed = uuid::Uuid::parse_str(one.as_str()).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(one.as_str(), parsed.hyphenated().to_string(), "lower-case, hyphenated");
        assert!(RequestId::parse(one.as_str()).is_some(), "what a trusted proxy may pass on too");
    }
}
