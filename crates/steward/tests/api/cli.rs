//! The CLI of CONTRACT.md against a real store.

use std::time::Duration;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    account_create_makes_an_account_that_logs_in,
    a_duplicate_login_is_one_line_exit_1,
    bad_account_input_is_refused,
    a_crlf_line_ending_is_stripped,
    token_issue_prints_only_the_token,
    set_password_revokes_tokens,
    disable_and_enable,
    usage_errors_exit_2,
    projects_and_members_are_the_faces_rows,
    what_is_in_the_store_is_listed_as_json_lines,
    tokens_are_listed_and_revoked_by_id,
    an_account_is_deleted_everywhere,
    pending_migrations_are_refused_except_by_migrate,
);

/// `audit tail -n N`, newest first.
fn audit_tail(db: &TestDb, n: u32) -> Vec<serde_json::Value> {
    let output = cli(db, &["audit", "tail", "-n", &n.to_string()], "");
    assert!(output.status.success(), "{}", stderr(&output));
    let mut entries: Vec<serde_json::Value> = stdout(&output).lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    entries.reverse();
    entries
}

async fn account_create_makes_an_account_that_logs_in(backend: Backend) {
    let db = TestDb::new(backend);
    let created = cli(&db, &["account", "create", "alice", "--password-stdin", "--email", "alice@example.org", "--name", "Alice", "--phone", "+33612345678", "--role", "supervisor"], "alicepw\n");
    assert!(created.status.success(), "{}", stderr(&created));
    assert!(stdout(&created).contains("alice"), "{}", stdout(&created));
    let server = Server::start(&db, &[]);
    let (status, me) = server.get_json("/steward/v1/whoami", &server.login("alice", "alicepw").await).await;
    assert_eq!(status, 200);
    assert_eq!(me["login"], "alice");
    assert_eq!(me["email"], "alice@example.org");
    assert_eq!(me["name"], "Alice");
    assert_eq!(me["roles"], serde_json::json!(["supervisor"]));
    let audit = audit_tail(&db, 10);
    let entry = audit_entry(&audit, "account.create", "alice");
    assert_eq!(by_whom(entry), ("cli", "cli"));
    assert_eq!(entry["detail"]["roles"], serde_json::json!(["supervisor"]));
}

async fn a_duplicate_login_is_one_line_exit_1(backend: Backend) {
    let db = TestDb::new(backend);
    assert!(cli(&db, &["account", "create", "alice", "--password-stdin"], "alicepw\n").status.success());
    let duplicate = cli(&db, &["account", "create", "ALICE", "--password-stdin"], "other\n");
    assert_eq!(duplicate.status.code(), Some(1));
    let message = stderr(&duplicate);
    assert_eq!(message.trim_end().lines().count(), 1, "one line: {message}");
    assert!(message.contains("already exists"), "{message}");
    let creations = audit_tail(&db, 10).iter().filter(|entry| entry["action"] == "account.create").count();
    assert_eq!(creations, 1);
}

async fn bad_account_input_is_refused(backend: Backend) {
    let db = TestDb::new(backend);
    let empty = cli(&db, &["account", "create", "bob", "--password-stdin"], "\n");
    assert_eq!(empty.status.code(), Some(1), "an empty password is refused");
    assert!(stderr(&empty).contains("empty"), "{}", stderr(&empty));
    let bad_phone = cli(&db, &["account", "create", "bob", "--password-stdin", "--phone", "0612"], "pw\n");
    assert_eq!(bad_phone.status.code(), Some(1));
    assert!(stderr(&bad_phone).contains("E.164"), "{}", stderr(&bad_phone));
    assert!(audit_tail(&db, 10).is_empty(), "nothing created");
}

async fn a_crlf_line_ending_is_stripped(backend: Backend) {
    let db = TestDb::new(backend);
    // A CRLF line ending is stripped: the password is exactly "carolpw".
    let crlf = cli(&db, &["account", "create", "carol", "--password-stdin"], "carolpw\r\n");
    assert!(crlf.status.success(), "{}", stderr(&crlf));
    let server = Server::start(&db, &[]);
    server.login("carol", "carolpw").await;
}

async fn token_issue_prints_only_the_token(backend: Backend) {
    let db = TestDb::new(backend);
    assert!(cli(&db, &["account", "create", "alice", "--password-stdin"], "alicepw\n").status.success());
    let issued = cli(&db, &["token", "issue", "alice", "--ttl", "1h 30m"], "");
    assert!(issued.status.success(), "{}", stderr(&issued));
    let text = stdout(&issued);
    assert_eq!(text.lines().count(), 1);
    let token = text.trim();
    assert!(token.len() >= 22, "at least 128 bits: {token}");
    let server = Server::start(&db, &[]);
    let (status, me) = server.get_json("/steward/v1/whoami", token).await;
    assert_eq!(status, 200);
    assert_eq!(me["login"], "alice");

    let unknown = cli(&db, &["token", "issue", "nobody"], "");
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("nobody"));
}

async fn set_password_revokes_tokens(backend: Backend) {
    let db = TestDb::new(backend);
    assert!(cli(&db, &["account", "create", "alice", "--password-stdin"], "old-pw\n").status.success());
    let server = Server::start(&db, &[]);
    let token = server.login("alice", "old-pw").await;
    assert_eq!(server.get_json("/steward/v1/whoami", &token).await.0, 200);

    let changed = cli(&db, &["account", "set-password", "alice", "--password-stdin"], "new-pw\n");
    assert!(changed.status.success(), "{}", stderr(&changed));
    // The CLI wrote to the store; the server sees it within 2 s.
    assert!(eventually(std::time::Duration::from_millis(2500), || async { server.get_json("/steward/v1/whoami", &token).await.0 == 401 }).await);
    server.login("alice", "new-pw").await;
    let old = server.http.post(server.url("/steward/v1/tokens")).json(&serde_json::json!({"login": "alice", "password": "old-pw"})).send().await.unwrap();
    assert_eq!(old.status(), 401);

    let missing = cli(&db, &["account", "set-password", "nobody", "--password-stdin"], "pw\n");
    assert_eq!(missing.status.code(), Some(1));
}

async fn disable_and_enable(backend: Backend) {
    let db = TestDb::new(backend);
    assert!(cli(&db, &["account", "create", "alice", "--password-stdin"], "alicepw\n").status.success());
    let server = Server::start(&db, &[]);
    let token = server.login("alice", "alicepw").await;
    assert!(cli(&db, &["account", "disable", "alice"], "").status.success());
    assert!(eventually(std::time::Duration::from_millis(2500), || async { server.get_json("/steward/v1/whoami", &token).await.0 == 401 }).await);
    let login = server.http.post(server.url("/steward/v1/tokens")).json(&serde_json::json!({"login": "alice", "password": "alicepw"})).send().await.unwrap();
    assert_eq!(login.status(), 401, "a disabled account cannot log in");
    let basic = server.http.get(server.url("/steward/v1/whoami")).basic_auth("alice", Some("alicepw")).send().await.unwrap();
    assert_eq!(basic.status(), 401);

    assert!(cli(&db, &["account", "enable", "alice"], "").status.success());
    assert!(eventually(std::time::Duration::from_millis(2500), || async { server.get_json("/steward/v1/whoami", &token).await.0 == 200 }).await, "the unexpired token works again");
}

async fn usage_errors_exit_2(backend: Backend) {
    let db = TestDb::new(backend);
    assert_eq!(cli(&db, &["token", "issue", "alice", "--ttl", "soon"], "").status.code(), Some(2));
    assert_eq!(cli(&db, &["account", "create", "alice", "--password-stdin", "--bogus"], "").status.code(), Some(2));
    assert_eq!(cli(&db, &["frobnicate"], "").status.code(), Some(2));
    let version = cli(&db, &["--version"], "");
    assert!(version.status.success());
    assert!(stdout(&version).starts_with("steward "), "{}", stdout(&version));
}

#[tokio::test]
async fn service_tokens_are_added_and_renewed() {
    let db = TestDb::new(Backend::Sqlite);
    let service = cli(&db, &["service", "add", "cyclades", "--url", "https://cyclades.example.org"], "");
    assert!(service.status.success(), "{}", stderr(&service));
    let service_token = stdout(&service).trim().to_owned();
    assert_eq!(cli(&db, &["service", "add", "cyclades"], "").status.code(), Some(1));
    let renewed = cli(&db, &["service", "renew-token", "cyclades", "--ttl", "30d"], "");
    assert!(renewed.status.success());
    let new_token = stdout(&renewed).trim().to_owned();
    assert_ne!(new_token, service_token);

    let server = Server::start(&db, &[]);
    let (status, me) = server.get_json("/steward/v1/whoami", &new_token).await;
    assert_eq!(status, 200);
    assert_eq!(me, serde_json::json!({"kind": "service", "name": "cyclades"}));
    assert_eq!(server.get_json("/steward/v1/whoami", &service_token).await.0, 401, "the replaced token is refused");

    let audit = audit_tail(&db, 10);
    for action in ["service.add", "service.renew_token"] {
        assert_eq!(by_whom(audit_entry(&audit, action, "cyclades")), ("cli", "cli"));
    }
    assert_eq!(audit_entry(&audit, "service.add", "cyclades")["detail"]["url"], "https://cyclades.example.org");
    let text = stdout(&cli(&db, &["audit", "tail", "-n", "10"], ""));
    assert!(!text.contains(&new_token) && !text.contains(&service_token), "no token in the audit log");
}

#[tokio::test]
async fn resources_quotas_and_usage_are_set() {
    let db = TestDb::new(Backend::Sqlite);
    assert!(cli(&db, &["account", "create", "alice", "--password-stdin"], "alicepw\n").status.success());
    assert!(cli(&db, &["resource", "add", "pithos.objects", "--unit", "", "--limit", "100", "--desc", "Objects"], "").status.success());
    assert_eq!(cli(&db, &["resource", "add", "cyclades.vm"], "").status.code(), Some(1), "the default catalogue exists from the start");
    assert_eq!(cli(&db, &["resource", "add", "novice"], "").status.code(), Some(1), "SERVICE.NAME is required");
    assert!(cli(&db, &["quota", "set", "alice", "cyclades.vm", "5"], "").status.success());
    assert!(cli(&db, &["usage", "set", "alice", "cyclades.vm", "3"], "").status.success());
    assert!(cli(&db, &["quota", "set", "alice", "janua.sms", "200"], "").status.success());
    assert_eq!(cli(&db, &["quota", "set", "alice", "janua.sms", "100000000"], "").status.code(), Some(1), "Janua's quota has ten characters");
    assert_eq!(cli(&db, &["quota", "set", "alice", "nope.nothing", "5"], "").status.code(), Some(1));
    assert_eq!(cli(&db, &["quota", "set", "nobody", "cyclades.vm", "5"], "").status.code(), Some(1));
    assert_eq!(cli(&db, &["usage", "set", "alice", "cyclades.vm", "-1"], "").status.code(), Some(2), "negative numbers are not a usage");

    let audit = audit_tail(&db, 20);
    let resource = audit_entry(&audit, "resource.add", "pithos.objects");
    assert_eq!((by_whom(resource), resource["detail"]["limit"].clone()), (("cli", "cli"), serde_json::json!(100)));
    let usage = audit_entry(&audit, "usage.set", "alice");
    assert_eq!((usage["detail"]["resource"].as_str(), usage["detail"]["value"].as_i64()), (Some("cyclades.vm"), Some(3)));
    let quotas: Vec<(&str, i64)> = audit
        .iter()
        .filter(|entry| entry["action"] == "quota.set" && entry["target"] == "alice")
        .map(|entry| (entry["detail"]["resource"].as_str().unwrap(), entry["detail"]["value"].as_i64().unwrap()))
        .collect();
    assert_eq!(quotas, [("janua.sms", 200), ("cyclades.vm", 5)], "newest first; the refused ones are not there");
}

#[tokio::test]
async fn terms_are_published_and_accepted() {
    let db = TestDb::new(Backend::Sqlite);
    assert!(cli(&db, &["account", "create", "alice", "--password-stdin"], "alicepw\n").status.success());
    let terms = db.dir.path().join("terms.html");
    std::fs::write(&terms, "<p>Be nice.</p>").unwrap();
    assert!(cli(&db, &["terms", "publish", terms.to_str().unwrap()], "").status.success());
    assert!(cli(&db, &["account", "accept-terms", "alice"], "").status.success());
    let empty = db.dir.path().join("empty.html");
    std::fs::write(&empty, " \n").unwrap();
    assert_eq!(cli(&db, &["terms", "publish", empty.to_str().unwrap()], "").status.code(), Some(1), "empty terms are refused");
    let audit = audit_tail(&db, 10);
    let published = audit_entry(&audit, "terms.publish", "terms");
    assert_eq!((by_whom(published), published["detail"]["bytes"].clone()), (("cli", "cli"), serde_json::json!(15)));
    assert_eq!(by_whom(audit_entry(&audit, "account.accept_terms", "alice")), ("cli", "cli"));
}

#[tokio::test]
async fn outbox_commands_on_an_empty_queue() {
    let db = TestDb::new(Backend::Sqlite);
    let listed = cli(&db, &["outbox", "list", "--failed"], "");
    assert!(listed.status.success());
    assert_eq!(stdout(&listed), "");
    assert_eq!(cli(&db, &["outbox", "retry", "999"], "").status.code(), Some(1));
    let retried = cli(&db, &["outbox", "retry", "--all-failed"], "");
    assert!(retried.status.success(), "{}", stderr(&retried));
    assert!(stdout(&retried).starts_with("0 "), "{}", stdout(&retried));
    let audit = audit_tail(&db, 5);
    let entry = audit_entry(&audit, "outbox.retry_all", "failed");
    assert_eq!((by_whom(entry), entry["detail"]["count"].clone()), (("cli", "cli"), serde_json::json!(0)));
}

/// `project add/list` and `member set/remove` write the rows dRofus serves and a login on a
/// project uses.
async fn projects_and_members_are_the_faces_rows(backend: Backend) {
    let db = TestDb::new(backend);
    let created = cli(&db, &["account", "create", "alice", "--password-stdin", "--role", "drofus_admin"], "alice-password\n");
    assert!(created.status.success(), "{}", stderr(&created));
    let added = cli(&db, &["project", "add", "Apollo", "--owner", "ACME"], "");
    assert!(added.status.success(), "{}", stderr(&added));
    assert!(cli(&db, &["project", "add", "Gemini", "--owner", "acme"], "").status.success(), "the owner is found whatever its case");
    let listed = cli(&db, &["project", "list"], "");
    let projects: Vec<serde_json::Value> = stdout(&listed).lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(projects.len(), 2, "{}", stdout(&listed));
    assert_eq!((projects[0]["name"].as_str(), projects[0]["owner"].as_str(), projects[0]["active"].as_bool()), (Some("Apollo"), Some("ACME"), Some(true)));
    assert_eq!(projects[1]["owner"], "ACME");
    let apollo = projects[0]["id"].as_i64().unwrap();

    let set = cli(&db, &["member", "set", "alice", "Apollo", "--role", "project_admin", "--role", "member"], "");
    assert!(set.status.success(), "{}", stderr(&set));
    assert!(stdout(&set).contains("member, project_admin"), "{}", stdout(&set));
    for (args, why) in [
        (vec!["member", "set", "alice", "Apollo", "--role", "emperor"], "an unknown project role"),
        (vec!["member", "set", "alice", "Nope", "--role", "member"], "an unknown project"),
        (vec!["member", "set", "nobody", "Apollo", "--role", "member"], "an unknown account"),
    ] {
        let refused = cli(&db, &args, "");
        assert_eq!(refused.status.code(), Some(1), "{why}: {}", stdout(&refused));
        assert_eq!(stderr(&refused).trim().lines().count(), 1, "{why}: {}", stderr(&refused));
    }
    // The same rows on the dRofus face, and a login that carries the project.
    let server = Server::start(&db, &[]);
    let response = server.http.get(server.url(&format!("/project_users/alice,{apollo}.json"))).basic_auth("alice", Some("alice-password")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let response = server.http.post(server.url("/steward/v1/tokens")).json(&serde_json::json!({"login": "alice", "password": "alice-password"})).send().await.unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["project"].as_i64(), Some(apollo), "the only project is the token's");

    let removed = cli(&db, &["member", "remove", "alice", &apollo.to_string()], "");
    assert!(removed.status.success(), "{}", stderr(&removed));
    assert_eq!(cli(&db, &["member", "remove", "alice", "Apollo"], "").status.code(), Some(1), "not a member any more");
    let audit = audit_tail(&db, 20);
    assert_eq!(by_whom(audit_entry(&audit, "member.set", &format!("alice,{apollo}"))), ("cli", "cli"));
}

/// Every line of a command's stdout, as JSON (stdout is a pipe here: JSON lines).
fn json_lines(db: &TestDb, args: &[&str]) -> Vec<serde_json::Value> {
    let output = cli(db, args, "");
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    stdout(&output).lines().map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("{args:?}: {line}"))).collect()
}

fn is_rfc3339(value: &serde_json::Value) -> bool {
    value.as_str().is_some_and(|text| time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).is_ok())
}

async fn what_is_in_the_store_is_listed_as_json_lines(backend: Backend) {
    let db = TestDb::new(backend);
    assert!(cli(&db, &["account", "create", "alice", "--password-stdin", "--email", "alice@example.org", "--role", "supervisor"], "pw\n").status.success());
    let accounts = json_lines(&db, &["account", "list"]);
    assert_eq!(accounts.len(), 1);
    assert_eq!((accounts[0]["login"].as_str(), accounts[0]["roles"].clone()), (Some("alice"), serde_json::json!(["supervisor"])));
    assert!(is_rfc3339(&accounts[0]["created_at"]), "{}", accounts[0]);
    assert_eq!(json_lines(&db, &["account", "show", "ALICE", "--json"]), accounts, "--json, and logins are case-insensitive");
    let missing = cli(&db, &["account", "show", "nobody"], "");
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("nobody"), "{}", stderr(&missing));

    assert!(cli(&db, &["service", "add", "cyclades", "--url", "https://cyclades.example.org"], "").status.success());
    let services = json_lines(&db, &["service", "list"]);
    assert_eq!((services[0]["name"].as_str(), services[0]["token_expires_at"].is_null()), (Some("cyclades"), true));
    assert!(is_rfc3339(&services[0]["token_created_at"]));
    assert!(!stdout(&cli(&db, &["service", "list"], "")).contains("token\":\""), "no token is listed");

    let resources = json_lines(&db, &["resource", "list"]);
    assert!(resources.iter().any(|resource| resource["name"] == "janua.sms"), "{resources:?}");
    assert!(cli(&db, &["quota", "set", "alice", "cyclades.vm", "3"], "").status.success());
    let quota = json_lines(&db, &["quota", "show", "alice"]);
    let vm = quota.iter().find(|row| row["resource"] == "cyclades.vm").unwrap();
    assert_eq!((vm["limit"].as_i64(), vm["used"].as_i64()), (Some(3), Some(0)));
    assert_eq!(cli(&db, &["quota", "show", "nobody"], "").status.code(), Some(1));

    assert!(cli(&db, &["project", "add", "apollo"], "").status.success());
    assert!(cli(&db, &["member", "set", "alice", "apollo", "--role", "project_admin"], "").status.success());
    let members = json_lines(&db, &["member", "list", "apollo"]);
    assert_eq!((members[0]["login"].as_str(), members[0]["roles"].clone()), (Some("alice"), serde_json::json!(["project_admin"])));
    assert!(is_rfc3339(&members[0]["created_at"]));
    let unknown = cli(&db, &["member", "list", "gemini"], "");
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("no project has the id or name `gemini`"), "{}", stderr(&unknown));

    // On a terminal the same lists are tables, with the same RFC 3339 times.
    let table = on_a_terminal(&db, &["account", "list"]);
    assert!(table.contains("LOGIN") && table.contains("alice") && table.contains(accounts[0]["created_at"].as_str().unwrap()), "{table}");
    assert!(on_a_terminal(&db, &["account", "list", "--json"]).trim_start().starts_with('{'), "--json wins on a terminal too");
}

/// What `args` print when stdout is a terminal (util-linux `script` gives them one).
fn on_a_terminal(db: &TestDb, args: &[&str]) -> String {
    let command = std::iter::once(binary()).chain(args.iter().copied()).collect::<Vec<_>>().join(" ");
    let output = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("STEWARD_DATABASE_URL", &db.url)
        .env("RUST_LOG", "off")
        .current_dir(db.dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stdout(&output));
    stdout(&output).replace("\r\n", "\n")
}

async fn tokens_are_listed_and_revoked_by_id(backend: Backend) {
    let db = TestDb::new(backend);
    assert!(cli(&db, &["account", "create", "bob", "--password-stdin"], "pw\n").status.success());
    let first = stdout(&cli(&db, &["token", "issue", "bob"], "")).trim().to_owned();
    let second = stdout(&cli(&db, &["token", "issue", "bob"], "")).trim().to_owned();
    let listed = cli(&db, &["token", "list", "bob"], "");
    assert!(!stdout(&listed).contains(&first) && !stdout(&listed).contains(&second), "never a secret");
    let tokens = json_lines(&db, &["token", "list", "bob"]);
    assert_eq!(tokens.len(), 2);
    assert!(tokens.iter().all(|token| is_rfc3339(&token["created_at"]) && is_rfc3339(&token["expires_at"]) && token["revoked_at"].is_null()));
    let newest = tokens[0]["id"].as_i64().unwrap();
    assert!(newest > tokens[1]["id"].as_i64().unwrap(), "newest first");

    let server = Server::start(&db, &[]);
    assert_eq!(server.get_json("/steward/v1/whoami", &second).await.0, 200);
    assert!(cli(&db, &["token", "revoke", &newest.to_string()], "").status.success());
    // The server's cache lets a token live 1.5 s at most after a revocation elsewhere.
    assert!(eventually(Duration::from_secs(3), || async { server.get_json("/steward/v1/whoami", &second).await.0 == 401 }).await);
    assert_eq!(server.get_json("/steward/v1/whoami", &first).await.0, 200, "only that token");
    let again = cli(&db, &["token", "revoke", &newest.to_string()], "");
    assert_eq!(again.status.code(), Some(1), "already revoked");
    assert!(is_rfc3339(&json_lines(&db, &["token", "list", "bob"])[0]["revoked_at"]));
    assert!(stdout(&cli(&db, &["token", "revoke", "--all", "bob"], "")).contains("revoked 1 token"));
    assert!(eventually(Duration::from_secs(3), || async { server.get_json("/steward/v1/whoami", &first).await.0 == 401 }).await);
    assert_eq!(cli(&db, &["token", "revoke"], "").status.code(), Some(2), "an id or --all");
    assert_eq!(cli(&db, &["token", "list", "nobody"], "").status.code(), Some(1));
    let audit = audit_tail(&db, 5);
    assert_eq!(audit_entry(&audit, "token.revoke", "bob")["detail"]["token"], newest);
    assert_eq!(audit_entry(&audit, "token.revoke_all", "bob")["detail"]["tokens_revoked"], 1);
}

async fn an_account_is_deleted_everywhere(backend: Backend) {
    let db = TestDb::new(backend);
    assert!(cli(&db, &["account", "create", "carol", "--password-stdin"], "carolpw\n").status.success());
    let server = Server::start(&db, &[]);
    let token = server.login("carol", "carolpw").await;
    let deleted = cli(&db, &["account", "delete", "carol"], "");
    assert!(deleted.status.success(), "{}", stderr(&deleted));
    assert!(eventually(Duration::from_secs(3), || async { server.get_json("/steward/v1/whoami", &token).await.0 == 401 }).await);
    assert_eq!(cli(&db, &["account", "show", "carol"], "").status.code(), Some(1));
    assert_eq!(cli(&db, &["account", "delete", "carol"], "").status.code(), Some(1), "gone already");
    assert_eq!(by_whom(audit_entry(&audit_tail(&db, 5), "person.delete", "carol")), ("cli", "cli"));
}

async fn pending_migrations_are_refused_except_by_migrate(backend: Backend) {
    let db = TestDb::unmigrated(backend);
    let refused = cli(&db, &["account", "list"], "");
    assert_eq!(refused.status.code(), Some(1));
    let message = stderr(&refused);
    assert_eq!(message.trim_end().lines().count(), 1, "one line: {message}");
    assert!(message.contains("pending migration") && message.contains("steward migrate"), "{message}");
    let pending = json_lines(&db, &["migrate", "--status"]);
    assert!(pending.len() >= 10, "{pending:?}");
    assert_eq!((pending[0]["migration"].as_str(), pending[0]["applied"].as_bool()), (Some("m0001_foundation"), Some(false)));
    assert!(cli(&db, &["account", "list"], "").status.code() == Some(1), "--status applied nothing");
    assert!(cli(&db, &["migrate"], "").status.success());
    assert!(json_lines(&db, &["migrate", "--status"]).is_empty());
    assert!(cli(&db, &["account", "list"], "").status.success());
}

#[test]
fn completions_and_a_man_page() {
    let db = TestDb::unmigrated(Backend::Sqlite);
    for (shell, marker) in [("bash", "_steward()"), ("zsh", "#compdef steward"), ("fish", "complete -c steward")] {
        let output = cli(&db, &["completions", shell], "");
        assert!(output.status.success(), "{shell}");
        assert!(stdout(&output).contains(marker) && stdout(&output).contains("backup"), "{shell}");
    }
    assert_eq!(cli(&db, &["completions", "tcsh"], "").status.code(), Some(2));
    let man = cli(&db, &["man"], "");
    assert!(man.status.success());
    assert!(stdout(&man).starts_with(".ie") || stdout(&man).contains(".TH steward 1"), "{}", stdout(&man));
    assert!(stdout(&man).contains("restore"));
    assert!(!db.dir.path().join("steward.db").exists(), "neither opens the store");
}
