//! `/api/ADMIN`: Janua admins (accounts with role `admin` or `supervisor`). The super
//! admin sees all of them, a supervisor itself. Passwords, phone tokens and web tokens are
//! never rendered nor searchable; who may change what is the core's rule.

use axum::http::StatusCode;
use serde_json::{Map, Value};
use steward_core::messaging::admins::{AdminError, AdminUpdate, Admins as CoreAdmins, JanuaAdmin, NewAdmin, UpdateRequest};
use steward_http::AppState;
use steward_model::filter::Search;
use steward_model::sms::SmsQuota;
use steward_model::{AuthBackend, E164, Email, Login, Page, Password};
use time::macros::format_description;

use super::resource::{Fields, Methods, Model, Spec};
use super::{PersonFields, RelatedObject, not_emptied, not_found, required, text};
use crate::caller::JanuaCaller;
use crate::envelope::RestError;

const FIELDS: [&str; 13] = [
    "id",
    "login",
    "password",
    "name",
    "firstname",
    "phone_number",
    "email",
    "level",
    "sms_quota",
    "recipient_filter",
    "has_client",
    "last_quota_reached",
    "auth_backend",
];

/// An admin as Janua shows it.
#[derive(Debug, serde::Serialize)]
pub struct AdminDto {
    /// `local` or `ldap`.
    pub auth_backend: &'static str,
    /// Mail address.
    pub email: Option<String>,
    /// Given name.
    pub firstname: String,
    /// `firstname name`.
    pub fullname: String,
    /// An Android client asked for its configuration.
    pub has_client: bool,
    /// Janua's key.
    pub id: i64,
    /// When the quota mail was last sent, naive local time.
    pub last_quota_reached: Option<String>,
    /// 1 for the super admin, 2 for a supervisor.
    pub level: u8,
    /// What the admin types to log in.
    pub login: String,
    /// Family name.
    pub name: String,
    /// E.164 number.
    pub phone_number: Option<String>,
    /// May only message its own contacts.
    pub recipient_filter: bool,
    /// `"<n> <D|W|M|Y>"`.
    pub sms_quota: String,
}

keyed_by_id!(AdminDto);

fn render(state: &AppState, admin: JanuaAdmin) -> AdminDto {
    let iso = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    AdminDto {
        auth_backend: admin.auth_backend.as_str(),
        fullname: admin.fullname(),
        last_quota_reached: admin.last_quota_reached.map(|at| state.core.sms.local_time(at).format(&iso).unwrap_or_default()),
        level: admin.level.number(),
        email: admin.email,
        firstname: admin.firstname,
        has_client: admin.has_client,
        id: admin.id,
        login: admin.login,
        name: admin.name,
        phone_number: admin.phone_number,
        recipient_filter: admin.recipient_filter,
        sms_quota: admin.sms_quota.as_str().to_owned(),
    }
}

fn boolean(body: &Map<String, Value>, key: &str) -> Result<Option<bool>, RestError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(value)) => Ok(Some(*value)),
        Some(_) => Err(RestError::new(StatusCode::BAD_REQUEST, "IntegrityError").with_detail(format!("{key} must be true or false"))),
    }
}

fn integer(body: &Map<String, Value>, key: &str) -> Result<Option<i64>, RestError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => number.as_i64().map(Some).ok_or_else(|| RestError::new(StatusCode::BAD_REQUEST, "IntegrityError")),
        Some(_) => Err(RestError::new(StatusCode::BAD_REQUEST, "IntegrityError").with_detail(format!("{key} must be an integer"))),
    }
}

/// `auth_backend`: `local` or `ldap`.
fn backend(body: &Map<String, Value>) -> Result<Option<AuthBackend>, RestError> {
    text(body, "auth_backend")?
        .map(|raw| AuthBackend::parse(&raw).map_err(|error| RestError::new(StatusCode::BAD_REQUEST, error.0)))
        .transpose()
}

fn invalid(message: impl Into<String>) -> RestError {
    RestError::new(StatusCode::BAD_REQUEST, message)
}

/// `phone_number`: E.164 (which the recipient parser always reads as a number).
fn phone(raw: &str) -> Result<E164, RestError> {
    E164::parse(raw).map_err(|_| invalid("Invalid phone number"))
}

fn email(raw: &str) -> Result<Email, RestError> {
    Email::parse(raw).map_err(|_| invalid("Invalid email"))
}

fn login(raw: &str) -> Result<Login, RestError> {
    Login::parse(raw).map_err(|error| invalid(error.0))
}

fn quota(raw: &str) -> Result<SmsQuota, RestError> {
    SmsQuota::parse(raw).map_err(|error| invalid(error.0))
}

fn password(raw: String) -> Result<Password, RestError> {
    Password::parse(raw).map_err(|error| invalid(error.0))
}

/// A POST's body, checked in Janua's order: the password (405 when missing, sic), the
/// required fields, then their syntax.
fn new_admin(body: &Map<String, Value>) -> Result<NewAdmin, RestError> {
    let (recipient_filter, auth_backend) = (boolean(body, "recipient_filter")?, backend(body)?);
    let raw_password = text(body, "password")?.filter(|password| !password.is_empty());
    let new_password = password(raw_password.ok_or_else(|| RestError::new(StatusCode::METHOD_NOT_ALLOWED, "Password is missing"))?)?;
    let raw_login = required(body, "login")?;
    let person = PersonFields::read(|key| required(body, key))?;
    Ok(NewAdmin {
        phone_number: phone(&person.phone_number)?,
        email: email(&person.email)?,
        login: login(&raw_login)?,
        sms_quota: text(body, "sms_quota")?.as_deref().map(quota).transpose()?,
        password: new_password,
        name: person.name,
        firstname: person.firstname,
        recipient_filter,
        auth_backend,
    })
}

/// What a PUT's body asks to change, before its values are parsed: who may ask for what is
/// answered first, as in Janua.
fn request(body: &Map<String, Value>) -> Result<UpdateRequest, RestError> {
    Ok(UpdateRequest {
        phone_number: body.contains_key("phone_number"),
        level: integer(body, "level")?,
        recipient_filter: body.contains_key("recipient_filter"),
        login: body.contains_key("login"),
        auth_backend: body.contains_key("auth_backend"),
    })
}

/// A PUT's body: what is sent is changed (an empty password is ignored).
fn update(body: &Map<String, Value>, presented_token: Option<String>) -> Result<AdminUpdate, RestError> {
    let (recipient_filter, auth_backend, level) = (boolean(body, "recipient_filter")?, backend(body)?, integer(body, "level")?);
    let person = PersonFields::read(|key| not_emptied(body, key))?;
    let raw_login = not_emptied(body, "login")?;
    Ok(AdminUpdate {
        phone_number: person.phone_number.as_deref().map(phone).transpose()?,
        email: person.email.as_deref().map(email).transpose()?,
        login: raw_login.as_deref().map(login).transpose()?,
        sms_quota: text(body, "sms_quota")?.as_deref().map(quota).transpose()?,
        password: text(body, "password")?.filter(|password| !password.is_empty()).map(password).transpose()?,
        name: person.name,
        firstname: person.firstname,
        recipient_filter,
        auth_backend,
        level,
        presented_token,
    })
}

/// `/api/ADMIN`.
#[derive(Debug, Clone, Copy)]
pub struct Admins;

impl Model for Admins {
    type Object = AdminDto;

    fn spec(&self) -> Spec {
        Spec { path: "/api/ADMIN", methods: Methods::ALL, fields: Fields::Only(&FIELDS) }
    }

    async fn list(&self, state: &AppState, caller: &JanuaCaller, search: &Search, skip: u64, size: u64) -> Result<Page<AdminDto>, RestError> {
        Ok(state.core.janua_admins.search(&caller.account, caller.level, search, skip, size).await?.map(|admin| render(state, admin)))
    }

    async fn get(&self, state: &AppState, caller: &JanuaCaller, id: i64) -> Result<AdminDto, RestError> {
        Ok(render(state, state.core.janua_admins.get(&caller.account, caller.level, id).await?))
    }

    /// Only the super admin creates (a supervisor gets 405 before its body is read).
    fn authorize_create(&self, caller: &JanuaCaller) -> Result<(), RestError> {
        Ok(CoreAdmins::authorize_create(caller.level)?)
    }

    /// The super admin creates a supervisor.
    async fn create(&self, state: &AppState, caller: &JanuaCaller, body: Map<String, Value>) -> Result<AdminDto, RestError> {
        let id = state.core.janua_admins.create(&caller.actor, caller.level, &caller.account, new_admin(&body)?).await?;
        self.get(state, caller, id).await
    }

    /// Janua's rules for who may change what (see the core).
    async fn update(&self, state: &AppState, caller: &JanuaCaller, id: i64, body: Map<String, Value>) -> Result<AdminDto, RestError> {
        CoreAdmins::authorize_update(&caller.account, caller.level, id, &request(&body)?)?;
        let update = update(&body, caller.token_fingerprint.clone())?;
        state.core.janua_admins.update(&caller.actor, &caller.account, caller.level, id, update).await.map_err(|error| match error {
            AdminError::PrefixNotAllowed => RestError::new(StatusCode::UNPROCESSABLE_ENTITY, super::errors::PREFIX_NOT_ALLOWED),
            other => other.into(),
        })?;
        self.get(state, caller, id).await
    }

    async fn delete(&self, state: &AppState, caller: &JanuaCaller, id: i64) -> Result<(), RestError> {
        Ok(state.core.janua_admins.delete(&caller.actor, &caller.account, caller.level, id).await?)
    }

    /// Janua's ADMIN model has no relations: every such path is 404, once the caller is
    /// authenticated and the ids are read.
    async fn related(&self, _state: &AppState, _caller: &JanuaCaller, _id: i64, _relation: &str) -> Result<Vec<RelatedObject>, RestError> {
        Err(not_found().with_detail("ADMIN has no relations"))
    }
}
