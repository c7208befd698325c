//! The part of Keystone v3 OpenStack's clients need to reach the Adjutant face: version
//! discovery, and password authentication into Steward tokens (project-scoped as CONTRACT.md
//! says) with a catalog naming the identity endpoint and Adjutant as service type
//! `admin-logic`; validating, checking and revoking those tokens. Keystone's error bodies.
//! The tokens are Steward tokens, valid on every face.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use steward_core::Principal;
use steward_core::identity::auth::{AuthError, TokenAuthenticated};
use steward_http::AppState;
use steward_http::client::ClientAddress;
use steward_model::projects::ClientKind;
use steward_model::{Account, Password, TokenSecret};

use crate::body::MAX_BODY;
use crate::render::datetime;

/// Where the Keystone subset is mounted and what its catalog names.
#[derive(Debug, Clone)]
pub struct KeystoneSettings {
    /// The Adjutant face's prefix (`""` at the root): the catalog's `admin-logic` URL is
    /// `<base><prefix>/v1`.
    pub adjutant_prefix: String,
    /// `public_url`: the base of URLs handed out when the request came through it.
    pub public_url: String,
}

/// The identity API version Steward speaks.
const VERSION: &str = "v3.14";

/// A Keystone error: `{"error": {"code", "title", "message"}}`.
fn error(status: StatusCode, message: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    (status, axum::Json(json!({ "error": { "code": status.as_u16(), "title": title, "message": message } }))).into_response()
}

/// 401, with Keystone's challenge.
fn unauthorized(base: &str) -> Response {
    let mut response = error(StatusCode::UNAUTHORIZED, "The request you have made requires authentication.");
    if let Ok(challenge) = HeaderValue::from_str(&format!("Keystone uri=\"{base}/v3\"")) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, challenge);
    }
    response
}

fn not_allowed(allow: &'static str) -> Response {
    let mut response = error(StatusCode::METHOD_NOT_ALLOWED, "The method is not allowed for the requested URL.");
    response.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

fn base(headers: &HeaderMap, settings: &KeystoneSettings) -> String {
    crate::call::public_base(headers, &settings.public_url)
}

fn version(base: &str) -> Value {
    json!({
        "id": VERSION,
        "status": "stable",
        "updated": "2020-04-07T00:00:00Z",
        "links": [{ "rel": "self", "href": format!("{base}/v3/") }],
        "media-types": [{ "base": "application/json", "type": "application/vnd.openstack.identity-v3+json" }],
    })
}

/// `GET /v3`: the version document keystoneauth discovers.
pub async fn discovery(State(_state): State<AppState>, axum::Extension(settings): axum::Extension<std::sync::Arc<KeystoneSettings>>, method: Method, headers: HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return not_allowed("GET, HEAD");
    }
    axum::Json(json!({ "version": version(&base(&headers, &settings)) })).into_response()
}

/// The `user` and `scope` of a password authentication.
struct PasswordAuth {
    user: UserRef,
    password: Password,
    project: Option<String>,
}

enum UserRef {
    Name(String),
    Id(String),
}

/// Reads Keystone's authentication body; the message says what is wrong.
fn read_auth(body: &Value) -> Result<PasswordAuth, String> {
    let identity = body.pointer("/auth/identity").ok_or("Expecting to find identity in auth.")?;
    let methods: Vec<&str> = identity.get("methods").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    if methods != ["password"] {
        return Err("Steward authenticates the password method only.".to_owned());
    }
    let user = identity.pointer("/password/user").ok_or("Expecting to find user in password.")?;
    let password = user.get("password").and_then(Value::as_str).ok_or("Expecting to find password in user.")?;
    let password = Password::parse(password.to_owned()).map_err(|error| error.to_string())?;
    check_domain(user.get("domain"))?;
    let user = match (user.get("name").and_then(Value::as_str), user.get("id").and_then(Value::as_str)) {
        (Some(name), _) => UserRef::Name(name.to_owned()),
        (None, Some(id)) => UserRef::Id(id.to_owned()),
        (None, None) => return Err("Expecting to find name or id in user.".to_owned()),
    };
    let project = match body.pointer("/auth/scope") {
        None | Some(Value::Null) => None,
        Some(Value::String(unscoped)) if unscoped == "unscoped" => None,
        Some(scope) => {
            let project = scope.get("project").ok_or("Steward scopes tokens to projects only.")?;
            check_domain(project.get("domain"))?;
            let named = project.get("id").or_else(|| project.get("name")).and_then(Value::as_str);
            Some(named.ok_or("Expecting to find id or name in project.")?.to_owned())
        }
    };
    Ok(PasswordAuth { user, password, project })
}

/// Steward has one domain, `default` (named `Default`).
fn check_domain(domain: Option<&Value>) -> Result<(), String> {
    let Some(domain) = domain else {
        return Ok(());
    };
    let id = domain.get("id").and_then(Value::as_str);
    let name = domain.get("name").and_then(Value::as_str);
    if id.is_none_or(|id| id.eq_ignore_ascii_case("default")) && name.is_none_or(|name| name.eq_ignore_ascii_case("default")) {
        Ok(())
    } else {
        Err("Steward has one domain: 'default' (named 'Default').".to_owned())
    }
}

/// The token body Keystone answers with: user, project and roles when scoped, expiry, and
/// the catalog.
async fn token_body(state: &AppState, settings: &KeystoneSettings, base: &str, account: Account, project: Option<steward_model::projects::ProjectId>, issued: time::OffsetDateTime, expires: Option<time::OffsetDateTime>) -> Result<Value, Response> {
    let requester = state.core.workflow.requester(account.clone(), project, crate::caller::FACE, None).await.map_err(|_| error(StatusCode::SERVICE_UNAVAILABLE, "The store is unavailable."))?;
    let domain = json!({ "id": "default", "name": "Default" });
    let mut token = json!({
        "methods": ["password"],
        "user": { "domain": domain, "id": account.uuid.simple().to_string(), "name": account.login, "password_expires_at": null },
        "audit_ids": [],
        "expires_at": expires.map(datetime),
        "issued_at": datetime(issued),
        "catalog": [
            {
                "type": "identity", "name": "keystone", "id": "identity",
                "endpoints": [{ "id": "identity-public", "interface": "public", "region": "RegionOne", "region_id": "RegionOne", "url": format!("{base}/v3") }],
            },
            {
                "type": "admin-logic", "name": "adjutant", "id": "admin-logic",
                "endpoints": [{ "id": "admin-logic-public", "interface": "public", "region": "RegionOne", "region_id": "RegionOne", "url": format!("{base}{}/v1", settings.adjutant_prefix) }],
            },
        ],
    });
    if let (Some(project), Some(map)) = (requester.project(), token.as_object_mut()) {
        map.insert("project".to_owned(), json!({ "domain": domain, "id": project.id.0.to_string(), "name": project.name }));
        map.insert("is_domain".to_owned(), json!(false));
        map.insert("roles".to_owned(), json!(requester.roles().iter().map(|role| json!({ "id": role, "name": role })).collect::<Vec<_>>()));
    }
    Ok(json!({ "token": token }))
}

fn with_subject(mut response: Response, token: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(token) {
        response.headers_mut().insert("x-subject-token", value);
    }
    response
}

/// The caller's and the subject's tokens, both checked: 401 for a bad caller, 404 for a bad
/// subject (Keystone's answers).
async fn subject(state: &AppState, headers: &HeaderMap, base: &str) -> Result<(TokenAuthenticated, Account), Response> {
    let caller = headers.get("x-auth-token").and_then(|value| value.to_str().ok()).filter(|value| !value.is_empty());
    let Some(caller) = caller else {
        return Err(unauthorized(base));
    };
    if state.core.auth.authenticate_token(&TokenSecret::new(caller.to_owned())).await.is_err() {
        return Err(unauthorized(base));
    }
    let not_found = || error(StatusCode::NOT_FOUND, "Could not find token.");
    let subject = headers.get("x-subject-token").and_then(|value| value.to_str().ok()).filter(|value| !value.is_empty()).ok_or_else(|| error(StatusCode::NOT_FOUND, "No token in the request"))?;
    let authenticated = state.core.auth.authenticate_token(&TokenSecret::new(subject.to_owned())).await.map_err(|_| not_found())?;
    match &authenticated.principal {
        Principal::Account(account) if account.active => {
            let account = account.clone();
            Ok((authenticated, account))
        }
        _ => Err(not_found()),
    }
}

/// `/v3/auth/tokens`: POST authenticates, GET validates, HEAD checks, DELETE revokes.
pub async fn tokens(State(state): State<AppState>, axum::Extension(settings): axum::Extension<std::sync::Arc<KeystoneSettings>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let base = base(&parts.headers, &settings);
    match parts.method {
        Method::POST => {
            let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
                return error(StatusCode::PAYLOAD_TOO_LARGE, "Request is too large.");
            };
            let body: Value = match serde_json::from_slice(&body) {
                Ok(value) => value,
                Err(error_text) => return error(StatusCode::BAD_REQUEST, &format!("Malformed JSON body: {error_text}")),
            };
            let auth = match read_auth(&body) {
                Ok(auth) => auth,
                Err(message) => return error(StatusCode::BAD_REQUEST, &message),
            };
            let login = match auth.user {
                UserRef::Name(name) => name,
                UserRef::Id(id) => match uuid::Uuid::parse_str(&id) {
                    Ok(uuid) => match state.core.accounts.by_uuid(uuid).await {
                        Ok(Some(account)) => account.login,
                        Ok(None) => return unauthorized(&base),
                        Err(_) => return error(StatusCode::SERVICE_UNAVAILABLE, "The store is unavailable."),
                    },
                    Err(_) => return unauthorized(&base),
                },
            };
            let ip = ClientAddress::of(&parts).0;
            let client = ClientKind::from_hints(Some("openstack"), None);
            let issued = match state.core.auth.login_on(&login, &auth.password, ip, auth.project.as_deref(), &client).await {
                Ok(issued) => issued,
                Err(AuthError::RateLimited(limited)) => {
                    let mut response = error(StatusCode::TOO_MANY_REQUESTS, "Too many failed authentications; try again later.");
                    if let Ok(value) = HeaderValue::from_str(&limited.retry_after.as_secs().max(1).to_string()) {
                        response.headers_mut().insert(header::RETRY_AFTER, value);
                    }
                    return response;
                }
                Err(AuthError::Refused(_)) => return unauthorized(&base),
                Err(other) => {
                    tracing::warn!(error = %other, "a Keystone authentication could not be checked");
                    return error(StatusCode::SERVICE_UNAVAILABLE, "Authentication is unavailable; try again shortly.");
                }
            };
            let (token, project) = issued;
            let secret = token.secret.expose().to_owned();
            match token_body(&state, &settings, &base, token.account, project, token.created_at, Some(token.expires_at)).await {
                Ok(body) => with_subject((StatusCode::CREATED, axum::Json(body)).into_response(), &secret),
                Err(response) => response,
            }
        }
        Method::GET | Method::HEAD => {
            let (authenticated, account) = match subject(&state, &parts.headers, &base).await {
                Ok(found) => found,
                Err(response) => return response,
            };
            let subject = parts.headers.get("x-subject-token").and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned();
            if parts.method == Method::HEAD {
                return with_subject(StatusCode::OK.into_response(), &subject);
            }
            match token_body(&state, &settings, &base, account, authenticated.project, authenticated.created_at, authenticated.expires_at).await {
                Ok(body) => with_subject(axum::Json(body).into_response(), &subject),
                Err(response) => response,
            }
        }
        Method::DELETE => {
            let (authenticated, _) = match subject(&state, &parts.headers, &base).await {
                Ok(found) => found,
                Err(response) => return response,
            };
            match state.core.auth.revoke(&authenticated.fingerprint).await {
                Ok(_) => StatusCode::NO_CONTENT.into_response(),
                Err(_) => error(StatusCode::SERVICE_UNAVAILABLE, "The store is unavailable."),
            }
        }
        _ => not_allowed("GET, HEAD, POST, DELETE"),
    }
}

/// The Keystone routes, at `/v3` and `/v3/auth/tokens`.
pub fn router(settings: KeystoneSettings) -> steward_http::apidoc::Routes {
    use axum::routing::any;
    steward_http::apidoc::Routes::new()
        .route("/v3", any(discovery))
        .route("/v3/", any(discovery))
        .route("/v3/auth/tokens", any(tokens))
        .route("/v3/auth/tokens/", any(tokens))
        .map(|router| router.layer(axum::Extension(std::sync::Arc::new(settings))))
}
