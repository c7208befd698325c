//! Each core error of the domains the REST API serves, in Flask-Restless's envelope: one
//! `From` per error, with the original's exact strings, so a handler only writes `?`.
//! What differs by model or by method (Janua's 422 on a PUT's phone prefix, `Bad
//! instance` for notify rows) is mapped where that model is, on top of these.

use axum::http::StatusCode;
use steward_core::messaging::access_lists::{AccessList, AclError};
use steward_core::messaging::admins::{AdminError, Guarded};
use steward_core::messaging::directory::DirectoryError;
use steward_core::messaging::sms::SmsError;

use super::not_found;
use crate::envelope::RestError;

/// A phone number outside `sms.prefix_filter`: 400 on a create, Janua's 422 on an update.
pub const PREFIX_NOT_ALLOWED: &str = "Phone number prefix not allowed";

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
        match error {
            DirectoryError::NotFound => not_found(),
            DirectoryError::Forbidden => Self::new(StatusCode::FORBIDDEN, "403: Forbidden"),
            DirectoryError::Duplicate(why) => Self::new(StatusCode::BAD_REQUEST, "IntegrityError").with_detail(why),
            DirectoryError::BadQuery(detail) => bad_query(detail),
            DirectoryError::Store(cause) => unavailable("Janua's directory", &cause),
            DirectoryError::PrefixNotAllowed => Self::new(StatusCode::BAD_REQUEST, PREFIX_NOT_ALLOWED),
        }
    }
}

impl From<AdminError> for RestError {
    fn from(error: AdminError) -> Self {
        match error {
            AdminError::NotFound => not_found(),
            AdminError::BadQuery(detail) => bad_query(detail),
            AdminError::CreateNotAllowed => Self::new(StatusCode::METHOD_NOT_ALLOWED, "405: Method Not Allowed"),
            AdminError::DeleteNotAllowed => Self::new(StatusCode::METHOD_NOT_ALLOWED, "Not authorized"),
            // Janua answers a supervisor's forbidden change with 401 and its reason.
            AdminError::Denied(field) => Self::new(StatusCode::UNAUTHORIZED, match field {
                Guarded::PhoneNumber => "You don't have permission to change your phone_number",
                Guarded::Level => "You don't have permission to change your access level",
                Guarded::RecipientFilter => "You don't have permission to change sms recipient filter",
                Guarded::Login => "You don't have permission to change your login",
                Guarded::AuthBackend => "You don't have permission to change your authentication backend",
            }),
            AdminError::LevelFixed => Self::new(StatusCode::BAD_REQUEST, "The level of an admin cannot be changed"),
            AdminError::SuperAdminMustBeLocal => Self::new(StatusCode::BAD_REQUEST, "Administrator must be a local account"),
            // Janua's store trigger.
            AdminError::SuperAdminUndeletable => {
                Self::new(StatusCode::BAD_REQUEST, "IntegrityError").with_detail("Super admin cannot be deleted.")
            }
            AdminError::Taken(detail) => Self::new(StatusCode::BAD_REQUEST, "IntegrityError").with_detail(detail),
            AdminError::PrefixNotAllowed => Self::new(StatusCode::BAD_REQUEST, PREFIX_NOT_ALLOWED),
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
            AclError::AdminOnly => Self::not_authorized(),
            AclError::ReassignNotAllowed => Self::new(StatusCode::METHOD_NOT_ALLOWED, "405: Method Not Allowed"),
            // Each list's own wording, as Janua's preprocessors had it.
            AclError::MissingIds(list) => Self::new(StatusCode::BAD_REQUEST, match list {
                None | Some(AccessList::GroupAction) => "400: Bad Request",
                Some(AccessList::SupervisorAction) => "IntegrityError",
                Some(AccessList::ContactNotify) => "Missing arguments",
            }),
            AclError::NotYours(list) => Self::new(StatusCode::FORBIDDEN, match list {
                AccessList::ContactNotify => "Bad arguments",
                AccessList::GroupAction | AccessList::SupervisorAction => "403: Forbidden",
            })
            .with_detail("the action must be one you manage (Steward runs no keyword actions)"),
            AclError::UnknownAdmin(id) => Self::new(StatusCode::BAD_REQUEST, format!("Unknown admin {id}")),
            AclError::UnknownAction(id) => Self::new(StatusCode::BAD_REQUEST, format!("Unknown action {id}")),
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
