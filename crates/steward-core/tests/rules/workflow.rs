//! Adjutant's workflow in the core: every transition of a task and every refusal, with the
//! surprises the notes keep on purpose (approving twice issues a fresh token) and those
//! Steward closes (an invalid anonymous reset is never stored; an invalid approval leaves
//! the task as it was).

use serde_json::{Map, Value, json};
use steward_core::Actor;
use steward_core::workflow::{Approval, Requester, WorkflowError};
use steward_model::Role;
use steward_model::filter::Search;
use steward_model::workflow::{Closed, TaskStage, TaskType};

use crate::kit::Kit;

fn body(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap()
}

/// An admin acting on no project.
async fn admin(kit: &Kit) -> Requester {
    let account = kit.admin().await;
    kit.core.workflow.requester(account, None, "test", None).await.unwrap()
}

/// `login`, holding `role` on project `project`, acting on it.
async fn member_of(kit: &Kit, login: &str, project: &str, role: &'static str) -> Requester {
    let account = kit.account(login, &[]).await;
    let cli = Actor::cli();
    let can = cli.projects_admin().unwrap();
    let project = match kit.core.projects.add(can, project, None).await {
        Ok(project) => project,
        Err(_) => kit.core.projects.list(can, &Default::default()).await.unwrap().into_iter().find(|found| found.name == project).unwrap(),
    };
    kit.core.members.set_roles(can, login, &project.id.0.to_string(), &[Role::known(role)]).await.unwrap();
    kit.core.workflow.requester(account, Some(project.id), "test", None).await.unwrap()
}

fn nobody() -> Requester {
    Requester::anonymous("test", None)
}

async fn sign_up(kit: &Kit, email: &str, project: &str) -> String {
    let created = kit.core.workflow.create(&nobody(), TaskType::Signup, &body(json!({ "email": email, "project_name": project }))).await.unwrap();
    assert_eq!(created.approval, None, "a sign-up waits for an admin");
    created.uuid
}

async fn token_of(kit: &Kit, admin: &Requester, task: &str) -> Option<String> {
    let tokens = kit.core.workflow.task_tokens(admin, &Search::default()).await.unwrap();
    tokens.into_iter().find(|token| token.task == task).map(|token| token.token)
}

#[tokio::test]
async fn a_sign_up_goes_pending_approved_completed_and_nothing_moves_it_after() {
    let kit = Kit::new().await;
    let admin = admin(&kit).await;
    let workflow = &kit.core.workflow;
    let task = sign_up(&kit, "ada@example.org", "analytical").await;
    assert!(matches!(workflow.task(&admin, &task).await.unwrap().stage, TaskStage::Pending(_)));
    // Approved: a token; approved again: another, and the first is dead.
    assert_eq!(workflow.approve(&admin, &task).await.unwrap(), Approval::TokenCreated);
    let first = token_of(&kit, &admin, &task).await.unwrap();
    assert_eq!(workflow.approve(&admin, &task).await.unwrap(), Approval::TokenCreated);
    let second = token_of(&kit, &admin, &task).await.unwrap();
    assert_ne!(first, second);
    assert!(matches!(workflow.token_details(&nobody(), &first).await, Err(WorkflowError::TokenNotFound)));
    // Reissued: a third.
    workflow.reissue_token(&admin, &task).await.unwrap();
    let third = token_of(&kit, &admin, &task).await.unwrap();
    assert!(matches!(workflow.token_details(&nobody(), &second).await, Err(WorkflowError::TokenNotFound)));
    // Submitted without its field, then with a weak password: refused, nothing moves.
    assert!(matches!(workflow.submit_token(&nobody(), &third, &Map::new()).await, Err(WorkflowError::Fields(_))));
    assert!(matches!(workflow.submit_token(&nobody(), &third, &body(json!({ "password": "short" }))).await, Err(WorkflowError::Fields(_))));
    assert!(matches!(workflow.task(&admin, &task).await.unwrap().stage, TaskStage::Approved(_)));
    workflow.submit_token(&nobody(), &third, &body(json!({ "password": "a long enough secret" }))).await.unwrap();
    assert!(matches!(workflow.task(&admin, &task).await.unwrap().stage, TaskStage::Completed(_)));
    // Terminal: every transition is refused with the reason.
    let completed = |result: Result<(), WorkflowError>| matches!(result, Err(WorkflowError::Closed(Closed::Completed)));
    assert!(completed(workflow.approve(&admin, &task).await.map(drop)));
    assert!(completed(workflow.cancel(&admin, &task).await));
    assert!(completed(workflow.reissue_token(&admin, &task).await));
    assert!(completed(workflow.update(&admin, &task, &body(json!({ "email": "ada@example.org", "project_name": "x" }))).await.map(drop)));
    assert!(matches!(workflow.submit_token(&nobody(), &third, &Map::new()).await, Err(WorkflowError::TokenNotFound)));
    // The account exists with the password chosen, and the audit says who did what.
    assert!(kit.core.accounts.by_login("ada@example.org").await.unwrap().is_some());
    let actions = kit.audit_actions().await;
    for action in ["task.create", "task.approve", "task_token.reissue", "account.create", "task.complete"] {
        assert!(actions.iter().any(|found| found == action), "{action} in {actions:?}");
    }
}

#[tokio::test]
async fn cancelling_is_terminal_and_keeps_the_approval_it_found() {
    let kit = Kit::new().await;
    let admin = admin(&kit).await;
    let workflow = &kit.core.workflow;
    let pending = sign_up(&kit, "p@example.org", "pending").await;
    workflow.cancel(&admin, &pending).await.unwrap();
    assert!(matches!(workflow.task(&admin, &pending).await.unwrap().stage, TaskStage::Cancelled(ref cancelled) if cancelled.approval.is_none()));
    let approved = sign_up(&kit, "a@example.org", "approved").await;
    workflow.approve(&admin, &approved).await.unwrap();
    let token = token_of(&kit, &admin, &approved).await.unwrap();
    workflow.cancel(&admin, &approved).await.unwrap();
    assert!(matches!(workflow.task(&admin, &approved).await.unwrap().stage, TaskStage::Cancelled(ref cancelled) if cancelled.approval.is_some()));
    assert!(matches!(workflow.token_details(&nobody(), &token).await, Err(WorkflowError::TokenNotFound)), "a cancel kills the token");
    let cancelled = |result: Result<(), WorkflowError>| matches!(result, Err(WorkflowError::Closed(Closed::Cancelled)));
    assert!(cancelled(workflow.approve(&admin, &approved).await.map(drop)));
    assert!(cancelled(workflow.cancel(&admin, &approved).await));
    assert!(cancelled(workflow.reissue_token(&admin, &approved).await));
}

#[tokio::test]
async fn refusals_name_their_reason() {
    let kit = Kit::new().await;
    let admin = admin(&kit).await;
    let workflow = &kit.core.workflow;
    let moderator = member_of(&kit, "mod", "one", "project_mod").await;
    let member = member_of(&kit, "mem", "one", "member").await;
    let task = sign_up(&kit, "r@example.org", "refusals").await;
    // Guards.
    assert!(matches!(workflow.tasks(&nobody(), &Search::default(), None).await, Err(WorkflowError::Unauthenticated)));
    assert!(matches!(workflow.tasks(&moderator, &Search::default(), None).await, Err(WorkflowError::Forbidden(_))));
    assert!(matches!(workflow.approve(&moderator, &task).await, Err(WorkflowError::Forbidden(_))));
    assert!(matches!(workflow.cancel(&member, &task).await, Err(WorkflowError::Forbidden(_))));
    // Another project's task does not exist for a moderator.
    assert!(matches!(workflow.task(&moderator, &task).await, Err(WorkflowError::TaskNotFound)));
    assert!(matches!(workflow.cancel(&moderator, &task).await, Err(WorkflowError::TaskNotFound)));
    // Not approved yet: nothing to reissue.
    assert!(matches!(workflow.reissue_token(&admin, &task).await, Err(WorkflowError::NotApproved)));
    // Approved: its data is fixed.
    workflow.approve(&admin, &task).await.unwrap();
    let update = body(json!({ "email": "r@example.org", "project_name": "other" }));
    assert!(matches!(workflow.update(&admin, &task, &update).await, Err(WorkflowError::AlreadyApproved)));
    // A duplicate sign-up is blocked; a duplicate reset cancels the older one.
    let again = body(json!({ "email": "r@example.org", "project_name": "refusals" }));
    assert!(matches!(workflow.create(&nobody(), TaskType::Signup, &again).await, Err(WorkflowError::Duplicate)));
    let reset = body(json!({ "email": "mem@example.org" }));
    let older = workflow.create(&nobody(), TaskType::ResetPassword, &reset).await.unwrap();
    let newer = workflow.create(&nobody(), TaskType::ResetPassword, &reset).await.unwrap();
    assert_eq!(newer.approval, Some(Approval::TokenCreated));
    assert!(matches!(workflow.task(&admin, &older.uuid).await.unwrap().stage, TaskStage::Cancelled(_)));
    // An unknown user's reset is refused and never stored; the face answers it like any.
    let before = workflow.tasks(&admin, &Search::default(), None).await.unwrap().rows.len();
    assert!(matches!(workflow.create(&nobody(), TaskType::ResetPassword, &body(json!({ "email": "ghost@example.org" }))).await, Err(WorkflowError::ActionsInvalid)));
    assert_eq!(workflow.tasks(&admin, &Search::default(), None).await.unwrap().rows.len(), before);
    // Invitations need a moderator, into its own project, of roles it may give.
    let invite = body(json!({ "email": "new@example.org", "roles": ["member"] }));
    assert!(matches!(workflow.create(&nobody(), TaskType::InviteUser, &invite).await, Err(WorkflowError::Unauthenticated)));
    assert!(matches!(workflow.create(&member, TaskType::InviteUser, &invite).await, Err(WorkflowError::Forbidden(_))));
    let too_much = body(json!({ "email": "new@example.org", "roles": ["project_admin"] }));
    assert!(matches!(workflow.create(&moderator, TaskType::InviteUser, &too_much).await, Err(WorkflowError::ActionsInvalid)));
    assert_eq!(workflow.create(&moderator, TaskType::InviteUser, &invite).await.unwrap().approval, Some(Approval::TokenCreated));
    // Fields are checked before anything else, and all at once.
    let Err(WorkflowError::Fields(errors)) = workflow.create(&nobody(), TaskType::Signup, &body(json!({ "email": "nope" }))).await else {
        panic!("field errors expected");
    };
    assert_eq!(errors.0.keys().collect::<Vec<_>>(), ["email", "project_name"]);
}

#[tokio::test]
async fn an_expired_token_is_deleted_when_read() {
    let kit = Kit::new().await;
    let admin = admin(&kit).await;
    let workflow = &kit.core.workflow;
    let task = sign_up(&kit, "late@example.org", "late").await;
    workflow.approve(&admin, &task).await.unwrap();
    let token = token_of(&kit, &admin, &task).await.unwrap();
    assert_eq!(kit.execute("UPDATE workflow_tokens SET expires = '2000-01-01T00:00:00Z'", Vec::new()).await, 1);
    assert!(matches!(workflow.token_details(&nobody(), &token).await, Err(WorkflowError::TokenNotFound)));
    assert_eq!(kit.count("SELECT COUNT(*) FROM workflow_tokens").await, 0);
    // The task still waits: a reissue sends a live token.
    workflow.reissue_token(&admin, &task).await.unwrap();
    let fresh = token_of(&kit, &admin, &task).await.unwrap();
    assert_eq!(workflow.token_details(&nobody(), &fresh).await.unwrap().required_fields, ["password"]);
}
