//! The Adjutant face: the conformance cases of adjutant.md §10, each endpoint's
//! unauthenticated, wrong-role and bad-input cases, and each served task type's whole life
//! with its mails delivered to the real SMTP sink, the mailed link followed as a user would.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_backends;

mod clients;
mod keystone;
mod lives;
mod people;
mod safety;

on_both_backends!(
    guards_answer_401_and_403_and_paths_404_405_415,
    lists_filter_page_and_refuse_malformed_filters,
    updates_replace_a_pending_tasks_data_and_approval_fixes_it,
    notifications_are_acknowledged_once_and_idempotently,
    bad_input_gets_the_envelope_and_changes_nothing,
);

/// A task id that exists nowhere.
pub(super) const UNKNOWN: &str = "e8b3f57f5da64bf3a6bf4f9bbd3a40b5";

/// A server with the notes' cast: `A` the bootstrap admin, `M` a project admin of P1, `N` a
/// member of P1, `X` a project moderator of P2; mail goes to a real SMTP sink.
pub(super) struct Adjutant {
    pub db: TestDb,
    pub server: Server,
    pub sink: SmtpSink,
    pub a: String,
    pub m: String,
    pub n: String,
    pub x: String,
}

/// Creates `login` with `role` on `project`, and returns a token opened on it.
async fn member(db: &TestDb, server: &Server, login: &str, project: &str, role: &str) -> String {
    let password = format!("{login}-password-1");
    let created = cli(db, &["account", "create", login, "--password-stdin", "--email", &format!("{login}@example.com")], &format!("{password}\n"));
    assert!(created.status.success(), "{}", stderr(&created));
    let set = cli(db, &["member", "set", login, project, "--role", role], "");
    assert!(set.status.success(), "{}", stderr(&set));
    let response = server
        .http
        .post(server.url("/steward/v1/tokens"))
        .json(&json!({ "login": login, "password": password, "project": project }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "login of {login} on {project}");
    response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
}

impl Adjutant {
    pub async fn start(backend: Backend) -> Self {
        let sink = SmtpSink::start(&[]);
        let db = TestDb::new(backend);
        let server = Server::start(&db, &[("STEWARD_MAIL__SMTP_URL", sink.url.as_str())]);
        for project in ["P0", "P1", "P2"] {
            assert!(cli(&db, &["project", "add", project], "").status.success());
        }
        let a = server.admin_token().await;
        let m = member(&db, &server, "m", "P1", "project_admin").await;
        let n = member(&db, &server, "n", "P1", "member").await;
        let x = member(&db, &server, "x", "P2", "project_mod").await;
        Self { db, server, sink, a, m, n, x }
    }

    /// `(status, JSON body)` of `method path` as `token`, with a JSON body.
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let mut request = self.server.http.request(method, self.server.url(path));
        if let Some(token) = token {
            request = request.header("X-Auth-Token", token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status} is not JSON: {text}")))
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, token, Some(body)).await
    }

    /// Every task, as the admin lists them.
    pub async fn tasks(&self) -> Vec<Value> {
        let (status, body) = self.get("/v1/tasks", Some(&self.a)).await;
        assert_eq!(status, 200, "{body}");
        body["tasks"].as_array().unwrap().clone()
    }

    /// Sign-up task S of the notes, for `email` and `project`; its uuid.
    pub async fn sign_up(&self, email: &str, project: &str) -> String {
        let (status, body) = self.post("/v1/openstack/sign-up", None, json!({ "email": email, "project_name": project })).await;
        assert_eq!((status, body), (202, json!({ "notes": ["task created"] })));
        let tasks = self.tasks().await;
        let task = tasks.iter().find(|task| task["actions"][0]["data"]["email"] == email).unwrap();
        task["uuid"].as_str().unwrap().to_owned()
    }

    /// The live token of task `uuid`, as the admin lists it.
    pub async fn token_of(&self, uuid: &str) -> Option<String> {
        let (status, body) = self.get("/v1/tokens", Some(&self.a)).await;
        assert_eq!(status, 200, "{body}");
        body["tokens"].as_array().unwrap().iter().find(|token| token["task"] == uuid).map(|token| token["token"].as_str().unwrap().to_owned())
    }

    /// The mails delivered to `to`, waiting up to 15 s for `count` of them.
    pub async fn mails_to(&self, to: &str, count: usize) -> Vec<String> {
        let maildir = &self.sink.maildir;
        let arrived = eventually(Duration::from_secs(15), || async { delivered(maildir).iter().filter(|mail| header(mail, "To") == Some(to)).count() >= count }).await;
        assert!(arrived, "{count} mails to {to}: {:?}\n{}", delivered(maildir), self.server.logs());
        delivered(maildir).into_iter().filter(|mail| header(mail, "To") == Some(to)).collect()
    }

    /// How many rows a workflow table holds.
    pub fn count(&self, table: &str) -> String {
        self.db.query(&format!("SELECT COUNT(*) FROM {table}")).trim().to_owned()
    }
}

/// The link a mail carries to its token, made relative to the server.
pub(super) fn token_link(mail: &str) -> String {
    let start = mail.find("/v1/tokens/").unwrap_or_else(|| panic!("no token link in {mail}"));
    mail[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '/').collect()
}

async fn guards_answer_401_and_403_and_paths_404_405_415(backend: Backend) {
    let adjutant = Adjutant::start(backend).await;
    let unauthenticated = json!({ "errors": ["Credentials incorrect or none given."] });
    let admin_only = json!({ "errors": ["Must have one of the following roles: ['admin']"] });
    let moderators = json!({ "errors": ["Must have one of the following roles: ['admin', 'project_admin', 'project_mod']"] });
    // Case 1 and 2, and every admin endpoint alike.
    for path in ["/v1/status", "/v1/tasks", "/v1/tokens", "/v1/notifications", &format!("/v1/notifications/{UNKNOWN}")] {
        assert_eq!(adjutant.get(path, None).await, (401, unauthenticated.clone()), "{path}");
        assert_eq!(adjutant.get(path, Some("not-a-token")).await, (401, unauthenticated.clone()), "{path}");
        assert_eq!(adjutant.get(path, Some(&adjutant.n)).await, (403, admin_only.clone()), "{path}");
        assert_eq!(adjutant.get(path, Some(&adjutant.m)).await, (403, admin_only.clone()), "{path}");
        assert_eq!(adjutant.get(path, Some(&adjutant.a)).await.0 / 100 * 100, if path.contains(UNKNOWN) { 400 } else { 200 }, "{path}");
    }
    let task = format!("/v1/tasks/{UNKNOWN}");
    assert_eq!(adjutant.get(&task, None).await, (401, unauthenticated.clone()));
    assert_eq!(adjutant.get(&task, Some(&adjutant.n)).await, (403, moderators.clone()));
    // Case 13: the admin asks for a task that does not exist; ids that cannot be ids too.
    let missing = json!({ "errors": ["No task with this id."] });
    assert_eq!(adjutant.get(&task, Some(&adjutant.a)).await, (404, missing.clone()));
    assert_eq!(adjutant.get("/v1/tasks/not-hex!", Some(&adjutant.a)).await, (404, missing.clone()));
    // Approving needs the admin; cancelling and reissuing a moderator.
    assert_eq!(adjutant.post(&task, Some(&adjutant.m), json!({ "approved": true })).await, (403, admin_only.clone()));
    assert_eq!(adjutant.post(&task, None, json!({ "approved": true })).await, (401, unauthenticated.clone()));
    assert_eq!(adjutant.call(Method::DELETE, &task, Some(&adjutant.n), None).await, (403, moderators.clone()));
    assert_eq!(adjutant.call(Method::DELETE, &task, None, None).await, (401, unauthenticated.clone()));
    assert_eq!(adjutant.call(Method::PUT, &task, Some(&adjutant.n), Some(json!({}))).await, (403, moderators.clone()));
    assert_eq!(adjutant.post("/v1/tokens", Some(&adjutant.n), json!({ "task": UNKNOWN })).await, (403, moderators.clone()));
    assert_eq!(adjutant.post("/v1/tokens", None, json!({ "task": UNKNOWN })).await, (401, unauthenticated.clone()));
    assert_eq!(adjutant.call(Method::DELETE, "/v1/tokens", Some(&adjutant.m), None).await, (403, admin_only.clone()));
    assert_eq!(adjutant.post("/v1/notifications", Some(&adjutant.m), json!({ "notifications": [UNKNOWN] })).await, (403, admin_only.clone()));
    // Case 38: inviting needs a moderator.
    assert_eq!(adjutant.post("/v1/openstack/users", None, json!({ "email": "inv@example.com", "roles": ["member"] })).await, (401, unauthenticated.clone()));
    assert_eq!(adjutant.post("/v1/openstack/users", Some(&adjutant.n), json!({ "email": "inv@example.com", "roles": ["member"] })).await, (403, moderators));
    // Paths: unknown ones are JSON 404, a wrong method 405 with Allow, text bodies 415.
    assert_eq!(adjutant.get("/v1/nothing/here", Some(&adjutant.a)).await, (404, json!({ "errors": ["Not found."] })));
    let patch = adjutant.server.http.patch(adjutant.server.url(&task)).header("X-Auth-Token", &adjutant.a).send().await.unwrap();
    assert_eq!(patch.status(), 405);
    assert_eq!(patch.headers()["allow"], "GET, PUT, POST, DELETE");
    assert_eq!(patch.json::<Value>().await.unwrap(), json!({ "errors": ["Method \"PATCH\" not allowed."] }));
    let text = adjutant.server.http.post(adjutant.server.url("/v1/openstack/sign-up")).header("content-type", "text/plain").body("x").send().await.unwrap();
    assert_eq!(text.status(), 415);
    assert_eq!(text.json::<Value>().await.unwrap(), json!({ "errors": ["Unsupported media type \"text/plain\" in request."] }));
    // The version document, and singular spellings with trailing slashes (cases 28 and 43).
    let (status, version) = adjutant.get("/v1/", None).await;
    assert_eq!((status, &version["version"]["id"]), (200, &json!("1.0")));
    assert!(version["version"]["links"][0]["href"].as_str().unwrap().ends_with("/v1/"), "{version}");
    assert_eq!(adjutant.get("/v1/notification/", Some(&adjutant.a)).await.0, 200);
    assert_eq!(adjutant.call(Method::DELETE, "/v1/token", Some(&adjutant.a), None).await, (200, json!({ "notes": ["Deleted all expired tokens."] })));
    assert_eq!(adjutant.call(Method::DELETE, "/v1/tokens/", Some(&adjutant.a), None).await, (200, json!({ "notes": ["Deleted all expired tokens."] })));
}

async fn lists_filter_page_and_refuse_malformed_filters(backend: Backend) {
    let adjutant = Adjutant::start(backend).await;
    let first = adjutant.sign_up("first@example.com", "first").await;
    let second = adjutant.sign_up("second@example.com", "second").await;
    // Case 6: what a sign-up task shows.
    let tasks = adjutant.tasks().await;
    assert_eq!(tasks.len(), 2);
    let task = &tasks[1];
    assert_eq!(task["uuid"], first.as_str(), "newest first");
    assert_eq!((&task["task_type"], &task["approved"], &task["completed"], &task["cancelled"]), (&json!("signup"), &json!(false), &json!(false), &json!(false)));
    assert_eq!((&task["approved_on"], &task["keystone_user"], &task["project_id"]), (&Value::Null, &json!({}), &Value::Null));
    assert_eq!(task["actions"][0], json!({ "action_name": "NewProjectWithUserAction", "valid": true, "data": { "email": "first@example.com", "project_name": "first", "domain_id": "default", "parent_id": null } }));
    for key in ["uuid", "ip_address", "action_notes", "created_on"] {
        assert!(task.get(key).is_some(), "{key} in {task}");
    }
    let created_on = task["created_on"].as_str().unwrap();
    assert!(created_on.ends_with('Z') && created_on.len() == "2017-08-30T21:29:48.484441Z".len(), "{created_on}");
    // Case 7: the status page.
    let (status, page) = adjutant.get("/v1/status", Some(&adjutant.a)).await;
    assert_eq!((status, &page["last_created_task"]["uuid"], &page["last_completed_task"]), (200, &json!(second), &Value::Null));
    // Case 8, with the 13.x name as a synonym and a relation through the actions.
    for filters in [r#"{"task_type":{"exact":"signup"}}"#, r#"{"task_type":{"exact":"create_project_and_user"}}"#, r#"{"action__action_name":{"exact":"NewProjectWithUserAction"}}"#] {
        let (status, body) = adjutant.get(&format!("/v1/tasks?filters={}", encode(filters)), Some(&adjutant.a)).await;
        assert_eq!((status, body["tasks"].as_array().map(Vec::len)), (200, Some(2)), "{filters}: {body}");
    }
    let (_, none) = adjutant.get(&format!("/v1/tasks?filters={}", encode(r#"{"task_type":{"exact":"reset_password"}}"#)), Some(&adjutant.a)).await;
    assert_eq!(none["tasks"], json!([]));
    let (_, one) = adjutant.get(&format!("/v1/tasks?filters={}", encode(&format!(r#"{{"uuid":{{"in":["{first}"]}},"approved":{{"exact":false}}}}"#))), Some(&adjutant.a)).await;
    assert_eq!(one["tasks"].as_array().map(Vec::len), Some(1), "{one}");
    // Case 9, 10 and the other refusals: every one a 400 in the errors envelope.
    let formatted = "Filters incorrectly formatted. Required format: {'filters': {'fieldname': { 'operation': 'value'}}";
    for filters in [r#"{"task_type":["exact","x"]}"#, "not json", "{'task_type': {'exact': 'signup'}}", "[]"] {
        assert_eq!(adjutant.get(&format!("/v1/tasks?filters={}", encode(filters)), Some(&adjutant.a)).await, (400, json!({ "errors": [formatted] })), "{filters}");
    }
    for (filters, says) in [
        (r#"{"fake":{"exact":"x"}}"#, "fake"),
        (r#"{"uuid":{"dont_find":"x"}}"#, "dont_find"),
        (r#"{"created_on":{"gt":"yesterday"}}"#, "created_on"),
        (r#"{"uuid":{"in":"abc"}}"#, "uuid__in"),
        (r#"{"hash_key":{"exact":"x"}, "password":{"exact":"x"}}"#, "password"),
    ] {
        let (status, body) = adjutant.get(&format!("/v1/tasks?filters={}", encode(filters)), Some(&adjutant.a)).await;
        assert_eq!(status, 400, "{filters}: {body}");
        assert!(body["errors"][0].as_str().unwrap().contains(says), "{filters}: {body}");
    }
    // Date transforms and regular expressions, as Django's.
    let today = &created_on[..10];
    let day: u32 = created_on[8..10].parse().unwrap();
    for (filters, expected) in [
        (r#"{"created_on__year": {"gte": 2000}}"#.to_owned(), 2),
        (r#"{"created_on__year": {"lt": 2000}}"#.to_owned(), 0),
        (format!(r#"{{"created_on__date": {{"exact": "{today}"}}}}"#), 2),
        (r#"{"created_on__date": {"lt": "2000-01-01"}}"#.to_owned(), 0),
        (format!(r#"{{"created_on__day": {{"exact": {day}}}}}"#), 2),
        (r#"{"created_on__week_day": {"in": [1, 2, 3, 4, 5, 6, 7]}}"#.to_owned(), 2),
        (r#"{"created_on__week": {"range": [1, 53]}, "created_on__hour": {"range": [0, 23]}}"#.to_owned(), 2),
        (r#"{"created_on__month": {"gt": 12}}"#.to_owned(), 0),
        (format!(r#"{{"uuid": {{"regex": "^{}"}}}}"#, &first[..6]), 1),
        (format!(r#"{{"uuid": {{"iregex": "^{}"}}}}"#, first[..6].to_uppercase()), 1),
        (r#"{"task_type": {"regex": "^sign(up)?$"}}"#.to_owned(), 2),
        (r#"{"action__action_name": {"iregex": "newproject"}}"#.to_owned(), 2),
    ] {
        let (status, body) = adjutant.get(&format!("/v1/tasks?filters={}", encode(&filters)), Some(&adjutant.a)).await;
        assert_eq!((status, body["tasks"].as_array().map(Vec::len)), (200, Some(expected)), "{filters}: {body}");
    }
    for (filters, says) in [
        (r#"{"uuid": {"regex": "("}}"#, "uuid"),
        (r#"{"approved": {"regex": "t"}}"#, "approved"),
        (r#"{"uuid__year": {"exact": 2017}}"#, "uuid"),
        (r#"{"created_on__date": {"exact": "yesterday"}}"#, "created_on"),
        (r#"{"created_on__year": {"exact": "twenty"}}"#, "created_on"),
    ] {
        let (status, body) = adjutant.get(&format!("/v1/tasks?filters={}", encode(filters)), Some(&adjutant.a)).await;
        assert_eq!(status, 400, "{filters}: {body}");
        assert!(body["errors"][0].as_str().unwrap().contains(says), "{filters}: {body}");
    }
    // Rust's regex reads these and PostgreSQL's does not: a refusal there, never an outage.
    for filters in [r#"{"uuid": {"regex": "(?P<x>a)"}}"#, r#"{"uuid": {"regex": "\\p{L}"}}"#] {
        let (status, body) = adjutant.get(&format!("/v1/tasks?filters={}", encode(filters)), Some(&adjutant.a)).await;
        let expected = if backend == Backend::Postgres { 400 } else { 200 };
        assert_eq!(status, expected, "{filters}: {body}");
    }
    let long = format!(r#"{{"uuid": {{"regex": "{}"}}}}"#, "a".repeat(300));
    assert_eq!(adjutant.get(&format!("/v1/tasks?filters={}", encode(&long)), Some(&adjutant.a)).await.0, 400, "regular expressions are capped");
    // Injection-looking values are data.
    let (status, body) = adjutant.get(&format!("/v1/tasks?filters={}", encode(r#"{"uuid":{"contains":"' OR 1=1 --%"}}"#)), Some(&adjutant.a)).await;
    assert_eq!((status, &body["tasks"]), (200, &json!([])));
    // Case 11 and 12: pages.
    let (status, page) = adjutant.get("/v1/tasks?tasks_per_page=1&page=1", Some(&adjutant.a)).await;
    assert_eq!((status, page["tasks"].as_array().map(Vec::len), &page["pages"], &page["has_more"], &page["has_prev"]), (200, Some(1), &json!(2), &json!(true), &json!(false)));
    assert_eq!(page["tasks"][0]["uuid"], second.as_str());
    let (_, last) = adjutant.get("/v1/tasks?tasks_per_page=1&page=2", Some(&adjutant.a)).await;
    assert_eq!((&last["tasks"][0]["uuid"], &last["has_more"], &last["has_prev"]), (&json!(first), &json!(false), &json!(true)));
    assert_eq!(adjutant.get("/v1/tasks?tasks_per_page=1&page=abc", Some(&adjutant.a)).await, (400, json!({ "errors": ["Page not an integer"] })));
    assert_eq!(adjutant.get("/v1/tasks?tasks_per_page=1&page=3", Some(&adjutant.a)).await, (400, json!({ "errors": ["Empty page"] })));
    assert_eq!(adjutant.get("/v1/tasks?tasks_per_page=0", Some(&adjutant.a)).await, (400, json!({ "errors": ["tasks_per_page must be a positive integer"] })));
    let (status, huge) = adjutant.get("/v1/tasks?tasks_per_page=99999999999&page=1", Some(&adjutant.a)).await;
    assert_eq!((status, &huge["pages"]), (200, &json!(1)));
    let (_, empty) = adjutant.get(&format!("/v1/tasks?tasks_per_page=5&filters={}", encode(r#"{"completed":{"exact":true}}"#)), Some(&adjutant.a)).await;
    assert_eq!((&empty["tasks"], &empty["pages"]), (&json!([]), &json!(1)), "page 1 of nothing is no error");
}

async fn updates_replace_a_pending_tasks_data_and_approval_fixes_it(backend: Backend) {
    let adjutant = Adjutant::start(backend).await;
    let task = adjutant.sign_up("new2@example.com", "proj2").await;
    let path = format!("/v1/tasks/{task}");
    // Case 46: the whole body is validated again; every problem is said.
    let (status, refused) = adjutant.call(Method::PUT, &path, Some(&adjutant.a), Some(json!({ "email": "bad" }))).await;
    assert_eq!(status, 400);
    assert_eq!(refused["errors"], json!({ "email": ["Enter a valid email address."], "project_name": ["This field is required."] }));
    // Case 45.
    let renamed = json!({ "project_name": "renamed", "email": "new2@example.com" });
    assert_eq!(adjutant.call(Method::PUT, &path, Some(&adjutant.a), Some(renamed.clone())).await, (200, json!({ "notes": ["Task successfully updated."] })));
    let (_, detail) = adjutant.get(&path, Some(&adjutant.a)).await;
    assert_eq!(detail["actions"][0]["data"]["project_name"], "renamed");
    // A project admin of another project is told the task does not exist.
    assert_eq!(adjutant.call(Method::PUT, &path, Some(&adjutant.m), Some(renamed.clone())).await, (404, json!({ "errors": ["No task with this id."] })));
    // An update that makes the task a duplicate of another open sign-up is refused (block).
    let other = adjutant.sign_up("other@example.com", "other").await;
    let (status, duplicate) = adjutant.call(Method::PUT, &format!("/v1/tasks/{other}"), Some(&adjutant.a), Some(renamed.clone())).await;
    assert_eq!((status, duplicate), (409, json!({ "errors": ["This Task already exists."] })));
    // A project named like an existing one makes the action invalid; approval refuses it.
    assert!(cli(&adjutant.db, &["project", "add", "taken"], "").status.success());
    let taken = json!({ "project_name": "taken", "email": "new2@example.com" });
    assert_eq!(adjutant.call(Method::PUT, &path, Some(&adjutant.a), Some(taken)).await.0, 200);
    let (_, detail) = adjutant.get(&path, Some(&adjutant.a)).await;
    assert_eq!(detail["actions"][0]["valid"], false);
    assert!(detail["action_notes"]["NewProjectWithUserAction"][0].as_str().unwrap().contains("taken"), "{detail}");
    assert_eq!(adjutant.post(&path, Some(&adjutant.a), json!({ "approved": true })).await, (400, json!({ "errors": ["actions invalid"] })));
    assert_eq!(adjutant.call(Method::PUT, &path, Some(&adjutant.a), Some(json!({ "project_name": "free", "email": "new2@example.com" }))).await.0, 200);
    assert_eq!(adjutant.post(&path, Some(&adjutant.a), json!({ "approved": true })).await, (200, json!({ "notes": ["Created Token."] })));
    // Case 19: an approved task's data is fixed.
    assert_eq!(adjutant.call(Method::PUT, &path, Some(&adjutant.a), Some(json!({ "project_name": "x", "email": "a@b.c" }))).await, (400, json!({ "errors": ["This task has already been approved."] })));
    let entries = adjutant.server.audit(50).await;
    audit_entry(&entries, "task.update", &task);
    audit_entry(&entries, "task.approve", &task);
}

async fn notifications_are_acknowledged_once_and_idempotently(backend: Backend) {
    let adjutant = Adjutant::start(backend).await;
    let task = adjutant.sign_up("needs@example.com", "needs").await;
    // A sign-up needs approval: the admins are told.
    let (status, body) = adjutant.get("/v1/notifications", Some(&adjutant.a)).await;
    assert_eq!(status, 200);
    let listed = body["notifications"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{body}");
    assert_eq!((&listed[0]["task"], &listed[0]["notes"], &listed[0]["error"], &listed[0]["acknowledged"]), (&json!(task), &json!({ "notes": ["'signup' task needs approval."] }), &json!(false), &json!(false)));
    let uuid = listed[0]["uuid"].as_str().unwrap().to_owned();
    let path = format!("/v1/notifications/{uuid}");
    assert_eq!(adjutant.get(&path, Some(&adjutant.a)).await.1["uuid"], uuid.as_str());
    // Case 39 and 40.
    assert_eq!(adjutant.post(&path, Some(&adjutant.a), json!({ "acknowledged": "yes" })).await, (400, json!({ "acknowledged": ["this field is required."] })));
    assert_eq!(adjutant.post(&path, Some(&adjutant.a), json!({ "acknowledged": true })).await, (200, json!({ "notes": ["Notification acknowledged."] })));
    assert_eq!(adjutant.post(&path, Some(&adjutant.a), json!({ "acknowledged": true })).await, (200, json!({ "notes": ["Notification already acknowledged."] })));
    assert_eq!(adjutant.post(&path, Some(&adjutant.a), json!({})).await, (200, json!({ "notes": ["Notification already acknowledged."] })));
    let missing = json!({ "errors": ["No notification with this id."] });
    assert_eq!(adjutant.post("/v1/notifications/dasdaaaiooiiobksd", Some(&adjutant.a), json!({ "acknowledged": true })).await, (404, missing.clone()));
    assert_eq!(adjutant.get(&format!("/v1/notifications/{UNKNOWN}"), Some(&adjutant.a)).await, (404, missing));
    // Acknowledged ones leave the default list, and come back when the filter asks.
    assert_eq!(adjutant.get("/v1/notifications", Some(&adjutant.a)).await.1["notifications"], json!([]));
    let (_, all) = adjutant.get(&format!("/v1/notifications?filters={}", encode(r#"{"acknowledged":{"exact":true}}"#)), Some(&adjutant.a)).await;
    assert_eq!(all["notifications"][0]["acknowledged"], true);
    // Case 41 and 42, then a list with an unknown id.
    let list_refused = json!({ "notifications": ["this field is required and needs to be a list."] });
    for body in [json!({ "notifications": [] }), json!({ "notifications": "abc" }), json!({})] {
        assert_eq!(adjutant.post("/v1/notifications", Some(&adjutant.a), body.clone()).await, (400, list_refused.clone()), "{body}");
    }
    let second = adjutant.sign_up("needs2@example.com", "needs2").await;
    let (_, open) = adjutant.get("/v1/notifications", Some(&adjutant.a)).await;
    assert_eq!(open["notifications"][0]["task"], second.as_str());
    let second_uuid = open["notifications"][0]["uuid"].clone();
    assert_eq!(adjutant.post("/v1/notifications", Some(&adjutant.a), json!({ "notifications": [second_uuid, UNKNOWN] })).await, (200, json!({ "notes": ["Notifications acknowledged."] })));
    assert_eq!(adjutant.get("/v1/notifications", Some(&adjutant.a)).await.1["notifications"], json!([]));
    audit_entry(&adjutant.server.audit(20).await, "notification.acknowledge", &uuid);
}

async fn bad_input_gets_the_envelope_and_changes_nothing(backend: Backend) {
    let adjutant = Adjutant::start(backend).await;
    let task = adjutant.sign_up("steady@example.com", "steady").await;
    let before = (adjutant.count("workflow_tasks"), adjutant.count("workflow_tokens"), adjutant.count("projects"), adjutant.count("accounts"));
    let json_header = [("content-type", "application/json"), ("x-auth-token", adjutant.a.as_str())];
    let paths = [
        "/v1/openstack/sign-up".to_owned(),
        "/v1/openstack/users/password-reset".to_owned(),
        format!("/v1/tasks/{task}"),
        "/v1/tokens".to_owned(),
        "/v1/notifications".to_owned(),
    ];
    for path in &paths {
        for body in [&b"{\"email\": "[..], b"[1, 2]", b"\"text\"", b"42", b"null", b"{\"email\": \"\xff\"}"] {
            let (status, _, text) = raw_post(&adjutant.server, path, &json_header, body);
            assert!((400..500).contains(&status), "{path} {}: {status} {text}", String::from_utf8_lossy(body));
            let parsed: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: {text}"));
            assert!(parsed.get("errors").is_some() || parsed.get("approved").is_some() || parsed.get("notifications").is_some(), "{path}: {text}");
        }
    }
    // Wrong types, unknown fields, blanks, too long: field errors in DRF's words.
    for (body, field, message) in [
        (json!({ "email": 5, "project_name": "p" }), "email", "Enter a valid email address."),
        (json!({ "email": ["a@b.c"], "project_name": "p" }), "email", "Not a valid string."),
        (json!({ "email": null, "project_name": "p" }), "email", "This field may not be null."),
        (json!({ "email": "a@b.c", "project_name": "" }), "project_name", "This field may not be blank."),
        (json!({ "email": "a@b.c", "project_name": "p".repeat(65) }), "project_name", "Ensure this field has no more than 64 characters."),
    ] {
        let (status, refused) = adjutant.post("/v1/openstack/sign-up", None, body.clone()).await;
        assert_eq!((status, &refused["errors"][field]), (400, &json!([message])), "{body}: {refused}");
    }
    // Unknown fields are ignored, as DRF's serializers ignore them; the task is the same.
    let (status, _) = adjutant.post("/v1/openstack/sign-up", None, json!({ "email": "steady@example.com", "project_name": "steady", "is_admin": true })).await;
    assert_eq!(status, 409, "an unknown field does not make another task");
    let huge = format!("{{\"email\": \"{}\"}}", "a".repeat(100_000));
    let (status, _, text) = raw_post(&adjutant.server, "/v1/openstack/sign-up", &json_header, huge.as_bytes());
    assert_eq!(status, 413, "{text}");
    let after = (adjutant.count("workflow_tasks"), adjutant.count("workflow_tokens"), adjutant.count("projects"), adjutant.count("accounts"));
    assert_eq!(before, after);
    let (_, detail) = adjutant.get(&format!("/v1/tasks/{task}"), Some(&adjutant.a)).await;
    assert_eq!((&detail["approved"], &detail["actions"][0]["data"]["project_name"]), (&json!(false), &json!("steady")));
}

/// `raw` percent-encoded for a query string.
pub(super) fn encode(raw: &str) -> String {
    raw.bytes()
        .map(|byte| if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) { (byte as char).to_string() } else { format!("%{byte:02X}") })
        .collect()
}
