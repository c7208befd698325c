//! The dRofus face: the conformance cases of drofus.md §7 served so far (owners, projects,
//! project types, tenant databases cloned from a real SQLite template file), with every
//! endpoint's unauthenticated, wrong-role and bad-input cases, in JSON and in XML.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_backends;

mod durability;
mod project_users;
mod users;

on_both_backends!(
    without_valid_credentials_every_endpoint_is_rails_401,
    an_account_without_the_role_is_403_in_the_format_asked,
    owners_are_created_listed_changed_and_deleted,
    a_project_on_a_new_database_clones_the_template,
    project_validation_reports_every_failing_field,
    projects_are_updated_hidden_when_inactive_and_shown_as_xml,
    owners_and_databases_in_use_stay,
    formats_come_from_the_suffix_then_accept,
    values_are_escaped_in_xml_and_html,
    bad_bodies_and_hostile_names_change_nothing,
    a_backup_is_a_sqlite_file_that_opens,
);

const ADMIN: &str = "testadmin";
const PASSWORD: &str = "testpw-drofus-1";

/// A server with a dRofus admin, a template `dev-template` (a table `rooms` with two rows)
/// and an empty tenants directory.
pub(super) struct Drofus {
    db: TestDb,
    server: Server,
    tenants: PathBuf,
}

fn make_template(path: &Path) {
    let connection = rusqlite::Connection::open(path).unwrap();
    connection
        .execute_batch("CREATE TABLE rooms (id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO rooms (name) VALUES ('Lobby'), ('Kitchen');")
        .unwrap();
}

async fn drofus(backend: Backend) -> Drofus {
    drofus_with(backend, &[]).await
}

/// The same, with more settings (`env`).
async fn drofus_with(backend: Backend, env: &[(&str, &str)]) -> Drofus {
    let db = TestDb::new(backend);
    let templates = db.dir.path().join("templates");
    let tenants = db.dir.path().join("tenants");
    std::fs::create_dir_all(&templates).unwrap();
    make_template(&templates.join("dev-template.sqlite"));
    let mut settings = vec![
        ("STEWARD_FACES__DROFUS__TEMPLATE_DIR", templates.to_str().unwrap()),
        ("STEWARD_FACES__DROFUS__DATABASE_DIR", tenants.to_str().unwrap()),
    ];
    settings.extend_from_slice(env);
    let server = Server::start(&db, &settings);
    // After the start, so the bootstrap admin exists too.
    let created = cli(&db, &["account", "create", ADMIN, "--password-stdin", "--role", "drofus_admin"], &format!("{PASSWORD}\n"));
    assert!(created.status.success(), "{}", stderr(&created));
    Drofus { db, server, tenants }
}

impl Drofus {
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.server.http.request(method, self.server.url(path)).basic_auth(ADMIN, Some(PASSWORD))
    }

    /// `(status, JSON body)` of `method path` with a JSON body, as the seed's curl lines send it.
    async fn json(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.request(method, path).header("Accept", "application/json");
        if let Some(body) = body {
            request = request.header("Content-Type", "application/json").body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) })
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.json(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.json(reqwest::Method::POST, path, Some(body)).await
    }

    async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.json(reqwest::Method::PATCH, path, Some(body)).await
    }

    async fn delete(&self, path: &str) -> (u16, Value) {
        self.json(reqwest::Method::DELETE, path, None).await
    }

    /// `(status, content type, body)` of a GET with `accept`.
    async fn get_as(&self, path: &str, accept: &str) -> (u16, String, String) {
        let response = self.request(reqwest::Method::GET, path).header("Accept", accept).send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response.headers().get("content-type").map(|value| value.to_str().unwrap().to_owned()).unwrap_or_default();
        (status, content_type, response.text().await.unwrap())
    }

    async fn owner(&self, name: &str) -> i64 {
        let (status, body) = self.post("/owners", json!({"owner": {"name": name}})).await;
        assert_eq!(status, 201, "{body}");
        body["owner"]["id"].as_i64().unwrap()
    }

    /// A project on a new database `database` cloned from `dev-template`.
    async fn project_on_new_database(&self, owner: i64, name: &str, database: &str) -> (u16, Value) {
        self.post(
            "/projects",
            json!({"project": {"new_db": "1", "new_db_template": "dev-template", "new_db_name": database, "project_type_id": 1,
                "name": name, "owner_id": owner, "description": "TEST CREATE FROM REST", "constructor": "dRofus AS"}}),
        )
        .await
    }

    /// A project on the existing database `database`.
    async fn project_on(&self, owner: i64, name: &str, database: &str) -> i64 {
        let (status, body) = self
            .post(
                "/projects",
                json!({"project": {"new_db": "0", "existing_db_name": database, "project_type_id": 1, "name": name,
                    "owner_id": owner, "description": "d", "constructor": "c"}}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["project"]["id"].as_i64().unwrap()
    }

    /// Waits until the database `name` leaves `creating`; its last status.
    async fn settled(&self, name: &str) -> String {
        let started = std::time::Instant::now();
        loop {
            let (_, body) = self.get(&format!("/database/{name}")).await;
            let status = body["database"]["status"].as_str().unwrap_or_default().to_owned();
            if status != "creating" {
                return status;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "{name} is still creating");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn keys(object: &Value) -> Vec<String> {
    let mut keys: Vec<String> = object.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

async fn without_valid_credentials_every_endpoint_is_rails_401(backend: Backend) {
    let drofus = drofus(backend).await;
    for (method, path) in [
        (reqwest::Method::GET, "/projects.json"),
        (reqwest::Method::POST, "/projects"),
        (reqwest::Method::GET, "/projects/1"),
        (reqwest::Method::PATCH, "/projects/1"),
        (reqwest::Method::DELETE, "/projects/1"),
        (reqwest::Method::GET, "/owners"),
        (reqwest::Method::POST, "/owners.xml"),
        (reqwest::Method::PUT, "/owners/1"),
        (reqwest::Method::DELETE, "/owners/1"),
        (reqwest::Method::GET, "/project_types"),
        (reqwest::Method::GET, "/database"),
        (reqwest::Method::GET, "/database/dev-template"),
        (reqwest::Method::DELETE, "/database/dev-template"),
        (reqwest::Method::GET, "/database/dev-template/get_backup_now"),
        (reqwest::Method::GET, "/users"),
        (reqwest::Method::POST, "/users"),
        (reqwest::Method::GET, "/users/admin"),
        (reqwest::Method::PATCH, "/users/admin"),
        (reqwest::Method::DELETE, "/users/admin"),
        (reqwest::Method::GET, "/users/admin/disable"),
        (reqwest::Method::POST, "/users/admin/kick"),
        (reqwest::Method::GET, "/project_users"),
        (reqwest::Method::POST, "/project_users"),
        (reqwest::Method::GET, "/project_users/admin,1"),
        (reqwest::Method::PATCH, "/project_user/admin,1"),
        (reqwest::Method::DELETE, "/project_users/admin,1"),
        (reqwest::Method::GET, "/emails"),
        (reqwest::Method::GET, "/node/logins"),
        (reqwest::Method::GET, "/database/dev-template/disableall"),
        (reqwest::Method::GET, "/database/dev-template/enableall"),
        (reqwest::Method::POST, "/database/dev-template/kickall"),
    ] {
        // A wrong password on a few paths only: ten failures a minute are rate-limited.
        let passwords: &[Option<&str>] = if path.starts_with("/projects") { &[None, Some("wrong")] } else { &[None] };
        for &password in passwords {
            let mut request = drofus.server.http.request(method.clone(), drofus.server.url(path)).header("Accept", "application/json");
            if let Some(password) = password {
                request = request.basic_auth(ADMIN, Some(password));
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status().as_u16(), 401, "{method} {path} {password:?}");
            assert_eq!(response.headers()["www-authenticate"], "Basic realm=\"Application\"");
            assert_eq!(response.text().await.unwrap(), "HTTP Basic: Access denied.\n");
        }
    }
    // Nothing was created or changed by the refused writes.
    assert_eq!(drofus.get("/owners").await, (200, json!([])));
    assert_eq!(drofus.get("/users/admin").await.1["user"]["active"], true);
}

async fn an_account_without_the_role_is_403_in_the_format_asked(backend: Backend) {
    let drofus = drofus(backend).await;
    let created = cli(&drofus.db, &["account", "create", "plain", "--password-stdin"], "plain-pw-123\n");
    assert!(created.status.success());
    for (method, path) in [
        (reqwest::Method::GET, "/projects.json"),
        (reqwest::Method::POST, "/projects.json"),
        (reqwest::Method::PATCH, "/projects/1.json"),
        (reqwest::Method::DELETE, "/projects/1.json"),
        (reqwest::Method::GET, "/owners.json"),
        (reqwest::Method::PUT, "/owners/1.json"),
        (reqwest::Method::DELETE, "/owners/1.json"),
        (reqwest::Method::GET, "/project_types.json"),
        (reqwest::Method::GET, "/database.json"),
        (reqwest::Method::GET, "/database/dev-template.json"),
        (reqwest::Method::DELETE, "/database/dev-template.json"),
        (reqwest::Method::GET, "/database/dev-template/get_backup_now"),
        (reqwest::Method::GET, "/users.json"),
        (reqwest::Method::POST, "/users.json"),
        (reqwest::Method::GET, "/users/admin.json"),
        (reqwest::Method::PUT, "/users/admin.json"),
        (reqwest::Method::DELETE, "/users/admin.json"),
        (reqwest::Method::GET, "/users/admin/disable.json"),
        (reqwest::Method::GET, "/users/admin/enable.json"),
        (reqwest::Method::GET, "/users/admin/kick.json"),
        (reqwest::Method::GET, "/project_users.json"),
        (reqwest::Method::POST, "/project_users.json"),
        (reqwest::Method::GET, "/project_users/admin,1.json"),
        (reqwest::Method::PUT, "/project_users/admin,1.json"),
        (reqwest::Method::DELETE, "/project_user/admin,1.json"),
        (reqwest::Method::GET, "/emails.json"),
        (reqwest::Method::GET, "/node/logins.json"),
        (reqwest::Method::GET, "/database/dev-template/disableall.json"),
        (reqwest::Method::GET, "/database/dev-template/enableall.json"),
        (reqwest::Method::GET, "/database/dev-template/kickall.json"),
    ] {
        let response = drofus.server.http.request(method, drofus.server.url(path)).basic_auth("plain", Some("plain-pw-123")).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 403, "{path}");
        assert_eq!(response.json::<Value>().await.unwrap(), json!({"status": 403, "error": "Forbidden"}), "{path}");
    }
    let response = drofus.server.http.post(drofus.server.url("/owners.xml")).basic_auth("plain", Some("plain-pw-123")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 403);
    assert!(response.text().await.unwrap().contains("<status type=\"integer\">403</status>"));
    // A token works like Basic: the global admin may.
    let token = drofus.server.admin_token().await;
    let response = drofus.server.http.get(drofus.server.url("/owners.json")).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

async fn owners_are_created_listed_changed_and_deleted(backend: Backend) {
    let drofus = drofus(backend).await;
    // Case 3: 201, Location, exactly the seed's keys.
    let response = drofus
        .request(reqwest::Method::POST, "/owners")
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .body(r#"{"owner":{"name":"Test"}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    let id = body["owner"]["id"].as_i64().unwrap();
    assert_eq!(location, format!("/owners/{id}"));
    assert_eq!(keys(&body["owner"]), ["address", "billing_address", "contact", "id", "image", "name", "network", "note", "tech_contact"]);
    assert_eq!(body["owner"]["name"], "Test");
    assert_eq!(body["owner"]["address"], Value::Null);
    // Case 4: taken, whatever the case.
    assert_eq!(drofus.post("/owners", json!({"owner": {"name": "test"}})).await, (422, json!({"name": ["has already been taken"]})));
    assert_eq!(drofus.post("/owners", json!({"owner": {"note": "x"}})).await, (422, json!({"name": ["can't be blank"]})));
    assert_eq!(drofus.get("/owners/999999.json").await, (404, json!({"status": 404, "error": "Not Found"})));
    assert_eq!(drofus.get(&format!("/owners/{id}")).await.1["owner"]["name"], "Test");
    // Update: partial, and null clears.
    let (status, body) = drofus.patch(&format!("/owners/{id}"), json!({"owner": {"address": "Oslo", "note": "n"}})).await;
    assert_eq!((status, &body["owner"]["address"], &body["owner"]["name"]), (200, &json!("Oslo"), &json!("Test")));
    let (status, body) = drofus
        .json(reqwest::Method::PUT, &format!("/owners/{id}.json"), Some(json!({"owner": {"note": null, "id": 99}})))
        .await;
    assert_eq!((status, &body["owner"]["note"], &body["owner"]["id"]), (200, &Value::Null, &json!(id)));
    let other = drofus.owner("Other").await;
    assert_eq!(drofus.patch(&format!("/owners/{other}"), json!({"owner": {"name": "TEST"}})).await, (422, json!({"name": ["has already been taken"]})));
    let (_, list) = drofus.get("/owners.json").await;
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|owner| owner["owner"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Test", "Other"]);
    // Delete: 204 and empty, then 404.
    assert_eq!(drofus.delete(&format!("/owners/{other}")).await, (204, Value::Null));
    assert_eq!(drofus.delete(&format!("/owners/{other}")).await.0, 404);
    let audit = drofus.server.audit(50).await;
    assert_eq!(by_whom(audit_entry(&audit, "owner.create", &id.to_string())), (&*format!("account:{ADMIN}"), "drofus"));
    audit_entry(&audit, "owner.delete", &other.to_string());
}

async fn a_project_on_a_new_database_clones_the_template(backend: Backend) {
    let drofus = drofus(backend).await;
    let owner = drofus.owner("Owner").await;
    // Case 8.
    let (status, body) = drofus.project_on_new_database(owner, "REST TEST", "rest_test").await;
    assert_eq!(status, 201, "{body}");
    let project = &body["project"];
    assert_eq!(
        keys(project),
        ["active", "contact", "created_at", "created_by", "database_id", "description", "gross_area", "id", "name", "no", "owner_id", "status", "updated", "updated_by"]
    );
    assert_eq!((&project["name"], &project["active"], &project["database_id"], &project["owner_id"]), (&json!("REST TEST"), &json!(true), &json!("rest_test"), &json!(owner)));
    assert_eq!(project["created_by"], ADMIN);
    let created_at = project["created_at"].as_str().unwrap();
    assert!(created_at.len() == 20 && created_at.ends_with('Z') && created_at.as_bytes()[10] == b'T', "{created_at}");
    // The worker clones the real template file: its table and rows are in the tenant.
    assert_eq!(drofus.settled("rest_test").await, "ready");
    let tenant = rusqlite::Connection::open(drofus.tenants.join("rest_test.sqlite")).unwrap();
    let rooms: Vec<String> = tenant.prepare("SELECT name FROM rooms ORDER BY id").unwrap().query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(rooms, ["Lobby", "Kitchen"]);
    assert!(!drofus.tenants.join("rest_test.sqlite.part").exists());
    // Case 9: the name is taken now.
    let (status, body) = drofus.project_on_new_database(owner, "REST TEST", "rest_test").await;
    assert_eq!((status, &body["new_db_name"]), (422, &json!(["has already been taken"])));
    // Case 10: no such template.
    let (status, body) = drofus
        .post("/projects", json!({"project": {"new_db": "1", "new_db_template": "nosuch", "new_db_name": "x1", "project_type_id": 1, "name": "X", "owner_id": owner, "description": "d", "constructor": "c"}}))
        .await;
    assert_eq!((status, &body["new_db_template"]), (422, &json!(["is invalid"])));
    // The databases list: the template found on disk, and the clone.
    let (_, list) = drofus.get("/database.json").await;
    let names: Vec<(&str, bool, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|database| (database["database"]["name"].as_str().unwrap(), database["database"]["template"].as_bool().unwrap(), database["database"]["status"].as_str().unwrap()))
        .collect();
    assert_eq!(names, [("dev-template", true, "ready"), ("rest_test", false, "ready")]);
    // A second project on the same, existing database.
    let second = drofus.project_on(owner, "Second", "rest_test").await;
    assert_eq!(drofus.get(&format!("/projects/{second}")).await.1["project"]["database_id"], "rest_test");
    let audit = drofus.server.audit(50).await;
    audit_entry(&audit, "project.create", &second.to_string());
}

async fn project_validation_reports_every_failing_field(backend: Backend) {
    let drofus = drofus(backend).await;
    let owner = drofus.owner("Owner").await;
    assert_eq!(drofus.project_on_new_database(owner, "P", "rest_test").await.0, 201);
    drofus.settled("rest_test").await;
    // Case 11: every failing field at once.
    let (status, body) = drofus.post("/projects", json!({"project": {"new_db": "0", "existing_db_name": "rest_test", "project_type_id": 1, "owner_id": 999999}})).await;
    assert_eq!(status, 422);
    assert_eq!(keys(&body), ["constructor", "description", "name", "owner"]);
    assert_eq!(body["owner"], json!(["must exist"]));
    // Case 12.
    let (status, body) = drofus
        .post("/projects", json!({"project": {"new_db": "0", "existing_db_name": "rest_test", "project_type_id": 999, "name": "Second", "owner_id": owner, "description": "d", "constructor": "c"}}))
        .await;
    assert_eq!((status, body), (422, json!({"project_type_id": ["is not included in the list"]})));
    // new_db neither yes nor no; an existing name that is a template; a hostile new name.
    let (status, body) = drofus.post("/projects", json!({"project": {"new_db": "maybe", "project_type_id": 1, "name": "N", "owner_id": owner, "description": "d", "constructor": "c"}})).await;
    assert_eq!((status, body), (422, json!({"new_db": ["is not included in the list"]})));
    let (status, body) = drofus.post("/projects", json!({"project": {"new_db": 0, "existing_db_name": "dev-template", "project_type_id": 1, "name": "N", "owner_id": owner, "description": "d", "constructor": "c"}})).await;
    assert_eq!((status, body), (422, json!({"existing_db_name": ["is invalid"]})));
    for hostile in ["../x", "a'b", "A", "x/y", ""] {
        let (status, body) = drofus.project_on_new_database(owner, "N", hostile).await;
        assert_eq!(status, 422, "{hostile}");
        let expected = if hostile.is_empty() { "can't be blank" } else { "is invalid" };
        assert_eq!(body["new_db_name"], json!([expected]), "{hostile}");
    }
    let (status, body) = drofus.post("/projects", json!({"project": {"new_db": true, "new_db_template": "dev-template", "new_db_name": "ok1", "project_type_id": "x", "name": "x".repeat(256), "owner_id": "abc", "description": "d", "constructor": "c", "gross_area": "big"}})).await;
    assert_eq!(status, 422);
    assert_eq!(body["name"], json!(["is too long (maximum is 255 characters)"]));
    assert_eq!(body["gross_area"], json!(["is not a number"]));
    assert_eq!(body["owner"], json!(["must exist"]));
    assert_eq!(body["project_type_id"], json!(["is not included in the list"]));
    // Nothing was made by the refusals: one project, one clone.
    assert_eq!(drofus.get("/projects.json?show_all=1").await.1.as_array().unwrap().len(), 1);
    assert_eq!(drofus.get("/database.json").await.1.as_array().unwrap().len(), 2);
    assert!(!drofus.tenants.join("ok1.sqlite").exists());
}

async fn projects_are_updated_hidden_when_inactive_and_shown_as_xml(backend: Backend) {
    let drofus = drofus(backend).await;
    let owner = drofus.owner("Owner").await;
    let (_, body) = drofus.project_on_new_database(owner, "REST TEST", "rest_test").await;
    let id = body["project"]["id"].as_i64().unwrap();
    drofus.settled("rest_test").await;
    // Case 13.
    let (status, body) = drofus.patch(&format!("/projects/{id}"), json!({"project": {"name": "REST TEST", "description": "TEST UPDATE FROM REST", "active": false}})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((&body["project"]["description"], &body["project"]["active"], &body["project"]["updated_by"]), (&json!("TEST UPDATE FROM REST"), &json!(false), &json!(ADMIN)));
    assert!(body["project"]["updated"].as_str().unwrap().ends_with('Z'));
    // Case 14.
    assert_eq!(drofus.get("/projects.json").await.1, json!([]));
    assert_eq!(drofus.get("/projects.json?show_all=1").await.1.as_array().unwrap().len(), 1);
    // Case 15: refused, unchanged.
    assert_eq!(drofus.patch(&format!("/projects/{id}"), json!({"project": {"name": ""}})).await, (422, json!({"name": ["can't be blank"]})));
    assert_eq!(drofus.get(&format!("/projects/{id}")).await.1["project"]["name"], "REST TEST");
    // Case 16: XML of the active project.
    assert_eq!(drofus.json(reqwest::Method::PUT, &format!("/projects/{id}"), Some(json!({"project": {"active": "1"}}))).await.0, 200);
    let (status, content_type, xml) = drofus.get_as(&format!("/projects/{id}"), "application/xml").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("application/xml"), "{content_type}");
    assert!(xml.contains("<project>") && xml.contains("<active type=\"boolean\">true</active>"), "{xml}");
    assert!(xml.contains("<database-id>rest_test</database-id>") && xml.contains(&format!("<id type=\"integer\">{id}</id>")), "{xml}");
    assert!(xml.contains("<contact nil=\"true\"/>") && xml.contains("<created-at type=\"dateTime\">"), "{xml}");
    // `query` matches part of the name whatever its case; `%` is literal.
    assert_eq!(drofus.get("/projects.json?query=rest%20t").await.1.as_array().unwrap().len(), 1);
    assert_eq!(drofus.get("/projects.json?query=%25").await.1, json!([]));
    // Case 17 and an unknown project.
    assert_eq!(drofus.get("/projects/abc.json").await, (404, json!({"status": 404, "error": "Not Found"})));
    assert_eq!(drofus.patch("/projects/999999", json!({"project": {"name": "x"}})).await.0, 404);
    // Delete: the project goes, its database stays.
    assert_eq!(drofus.delete(&format!("/projects/{id}")).await, (204, Value::Null));
    assert_eq!(drofus.get(&format!("/projects/{id}")).await.0, 404);
    assert_eq!(drofus.get("/database/rest_test").await.0, 200);
    // Project types.
    assert_eq!(drofus.get("/project_types.json").await, (200, json!([{"project_type": {"id": 1, "name": "Standard"}}])));
}

async fn owners_and_databases_in_use_stay(backend: Backend) {
    let drofus = drofus(backend).await;
    let owner = drofus.owner("Owner").await;
    let (_, body) = drofus.project_on_new_database(owner, "P", "rest_test").await;
    let project = body["project"]["id"].as_i64().unwrap();
    drofus.settled("rest_test").await;
    // Case 30.
    let dependent = json!({"base": ["Cannot delete record because dependent projects exist"]});
    assert_eq!(drofus.delete(&format!("/owners/{owner}")).await, (422, dependent.clone()));
    assert_eq!(drofus.delete("/database/rest_test").await, (422, dependent));
    assert_eq!(drofus.delete("/database/dev-template").await, (422, json!({"base": ["Template databases cannot be deleted"]})));
    assert_eq!(drofus.delete("/database/nosuch").await.0, 404);
    // Free, the database goes, and its file after it.
    assert_eq!(drofus.delete(&format!("/projects/{project}")).await.0, 204);
    assert_eq!(drofus.delete("/database/rest_test.json").await.0, 204);
    assert_eq!(drofus.get("/database/rest_test").await.0, 404);
    let removed = eventually(Duration::from_secs(20), || async { !drofus.tenants.join("rest_test.sqlite").exists() }).await;
    assert!(removed, "the tenant file is still there");
    assert_eq!(drofus.delete(&format!("/owners/{owner}")).await.0, 204);
    // The name is free again.
    assert!(drofus.owner("Owner2").await > 0);
    let owner = drofus.owner("Owner3").await;
    assert_eq!(drofus.project_on_new_database(owner, "Again", "rest_test").await.0, 201);
    assert_eq!(drofus.settled("rest_test").await, "ready");
}

async fn formats_come_from_the_suffix_then_accept(backend: Backend) {
    let drofus = drofus(backend).await;
    drofus.owner("Owner").await;
    let (status, content_type, body) = drofus.get_as("/owners.json", "text/html").await;
    assert_eq!((status, content_type.starts_with("application/json")), (200, true), "{body}");
    let (status, content_type, body) = drofus.get_as("/owners", "text/xml").await;
    assert_eq!((status, content_type.starts_with("application/xml")), (200, true));
    assert!(body.contains("<owners type=\"array\">"), "{body}");
    let (status, content_type, body) = drofus.get_as("/owners.xml", "*/*").await;
    assert!(status == 200 && content_type.starts_with("application/xml") && body.contains("<owner>"), "{body}");
    let (status, content_type, _) = drofus.get_as("/owners", "*/*").await;
    assert_eq!((status, content_type.starts_with("text/html")), (200, true));
    let (status, _, body) = drofus.get_as("/owners", "text/csv").await;
    assert_eq!((status, body.as_str()), (406, ""));
    let (status, _, _) = drofus.get_as("/owners/", "application/json").await;
    assert_eq!(status, 200);
    // Methods no route takes are Rails' routing 404.
    let response = drofus.request(reqwest::Method::POST, "/owners/1").send().await.unwrap();
    assert_eq!(response.status().as_u16(), 404);
    // An HTML form post is redirected to the new object.
    let response = drofus
        .server
        .http
        .post(drofus.server.url("/owners.html"))
        .basic_auth(ADMIN, Some(PASSWORD))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("owner%5Bname%5D=From+a+form")
        .send()
        .await
        .unwrap();
    assert!(response.url().path().starts_with("/owners/"), "{}", response.url());
    let (_, list) = drofus.get("/owners").await;
    assert!(list.as_array().unwrap().iter().any(|owner| owner["owner"]["name"] == "From a form"), "{list}");
}

async fn values_are_escaped_in_xml_and_html(backend: Backend) {
    let drofus = drofus(backend).await;
    let hostile = "<b>Ærø & \"co\"</b>";
    let (status, body) = drofus.post("/owners", json!({"owner": {"name": hostile, "note": "a < b"}})).await;
    assert_eq!((status, &body["owner"]["name"]), (201, &json!(hostile)));
    let (_, _, xml) = drofus.get_as("/owners.xml", "").await;
    assert!(xml.contains("<name>&lt;b&gt;Ærø &amp; \"co\"&lt;/b&gt;</name>"), "{xml}");
    assert!(xml.contains("<note>a &lt; b</note>"), "{xml}");
    let (_, _, html) = drofus.get_as("/owners.html", "").await;
    assert!(!html.contains("<b>Ærø") && html.contains("&lt;b&gt;Ærø &amp;"), "{html}");
}

async fn bad_bodies_and_hostile_names_change_nothing(backend: Backend) {
    let drofus = drofus(backend).await;
    let post = |content_type: &'static str, body: Vec<u8>| {
        drofus.request(reqwest::Method::POST, "/owners").header("Accept", "application/json").header("Content-Type", content_type).body(body).send()
    };
    // Case 5: no root key. Case 6: broken JSON. Then not an object, another type, a form
    // that cannot be read, and 10 MB.
    for (content_type, body, expected) in [
        ("application/json", br#"{"name":"NoRoot"}"#.to_vec(), 400),
        ("application/json", br#"{"owner":"#.to_vec(), 400),
        ("application/json", b"[]".to_vec(), 400),
        ("application/json", br#"{"owner":"x"}"#.to_vec(), 400),
        ("text/plain", b"owner".to_vec(), 415),
        ("application/x-www-form-urlencoded", b"owner[name=x".to_vec(), 400),
    ] {
        let response = post(content_type, body).await.unwrap();
        assert_eq!(response.status().as_u16(), expected, "{content_type}");
        let reason = reqwest::StatusCode::from_u16(expected).unwrap().canonical_reason().unwrap();
        assert_eq!(response.json::<Value>().await.unwrap(), json!({"status": expected, "error": reason}));
    }
    // 10 MB: refused with 413 before the body is read; the server may close the connection
    // while the client is still writing, which the client sees as a broken pipe.
    match post("application/json", vec![b' '; 10 * 1024 * 1024]).await {
        Ok(huge) => assert_eq!(huge.status().as_u16(), 413),
        Err(error) => assert!(error.is_request(), "{error}"),
    }
    let response = drofus
        .request(reqwest::Method::POST, "/owners.xml")
        .header("Content-Type", "application/json")
        .body(r#"{"name":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    assert!(response.text().await.unwrap().contains("<status type=\"integer\">400</status>"));
    for path in ["/database/..%2Fx", "/database/a'b", "/database/A", "/owners/-1", "/owners/1e3", "/projects/0"] {
        assert_eq!(drofus.get(path).await.0, 404, "{path}");
    }
    assert_eq!(drofus.get("/owners").await.1, json!([]));
}

async fn a_backup_is_a_sqlite_file_that_opens(backend: Backend) {
    let drofus = drofus(backend).await;
    let owner = drofus.owner("Owner").await;
    assert_eq!(drofus.project_on_new_database(owner, "P", "rest_test").await.0, 201);
    assert_eq!(drofus.settled("rest_test").await, "ready");
    // Case 28.
    let response = drofus.request(reqwest::Method::GET, "/database/rest_test/get_backup_now").send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "application/octet-stream");
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment; filename=\"rest_test-") && disposition.ends_with(".sqlite\""), "{disposition}");
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"SQLite format 3\0"), "{} bytes", bytes.len());
    let restored = drofus.tenants.join("restored.sqlite");
    std::fs::write(&restored, &bytes).unwrap();
    let rooms: i64 = rusqlite::Connection::open(&restored).unwrap().query_row("SELECT count(*) FROM rooms", [], |row| row.get(0)).unwrap();
    assert_eq!(rooms, 2);
    // Nothing is left beside the tenants but the tenant and the copy made here.
    let mut files: Vec<String> = std::fs::read_dir(&drofus.tenants).unwrap().map(|entry| entry.unwrap().file_name().into_string().unwrap()).collect();
    files.sort();
    assert_eq!(files, ["rest_test.sqlite", "restored.sqlite"]);
    // Unknown, hostile, unauthenticated.
    assert_eq!(drofus.get("/database/nosuch/get_backup_now").await, (404, json!({"status": 404, "error": "Not Found"})));
    assert_eq!(drofus.get("/database/..%2Fx/get_backup_now").await.0, 404);
    let response = drofus.server.http.get(drofus.server.url("/database/rest_test/get_backup_now")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 401);
}
