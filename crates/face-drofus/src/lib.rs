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
//! - [`api`]: how a route is described; each is described where it is mounted.

pub mod api;
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

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use steward_http::apidoc::Routes;
use steward_http::{AppState, Prefix};
use utoipa::openapi::HttpMethod;

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

/// One described operation: its path, method and summary, and whether the path names one
/// resource (`{id}`).
type Entry = (String, HttpMethod, String, bool);

/// Routes and what describes them, built together: each route is described where it is
/// mounted, from the same path.
struct Mount {
    routes: Routes,
    entries: Vec<Entry>,
}

impl Mount {
    fn new() -> Self {
        Self { routes: Routes::new(), entries: Vec::new() }
    }

    fn describe(mut self, path: &str, operations: &[(HttpMethod, &str)], member: bool) -> Self {
        for (method, summary) in operations {
            self.entries.push((path.to_owned(), method.clone(), (*summary).to_owned(), member));
        }
        self
    }

    /// `path`, `path.json`, `path.xml`, `path.html` and `path/` to one route.
    fn collection(mut self, path: &str, route: MethodRouter<AppState>, operations: &[(HttpMethod, &str)]) -> Self {
        for variant in [path.to_owned(), format!("{path}/"), format!("{path}.json"), format!("{path}.xml"), format!("{path}.html")] {
            self.routes = self.routes.route(&variant, only(route.clone()));
        }
        let member = path.contains("{id}");
        self.describe(path, operations, member)
    }

    /// `path/{id}` (the id carrying any format suffix) and its trailing-slash form.
    fn member(mut self, path: &str, route: MethodRouter<AppState>, operations: &[(HttpMethod, &str)]) -> Self {
        let one = format!("{path}/{{id}}");
        self.routes = self.routes.route(&one, only(route.clone())).route(&format!("{one}/"), only(route));
        self.describe(&one, operations, true)
    }

    /// An action on one resource (`/users/<u>/kick`): GET as in the seed, POST too, HEAD never.
    fn action<H, T>(self, path: &str, handler: H, summary: &str) -> Self
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        self.collection(path, get(handler.clone()).post(handler).head(head_refused), &[(HttpMethod::Get, summary), (HttpMethod::Post, summary)])
    }
}

fn only(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.fallback(no_route)
}

/// Every dRofus route, under `prefix` (`""` at the root, as in the seed), and their
/// description.
pub fn face(prefix: &str) -> steward_http::apidoc::FaceRoutes {
    use HttpMethod::{Delete, Get, Patch, Post, Put};
    let crud = |what: &'static str| -> [(HttpMethod, String); 4] {
        [(Get, format!("One {what}.")), (Put, format!("Change a {what}.")), (Patch, format!("Change a {what}.")), (Delete, format!("Delete a {what}."))]
    };
    fn owned(operations: &[(HttpMethod, String)]) -> Vec<(HttpMethod, &str)> {
        operations.iter().map(|(method, summary)| (method.clone(), summary.as_str())).collect()
    }
    let (owner, project, user, project_user) = (crud("owner"), crud("project"), crud("user"), crud("project user"));
    let mut mount = Mount::new()
        .collection("/owners", get(owners::index).post(owners::create), &[(Get, "Every owner."), (Post, "Add an owner.")])
        .member("/owners", get(owners::show).put(owners::update).patch(owners::update).delete(owners::destroy), &owned(&owner))
        .collection("/projects", get(projects::index).post(projects::create), &[(Get, "Every project (filters: owner, active, …)."), (Post, "Add a project, with a database cloned from a template.")])
        .member("/projects", get(projects::show).put(projects::update).patch(projects::update).delete(projects::destroy), &owned(&project))
        .collection("/project_types", get(projects::types), &[(Get, "The project types.")])
        .collection("/users", get(users::index).post(users::create), &[(Get, "Every user."), (Post, "Add a user.")])
        .member("/users", get(users::show).put(users::update).patch(users::update).delete(users::destroy), &owned(&user))
        .action("/users/{id}/disable", users::disable, "Disable a user everywhere.")
        .action("/users/{id}/enable", users::enable, "Enable a user again.")
        .action("/users/{id}/kick", users::kick, "End a user's sessions.");
    for path in ["/project_users", "/project_user"] {
        mount = mount
            .collection(path, get(project_users::index).post(project_users::create), &[(Get, "Users' rights on projects."), (Post, "Give a user rights on a project.")])
            .member(
                path,
                get(project_users::show).put(project_users::update).patch(project_users::update).delete(project_users::destroy),
                &owned(&project_user),
            );
    }
    let mount = mount
        .collection("/emails", get(project_users::emails), &[(Get, "The e-mail addresses of a project's users.")])
        .collection("/node/logins", get(logins::index), &[(Get, "Logins per project and client.")])
        .collection("/database", get(databases::index), &[(Get, "Every tenant database.")])
        .action("/database/{id}/disableall", databases::disable_all, "Disable every user of a database.")
        .action("/database/{id}/enableall", databases::enable_all, "Enable every user of a database.")
        .action("/database/{id}/kickall", databases::kick_all, "End every session on a database.")
        .member("/database", get(databases::show).delete(databases::destroy), &[(Get, "One tenant database."), (Delete, "Remove a tenant database.")]);
    let mount = mount.describe("/database/{id}/get_backup_now", &[(Get, "A backup of a tenant database, now.")], true);
    let routes = mount.routes.route("/database/{id}/get_backup_now", only(get(databases::backup).head(head_refused)));
    let entries = mount.entries;
    let routes = routes.map(|router| router.layer(axum::Extension(Prefix(prefix.to_owned())))).nest(prefix);
    let prefix = prefix.to_owned();
    let api: steward_http::apidoc::Describe = Box::new(move || {
        let described = entries.iter().fold(api::described(), |described, (path, method, summary, member)| {
            described.operation(method.clone(), path, api::operation(method, summary, *member))
        });
        described.under(&prefix)
    });
    steward_http::apidoc::FaceRoutes { face: "drofus", routes, api }
}
