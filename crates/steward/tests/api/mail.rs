//! Mail through the outbox to the real SMTP sink of tests/peers/smtp.sh.

use std::collections::HashMap;
use std::time::Duration;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(a_delivered_secret_is_erased_from_the_store, mail_is_delivered_with_its_headers, mail_waits_while_the_sink_is_down, sigkill_with_mail_queued_loses_and_duplicates_nothing, sigkill_mid_batch_resends_at_most_the_deliveries_in_flight);

async fn queue(server: &Server, token: &str, to: &str, subject: &str) -> String {
    let response = server
        .http
        .post(server.url("/steward/v1/mail"))
        .bearer_auth(token)
        .json(&serde_json::json!({"to": [to], "subject": subject, "body": format!("Body of {subject}.")}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["id"].as_i64().is_some());
    body["message_id"].as_str().unwrap().to_owned()
}

async fn mail_is_delivered_with_its_headers(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let maildir = &sink.maildir;
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[("STEWARD_MAIL__SMTP_URL", &sink.url), ("STEWARD_MAIL__FROM", "Steward Test <steward@test.example>")]);
    let token = server.admin_token().await;
    let message_id = queue(&server, &token, "alice@example.org", "Welcome aboard").await;
    assert!(eventually(Duration::from_secs(15), || async { !delivered(maildir).is_empty() }).await, "{}", server.logs());
    let messages = delivered(maildir);
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert_eq!(header(message, "Message-ID"), Some(message_id.as_str()));
    assert_eq!(header(message, "Subject"), Some("Welcome aboard"));
    assert_eq!(header(message, "To"), Some("alice@example.org"));
    assert_eq!(header(message, "From"), Some("\"Steward Test\" <steward@test.example>"));
    assert_eq!(header(message, "X-RcptTo"), Some("alice@example.org"));
    assert!(message.contains("Body of Welcome aboard."));

    assert!(eventually(Duration::from_secs(5), || async { server.readyz().await["checks"]["mail"] == "ok" }).await);
    let metrics = server.http.get(server.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("steward_outbox_delivered_total{kind=\"mail\"} 1"), "{metrics}");
    let audit = server.get_json("/steward/v1/audit?limit=5", &token).await.1;
    assert_eq!(audit[0]["action"], "mail.send");
}

async fn mail_waits_while_the_sink_is_down(backend: Backend) {
    let db = TestDb::new(backend);
    let port = free_port();
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let server = Server::start(&db, &[("STEWARD_MAIL__SMTP_URL", &smtp_url), ("STEWARD_WORKER__MAX_ATTEMPTS", "2")]);
    let token = server.admin_token().await;
    queue(&server, &token, "bob@example.org", "Queued").await;
    assert!(eventually(Duration::from_secs(10), || async {
        let ready = server.readyz().await;
        ready["status"] == "degraded" && ready["checks"]["mail"].as_str().unwrap().starts_with("down: ")
    })
    .await);
    // After max_attempts it is failed, visible, and kept.
    assert!(eventually(Duration::from_secs(15), || async { server.readyz().await["outbox"]["failed"] == 1 }).await, "{}", server.logs());
    assert_eq!(server.readyz().await["outbox"]["pending"], 0);
    let failed = cli(&db, &["outbox", "list", "--failed"], "");
    let rows: Vec<serde_json::Value> = stdout(&failed).lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["status"], "failed");
    assert_eq!(rows[0]["attempts"], 2);
    assert!(rows[0]["last_error"].as_str().is_some());
    let next = rows[0]["next_attempt_at"].as_str().unwrap();
    assert!(time::OffsetDateTime::parse(next, &time::format_description::well_known::Rfc3339).is_ok(), "RFC 3339: {next}");

    // The sink comes up and the operator retries: delivered.
    let sink = SmtpSink::start(&[("SMTP_PEER_PORT", &port.to_string())]);
    let maildir = &sink.maildir;
    assert!(cli(&db, &["outbox", "retry", "--all-failed"], "").status.success());
    assert!(eventually(Duration::from_secs(20), || async { delivered(maildir).len() == 1 }).await, "{}", server.logs());
    assert!(eventually(Duration::from_secs(5), || async { server.readyz().await["outbox"] == serde_json::json!({"pending": 0, "failed": 0}) }).await);
}

async fn sigkill_with_mail_queued_loses_and_duplicates_nothing(backend: Backend) {
    let db = TestDb::new(backend);
    let port = free_port();
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let env = [("STEWARD_MAIL__SMTP_URL", smtp_url.as_str())];
    let mut server = Server::spawn(&db, &env);
    let token = server.admin_token().await;
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(queue(&server, &token, "carol@example.org", &format!("Mail {n}")).await);
    }
    assert!(eventually(Duration::from_secs(10), || async { server.readyz().await["checks"]["mail"].as_str().unwrap().starts_with("down") }).await);
    assert_eq!(server.readyz().await["outbox"]["pending"], 5);
    server.signal("KILL");
    assert_eq!(server.wait(Duration::from_secs(5)), None, "killed: no exit code");

    let sink = SmtpSink::start(&[("SMTP_PEER_PORT", &port.to_string())]);
    let maildir = &sink.maildir;
    let restarted = Server::start(&db, &env);
    // A row the killed worker held mid-attempt waits for its 30 s lease to lapse.
    assert!(eventually(Duration::from_secs(45), || async { delivered(maildir).len() >= 5 }).await, "{}", restarted.logs());
    // Give a duplicate every chance to show up before counting.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for message in delivered(maildir) {
        *seen.entry(header(&message, "Message-ID").unwrap().to_owned()).or_default() += 1;
    }
    for id in &ids {
        assert_eq!(seen.get(id), Some(&1), "{id} arrived exactly once: {seen:?}");
    }
    assert_eq!(seen.len(), 5);
    assert_eq!(restarted.readyz().await["outbox"], serde_json::json!({"pending": 0, "failed": 0}));
}

/// The most deliveries the worker has in flight at once (steward-worker's `BATCH`).
const WORKER_CONCURRENCY: usize = 16;

async fn sigkill_mid_batch_resends_at_most_the_deliveries_in_flight(backend: Backend) {
    // The sink takes 0.2 s over each message, so a kill lands with deliveries in flight.
    let sink = SmtpSink::start(&[("SMTP_PEER_DELAY", "0.2")]);
    let maildir = &sink.maildir;
    let db = TestDb::new(backend);
    let env = [("STEWARD_MAIL__SMTP_URL", sink.url.as_str())];
    let mut server = Server::spawn(&db, &env);
    let token = server.admin_token().await;
    let mut ids = Vec::new();
    for n in 0..80 {
        ids.push(queue(&server, &token, "erin@example.org", &format!("Batch mail {n}")).await);
    }
    // Well past one batch: with whole-batch bookkeeping, these would all be sent again.
    assert!(eventually(Duration::from_secs(30), || async { delivered(maildir).len() >= 2 * WORKER_CONCURRENCY }).await, "{}", server.logs());
    server.signal("KILL");
    assert_eq!(server.wait(Duration::from_secs(5)), None, "killed: no exit code");
    let before_kill = delivered(maildir).len();
    assert!(before_kill < ids.len(), "the kill landed before the end: {before_kill} delivered");

    let restarted = Server::start(&db, &env);
    let arrived = || {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for message in delivered(maildir) {
            *seen.entry(header(&message, "Message-ID").unwrap().to_owned()).or_default() += 1;
        }
        seen
    };
    // The killed worker's rows wait for their 30 s lease to lapse.
    assert!(eventually(Duration::from_secs(60), || async { arrived().len() == ids.len() }).await, "{}", restarted.logs());
    assert!(eventually(Duration::from_secs(10), || async { restarted.readyz().await["outbox"] == serde_json::json!({"pending": 0, "failed": 0}) }).await);
    let seen = arrived();
    for id in &ids {
        assert!(seen.contains_key(id), "{id} arrived");
    }
    let duplicates: usize = seen.values().map(|copies| copies - 1).sum();
    assert!(
        duplicates <= WORKER_CONCURRENCY,
        "{duplicates} mails sent twice, more than the {WORKER_CONCURRENCY} a kill can catch in flight ({before_kill} had arrived before it)"
    );
}

async fn a_delivered_secret_is_erased_from_the_store(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let maildir = &sink.maildir;
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[("STEWARD_MAIL__SMTP_URL", &sink.url)]);
    let token = server.admin_token().await;
    let secret = "Initial-Password-Zq83Kd";
    let response = server
        .http
        .post(server.url("/steward/v1/mail"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"to": ["dave@example.org"], "subject": "Your account", "body": format!("Your password is {secret}."), "sensitive": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    assert!(eventually(Duration::from_secs(15), || async { delivered(maildir).len() == 1 }).await);
    assert!(delivered(maildir)[0].contains(secret), "the mail itself carried the secret");
    assert!(eventually(Duration::from_secs(5), || async { server.readyz().await["outbox"]["pending"] == 0 }).await);
    assert!(server.stop().await, "stopped cleanly, the store closed");
    let stored = match backend {
        Backend::Sqlite => db.sqlite_files().iter().flat_map(|path| std::fs::read(path).unwrap()).collect::<Vec<u8>>(),
        Backend::Postgres => psql_on(&db.url, "SELECT payload FROM outbox").into_bytes(),
    };
    assert!(!stored.is_empty());
    assert!(!String::from_utf8_lossy(&stored).contains(secret), "the delivered secret is gone from the store files");
}

on_both_backends!(
    smtp_auth_is_used_and_never_logged,
    a_wrong_smtp_password_fails_visibly,
    starttls_with_auth_verifies_the_certificate,
    starttls_refuses_an_unknown_certificate,
);

async fn smtp_auth_is_used_and_never_logged(backend: Backend) {
    let sink = SmtpSink::start(&[("SMTP_PEER_AUTH", "steward:smtp-secret")]);
    let maildir = &sink.maildir;
    let port = sink.peer.var("SMTP_PORT").to_owned();
    let db = TestDb::new(backend);
    let good = format!("smtp://steward:smtp-secret@127.0.0.1:{port}");
    // Spawned: what the binary logs is under test.
    let server = Server::spawn(&db, &[("STEWARD_MAIL__SMTP_URL", &good)]);
    let token = server.admin_token().await;
    let message_id = queue(&server, &token, "erin@example.org", "Authenticated").await;
    assert!(eventually(Duration::from_secs(15), || async { delivered(maildir).len() == 1 }).await, "{}", server.logs());
    assert_eq!(header(&delivered(maildir)[0], "Message-ID"), Some(message_id.as_str()));
    assert!(!server.logs().contains("smtp-secret"), "the SMTP password is never logged");
}

async fn a_wrong_smtp_password_fails_visibly(backend: Backend) {
    let sink = SmtpSink::start(&[("SMTP_PEER_AUTH", "steward:smtp-secret")]);
    let maildir = &sink.maildir;
    let port = sink.peer.var("SMTP_PORT").to_owned();
    let db = TestDb::new(backend);
    let bad = format!("smtp://steward:wrong@127.0.0.1:{port}");
    let server = Server::spawn(&db, &[("STEWARD_MAIL__SMTP_URL", &bad)]);
    let token = server.admin_token().await;
    queue(&server, &token, "erin@example.org", "Refused").await;
    // 535 is a permanent refusal: failed at once, kept for an operator.
    assert!(eventually(Duration::from_secs(15), || async { server.readyz().await["outbox"]["failed"] == 1 }).await, "{}", server.logs());
    assert_eq!(delivered(maildir).len(), 0);
    assert!(!server.logs().contains("wrong@"), "the SMTP URL is never logged");
}

async fn starttls_with_auth_verifies_the_certificate(backend: Backend) {
    let sink = SmtpSink::start(&[("SMTP_PEER_TLS", "1"), ("SMTP_PEER_REQUIRE_TLS", "1"), ("SMTP_PEER_AUTH", "steward:tls-secret")]);
    let maildir = &sink.maildir;
    let ca = sink.peer.var("SMTP_CA_CERT").to_owned();
    let url = format!("smtp://steward:tls-secret@127.0.0.1:{}?tls=required", sink.peer.var("SMTP_PORT"));
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[("STEWARD_MAIL__SMTP_URL", &url), ("SSL_CERT_FILE", &ca)]);
    let token = server.admin_token().await;
    let message_id = queue(&server, &token, "frank@example.org", "Over TLS").await;
    assert!(eventually(Duration::from_secs(15), || async { delivered(maildir).len() == 1 }).await, "{}", server.logs());
    assert_eq!(header(&delivered(maildir)[0], "Message-ID"), Some(message_id.as_str()));
}

/// Without the private CA the self-signed certificate is refused: nothing is sent.
async fn starttls_refuses_an_unknown_certificate(backend: Backend) {
    let sink = SmtpSink::start(&[("SMTP_PEER_TLS", "1"), ("SMTP_PEER_REQUIRE_TLS", "1"), ("SMTP_PEER_AUTH", "steward:tls-secret")]);
    let maildir = &sink.maildir;
    let url = format!("smtp://steward:tls-secret@127.0.0.1:{}?tls=required", sink.peer.var("SMTP_PORT"));
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[("STEWARD_MAIL__SMTP_URL", &url)]);
    let token = server.admin_token().await;
    queue(&server, &token, "frank@example.org", "Untrusted").await;
    assert!(eventually(Duration::from_secs(15), || async { server.readyz().await["checks"]["mail"].as_str().unwrap().starts_with("down: ") }).await);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(delivered(maildir).len(), 0);
    assert_eq!(server.readyz().await["outbox"]["pending"], 1, "kept for when the certificate is fixed");
}
