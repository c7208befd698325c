//! Each core error of the domains the REST API serves, in Flask-Restless's envelope: one
//! `From` per error, with the original's exact strings, so a handler only writes `?`.
//! What differs by model or by method (Janua's 422 on a PUT's phone prefix, `Bad
//! instance` for notify rows) is mapped where that model is, on top of these.

use axum::http::StatusCode;
use steward_core::messaging::access_lists::AclError;
use steward_core::messaging::admins::AdminError;
use steward_core::messaging::directory::DirectoryError;
use steward_core::messaging::sms::SmsError;

use super::not_found;
use crate::envelope::RestError;

/// The store is down or broken: logged with its cause, answered as a 503.
fn unavailable(what: &str, cause: &dyn std::error::Error) -> RestError {
    tracing::error!(%cause, "{what} unavailable");
    RestError::new(StatusCode::SERVICE_UNAVAILABLE, "503: Service Unavailable")
}

/// A filter the store refused.
fn bad_query(detail: String) -> RestError {
    RestError::new(StatusCode::BAD_REQUEST, "Unable to construct query").with_detail(detail)
}

impl From<DirectoryError> for RestError {
    fn from(error: DirectoryError) -> Self {
        let message = match &error {
            DirectoryError::NotFound => return not_found(),
            DirectoryError::Forbidden => return Self::new(StatusCode::FORBIDDEN, "403: Forbidden"),
            DirectoryError::Missing(field) => {
                return Self::new(StatusCode::BAD_REQUEST, "IntegrityError").with_detail(format!("{field} is required"));
            }
            DirectoryError::Duplicate(why) => return Self::new(StatusCode::BAD_REQUEST, "IntegrityError").with_detail(why.clone()),
            DirectoryError::BadQuery(detail) => return bad_query(detail.clone()),
            DirectoryError::Store(cause) => return unavailable("Janua's directory", cause),
            DirectoryError::PrefixNotAllowed => "Phone number prefix not allowed".to_owned(),
            DirectoryError::InvalidPhone => "Invalid phone number".to_owned(),
            DirectoryError::InvalidEmail => "Invalid email".to_owned(),
            DirectoryError::BadGroupName => "Accented and special characters are forbidden, except hyphen".to_owned(),
            DirectoryError::ReservedGroupName(name) => format!("Group name {name} is reserved"),
        };
        Self::new(StatusCode::BAD_REQUEST, message)
    }
}

impl From<AdminError> for RestError {
    fn from(error: AdminError) -> Self {
        match error {
            AdminError::NotFound => not_found(),
            AdminError::BadQuery(detail) => bad_query(detail),
            AdminError::NotAllowed => Self::new(StatusCode::METHOD_NOT_ALLOWED, "405: Method Not Allowed"),
            // Janua's 405 for a missing password (sic).
            AdminError::PasswordMissing => Self::new(StatusCode::METHOD_NOT_ALLOWED, "Password is missing"),
            AdminError::Integrity(detail) => Self::new(StatusCode::BAD_REQUEST, "IntegrityError").with_detail(detail),
            AdminError::PrefixNotAllowed => Self::new(StatusCode::BAD_REQUEST, "Phone number prefix not allowed"),
            AdminError::PrefixNotAllowedOnUpdate => Self::new(StatusCode::UNPROCESSABLE_ENTITY, "Phone number prefix not allowed"),
            AdminError::Invalid(message) => Self::new(StatusCode::BAD_REQUEST, message),
            // Janua answers a supervisor's forbidden change with 401 and its reason.
            AdminError::Denied(reason) => Self::new(StatusCode::UNAUTHORIZED, reason),
            AdminError::DeleteNotAllowed => Self::new(StatusCode::METHOD_NOT_ALLOWED, "Not authorized"),
            AdminError::Mail(cause) => {
                tracing::error!(%cause, "a Janua admin's mail could not be prepared");
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "503: Service Unavailable")
            }
            AdminError::Account(cause) => unavailable("Janua's admins", &cause),
            AdminError::Accounting(cause) => unavailable("Janua's SMS accounting", &cause),
            AdminError::Store(cause) => unavailable("Janua's admins", &cause),
        }
    }
}

impl From<AclError> for RestError {
    fn from(error: AclError) -> Self {
        match error {
            AclError::NotFound => not_found(),
            AclError::NotAuthorized => Self::not_authorized(),
            AclError::NotAllowed => Self::new(StatusCode::METHOD_NOT_ALLOWED, "405: Method Not Allowed"),
            AclError::Missing(message) => Self::new(StatusCode::BAD_REQUEST, message),
            AclError::Unknown(message) => Self::new(StatusCode::BAD_REQUEST, message),
            AclError::Forbidden(message) => Self::new(StatusCode::FORBIDDEN, message)
                .with_detail("the action must be one you manage (Steward runs no keyword actions)"),
            AclError::BadQuery(detail) => bad_query(detail),
            AclError::Store(cause) => unavailable("Janua's access lists", &cause),
        }
    }
}

impl From<SmsError> for RestError {
    fn from(error: SmsError) -> Self {
        match error {
            SmsError::BadQuery(detail) => bad_query(detail),
            SmsError::Broken(cause) => {
                tracing::error!(%cause, "the SMS log could not be read");
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "503: Service Unavailable")
            }
            SmsError::Store(cause) => unavailable("the SMS log", &cause),
        }
    }
}
