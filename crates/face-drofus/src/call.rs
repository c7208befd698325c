//! What every dRofus request starts from: the format it wants and the authenticated caller.
//! Rails' `authenticate_or_request_with_http_basic` answers a missing or wrong credential
//! with 401 and the plain text `HTTP Basic: Access denied.` whatever the format; a valid
//! account without `drofus_admin` or `admin` gets 403 in the format's body.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use steward_core::{Actor, ProjectsCapability};
use steward_core::identity::auth::AuthError;
use steward_http::credentials::{Credentials, NativeCaller, client_address};
use steward_http::{AppState, Prefix};

use crate::errors::{Refusal, Refused};
use crate::format::{Format, negotiate, split_suffix};
use crate::render::status_error;

/// Rails' answer to a request without valid credentials.
pub fn access_denied() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Basic realm=\"Application\""), (header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "HTTP Basic: Access denied.\n",
    )
        .into_response()
}

/// An authenticated request to the dRofus face.
pub struct Call {
    /// The state, for the core.
    pub state: AppState,
    /// Who the core and the audit log see (face `drofus`).
    pub actor: Actor,
    /// The format of the answer.
    pub format: Format,
    /// Where the face is mounted.
    pub prefix: Prefix,
    /// The request's headers (bodies' content types, client hints).
    pub headers: HeaderMap,
}

impl FromRequestParts<AppState> for Call {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let last = parts.uri.path().trim_end_matches('/').rsplit('/').next().unwrap_or("");
        let format = negotiate(split_suffix(last).1, &parts.headers).map_err(|_| StatusCode::NOT_ACCEPTABLE.into_response())?;
        let Ok(credentials) = Credentials::from_headers(&parts.headers) else {
            return Err(access_denied());
        };
        let caller = match NativeCaller::authenticate(state, credentials, client_address(parts), "drofus").await {
            Ok(caller) => caller,
            Err(AuthError::Refused(_)) => return Err(access_denied()),
            Err(AuthError::RateLimited(_)) => return Err(status_error(format, StatusCode::TOO_MANY_REQUESTS).into_response()),
            Err(_) => return Err(status_error(format, StatusCode::SERVICE_UNAVAILABLE).into_response()),
        };
        if caller.actor.projects_admin().is_err() {
            return Err(status_error(format, StatusCode::FORBIDDEN).into_response());
        }
        let prefix = parts.extensions.get::<Prefix>().cloned().unwrap_or_default();
        Ok(Self { state: state.clone(), actor: caller.actor, format, prefix, headers: parts.headers.clone() })
    }
}

impl Call {
    /// The capability the core's project services take (checked at extraction already).
    pub fn can(&self) -> Result<ProjectsCapability<'_>, Refusal> {
        self.actor.projects_admin().map_err(|_| Refusal::status(self.format, StatusCode::FORBIDDEN))
    }

    /// Turns the core's refusals into this request's format.
    pub fn refusal<E: Refused>(&self) -> impl Fn(E) -> Refusal + use<E> {
        let format = self.format;
        move |error| Refusal::of(format, error)
    }
}
