//! SIGTERM drains in-flight requests and exits 0: the real binary, since the signal and the
//! exit code are what is tested.

use std::time::Duration;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(sigterm_drains_and_exits_0);

/// How many logins are sent at once; each is an argon2 verify on the bounded pool, so most
/// of them are still waiting for it when the first answer comes back.
const LOGINS: usize = 8;

async fn sigterm_drains_and_exits_0(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::spawn(&db, &[]);
    let (answers, mut answered) = tokio::sync::mpsc::unbounded_channel();
    for _ in 0..LOGINS {
        let request = server.http.post(server.url("/steward/v1/tokens")).json(&serde_json::json!({"login": "admin", "password": ADMIN_PASSWORD}));
        let answers = answers.clone();
        tokio::spawn(async move {
            let answer = match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    response.json::<serde_json::Value>().await.map(|body| (status, body)).map_err(|error| format!("body cut short: {error}"))
                }
                Err(error) => Err(format!("no answer: {error}")),
            };
            let _ = answers.send(answer);
        });
    }
    drop(answers);
    // Every request was sent and accepted by the time the first is answered (the first
    // waited for its hash); the signal lands while the others are still being served.
    let first = answered.recv().await.unwrap();
    server.signal("TERM");
    let mut after_signal = Vec::new();
    while let Some(answer) = answered.recv().await {
        after_signal.push(answer);
    }
    assert!(!after_signal.is_empty(), "requests were in flight when the signal landed");
    for answer in std::iter::once(&first).chain(&after_signal) {
        let (status, body) = answer.as_ref().unwrap_or_else(|error| panic!("an accepted request got no full answer: {error}"));
        assert_eq!(*status, 201, "{body}");
        assert!(body["token"].as_str().is_some_and(|token| token.len() >= 43), "a whole token: {body}");
        assert!(body["expires_at"].is_string(), "{body}");
    }
    assert_eq!(after_signal.len() + 1, LOGINS, "every request was answered");
    let mut server = server;
    let code = tokio::task::spawn_blocking(move || {
        let code = server.wait(Duration::from_secs(15));
        (code, server.logs())
    })
    .await
    .unwrap();
    assert_eq!(code.0, Some(0), "{}", code.1);
    assert!(code.1.contains("\"stopped\""), "drained in time: {}", code.1);
}
