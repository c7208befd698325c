//! Secrets at rest: passwords and tokens are stored hashed; what Steward must read back
//! (SIP passwords, task tokens, the report key, waiting sensitive mails) is sealed under the
//! data key, which is rotated by a command.

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(no_password_or_token_in_the_database, secrets_read_back_are_sealed_under_the_data_key);

/// Every byte of the store: the SQLite files, or each PostgreSQL table as text.
fn store_contents(db: &TestDb, backend: Backend) -> String {
    let contents: Vec<u8> = match backend {
        Backend::Sqlite => db.sqlite_files().iter().flat_map(|path| std::fs::read(path).unwrap()).collect(),
        Backend::Postgres => {
            let tables = psql_on(&db.url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
            let mut dump = String::new();
            for table in tables.lines() {
                dump.push_str(&psql_on(&db.url, &format!("SELECT t::text FROM {table} t")));
            }
            dump.into_bytes()
        }
    };
    assert!(!contents.is_empty());
    String::from_utf8_lossy(&contents).into_owned()
}

async fn no_password_or_token_in_the_database(backend: Backend) {
    let db = TestDb::new(backend);
    let password = "Unmistakable-Password-4821";
    let server = Server::start(&db, &[]);
    assert!(cli(&db, &["account", "create", "alice", "--password-stdin"], &format!("{password}\n")).status.success());
    let service_token = stdout(&cli(&db, &["service", "add", "pithos"], "")).trim().to_owned();
    let cli_token = stdout(&cli(&db, &["token", "issue", "alice"], "")).trim().to_owned();
    let login_token = server.login("alice", password).await;
    let admin_token = server.admin_token().await;
    assert!(server.stop().await, "stopped cleanly, the store closed");

    let text = store_contents(&db, backend);
    assert!(text.contains("argon2id"), "the copy holds the hash rows");
    for secret in [password, ADMIN_PASSWORD, &service_token, &cli_token, &login_token, &admin_token] {
        assert!(!text.contains(secret), "a secret is stored in clear");
    }
}

/// The env of a server with each kind of secret Steward must read back: Kannel with
/// delivery reports (their signing key), and no SMTP so sensitive mails wait in the outbox.
const WITH_REPORTS: [(&str, &str); 3] = [
    ("STEWARD_SMS__GATEWAY", "kannel"),
    ("STEWARD_SMS__KANNEL_URL", "http://127.0.0.1:9/cgi-bin/sendsms"),
    ("STEWARD_SMS__KANNEL_DLR_URL", "http://127.0.0.1:8080/steward/v1/sms/reports/kannel"),
];

const SIP_PASSWORD: &str = "Sip-Remote-Secret-5531";

/// What a server answers for the secrets it keeps: the SIP password and the task token.
async fn read_back(server: &Server) -> (String, String) {
    let user: serde_json::Value =
        server.http.get(server.url("/user/get?username=rem&domain=voip.example.com")).send().await.unwrap().json().await.unwrap();
    let admin = server.admin_token().await;
    let tokens: serde_json::Value =
        server.http.get(server.url("/v1/tokens")).header("X-Auth-Token", &admin).send().await.unwrap().json().await.unwrap();
    (user["user"]["password"].as_str().unwrap_or_default().to_owned(), tokens["tokens"][0]["token"].as_str().unwrap_or_default().to_owned())
}

async fn secrets_read_back_are_sealed_under_the_data_key(backend: Backend) {
    let db = TestDb::new(backend);
    let key_file = db.data_key_file();
    assert!(!key_file.exists());
    let server = Server::start(&db, &WITH_REPORTS);
    assert!(key_file.is_file(), "the first start made the data key");
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&key_file).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600, "only its owner reads the data key");
    let first_key = recorded_data_key(&db);
    assert_eq!(first_key.len(), 16, "the store records which key seals it");
    let created = cli(&db, &["account", "create", "nina", "--password-stdin", "--email", "nina@example.com"], "nina-password-1\n");
    assert!(created.status.success(), "{}", stderr(&created));
    // A SIP password (Hermes answers it, Kamailio needs it in clear).
    let (_, added) = {
        let response = server
            .http
            .get(server.url(&format!("/user/add_remote?username=rem&domain=voip.example.com&password={SIP_PASSWORD}&displayname=R&registrar=sip.example.com")))
            .send()
            .await
            .unwrap();
        (response.status(), response.json::<serde_json::Value>().await.unwrap())
    };
    assert_eq!(added["response"], "ok", "{added}");
    // A task token and the sensitive mail carrying its link, waiting for an SMTP server.
    let reset = server.http.post(server.url("/v1/openstack/users/password-reset")).json(&serde_json::json!({ "email": "nina@example.com" })).send().await.unwrap();
    assert_eq!(reset.status(), 202);
    let (password, token) = read_back(&server).await;
    assert_eq!(password, SIP_PASSWORD);
    assert_eq!(token.len(), 32, "the token is listed to admins");
    assert!(server.stop().await);

    // A copy of the store alone reveals none of them.
    let text = store_contents(&db, backend);
    for secret in [SIP_PASSWORD, &token] {
        assert!(!text.contains(secret), "a secret Steward reads back is stored in clear");
    }
    let sealed = format!("sealed:v1:{first_key}:");
    assert!(db.query("SELECT password FROM sip_users").trim().starts_with(&sealed));
    assert!(db.query("SELECT token FROM workflow_tokens").trim().starts_with(&sealed));
    assert!(db.query("SELECT value FROM settings WHERE key = 'sms.report_key'").trim().starts_with(&format!("\"{sealed}")), "the report key is sealed");
    let waiting = db.query("SELECT payload FROM outbox WHERE status = 'pending'");
    let mail: serde_json::Value = serde_json::from_str(waiting.lines().next().unwrap()).unwrap();
    assert_eq!(mail["sensitive"], true);
    assert!(mail["body"].as_str().unwrap().starts_with(&sealed), "{mail}");

    // Rotation: every secret resealed under a new key, the old one retired beside it.
    let rotated = cli(&db, &["data-key", "rotate", "--json"], "");
    assert!(rotated.status.success(), "{}", stderr(&rotated));
    let report: serde_json::Value = serde_json::from_str(stdout(&rotated).trim()).unwrap();
    assert_eq!(report["from"], first_key.as_str());
    assert_eq!(report["resealed"], 4, "a password, a token, a mail body and the report key: {report}");
    let second_key = recorded_data_key(&db);
    assert_eq!(report["to"], second_key.as_str());
    assert_ne!(second_key, first_key);
    let retired = db.dir.path().join(format!("steward.key.{first_key}.retired"));
    assert!(retired.is_file());
    assert!(!db.dir.path().join("steward.key.next").exists());
    assert!(db.query("SELECT password FROM sip_users").trim().starts_with(&format!("sealed:v1:{second_key}:")));
    let server = Server::start(&db, &WITH_REPORTS);
    assert_eq!(read_back(&server).await, (SIP_PASSWORD.to_owned(), token.clone()), "read back under the new key");
    assert!(server.stop().await);

    // The wrong key, or none, is refused at once, naming the key the store needs.
    let current = std::fs::read(&key_file).unwrap();
    std::fs::copy(&retired, &key_file).unwrap();
    let refused = cli(&db, &["account", "list"], "");
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains(&format!("sealed under data key {second_key}")), "{}", stderr(&refused));
    std::fs::remove_file(&key_file).unwrap();
    let refused = cli(&db, &["account", "list"], "");
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("does not exist"), "{}", stderr(&refused));
    assert!(!key_file.exists(), "no new key is made for a store sealed under another");
    std::fs::write(&key_file, &current).unwrap();

    // A store from before sealing: its clear values are sealed at the next start.
    db.query("UPDATE sip_users SET password = 'Clear-From-Before'");
    db.query("DELETE FROM settings WHERE key = 'security.data_key_id'");
    let listed = cli(&db, &["account", "list"], "");
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert!(db.query("SELECT password FROM sip_users").trim().starts_with(&format!("sealed:v1:{second_key}:")));
    let server = Server::start(&db, &WITH_REPORTS);
    assert_eq!(read_back(&server).await.0, "Clear-From-Before");
    assert!(server.stop().await);
}
