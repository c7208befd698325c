//! The Janua face: conformance cases of janua.md §9 for the services served so far, plus
//! each endpoint's error, role and unauthenticated cases.

mod acl;
mod admins;
mod backends;
mod ldap;
mod login;
mod rest;
mod sendmail;
mod sendsms;
mod usage;

use crate::helpers::*;

/// A server with the Janua fixture: the super admin `admin` (the harness's bootstrap) and
/// supervisor `sup1` / `sup1pw`, phone +33100000002.
pub struct Janua {
    pub server: Server,
    pub db: TestDb,
}

impl Janua {
    pub fn start(backend: Backend) -> Self {
        Self::start_with(backend, &[])
    }

    pub fn start_with(backend: Backend, env: &[(&str, &str)]) -> Self {
        let db = TestDb::new(backend);
        let server = Server::start(&db, env);
        let created = cli(
            &db,
            &["account", "create", "sup1", "--password-stdin", "--role", "supervisor", "--phone", "+33100000002", "--email", "sup1@example.org", "--name", "Sup One"],
            "sup1pw\n",
        );
        assert!(created.status.success(), "{}", stderr(&created));
        Self { server, db }
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: serde_json::Value) -> reqwest::Response {
        let mut request = self.server.http.post(self.server.url(path)).json(&body);
        if let Some(token) = token {
            request = request.header("JanuaAuthToken", token);
        }
        request.send().await.unwrap()
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut request = self.server.http.get(self.server.url(path));
        if let Some(token) = token {
            request = request.header("JanuaAuthToken", token);
        }
        request.send().await.unwrap()
    }

    /// A `JanuaAuthToken` through `/login`.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let response = self
            .post_json("/login", None, serde_json::json!({"username": username, "password": password, "language": "EN"}))
            .await;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["success"], true, "{body}");
        body["JanuaAuthToken"].as_str().unwrap().to_owned()
    }
}

/// `(status, body)` of a response.
pub async fn answer(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(serde_json::Value::Null))
}
