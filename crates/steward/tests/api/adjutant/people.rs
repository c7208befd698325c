//! The delegate APIs about a project's people: its members and pending invitations, one
//! member and its roles, role edits (`edit_user` tasks), the roles the caller may give,
//! revoking an invitation, and a user's own e-mail change (`update_email`).

use reqwest::Method;
use serde_json::{Value, json};

use super::{Adjutant, token_link};
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    a_projects_people_are_listed_and_their_roles_edited,
    an_email_change_is_confirmed_by_its_signed_in_owner,
    a_projects_quota_is_its_members_limits_in_named_sizes,
    every_people_endpoint_refuses_nobody_members_and_bad_bodies,
);

async fn uuid_of(adjutant: &Adjutant, login: &str) -> String {
    let (_, users) = adjutant.get("/v1/openstack/users", Some(&adjutant.m)).await;
    let user = users["users"].as_array().unwrap().iter().find(|user| user["name"] == login).unwrap_or_else(|| panic!("{login} in {users}"));
    user["id"].as_str().unwrap().to_owned()
}

async fn a_projects_people_are_listed_and_their_roles_edited(backend: Backend) {
    let adjutant = Adjutant::start(backend).await;
    let unauthenticated = json!({ "errors": ["Credentials incorrect or none given."] });
    // The roles the caller may give (D8).
    let names = |body: &Value| body["roles"].as_array().unwrap().iter().map(|role| role["name"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(names(&adjutant.get("/v1/openstack/roles", Some(&adjutant.m)).await.1), ["member", "project_admin", "project_mod"]);
    assert_eq!(names(&adjutant.get("/v1/openstack/roles", Some(&adjutant.x)).await.1), ["member", "project_mod"]);
    assert_eq!(adjutant.get("/v1/openstack/roles", Some(&adjutant.n)).await.0, 403);
    assert_eq!(adjutant.get("/v1/openstack/roles", None).await, (401, unauthenticated.clone()));
    // The project's people (D1): members, then the pending invitation.
    assert_eq!(adjutant.post("/v1/openstack/users", Some(&adjutant.m), json!({ "email": "inv@example.com", "roles": ["member"] })).await.0, 202);
    let (status, users) = adjutant.get("/v1/openstack/users", Some(&adjutant.m)).await;
    assert_eq!(status, 200);
    let users = users["users"].as_array().unwrap().clone();
    let cohorts: Vec<(&str, &str, &str)> = users.iter().map(|user| (user["name"].as_str().unwrap(), user["cohort"].as_str().unwrap(), user["status"].as_str().unwrap())).collect();
    assert_eq!(cohorts, [("m", "Member", "Active"), ("n", "Member", "Active"), ("inv@example.com", "Invited", "Invited")]);
    assert_eq!((&users[1]["roles"], &users[1]["manageable"], &users[1]["email"]), (&json!(["member"]), &json!(true), &json!("n@example.com")));
    assert!(users[2].get("manageable").is_none());
    assert_eq!(adjutant.get("/v1/openstack/users", Some(&adjutant.n)).await.0, 403);
    assert_eq!(adjutant.get("/v1/openstack/users", None).await, (401, unauthenticated.clone()));
    // One member (D3) and its roles (D5); someone of another project does not exist here.
    let n = uuid_of(&adjutant, "n").await;
    let (status, detail) = adjutant.get(&format!("/v1/openstack/users/{n}"), Some(&adjutant.m)).await;
    assert_eq!((status, &detail["username"], &detail["roles"]), (200, &json!("n"), &json!(["member"])));
    assert_eq!(adjutant.get(&format!("/v1/openstack/users/{n}/roles"), Some(&adjutant.m)).await, (200, json!({ "roles": ["member"], "inherited_roles": [] })));
    let missing = json!({ "errors": ["No user with this id."] });
    assert_eq!(adjutant.get(&format!("/v1/openstack/users/{n}"), Some(&adjutant.x)).await, (404, missing.clone()));
    assert_eq!(adjutant.get("/v1/openstack/users/not-a-user", Some(&adjutant.m)).await, (404, missing));
    // Role edits (D6, D7) are edit_user tasks that approve and complete themselves.
    let roles = format!("/v1/openstack/users/{n}/roles");
    let created = json!({ "notes": ["task created"] });
    assert_eq!(adjutant.call(Method::PUT, &roles, Some(&adjutant.m), Some(json!({ "roles": ["project_mod"] }))).await, (202, created.clone()));
    assert_eq!(adjutant.get(&roles, Some(&adjutant.m)).await.1["roles"], json!(["member", "project_mod"]));
    let edit = adjutant.tasks().await.into_iter().find(|task| task["task_type"] == "edit_user").unwrap();
    assert_eq!((&edit["approved"], &edit["completed"], &edit["actions"][0]["action_name"]), (&json!(true), &json!(true), &json!("EditUserRolesAction")));
    assert_eq!(adjutant.call(Method::DELETE, &roles, Some(&adjutant.m), Some(json!({ "roles": ["project_mod"] }))).await, (202, created));
    assert_eq!(adjutant.get(&roles, Some(&adjutant.m)).await.1["roles"], json!(["member"]));
    // Roles the caller may not give, and members of other projects, are refused.
    assert_eq!(adjutant.call(Method::PUT, &roles, Some(&adjutant.m), Some(json!({ "roles": ["admin"] }))).await, (400, json!({ "errors": ["actions invalid"] })));
    assert_eq!(adjutant.call(Method::PUT, &roles, Some(&adjutant.x), Some(json!({ "roles": ["member"] }))).await, (400, json!({ "errors": ["actions invalid"] })));
    assert_eq!(adjutant.call(Method::PUT, &roles, Some(&adjutant.n), Some(json!({ "roles": ["member"] }))).await.0, 403);
    assert_eq!(adjutant.call(Method::PUT, &roles, None, Some(json!({ "roles": ["member"] }))).await.0, 401);
    let (status, refused) = adjutant.call(Method::PUT, &roles, Some(&adjutant.m), Some(json!({ "roles": "member" }))).await;
    assert_eq!((status, &refused["errors"]["roles"]), (400, &json!(["Expected a list of items."])));
    // Revoking (D4): an invitation is cancelled, a real user is not removed this way.
    let invite = users[2]["id"].as_str().unwrap().to_owned();
    assert_eq!(adjutant.call(Method::DELETE, &format!("/v1/openstack/users/{invite}"), Some(&adjutant.x), None).await, (404, json!("Not found.")));
    assert_eq!(adjutant.call(Method::DELETE, &format!("/v1/openstack/users/{invite}"), Some(&adjutant.m), None).await, (200, json!("Cancelled pending invite task!")));
    assert_eq!(adjutant.get(&format!("/v1/tasks/{invite}"), Some(&adjutant.a)).await.1["cancelled"], true);
    let (status, refused) = adjutant.call(Method::DELETE, &format!("/v1/openstack/users/{n}"), Some(&adjutant.m), None).await;
    assert_eq!((status, refused), (501, json!({ "errors": ["Revoking keystone users not implemented. Try removing all roles instead."] })));
    // The legacy spelling of the invitation.
    assert_eq!(adjutant.get("/v1/actions/InviteUser", Some(&adjutant.m)).await, (200, json!({ "actions": ["NewUserAction"], "required_fields": ["email", "roles"] })));
}

async fn an_email_change_is_confirmed_by_its_signed_in_owner(backend: Backend) {
    let adjutant = Adjutant::start(backend).await;
    assert_eq!(adjutant.post("/v1/openstack/users/email-update", None, json!({ "new_email": "n2@example.com" })).await.0, 401);
    let (status, refused) = adjutant.post("/v1/openstack/users/email-update", Some(&adjutant.n), json!({ "new_email": "nope" })).await;
    assert_eq!((status, &refused["errors"]["new_email"]), (400, &json!(["Enter a valid email address."])));
    assert_eq!(adjutant.post("/v1/openstack/users/email-update", Some(&adjutant.n), json!({ "new_email": "m@example.com" })).await, (400, json!({ "errors": ["actions invalid"] })), "taken");
    assert_eq!(adjutant.post("/v1/openstack/users/email-update", Some(&adjutant.n), json!({ "new_email": "N2@example.com" })).await, (202, json!({ "notes": ["task created"] })));
    // The old address is warned; the new one gets the link.
    assert!(adjutant.mails_to("n@example.com", 1).await[0].contains("change the e-mail address"));
    let link = token_link(&adjutant.mails_to("n2@example.com", 1).await[0]);
    let (_, details) = adjutant.get(&link, None).await;
    assert_eq!((&details["task_type"], &details["required_fields"], &details["requires_authentication"]), (&json!("update_email"), &json!(["confirm"]), &json!(true)));
    assert_eq!(adjutant.post(&link, None, json!({ "confirm": true })).await, (401, json!({ "errors": ["This token requires authentication to submit."] })));
    assert_eq!(adjutant.post(&link, Some(&adjutant.n), json!({ "confirm": true })).await.0, 200);
    assert_eq!(adjutant.db.query("SELECT email FROM accounts WHERE login = 'n'").trim(), "n2@example.com");
    assert!(adjutant.mails_to("n2@example.com", 2).await.iter().any(|mail| mail.contains("is now the e-mail address")));
}

async fn a_projects_quota_is_its_members_limits_in_named_sizes(backend: Backend) {
    let adjutant = Adjutant::start(backend).await;
    assert_eq!(adjutant.get("/v1/openstack/quotas/", None).await.0, 401);
    assert_eq!(adjutant.get("/v1/openstack/quotas/", Some(&adjutant.n)).await.0, 403);
    // The members have the resources' default limits: no size matches.
    let (status, quota) = adjutant.get("/v1/openstack/quotas/", Some(&adjutant.m)).await;
    assert_eq!(status, 200, "{quota}");
    let region = &quota["regions"][0];
    assert_eq!((&region["region"], &region["current_quota_size"], &region["quota_change_options"]), (&json!("RegionOne"), &json!("custom"), &json!([])));
    assert_eq!(region["current_quota"]["cyclades"]["vm"], 2);
    assert_eq!(quota["quota_size_order"], json!(["small", "medium", "large"]));
    assert_eq!(quota["quota_sizes"]["small"]["cyclades"]["cpu"], 4);
    assert_eq!(adjutant.get("/v1/openstack/quotas?regions=Mars", Some(&adjutant.m)).await, (400, json!({ "ERROR": ["Region: Mars is not valid"] })));
    // Refusals.
    let (status, refused) = adjutant.post("/v1/openstack/quotas/", Some(&adjutant.m), json!({ "size": "huge" })).await;
    assert_eq!((status, &refused["errors"]["size"]), (400, &json!(["Quota size: huge is not valid"])));
    assert_eq!(adjutant.post("/v1/openstack/quotas/", Some(&adjutant.m), json!({ "size": "small", "regions": ["Mars", "RegionOne"] })).await, (400, json!({ "errors": ["Invalid regions: Mars"] })));
    // From a custom quota, a size waits for an admin.
    assert_eq!(adjutant.post("/v1/openstack/quotas/", Some(&adjutant.m), json!({ "size": "small", "regions": null })).await, (202, json!({ "notes": ["task created"] })));
    let change = adjutant.tasks().await.into_iter().find(|task| task["task_type"] == "update_quota").unwrap();
    assert_eq!((&change["approved"], &change["project_id"].is_string()), (&json!(false), &true));
    let (_, listed) = adjutant.get("/v1/openstack/quotas/", Some(&adjutant.m)).await;
    assert_eq!(listed["active_quota_tasks"][0]["status"], "Awaiting Approval");
    assert_eq!(listed["active_quota_tasks"][0]["request_user"], "m");
    let uuid = change["uuid"].as_str().unwrap();
    assert_eq!(adjutant.post(&format!("/v1/tasks/{uuid}"), Some(&adjutant.a), json!({ "approved": true })).await, (200, json!({ "notes": ["Task completed successfully."] })));
    // Every member now has the size's limits, and the project reads as that size.
    let cpu = adjutant.db.query("SELECT q.limit_value FROM quota_limits q JOIN resources r ON r.id = q.resource_id JOIN accounts a ON a.id = q.account_id WHERE r.name = 'cyclades.cpu' ORDER BY a.login");
    assert_eq!(cpu.split_whitespace().collect::<Vec<_>>(), ["4", "4"], "m and n");
    let (_, quota) = adjutant.get("/v1/openstack/quotas/", Some(&adjutant.m)).await;
    assert_eq!((&quota["regions"][0]["current_quota_size"], &quota["regions"][0]["quota_change_options"]), (&json!("small"), &json!(["medium"])));
    assert_eq!(quota["active_quota_tasks"][0]["status"], "Completed");
    // One step, but the quota changed less than 30 days ago: an admin decides.
    assert_eq!(adjutant.post("/v1/openstack/quotas/", Some(&adjutant.m), json!({ "size": "medium" })).await.0, 202);
    let waiting = adjutant.tasks().await.into_iter().find(|task| task["task_type"] == "update_quota" && task["approved"] == false).unwrap();
    assert_eq!(adjutant.call(Method::DELETE, &format!("/v1/tasks/{}", waiting["uuid"].as_str().unwrap()), Some(&adjutant.m), None).await.0, 200);
    // A month later, one step approves itself.
    adjutant.db.query("UPDATE workflow_tasks SET completed_on = '2000-01-01T00:00:00Z' WHERE task_type = 'update_quota' AND completed");
    assert_eq!(adjutant.post("/v1/openstack/quotas/", Some(&adjutant.m), json!({ "size": "medium" })).await.0, 202);
    let (_, quota) = adjutant.get("/v1/openstack/quotas/", Some(&adjutant.m)).await;
    assert_eq!(quota["regions"][0]["current_quota_size"], "medium", "{quota}");
    adjutant.db.query("UPDATE workflow_tasks SET completed_on = '2000-01-01T00:00:00Z' WHERE task_type = 'update_quota' AND completed");
    assert_eq!(adjutant.post("/v1/openstack/quotas/", Some(&adjutant.m), json!({ "size": "small" })).await.0, 202);
    assert_eq!(adjutant.get("/v1/openstack/quotas/", Some(&adjutant.m)).await.1["regions"][0]["current_quota_size"], "small", "down one step");
    // Two steps never approve themselves.
    adjutant.db.query("UPDATE workflow_tasks SET completed_on = '2000-01-01T00:00:00Z' WHERE task_type = 'update_quota' AND completed");
    assert_eq!(adjutant.post("/v1/openstack/quotas/", Some(&adjutant.m), json!({ "size": "large" })).await.0, 202);
    let (_, quota) = adjutant.get("/v1/openstack/quotas/", Some(&adjutant.m)).await;
    assert_eq!((&quota["regions"][0]["current_quota_size"], &quota["active_quota_tasks"][0]["status"]), (&json!("small"), &json!("Awaiting Approval")));
}

async fn every_people_endpoint_refuses_nobody_members_and_bad_bodies(backend: Backend) {
    let adjutant = Adjutant::start(backend).await;
    let n = uuid_of(&adjutant, "n").await;
    let unauthenticated = json!({ "errors": ["Credentials incorrect or none given."] });
    let moderators = json!({ "errors": ["Must have one of the following roles: ['admin', 'project_admin', 'project_mod']"] });
    let user = format!("/v1/openstack/users/{n}");
    let roles = format!("/v1/openstack/users/{n}/roles");
    let edit = json!({ "roles": ["member"] });
    let cases: [(Method, &str, Option<Value>); 9] = [
        (Method::GET, &user, None),
        (Method::DELETE, &user, None),
        (Method::GET, &roles, None),
        (Method::PUT, &roles, Some(edit.clone())),
        (Method::DELETE, &roles, Some(edit.clone())),
        (Method::POST, "/v1/actions/EditUser", Some(json!({ "user_id": n, "roles": ["member"] }))),
        (Method::GET, "/v1/actions/InviteUser", None),
        (Method::GET, "/v1/openstack/quotas/", None),
        (Method::POST, "/v1/openstack/quotas/", Some(json!({ "size": "small" }))),
    ];
    for (method, path, body) in cases {
        assert_eq!(adjutant.call(method.clone(), path, None, body.clone()).await, (401, unauthenticated.clone()), "{method} {path}");
        assert_eq!(adjutant.call(method.clone(), path, Some(&adjutant.n), body).await, (403, moderators.clone()), "{method} {path}");
    }
    assert_eq!(adjutant.post("/v1/actions/UpdateEmail", None, json!({ "new_email": "x@example.com" })).await, (401, unauthenticated));
    // The legacy role edit names its user and direction in the body.
    let (status, _) = adjutant.post("/v1/actions/EditUser", Some(&adjutant.m), json!({ "user_id": n, "roles": ["project_mod"] })).await;
    assert_eq!(status, 202);
    assert_eq!(adjutant.get(&roles, Some(&adjutant.m)).await.1["roles"], json!(["member", "project_mod"]));
    let (status, refused) = adjutant.post("/v1/actions/EditUser", Some(&adjutant.m), json!({ "roles": ["member"] })).await;
    assert_eq!((status, &refused["errors"]["user_id"]), (400, &json!(["This field is required."])));
    // Broken and non-object bodies get the envelope and change nothing.
    let header = [("content-type", "application/json"), ("x-auth-token", adjutant.m.as_str())];
    for path in ["/v1/openstack/users", "/v1/openstack/quotas/", "/v1/openstack/users/email-update"] {
        for body in [&b"{\"roles\": "[..], b"[1]"] {
            let (status, _, text) = raw_post(&adjutant.server, path, &header, body);
            assert_eq!(status, 400, "{path}: {text}");
            assert!(serde_json::from_str::<Value>(&text).unwrap()["errors"].is_array(), "{path}: {text}");
        }
    }
    let broken = adjutant.server.http.put(adjutant.server.url(&roles)).header("x-auth-token", &adjutant.m).header("content-type", "application/json").body("{\"roles\": ").send().await.unwrap();
    assert_eq!(broken.status(), 400);
    assert!(broken.json::<Value>().await.unwrap()["errors"].is_array());
    assert_eq!(adjutant.get(&roles, Some(&adjutant.m)).await.1["roles"], json!(["member", "project_mod"]));
}
