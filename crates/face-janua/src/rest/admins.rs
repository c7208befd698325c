//! `/api/ADMIN`: Janua admins (accounts with role `admin` or `supervisor`). The super
//! admin sees all of them, a supervisor itself. Passwords, phone tokens and web tokens are
//! never rendered nor searchable; who may change what is the core's rule.

use axum::http::StatusCode;
use serde_json::{Map, Value};
use steward_core::messaging::admins::{AdminInput, AdminUpdate, Admins as CoreAdmins, JanuaAdmin};
use steward_http::AppState;
use steward_model::filter::Search;
use steward_model::{AuthBackend, Page};
use time::macros::format_description;

use super::resource::{Fields, Methods, Model, Spec};
use super::{RelatedObject, RestObject, not_found, text};
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

impl RestObject for AdminDto {
    fn id(&self) -> i64 {
        self.id
    }
}

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
        sms_quota: admin.sms_quota,
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

/// The fields a creation and an update share, each only when sent.
fn input(body: &Map<String, Value>) -> Result<AdminInput, RestError> {
    Ok(AdminInput {
        login: text(body, "login")?,
        password: text(body, "password")?,
        name: text(body, "name")?,
        firstname: text(body, "firstname")?,
        phone_number: text(body, "phone_number")?,
        email: text(body, "email")?,
        sms_quota: text(body, "sms_quota")?,
        recipient_filter: boolean(body, "recipient_filter")?,
        auth_backend: backend(body)?,
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
        let id = state.core.janua_admins.create(&caller.actor, caller.level, &caller.account, input(&body)?).await?;
        self.get(state, caller, id).await
    }

    /// Janua's rules for who may change what (see the core).
    async fn update(&self, state: &AppState, caller: &JanuaCaller, id: i64, body: Map<String, Value>) -> Result<AdminDto, RestError> {
        let update = AdminUpdate { fields: input(&body)?, level: integer(&body, "level")?, presented_token: caller.token_fingerprint.clone() };
        state.core.janua_admins.update(&caller.actor, &caller.account, caller.level, id, update).await?;
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
