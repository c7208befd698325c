//! The test kit: fresh stores on both backends, a server on a free port (built in this
//! process, or the real binary where the process is under test), the CLI run against the
//! same store, and peers started from tests/peers.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use steward::Stopped;
use tokio_util::sync::CancellationToken;

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

pub fn pg_url_for(database: &str) -> String {
    let admin = pg_admin_url();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base).to_owned();
    format!("{base}/{database}")
}

/// The PostgreSQL database every test's database is copied from: Steward's schema,
/// migrated by this build's `steward migrate` once for every test process of the build (a
/// copy takes about 0.1 s, migrating 0.3 s). Named after the build, and after the time it
/// was made so that templates of builds an hour old are dropped.
fn pg_template() -> String {
    use std::hash::{Hash, Hasher};
    let build = std::fs::metadata(binary()).unwrap();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (build.len(), build.modified().unwrap()).hash(&mut hasher);
    let build = format!("steward_tpl_{:016x}_", hasher.finish());
    let admin = pg_admin_url();
    let existing = psql(&format!("SELECT datname FROM pg_database WHERE datname LIKE '{build}%' ORDER BY datname LIMIT 1"));
    if let Some(template) = existing.lines().next().filter(|name| !name.is_empty()) {
        return template.to_owned();
    }
    // Migrated under a temporary name, then renamed into place in one step, so a copy never
    // starts from a half-migrated template. Two test processes may both build one; both
    // names work.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let building = format!("steward_tplb_{}", uuid::Uuid::new_v4().simple());
    psql(&format!("CREATE DATABASE {building}"));
    let migrated = Command::new(binary())
        .arg("migrate")
        .env_clear()
        .env("STEWARD_DATABASE_URL", pg_url_for(&building))
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .unwrap();
    assert!(migrated.status.success(), "steward migrate: {}", String::from_utf8_lossy(&migrated.stderr));
    let template = format!("{build}{now}");
    // Another process of the same build may have renamed its own into this very name in the
    // same second: then that one is the template and ours goes.
    if let Err(error) = psql_when_unused(&format!("ALTER DATABASE {building} RENAME TO {template}")) {
        assert!(error.contains("already exists"), "rename {building}: {error}");
        let _ = psql_try(&admin, &format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"));
    }
    // Templates of other builds made more than an hour ago (a build running its tests now
    // is younger).
    for name in psql("SELECT datname FROM pg_database WHERE datname LIKE 'steward\\_tpl\\_%'").lines() {
        let made = name.rsplit('_').next().and_then(|made| made.parse::<u64>().ok());
        if !name.starts_with(&build) && made.is_some_and(|made| made + 3600 < now) {
            let _ = psql_try(&admin, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
    template
}

pub fn psql(sql: &str) -> String {
    psql_on(&pg_admin_url(), sql)
}

pub fn psql_on(url: &str, sql: &str) -> String {
    psql_try(url, sql).unwrap_or_else(|error| panic!("psql {sql}: {error}"))
}

/// Runs `sql`, which renames or copies a database: PostgreSQL refuses while a session is
/// on it, and the session that migrated the template may take a moment to go away, so
/// that refusal is retried for up to 2 s; any other error is the caller's to judge.
fn psql_when_unused(sql: &str) -> Result<(), String> {
    let admin = pg_admin_url();
    let mut attempts = 0;
    loop {
        match psql_try(&admin, sql) {
            Ok(_) => return Ok(()),
            Err(error) if attempts < 20 && error.contains("being accessed by other users") => {
                attempts += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(error) => return Err(error),
        }
    }
}

/// The rows `sql` selects, or psql's error message.
fn psql_try(url: &str, sql: &str) -> Result<String, String> {
    let output = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql])
        .output()
        .expect("psql runs");
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

impl TestDb {
    /// A brand-new store with Steward's schema: a new SQLite file, or a new PostgreSQL
    /// database copied from the migrated template (see [`pg_template`]).
    pub fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                // Only `serve` and `migrate` migrate: the other commands need a migrated store.
                let db = Self::unmigrated(backend);
                let migrated = Command::new(binary())
                    .arg("migrate")
                    .env_clear()
                    .env("STEWARD_DATABASE_URL", &db.url)
                    .env("RUST_LOG", "warn")
                    .output()
                    .unwrap();
                assert!(migrated.status.success(), "steward migrate: {}", String::from_utf8_lossy(&migrated.stderr));
                db
            }
            Backend::Postgres => {
                let dir = tempfile::tempdir().unwrap();
                let name = format!("steward_test_{}", uuid::Uuid::new_v4().simple());
                let template = pg_template();
                let sql = format!("CREATE DATABASE {name} TEMPLATE {template}");
                psql_when_unused(&sql).unwrap_or_else(|error| panic!("psql {sql}: {error}"));
                Self { url: pg_url_for(&name), dir, pg_name: Some(name) }
            }
        }
    }

    /// A brand-new, empty store: no schema yet, for what migrating itself does.
    pub fn unmigrated(backend: Backend) -> Self {
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
                // Committed, so a test may also write (move a clock stored in a row, say).
                let script = "import sqlite3, sys\ndb = sqlite3.connect(sys.argv[1])\nfor row in db.execute(sys.argv[2]).fetchall():\n    print('|'.join(str(value) for value in row))\ndb.commit()";
                let output = Command::new("python3").args(["-c", script, &file.display().to_string(), sql]).output().expect("python3 runs");
                assert!(output.status.success(), "sqlite {sql}: {}", String::from_utf8_lossy(&output.stderr));
                String::from_utf8_lossy(&output.stdout).into_owned()
            }
        }
    }

    /// The data key file every server and command on this store uses: `steward.key`
    /// beside it, the default path seen from the directory commands run in.
    pub fn data_key_file(&self) -> PathBuf {
        self.dir.path().join("steward.key")
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
    /// A PostgreSQL database is dropped in the background (about 0.2 s, checkpoint
    /// included): nothing after the test waits for it.
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            let _ = Command::new("psql")
                .args([pg_admin_url().as_str(), "-qAt", "-c", &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn();
        }
    }
}

/// The id of the data key the store's secrets are sealed under, as the store records it.
pub fn recorded_data_key(db: &TestDb) -> String {
    db.query("SELECT value FROM settings WHERE key = 'security.data_key_id'").trim().trim_matches('"').to_owned()
}

/// Opens a value the store sealed for `place` (docs/configuration.md, "Security notes"),
/// with the data key file, as an operator's script could: the format is documented.
pub fn unseal(db: &TestDb, place: &str, stored: &str) -> String {
    use base64::Engine;
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    let key = base64::engine::general_purpose::STANDARD.decode(std::fs::read_to_string(db.data_key_file()).unwrap().trim()).unwrap();
    let rest = stored.strip_prefix("sealed:v1:").unwrap_or_else(|| panic!("not sealed: {stored}"));
    let (_id, encoded) = rest.split_once(':').unwrap();
    let joined = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(encoded).unwrap();
    let (nonce, sealed) = joined.split_at(24);
    let cipher = chacha20poly1305::XChaCha20Poly1305::new_from_slice(&key).unwrap();
    let nonce = chacha20poly1305::XNonce::try_from(nonce).unwrap();
    let clear = cipher.decrypt(&nonce, Payload { msg: sealed, aad: place.as_bytes() }).expect("the data key opens it");
    String::from_utf8(clear).unwrap()
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

/// A running server: built in this test's process by default ([`Server::start`]), or the
/// real binary as a child process ([`Server::spawn`]) where the process is what is tested:
/// signals, exit codes, a crash, its log output.
pub struct Server {
    pub base: String,
    pub http: reqwest::Client,
    running: Running,
}

enum Running {
    /// `steward serve` as a child process; its stderr (JSON log lines) collected.
    Process { child: Child, logs: Arc<Mutex<Vec<String>>> },
    /// `steward::Application` on its own runtime and thread, so the test's blocking calls
    /// (the CLI, psql, peers) never starve it, as with a process.
    InProcess { shutdown: CancellationToken, thread: Option<std::thread::JoinHandle<Result<Stopped, String>>> },
}

/// The variables every test server starts with, then the `STEWARD_*` (and `SSL_CERT_FILE`)
/// variables the test adds; a later value of the same variable wins.
fn server_env(db: &TestDb, env: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut vars = BTreeMap::new();
    // Where the CLI, run in the store's directory, finds it too; in-process servers do not
    // run there.
    let data_key = db.data_key_file();
    for (key, value) in [
        ("STEWARD_DATABASE_URL", db.url.as_str()),
        ("STEWARD_SECURITY__DATA_KEY_FILE", &data_key.display().to_string()),
        ("STEWARD_LISTEN", "127.0.0.1:0"),
        ("STEWARD_BOOTSTRAP_ADMIN", &format!("admin:{ADMIN_PASSWORD}")),
        ("STEWARD_WORKER__BACKOFF_SECONDS", "1"),
    ] {
        vars.insert(key.to_owned(), value.to_owned());
    }
    for (key, value) in env {
        vars.insert((*key).to_owned(), (*value).to_owned());
    }
    vars
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap()
}

impl Server {
    /// Builds and runs a server in this process on `db`, with the bootstrap admin and `env`
    /// on top: the same keys a spawned server reads from its environment, handed to the
    /// settings loader without touching this process's environment.
    pub fn start(db: &TestDb, env: &[(&str, &str)]) -> Self {
        let vars = server_env(db, env);
        let settings = steward::Settings::load(None, vars.clone().into_iter()).unwrap_or_else(|error| panic!("settings: {error}"));
        let startup = steward::Startup::from_vars(vars).unwrap_or_else(|error| panic!("startup: {error:#}"));
        in_process_logs();
        let shutdown = CancellationToken::new();
        let stop = shutdown.clone();
        let (address_tx, address_rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            let stopped = runtime.block_on(async move {
                let application = match steward::Application::build(settings, startup).await {
                    Ok(application) => application,
                    Err(error) => {
                        let error = format!("{error:#}");
                        let _ = address_tx.send(Err(error.clone()));
                        return Err(error);
                    }
                };
                let _ = address_tx.send(Ok(application.address()));
                application.run_until_stopped(stop).await.map_err(|error| format!("{error:#}"))
            });
            runtime.shutdown_timeout(Duration::from_secs(5));
            stopped
        });
        let address = match address_rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Ok(address)) => address,
            Ok(Err(error)) => panic!("the server did not start: {error}"),
            Err(_) => panic!("the server did not start within 60 s"),
        };
        let running = Running::InProcess { shutdown, thread: Some(thread) };
        Self { base: format!("http://{address}"), http: client(), running }
    }

    /// Starts the real `steward serve` on `db` with the bootstrap admin and `env` on top.
    pub fn spawn(db: &TestDb, env: &[(&str, &str)]) -> Self {
        let mut command = steward(db);
        command
            .arg("serve")
            .envs(server_env(db, env))
            .env("STEWARD_LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
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
        Self { base: format!("http://{address}"), http: client(), running: Running::Process { child, logs } }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// What the server logged, for failure messages. A spawned server's own stderr; an
    /// in-process server's log lines are this test process's (see [`in_process_logs`]).
    pub fn logs(&self) -> String {
        match &self.running {
            Running::Process { logs, .. } => logs.lock().unwrap().join("\n"),
            Running::InProcess { .. } => String::from_utf8_lossy(&IN_PROCESS_LOGS.lock().unwrap()).into_owned(),
        }
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

    /// The newest audit entries (`limit` of them), read by the admin.
    pub async fn audit(&self, limit: u32) -> Vec<serde_json::Value> {
        let (status, entries) = self.get_json(&format!("/steward/v1/audit?limit={limit}"), &self.admin_token().await).await;
        assert_eq!(status, 200, "{entries}");
        entries.as_array().unwrap().clone()
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

    /// Sends `signal` to a spawned server.
    pub fn signal(&self, signal: &str) {
        let Running::Process { child, .. } = &self.running else {
            panic!("signals are for a spawned server: use Server::spawn");
        };
        let status = Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().unwrap();
        assert!(status.success());
    }

    /// Waits for a spawned server to exit and returns its exit code.
    pub fn wait(&mut self, within: Duration) -> Option<i32> {
        let Running::Process { child, .. } = &mut self.running else {
            panic!("exit codes are for a spawned server: use Server::spawn");
        };
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// Stops the server as an operator would (SIGTERM for a process, the shutdown token in
    /// process) and waits for it; whether it drained cleanly (a process: exit 0).
    pub async fn stop(mut self) -> bool {
        tokio::task::spawn_blocking(move || {
            if let Running::InProcess { shutdown, thread } = &mut self.running {
                shutdown.cancel();
                return thread.take().unwrap().join().unwrap() == Ok(Stopped::Drained);
            }
            self.signal("TERM");
            self.wait(Duration::from_secs(30)) == Some(0)
        })
        .await
        .unwrap()
    }

    pub fn kill(&mut self) {
        match &mut self.running {
            Running::Process { child, .. } => {
                let _ = child.kill();
                let _ = child.wait();
            }
            Running::InProcess { shutdown, thread } => {
                shutdown.cancel();
                // Bounded: a test that already failed must not hang here.
                if let Some(thread) = thread.take() {
                    let deadline = Instant::now() + Duration::from_secs(30);
                    while !thread.is_finished() && Instant::now() < deadline {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                }
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The log lines of every in-process server of this test process (nextest runs each test
/// in its own process, so they are this test's).
static IN_PROCESS_LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// Sends this process's `tracing` output to [`IN_PROCESS_LOGS`], once.
fn in_process_logs() {
    struct Sink;
    impl Write for Sink {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            IN_PROCESS_LOGS.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
        .with_ansi(false)
        .with_writer(|| Sink)
        .try_init();
}

/// The newest of `entries` (newest first, as `/steward/v1/audit` and `audit tail` after a
/// reverse give them) that records `action` on `target`; panics listing them all.
pub fn audit_entry<'a>(entries: &'a [serde_json::Value], action: &str, target: &str) -> &'a serde_json::Value {
    entries
        .iter()
        .find(|entry| entry["action"] == action && entry["target"] == target)
        .unwrap_or_else(|| panic!("no {action} of {target} audited among {entries:#?}"))
}

/// `(actor, face)` of an audit entry, to compare in one assert.
pub fn by_whom(entry: &serde_json::Value) -> (&str, &str) {
    (entry["actor"].as_str().unwrap_or_default(), entry["face"].as_str().unwrap_or_default())
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
    /// Stops the peer in the background: one can take a while to exit (Kamailio about
    /// 1.3 s after SIGTERM) and nothing after the test waits for it. A test that needs a
    /// peer down midway calls [`Peer::stop`].
    fn drop(&mut self) {
        if let Some(dir) = self.vars.remove(&self.dir_var) {
            let _ = Command::new("bash")
                .arg(&self.script)
                .arg("stop")
                .arg(dir)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn();
        }
    }
}

/// The SMTP sink of tests/peers/smtp.sh (stopped when dropped): what it was started with
/// in `env` (`SMTP_PEER_AUTH`, `SMTP_PEER_TLS`, `SMTP_PEER_PORT`…), its Maildir, and the
/// `smtp://127.0.0.1:PORT` URL that reaches it without credentials.
pub struct SmtpSink {
    pub peer: Peer,
    pub maildir: PathBuf,
    pub url: String,
}

impl SmtpSink {
    pub fn start(env: &[(&str, &str)]) -> Self {
        let peer = Peer::start("smtp", env, None);
        let maildir = PathBuf::from(peer.var("SMTP_MAILDIR"));
        let url = format!("smtp://127.0.0.1:{}", peer.var("SMTP_PORT"));
        Self { peer, maildir, url }
    }
}

/// Every message in a sink's Maildir, as text.
pub fn delivered(maildir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else { return Vec::new() };
    entries.filter_map(Result::ok).map(|entry| std::fs::read_to_string(entry.path()).unwrap()).collect()
}

/// The value of a message's header `name` (case-insensitive).
pub fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message.lines().take_while(|line| !line.is_empty()).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
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
