//! Secrets at rest: neither a password nor a token is stored in clear.

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(no_password_or_token_in_the_database);

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

    let contents: Vec<u8> = match backend {
        Backend::Sqlite => db.sqlite_files().iter().flat_map(|path| std::fs::read(path).unwrap()).collect(),
        Backend::Postgres => {
            let tables = psql_on(&db.url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
            let mut dump = String::new();
            for table in tables.lines() {
                dump.push_str(&psql_on(&db.url, &format!("SELECT t::text FROM {table} t")));
            }
            assert!(dump.contains("argon2id"), "the dump holds the hash rows");
            dump.into_bytes()
        }
    };
    assert!(!contents.is_empty());
    let text = String::from_utf8_lossy(&contents);
    for secret in [password, ADMIN_PASSWORD, &service_token, &cli_token, &login_token, &admin_token] {
        assert!(!text.contains(secret), "a secret is stored in clear");
    }
}
