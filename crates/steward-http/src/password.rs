//! `/steward/v1/password`: where a welcome mail's set-password link leads. `GET` with the
//! link's `token` shows a form; `POST` (that form, or JSON `{"token", "password"}`) sets the
//! password once. The link is the credential: no other is asked for.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use steward_core::identity::password_links::PasswordLinkError;
use steward_model::Password;

use crate::{AppState, Problem};

/// Whether `token` looks like a link's secret: base64url, so it can go into the form as is.
fn is_token(token: &str) -> bool {
    (16..=128).contains(&token.len()) && token.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

fn page(status: StatusCode, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Choose your password</title></head>\n<body>\n{body}\n</body></html>\n"
    );
    (status, Html(html)).into_response()
}

fn value(pairs: &[(String, String)], key: &str) -> Option<String> {
    pairs.iter().rev().find(|(name, _)| name == key).map(|(_, value)| value.clone())
}

/// `GET /steward/v1/password?token=…`: the form.
pub async fn form(RawQuery(query): RawQuery) -> Response {
    let pairs: Vec<(String, String)> = query.as_deref().and_then(|query| serde_urlencoded::from_str(query).ok()).unwrap_or_default();
    match value(&pairs, "token").filter(|token| is_token(token)) {
        // The token is base64url (checked above): nothing in it needs escaping.
        Some(token) => page(
            StatusCode::OK,
            &format!(
                "<h1>Choose your password</h1>\n<form method=\"post\" action=\"password\">\n<input type=\"hidden\" name=\"token\" value=\"{token}\">\n\
                 <label>Password <input type=\"password\" name=\"password\" autocomplete=\"new-password\" required></label>\n\
                 <button type=\"submit\">Set</button>\n</form>"
            ),
        ),
        None => page(StatusCode::BAD_REQUEST, "<p>This link is incomplete. Open the whole link from your mail.</p>"),
    }
}

/// `POST /steward/v1/password`: a form (answered with a page) or JSON (204, or problem
/// details).
pub async fn set(State(state): State<AppState>, headers: HeaderMap, bytes: Bytes) -> Response {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().to_ascii_lowercase().starts_with("application/json"));
    let fields: Option<(String, String)> = if json {
        serde_json::from_slice::<serde_json::Value>(&bytes).ok().and_then(|body| {
            Some((body.get("token")?.as_str()?.to_owned(), body.get("password")?.as_str()?.to_owned()))
        })
    } else {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        value(&pairs, "token").zip(value(&pairs, "password"))
    };
    let refuse = |status: StatusCode, why: &str| {
        if json { Problem::new(status, why).into_response() } else { page(status, &format!("<p>{why}</p>")) }
    };
    let Some((token, password)) = fields.filter(|(token, _)| is_token(token)) else {
        return refuse(StatusCode::BAD_REQUEST, "Send the link's token and a password.");
    };
    let password = match Password::parse(password) {
        Ok(password) => password,
        // The reason names a rule (length), never the password.
        Err(error) => return refuse(StatusCode::BAD_REQUEST, &format!("This password is refused: {error}.")),
    };
    match state.core.password_links.set_password(&token, &password).await {
        Ok(_) if json => StatusCode::NO_CONTENT.into_response(),
        Ok(_) => page(StatusCode::OK, "<p>Your password is set. You can sign in now.</p>"),
        Err(PasswordLinkError::Invalid) => refuse(StatusCode::BAD_REQUEST, "This link is unknown, used or expired; ask your administrator for a new one."),
        Err(PasswordLinkError::Hash(error)) => {
            tracing::warn!(%error, "a password could not be hashed");
            refuse(StatusCode::SERVICE_UNAVAILABLE, "Too busy; try again in a moment.")
        }
        Err(PasswordLinkError::Store(error)) => {
            tracing::error!(%error, "store unavailable");
            refuse(StatusCode::SERVICE_UNAVAILABLE, "Unavailable; try again in a moment.")
        }
    }
}
