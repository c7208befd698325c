//! Steward's HTTP layer: what every face shares (state, credentials, metrics, the listener
//! and its shutdown) plus the operational endpoints and the native API.
//!
//! # Layout
//! - [`state`]: [`AppState`], handed to every handler.
//! - [`apidoc`]: the OpenAPI description every face adds its operations to, served with
//!   Swagger UI, and [`apidoc::Routes`], a router that remembers its paths.
//! - [`access`]: each request's id (a trusted proxy's `X-Request-Id`, else a new one) and
//!   its access-log line.
//! - [`client`]: the client's address, believing forwarding headers only from trusted proxies.
//! - [`credentials`]: [`Credentials`], every accepted credential form parsed from headers.
//! - [`problem`]: RFC 7807 problem details, the native API's error envelope.
//! - [`json`]: a JSON extractor whose rejections are problem details.
//! - [`metrics`]: the request counter and histogram, labelled by face and matched route.
//! - [`ops`]: `/healthz`, `/readyz`, `/metrics`.
//! - [`native`]: `/steward/v1/…`, the seed of the native admin API.
//! - [`password`]: `/steward/v1/password`, where a set-password link leads (form, then set).
//! - [`server`]: assembling the router and serving a bound listener until shutdown.
//! - [`Prefix`]: where a face is mounted, carried by everything it emits.

pub mod access;
pub mod apidoc;
pub mod client;
pub mod credentials;
pub mod json;
pub mod metrics;
pub mod native;
pub mod ops;
pub mod password;
pub mod problem;
pub mod server;
pub mod state;

pub use credentials::Credentials;
pub use problem::Problem;
pub use state::AppState;

/// Where a face is mounted: `""` at the root (the seed's paths) or `/janua`-like.
/// Everything the face emits (Location headers, redirects, cookie paths) carries it.
#[derive(Debug, Clone, Default)]
pub struct Prefix(pub String);

impl Prefix {
    /// `path` under the prefix.
    pub fn path(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }

    /// The `Path` attribute of the face's cookies.
    pub fn cookie_path(&self) -> String {
        if self.0.is_empty() { "/".to_owned() } else { self.0.clone() }
    }
}
