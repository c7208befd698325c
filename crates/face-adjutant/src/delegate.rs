//! The delegate APIs that create tasks: sign-up, password reset and invitations (the notes'
//! D2, D9, D11, with upstream's `/v1/actions/...` aliases). Each answers 13.x's
//! `202 {"notes": ["task created"]}` whatever became of the task.

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use steward_core::workflow::WorkflowError;
use steward_http::AppState;
use steward_model::workflow::TaskType;

use crate::call::Call;
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
    let body = match call.object() {
        Ok(body) => body,
        Err(refusal) => return refusal.into_response(),
    };
    let created = state.core.workflow.create(&call.requester, task_type, &body).await;
    let answer = match (task_type, created) {
        (TaskType::ResetPassword, Ok(_) | Err(WorkflowError::ActionsInvalid)) => Answer::notes(StatusCode::ACCEPTED, RESET_NOTE),
        (_, Ok(_)) => Answer::notes(StatusCode::ACCEPTED, "task created"),
        (_, Err(error)) => Answer::from(error),
    };
    answer.into_response()
}

/// `POST /v1/openstack/sign-up`.
pub async fn sign_up(State(state): State<AppState>, request: Request) -> Response {
    create(state, request, TaskType::Signup).await
}

/// `POST /v1/openstack/users/password-reset`: the same answer for every e-mail.
pub async fn password_reset(State(state): State<AppState>, request: Request) -> Response {
    create(state, request, TaskType::ResetPassword).await
}

/// `POST /v1/openstack/users`: invites a user to the caller's project.
pub async fn users(State(state): State<AppState>, request: Request) -> Response {
    create(state, request, TaskType::InviteUser).await
}
