//! Every Janua path → its handler. Web services answer other methods with Janua's 405
//! envelope (GET-only services are those without arguments, as in the original).

use axum::routing::{MethodRouter, get, post};
use crate::rest;
use axum::{Extension, Router};
use steward_http::AppState;

use crate::Prefix;
use crate::envelope::web_method_not_allowed;
use crate::web;

fn get_only(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.fallback(|| async { web_method_not_allowed("GET") })
}

fn post_only(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.fallback(|| async { web_method_not_allowed("POST") })
}

/// A REST collection (`/api/M`): GET and POST, else 405 in the REST envelope.
fn collection(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.fallback(|| async { rest::method_not_allowed("GET, POST") })
}

/// A REST instance (`/api/M/<id>`): GET, PUT and DELETE (PATCH is not enabled, as in Janua).
fn instance(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.fallback(|| async { rest::method_not_allowed("GET, PUT, DELETE") })
}

/// The face's routes, mounted under `prefix` (`""` for the root).
pub fn router(prefix: &str) -> Router<AppState> {
    let routes = Router::new()
        .route("/login", post_only(post(web::login::login)))
        .route("/logout", get_only(get(web::login::logout)))
        .route("/list_auth_backend", get_only(get(web::backends::list)))
        .route("/get_auth_backend/{backend}", get_only(get(web::backends::get)))
        .route("/set_auth_backend/{backend}", post_only(post(web::backends::set)))
        .route("/sendsms", post_only(post(web::sms::send)))
        .route("/sendmail", post_only(post(web::mail::send)))
        .route("/sms-usage", get_only(get(web::usage::usage)))
        .route("/sms-stats", get_only(get(web::usage::stats)))
        .route("/get_sms_config", get_only(get(web::config::sms)))
        .route("/get_web_config", get_only(get(web::config::web)))
        .route("/api/CONTACT", collection(get(rest::contacts::list).post(rest::contacts::create)))
        .route(
            "/api/CONTACT/{id}",
            instance(get(rest::contacts::get).put(rest::contacts::update).delete(rest::contacts::delete)),
        )
        .route("/api/CONTACT/{id}/{relation}", get(rest::contacts::related).fallback(|| async { rest::method_not_allowed("GET") }))
        .route("/api/CONTACT/{id}/{relation}/{related}", get(rest::contacts::related).fallback(|| async { rest::method_not_allowed("GET") }))
        .route("/api/GROUPS/{id}/{relation}", get(rest::groups::related).fallback(|| async { rest::method_not_allowed("GET") }))
        .route("/api/GROUPS/{id}/{relation}/{related}", get(rest::groups::related).fallback(|| async { rest::method_not_allowed("GET") }))
        .route("/api/GROUPS", collection(get(rest::groups::list).post(rest::groups::create)))
        .route("/api/GROUPS/{id}", instance(get(rest::groups::get).put(rest::groups::update).delete(rest::groups::delete)))
        .route("/api/ADMIN", collection(get(rest::admins::list).post(rest::admins::create)))
        .route("/api/ADMIN/{id}", instance(get(rest::admins::get).put(rest::admins::update).delete(rest::admins::delete)))
        .route("/api/ADMIN/{id}/{relation}", get(rest::admins::related).fallback(|| async { rest::method_not_allowed("GET") }))
        .route("/api/ADMIN/{id}/{relation}/{related}", get(rest::admins::related).fallback(|| async { rest::method_not_allowed("GET") }))
        .route("/api/SMS", get(rest::sms::list).fallback(|| async { rest::method_not_allowed("GET") }))
        .route("/api/SMS/{id}", get(rest::sms::get).fallback(|| async { rest::method_not_allowed("GET") }))
        .route("/api/CONTACT_GROUP", collection(get(rest::memberships::list).post(rest::memberships::create)))
        .route(
            "/api/CONTACT_GROUP/{id}",
            instance(get(rest::memberships::get).put(rest::memberships::update).delete(rest::memberships::delete)),
        );
    let routes = routes.merge(access_lists()).layer(Extension(Prefix(prefix.to_owned())));
    if prefix.is_empty() { routes } else { Router::new().nest(prefix, routes) }
}

/// `/api/ACTION` and the three access lists, each list with its own route state.
fn access_lists() -> Router<AppState> {
    use steward_core::messaging::access_lists::AccessList;
    let mut router = Router::new()
        .route("/api/ACTION", get(rest::acl::actions).fallback(|| async { rest::method_not_allowed("GET") }))
        .route("/api/ACTION/{id}", get(rest::acl::action).put(rest::acl::reassign).fallback(|| async { rest::method_not_allowed("GET, PUT") }))
        .route("/api/ACTION/{id}/{relation}", get(rest::acl::action_related).fallback(|| async { rest::method_not_allowed("GET") }))
        .route("/api/ACTION/{id}/{relation}/{related}", get(rest::acl::action_related).fallback(|| async { rest::method_not_allowed("GET") }));
    for (list, path, item) in [
        (AccessList::GroupAction, "/api/AUTHORIZED_GROUP_ACTION", "/api/AUTHORIZED_GROUP_ACTION/{id}"),
        (AccessList::SupervisorAction, "/api/AUTHORIZED_SUPERVISOR_ACTION", "/api/AUTHORIZED_SUPERVISOR_ACTION/{id}"),
        (AccessList::ContactNotify, "/api/CONTACT_NOTIFY_ACTION", "/api/CONTACT_NOTIFY_ACTION/{id}"),
    ] {
        let route = rest::acl::ListRoute { list, path };
        let lists = Router::new()
            .route(path, collection(get(rest::acl::list).post(rest::acl::create)))
            .route(item, get(rest::acl::get).delete(rest::acl::delete).fallback(|| async { rest::method_not_allowed("GET, DELETE") }))
            .layer(Extension(route));
        router = router.merge(lists);
    }
    router
}
