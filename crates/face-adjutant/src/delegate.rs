//! The delegate APIs (the notes' D1–D11, with upstream's `/v1/actions/...` aliases): those
//! that create tasks (sign-up, password reset, invitations, role edits, e-mail changes)
//! answer 13.x's `202 {"notes": ["task created"]}` whatever became of the task; the others
//! show a project's people and the roles the caller may give.

use axum::extract::{Path, Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use steward_core::workflow::{ProjectUser, Revoked, WorkflowError};
use steward_http::AppState;
use steward_model::workflow::TaskType;

use crate::call::{Call, answer, is_id};
use crate::envelope::Answer;

/// The one answer a password reset gives, whoever the e-mail belongs to.
const RESET_NOTE: &str = "If user with email exists, reset token will be issued.";

async fn create(state: AppState, request: Request, task_type: TaskType) -> Response {
    let call = match Call::of(&state, request).await {
        Ok(call) => call,
        Err(refusal) => return refusal.into_response(),
    };
    if call.method != Method::POST {
        return Answer::method_not_allowed(&call.method, "POST").into_response();
    }
    match call.object() {
        Ok(body) => created(&state, &call, task_type, &body).await.into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

/// Creates a task of `task_type` from `body`, answering as the delegate APIs do.
async fn created(state: &AppState, call: &Call, task_type: TaskType, body: &Map<String, Value>) -> Answer {
    let created = state.core.workflow.create(&call.requester, task_type, body).await;
    match (task_type, created) {
        (TaskType::ResetPassword, Ok(_) | Err(WorkflowError::ActionsInvalid)) => Answer::notes(StatusCode::ACCEPTED, RESET_NOTE),
        (_, Ok(_)) => Answer::notes(StatusCode::ACCEPTED, "task created"),
        (_, Err(error)) => Answer::from(error),
    }
}

/// One of a project's people as `GET /v1/openstack/users` lists them.
fn project_user(user: &ProjectUser) -> Value {
    match user {
        ProjectUser::Member { account, roles, manageable } => json!({
            "id": account.uuid.simple().to_string(),
            "name": account.login,
            "email": account.email,
            "roles": roles,
            "inherited_roles": [],
            "group_roles": [],
            "cohort": "Member",
            "status": if account.active { "Active" } else { "Account Disabled" },
            "manageable": manageable,
        }),
        ProjectUser::Invited { task, email, roles, expired } => json!({
            "id": task,
            "name": email,
            "email": email,
            "roles": roles,
            "inherited_roles": [],
            "group_roles": [],
            "cohort": "Invited",
            "status": if *expired { "Expired" } else { "Invited" },
        }),
    }
}

/// `/v1/openstack/users/<id>`: GET one member (D3), DELETE a pending invitation (D4).
pub async fn user(State(state): State<AppState>, Path(id): Path<String>, request: Request) -> Response {
    answer(state, request, |state, call| async move {
        let workflow = &state.core.workflow;
        match call.method {
            Method::GET => {
                call.requester.require(steward_core::workflow::requester::MOD_OR_ADMIN)?;
                let (account, roles) = workflow.project_user(&call.requester, &id).await?;
                Ok(Answer::ok(json!({
                    "id": account.uuid.simple().to_string(),
                    "username": account.login,
                    "name": account.login,
                    "email": account.email,
                    "roles": roles,
                    "inherited_roles": [],
                    "group_roles": [],
                })))
            }
            Method::DELETE => {
                call.requester.require(steward_core::workflow::requester::MOD_OR_ADMIN)?;
                if !is_id(&id) {
                    return Err(Answer::json(StatusCode::NOT_FOUND, json!("Not found.")));
                }
                Ok(match workflow.revoke_project_user(&call.requester, &id).await? {
                    Revoked::InvitationCancelled => Answer::ok(json!("Cancelled pending invite task!")),
                    Revoked::IsAUser => Answer::error(StatusCode::NOT_IMPLEMENTED, "Revoking keystone users not implemented. Try removing all roles instead."),
                    Revoked::NotFound => Answer::json(StatusCode::NOT_FOUND, json!("Not found.")),
                })
            }
            _ => Err(Answer::method_not_allowed(&call.method, "GET, DELETE")),
        }
    })
    .await
}

/// `/v1/openstack/users/<id>/roles`: GET the member's roles (D5), PUT gives (D6) and DELETE
/// takes (D7) roles through an `edit_user` task.
pub async fn user_roles(State(state): State<AppState>, Path(id): Path<String>, request: Request) -> Response {
    answer(state, request, |state, call| async move {
        match call.method {
            Method::GET => {
                let (_, roles) = state.core.workflow.project_user(&call.requester, &id).await?;
                Ok(Answer::ok(json!({ "roles": roles, "inherited_roles": [] })))
            }
            Method::PUT | Method::DELETE => {
                call.requester.require(steward_core::workflow::requester::MOD_OR_ADMIN)?;
                let mut body = call.object()?;
                body.insert("user_id".to_owned(), Value::String(id));
                body.insert("remove".to_owned(), Value::Bool(call.method == Method::DELETE));
                Ok(created(&state, &call, TaskType::EditUser, &body).await)
            }
            _ => Err(Answer::method_not_allowed(&call.method, "GET, PUT, DELETE")),
        }
    })
    .await
}

/// `GET /v1/openstack/roles`: the roles the caller may give (D8).
pub async fn roles(State(state): State<AppState>, request: Request) -> Response {
    answer(state, request, |state, call| async move {
        if call.method != Method::GET {
            return Err(Answer::method_not_allowed(&call.method, "GET"));
        }
        let roles = state.core.workflow.manageable_roles(&call.requester)?;
        let listed: Vec<Value> = roles.iter().map(|role| json!({ "id": role, "name": role, "domain_id": null, "links": {} })).collect();
        Ok(Answer::ok(json!({ "roles": listed })))
    })
    .await
}

/// `POST /v1/actions/EditUser`: a role edit with the user and direction in the body.
pub async fn edit_user(State(state): State<AppState>, request: Request) -> Response {
    create(state, request, TaskType::EditUser).await
}

/// `POST /v1/openstack/users/email-update`: the caller's e-mail change, confirmed from the
/// new address by an authenticated submission (D10).
pub async fn email_update(State(state): State<AppState>, request: Request) -> Response {
    create(state, request, TaskType::UpdateEmail).await
}

/// `POST /v1/openstack/sign-up`.
pub async fn sign_up(State(state): State<AppState>, request: Request) -> Response {
    create(state, request, TaskType::Signup).await
}

/// `POST /v1/openstack/users/password-reset`: the same answer for every e-mail.
pub async fn password_reset(State(state): State<AppState>, request: Request) -> Response {
    create(state, request, TaskType::ResetPassword).await
}

/// `/v1/openstack/users`: GET the project's people (D1), POST invites a user to the
/// caller's project (D2).
pub async fn users(State(state): State<AppState>, request: Request) -> Response {
    answer(state, request, |state, call| async move {
        match call.method {
            Method::GET => {
                let users = state.core.workflow.project_users(&call.requester).await?;
                Ok(Answer::ok(json!({ "users": users.iter().map(project_user).collect::<Vec<_>>() })))
            }
            Method::POST => {
                let body = call.object()?;
                Ok(created(&state, &call, TaskType::InviteUser, &body).await)
            }
            _ => Err(Answer::method_not_allowed(&call.method, "GET, POST")),
        }
    })
    .await
}

/// `GET /v1/actions/InviteUser`: what an invitation is made of.
pub async fn invite_user_action(State(state): State<AppState>, request: Request) -> Response {
    answer(state, request, |state, call| async move {
        match call.method {
            Method::GET => {
                call.requester.require(steward_core::workflow::requester::MOD_OR_ADMIN)?;
                Ok(Answer::ok(json!({ "actions": ["NewUserAction"], "required_fields": ["email", "roles"] })))
            }
            Method::POST => {
                let body = call.object()?;
                Ok(created(&state, &call, TaskType::InviteUser, &body).await)
            }
            _ => Err(Answer::method_not_allowed(&call.method, "GET, POST")),
        }
    })
    .await
}

/// Resource → value, grouped by service as Adjutant groups them (`{"cyclades": {"vm": 2}}`).
fn by_service<'a>(values: impl IntoIterator<Item = (&'a str, i64)>) -> Value {
    let mut services = Map::new();
    for (resource, value) in values {
        let (service, name) = resource.split_once('.').unwrap_or((resource, resource));
        if let Value::Object(names) = services.entry(service.to_owned()).or_insert_with(|| json!({})) {
            names.insert(name.to_owned(), json!(value));
        }
    }
    Value::Object(services)
}

/// `/v1/openstack/quotas`: GET the caller's project's quota (D12), POST a change of size,
/// made an `update_quota` task (one step approves itself; more waits for an admin).
pub async fn quotas(State(state): State<AppState>, request: Request) -> Response {
    use steward_core::quotas::project_sizes::{self, SIZES};
    answer(state, request, |state, call| async move {
        match call.method {
            Method::GET => {
                let asked: Vec<String> = call.param("regions").unwrap_or("").split(',').map(str::trim).filter(|region| !region.is_empty()).map(str::to_owned).collect();
                let report = match state.core.workflow.project_quota(&call.requester, &asked).await {
                    Ok(report) => report,
                    // The one refusal upstream words outside the errors envelope.
                    Err(WorkflowError::UnknownRegions(unknown)) => {
                        let first = unknown.first().map(String::as_str).unwrap_or_default();
                        return Err(Answer::json(StatusCode::BAD_REQUEST, json!({ "ERROR": [format!("Region: {first} is not valid")] })));
                    }
                    Err(error) => return Err(error.into()),
                };
                let quota = &report.quota;
                let sizes: Map<String, Value> = SIZES.iter().map(|size| (size.name.to_owned(), by_service(size.limits.iter().map(|(name, limit)| (*name, *limit))))).collect();
                let tasks: Vec<Value> = report
                    .recent_changes
                    .iter()
                    .map(|task| {
                        let data = task.actions.first().map(|action| action.data.clone()).unwrap_or_default();
                        json!({
                            "id": task.uuid,
                            "regions": data.get("regions").cloned().unwrap_or(json!([])),
                            "size": data.get("size").cloned().unwrap_or(Value::Null),
                            "request_user": task.keystone_user.get("username").cloned().unwrap_or(Value::Null),
                            "task_created": crate::render::datetime(task.created_on),
                            "valid": task.actions.iter().all(|action| action.valid),
                            "status": steward_core::workflow::change_status(task),
                        })
                    })
                    .collect();
                Ok(Answer::ok(json!({
                    "regions": [{
                        "region": project_sizes::REGION,
                        "current_quota": by_service(quota.limits.iter().map(|(name, limit)| (name.as_str(), *limit))),
                        "current_quota_size": quota.size.unwrap_or("custom"),
                        "current_usage": by_service(quota.usage.iter().map(|(name, used)| (name.as_str(), *used))),
                        "quota_change_options": report.change_options,
                    }],
                    "quota_sizes": sizes,
                    "quota_size_order": SIZES.iter().map(|size| size.name).collect::<Vec<_>>(),
                    "active_quota_tasks": tasks,
                })))
            }
            Method::POST => {
                call.requester.require(steward_core::workflow::requester::MOD_OR_ADMIN)?;
                let body = call.object()?;
                Ok(created(&state, &call, TaskType::UpdateQuota, &body).await)
            }
            _ => Err(Answer::method_not_allowed(&call.method, "GET, POST")),
        }
    })
    .await
}
