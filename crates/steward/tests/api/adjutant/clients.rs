//! OpenStack's own clients, installed from PyPI by scripts/test and run unchanged against
//! Steward: keystoneauth1, python-adjutantclient's Python API and the `openstack` CLI with
//! its plugin (tests/clients/openstack_clients.py says every step): tasks, tokens,
//! notifications, sign-up and password reset, a project's people and roles, its quota.

use std::process::Command;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(openstacks_own_clients_work_unchanged);

async fn openstacks_own_clients_work_unchanged(backend: Backend) {
    let python = std::env::var("STEWARD_TEST_OPENSTACK_PYTHON")
        .expect("STEWARD_TEST_OPENSTACK_PYTHON names the venv's python with OpenStack's clients: run scripts/test, which installs them");
    let sink = SmtpSink::start(&[]);
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[("STEWARD_MAIL__SMTP_URL", sink.url.as_str())]);
    // The admin works on a project of its own, as OpenStack's admins do.
    assert!(cli(&db, &["project", "add", "admins"], "").status.success());
    assert!(cli(&db, &["member", "set", "admin", "admins", "--role", "project_admin"], "").status.success());
    // A member of it whose roles the CLI edits.
    assert!(cli(&db, &["account", "create", "bob", "--password-stdin", "--email", "bob@example.com"], "bob-password-1\n").status.success());
    assert!(cli(&db, &["member", "set", "bob", "admins", "--role", "member"], "").status.success());
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/clients/openstack_clients.py");
    let base = server.url("");
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .env("STEWARD_URL", &base)
            .env("OS_AUTH_URL", format!("{}/v3", base.trim_end_matches('/')))
            .env("OS_USERNAME", "admin")
            .env("OS_PASSWORD", ADMIN_PASSWORD)
            .env("OS_PROJECT_NAME", "admins")
            .env("OS_USER_DOMAIN_NAME", "Default")
            .env("OS_PROJECT_DOMAIN_NAME", "Default")
            .env("OS_IDENTITY_API_VERSION", "3")
            .env("OS_TEST_MEMBER", "bob")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{said}\n{}", server.logs());
    assert!(said.contains("every client step passed"), "{said}");
}
