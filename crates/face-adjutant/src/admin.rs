//! The seed's administrative endpoints: the version document, status, tasks, tokens and
//! notifications (E1–E16 of the notes).

use axum::extract::{Path, Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use steward_http::AppState;
use steward_model::workflow::Acknowledged;

use crate::call::{Call, answer, is_id};
use crate::envelope::Answer;
use crate::filters::{self, Listing};
use crate::render;

/// Parses `filters` for `listing`, refusing it in Adjutant's words.
fn search(call: &Call, listing: Listing) -> Result<steward_model::filter::Search, Answer> {
    filters::parse(call.param("filters"), listing).map_err(|message| Answer::error(StatusCode::BAD_REQUEST, message))
}

/// A list with its page's place, when paged.
fn listed(key: &str, rows: Vec<Value>, pages: Option<steward_core::workflow::Pages>) -> Answer {
    let mut body = json!({ key: rows });
    if let (Some(pages), Some(map)) = (pages, body.as_object_mut()) {
        map.insert("pages".to_owned(), json!(pages.count));
        map.insert("has_more".to_owned(), json!(pages.has_more));
        map.insert("has_prev".to_owned(), json!(pages.has_prev));
    }
    Answer::ok(body)
}

/// `GET /v1`: the version document.
pub async fn version(State(state): State<AppState>, request: Request) -> Response {
    answer(state, request, |_, call| async move {
        if call.method != Method::GET {
            return Err(Answer::method_not_allowed(&call.method, "GET"));
        }
        let base = call.url.trim_end_matches('/');
        Ok(Answer::ok(json!({ "version": {
            "status": "CURRENT",
            "id": "1.0",
            "media-types": [{ "base": "application/json", "type": "application/vnd.openstack.adjutant-v1+json" }],
            "links": [{ "href": format!("{base}/"), "rel": "self" }],
        }})))
    })
    .await
}

/// Any other path under `/v1/`.
pub async fn unknown() -> Response {
    Answer::not_found().into_response()
}

/// `GET /v1/status`.
pub async fn status(State(state): State<AppState>, request: Request) -> Response {
    answer(state, request, |state, call| async move {
        if call.method != Method::GET {
            return Err(Answer::method_not_allowed(&call.method, "GET"));
        }
        let status = state.core.workflow.status(&call.requester).await?;
        Ok(Answer::ok(json!({
            "error_notifications": status.error_notifications.iter().map(render::notification).collect::<Vec<_>>(),
            "last_created_task": status.last_created_task.as_ref().map(|task| render::task(task, true)),
            "last_completed_task": status.last_completed_task.as_ref().map(|task| render::task(task, true)),
        })))
    })
    .await
}

/// `GET /v1/tasks`.
pub async fn tasks(State(state): State<AppState>, request: Request) -> Response {
    answer(state, request, |state, call| async move {
        if call.method != Method::GET {
            return Err(Answer::method_not_allowed(&call.method, "GET"));
        }
        call.requester.require(steward_core::workflow::requester::ADMIN)?;
        let search = search(&call, Listing::Tasks)?;
        let paging = call.paging("tasks_per_page")?;
        let list = state.core.workflow.tasks(&call.requester, &search, paging).await?;
        let admin = call.requester.is_admin();
        Ok(listed("tasks", list.rows.iter().map(|task| render::task(task, admin)).collect(), list.pages))
    })
    .await
}

/// `/v1/tasks/<id>`: GET details, PUT update, POST approve, DELETE cancel.
pub async fn task(State(state): State<AppState>, Path(id): Path<String>, request: Request) -> Response {
    answer(state, request, |state, call| async move {
        let workflow = &state.core.workflow;
        let requester = &call.requester;
        let known = is_id(&id);
        match call.method {
            Method::GET => {
                requester.require(steward_core::workflow::requester::MOD_OR_ADMIN)?;
                if !known {
                    return Err(steward_core::workflow::WorkflowError::TaskNotFound.into());
                }
                let task = workflow.task(requester, &id).await?;
                Ok(Answer::ok(render::task(&task, requester.is_admin())))
            }
            Method::PUT => {
                requester.require(steward_core::workflow::requester::MOD_OR_ADMIN)?;
                let body = call.object()?;
                if !known {
                    return Err(steward_core::workflow::WorkflowError::TaskNotFound.into());
                }
                workflow.update(requester, &id, &body).await?;
                Ok(Answer::notes(StatusCode::OK, "Task successfully updated."))
            }
            Method::POST => {
                requester.require(steward_core::workflow::requester::ADMIN)?;
                let body = call.object()?;
                if body.get("approved") != Some(&Value::Bool(true)) {
                    return Err(Answer::json(StatusCode::BAD_REQUEST, json!({ "errors": { "approved": ["this is a required boolean field."] } })));
                }
                if !known {
                    return Err(steward_core::workflow::WorkflowError::TaskNotFound.into());
                }
                Ok(match workflow.approve(requester, &id).await? {
                    steward_core::workflow::Approval::TokenCreated => Answer::notes(StatusCode::OK, "Created Token."),
                    steward_core::workflow::Approval::Completed => Answer::notes(StatusCode::OK, "Task completed successfully."),
                })
            }
            Method::DELETE => {
                requester.require(steward_core::workflow::requester::MOD_OR_ADMIN)?;
                if !known {
                    return Err(steward_core::workflow::WorkflowError::TaskNotFound.into());
                }
                workflow.cancel(requester, &id).await?;
                Ok(Answer::notes(StatusCode::OK, "Task cancelled successfully."))
            }
            _ => Err(Answer::method_not_allowed(&call.method, "GET, PUT, POST, DELETE")),
        }
    })
    .await
}

/// `/v1/tokens`: GET list, POST reissue, DELETE the expired.
pub async fn tokens(State(state): State<AppState>, request: Request) -> Response {
    answer(state, request, |state, call| async move {
        let workflow = &state.core.workflow;
        let requester = &call.requester;
        match call.method {
            Method::GET => {
                requester.require(steward_core::workflow::requester::ADMIN)?;
                let search = search(&call, Listing::Tokens)?;
                let tokens = workflow.task_tokens(requester, &search).await?;
                Ok(Answer::ok(json!({ "tokens": tokens.iter().map(render::token).collect::<Vec<_>>() })))
            }
            Method::POST => {
                requester.require(steward_core::workflow::requester::MOD_OR_ADMIN)?;
                let body = call.object()?;
                let task = match body.get("task").or_else(|| body.get("task_id")) {
                    Some(Value::String(task)) => task.clone(),
                    Some(Value::Number(number)) => number.to_string(),
                    _ => return Err(Answer::json(StatusCode::BAD_REQUEST, json!({ "errors": { "task": ["This field is required."] } }))),
                };
                if !is_id(&task) {
                    return Err(steward_core::workflow::WorkflowError::TaskNotFound.into());
                }
                workflow.reissue_token(requester, &task).await?;
                Ok(Answer::notes(StatusCode::OK, "Token reissued."))
            }
            Method::DELETE => {
                workflow.purge_expired_tokens(requester).await?;
                Ok(Answer::notes(StatusCode::OK, "Deleted all expired tokens."))
            }
            _ => Err(Answer::method_not_allowed(&call.method, "GET, POST, DELETE")),
        }
    })
    .await
}

/// `/v1/tokens/<token>`: GET what to send, POST the submission. No credentials needed.
pub async fn token(State(state): State<AppState>, Path(id): Path<String>, request: Request) -> Response {
    answer(state, request, |state, call| async move {
        let workflow = &state.core.workflow;
        let missing = || Answer::from(steward_core::workflow::WorkflowError::TokenNotFound);
        match call.method {
            Method::GET => {
                if !is_id(&id) {
                    return Err(missing());
                }
                let details = workflow.token_details(&call.requester, &id).await?;
                Ok(Answer::ok(json!({
                    "actions": details.actions,
                    "required_fields": details.required_fields,
                    "task_type": details.task_type.as_str(),
                    "requires_authentication": details.requires_authentication,
                })))
            }
            Method::POST => {
                let body = match crate::body::parse(&call.headers, &call.body)? {
                    crate::body::Parsed::Empty => serde_json::Map::new(),
                    crate::body::Parsed::Json(Value::Object(map)) => map,
                    crate::body::Parsed::Json(Value::Array(items)) if items.is_empty() => serde_json::Map::new(),
                    crate::body::Parsed::Json(_) => {
                        return Err(Answer::error(StatusCode::BAD_REQUEST, "Improperly formated json. Should be a key-value object."));
                    }
                };
                if !is_id(&id) {
                    return Err(missing());
                }
                workflow.submit_token(&call.requester, &id, &body).await?;
                Ok(Answer::notes(StatusCode::OK, "Token submitted successfully."))
            }
            _ => Err(Answer::method_not_allowed(&call.method, "GET, POST")),
        }
    })
    .await
}

/// `/v1/notifications`: GET list, POST acknowledge a list.
pub async fn notifications(State(state): State<AppState>, request: Request) -> Response {
    answer(state, request, |state, call| async move {
        let workflow = &state.core.workflow;
        let requester = &call.requester;
        match call.method {
            Method::GET => {
                requester.require(steward_core::workflow::requester::ADMIN)?;
                let search = search(&call, Listing::Notifications)?;
                let paging = call.paging("notifications_per_page")?;
                let list = workflow.notifications(requester, &search, paging).await?;
                Ok(listed("notifications", list.rows.iter().map(render::notification).collect(), list.pages))
            }
            Method::POST => {
                requester.require(steward_core::workflow::requester::ADMIN)?;
                let body = call.object()?;
                let uuids: Vec<String> = match body.get("notifications") {
                    Some(Value::Array(items)) if !items.is_empty() => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
                    _ => {
                        return Err(Answer::json(StatusCode::BAD_REQUEST, json!({ "notifications": ["this field is required and needs to be a list."] })));
                    }
                };
                workflow.acknowledge_all(requester, &uuids).await?;
                Ok(Answer::notes(StatusCode::OK, "Notifications acknowledged."))
            }
            _ => Err(Answer::method_not_allowed(&call.method, "GET, POST")),
        }
    })
    .await
}

/// `/v1/notifications/<id>`: GET details, POST acknowledge.
pub async fn notification(State(state): State<AppState>, Path(id): Path<String>, request: Request) -> Response {
    answer(state, request, |state, call| async move {
        let workflow = &state.core.workflow;
        let requester = &call.requester;
        let missing = || Answer::from(steward_core::workflow::WorkflowError::NotificationNotFound);
        match call.method {
            Method::GET => {
                requester.require(steward_core::workflow::requester::ADMIN)?;
                if !is_id(&id) {
                    return Err(missing());
                }
                Ok(Answer::ok(render::notification(&workflow.notification(requester, &id).await?)))
            }
            Method::POST => {
                requester.require(steward_core::workflow::requester::ADMIN)?;
                let body = call.object()?;
                if !is_id(&id) {
                    return Err(missing());
                }
                let confirmed = body.get("acknowledged") == Some(&Value::Bool(true));
                Ok(match workflow.acknowledge(requester, &id, confirmed).await? {
                    Acknowledged::Now => Answer::notes(StatusCode::OK, "Notification acknowledged."),
                    Acknowledged::Already => Answer::notes(StatusCode::OK, "Notification already acknowledged."),
                })
            }
            _ => Err(Answer::method_not_allowed(&call.method, "GET, POST")),
        }
    })
    .await
}
