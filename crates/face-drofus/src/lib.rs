//! The dRofus face: dRofus' admin system REST API (projects, owners, users, project users,
//! tenant databases, login statistics) in JSON, XML and HTML, translated onto Steward's
//! core. docs/faces/drofus.md says what is served and the choices made.
//!
//! # Layout
//! - [`format`]: the format a request wants (path suffix, then `Accept`; 406 otherwise).
//! - [`render`]: a resource declared once ([`render::Resource`]) and written as root-wrapped
//!   JSON, Rails' `to_xml` or an escaped HTML table; Rails' error bodies.
//! - [`body`]: JSON or bracket-form bodies, the root key, fields as the client sent them.
//! - [`call`]: every request's format and caller (401 in Rails' plain text, 403).
//! - [`errors`]: the core's refusals in Rails' words and statuses.
//! - [`owners`], [`projects`] (and project types), [`databases`], [`users`],
//!   [`project_users`] (and `/emails`), [`logins`] (`/node/logins`): the resources.

pub mod body;
pub mod call;
pub mod databases;
pub mod errors;
pub mod format;
pub mod logins;
pub mod owners;
pub mod project_users;
pub mod projects;
pub mod render;
pub mod users;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use steward_http::{AppState, Prefix};

use crate::call::Call;
use crate::format::Format;
use crate::render::Resource;

/// 201 with the object and `Location`; an HTML form post is redirected to it instead.
pub(crate) fn created<R: Resource>(call: &Call, resource: &R, location: String) -> Response {
    if call.format == Format::Html {
        return redirect(&location);
    }
    render::one(call.format, StatusCode::CREATED, resource).at(location).into_response()
}

/// 200 with the object; HTML is redirected to it.
pub(crate) fn updated<R: Resource>(call: &Call, resource: &R, path: String) -> Response {
    if call.format == Format::Html {
        return redirect(&call.prefix.path(&path));
    }
    render::one(call.format, StatusCode::OK, resource).into_response()
}

/// 204; HTML is redirected to the list at `list`.
pub(crate) fn deleted(call: &Call, list: &str) -> Response {
    if call.format == Format::Html {
        return redirect(&call.prefix.path(list));
    }
    StatusCode::NO_CONTENT.into_response()
}

/// An action's outcome, 200; HTML is redirected back to the resource at `path`.
pub(crate) fn acted(call: &Call, path: &str, message: &str, count: u64) -> Response {
    if call.format == Format::Html {
        return redirect(&call.prefix.path(path));
    }
    render::outcome(call.format, message, count).into_response()
}

fn redirect(location: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location.to_owned())]).into_response()
}

/// What Rails answers a method no route takes: 404 with the exception body (JSON, as the
/// format is not known before a route is found).
async fn no_route() -> Response {
    render::status_error(Format::Json, StatusCode::NOT_FOUND).into_response()
}

/// HEAD on a GET with side effects: 405, so no prefetch or link checker triggers it.
async fn head_refused() -> StatusCode {
    StatusCode::METHOD_NOT_ALLOWED
}

/// An action on one resource (`/users/<u>/kick`): GET as in the seed, POST too, HEAD never.
fn action<H, T>(router: Router<AppState>, path: &str, handler: H) -> Router<AppState>
where
    H: axum::handler::Handler<T, AppState>,
    T: 'static,
{
    collection(router, path, get(handler.clone()).post(handler).head(head_refused))
}

fn only(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.fallback(no_route)
}

/// `path`, `path.json`, `path.xml`, `path.html` and `path/` to one route.
fn collection(mut router: Router<AppState>, path: &str, route: MethodRouter<AppState>) -> Router<AppState> {
    for variant in [path.to_owned(), format!("{path}/"), format!("{path}.json"), format!("{path}.xml"), format!("{path}.html")] {
        router = router.route(&variant, only(route.clone()));
    }
    router
}

/// `path/{id}` (the id carrying any format suffix) and its trailing-slash form.
fn member(router: Router<AppState>, path: &str, route: MethodRouter<AppState>) -> Router<AppState> {
    router.route(&format!("{path}/{{id}}"), only(route.clone())).route(&format!("{path}/{{id}}/"), only(route))
}

/// Every dRofus route, under `prefix` (`""` at the root, as in the seed).
pub fn router(prefix: &str) -> Router<AppState> {
    let mut routes = Router::new();
    routes = collection(routes, "/owners", get(owners::index).post(owners::create));
    routes = member(routes, "/owners", get(owners::show).put(owners::update).patch(owners::update).delete(owners::destroy));
    routes = collection(routes, "/projects", get(projects::index).post(projects::create));
    routes = member(routes, "/projects", get(projects::show).put(projects::update).patch(projects::update).delete(projects::destroy));
    routes = collection(routes, "/project_types", get(projects::types));
    routes = collection(routes, "/users", get(users::index).post(users::create));
    routes = member(routes, "/users", get(users::show).put(users::update).patch(users::update).delete(users::destroy));
    routes = action(routes, "/users/{id}/disable", users::disable);
    routes = action(routes, "/users/{id}/enable", users::enable);
    routes = action(routes, "/users/{id}/kick", users::kick);
    for path in ["/project_users", "/project_user"] {
        routes = collection(routes, path, get(project_users::index).post(project_users::create));
        routes = member(
            routes,
            path,
            get(project_users::show).put(project_users::update).patch(project_users::update).delete(project_users::destroy),
        );
    }
    routes = collection(routes, "/emails", get(project_users::emails));
    routes = collection(routes, "/node/logins", get(logins::index));
    routes = collection(routes, "/database", get(databases::index));
    routes = action(routes, "/database/{id}/disableall", databases::disable_all);
    routes = action(routes, "/database/{id}/enableall", databases::enable_all);
    routes = action(routes, "/database/{id}/kickall", databases::kick_all);
    routes = member(routes, "/database", get(databases::show).delete(databases::destroy));
    routes = routes.route("/database/{id}/get_backup_now", only(get(databases::backup).head(head_refused)));
    let routes = routes.layer(axum::Extension(Prefix(prefix.to_owned())));
    if prefix.is_empty() { routes } else { Router::new().nest(prefix, routes) }
}
