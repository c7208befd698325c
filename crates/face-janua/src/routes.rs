//! Every Janua path → its handler. Web services answer other methods with Janua's 405
//! envelope (GET-only services are those without arguments, as in the original).

use axum::routing::{MethodRouter, get, post};
use crate::rest::{self, resource};
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

/// The face's routes, mounted under `prefix` (`""` for the root); its cookies are `Secure`
/// when `public_url` is https.
pub fn router(prefix: &str, public_url: &str) -> Router<AppState> {
    let secure = web::login::SecureCookies(public_url.starts_with("https://"));
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
        .route("/get_web_config", get_only(get(web::config::web)));
    let routes = routes.merge(models()).layer(Extension(Prefix(prefix.to_owned()))).layer(Extension(secure));
    if prefix.is_empty() { routes } else { Router::new().nest(prefix, routes) }
}

/// The Flask-Restless models, each at `/api/<MODEL>`.
fn models() -> Router<AppState> {
    use rest::acl::{AccessLists, Actions};
    use steward_core::messaging::access_lists::AccessList;
    Router::new()
        .merge(resource::routes(rest::contacts::Contacts))
        .merge(resource::routes(rest::groups::Groups))
        .merge(resource::routes(rest::memberships::Memberships))
        .merge(resource::routes(rest::admins::Admins))
        .merge(resource::routes(rest::sms::SmsLog))
        .merge(resource::routes(Actions))
        .merge(resource::routes(AccessLists { list: AccessList::GroupAction, path: "/api/AUTHORIZED_GROUP_ACTION" }))
        .merge(resource::routes(AccessLists { list: AccessList::SupervisorAction, path: "/api/AUTHORIZED_SUPERVISOR_ACTION" }))
        .merge(resource::routes(AccessLists { list: AccessList::ContactNotify, path: "/api/CONTACT_NOTIFY_ACTION" }))
}
