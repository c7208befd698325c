//! Each served task type's whole life: created through its delegate API, approved (or
//! approving itself), its mails delivered to the SMTP sink, the mailed link followed as a
//! user would, and what it made usable on every face.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Adjutant, UNKNOWN, token_link};
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    a_sign_up_is_approved_completed_from_its_mail_and_logs_in_everywhere,
    a_password_reset_answers_alike_and_changes_the_password_everywhere,
    an_invitation_stays_in_its_project_and_makes_a_member,
    tokens_die_when_replaced_cancelled_or_expired,
);

async fn a_sign_up_is_approved_completed_from_its_mail_and_logs_in_everywhere(backend: Backend) {
    let adjutant = Adjutant::start(backend).await;
    // Case 3, 4, 5.
    let task = adjutant.sign_up("new@example.com", "proj1").await;
    let body = json!({ "email": "new@example.com", "project_name": "proj1" });
    assert_eq!(adjutant.post("/v1/openstack/sign-up", None, body).await, (409, json!({ "errors": ["This Task already exists."] })));
    let (status, refused) = adjutant.post("/v1/openstack/sign-up", None, json!({ "email": "not-an-email", "project_name": "p" })).await;
    assert_eq!((status, &refused["errors"]["email"]), (400, &json!(["Enter a valid email address."])));
    // The "initial" mail says the request was received.
    let initial = adjutant.mails_to("new@example.com", 1).await;
    assert!(initial[0].contains("proj1"), "{}", initial[0]);
    let path = format!("/v1/tasks/{task}");
    // Case 14, 15, 16, 17.
    assert_eq!(adjutant.get(&path, Some(&adjutant.n)).await.0, 403);
    assert_eq!(adjutant.post(&path, Some(&adjutant.a), json!({ "approved": "true" })).await, (400, json!({ "errors": { "approved": ["this is a required boolean field."] } })));
    assert_eq!(adjutant.post(&path, Some(&adjutant.m), json!({ "approved": true })).await.0, 403);
    assert_eq!(adjutant.post(&path, Some(&adjutant.a), json!({ "approved": true })).await, (200, json!({ "notes": ["Created Token."] })));
    let (_, detail) = adjutant.get(&path, Some(&adjutant.a)).await;
    assert_eq!((&detail["approved"], &detail["approved_by"]["username"], &detail["completed"]), (&json!(true), &json!("admin"), &json!(false)));
    assert!(detail["approved_on"].is_string());
    let (_, tokens) = adjutant.get("/v1/tokens", Some(&adjutant.a)).await;
    assert_eq!(tokens["tokens"].as_array().unwrap().len(), 1);
    assert_eq!((&tokens["tokens"][0]["task"], &tokens["tokens"][0]["task_type"]), (&json!(task), &json!("signup")));
    // The token mail carries the link; the user follows it (case 18).
    let mails = adjutant.mails_to("new@example.com", 2).await;
    let token_mail = mails.iter().find(|mail| mail.contains("/v1/tokens/")).unwrap();
    let link = token_link(token_mail);
    assert_eq!(link, format!("/v1/tokens/{}", adjutant.token_of(&task).await.unwrap()));
    let details = json!({ "actions": ["NewProjectWithUserAction", "SetProjectQuotaAction"], "required_fields": ["password"], "task_type": "signup", "requires_authentication": false });
    assert_eq!(adjutant.get(&link, None).await, (200, details));
    // Case 20, 21, and a weak password: refused, the task stays open.
    assert_eq!(adjutant.post(&link, None, json!({})).await, (400, json!({ "errors": { "password": ["This field is required."] } })));
    let (status, _, text) = raw_post(&adjutant.server, &link, &[("content-type", "application/json")], b"{\"password\": ");
    assert_eq!(status, 400, "{text}");
    assert!(serde_json::from_str::<Value>(&text).unwrap()["errors"].is_array());
    assert_eq!(adjutant.post(&link, None, json!([1])).await, (400, json!({ "errors": ["Improperly formated json. Should be a key-value object."] })));
    let (status, weak) = adjutant.post(&link, None, json!({ "password": "short" })).await;
    assert_eq!((status, weak["errors"]["password"].as_array().map(Vec::len)), (400, Some(1)));
    assert_eq!(adjutant.get(&path, Some(&adjutant.a)).await.1["completed"], false);
    // Case 22.
    assert_eq!(adjutant.post(&link, None, json!({ "password": "Corr3ct-horse-battery" })).await, (200, json!({ "notes": ["Token submitted successfully."] })));
    let (_, detail) = adjutant.get(&path, Some(&adjutant.a)).await;
    assert_eq!((&detail["completed"], detail["completed_on"].is_string()), (&json!(true), true));
    assert_eq!(adjutant.get(&link, None).await.0, 404, "the token is gone");
    assert_eq!(adjutant.post(&link, None, json!({ "password": "Corr3ct-horse-battery" })).await.0, 404, "submitting twice");
    let completed = adjutant.mails_to("new@example.com", 3).await;
    assert!(completed.iter().any(|mail| mail.contains("is ready")), "{completed:?}");
    // Case 23, 24.
    let done = json!({ "errors": ["This task has already been completed."] });
    assert_eq!(adjutant.post(&path, Some(&adjutant.a), json!({ "approved": true })).await, (400, done.clone()));
    assert_eq!(adjutant.call(Method::DELETE, &path, Some(&adjutant.a), None).await, (400, done));
    // One identity: the account logs in with its e-mail, on its new project, where it is a
    // project admin; its token works on Astakos too.
    let response = adjutant
        .server
        .http
        .post(adjutant.server.url("/steward/v1/tokens"))
        .json(&json!({ "login": "new@example.com", "password": "Corr3ct-horse-battery", "project": "proj1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let token = response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let (status, whoami) = adjutant.server.get_json("/steward/v1/whoami", &token).await;
    assert_eq!((status, &whoami["email"]), (200, &json!("new@example.com")));
    let astakos = adjutant.server.http.get(adjutant.server.url("/im/authenticate")).header("X-Auth-Token", &token).send().await.unwrap();
    assert_eq!(astakos.status(), 200);
    let members = adjutant.db.query("SELECT r.role FROM membership_roles r JOIN memberships m ON m.id = r.membership_id JOIN projects p ON p.id = m.project_id WHERE p.name = 'proj1' ORDER BY r.role");
    assert_eq!(members.split_whitespace().collect::<Vec<_>>(), ["member", "project_admin"]);
    // The new project starts at the default quota size: its member got its limits.
    let (_, quota) = adjutant.server.http.get(adjutant.server.url("/v1/openstack/quotas/")).header("X-Auth-Token", &token).send().await.unwrap().json::<Value>().await.map(|quota| (0, quota)).unwrap();
    assert_eq!(quota["regions"][0]["current_quota_size"], "small", "{quota}");
    let entries = adjutant.server.audit(50).await;
    audit_entry(&entries, "task.create", &task);
    audit_entry(&entries, "task.complete", &task);
    audit_entry(&entries, "account.create", "new@example.com");
    // The status page: the completed task is the last completed one.
    assert_eq!(adjutant.get("/v1/status", Some(&adjutant.a)).await.1["last_completed_task"]["uuid"], task.as_str());
}

async fn a_password_reset_answers_alike_and_changes_the_password_everywhere(backend: Backend) {
    let adjutant = Adjutant::start(backend).await;
    let note = json!({ "notes": ["If user with email exists, reset token will be issued."] });
    // Case 26: nobody; and the admin (blacklisted) gets the same answer and no token.
    assert_eq!(adjutant.post("/v1/openstack/users/password-reset", None, json!({ "email": "nobody@example.com" })).await, (202, note.clone()));
    assert_eq!(adjutant.post("/v1/openstack/users/password-reset", None, json!({ "email": "m@example.com", "username": "n" })).await, (202, note.clone()));
    assert_eq!(adjutant.count("workflow_tasks"), "0", "nothing is stored for unknown or mismatched users");
    let (status, refused) = adjutant.post("/v1/openstack/users/password-reset", None, json!({})).await;
    assert_eq!((status, &refused["errors"]["email"]), (400, &json!(["This field is required."])));
    // Case 25: a real user's reset approves itself and holds a token.
    let old_token = adjutant.n.clone();
    assert_eq!(adjutant.post("/v1/openstack/users/password-reset", None, json!({ "email": "N@example.com" })).await, (202, note.clone()));
    let tasks = adjutant.tasks().await;
    assert_eq!(tasks.len(), 1);
    let task = tasks[0]["uuid"].as_str().unwrap().to_owned();
    assert_eq!((&tasks[0]["task_type"], &tasks[0]["approved"], &tasks[0]["approved_by"]), (&json!("reset_password"), &json!(true), &json!({})));
    let (_, tokens) = adjutant.get(&format!("/v1/tokens?filters={}", super::encode(r#"{"task__task_type":{"exact":"reset_user_password"}}"#)), Some(&adjutant.a)).await;
    assert_eq!(tokens["tokens"][0]["task_type"], "reset_password", "case 44: {tokens}");
    // A second request cancels the first (duplicate policy "cancel").
    assert_eq!(adjutant.post("/v1/openstack/users/password-reset", None, json!({ "email": "n@example.com" })).await, (202, note));
    let tasks = adjutant.tasks().await;
    assert_eq!(tasks.len(), 2);
    let old = tasks.iter().find(|found| found["uuid"] == task.as_str()).unwrap();
    assert_eq!(old["cancelled"], true);
    assert!(old["task_notes"][0].as_str().unwrap().contains("duplicate"), "{old}");
    let task = tasks[0]["uuid"].as_str().unwrap().to_owned();
    // The user follows the link of the newest mail.
    let mails = adjutant.mails_to("n@example.com", 2).await;
    let link = format!("/v1/tokens/{}", adjutant.token_of(&task).await.unwrap());
    assert!(mails.iter().any(|mail| token_link(mail) == link), "{mails:?}");
    assert_eq!(adjutant.get(&link, None).await.1["required_fields"], json!(["password"]));
    assert_eq!(adjutant.post(&link, None, json!({ "password": "a-new-Passw0rd" })).await.0, 200);
    // The new password works everywhere, the old one nowhere, and old tokens are revoked.
    let old = adjutant.server.http.get(adjutant.server.url("/steward/v1/whoami")).basic_auth("n", Some("n-password-1")).send().await.unwrap();
    assert_eq!(old.status(), 401);
    let new = adjutant.server.http.get(adjutant.server.url("/steward/v1/whoami")).basic_auth("n", Some("a-new-Passw0rd")).send().await.unwrap();
    assert_eq!(new.status(), 200);
    assert_eq!(adjutant.server.get_json("/steward/v1/whoami", &old_token).await.0, 401);
    assert!(adjutant.mails_to("n@example.com", 3).await.iter().any(|mail| mail.contains("was changed")));
}

async fn an_invitation_stays_in_its_project_and_makes_a_member(backend: Backend) {
    let adjutant = Adjutant::start(backend).await;
    // Case 37, and roles the inviter may not give.
    let (status, refused) = adjutant.post("/v1/openstack/users", Some(&adjutant.m), json!({ "roles": ["member"] })).await;
    assert_eq!((status, &refused["errors"]["email"]), (400, &json!(["This field is required."])));
    let (status, refused) = adjutant.post("/v1/openstack/users", Some(&adjutant.m), json!({ "email": "inv@example.com" })).await;
    assert_eq!((status, &refused["errors"]["non_field_errors"]), (400, &json!(["Must supply either 'roles' or 'inherited_roles', or both."])));
    assert_eq!(adjutant.post("/v1/openstack/users", Some(&adjutant.x), json!({ "email": "inv@example.com", "roles": ["project_admin"] })).await, (400, json!({ "errors": ["actions invalid"] })));
    assert_eq!(adjutant.post("/v1/openstack/users", Some(&adjutant.m), json!({ "email": "inv@example.com", "roles": ["admin"] })).await, (400, json!({ "errors": ["actions invalid"] })));
    // Case 35, 36: M invites into P1; X, a moderator of P2, is told it does not exist.
    assert_eq!(adjutant.post("/v1/openstack/users", Some(&adjutant.m), json!({ "email": "inv@example.com", "roles": ["member"] })).await, (202, json!({ "notes": ["task created"] })));
    let tasks = adjutant.tasks().await;
    let invite = tasks[0]["uuid"].as_str().unwrap().to_owned();
    let path = format!("/v1/tasks/{invite}");
    assert_eq!(adjutant.call(Method::DELETE, &path, Some(&adjutant.x), None).await, (404, json!({ "errors": ["No task with this id."] })));
    assert_eq!(adjutant.get(&path, Some(&adjutant.x)).await.0, 404);
    let (status, seen) = adjutant.get(&path, Some(&adjutant.m)).await;
    assert_eq!((status, &seen["task_type"], &seen["approved"]), (200, &json!("invite_user"), &json!(true)));
    assert!(seen.get("ip_address").is_none(), "only admins see the address");
    assert_eq!(seen["keystone_user"]["username"], "m");
    // A duplicate invitation is blocked.
    assert_eq!(adjutant.post("/v1/openstack/users", Some(&adjutant.m), json!({ "email": "inv@example.com", "roles": ["member"] })).await.0, 409);
    // The invitee follows the link and becomes a member of P1 with a password.
    let mails = adjutant.mails_to("inv@example.com", 1).await;
    let link = token_link(&mails[0]);
    assert!(mails[0].contains("P1"), "{}", mails[0]);
    assert_eq!(adjutant.get(&link, None).await.1["required_fields"], json!(["password"]));
    assert_eq!(adjutant.post(&link, None, json!({ "password": "invited-Passw0rd" })).await.0, 200);
    let response = adjutant
        .server
        .http
        .post(adjutant.server.url("/steward/v1/tokens"))
        .json(&json!({ "login": "inv@example.com", "password": "invited-Passw0rd", "project": "P1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    // Inviting an existing member asks only for a confirmation of the missing role.
    assert_eq!(adjutant.post("/v1/openstack/users", Some(&adjutant.m), json!({ "email": "n@example.com", "roles": ["project_mod"] })).await.0, 202);
    let confirm = adjutant.mails_to("n@example.com", 1).await;
    let link = token_link(&confirm[0]);
    assert_eq!(adjutant.get(&link, None).await.1["required_fields"], json!(["confirm"]));
    assert_eq!(adjutant.post(&link, None, json!({ "confirm": true })).await.0, 200);
    let roles = adjutant.db.query("SELECT r.role FROM membership_roles r JOIN memberships m ON m.id = r.membership_id JOIN accounts a ON a.id = m.account_id WHERE a.login = 'n' ORDER BY r.role");
    assert_eq!(roles.split_whitespace().collect::<Vec<_>>(), ["member", "project_mod"]);
    // Inviting someone who holds the roles already completes at once, with no token.
    assert_eq!(adjutant.post("/v1/openstack/users", Some(&adjutant.m), json!({ "email": "n@example.com", "roles": ["member"] })).await.0, 202);
    assert_eq!(adjutant.tasks().await[0]["completed"], true);
}

async fn tokens_die_when_replaced_cancelled_or_expired(backend: Backend) {
    let adjutant = Adjutant::start(backend).await;
    let task = adjutant.sign_up("later@example.com", "later").await;
    let path = format!("/v1/tasks/{task}");
    // Reissuing needs an approved task that uses a token.
    assert_eq!(adjutant.post("/v1/tokens", Some(&adjutant.a), json!({})).await, (400, json!({ "errors": { "task": ["This field is required."] } })));
    assert_eq!(adjutant.post("/v1/tokens", Some(&adjutant.a), json!({ "task": UNKNOWN })).await, (404, json!({ "errors": ["No task with this id."] })));
    assert_eq!(adjutant.post("/v1/tokens", Some(&adjutant.a), json!({ "task": task })).await, (400, json!({ "errors": ["This task has not been approved."] })));
    assert_eq!(adjutant.post(&path, Some(&adjutant.a), json!({ "approved": true })).await.0, 200);
    let first = adjutant.token_of(&task).await.unwrap();
    // Approving again issues a new token and kills the old one.
    assert_eq!(adjutant.post(&path, Some(&adjutant.a), json!({ "approved": true })).await, (200, json!({ "notes": ["Created Token."] })));
    let second = adjutant.token_of(&task).await.unwrap();
    assert_ne!(first, second);
    assert_eq!(adjutant.get(&format!("/v1/tokens/{first}"), None).await, (404, json!({ "errors": ["This token does not exist or has expired."] })));
    // Case 31: reissuing, with the api-ref's key too.
    assert_eq!(adjutant.post("/v1/tokens", Some(&adjutant.a), json!({ "task_id": task })).await, (200, json!({ "notes": ["Token reissued."] })));
    let third = adjutant.token_of(&task).await.unwrap();
    assert_eq!(adjutant.get(&format!("/v1/tokens/{second}"), None).await.0, 404);
    assert_eq!(adjutant.get(&format!("/v1/tokens/{third}"), None).await.0, 200);
    // Expiry: the clock is moved past the token's life in the store, as a day would.
    adjutant.db.query(&format!("UPDATE workflow_tokens SET expires = '2000-01-01T00:00:00Z' WHERE task_uuid = '{task}'"));
    assert!(adjutant.token_of(&task).await.is_none(), "expired tokens are not listed");
    let (_, expired) = adjutant.get(&format!("/v1/tokens?filters={}", super::encode(r#"{"expires":{"lt":"2001-01-01T00:00:00Z"}}"#)), Some(&adjutant.a)).await;
    assert_eq!(expired["tokens"].as_array().map(Vec::len), Some(1), "unless the filter asks: {expired}");
    assert_eq!(adjutant.post(&format!("/v1/tokens/{third}"), None, json!({ "password": "Corr3ct-horse-battery" })).await.0, 404);
    assert_eq!(adjutant.count("workflow_tokens"), "0", "reading an expired token deleted it");
    // Case 27 purges what expired; case 32, 33, 34 after a cancel.
    assert_eq!(adjutant.post("/v1/tokens", Some(&adjutant.a), json!({ "task": task })).await.0, 200);
    assert_eq!(adjutant.call(Method::DELETE, "/v1/tokens", Some(&adjutant.a), None).await.0, 200);
    assert_eq!(adjutant.count("workflow_tokens"), "1", "a live token survives the purge");
    assert_eq!(adjutant.call(Method::DELETE, &path, Some(&adjutant.a), None).await, (200, json!({ "notes": ["Task cancelled successfully."] })));
    assert_eq!(adjutant.count("workflow_tokens"), "0");
    assert_eq!(adjutant.get(&path, Some(&adjutant.a)).await.1["cancelled"], true);
    let cancelled = json!({ "errors": ["This task has been cancelled."] });
    assert_eq!(adjutant.post("/v1/tokens", Some(&adjutant.a), json!({ "task": task })).await, (400, cancelled.clone()));
    assert_eq!(adjutant.post(&path, Some(&adjutant.a), json!({ "approved": true })).await, (400, cancelled.clone()));
    assert_eq!(adjutant.call(Method::DELETE, &path, Some(&adjutant.a), None).await, (400, cancelled.clone()));
    assert_eq!(adjutant.call(Method::PUT, &path, Some(&adjutant.a), Some(json!({ "email": "later@example.com", "project_name": "later" }))).await, (400, cancelled));
    // A cancelled task is still the newest uncompleted one.
    assert_eq!(adjutant.get("/v1/status", Some(&adjutant.a)).await.1["last_created_task"]["uuid"], task.as_str());
    audit_entry(&adjutant.server.audit(50).await, "task.cancel", &task);
}
