//! The native API: login, whoami, revoke, audit (admin only), mail (admin only); 404/405.

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    login_answers_a_token_with_its_expiry,
    login_refusals_look_the_same,
    the_audit_log_shows_who_did_what,
    the_audit_log_is_for_admins,
    only_admins_queue_mail,
    unknown_paths_and_methods,
);

async fn login_answers_a_token_with_its_expiry(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[("STEWARD_SECURITY__TOKEN_TTL_HOURS", "2")]);
    let response = server.http.post(server.url("/steward/v1/tokens")).json(&serde_json::json!({"login": "admin", "password": ADMIN_PASSWORD})).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let body: serde_json::Value = response.json().await.unwrap();
    let expires = time::OffsetDateTime::parse(body["expires_at"].as_str().unwrap(), &time::format_description::well_known::Rfc3339).unwrap();
    let lifetime = expires - time::OffsetDateTime::now_utc();
    assert!(lifetime > time::Duration::minutes(119) && lifetime <= time::Duration::minutes(120), "{lifetime}");
    let token = body["token"].as_str().unwrap();
    assert!(token.len() >= 43);
    assert_eq!(server.get_json("/steward/v1/whoami", token).await.1["login"], "admin");
}

async fn login_refusals_look_the_same(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[]);
    for (login, password) in [("admin", "wrong"), ("nobody", "x")] {
        let refused = server.http.post(server.url("/steward/v1/tokens")).json(&serde_json::json!({"login": login, "password": password})).send().await.unwrap();
        assert_eq!(refused.status(), 401);
        let problem: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(problem["detail"], "The credentials are not valid.", "unknown login and wrong password look the same");
    }
    for body in [serde_json::json!({"login": "admin", "password": ""}), serde_json::json!({"login": "", "password": "x"})] {
        let refused = server.http.post(server.url("/steward/v1/tokens")).json(&body).send().await.unwrap();
        assert_eq!(refused.status(), 400, "{body}");
    }
}

async fn the_audit_log_shows_who_did_what(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[]);
    assert!(cli(&db, &["account", "create", "alice", "--password-stdin"], "alicepw\n").status.success());
    let admin = server.admin_token().await;
    let (status, entries) = server.get_json("/steward/v1/audit?limit=5", &admin).await;
    assert_eq!(status, 200);
    let entries = entries.as_array().unwrap();
    assert!(!entries.is_empty() && entries.len() <= 5);
    let newest = &entries[0];
    assert_eq!((newest["action"].as_str(), newest["target"].as_str(), by_whom(newest)), (Some("account.create"), Some("alice"), ("cli", "cli")));
    for key in ["at", "actor", "action", "target", "face"] {
        assert!(newest.get(key).is_some(), "{key}");
    }
    for bad in ["limit=0", "limit=abc", "limit=100000", "colour=blue"] {
        assert_eq!(server.get_json(&format!("/steward/v1/audit?{bad}"), &admin).await.0, 400, "{bad}");
    }
}

async fn the_audit_log_is_for_admins(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[]);
    assert!(cli(&db, &["account", "create", "alice", "--password-stdin"], "alicepw\n").status.success());
    let alice = server.login("alice", "alicepw").await;
    let (status, problem) = server.get_json("/steward/v1/audit", &alice).await;
    assert_eq!(status, 403);
    assert!(problem["detail"].as_str().unwrap().contains("admin"));
    assert_eq!(server.http.get(server.url("/steward/v1/audit")).send().await.unwrap().status(), 401);
}

async fn only_admins_queue_mail(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[]);
    assert!(cli(&db, &["account", "create", "alice", "--password-stdin"], "alicepw\n").status.success());
    let alice = server.login("alice", "alicepw").await;
    let mail = serde_json::json!({"to": ["x@example.org"], "subject": "s", "body": "b"});
    assert_eq!(server.http.post(server.url("/steward/v1/mail")).bearer_auth(&alice).json(&mail).send().await.unwrap().status(), 403);
    assert_eq!(server.http.post(server.url("/steward/v1/mail")).json(&mail).send().await.unwrap().status(), 401);
    assert_eq!(server.readyz().await["outbox"]["pending"], 0, "nothing queued");
}

async fn unknown_paths_and_methods(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[]);
    let missing = server.http.get(server.url("/steward/v1/nothing")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()["content-type"], "application/problem+json");
    let wrong = server.http.get(server.url("/steward/v1/tokens")).send().await.unwrap();
    assert_eq!(wrong.status(), 405);
    assert_eq!(wrong.headers()["content-type"], "application/problem+json");
    let wrong = server.http.put(server.url("/steward/v1/whoami")).send().await.unwrap();
    assert_eq!(wrong.status(), 405);
}
