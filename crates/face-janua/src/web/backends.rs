//! `/list_auth_backend`, `/get_auth_backend/<b>`, `/set_auth_backend/<b>`: admin only.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};
use steward_core::AdminCapability;
use steward_core::identity::backends::{BackendError, LdapSettings};
use steward_model::AuthBackend;
use steward_http::AppState;

use crate::body::RawBody;
use crate::caller::{JanuaCaller, WebCaller};
use crate::envelope::WebError;

/// What the LDAP form in Janua's web UI shows as help.
const LDAP_HELP: &str = "<ul><li><b>Uri</b>: ldap://host:389 or ldaps://host:636</li>\
<li><b>Bind DN</b>: the DN to bind as, where ${login} is replaced by the login</li>\
<li><b>TLS support</b>: StartTLS on an ldap:// URI; certificates are verified</li></ul>";

/// The core's rule for admin changes, asked before the body is read as Janua did.
fn admin_only(caller: &JanuaCaller) -> Result<AdminCapability<'_>, WebError> {
    caller.actor.admin().map_err(|_| WebError::NotAuthorized)
}

/// `GET /list_auth_backend`.
pub async fn list(WebCaller(caller): WebCaller) -> Result<Json<Value>, WebError> {
    admin_only(&caller)?;
    let backends: Vec<Value> = AuthBackend::SELECTABLE.iter().map(|backend| json!({ "name": backend.as_str() })).collect();
    Ok(Json(json!({ "backends": backends, "num_backends": backends.len() })))
}

fn ldap_params(settings: &LdapSettings) -> Value {
    json!([
        { "name": "ldap_uri", "description": "Uri", "type": "string", "value": settings.uri },
        { "name": "ldap_bind_dn", "description": "Bind DN", "type": "string", "value": settings.bind_dn },
        { "name": "ldap_tls_support", "description": "TLS support", "type": "boolean", "value": settings.tls },
    ])
}

fn unavailable(error: &BackendError) -> WebError {
    tracing::error!(%error, "auth backend settings unavailable");
    WebError::fail("Failed to read configuration")
}

/// `GET /get_auth_backend/<backend>`.
pub async fn get(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Path(backend): Path<String>,
) -> Result<Json<Value>, WebError> {
    admin_only(&caller)?;
    Ok(Json(match AuthBackend::parse(&backend) {
        Ok(AuthBackend::Local) => json!({ "success": true, "help": null, "num_params": 0, "params": [] }),
        Ok(AuthBackend::Ldap) => {
            let settings = state.core.auth_backends.ldap().await.map_err(|error| unavailable(&error))?;
            json!({ "success": true, "help": LDAP_HELP, "num_params": 3, "params": ldap_params(&settings) })
        }
        _ => json!({ "success": false, "help": null, "num_params": 0, "params": [] }),
    }))
}

/// `POST /set_auth_backend/<backend>` `{"parameters": {…}}`: every value is checked
/// before anything is saved, and all are saved together.
pub async fn set(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Path(backend): Path<String>,
    body: RawBody,
) -> Result<Json<Value>, WebError> {
    let capability = admin_only(&caller)?;
    let body = body.object_or("Not in json format")?;
    let Some(parameters) = body.get("parameters") else {
        return Err(WebError::fail("Failed to trigger action: Action argument parameters is required"));
    };
    let failed = |why: String| WebError::fail(format!("Failed to update configuration: {why}"));
    let Value::Object(parameters) = parameters else {
        return Err(WebError::fail("Wrong value for argument parameters"));
    };
    if backend != "ldap" {
        return Err(failed(match backend.as_str() {
            "local" => BackendError::NoParameters(backend.clone()).to_string(),
            _ => BackendError::Unknown(backend.clone()).to_string(),
        }));
    }
    let mut settings = state.core.auth_backends.ldap().await.map_err(|error| unavailable(&error))?;
    for (key, value) in parameters {
        match (key.as_str(), value) {
            ("ldap_uri", Value::String(uri)) => settings.uri = uri.clone(),
            ("ldap_bind_dn", Value::String(dn)) => settings.bind_dn = dn.clone(),
            ("ldap_tls_support", Value::Bool(tls)) => settings.tls = *tls,
            // The original stored booleans as text; accept its spellings.
            ("ldap_tls_support", Value::String(text)) if matches!(text.as_str(), "0" | "1" | "true" | "false") => {
                settings.tls = matches!(text.as_str(), "1" | "true");
            }
            ("ldap_uri" | "ldap_bind_dn", _) => return Err(failed(format!("{key} must be a string"))),
            ("ldap_tls_support", _) => return Err(failed(format!("{key} must be a boolean"))),
            _ => return Err(failed(format!("{key} is not a parameter"))),
        }
    }
    state.core.auth_backends.set_ldap(capability, settings).await.map_err(
        |error| match error {
            BackendError::Store(_) => unavailable(&error),
            other => failed(other.to_string()),
        },
    )?;
    Ok(Json(json!({ "success": true, "message": "Configuration has been saved" })))
}
