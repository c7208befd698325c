//! The Astakos face: Synnefo 0.13's identity API, translated onto Steward's core. Work in
//! progress: docs/faces/astakos.md says what is served so far.
//!
//! # Layout
//! - [`fault`]: Astakos' JSON fault envelope, and JSONP with a checked callback.
//! - [`catalog`]: `/im/get_services` and `/im/get_menu`.
//! - [`authenticate`]: `/im/authenticate`, and the five user-token checks.
//! - [`presentation`]: how each resource is shown in `usage`.
//! - [`catalogs`]: the uuid ↔ display name catalogs for users and services.
//! - [`feedback`]: `/feedback`, mailed to the operators during the request.
//! - [`api`]: the endpoints in the API description.

pub mod api;
pub mod authenticate;
pub mod catalog;
pub mod catalogs;
pub mod fault;
pub mod feedback;
pub mod presentation;

use axum::routing::any;
use steward_http::apidoc::Routes;

/// Every Astakos route, under `prefix` (`""` at the root, as in the seed). Each path also
/// answers with a trailing slash.
pub fn face(prefix: &str) -> steward_http::apidoc::FaceRoutes {
    let mut routes = Routes::new();
    for path in ["/im/get_services", "/im/get_services/"] {
        routes = routes.route(path, any(catalog::services));
    }
    for path in ["/im/get_menu", "/im/get_menu/"] {
        routes = routes.route(path, any(catalog::menu));
    }
    for path in ["/im/authenticate", "/im/authenticate/"] {
        routes = routes.route(path, any(authenticate::authenticate));
    }
    for path in ["/feedback", "/feedback/"] {
        routes = routes.route(path, any(feedback::feedback));
    }
    for path in ["/user_catalogs", "/user_catalogs/"] {
        routes = routes.route(path, any(catalogs::user_catalogs));
    }
    for path in ["/service/api/user_catalogs", "/service/api/user_catalogs/"] {
        routes = routes.route(path, any(catalogs::service_user_catalogs));
    }
    let routes = routes.map(|router| router.layer(axum::Extension(authenticate::RenderedUsages::new()))).nest(prefix);
    let prefix = prefix.to_owned();
    steward_http::apidoc::FaceRoutes { face: "astakos", routes, api: Box::new(move || api::described().under(&prefix)) }
}
