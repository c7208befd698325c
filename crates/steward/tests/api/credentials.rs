//! Every credential form, and bad, expired and revoked tokens.

use std::time::Duration;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(every_credential_form_is_accepted, bad_credentials_are_refused, an_expired_token_is_refused, a_revoked_token_is_refused_at_once, revocation_reaches_other_instances);

async fn every_credential_form_is_accepted(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[]);
    let token = server.admin_token().await;
    let whoami = server.url("/steward/v1/whoami");
    let forms = [
        server.http.get(&whoami).bearer_auth(&token),
        server.http.get(&whoami).header("X-Auth-Token", &token),
        server.http.get(&whoami).header("JanuaAuthToken", &token),
        server.http.get(&whoami).basic_auth("admin", Some(ADMIN_PASSWORD)),
        server.http.get(&whoami).basic_auth("ADMIN", Some(ADMIN_PASSWORD)),
    ];
    for request in forms {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        let me: serde_json::Value = response.json().await.unwrap();
        assert_eq!(me["kind"], "account");
        assert_eq!(me["login"], "admin");
        assert_eq!(me["roles"], serde_json::json!(["admin", "project_admin", "sip_admin"]));
        assert!(uuid::Uuid::parse_str(me["uuid"].as_str().unwrap()).is_ok());
    }
}

async fn assert_refused(server: &Server, request: reqwest::RequestBuilder) {
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert!(response.headers().contains_key("www-authenticate"));
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let problem: serde_json::Value = response.json().await.unwrap();
    assert_eq!(problem["status"], 401);
    assert!(problem["detail"].as_str().unwrap().len() > 10, "{problem}");
    let _ = server;
}

async fn bad_credentials_are_refused(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[]);
    let whoami = server.url("/steward/v1/whoami");
    assert_refused(&server, server.http.get(&whoami)).await;
    assert_refused(&server, server.http.get(&whoami).bearer_auth("not-a-token")).await;
    assert_refused(&server, server.http.get(&whoami).header("Authorization", "Digest abc")).await;
    assert_refused(&server, server.http.get(&whoami).header("Authorization", "Basic ***")).await;
    assert_refused(&server, server.http.get(&whoami).basic_auth("admin", Some("wrong"))).await;
    assert_refused(&server, server.http.get(&whoami).basic_auth("admin", Some(""))).await;
    assert_refused(&server, server.http.get(&whoami).basic_auth("nobody", Some("x"))).await;
    assert_refused(&server, server.http.get(&whoami).header("X-Auth-Token", "x".repeat(600))).await;
    assert!(server.metric("steward_login_failures_total{reason=\"password\"}").await >= 1.0);
    assert!(server.metric("steward_login_failures_total{reason=\"unknown_token\"}").await >= 1.0);
}

async fn an_expired_token_is_refused(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[]);
    let short = cli(&db, &["token", "issue", "admin", "--ttl", "2s"], "");
    let short = stdout(&short).trim().to_owned();
    assert_eq!(server.get_json("/steward/v1/whoami", &short).await.0, 200);
    tokio::time::sleep(Duration::from_millis(3100)).await;
    assert_refused(&server, server.http.get(server.url("/steward/v1/whoami")).bearer_auth(&short)).await;
    assert_eq!(server.metric("steward_login_failures_total{reason=\"expired\"}").await, 1.0);
}

async fn a_revoked_token_is_refused_at_once(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[]);
    let whoami = server.url("/steward/v1/whoami");
    let token = server.admin_token().await;
    let other = server.admin_token().await;
    let revoke = server.http.delete(server.url("/steward/v1/tokens/current")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(revoke.status(), 204);
    // Refused on the very next request on this instance.
    assert_refused(&server, server.http.get(&whoami).bearer_auth(&token)).await;
    assert_refused(&server, server.http.delete(server.url("/steward/v1/tokens/current")).bearer_auth(&token)).await;
    assert_eq!(server.get_json("/steward/v1/whoami", &other).await.0, 200, "only the presented token");
    assert!(server.metric("steward_login_failures_total{reason=\"revoked\"}").await >= 1.0);

    let basic = server.http.delete(server.url("/steward/v1/tokens/current")).basic_auth("admin", Some(ADMIN_PASSWORD)).send().await.unwrap();
    assert_eq!(basic.status(), 400, "only a presented token can be revoked");
}

async fn revocation_reaches_other_instances(backend: Backend) {
    let db = TestDb::new(backend);
    let first = Server::start(&db, &[]);
    let second = Server::start(&db, &[]);
    let token = first.admin_token().await;
    assert_eq!(second.get_json("/steward/v1/whoami", &token).await.0, 200, "cached on the second instance now");
    let revoke = first.http.delete(first.url("/steward/v1/tokens/current")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(revoke.status(), 204);
    assert!(eventually(Duration::from_secs(2), || async { second.get_json("/steward/v1/whoami", &token).await.0 == 401 }).await, "refused on the other instance within 2 s");
}
