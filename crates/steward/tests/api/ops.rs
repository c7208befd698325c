//! /healthz, /readyz, /metrics.

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(healthz_and_readyz_report_each_check, metrics_are_labelled_by_route);

async fn healthz_and_readyz_report_each_check(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[]);
    let health = server.http.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.json::<serde_json::Value>().await.unwrap(), serde_json::json!({"status": "ok"}));

    let ready = server.http.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(ready["status"], "ok");
    assert_eq!(ready["checks"]["store"], "ok");
    assert_eq!(ready["checks"]["mail"], "unconfigured");
    assert_eq!(ready["checks"]["sms"], "unconfigured");
    assert_eq!(ready["checks"]["kamailio"], "unconfigured");
    assert_eq!(ready["outbox"], serde_json::json!({"pending": 0, "failed": 0}));
}

async fn metrics_are_labelled_by_route(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[]);
    assert_eq!(server.http.get(server.url("/healthz")).send().await.unwrap().status(), 200);
    let token = server.admin_token().await;
    assert_eq!(server.get_json("/steward/v1/whoami", &token).await.0, 200);
    let metrics = server.http.get(server.url("/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 200);
    let metrics = metrics.text().await.unwrap();
    for name in [
        "steward_http_requests_total{face=\"steward\",route=\"/steward/v1/whoami\",status=\"200\"} 1",
        "steward_http_requests_total{face=\"ops\",route=\"/healthz\",status=\"200\"} 1",
        "steward_http_request_duration_seconds_bucket{face=\"steward\",route=\"/steward/v1/whoami\"",
        "steward_outbox_pending",
        "steward_outbox_failed",
        "steward_outbox_delivered_total{kind=\"mail\"}",
        "steward_login_failures_total{reason=\"password\"}",
    ] {
        assert!(metrics.contains(name), "{name} in\n{metrics}");
    }
    // An unknown path is labelled as such, not by its raw text.
    assert_eq!(server.http.get(server.url("/no/such/path/12345")).send().await.unwrap().status(), 404);
    let metrics = server.http.get(server.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(!metrics.contains("12345"), "{metrics}");
}

#[tokio::test]
async fn readyz_is_503_when_the_store_is_gone() {
    let db = TestDb::new(Backend::Postgres);
    let server = Server::start(&db, &[]);
    assert_eq!(server.readyz().await["status"], "ok");
    let name = db.url.rsplit('/').next().unwrap().to_owned();
    // Cut every connection of the server and keep new ones out.
    psql(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"));
    psql(&format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"));
    let response = server.http.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "down");
    assert!(body["checks"]["store"].as_str().unwrap().starts_with("down"), "{body}");
    assert_eq!(server.http.get(server.url("/healthz")).send().await.unwrap().status(), 200, "the process still runs");
    psql(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"));
}

on_both_backends!(instances_starting_together_migrate_and_bootstrap_once);

async fn instances_starting_together_migrate_and_bootstrap_once(backend: Backend) {
    let db = std::sync::Arc::new(TestDb::unmigrated(backend));
    let starts: Vec<_> = (0..3)
        .map(|_| {
            let db = db.clone();
            std::thread::spawn(move || Server::start(&db, &[]))
        })
        .collect();
    let servers: Vec<Server> = starts.into_iter().map(|start| start.join().unwrap()).collect();
    for server in &servers {
        assert_eq!(server.readyz().await["status"], "ok");
        server.admin_token().await;
    }
    let admin = servers[0].admin_token().await;
    let audit = servers[0].get_json("/steward/v1/audit?limit=100", &admin).await.1;
    let creations = audit.as_array().unwrap().iter().filter(|entry| entry["action"] == "account.create").count();
    assert_eq!(creations, 1, "one bootstrap admin: {audit}");
    drop(servers);
}
