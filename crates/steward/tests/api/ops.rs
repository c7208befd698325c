//! /healthz, /readyz, /metrics.

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(healthz_and_readyz_report_each_check, metrics_are_labelled_by_route, the_process_and_its_pools_are_measured, every_request_has_an_id);

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
    assert_eq!(ready["checks"]["ldap"], "unconfigured");
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

async fn the_process_and_its_pools_are_measured(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[]);
    server.admin_token().await;
    let metrics = server.http.get(server.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let value = |series: &str| -> f64 {
        let line = metrics.lines().find(|line| line.starts_with(series)).unwrap_or_else(|| panic!("{series} in\n{metrics}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert!(value("process_resident_memory_bytes ") > 1_000_000.0);
    assert!(value("process_cpu_seconds_total ") >= 0.0, "whole seconds: 0 for a young process");
    assert!(value("process_start_time_seconds ") > 1.7e9);
    assert!(value("process_open_fds ") > 0.0);
    assert!(value("process_threads ") >= 1.0);
    assert_eq!(value(&format!("steward_build_info{{version=\"{}\"}} ", env!("CARGO_PKG_VERSION"))), 1.0);
    assert!(value("steward_hasher_permits ") >= 1.0);
    assert_eq!(value("steward_hasher_busy "), 0.0, "the login's hash is over");
    assert_eq!(value("steward_hasher_waiting "), 0.0);
    let max = value("steward_store_connections_max ");
    assert!(max >= 1.0);
    assert!(value("steward_store_connections{state=\"idle\"} ") + value("steward_store_connections{state=\"busy\"} ") <= max);
}

/// The request id: made by Steward, or kept from a trusted proxy (only); answered in
/// `X-Request-Id`, a problem's `instance`, and the access log.
async fn every_request_has_an_id(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::spawn(&db, &[("STEWARD_SECURITY__TRUSTED_PROXIES", "10.9.9.0/24")]);
    let response = server.http.get(server.url("/steward/v1/whoami")).header("x-request-id", "chosen-by-client").send().await.unwrap();
    assert_eq!(response.status(), 401);
    let id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_ne!(id, "chosen-by-client", "a client that is no trusted proxy does not choose the id");
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let problem: serde_json::Value = response.json().await.unwrap();
    assert_eq!(problem["instance"], id.as_str());
    let other = server.http.get(server.url("/healthz")).send().await.unwrap();
    assert_ne!(other.headers()["x-request-id"].to_str().unwrap(), id, "one id per request");
    assert!(eventually(std::time::Duration::from_secs(5), || async { server.logs().contains(&id) }).await, "{}", server.logs());
    let logs = server.logs();
    let line = logs.lines().find(|line| line.contains(&id) && line.contains("answered")).unwrap_or_else(|| panic!("{logs}"));
    let entry: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(entry["target"], "steward::access", "{line}");
    assert_eq!((entry["fields"]["route"].as_str(), entry["fields"]["status"].as_u64()), (Some("/steward/v1/whoami"), Some(401)), "{line}");
    assert_eq!((entry["span"]["id"].as_str(), entry["span"]["method"].as_str()), (Some(id.as_str()), Some("GET")), "{line}");
    assert!(server.stop().await);

    // Behind a trusted proxy (here: loopback), its id is kept; a malformed one is replaced.
    let server = Server::start(&db, &[("STEWARD_SECURITY__TRUSTED_PROXIES", "127.0.0.0/8,::1/128")]);
    let kept = server.http.get(server.url("/no/such/path")).header("x-request-id", "nginx-5f2b8c1e").send().await.unwrap();
    assert_eq!(kept.headers()["x-request-id"], "nginx-5f2b8c1e");
    assert_eq!(kept.json::<serde_json::Value>().await.unwrap()["instance"], "nginx-5f2b8c1e");
    let replaced = server.http.get(server.url("/healthz")).header("x-request-id", "has spaces <and> more").send().await.unwrap();
    assert!(uuid::Uuid::parse_str(replaced.headers()["x-request-id"].to_str().unwrap()).is_ok());
}
