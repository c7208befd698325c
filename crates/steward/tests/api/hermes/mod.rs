//! The Hermes face: conformance cases of hermes.md §8 against a real Kamailio driven by
//! SIPp (tests/peers/kamailio.sh), plus each node's invalid, failed and unauthenticated
//! cases.

mod aliases;
mod numbers;
mod phones;
mod sync;
mod users;

use crate::helpers::*;

/// A server whose Hermes writes into the Kamailio peer's database (SQLite, domain
/// example.org, seeded with alice/alicepw and the alias +33612345678 → alice).
pub struct Hermes {
    pub server: Server,
    pub db: TestDb,
    pub kamailio: Peer,
    /// Kamailio's PostgreSQL database, dropped with the fixture.
    kamailio_pg: Option<String>,
}

impl Drop for Hermes {
    /// The Kamailio peer stops when its field drops, in the background.
    fn drop(&mut self) {
        if let Some(name) = &self.kamailio_pg {
            let _ = std::process::Command::new("psql")
                .args([pg_admin_url().as_str(), "-qAt", "-c", &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")])
                .output();
        }
    }
}

impl Hermes {
    pub fn start(backend: Backend) -> Self {
        Self::start_with(backend, &[])
    }

    pub fn start_with(backend: Backend, env: &[(&str, &str)]) -> Self {
        let kamailio = Peer::start("kamailio", &[], None);
        let url = format!("sqlite://{}", kamailio.var("KAMAILIO_SQLITE"));
        Self::start_on(backend, kamailio, url, env)
    }

    /// The same with Kamailio's tables in a PostgreSQL database of the test server.
    pub fn start_on_postgres_kamailio(backend: Backend) -> Self {
        let admin = url::Url::parse(&pg_admin_url()).unwrap();
        let database = format!("kamailio_{}", uuid::Uuid::new_v4().simple());
        let env = [
            ("KAMAILIO_DB", "postgres".to_owned()),
            ("PGHOST", admin.host_str().unwrap_or("127.0.0.1").to_owned()),
            ("PGPORT", admin.port().unwrap_or(5432).to_string()),
            ("PGUSER", if admin.username().is_empty() { "postgres".to_owned() } else { admin.username().to_owned() }),
            ("KAMAILIO_PG_DB", database.clone()),
        ];
        let env: Vec<(&str, &str)> = env.iter().map(|(key, value)| (*key, value.as_str())).collect();
        let kamailio = Peer::start("kamailio", &env, None);
        let url = kamailio.var("KAMAILIO_PG_URL").to_owned();
        let mut hermes = Self::start_on(backend, kamailio, url, &[]);
        hermes.kamailio_pg = Some(database);
        hermes
    }

    fn start_on(backend: Backend, kamailio: Peer, url: String, env: &[(&str, &str)]) -> Self {
        let db = TestDb::new(backend);
        let mut all = vec![("STEWARD_FACES__HERMES__KAMAILIO_DATABASE_URL", url.as_str())];
        all.extend_from_slice(env);
        let server = Server::start(&db, &all);
        Self { server, db, kamailio, kamailio_pg: None }
    }

    /// `GET path` (with its query) from 127.0.0.1, without credentials: `(status, body)`.
    pub async fn get(&self, path_and_query: &str) -> (u16, serde_json::Value) {
        let response = self.server.http.get(self.server.url(path_and_query)).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    /// Rows of Kamailio's database (the peer's SQLite file).
    pub fn kamailio_rows(&self, sql: &str) -> String {
        let script = "import sqlite3, sys\nfor row in sqlite3.connect(sys.argv[1], isolation_level=None).execute(sys.argv[2]):\n    print('|'.join(str(value) for value in row))";
        let output = std::process::Command::new("python3").args(["-c", script, self.kamailio.var("KAMAILIO_SQLITE"), sql]).output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

/// A server with the Hermes face and no Kamailio, for nodes that never reach it (the
/// number pool, the caller checks made before anything is read): no peer to start.
pub struct Standalone {
    pub server: Server,
    /// Kept for as long as the server uses it.
    _db: TestDb,
}

impl Standalone {
    pub fn start_with(backend: Backend, env: &[(&str, &str)]) -> Self {
        let db = TestDb::new(backend);
        let server = Server::start(&db, env);
        Self { server, _db: db }
    }

    /// `GET path` (with its query) from 127.0.0.1, without credentials: `(status, body)`.
    pub async fn get(&self, path_and_query: &str) -> (u16, serde_json::Value) {
        let response = self.server.http.get(self.server.url(path_and_query)).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }
}

/// Whether an envelope says `ok`.
pub fn ok(body: &serde_json::Value) -> bool {
    body["response"] == "ok"
}

/// `(response, cause)` of an envelope.
pub fn verdict(body: &serde_json::Value) -> (String, String) {
    (body["response"].as_str().unwrap_or_default().to_owned(), body["cause"].as_str().unwrap_or_default().to_owned())
}

/// MD5 hex, as kamctl computes ha1.
pub fn md5_hex(text: &str) -> String {
    let output = std::process::Command::new("python3").args(["-c", "import hashlib, sys; print(hashlib.md5(sys.argv[1].encode()).hexdigest())", text]).output().unwrap();
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}
