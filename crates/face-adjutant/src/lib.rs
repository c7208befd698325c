//! The Adjutant face: OpenStack Adjutant's v1 API (the seed's administrative endpoints, and
//! the delegate APIs that create tasks) over Steward's workflow. docs/faces/adjutant.md says
//! what is served and every difference from upstream.
//!
//! # Layout
//! - [`envelope`]: `notes` / `errors` envelopes, and the words of every refusal.
//! - [`body`]: JSON object bodies, with JSON answers for every way they can be wrong.
//! - [`caller`]: the requester a token or Basic makes, or nobody.
//! - [`filters`]: Django's `filters` JSON into the model's filter tree.
//! - [`render`]: tasks, tokens and notifications as Adjutant's JSON.
//! - [`call`]: one request, read once: method, query, body, caller.
//! - [`admin`]: the seed's endpoints (status, tasks, tokens, notifications).
//! - [`delegate`]: the delegate APIs: tasks for sign-up, password reset, invitations, role
//!   edits and e-mail changes; a project's people and the roles the caller may give.
//! - [`keystone`]: the Keystone v3 subset OpenStack's clients authenticate through.
//! - [`api`]: both in the API description.

pub mod admin;
pub mod api;
pub mod body;
pub mod call;
pub mod caller;
pub mod delegate;
pub mod envelope;
pub mod filters;
pub mod keystone;
pub mod render;

use axum::routing::any;
use steward_http::AppState;
use steward_http::apidoc::Routes;

/// Every Adjutant route under `prefix` (`""` at the root), and the Keystone subset both at
/// the root and under the prefix, with their description. Every path also answers with a
/// trailing slash, and the seed's singular spellings (`/v1/token`, `/v1/notification`) are
/// the plural ones.
pub fn face(prefix: &str, public_url: &str) -> steward_http::apidoc::FaceRoutes {
    let keystone = || keystone::router(keystone::KeystoneSettings { adjutant_prefix: prefix.to_owned(), public_url: public_url.to_owned() });
    let mut routes = Routes::new();
    let mut serve = |path: &str, handler: axum::routing::MethodRouter<AppState>| {
        routes = std::mem::take(&mut routes).route(path, handler.clone()).route(&format!("{path}/"), handler);
    };
    serve("/v1", any(admin::version));
    serve("/v1/status", any(admin::status));
    serve("/v1/tasks", any(admin::tasks));
    serve("/v1/tasks/{id}", any(admin::task));
    for tokens in ["/v1/tokens", "/v1/token"] {
        serve(tokens, any(admin::tokens));
        serve(&format!("{tokens}/{{id}}"), any(admin::token));
    }
    for notifications in ["/v1/notifications", "/v1/notification"] {
        serve(notifications, any(admin::notifications));
        serve(&format!("{notifications}/{{id}}"), any(admin::notification));
    }
    serve("/v1/openstack/sign-up", any(delegate::sign_up));
    serve("/v1/actions/CreateProjectAndUser", any(delegate::sign_up));
    serve("/v1/openstack/users/password-reset", any(delegate::password_reset));
    serve("/v1/actions/ResetPassword", any(delegate::password_reset));
    serve("/v1/openstack/users", any(delegate::users));
    serve("/v1/actions/InviteUser", any(delegate::invite_user_action));
    serve("/v1/openstack/users/email-update", any(delegate::email_update));
    serve("/v1/actions/UpdateEmail", any(delegate::email_update));
    serve("/v1/openstack/users/{id}", any(delegate::user));
    serve("/v1/openstack/users/{id}/roles", any(delegate::user_roles));
    serve("/v1/actions/EditUser", any(delegate::edit_user));
    serve("/v1/openstack/roles", any(delegate::roles));
    serve("/v1/openstack/quotas", any(delegate::quotas));
    let routes = routes
        .route("/v1/{*rest}", any(admin::unknown))
        .map(|router| router.layer(axum::Extension(call::PublicUrl(public_url.into()))))
        .merge(keystone());
    let routes = if prefix.is_empty() { routes } else { routes.nest(prefix).merge(keystone()) };
    let prefix = prefix.to_owned();
    let api: steward_http::apidoc::Describe = Box::new(move || {
        let mut api = api::described().under(&prefix);
        api.merge(api::keystone().under(&prefix));
        if !prefix.is_empty() {
            api.merge(api::keystone().under(""));
        }
        api
    });
    steward_http::apidoc::FaceRoutes { face: "adjutant", routes, api }
}
