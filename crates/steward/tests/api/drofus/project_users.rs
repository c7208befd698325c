//! dRofus' project users (cases 18–22, 29), the welcome mail through the outbox to a real
//! SMTP sink, `/emails`, a database's `disableall`/`enableall`/`kickall`, and `/node/logins`
//! counting logins that carry a project (cases 27, 31).

use std::time::Duration;

use serde_json::{Value, json};

use super::{Drofus, drofus, drofus_with, keys};
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    project_users_are_added_found_changed_and_removed,
    an_existing_user_must_match_and_bad_rights_change_nothing,
    the_welcome_mail_reaches_the_sink,
    a_database_disables_enables_and_kicks_its_project_users,
    logins_on_a_project_are_counted_by_client,
);

/// An owner and a project on `rest_test` (cloned from the template); the project's id.
async fn project(drofus: &Drofus) -> i64 {
    let owner = drofus.owner("Owner").await;
    let (status, body) = drofus.project_on_new_database(owner, "REST TEST", "rest_test").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(drofus.settled("rest_test").await, "ready");
    body["project"]["id"].as_i64().unwrap()
}

fn hakon(project: i64, mail_type: &str) -> Value {
    json!({"project_user": {"project_id": project, "room_rights": 1},
        "user": {"username": "hakonhc", "first_name": "Håkon", "last_name": "Clausen", "email": "hhc@drofus.com"},
        "mail_type": mail_type})
}

/// hakonhc, with a password, made a member of `project`; the password.
async fn hakon_in(drofus: &Drofus, project: i64) -> &'static str {
    let password = "hakon-password-1";
    let (status, _) = drofus
        .post("/users", json!({"user": {"username": "hakonhc", "first_name": "Håkon", "last_name": "Clausen", "email": "hhc@drofus.com", "password": password}}))
        .await;
    assert_eq!(status, 201);
    assert_eq!(drofus.post("/project_users", hakon(project, "")).await.0, 201);
    password
}

async fn project_users_are_added_found_changed_and_removed(backend: Backend) {
    let drofus = drofus(backend).await;
    let project = project(&drofus).await;
    // Case 18, with the seed's content type.
    let response = drofus
        .request(reqwest::Method::POST, "/project_users")
        .header("Accept", "application/json")
        .header("Content-Type", "application/json; charset=UTF-8")
        .body(hakon(project, "skip_email").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    assert!(response.headers()["location"].to_str().unwrap().ends_with(&format!("/project_users/hakonhc,{project}")));
    let created: Value = response.json().await.unwrap();
    let member = &created["project_user"];
    assert_eq!((member["username"].as_str(), member["project_id"].as_i64(), member["room_rights"].as_i64()), (Some("hakonhc"), Some(project), Some(1)));
    for key in ["created_at", "role", "superuser", "user_role_id", "disabled", "hide_price"] {
        assert!(member.get(key).is_some(), "{key} in {member}");
    }
    assert_eq!(member["equipment_rights"], Value::Null);
    let (status, user) = drofus.get("/users/hakonhc.json").await;
    assert_eq!((status, user["user"]["first_name"].as_str()), (200, Some("Håkon")));

    // Case 21: the seed's singular path, the same answer as the plural one.
    let (status, singular) = drofus
        .patch(&format!("/project_user/hakonhc,{project}"), json!({"project_user": {"username": "someone", "project_id": 1, "room_rights": 3, "tender_rights": 4, "superuser": true}}))
        .await;
    assert_eq!(status, 200, "{singular}");
    assert_eq!((singular["project_user"]["room_rights"].as_i64(), singular["project_user"]["tender_rights"].as_i64()), (Some(3), Some(4)));
    assert_eq!(singular["project_user"]["username"], "hakonhc", "the path says who");
    let (_, plural) = drofus.get(&format!("/project_users/hakonhc,{project}")).await;
    assert_eq!(plural, singular);
    let (_, listed) = drofus.get(&format!("/project_users.json?project_id={project}")).await;
    assert_eq!(listed, json!([plural]));
    assert_eq!(drofus.get("/project_users.json?project_id=abc").await, (400, json!({"status": 400, "error": "Bad Request"})));
    let (_, xml, body) = drofus.get_as(&format!("/project_users/hakonhc,{project}.xml"), "*/*").await;
    assert!(xml.starts_with("application/xml") && body.contains("<room-rights type=\"integer\">3</room-rights>"), "{body}");

    // Malformed keys and strangers are 404.
    for path in ["/project_users/hakonhc", "/project_users/hakonhc,abc", "/project_users/nosuch,1", &format!("/project_users/admin,{project}")] {
        assert_eq!(drofus.get(path).await.0, 404, "{path}");
    }
    // Case 29: the person stays.
    assert_eq!(drofus.delete(&format!("/project_users/hakonhc,{project}")).await, (204, Value::Null));
    assert_eq!(drofus.delete(&format!("/project_users/hakonhc,{project}")).await.0, 404);
    assert_eq!(drofus.get("/users/hakonhc.json").await.0, 200);
    let entries = drofus.server.audit(20).await;
    assert_eq!(by_whom(audit_entry(&entries, "member.add", &format!("hakonhc,{project}"))), ("account:testadmin", "drofus"));
}

async fn an_existing_user_must_match_and_bad_rights_change_nothing(backend: Backend) {
    let drofus = drofus(backend).await;
    let project = project(&drofus).await;
    assert_eq!(drofus.post("/project_users", hakon(project, "")).await.0, 201);
    // Already a member.
    let (status, body) = drofus.post("/project_users", hakon(project, "")).await;
    assert_eq!((status, body), (422, json!({"username": ["has already been taken"]})));
    // Case 19: a second project on the same database, details that differ.
    let owner = drofus.owner("Second owner").await;
    let second = drofus.project_on(owner, "Second", "rest_test").await;
    let mut other = hakon(second, "skip_email");
    other["user"]["email"] = json!("other@drofus.com");
    let (status, body) = drofus.post("/project_users", other).await;
    assert_eq!((status, keys(&body)), (422, vec!["user".to_owned()]), "{body}");
    assert_eq!(body["user"], json!(["does not match the registered user"]));
    assert_eq!(drofus.get(&format!("/project_users/hakonhc,{second}")).await.0, 404, "no membership was made");
    // The same details, named with another case of e-mail, do match.
    let mut same = hakon(second, "skip_email");
    same["user"]["email"] = json!("HHC@drofus.com");
    assert_eq!(drofus.post("/project_users", same).await.0, 201);
    // Case 20, and every field at once.
    let (status, body) = drofus
        .post("/project_users", json!({"project_user": {"project_id": 999999, "room_rights": 5, "superuser": "maybe"}, "user": {"username": "newbie"}, "mail_type": "99"}))
        .await;
    assert_eq!(status, 422);
    for key in ["project", "room_rights", "superuser", "mail_type", "first_name", "last_name", "email"] {
        assert!(body.get(key).is_some(), "{key} in {body}");
    }
    assert_eq!(drofus.get("/users/newbie").await.0, 404, "no person was made");
    let (status, body) = drofus.post("/project_users", json!({"project_user": {"room_rights": 1}, "user": {}})).await;
    assert_eq!((status, body), (422, json!({"project_id": ["can't be blank"], "username": ["can't be blank"]})));
    // Not wrapped: 400.
    assert_eq!(drofus.post("/project_users", json!({"project_id": project})).await.0, 400);
    // Case 22: a right out of 0–4 changes nothing.
    let (status, body) = drofus.patch(&format!("/project_users/hakonhc,{project}"), json!({"project_user": {"room_rights": 9, "system_rights": 2}})).await;
    assert_eq!((status, body), (422, json!({"room_rights": ["is not included in the list"]})));
    let (_, unchanged) = drofus.get(&format!("/project_users/hakonhc,{project}")).await;
    assert_eq!((unchanged["project_user"]["room_rights"].as_i64(), unchanged["project_user"]["system_rights"].as_i64()), (Some(1), None));
}

async fn the_welcome_mail_reaches_the_sink(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let drofus = drofus_with(backend, &[("STEWARD_MAIL__SMTP_URL", &sink.url), ("STEWARD_PUBLIC_URL", "https://steward.example.org")]).await;
    let (status, emails) = drofus.get("/emails.json").await;
    assert_eq!(status, 200);
    let welcome = emails.as_array().unwrap().iter().find(|email| email["email"]["name"] == "New project user").unwrap();
    let id = welcome["email"]["id"].as_i64().unwrap();
    assert_eq!(keys(&welcome["email"]), ["id", "name", "subject"]);
    let project = project(&drofus).await;
    let (status, body) = drofus.post("/project_users", hakon(project, &id.to_string())).await;
    assert_eq!(status, 201, "{body}");
    let maildir = &sink.maildir;
    assert!(eventually(Duration::from_secs(20), || async { delivered(maildir).len() == 1 }).await, "{}", drofus.server.logs());
    let message = &delivered(maildir)[0];
    assert!(header(message, "To").unwrap().contains("hhc@drofus.com"), "{message}");
    assert!(header(message, "Subject").unwrap().contains("REST TEST"), "{message}");
    assert!(message.contains("hakonhc") && message.contains("https://steward.example.org"), "{message}");
    // No password travels: a one-use link to choose one. The person cannot log in before.
    // Long lines travel quoted-printable: undo its soft breaks and `=3D`.
    let message = message.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    let link = message.lines().find_map(|line| line.trim().strip_prefix("https://steward.example.org/steward/v1/password?token=")).unwrap();
    let token = link.trim().to_owned();
    let refused = drofus.server.http.post(drofus.server.url("/steward/v1/tokens")).json(&json!({"login": "hakonhc", "password": "chosen-password-1"})).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let form = drofus.server.http.get(drofus.server.url(&format!("/steward/v1/password?token={token}"))).send().await.unwrap();
    assert_eq!(form.status().as_u16(), 200);
    assert!(form.text().await.unwrap().contains(&format!("value=\"{token}\"")));
    let set = |password: &'static str, token: String| {
        let server = &drofus.server;
        async move {
            let response = server.http.post(server.url("/steward/v1/password")).header("Content-Type", "application/x-www-form-urlencoded")
                .body(format!("token={token}&password={password}")).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    // A refused password spends nothing: the link still works after.
    let (status, page) = set("", token.clone()).await;
    assert_eq!(status, 400, "{page}");
    let (status, page) = set("chosen-password-1", token.clone()).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Your password is set"), "{page}");
    drofus.server.login("hakonhc", "chosen-password-1").await;
    // Once only.
    let (status, page) = set("another-password-2", token.clone()).await;
    assert_eq!(status, 400, "{page}");
    let json_reply = drofus.server.http.post(drofus.server.url("/steward/v1/password")).json(&json!({"token": token, "password": "another-password-2"})).send().await.unwrap();
    assert_eq!(json_reply.status().as_u16(), 400);
    assert_eq!(json_reply.headers()["content-type"], "application/problem+json");
    drofus.server.login("hakonhc", "chosen-password-1").await;
    // A made-up link and a broken one change nothing.
    assert_eq!(set("x-password-3", "A".repeat(43)).await.0, 400);
    assert_eq!(drofus.server.http.get(drofus.server.url("/steward/v1/password?token=<script>")).send().await.unwrap().status().as_u16(), 400);
    // The mail is sensitive: its body is erased once delivered.
    let kept = drofus.db.query("SELECT payload FROM outbox WHERE kind = 'mail'");
    assert!(!kept.contains(&token), "the delivered mail's link is not kept: {kept}");
}

async fn a_database_disables_enables_and_kicks_its_project_users(backend: Backend) {
    let drofus = drofus(backend).await;
    let project = project(&drofus).await;
    let password = hakon_in(&drofus, project).await;
    // A token opened on the project (its only one, so asked or not), and one on nothing.
    let login = |body: Value| {
        let server = &drofus.server;
        async move {
            let response = server.http.post(server.url("/steward/v1/tokens")).json(&body).send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, scoped) = login(json!({"login": "hakonhc", "password": password, "project": project})).await;
    assert_eq!((status, scoped["project"].as_i64()), (201, Some(project)));
    let (_, by_default) = login(json!({"login": "hakonhc", "password": password})).await;
    assert_eq!(by_default["project"].as_i64(), Some(project), "the only project is the default");
    let (status, _) = login(json!({"login": "hakonhc", "password": password, "project": "Nope"})).await;
    assert_eq!(status, 401, "not a member");
    let (status, _) = login(json!({"login": "hakonhc", "password": password, "project": true})).await;
    assert_eq!(status, 422, "a project is an id or a name");
    let admin_token = drofus.server.admin_token().await;

    // Case 27, then kickall: the sessions on the database end, others live.
    assert_eq!(drofus.get("/database/nosuch/kickall").await, (404, json!({"status": 404, "error": "Not Found"})));
    let (status, body) = drofus.get("/database/rest_test/kickall").await;
    assert_eq!((status, body["count"].as_u64()), (200, Some(2)), "{body}");
    assert_eq!(drofus.server.get_json("/steward/v1/whoami", scoped["token"].as_str().unwrap()).await.0, 401);
    assert_eq!(drofus.server.get_json("/steward/v1/whoami", by_default["token"].as_str().unwrap()).await.0, 401);
    assert_eq!(drofus.server.get_json("/steward/v1/whoami", &admin_token).await.0, 200);

    // disableall: no login on the database's projects; the account itself still logs in.
    let (status, body) = drofus.get("/database/rest_test/disableall.json").await;
    assert_eq!((status, body["count"].as_u64()), (200, Some(1)));
    let (_, member) = drofus.get(&format!("/project_users/hakonhc,{project}")).await;
    assert_eq!(member["project_user"]["disabled"], true);
    assert_eq!(login(json!({"login": "hakonhc", "password": password, "project": project})).await.0, 401);
    let (status, unscoped) = login(json!({"login": "hakonhc", "password": password})).await;
    assert_eq!((status, &unscoped["project"]), (201, &Value::Null));
    assert_eq!(drofus.get("/users/hakonhc").await.1["user"]["active"], true);
    let (_, again) = drofus.get("/database/rest_test/disableall").await;
    assert_eq!(again["count"].as_u64(), Some(0), "repeating is not an error");
    let (status, body) = drofus.post("/database/rest_test/enableall", json!({})).await;
    assert_eq!((status, body["count"].as_u64()), (200, Some(1)));
    assert_eq!(login(json!({"login": "hakonhc", "password": password, "project": "REST TEST"})).await.0, 201);
    // HEAD never acts; an unknown database is 404 for each action.
    assert_eq!(drofus.request(reqwest::Method::HEAD, "/database/rest_test/disableall").send().await.unwrap().status().as_u16(), 405);
    for action in ["disableall", "enableall"] {
        assert_eq!(drofus.get(&format!("/database/nosuch/{action}")).await.0, 404);
    }
    let entries = drofus.server.audit(30).await;
    assert_eq!(by_whom(audit_entry(&entries, "database.kick_all", "rest_test")), ("account:testadmin", "drofus"));
}

async fn logins_on_a_project_are_counted_by_client(backend: Backend) {
    let drofus = drofus(backend).await;
    let project = project(&drofus).await;
    let password = hakon_in(&drofus, project).await;
    for (client_type, user_agent) in [(Some("Revit"), None), (Some("revit"), None), (None, Some("dRofus/2.14 (Windows)")), (None, Some("Mozilla/5.0"))] {
        let mut request = drofus.server.http.post(drofus.server.url("/steward/v1/tokens")).json(&json!({"login": "hakonhc", "password": password, "project": project}));
        if let Some(client_type) = client_type {
            request = request.header("X-Client-Type", client_type);
        }
        if let Some(user_agent) = user_agent {
            request = request.header("User-Agent", user_agent);
        }
        assert_eq!(request.send().await.unwrap().status().as_u16(), 201);
    }
    // A failed login counts nothing.
    let refused = drofus.server.http.post(drofus.server.url("/steward/v1/tokens")).json(&json!({"login": "hakonhc", "password": "wrong-password", "project": project})).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let (status, counts) = drofus.get("/node/logins.json").await;
    assert_eq!(status, 200);
    let now = time::OffsetDateTime::now_utc();
    let mut seen: Vec<(String, i64)> = counts
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            let login = &entry["login"];
            assert_eq!((login["project_id"].as_i64(), login["database"].as_str(), login["project_name"].as_str()), (Some(project), Some("rest_test"), Some("REST TEST")));
            assert_eq!((login["year"].as_i64(), login["month"].as_i64()), (Some(i64::from(now.year())), Some(i64::from(u8::from(now.month())))));
            (login["client"].as_str().unwrap().to_owned(), login["count"].as_i64().unwrap())
        })
        .collect();
    seen.sort();
    assert_eq!(seen, [("drofus".to_owned(), 1), ("revit".to_owned(), 2), ("web".to_owned(), 1)]);
    // Case 31.
    assert_eq!(drofus.get("/node/logins.json?from_date=2020-01-01&to_date=2020-12-31").await, (200, json!([])));
    assert_eq!(drofus.get("/node/logins.json?from_date=2020-13-45").await, (400, json!({"status": 400, "error": "Bad Request"})));
    let (_, xml, body) = drofus.get_as("/node/logins.xml", "*/*").await;
    assert!(xml.starts_with("application/xml") && body.contains("<logins type=\"array\">"), "{body}");
}
