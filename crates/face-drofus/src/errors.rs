//! The core's refusals in Rails' words: 404 and 409 as exception bodies, validation
//! problems as 422 field lists with Rails' messages, unreadable bodies as 400 or 415.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use steward_core::identity::people::PeopleError;
use steward_core::projects::{Invalid, Problem, ProjectsError};

use crate::body::BodyError;
use crate::format::Format;
use crate::render::{status_error, validation};

/// A refusal, rendered in the request's format.
pub struct Refusal {
    format: Format,
    kind: Kind,
}

enum Kind {
    Status(StatusCode),
    Invalid(Vec<(String, String)>),
}

impl Refusal {
    /// `status` with Rails' exception body.
    pub fn status(format: Format, status: StatusCode) -> Self {
        Self { format, kind: Kind::Status(status) }
    }

    /// 404.
    pub fn not_found(format: Format) -> Self {
        Self::status(format, StatusCode::NOT_FOUND)
    }

    /// 422 with one message on `field`.
    pub fn invalid(format: Format, field: &str, message: &str) -> Self {
        Self { format, kind: Kind::Invalid(vec![(field.to_owned(), message.to_owned())]) }
    }

    /// 422 with every problem the core found.
    pub fn invalids(format: Format, invalid: &Invalid) -> Self {
        Self { format, kind: Kind::Invalid(messages(invalid)) }
    }

    /// A body that could not be read.
    pub fn body(format: Format, error: BodyError) -> Self {
        match error {
            BodyError::Unreadable | BodyError::MissingRoot => Self::status(format, StatusCode::BAD_REQUEST),
            BodyError::UnsupportedType => Self::status(format, StatusCode::UNSUPPORTED_MEDIA_TYPE),
        }
    }

    /// The core's refusal.
    pub fn of(format: Format, error: impl Refused) -> Self {
        error.refusal(format)
    }

    fn unavailable(format: Format, what: &str, error: &dyn std::error::Error) -> Self {
        tracing::error!(%error, "{what} unavailable");
        Self::status(format, StatusCode::SERVICE_UNAVAILABLE)
    }
}

/// A core error this face words: one impl per error type.
pub trait Refused {
    /// The refusal in `format`.
    fn refusal(self, format: Format) -> Refusal;
}

impl Refused for ProjectsError {
    fn refusal(self, format: Format) -> Refusal {
        match self {
            ProjectsError::Forbidden(_) => Refusal::status(format, StatusCode::FORBIDDEN),
            ProjectsError::NotFound => Refusal::not_found(format),
            ProjectsError::Invalid(invalid) => Refusal::invalids(format, &invalid),
            ProjectsError::HasDependents(what) => Refusal::invalid(format, "base", &format!("Cannot delete record because dependent {what} exist")),
            ProjectsError::AmbiguousName(name) => Refusal::invalid(format, "base", &format!("Several projects are named {name}")),
            ProjectsError::TemplateUndeletable => Refusal::invalid(format, "base", "Template databases cannot be deleted"),
            ProjectsError::NotReady(_) => Refusal::status(format, StatusCode::CONFLICT),
            ProjectsError::Host(error) => Refusal::unavailable(format, "tenant databases' host", &error),
            ProjectsError::Hash(error) => Refusal::unavailable(format, "password hasher", &error),
            ProjectsError::Store(error) => Refusal::unavailable(format, "store", &error),
        }
    }
}

impl Refused for PeopleError {
    fn refusal(self, format: Format) -> Refusal {
        match self {
            PeopleError::NotFound => Refusal::not_found(format),
            PeopleError::Invalid(invalid) => Refusal::invalids(format, &invalid),
            PeopleError::Hash(error) => Refusal::unavailable(format, "password hasher", &error),
            PeopleError::Store(error) => Refusal::unavailable(format, "store", &error),
        }
    }
}

/// Rails' message for `problem`.
fn message(problem: Problem) -> String {
    match problem {
        Problem::Blank => "can't be blank".to_owned(),
        Problem::Taken => "has already been taken".to_owned(),
        Problem::NotANumber => "is not a number".to_owned(),
        Problem::NotIncluded => "is not included in the list".to_owned(),
        Problem::Invalid => "is invalid".to_owned(),
        Problem::MustExist => "must exist".to_owned(),
        Problem::TooLong(max) => format!("is too long (maximum is {max} characters)"),
        Problem::Mismatch => "does not match the registered user".to_owned(),
    }
}

fn messages(invalid: &Invalid) -> Vec<(String, String)> {
    invalid.0.iter().map(|problem| (problem.field.to_owned(), message(problem.problem))).collect()
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self.kind {
            Kind::Status(status) => status_error(self.format, status).into_response(),
            Kind::Invalid(problems) => validation(self.format, &problems).into_response(),
        }
    }
}
