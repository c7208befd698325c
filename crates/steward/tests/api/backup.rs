//! `steward backup` while a server writes, and `steward restore` into an empty store.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(a_backup_taken_under_writes_restores_every_committed_row);

/// Queues mails one after another until `stop`, collecting the id of each the server
/// acknowledged (committed: the row and its audit entry in one transaction).
async fn write_until(server: &Server, token: &str, stop: &AtomicBool, acknowledged: &std::sync::Mutex<Vec<i64>>) {
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let response = server
            .http
            .post(server.url("/steward/v1/mail"))
            .bearer_auth(token)
            .json(&serde_json::json!({"to": ["backup@example.org"], "subject": format!("Row {n}"), "body": "x".repeat(2000)}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202);
        let id = response.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap();
        acknowledged.lock().unwrap().push(id);
    }
}

async fn a_backup_taken_under_writes_restores_every_committed_row(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[]);
    let token = server.admin_token().await;
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::new()));
    let file = db.dir.path().join("steward.backup");
    let backup = {
        let (db_url, file) = (db.url.clone(), file.clone());
        let acknowledged = acknowledged.clone();
        let stop = stop.clone();
        async move {
            // Some rows first, then the backup while the writer goes on, then more rows.
            while acknowledged.lock().unwrap().len() < 50 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let before = acknowledged.lock().unwrap().clone();
            let output = tokio::task::spawn_blocking(move || {
                std::process::Command::new(binary())
                    .args(["backup", file.to_str().unwrap()])
                    .env_clear()
                    .env("PATH", std::env::var("PATH").unwrap_or_default())
                    .env("STEWARD_DATABASE_URL", db_url)
                    .output()
                    .unwrap()
            })
            .await
            .unwrap();
            let during = acknowledged.lock().unwrap().len() - before.len();
            let target = acknowledged.lock().unwrap().len() + 20;
            while acknowledged.lock().unwrap().len() < target {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            stop.store(true, Ordering::Relaxed);
            (output, before, during)
        }
    };
    let ((output, before, during), ()) = tokio::join!(backup, write_until(&server, &token, &stop, &acknowledged));
    assert!(output.status.success(), "{}", stderr(&output));
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= before.len() + 20, "the writer went on after the backup ({during} rows during it)");
    assert!(cli(&db, &["backup", file.to_str().unwrap()], "").status.code() == Some(1), "an existing file is never overwritten");

    // Restored into an empty store: every row committed before the backup began, and
    // nothing torn (each mail with its audit entry; no row without the ones before it).
    let restored = TestDb::unmigrated(backend);
    let output = cli(&restored, &["restore", file.to_str().unwrap()], "");
    assert!(output.status.success(), "{}", stderr(&output));
    let ids: Vec<i64> = restored.query("SELECT id FROM outbox ORDER BY id").lines().map(|id| id.parse().unwrap()).collect();
    for id in &before {
        assert!(ids.contains(id), "row {id}, committed before the backup began, is restored");
    }
    let last = *ids.last().unwrap();
    let committed_up_to_last: Vec<i64> = acknowledged.iter().copied().filter(|id| *id <= last).collect();
    assert_eq!(ids, committed_up_to_last, "the copy is one moment: every committed row up to its newest");
    let audited: usize = restored.query("SELECT COUNT(*) FROM audit_log WHERE action = 'mail.send'").trim().parse().unwrap();
    assert_eq!(audited, ids.len(), "each restored mail has its audit entry");

    // The data key is not in the backup: the restore says which key the store needs, and
    // with that key in place the restored store serves.
    let key = recorded_data_key(&restored);
    assert!(stderr(&output).contains(&format!("sealed under data key {key}")), "{}", stderr(&output));
    std::fs::copy(db.data_key_file(), restored.data_key_file()).unwrap();
    // A restore never writes over a store with data.
    let again = Server::start(&restored, &[]);
    assert_eq!(again.get_json("/steward/v1/whoami", &again.admin_token().await).await.0, 200);
    let refused = cli(&restored, &["restore", file.to_str().unwrap()], "");
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("empty"), "{}", stderr(&refused));
    assert_eq!(stderr(&refused).trim_end().lines().filter(|line| line.starts_with("steward:")).count(), 1);
}
