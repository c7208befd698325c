//! Tenant databases for real: a clone killed with SIGKILL ends, after a restart, `ready`
//! with the whole template or `failed`, never a half copy reported ready; and PostgreSQL
//! templates (`datistemplate`) cloned with `CREATE DATABASE … TEMPLATE` and backed up with
//! `pg_dump -Fc`, on the test cluster.

use std::time::Duration;

use serde_json::{Value, json};

use super::{ADMIN, PASSWORD};
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(a_sigkill_mid_clone_ends_ready_or_failed_never_half);

/// Rooms in the big template: tens of megabytes, so a clone takes a while.
const ROOMS: i64 = 400_000;

async fn call(server: &Server, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = server.http.request(method, server.url(path)).basic_auth(ADMIN, Some(PASSWORD)).header("Accept", "application/json");
    if let Some(body) = body {
        request = request.header("Content-Type", "application/json").body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// Waits until the database `name` leaves `creating`; its status.
async fn settled(server: &Server, name: &str, within: Duration) -> String {
    let started = std::time::Instant::now();
    loop {
        let (_, body) = call(server, reqwest::Method::GET, &format!("/database/{name}"), None).await;
        let status = body["database"]["status"].as_str().unwrap_or_default().to_owned();
        if status != "creating" {
            return status;
        }
        assert!(started.elapsed() < within, "{name} is still creating:\n{}", server.logs());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn a_sigkill_mid_clone_ends_ready_or_failed_never_half(backend: Backend) {
    let db = TestDb::new(backend);
    let templates = db.dir.path().join("templates");
    let tenants = db.dir.path().join("tenants");
    std::fs::create_dir_all(&templates).unwrap();
    let connection = rusqlite::Connection::open(templates.join("big.sqlite")).unwrap();
    connection
        .execute_batch(&format!(
            "CREATE TABLE rooms (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROOMS})
             INSERT INTO rooms (name) SELECT printf('Room %d with a long enough name to weigh', i) FROM n;"
        ))
        .unwrap();
    drop(connection);
    let env = [
        ("STEWARD_FACES__DROFUS__TEMPLATE_DIR", templates.to_str().unwrap()),
        ("STEWARD_FACES__DROFUS__DATABASE_DIR", tenants.to_str().unwrap()),
    ];
    let mut server = Server::spawn(&db, &env);
    let created = cli(&db, &["account", "create", ADMIN, "--password-stdin", "--role", "drofus_admin"], &format!("{PASSWORD}\n"));
    assert!(created.status.success(), "{}", stderr(&created));
    let (status, owner) = call(&server, reqwest::Method::POST, "/owners", Some(json!({"owner": {"name": "Owner"}}))).await;
    assert_eq!(status, 201, "{owner}");
    let project = json!({"project": {"new_db": "1", "new_db_template": "big", "new_db_name": "killed", "project_type_id": 1,
        "name": "Killed", "owner_id": owner["owner"]["id"], "description": "d", "constructor": "c"}});
    let (status, body) = call(&server, reqwest::Method::POST, "/projects", Some(project)).await;
    assert_eq!(status, 201, "{body}");
    // The clone starts as the transaction commits: kill the process in the middle of it.
    server.kill();
    let restarted = Server::spawn(&db, &env);
    // The killed instance's lease (30 s) has to lapse before the job is taken again.
    let status = settled(&restarted, "killed", Duration::from_secs(90)).await;
    let tenant = tenants.join("killed.sqlite");
    match status.as_str() {
        "ready" => {
            let copy = rusqlite::Connection::open(&tenant).unwrap();
            let rooms: i64 = copy.query_row("SELECT count(*) FROM rooms", [], |row| row.get(0)).unwrap();
            assert_eq!(rooms, ROOMS, "a database reported ready holds the whole template");
            let check: String = copy.query_row("PRAGMA integrity_check", [], |row| row.get(0)).unwrap();
            assert_eq!(check, "ok");
        }
        "failed" => assert!(!tenant.exists(), "a failed clone leaves no tenant file"),
        other => panic!("unexpected status {other}"),
    }
}

/// PostgreSQL only: SQLite stores have no server to hold template databases.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_templates_are_cloned_with_create_database_and_dumped() {
    let db = TestDb::new(Backend::Postgres);
    let suffix = &uuid::Uuid::new_v4().simple().to_string()[..12];
    let template = format!("tpl_{suffix}");
    let tenant = format!("tenant_{suffix}");
    psql(&format!("CREATE DATABASE {template}"));
    psql_on(&pg_url_for(&template), "CREATE TABLE rooms (id serial PRIMARY KEY, name text NOT NULL); INSERT INTO rooms (name) VALUES ('Lobby'), ('Kitchen');");
    psql(&format!("ALTER DATABASE {template} IS_TEMPLATE true"));
    let cleanup = |template: &str, tenant: &str| {
        let _ = psql_on(&pg_admin_url(), &format!("ALTER DATABASE {template} IS_TEMPLATE false"));
        let _ = psql_on(&pg_admin_url(), &format!("DROP DATABASE IF EXISTS {template} WITH (FORCE)"));
        let _ = psql_on(&pg_admin_url(), &format!("DROP DATABASE IF EXISTS {tenant} WITH (FORCE)"));
    };
    let server = Server::start(&db, &[]);
    let created = cli(&db, &["account", "create", ADMIN, "--password-stdin", "--role", "drofus_admin"], &format!("{PASSWORD}\n"));
    assert!(created.status.success(), "{}", stderr(&created));
    let (_, databases) = call(&server, reqwest::Method::GET, "/database", None).await;
    assert!(databases.as_array().unwrap().iter().any(|database| database["database"]["name"] == template && database["database"]["template"] == true), "{databases}");
    let (_, owner) = call(&server, reqwest::Method::POST, "/owners", Some(json!({"owner": {"name": "Owner"}}))).await;
    let project = json!({"project": {"new_db": "1", "new_db_template": template, "new_db_name": tenant, "project_type_id": 1,
        "name": "On PostgreSQL", "owner_id": owner["owner"]["id"], "description": "d", "constructor": "c"}});
    let (status, body) = call(&server, reqwest::Method::POST, "/projects", Some(project)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(settled(&server, &tenant, Duration::from_secs(30)).await, "ready", "{}", server.logs());
    assert_eq!(psql_on(&pg_url_for(&tenant), "SELECT count(*) FROM rooms").trim(), "2");

    let response = server.http.get(server.url(&format!("/database/{tenant}/get_backup_now"))).basic_auth(ADMIN, Some(PASSWORD)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with(&format!("attachment; filename=\"{tenant}-")) && disposition.ends_with(".dump\""), "{disposition}");
    let dump = response.bytes().await.unwrap();
    assert!(dump.starts_with(b"PGDMP"), "pg_dump's custom format");
    // It restores: pg_restore reads its table of contents, the template's table among it.
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &dump).unwrap();
    let listed = std::process::Command::new("pg_restore").arg("--list").arg(file.path()).output().unwrap();
    assert!(listed.status.success(), "pg_restore --list: {}", String::from_utf8_lossy(&listed.stderr));
    assert!(String::from_utf8_lossy(&listed.stdout).contains("TABLE DATA public rooms"), "{}", String::from_utf8_lossy(&listed.stdout));

    // The project goes, then its database: dropped through the outbox.
    let project_id = body["project"]["id"].as_i64().unwrap();
    assert_eq!(call(&server, reqwest::Method::DELETE, &format!("/projects/{project_id}"), None).await.0, 204);
    assert_eq!(call(&server, reqwest::Method::DELETE, &format!("/database/{tenant}"), None).await.0, 204);
    let gone = eventually(Duration::from_secs(20), || async { psql(&format!("SELECT 1 FROM pg_database WHERE datname = '{tenant}'")).trim().is_empty() }).await;
    cleanup(&template, &tenant);
    assert!(gone, "the tenant database was dropped:\n{}", server.logs());
}
