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
}

impl Hermes {
    pub fn start(backend: Backend) -> Self {
        Self::start_with(backend, &[])
    }

    pub fn start_with(backend: Backend, env: &[(&str, &str)]) -> Self {
        let kamailio = Peer::start("kamailio", &[], None);
        let url = format!("sqlite://{}", kamailio.var("KAMAILIO_SQLITE"));
        let db = TestDb::new(backend);
        let mut all = vec![("STEWARD_FACES__HERMES__KAMAILIO_DATABASE_URL", url.as_str())];
        all.extend_from_slice(env);
        let server = Server::start(&db, &all);
        Self { server, db, kamailio }
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

/// `(response, cause)` of an envelope.
pub fn verdict(body: &serde_json::Value) -> (String, String) {
    (body["response"].as_str().unwrap_or_default().to_owned(), body["cause"].as_str().unwrap_or_default().to_owned())
}

/// MD5 hex, as kamctl computes ha1.
pub fn md5_hex(text: &str) -> String {
    let output = std::process::Command::new("python3").args(["-c", "import hashlib, sys; print(hashlib.md5(sys.argv[1].encode()).hexdigest())", text]).output().unwrap();
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}
