//! What keeps the workflow safe to expose: anonymous requests limited per address and per
//! e-mail, unknown tokens limited per address, a crashed action raising an error
//! notification and changing nothing, and admins told of what needs them by mail.

use serde_json::json;

use super::Adjutant;
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    anonymous_requests_and_token_guesses_are_limited,
    a_crashed_action_changes_nothing_and_raises_an_error_notification,
    admins_are_mailed_what_needs_them,
);

async fn anonymous_requests_and_token_guesses_are_limited(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[("STEWARD_MAIL__SMTP_URL", sink.url.as_str()), ("STEWARD_FACES__ADJUTANT__ANONYMOUS_REQUESTS_PER_MINUTE", "3")]);
    let post = |path: &'static str, body: serde_json::Value| server.http.post(server.url(path)).json(&body).send();
    for n in 0..3 {
        let response = post("/v1/openstack/sign-up", json!({ "email": format!("s{n}@example.com"), "project_name": format!("p{n}") })).await.unwrap();
        assert_eq!(response.status(), 202);
    }
    let refused = post("/v1/openstack/sign-up", json!({ "email": "s9@example.com", "project_name": "p9" })).await.unwrap();
    assert_eq!(refused.status(), 429);
    assert!(refused.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert!(body["errors"][0].as_str().unwrap().starts_with("Too many requests"), "{body}");
    // Resets are counted alike (from the same address here).
    assert_eq!(post("/v1/openstack/users/password-reset", json!({ "email": "who@example.com" })).await.unwrap().status(), 429);
    assert_eq!(db.query("SELECT COUNT(*) FROM workflow_tasks").trim(), "3", "the refused ones stored nothing");
    // Token guesses: three misses, then the address is refused for a while.
    for _ in 0..3 {
        assert_eq!(server.http.get(server.url("/v1/tokens/0123456789abcdef0123456789abcdef")).send().await.unwrap().status(), 404);
    }
    assert_eq!(server.http.get(server.url("/v1/tokens/0123456789abcdef0123456789abcdef")).send().await.unwrap().status(), 429);
    // Authenticated callers are not counted as anonymous.
    let admin = server.admin_token().await;
    let tasks = server.http.get(server.url("/v1/tasks")).header("X-Auth-Token", &admin).send().await.unwrap();
    assert_eq!(tasks.status(), 200);
}

async fn a_crashed_action_changes_nothing_and_raises_an_error_notification(backend: Backend) {
    let adjutant = Adjutant::start(backend).await;
    let task = adjutant.sign_up("crash@example.com", "crashing").await;
    assert_eq!(adjutant.post(&format!("/v1/tasks/{task}"), Some(&adjutant.a), json!({ "approved": true })).await.0, 200);
    let token = adjutant.token_of(&task).await.unwrap();
    // The store refuses new projects: the action crashes while submitting.
    match backend {
        Backend::Sqlite => adjutant.db.query("CREATE TRIGGER refuse_projects BEFORE INSERT ON projects BEGIN SELECT RAISE(ABORT, 'no new projects'); END"),
        Backend::Postgres => adjutant.db.query(
            "CREATE FUNCTION refuse_projects() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'no new projects'; END $$ LANGUAGE plpgsql; \
             CREATE TRIGGER refuse_projects BEFORE INSERT ON projects FOR EACH ROW EXECUTE FUNCTION refuse_projects()",
        ),
    };
    let path = format!("/v1/tokens/{token}");
    let (status, body) = adjutant.post(&path, None, json!({ "password": "Corr3ct-horse-battery" })).await;
    assert_eq!((status, body), (503, json!({ "errors": ["Service temporarily unavailable, try again later."] })));
    let (_, detail) = adjutant.get(&format!("/v1/tasks/{task}"), Some(&adjutant.a)).await;
    assert_eq!(detail["completed"], false, "nothing of the submission stayed");
    assert_eq!(adjutant.count("accounts"), "4", "no account was made");
    let (_, status_page) = adjutant.get("/v1/status", Some(&adjutant.a)).await;
    let errors = status_page["error_notifications"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{status_page}");
    assert_eq!(errors[0]["task"], task.as_str());
    let note = errors[0]["notes"]["errors"][0].as_str().unwrap();
    assert!(note.starts_with("Error: ") && note.ends_with("while submiting task. See task itself for details."), "{note}");
    // Once the store accepts projects again, the same token completes the task.
    adjutant.db.query("DROP TRIGGER refuse_projects ON projects".trim_end_matches(if backend == Backend::Sqlite { " ON projects" } else { "" }));
    assert_eq!(adjutant.post(&path, None, json!({ "password": "Corr3ct-horse-battery" })).await.0, 200);
}

async fn admins_are_mailed_what_needs_them(backend: Backend) {
    let adjutant = Adjutant::start(backend).await;
    let created = cli(&adjutant.db, &["account", "create", "boss", "--password-stdin", "--email", "boss@example.com", "--role", "admin"], "boss-password-1\n");
    assert!(created.status.success(), "{}", stderr(&created));
    let task = adjutant.sign_up("needs-approval@example.com", "approval").await;
    let mails = adjutant.mails_to("boss@example.com", 1).await;
    assert!(mails[0].contains("'signup' task needs approval.") && mails[0].contains(&task), "{}", mails[0]);
    assert!(header(&mails[0], "Subject").unwrap().contains("needs approval"), "{}", mails[0]);
}
