//! SIGTERM drains in-flight requests and exits 0.

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(sigterm_drains_and_exits_0);

async fn sigterm_drains_and_exits_0(backend: Backend) {
    let db = TestDb::new(backend);
    let mut server = Server::start(&db, &[]);
    let token = server.admin_token().await;
    // A few logins in flight (each an argon2 verify on the bounded pool) when the signal lands.
    let mut in_flight = Vec::new();
    for _ in 0..4 {
        let http = server.http.clone();
        let url = server.url("/steward/v1/tokens");
        in_flight.push(tokio::spawn(async move {
            http.post(url).json(&serde_json::json!({"login": "admin", "password": ADMIN_PASSWORD})).send().await.map(|r| r.status().as_u16())
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    server.signal("TERM");
    for request in in_flight {
        let status = request.await.unwrap();
        // Accepted before the signal: answered in full. Not yet accepted: refused connection.
        if let Ok(status) = status {
            assert_eq!(status, 201);
        }
    }
    let code = tokio::task::spawn_blocking(move || server.wait(std::time::Duration::from_secs(15))).await.unwrap();
    assert_eq!(code, Some(0));
    let _ = token;
}
