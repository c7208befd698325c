//! Every Janua path → its handler. Web services answer other methods with Janua's 405
//! envelope (GET-only services are those without arguments, as in the original).

use axum::routing::{MethodRouter, get, post};
use crate::rest::resource::Spec;
use crate::rest::{self, resource};
use axum::Extension;
use steward_http::AppState;
use steward_http::apidoc::Routes;

use crate::Prefix;
use crate::envelope::web_method_not_allowed;
use crate::web;

fn get_only(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.fallback(|| async { web_method_not_allowed("GET") })
}

fn post_only(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.fallback(|| async { web_method_not_allowed("POST") })
}

/// The face under `prefix` (`""` for the root): its routes and their description. Its
/// cookies are `Secure` when `public_url` is https.
pub fn face(prefix: &str, public_url: &str) -> steward_http::apidoc::FaceRoutes {
    let (models, specs) = models();
    let routes = router(prefix, public_url).merge(models.map(|router| router.layer(Extension(Prefix(prefix.to_owned())))).nest(prefix));
    let prefix = prefix.to_owned();
    let api: steward_http::apidoc::Describe =
        Box::new(move || specs.iter().fold(crate::api::described(), |described, spec| crate::api::model(*spec, described)).under(&prefix));
    steward_http::apidoc::FaceRoutes { face: "janua", routes, api }
}

/// The web services' routes under `prefix`.
fn router(prefix: &str, public_url: &str) -> Routes {
    let secure = web::login::SecureCookies(public_url.starts_with("https://"));
    let routes = Routes::new()
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
    let prefix_extension = Prefix(prefix.to_owned());
    routes.map(|router| router.layer(Extension(prefix_extension)).layer(Extension(secure))).nest(prefix)
}

/// The Flask-Restless models, each at `/api/<MODEL>`, and the spec each was mounted from
/// (their operations are described from it).
fn models() -> (Routes, Vec<Spec>) {
    use rest::acl::{AccessLists, Actions};
    use steward_core::messaging::access_lists::AccessList;
    let mounted = (Routes::new(), Vec::new());
    let mounted = model(rest::contacts::Contacts, mounted);
    let mounted = model(rest::groups::Groups, mounted);
    let mounted = model(rest::memberships::Memberships, mounted);
    let mounted = model(rest::admins::Admins, mounted);
    let mounted = model(rest::sms::SmsLog, mounted);
    let mounted = model(Actions, mounted);
    let mounted = model(AccessLists { list: AccessList::GroupAction, path: "/api/AUTHORIZED_GROUP_ACTION" }, mounted);
    let mounted = model(AccessLists { list: AccessList::SupervisorAction, path: "/api/AUTHORIZED_SUPERVISOR_ACTION" }, mounted);
    model(AccessLists { list: AccessList::ContactNotify, path: "/api/CONTACT_NOTIFY_ACTION" }, mounted)
}

/// Mounts `model` and keeps the spec it was mounted from.
fn model<M: resource::Model>(model: M, (routes, mut specs): (Routes, Vec<Spec>)) -> (Routes, Vec<Spec>) {
    specs.push(model.spec());
    (routes.merge(resource::routes(model)), specs)
}
