//! Every Janua path → its handler. Web services answer other methods with Janua's 405
//! envelope (GET-only services are those without arguments, as in the original).

use axum::routing::{MethodRouter, get, post};
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

/// The face's routes, mounted under `prefix` (`""` for the root).
pub fn router(prefix: &str) -> Router<AppState> {
    let routes = Router::new()
        .route("/login", post_only(post(web::login::login)))
        .route("/logout", get_only(get(web::login::logout)))
        .route("/list_auth_backend", get_only(get(web::backends::list)))
        .route("/get_auth_backend/{backend}", get_only(get(web::backends::get)))
        .route("/set_auth_backend/{backend}", post_only(post(web::backends::set)))
        .route("/get_sms_config", get_only(get(web::config::sms)))
        .route("/get_web_config", get_only(get(web::config::web)))
        .layer(Extension(Prefix(prefix.to_owned())));
    if prefix.is_empty() { routes } else { Router::new().nest(prefix, routes) }
}
