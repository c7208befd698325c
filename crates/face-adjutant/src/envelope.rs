//! Adjutant's envelopes: `{"notes": [...]}` on success, `{"errors": [...]}` or a map of field
//! errors on failure in Django REST framework's words, and the three odd shapes upstream
//! answers with no `errors` wrapper. Every core refusal is worded here.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use steward_core::workflow::{FieldError, FieldErrors, WorkflowError};
use steward_model::filter::FilterError;
use steward_model::workflow::Closed;

/// A JSON answer with its status.
#[derive(Debug)]
pub struct Answer {
    status: StatusCode,
    body: Value,
    allow: Option<&'static str>,
    retry_after: Option<u64>,
}

impl Answer {
    /// `body` with `status`.
    pub fn json(status: StatusCode, body: Value) -> Self {
        Self { status, body, allow: None, retry_after: None }
    }

    /// 200 with `body`.
    pub fn ok(body: Value) -> Self {
        Self::json(StatusCode::OK, body)
    }

    /// `{"notes": [note]}` with `status`.
    pub fn notes(status: StatusCode, note: &str) -> Self {
        Self::json(status, json!({ "notes": [note] }))
    }

    /// `{"errors": [message]}` with `status`.
    pub fn error(status: StatusCode, message: impl Into<String>) -> Self {
        Self::json(status, json!({ "errors": [message.into()] }))
    }

    /// 405 in DRF's words, with the methods the path allows.
    pub fn method_not_allowed(method: &axum::http::Method, allow: &'static str) -> Self {
        Self { allow: Some(allow), ..Self::error(StatusCode::METHOD_NOT_ALLOWED, format!("Method \"{method}\" not allowed.")) }
    }

    /// 404 for a path the face does not serve.
    pub fn not_found() -> Self {
        Self::error(StatusCode::NOT_FOUND, "Not found.")
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        if let Some(allow) = self.allow {
            response.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// DRF's words for a field problem.
pub fn field_message(error: &FieldError) -> String {
    match error {
        FieldError::Required => "This field is required.".to_owned(),
        FieldError::Blank => "This field may not be blank.".to_owned(),
        FieldError::Null => "This field may not be null.".to_owned(),
        FieldError::NotAString => "Not a valid string.".to_owned(),
        FieldError::NotABoolean => "Must be a valid boolean.".to_owned(),
        FieldError::NotAList => "Expected a list of items.".to_owned(),
        FieldError::InvalidEmail => "Enter a valid email address.".to_owned(),
        FieldError::TooLong(max) => format!("Ensure this field has no more than {max} characters."),
        FieldError::NotAChoice(value) => format!("\"{value}\" is not a valid choice."),
        FieldError::NotASize(size) => format!("Quota size: {size} is not valid"),
        FieldError::WeakPassword(why) | FieldError::Rule(why) => (*why).to_owned(),
    }
}

/// `{"errors": {field: [messages]}}`.
pub fn field_errors(errors: &FieldErrors) -> Answer {
    let map: serde_json::Map<String, Value> = errors
        .0
        .iter()
        .map(|(field, problems)| (field.clone(), Value::Array(problems.iter().map(|problem| Value::String(field_message(problem))).collect())))
        .collect();
    Answer::json(StatusCode::BAD_REQUEST, json!({ "errors": map }))
}

/// The words of a filter the store refused.
pub fn filter_message(error: &FilterError) -> String {
    match error {
        FilterError::UnknownField(field) => format!("Cannot resolve keyword '{field}' into field."),
        FilterError::InvalidValue { field, expected, found } => format!("Invalid value for {field}: expected {expected}, not {found}."),
        other => other.to_string(),
    }
}

/// The text every crash and outage answers with.
pub const UNAVAILABLE: &str = "Service temporarily unavailable, try again later.";

impl From<WorkflowError> for Answer {
    fn from(error: WorkflowError) -> Self {
        match error {
            WorkflowError::Unauthenticated => Self::error(StatusCode::UNAUTHORIZED, "Credentials incorrect or none given."),
            WorkflowError::Forbidden(roles) => {
                let listed: Vec<String> = roles.iter().map(|role| format!("'{role}'")).collect();
                Self::error(StatusCode::FORBIDDEN, format!("Must have one of the following roles: [{}]", listed.join(", ")))
            }
            WorkflowError::TaskNotFound => Self::error(StatusCode::NOT_FOUND, "No task with this id."),
            WorkflowError::Closed(Closed::Completed) => Self::error(StatusCode::BAD_REQUEST, "This task has already been completed."),
            WorkflowError::Closed(Closed::Cancelled) => Self::error(StatusCode::BAD_REQUEST, "This task has been cancelled."),
            WorkflowError::AlreadyApproved => Self::error(StatusCode::BAD_REQUEST, "This task has already been approved."),
            WorkflowError::NotApproved => Self::error(StatusCode::BAD_REQUEST, "This task has not been approved."),
            WorkflowError::NoToken => Self::error(StatusCode::BAD_REQUEST, "This task does not use a token."),
            WorkflowError::Fields(errors) => field_errors(&errors),
            WorkflowError::ActionsInvalid => Self::error(StatusCode::BAD_REQUEST, "actions invalid"),
            WorkflowError::Duplicate => Self::error(StatusCode::CONFLICT, "This Task already exists."),
            WorkflowError::Changed => Self::error(StatusCode::CONFLICT, "This task was changed by another request at the same time; try again."),
            WorkflowError::NotServed(task_type) => {
                Self::error(StatusCode::NOT_IMPLEMENTED, format!("Tasks of type '{task_type}' are not served by Steward yet."))
            }
            WorkflowError::TokenNotFound => Self::error(StatusCode::NOT_FOUND, "This token does not exist or has expired."),
            WorkflowError::TokenNeedsAuthentication => Self::error(StatusCode::UNAUTHORIZED, "This token requires authentication to submit."),
            WorkflowError::NoProject => Self::error(StatusCode::BAD_REQUEST, "Unable to update the quotas for the given regions"),
            WorkflowError::UserNotFound => Self::error(StatusCode::NOT_FOUND, "No user with this id."),
            WorkflowError::AcknowledgementRequired => Self::json(StatusCode::BAD_REQUEST, json!({ "acknowledged": ["this field is required."] })),
            WorkflowError::UnknownRegions(regions) => Self::error(StatusCode::BAD_REQUEST, format!("Invalid regions: {}", regions.join(", "))),
            WorkflowError::NotificationNotFound => Self::error(StatusCode::NOT_FOUND, "No notification with this id."),
            WorkflowError::TooManyRequests(wait) => {
                let seconds = wait.as_secs().max(1);
                Self { retry_after: Some(seconds), ..Self::error(StatusCode::TOO_MANY_REQUESTS, format!("Too many requests; try again in {seconds} seconds.")) }
            }
            WorkflowError::EmptyPage => Self::error(StatusCode::BAD_REQUEST, "Empty page"),
            WorkflowError::Filter(error) => Self::error(StatusCode::BAD_REQUEST, filter_message(&error)),
            WorkflowError::Hash(error) => {
                tracing::warn!(%error, "a task's password could not be hashed");
                Self::error(StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE)
            }
            WorkflowError::Store(error) => {
                tracing::error!(%error, "the workflow's store failed");
                Self::error(StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE)
            }
        }
    }
}
