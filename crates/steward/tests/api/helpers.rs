//! The test kit: fresh stores on both backends, the real binary started on a free port,
//! the CLI run against the same store, and peers started from tests/peers.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Runs an async test body once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            }
        )+
    };
}

/// Which store a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A brand-new, empty store, removed when dropped.
pub struct TestDb {
    pub url: String,
    pub dir: tempfile::TempDir,
    pg_name: Option<String>,
}

/// The PostgreSQL server tests create their databases on (scripts/test exports it after
/// starting tests/peers/postgres.sh when nothing listens on 5432).
pub fn pg_admin_url() -> String {
    std::env::var("STEWARD_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn pg_url_for(database: &str) -> String {
    let admin = pg_admin_url();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base).to_owned();
    format!("{base}/{database}")
}

pub fn psql(sql: &str) -> String {
    psql_on(&pg_admin_url(), sql)
}

pub fn psql_on(url: &str, sql: &str) -> String {
    let output = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql])
        .output()
        .expect("psql runs");
    assert!(output.status.success(), "psql {sql}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

impl TestDb {
    pub fn new(backend: Backend) -> Self {
        let dir = tempfile::tempdir().unwrap();
        match backend {
            Backend::Sqlite => {
                let url = format!("sqlite://{}/steward.db?mode=rwc", dir.path().display());
                Self { url, dir, pg_name: None }
            }
            Backend::Postgres => {
                let name = format!("steward_test_{}", uuid::Uuid::new_v4().simple());
                psql(&format!("CREATE DATABASE {name}"));
                Self { url: pg_url_for(&name), dir, pg_name: Some(name) }
            }
        }
    }

    /// The rows `sql` selects, one line each, columns `|`-separated: a look into the store
    /// from outside Steward (psql, or python's sqlite3).
    pub fn query(&self, sql: &str) -> String {
        match &self.pg_name {
            Some(_) => psql_on(&self.url, sql),
            None => {
                let file = self.dir.path().join("steward.db");
                let script = "import sqlite3, sys\nfor row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):\n    print('|'.join(str(value) for value in row))";
                let output = Command::new("python3").args(["-c", script, &file.display().to_string(), sql]).output().expect("python3 runs");
                assert!(output.status.success(), "sqlite {sql}: {}", String::from_utf8_lossy(&output.stderr));
                String::from_utf8_lossy(&output.stdout).into_owned()
            }
        }
    }

    /// The SQLite database file and its WAL, for the secrets-at-rest check.
    pub fn sqlite_files(&self) -> Vec<PathBuf> {
        ["steward.db", "steward.db-wal", "steward.db-shm"]
            .iter()
            .map(|name| self.dir.path().join(name))
            .filter(|path| path.exists())
            .collect()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            let _ = Command::new("psql")
                .args([pg_admin_url().as_str(), "-qAt", "-c", &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")])
                .output();
        }
    }
}

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_steward")
}

/// A `steward` command with a clean environment: only PATH, HOME and what the test sets.
pub fn steward(db: &TestDb) -> Command {
    let mut command = Command::new(binary());
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", std::env::var("HOME").unwrap_or_default())
        .env("STEWARD_DATABASE_URL", &db.url)
        .current_dir(db.dir.path());
    command
}

/// Runs the CLI with `args`, feeding `stdin`.
pub fn cli(db: &TestDb, args: &[&str], stdin: &str) -> Output {
    cli_with(db, args, stdin, &[])
}

pub fn cli_with(db: &TestDb, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut command = steward(db);
    command.args(args).envs(env.iter().copied()).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The password of the `admin` every server starts with.
pub const ADMIN_PASSWORD: &str = "admin-pw-for-tests";

/// A running `steward serve`.
pub struct Server {
    child: Child,
    pub base: String,
    logs: Arc<Mutex<Vec<String>>>,
    pub http: reqwest::Client,
}

impl Server {
    /// Starts a server on `db` with the bootstrap admin and `env` on top.
    pub fn start(db: &TestDb, env: &[(&str, &str)]) -> Self {
        let mut command = steward(db);
        command
            .arg("serve")
            .env("STEWARD_LISTEN", "127.0.0.1:0")
            .env("STEWARD_BOOTSTRAP_ADMIN", format!("admin:{ADMIN_PASSWORD}"))
            .env("STEWARD_LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            .env("STEWARD_WORKER__BACKOFF_SECONDS", "1")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let logs = Arc::new(Mutex::new(Vec::new()));
        let (address_tx, address_rx) = std::sync::mpsc::channel();
        let sink = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(value) = serde_json::from_str::<serde_json::Value>(&line)
                    && value["fields"]["message"] == "listening"
                    && let Some(address) = value["fields"]["address"].as_str()
                {
                    let _ = address_tx.send(address.to_owned());
                }
                sink.lock().unwrap().push(line);
            }
        });
        let address = match address_rx.recv_timeout(Duration::from_secs(60)) {
            Ok(address) => address,
            Err(_) => {
                let _ = child.kill();
                panic!("the server did not start:\n{}", logs.lock().unwrap().join("\n"));
            }
        };
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
        Self { child, base: format!("http://{address}"), logs, http }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn logs(&self) -> String {
        self.logs.lock().unwrap().join("\n")
    }

    /// A user token through the native login.
    pub async fn login(&self, login: &str, password: &str) -> String {
        let response = self
            .http
            .post(self.url("/steward/v1/tokens"))
            .json(&serde_json::json!({ "login": login, "password": password }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "login of {login}");
        let body: serde_json::Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    pub async fn admin_token(&self) -> String {
        self.login("admin", ADMIN_PASSWORD).await
    }

    pub async fn get_json(&self, path: &str, token: &str) -> (u16, serde_json::Value) {
        let response = self.http.get(self.url(path)).bearer_auth(token).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// The value of one series of `/metrics` (its name with labels, as exposed), 0 when it
    /// has not been exposed yet.
    pub async fn metric(&self, series: &str) -> f64 {
        let metrics = self.http.get(self.url("/metrics")).send().await.unwrap().text().await.unwrap();
        metrics
            .lines()
            .find_map(|line| line.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
            .map_or(0.0, |value| value.trim().parse().unwrap())
    }

    pub async fn readyz(&self) -> serde_json::Value {
        self.http.get(self.url("/readyz")).send().await.unwrap().json().await.unwrap()
    }

    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill").args([&format!("-{signal}"), &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit and returns its exit code.
    pub fn wait(&mut self, within: Duration) -> Option<i32> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Polls `check` every 100 ms until it is true or `within` passes.
pub async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/peers")
}

/// A peer started with tests/peers/NAME.sh, stopped when dropped.
pub struct Peer {
    script: PathBuf,
    pub vars: HashMap<String, String>,
    dir_var: String,
}

impl Peer {
    pub fn start(name: &str, env: &[(&str, &str)], state_dir: Option<&Path>) -> Self {
        let script = peers_dir().join(format!("{name}.sh"));
        let mut command = Command::new("bash");
        command.arg(&script).arg("start");
        if let Some(dir) = state_dir {
            command.arg(dir);
        }
        let output = command.envs(env.iter().copied()).output().unwrap();
        assert!(output.status.success(), "{name}.sh start: {}", String::from_utf8_lossy(&output.stderr));
        let mut vars = HashMap::new();
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            if let Some((key, value)) = line.strip_prefix("export ").and_then(|rest| rest.split_once('=')) {
                vars.insert(key.to_owned(), value.trim_matches('\'').to_owned());
            }
        }
        let dir_var = vars.keys().find(|key| key.ends_with("_PEER_DIR")).cloned().unwrap_or_default();
        Self { script, vars, dir_var }
    }

    pub fn var(&self, name: &str) -> &str {
        self.vars.get(name).map(String::as_str).unwrap_or_else(|| panic!("peer variable {name}"))
    }

    /// Runs one of the script's commands that take the state directory (`received`, …).
    pub fn run(&self, command: &str) -> String {
        let dir = self.vars.get(&self.dir_var).cloned().unwrap_or_default();
        let output = Command::new("bash").arg(&self.script).arg(command).arg(dir).output().unwrap();
        assert!(output.status.success(), "{command}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs one of the script's checks that read the exported variables (kamailio.sh's
    /// `register`, `refused`, `alias`); whether it passed.
    /// A check is tried up to three times: SIPp picks its local UDP ports as free just
    /// before binding them, and under a parallel test run another test can take one in
    /// between (seen once in CI). A check expected to fail must fail every time.
    pub fn check(&self, args: &[&str]) -> bool {
        (0..3).any(|_| {
            Command::new("bash").arg(&self.script).args(args).envs(&self.vars).stdout(Stdio::null()).stderr(Stdio::null()).status().unwrap().success()
        })
    }

    pub fn stop(&mut self) {
        if let Some(dir) = self.vars.remove(&self.dir_var) {
            let _ = Command::new("bash").arg(&self.script).arg("stop").arg(dir).output();
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A free TCP port on 127.0.0.1 (for a peer restarted on the same port).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A POST over a raw socket: the body is written from another thread while the response is
/// read, so an early answer (413 before the body is read) is seen instead of a reset.
pub fn raw_post(server: &Server, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String, String) {
    use std::io::Read;
    let address = server.base.trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut head = format!("POST {path} HTTP/1.1\r\nhost: {address}\r\ncontent-length: {}\r\nconnection: close\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut writer = stream.try_clone().unwrap();
    let body = body.to_vec();
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(head.as_bytes());
        let _ = writer.write_all(&body);
    });
    let mut response = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(read) => response.extend_from_slice(&chunk[..read]),
        }
        if let Some(end) = find(&response, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&response[..end]).to_lowercase();
            let length = head.lines().find_map(|line| line.strip_prefix("content-length: ")).and_then(|n| n.trim().parse::<usize>().ok());
            if length.is_some_and(|length| response.len() >= end + 4 + length) {
                break;
            }
        }
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let _ = sender.join();
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    (status, head.to_owned(), body.to_owned())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}
