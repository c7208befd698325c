//! RFC 7807 problem details: the native API's one error envelope.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use steward_core::identity::accounts::AccountError;
use steward_core::identity::auth::AuthError;

/// An error answer: `application/problem+json` with `type`, `title`, `status`, `detail`.
#[derive(Debug, Clone)]
pub struct Problem {
    status: StatusCode,
    detail: String,
    retry_after: Option<Duration>,
}

impl Problem {
    /// A problem with this status and a message a person can act on.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self { status, detail: detail.into(), retry_after: None }
    }

    /// 400: the request itself is wrong.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// 401: no or bad credentials.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, detail)
    }

    /// 403: authenticated but lacking a role.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, detail)
    }

    /// 404.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    /// 503: a dependency (the store, the hashers) is unavailable; the cause is logged, not shown.
    pub fn unavailable(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(%cause, "request failed on an unavailable dependency");
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "Steward cannot answer right now; try again shortly.")
    }

    /// 429 with `Retry-After`.
    pub fn too_many(detail: impl Into<String>, retry_after: Duration) -> Self {
        Self { status: StatusCode::TOO_MANY_REQUESTS, detail: detail.into(), retry_after: Some(retry_after) }
    }

    /// The status it will answer with.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({
            "type": "about:blank",
            "title": self.status.canonical_reason().unwrap_or("Error"),
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        // The request's id, as in the access log and `X-Request-Id`: what to quote when
        // reporting the problem.
        if let (Some(id), Some(fields)) = (crate::access::RequestId::current(), body.as_object_mut()) {
            fields.insert("instance".to_owned(), serde_json::Value::String(id.as_str().to_owned()));
        }
        let mut response = (self.status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"steward\", Basic realm=\"steward\""),
            );
        }
        if let Some(wait) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&wait.as_secs().max(1).to_string())
        {
            headers.insert(header::RETRY_AFTER, value);
        }
        response
    }
}

impl From<AuthError> for Problem {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::Refused(_) => Self::unauthorized("The credentials are not valid."),
            AuthError::RateLimited(limited) => Self::too_many(limited.to_string(), limited.retry_after),
            AuthError::Busy => Self::new(StatusCode::SERVICE_UNAVAILABLE, error.to_string()),
            AuthError::Unavailable(_) | AuthError::Store(_) => Self::unavailable(&error),
        }
    }
}

impl From<steward_core::Forbidden> for Problem {
    fn from(error: steward_core::Forbidden) -> Self {
        Self::forbidden(format!("This needs the `{}` role.", error.needed))
    }
}

impl From<AccountError> for Problem {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::NotFound(_) => Self::not_found(error.to_string()),
            AccountError::LoginTaken(_) | AccountError::PhoneTaken(_) => Self::new(StatusCode::CONFLICT, error.to_string()),
            AccountError::Invalid(_) => Self::bad_request(error.to_string()),
            AccountError::Forbidden(forbidden) => forbidden.into(),
            AccountError::Hash(_) | AccountError::Store(_) => Self::unavailable(&error),
        }
    }
}


impl From<steward_core::Unavailable> for Problem {
    fn from(error: steward_core::Unavailable) -> Self {
        Self::unavailable(&error)
    }
}
