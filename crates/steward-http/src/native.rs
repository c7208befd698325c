//! `/steward/v1/…`: Steward's own API, the seed of the native admin API. JSON in and out,
//! RFC 7807 problem details for every error.

use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use steward_core::Principal;
use steward_core::messaging::mail::{MailError, NewMail};
use steward_model::{Email, Password};
use steward_model::projects::ClientKind;
use time::format_description::well_known::Rfc3339;

use utoipa::openapi::HttpMethod;
use utoipa::openapi::path::OperationBuilder;

use crate::apidoc::{self, Described, Routes, scheme, schema};
use crate::client::ClientAddress;
use crate::credentials::NativeCaller;
use crate::json::ApiJson;
use crate::{AppState, Problem};

/// Largest body the native API reads: its requests are a few hundred bytes; a mail body
/// may be longer.
const BODY_LIMIT: usize = 256 * 1024;

/// Newest audit entries returned when `limit` is not given, and the most ever returned.
const AUDIT_DEFAULT: u64 = 50;
const AUDIT_MAX: u64 = 1000;

/// Every native route.
pub fn routes() -> Routes {
    Routes::new()
        .route("/steward/v1/tokens", only(post(create_token)))
        .route("/steward/v1/tokens/current", only(delete(revoke_current)))
        .route("/steward/v1/whoami", only(get(whoami)))
        .route("/steward/v1/password", only(get(crate::password::form).post(crate::password::set)))
        .route("/steward/v1/audit", only(get(audit)))
        .route("/steward/v1/mail", only(post(send_mail)))
        .route("/steward/v1/sms/reports/kannel", only(get(kannel_report)))
        .map(|router| router.layer(DefaultBodyLimit::max(BODY_LIMIT)))
}

/// The problem details every native error answers with.
fn problem_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    schema::object_with(
        &[
            ("type", schema::string()),
            ("title", schema::string()),
            ("status", schema::integer()),
            ("detail", schema::string()),
            ("instance", schema::string()),
        ],
        &["type", "title", "status", "detail"],
    )
}

/// The answer of every error: problem details.
fn problems(operation: OperationBuilder) -> OperationBuilder {
    operation.response("default", apidoc::content("An error, in problem details (RFC 9457).", "application/problem+json", problem_schema()))
}

/// Operations that take any credential the native API accepts.
fn authenticated(operation: OperationBuilder) -> OperationBuilder {
    operation
        .security(apidoc::needs(scheme::BEARER))
        .security(apidoc::needs(scheme::AUTH_TOKEN))
        .security(apidoc::needs(scheme::BASIC))
}

/// The native operations.
pub fn api() -> utoipa::openapi::OpenApi {
    let iso_time = schema::string;
    let person = schema::object_with(
        &[
            ("kind", schema::one_of_strings(&["account", "service", "operator"])),
            ("uuid", schema::string()),
            ("login", schema::string()),
            ("name", schema::string()),
            ("email", schema::nullable_string()),
            ("roles", schema::array(schema::string())),
        ],
        &["kind"],
    );
    let login = schema::object_with(
        &[
            ("login", schema::string()),
            ("password", schema::string()),
            ("project", schema::any()),
        ],
        &["login", "password"],
    );
    let issued = schema::object_with(&[("token", schema::string()), ("expires_at", iso_time()), ("project", schema::nullable_integer())], &["token", "expires_at"]);
    let entry = schema::object_with(
        &[("at", iso_time()), ("actor", schema::string()), ("action", schema::string()), ("target", schema::string()), ("face", schema::nullable_string())],
        &["at", "actor", "action", "target"],
    );
    let mail = schema::object_with(
        &[("to", schema::array(schema::string())), ("subject", schema::string()), ("body", schema::string()), ("sensitive", schema::boolean())],
        &["to", "subject", "body"],
    );
    let page = |what: &str| apidoc::content(what, "text/html", schema::string());
    Described::new("steward")
        .operation(
            HttpMethod::Post,
            "/steward/v1/tokens",
            problems(apidoc::summary("Log in: a login and password for a user token, optionally opened on a project (its id or name)."))
                .request_body(Some(apidoc::json_body(login)))
                .response("201", apidoc::json("The token and when it expires.", issued)),
        )
        .operation(
            HttpMethod::Delete,
            "/steward/v1/tokens/current",
            problems(authenticated(apidoc::summary("Revoke the presented user token.")))
                .response("204", apidoc::empty("Revoked: refused everywhere within 2 s.")),
        )
        .operation(
            HttpMethod::Get,
            "/steward/v1/whoami",
            problems(authenticated(apidoc::summary("Who the credential belongs to."))).response("200", apidoc::json("The person, service or operator.", person)),
        )
        .operation(
            HttpMethod::Get,
            "/steward/v1/password",
            apidoc::summary("The form a set-password link leads to; the link's token is the credential.")
                .parameter(apidoc::query("token", false, "The link's token.", schema::string()))
                .response("200", page("The form."))
                .response("default", page("Why the link cannot be used.")),
        )
        .operation(
            HttpMethod::Post,
            "/steward/v1/password",
            apidoc::summary("Set the password a link was sent for, once (the form, or JSON `{token, password}`).")
                .request_body(Some({
                    let fields = || schema::object_with(&[("token", schema::string()), ("password", schema::string())], &["token", "password"]);
                    utoipa::openapi::request_body::RequestBodyBuilder::new()
                        .content("application/json", utoipa::openapi::ContentBuilder::new().schema(Some(fields())).build())
                        .content("application/x-www-form-urlencoded", utoipa::openapi::ContentBuilder::new().schema(Some(fields())).build())
                        .build()
                }))
                .response("200", page("Done (the form)."))
                .response("204", apidoc::empty("Done (JSON)."))
                .response(
                    "default",
                    utoipa::openapi::ResponseBuilder::new()
                        .description("Why the password was not set: a page for the form, problem details for JSON.")
                        .content("text/html", utoipa::openapi::ContentBuilder::new().schema(Some(schema::string())).build())
                        .content("application/problem+json", utoipa::openapi::ContentBuilder::new().schema(Some(problem_schema())).build())
                        .build(),
                ),
        )
        .operation(
            HttpMethod::Get,
            "/steward/v1/audit",
            problems(authenticated(apidoc::summary("The newest audit entries, newest first (role `admin`).")))
                .parameter(apidoc::query("limit", false, "How many, 1 to 1000 (default 50).", schema::integer()))
                .response("200", apidoc::json("The entries.", schema::array(entry))),
        )
        .operation(
            HttpMethod::Post,
            "/steward/v1/mail",
            problems(authenticated(apidoc::summary("Queue one mail through the outbox (role `admin`).")))
                .request_body(Some(apidoc::json_body(mail)))
                .response("202", apidoc::json("Queued: its outbox id and Message-ID.", schema::object_with(&[("id", schema::integer()), ("message_id", schema::string())], &["id", "message_id"]))),
        )
        .operation(
            HttpMethod::Get,
            "/steward/v1/sms/reports/kannel",
            problems(apidoc::summary("Kannel's delivery-report callback; the signed `ref` is the credential."))
                .parameter(apidoc::query("ref", true, "The reference Steward signed for the SMS.", schema::string()))
                .parameter(apidoc::query("type", true, "Kannel's report type: 1, 2, 4, 8 or 16.", schema::integer()))
                .response("200", apidoc::json("Whether the SMS log changed, and its new status.", schema::object_with(&[("recorded", schema::boolean()), ("status", schema::nullable_integer())], &["recorded", "status"]))),
        )
        .operation(
            HttpMethod::Get,
            crate::apidoc::DOCUMENT_PATH,
            apidoc::summary("This description (OpenAPI 3.1).").response("200", apidoc::json("The document.", schema::object())),
        )
        .under("")
}

/// A route answering 405 in problem details for any other method.
fn only(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.fallback(|| async {
        Problem::new(StatusCode::METHOD_NOT_ALLOWED, "This method is not allowed on this path.")
    })
}

/// The body of `POST /steward/v1/tokens`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginDto {
    login: String,
    password: String,
    /// The project to open the token on: its id or its name.
    #[serde(default)]
    project: Option<ProjectRef>,
}

/// A project named by id or by name.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ProjectRef {
    Id(i64),
    Name(String),
}

fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// `POST /steward/v1/tokens`: a login and password for a user token.
async fn create_token(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<LoginDto>,
) -> Result<Response, Problem> {
    if body.login.is_empty() {
        return Err(Problem::bad_request("`login` is empty."));
    }
    let password = Password::parse(body.password).map_err(|error| Problem::bad_request(format!("`password`: {error}.")))?;
    let project = body.project.map(|project| match project {
        ProjectRef::Id(id) => id.to_string(),
        ProjectRef::Name(name) => name,
    });
    let hint = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let client = ClientKind::from_hints(hint("x-client-type"), hint("user-agent"));
    let (issued, project) = state.core.auth.login_on(&body.login, &password, address, project.as_deref(), &client).await?;
    let reply = json!({ "token": issued.secret.expose(), "expires_at": rfc3339(issued.expires_at), "project": project.map(|project| project.0) });
    Ok((StatusCode::CREATED, Json(reply)).into_response())
}

/// `GET /steward/v1/whoami`: who the credential belongs to.
async fn whoami(caller: NativeCaller) -> Json<serde_json::Value> {
    Json(match &caller.actor.principal {
        Some(Principal::Account(account)) => json!({
            "kind": "account",
            "uuid": account.uuid,
            "login": account.login,
            "name": account.name,
            "email": account.email,
            "roles": account.roles,
        }),
        Some(Principal::Service(service)) => json!({ "kind": "service", "name": service.name }),
        None => json!({ "kind": "operator" }),
    })
}

/// `DELETE /steward/v1/tokens/current`: revokes the presented token.
async fn revoke_current(State(state): State<AppState>, caller: NativeCaller) -> Result<StatusCode, Problem> {
    let Some(token) = caller.token else {
        return Err(Problem::bad_request("Present the token to revoke (Bearer or X-Auth-Token), not a password."));
    };
    if matches!(token.principal, Principal::Service(_)) {
        return Err(Problem::bad_request(
            "A service token is replaced with `steward service renew-token`, not revoked here.",
        ));
    }
    state.core.auth.revoke(&token.fingerprint).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /steward/v1/audit?limit=N`: the newest audit entries, admins only.
/// `GET /steward/v1/sms/reports/kannel?ref=…&type=N`: Kannel's delivery report callback.
/// The signed `ref` is the credential: Kannel can send no other.
async fn kannel_report(State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Json<serde_json::Value>, Problem> {
    use steward_core::messaging::delivery_reports::{ReportError, ReportOutcome};
    let (mut reference, mut kind) = (None, None);
    for (key, value) in form_pairs(query.as_deref().unwrap_or(""))? {
        match key.as_str() {
            "ref" => reference = Some(value),
            "type" => kind = Some(value),
            other => return Err(Problem::bad_request(format!("Unknown query parameter `{other}`."))),
        }
    }
    let (Some(reference), Some(kind)) = (reference, kind) else {
        return Err(Problem::bad_request("A delivery report needs `ref` and `type`."));
    };
    let outcome = state.core.sms_reports.record_kannel(&reference, &kind).await.map_err(|error| match error {
        ReportError::UnknownType => Problem::bad_request(error.to_string()),
        ReportError::UnknownReference => Problem::forbidden(error.to_string()),
        ReportError::Store(cause) => Problem::unavailable(&cause),
    });
    let label = match &outcome {
        Ok(ReportOutcome::Recorded(_)) => "recorded",
        Ok(ReportOutcome::Unchanged) => "unchanged",
        Err(_) => "refused",
    };
    // Only Kannel's own types become labels: anything else a caller sends is "other".
    let type_label = match kind.as_str() {
        known @ ("1" | "2" | "4" | "8" | "16") => known.to_owned(),
        _ => "other".to_owned(),
    };
    metrics::counter!("steward_sms_delivery_reports_total", "type" => type_label, "outcome" => label).increment(1);
    let status = match outcome? {
        ReportOutcome::Recorded(status) => Some(status),
        ReportOutcome::Unchanged => None,
    };
    Ok(Json(json!({ "recorded": status.is_some(), "status": status })))
}

async fn audit(
    State(state): State<AppState>,
    caller: NativeCaller,
    RawQuery(query): RawQuery,
) -> Result<Json<serde_json::Value>, Problem> {
    let capability = caller.actor.admin()?;
    let mut limit = AUDIT_DEFAULT;
    for (key, value) in form_pairs(query.as_deref().unwrap_or(""))? {
        match key.as_str() {
            "limit" => {
                limit = value
                    .parse::<u64>()
                    .ok()
                    .filter(|limit| (1..=AUDIT_MAX).contains(limit))
                    .ok_or_else(|| Problem::bad_request(format!("`limit` must be a whole number from 1 to {AUDIT_MAX}.")))?;
            }
            other => return Err(Problem::bad_request(format!("Unknown query parameter `{other}`."))),
        }
    }
    let entries = state.core.outbox.audit_tail(capability, limit).await?;
    let rows: Vec<_> = entries
        .into_iter()
        .map(|entry| {
            json!({
                "at": rfc3339(entry.at),
                "actor": entry.actor,
                "action": entry.action,
                "target": entry.target,
                "face": entry.face,
            })
        })
        .collect();
    Ok(Json(serde_json::Value::Array(rows)))
}

/// The body of `POST /steward/v1/mail`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MailDto {
    to: Vec<String>,
    subject: String,
    body: String,
    /// The body carries a secret: erase it from the store once delivered.
    #[serde(default)]
    sensitive: bool,
}

/// `POST /steward/v1/mail`: queues one mail (admins only) → 202 with its outbox id and
/// Message-ID. Delivery happens later, through the outbox.
async fn send_mail(
    State(state): State<AppState>,
    caller: NativeCaller,
    ApiJson(body): ApiJson<MailDto>,
) -> Result<Response, Problem> {
    let capability = caller.actor.admin()?;
    let to = body
        .to
        .iter()
        .map(|to| Email::parse(to))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| Problem::bad_request(format!("`to`: {error}.")))?;
    let mail = NewMail { to, subject: body.subject, body: body.body, reply_to: None, sensitive: body.sensitive };
    let (id, message_id) = state.core.mail.send(capability, mail).await.map_err(|error| match error {
        MailError::Invalid(why) => Problem::bad_request(why),
        MailError::Store(error) => Problem::unavailable(&error),
    })?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "id": id, "message_id": message_id }))).into_response())
}

/// Splits an `application/x-www-form-urlencoded` query into decoded pairs.
fn form_pairs(query: &str) -> Result<Vec<(String, String)>, Problem> {
    serde_urlencoded::from_str(query).map_err(|_| Problem::bad_request("The query string is not valid."))
}
