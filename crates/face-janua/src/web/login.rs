//! `POST /login` and `GET /logout`.

use axum::extract::State;
use steward_http::client::ClientAddress;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Value, json};
use steward_core::identity::auth::AuthError;
use steward_http::AppState;
use steward_http::credentials::Credentials;
use steward_model::{Password, TokenSecret};

use crate::Prefix;
use crate::body::RawBody;
use crate::caller::{Level, looks_like_phone, rate_limited_message};
use crate::envelope::WebError;

/// The three cookies the shipped web UI reads.
const COOKIES: [&str; 3] = ["role", "admin_id", "auth_token"];

fn text_field<'a>(body: &'a serde_json::Map<String, Value>, key: &str, missing: &str) -> Result<&'a str, WebError> {
    match body.get(key) {
        None => Err(WebError::fail(missing)),
        Some(Value::String(text)) => Ok(text),
        // A non-string credential can never authenticate.
        Some(_) => Err(WebError::fail("Authentication failure")),
    }
}

fn cookie(name: &str, value: &str, path: &str, clear: bool, secure: SecureCookies) -> Option<HeaderValue> {
    let expiry = if clear { "; Max-Age=0" } else { "" };
    let secure = if secure.0 { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path={path}; SameSite=Lax{secure}{expiry}")).ok()
}

/// Whether the cookies carry `Secure`: when `public_url` is https, the browser is behind
/// TLS and must never send the token cookie over plain HTTP.
#[derive(Debug, Clone, Copy)]
pub struct SecureCookies(pub bool);

/// `POST /login` `{"username", "password", "language"}` → a `JanuaAuthToken`.
pub async fn login(
    State(state): State<AppState>,
    Extension(prefix): Extension<Prefix>,
    Extension(secure): Extension<SecureCookies>,
    ClientAddress(address): ClientAddress,
    body: RawBody,
) -> Result<Response, WebError> {
    let body = body.object_or("Request format is not json")?;
    let username = text_field(&body, "username", "Username is missing")?;
    let password = text_field(&body, "password", "Password is missing")?;
    if !body.contains_key("language") {
        return Err(WebError::fail("Language is missing"));
    }
    // An empty password is refused here, before any backend sees it.
    let password = Password::parse(password.to_owned()).map_err(|_| WebError::fail("Authentication failure"))?;
    let checked = if looks_like_phone(username) {
        state.core.auth.check_password_by_phone(username, &password, address).await
    } else {
        state.core.auth.check_password(username, &password, address).await
    };
    let proven = checked.map_err(|error| match error {
        AuthError::Refused(_) => WebError::fail("Authentication failure"),
        AuthError::RateLimited(limited) => WebError::fail(rate_limited_message(limited.retry_after)),
        AuthError::Busy | AuthError::Unavailable(_) | AuthError::Store(_) => WebError::fail("Failed to generate token"),
    })?;
    let Some(level) = Level::of(proven.account()) else {
        return Err(WebError::fail("Authentication failure"));
    };
    let issued = state.core.auth.issue(proven).await.map_err(|_| WebError::fail("Failed to generate token"))?;
    let token = issued.secret.expose().to_owned();
    let mut response = Json(json!({
        "success": true,
        "message": "Successful authentication",
        "JanuaAuthToken": token,
    }))
    .into_response();
    let path = prefix.cookie_path();
    let id = issued.account.id.0.to_string();
    for (name, value) in COOKIES.iter().zip([level.name(), id.as_str(), token.as_str()]) {
        if let Some(value) = cookie(name, value, &path, false, secure) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

/// The token a logout revokes: any token header, else the `auth_token` cookie.
fn presented_token(headers: &HeaderMap) -> Option<TokenSecret> {
    if let Ok(Credentials::Token(secret)) = Credentials::from_headers(headers) {
        return Some(secret);
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == "auth_token" && !value.is_empty())
        .map(|(_, value)| TokenSecret::new(value.to_owned()))
}

/// `GET /logout`: revokes the presented token (the original only cleared cookies), clears
/// the cookies and redirects to the web UI.
pub async fn logout(
    State(state): State<AppState>,
    Extension(prefix): Extension<Prefix>,
    Extension(secure): Extension<SecureCookies>,
    headers: HeaderMap,
) -> Response {
    if let Some(secret) = presented_token(&headers)
        && let Ok(verified) = state.core.auth.authenticate_token(&secret).await
        && let Err(error) = state.core.auth.revoke(&verified.fingerprint).await
    {
        tracing::error!(%error, "logout could not revoke its token");
    }
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(location) = HeaderValue::from_str(&prefix.path("/index.html")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    let path = prefix.cookie_path();
    for name in COOKIES {
        if let Some(value) = cookie(name, "", &path, true, secure) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}
