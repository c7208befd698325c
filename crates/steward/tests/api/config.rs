//! Configuration errors and `steward config check`.

use crate::helpers::*;

#[test]
fn unknown_keys_are_errors_naming_the_key() {
    let db = TestDb::new(Backend::Sqlite);
    let file = db.dir.path().join("steward.toml");
    std::fs::write(&file, "[mail]\nsmtp_url = \"smtp://127.0.0.1:2525\"\nsmpt_from = \"x\"\n").unwrap();
    let output = cli(&db, &["--config", file.to_str().unwrap(), "config", "check"], "");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("mail.smpt_from"), "{}", stderr(&output));
    assert_eq!(stderr(&output).trim_end().lines().count(), 1);

    let output = cli_with(&db, &["serve"], "", &[("STEWARD_FACES__JANUA__ENABLD", "false")]);
    assert_eq!(output.status.code(), Some(1), "serve refuses to start");
    assert!(stderr(&output).contains("STEWARD_FACES__JANUA__ENABLD"), "{}", stderr(&output));

    for (variable, value, says) in [
        ("STEWARD_WORKER__MAX_ATTEMPTS", "lots", "whole number"),
        ("STEWARD_FACES__HERMES__ENABLED", "yes", "true or false"),
        ("STEWARD_LISTEN", "nowhere", "listen"),
        ("STEWARD_DATABASE_URL", "mysql://x", "database_url"),
        ("STEWARD_SMS__GATEWAY", "pigeon", "sms.gateway"),
        ("STEWARD_FACES__JANUA__PREFIX", "janua/", "faces.janua.prefix"),
        ("STEWARD_SECURITY__TRUSTED_NETWORKS", "10.0.0.0/33", "trusted_networks"),
        ("STEWARD_MAIL__SMTP_URL", "gopher://x", "mail.smtp_url"),
        ("STEWARD_PUBLIC_URL", "steward.example.org", "public_url"),
        ("STEWARD_TIMEZONE", "Mars/Olympus_Mons", "timezone"),
        ("STEWARD_MAIL__FROM", "not an address", "mail.from"),
        ("STEWARD_WORKER__BACKOFF_SECONDS", "0", "worker.backoff_seconds"),
        ("STEWARD_SECURITY", "x", "section"),
    ] {
        let output = cli_with(&db, &["config", "check"], "", &[(variable, value)]);
        assert_eq!(output.status.code(), Some(1), "{variable}={value}");
        assert!(stderr(&output).contains(says), "{variable}={value}: {}", stderr(&output));
    }
}

#[test]
fn config_check_prints_the_effective_configuration_without_secrets() {
    let db = TestDb::new(Backend::Sqlite);
    let file = db.dir.path().join("steward.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:9999\"\n[sms]\nkannel_password = \"kannel-secret\"\nkannel_url = \"http://k:13013/cgi-bin/sendsms?user=u&password=url-secret\"\n").unwrap();
    let output = cli_with(
        &db,
        &["--config", file.to_str().unwrap(), "config", "check"],
        "",
        &[
            ("STEWARD_MAIL__SMTP_URL", "smtp://mailer:smtp-secret@127.0.0.1:587?tls=required"),
            ("STEWARD_DATABASE_URL", "postgres://steward:db-secret@127.0.0.1:5432/steward"),
            ("STEWARD_SMS__PREFIX_FILTER", "+33,+41"),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    for secret in ["kannel-secret", "url-secret", "smtp-secret", "db-secret"] {
        assert!(!text.contains(secret), "{secret} leaked:\n{text}");
    }
    let parsed: toml::Value = toml::from_str(&text).unwrap();
    assert_eq!(parsed["listen"].as_str(), Some("127.0.0.1:9999"), "file over defaults");
    assert_eq!(parsed["mail"]["smtp_url"].as_str(), Some("smtp://mailer:***@127.0.0.1:587?tls=required"), "environment over file");
    assert_eq!(parsed["database_url"].as_str(), Some("postgres://steward:***@127.0.0.1:5432/steward"));
    assert_eq!(parsed["sms"]["kannel_password"].as_str(), Some("***"));
    assert_eq!(parsed["sms"]["prefix_filter"].as_array().unwrap().len(), 2);
    assert_eq!(parsed["faces"]["hermes"]["max_range"].as_integer(), Some(10000));
    assert_eq!(parsed["worker"]["max_attempts"].as_integer(), Some(12));
    // `config check` connects to nothing: the PostgreSQL URL above points nowhere real.
}

#[tokio::test]
async fn without_bootstrap_serve_creates_admin_with_a_random_password_once() {
    let db = TestDb::new(Backend::Sqlite);
    let mut command = steward(&db);
    command.arg("serve").env("STEWARD_LISTEN", "127.0.0.1:0").env("RUST_LOG", "off").stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped());
    let mut child = command.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stderr));
    let line = lines.next().unwrap().unwrap();
    let password = line.strip_prefix("steward: created account admin with password ").unwrap_or_else(|| panic!("{line}")).to_owned();
    assert!(password.len() >= 16);
    let _ = child.kill();
    let _ = child.wait();
    // The password works, and a second start creates nothing.
    // Spawned: the binary's stderr is under test.
    let server = Server::spawn(&db, &[("STEWARD_BOOTSTRAP_ADMIN", "other:pw")]);
    server.login("admin", &password).await;
    assert!(!server.logs().contains("created account"));
    let refused = server.http.post(server.url("/steward/v1/tokens")).json(&serde_json::json!({"login": "other", "password": "pw"})).send().await.unwrap();
    assert_eq!(refused.status(), 401, "bootstrap is ignored once an account exists");
}

#[test]
fn secret_keys_are_read_from_files_never_from_both_forms() {
    let db = TestDb::new(Backend::Sqlite);
    let secret = db.dir.path().join("database_url");
    std::fs::write(&secret, format!("{}\n", db.url)).unwrap();
    let migrate = steward(&db)
        .env_remove("STEWARD_DATABASE_URL")
        .env("STEWARD_DATABASE_URL_FILE", &secret)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(migrate.status.success(), "{}", stderr(&migrate));
    let both = cli_with(&db, &["migrate"], "", &[("STEWARD_DATABASE_URL_FILE", secret.to_str().unwrap())]);
    assert_eq!(both.status.code(), Some(1));
    assert!(stderr(&both).contains("given both directly (STEWARD_DATABASE_URL) and from a file (STEWARD_DATABASE_URL_FILE)"), "{}", stderr(&both));
    assert_eq!(stderr(&both).trim_end().lines().count(), 1);
    let missing = cli_with(&db, &["config", "check"], "", &[("STEWARD_SMS__KANNEL_PASSWORD_FILE", "/nonexistent/kannel")]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("STEWARD_SMS__KANNEL_PASSWORD_FILE: cannot read /nonexistent/kannel"), "{}", stderr(&missing));
}

/// contrib/systemd/steward.service, with ExecStart pointing at the binary under test,
/// passes `systemd-analyze verify` without a word.
#[test]
fn the_systemd_unit_verifies() {
    let unit = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../contrib/systemd/steward.service");
    let text = std::fs::read_to_string(&unit).unwrap();
    assert!(text.contains("\nExecStart=/usr/local/bin/steward serve\n"), "the unit starts the installed binary");
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("steward.service");
    std::fs::write(&copy, text.replace("/usr/local/bin/steward", binary())).unwrap();
    // --man=no: the man page is installed by the operator (docs/deployment.md), not here.
    let output = std::process::Command::new("systemd-analyze").args(["verify", "--man=no"]).arg(&copy).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stderr(&output), "", "no warnings");
}
