//! The login rate limit: per login and per client address, even with the right password.

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(failed_logins_are_limited);

async fn failed_logins_are_limited(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[("STEWARD_SECURITY__LOGIN_ATTEMPTS_PER_MINUTE", "3")]);
    assert!(cli(&db, &["account", "create", "alice", "--password-stdin"], "alicepw\n").status.success());
    let login = |password: &'static str| {
        server.http.post(server.url("/steward/v1/tokens")).json(&serde_json::json!({"login": "alice", "password": password})).send()
    };
    // Successful requests do not count.
    for _ in 0..5 {
        assert_eq!(login("alicepw").await.unwrap().status(), 201);
    }
    for _ in 0..3 {
        assert_eq!(login("wrong").await.unwrap().status(), 401);
    }
    let refused = login("alicepw").await.unwrap();
    assert_eq!(refused.status(), 429, "refused even with the right password");
    let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after));
    assert_eq!(refused.headers()["content-type"], "application/problem+json");

    let basic = server.http.get(server.url("/steward/v1/whoami")).basic_auth("alice", Some("alicepw")).send().await.unwrap();
    assert_eq!(basic.status(), 429, "Basic is limited too");
    assert!(basic.headers().contains_key("retry-after"));

    // The address is spent as well: another login from it is refused too.
    let admin = server.http.post(server.url("/steward/v1/tokens")).json(&serde_json::json!({"login": "admin", "password": ADMIN_PASSWORD})).send().await.unwrap();
    assert_eq!(admin.status(), 429);

    let metrics = server.http.get(server.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let line = metrics.lines().find(|line| line.starts_with("steward_login_failures_total{reason=\"rate_limited\"}")).unwrap();
    assert!(line.ends_with(" 3"), "{line}");
}
