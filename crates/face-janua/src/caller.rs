//! Who is calling a Janua endpoint. Janua checks `JanuaAuthToken` first and, when that
//! header is present, never falls back to Basic; Basic takes a login or a phone number.
//! Steward's own token headers work too. Only accounts with a Janua role (`admin`, level 1,
//! or `supervisor`, level 2) are Janua callers; anyone else is refused like a bad password.

use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use steward_core::identity::auth::AuthError;
use steward_core::{Actor, Principal};
use steward_http::AppState;
use steward_http::credentials::{Credentials, CredentialsError, client_address};
use steward_model::Account;

use crate::envelope::{RestError, WebError};

/// The face name in audit entries and metrics.
pub const FACE: &str = "janua";

pub use steward_core::messaging::admins::Level;

/// An authenticated Janua admin or supervisor.
#[derive(Debug, Clone)]
pub struct JanuaCaller {
    /// The account.
    pub account: Account,
    /// Its Janua level.
    pub level: Level,
    /// The actor for core calls (face `janua`).
    pub actor: Actor,
    /// The presented token's fingerprint, when a token was presented (logout revokes it).
    pub token_fingerprint: Option<String>,
}

/// Why a caller was refused, before it is put in a family's envelope.
#[derive(Debug)]
pub enum Refused {
    /// No, bad or expired credentials, or no Janua role.
    NotAuthorized,
    /// Too many failed password checks.
    RateLimited(Duration),
    /// The hashers or the store are unavailable.
    Unavailable(String),
}

impl From<AuthError> for Refused {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::Refused(_) => Self::NotAuthorized,
            AuthError::RateLimited(limited) => Self::RateLimited(limited.retry_after),
            AuthError::Busy | AuthError::Unavailable(_) | AuthError::Store(_) => Self::Unavailable(error.to_string()),
        }
    }
}

/// Phone numbers as Janua recognises a Basic username: `^\+?[0-9]+$`.
pub fn looks_like_phone(username: &str) -> bool {
    let digits = username.strip_prefix('+').unwrap_or(username);
    !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit())
}

/// Authenticates the request's credentials as a Janua caller.
pub async fn authenticate(parts: &Parts, state: &AppState) -> Result<JanuaCaller, Refused> {
    let credentials = match Credentials::from_headers(&parts.headers) {
        Ok(credentials) => credentials,
        Err(CredentialsError::Missing | CredentialsError::Malformed(_)) => return Err(Refused::NotAuthorized),
    };
    let address = client_address(parts);
    let (account, token_fingerprint) = match credentials {
        Credentials::Token(secret) => {
            let verified = state.core.auth.authenticate_token(&secret).await?;
            match verified.principal {
                Principal::Account(account) => (account, Some(verified.fingerprint)),
                Principal::Service(_) => return Err(Refused::NotAuthorized),
            }
        }
        Credentials::Basic { login, password } if looks_like_phone(&login) => {
            (state.core.auth.check_password_by_phone(&login, &password, address).await?.into_account(), None)
        }
        Credentials::Basic { login, password } => {
            (state.core.auth.check_password(&login, &password, address).await?.into_account(), None)
        }
    };
    let level = Level::of(&account).ok_or(Refused::NotAuthorized)?;
    let actor = Actor::new(Principal::Account(account.clone()), FACE);
    Ok(JanuaCaller { account, level, actor, token_fingerprint })
}

fn retry_after(mut response: Response, wait: Duration) -> Response {
    if let Ok(value) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// Too many failed logins, in words.
pub fn rate_limited_message(wait: Duration) -> String {
    format!("Too many failed logins; retry in {} s", wait.as_secs().max(1))
}

/// A web-service caller (the `{"success": false}` envelope on refusal).
pub struct WebCaller(pub JanuaCaller);

impl FromRequestParts<AppState> for WebCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        authenticate(parts, state).await.map(Self).map_err(|refused| match refused {
            Refused::NotAuthorized => WebError::NotAuthorized.into_response(),
            Refused::RateLimited(wait) => retry_after(
                WebError::Status(StatusCode::TOO_MANY_REQUESTS, rate_limited_message(wait)).into_response(),
                wait,
            ),
            Refused::Unavailable(cause) => {
                tracing::error!(%cause, "Janua authentication unavailable");
                WebError::Status(StatusCode::SERVICE_UNAVAILABLE, "Service unavailable, try again shortly".to_owned())
                    .into_response()
            }
        })
    }
}

/// A REST API caller (the `{"message"}` envelope on refusal).
pub struct RestCaller(pub JanuaCaller);

impl FromRequestParts<AppState> for RestCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        authenticate(parts, state).await.map(Self).map_err(|refused| match refused {
            Refused::NotAuthorized => RestError::not_authorized().into_response(),
            Refused::RateLimited(wait) => retry_after(
                RestError::new(StatusCode::TOO_MANY_REQUESTS, rate_limited_message(wait)).into_response(),
                wait,
            ),
            Refused::Unavailable(cause) => {
                tracing::error!(%cause, "Janua authentication unavailable");
                RestError::new(StatusCode::SERVICE_UNAVAILABLE, "503: Service Unavailable").into_response()
            }
        })
    }
}
