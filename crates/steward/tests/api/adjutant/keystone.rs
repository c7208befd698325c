//! The Keystone v3 subset: discovery, password authentication (unscoped, scoped by project
//! id or by name and domain) into Steward tokens valid on every face, validation, check and
//! revocation, and Keystone's error bodies.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    keystone_discovers_authenticates_validates_and_revokes,
    keystone_refusals_are_keystones_errors_and_change_nothing,
    under_a_prefix_every_link_carries_it,
);

fn password(user: Value, scope: Option<Value>) -> Value {
    let mut body = json!({ "auth": { "identity": { "methods": ["password"], "password": { "user": user } } } });
    if let Some(scope) = scope {
        body["auth"]["scope"] = scope;
    }
    body
}

async fn authenticate(server: &Server, body: &Value) -> (u16, Option<String>, Value) {
    let response = server.http.post(server.url("/v3/auth/tokens")).json(body).send().await.unwrap();
    let status = response.status().as_u16();
    let subject = response.headers().get("x-subject-token").map(|value| value.to_str().unwrap().to_owned());
    (status, subject, response.json().await.unwrap_or(Value::Null))
}

async fn keystone_discovers_authenticates_validates_and_revokes(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[]);
    assert!(cli(&db, &["project", "add", "alpha"], "").status.success());
    assert!(cli(&db, &["project", "add", "beta"], "").status.success());
    assert!(cli(&db, &["member", "set", "admin", "alpha", "--role", "project_admin"], "").status.success());
    assert!(cli(&db, &["member", "set", "admin", "beta", "--role", "member"], "").status.success());
    // Discovery: the self link is where keystoneauth authenticates.
    let (status, discovery) = server.get_json("/v3", "").await;
    assert_eq!((status, &discovery["version"]["id"], &discovery["version"]["status"]), (200, &json!("v3.14"), &json!("stable")));
    assert_eq!(discovery["version"]["links"][0]["href"], format!("{}/v3/", server.url("")));
    // Scoped by name and domain name.
    let user = json!({ "name": "admin", "domain": { "name": "Default" }, "password": ADMIN_PASSWORD });
    let scope = json!({ "project": { "name": "alpha", "domain": { "name": "Default" } } });
    let (status, subject, body) = authenticate(&server, &password(user.clone(), Some(scope))).await;
    assert_eq!(status, 201, "{body}");
    let token = subject.expect("X-Subject-Token");
    let issued = &body["token"];
    assert_eq!((&issued["user"]["name"], &issued["project"]["name"], &issued["methods"]), (&json!("admin"), &json!("alpha"), &json!(["password"])));
    assert!(issued["expires_at"].as_str().unwrap().ends_with('Z'), "{issued}");
    let roles: Vec<&str> = issued["roles"].as_array().unwrap().iter().map(|role| role["name"].as_str().unwrap()).collect();
    assert!(roles.contains(&"admin") && roles.contains(&"project_admin"), "{roles:?}");
    let catalog = issued["catalog"].as_array().unwrap();
    let url_of = |kind: &str| catalog.iter().find(|service| service["type"] == kind).unwrap()["endpoints"][0]["url"].as_str().unwrap().to_owned();
    assert_eq!(url_of("identity"), server.url("/v3"));
    assert_eq!(url_of("admin-logic"), server.url("/v1"));
    // The token is a Steward token: the native API and the Adjutant face know it.
    assert_eq!(server.get_json("/steward/v1/whoami", &token).await.1["login"], "admin");
    let status = server.http.get(server.url("/v1/status")).header("X-Auth-Token", &token).send().await.unwrap().status();
    assert_eq!(status, 200);
    // Scoped by project id, with the domain by id; the roles are those held there.
    let beta = db.query("SELECT id FROM projects WHERE name = 'beta'").trim().to_owned();
    let by_id = json!({ "name": "admin", "domain": { "id": "default" }, "password": ADMIN_PASSWORD });
    let (status, _, body) = authenticate(&server, &password(by_id, Some(json!({ "project": { "id": beta } })))).await;
    assert_eq!((status, &body["token"]["project"]["id"]), (201, &json!(beta)));
    let roles: Vec<&str> = body["token"]["roles"].as_array().unwrap().iter().map(|role| role["name"].as_str().unwrap()).collect();
    assert!(roles.contains(&"member"), "the role held on beta: {roles:?}");
    // By user id.
    let uuid = issued["user"]["id"].as_str().unwrap();
    let (status, _, _) = authenticate(&server, &password(json!({ "id": uuid, "password": ADMIN_PASSWORD }), None)).await;
    assert_eq!(status, 201);
    // Unscoped: an account with two projects gets a token on none.
    let (status, unscoped, body) = authenticate(&server, &password(user.clone(), None)).await;
    assert_eq!((status, body["token"].get("project")), (201, None));
    let unscoped = unscoped.unwrap();
    // Validation: GET echoes the subject and its body, HEAD only checks.
    let validate = |method: Method, subject: &str| {
        server.http.request(method, server.url("/v3/auth/tokens")).header("X-Auth-Token", &token).header("X-Subject-Token", subject).send()
    };
    let response = validate(Method::GET, &unscoped).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-subject-token"], unscoped.as_str());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token"]["user"]["name"], "admin");
    let response = validate(Method::GET, &token).await.unwrap();
    assert_eq!(response.json::<Value>().await.unwrap()["token"]["project"]["name"], "alpha", "a token keeps its project");
    assert_eq!(validate(Method::HEAD, &unscoped).await.unwrap().status(), 200);
    // Revocation: 204, then the token is refused everywhere.
    assert_eq!(validate(Method::DELETE, &unscoped).await.unwrap().status(), 204);
    assert_eq!(validate(Method::GET, &unscoped).await.unwrap().status(), 404);
    assert_eq!(server.get_json("/steward/v1/whoami", &unscoped).await.0, 401);
}

async fn keystone_refusals_are_keystones_errors_and_change_nothing(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[]);
    assert!(cli(&db, &["project", "add", "alpha"], "").status.success());
    let tokens_before = db.query("SELECT COUNT(*) FROM tokens");
    let user = |secret: &str| json!({ "name": "admin", "domain": { "name": "Default" }, "password": secret });
    // A wrong password: Keystone's 401 with its challenge.
    let response = server.http.post(server.url("/v3/auth/tokens")).json(&password(user("wrong"), None)).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert!(response.headers()["www-authenticate"].to_str().unwrap().starts_with("Keystone uri="));
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({ "error": { "code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication." } })
    );
    // A project the account is not a member of, another domain, an unknown user.
    let scope = json!({ "project": { "name": "alpha", "domain": { "name": "Default" } } });
    assert_eq!(authenticate(&server, &password(user(ADMIN_PASSWORD), Some(scope))).await.0, 401);
    let (status, _, body) = authenticate(&server, &password(json!({ "name": "admin", "domain": { "name": "Other" }, "password": ADMIN_PASSWORD }), None)).await;
    assert_eq!((status, &body["error"]["code"]), (400, &json!(400)));
    assert_eq!(authenticate(&server, &password(json!({ "name": "nobody", "password": "x" }), None)).await.0, 401);
    assert_eq!(authenticate(&server, &password(json!({ "id": "not-a-uuid", "password": "x" }), None)).await.0, 401);
    // Bodies that are not an authentication: 400 in Keystone's shape, never 5xx.
    for body in [json!({}), json!({ "auth": {} }), json!({ "auth": { "identity": { "methods": ["token"], "token": { "id": "x" } } } }), json!([1])] {
        let (status, _, refused) = authenticate(&server, &body).await;
        assert_eq!((status, &refused["error"]["code"]), (400, &json!(400)), "{body}");
    }
    let (status, _, text) = raw_post(&server, "/v3/auth/tokens", &[("content-type", "application/json")], b"{\"auth\": ");
    assert_eq!(status, 400, "{text}");
    // Validation needs a caller's token (401) and a known subject (404).
    let admin = server.admin_token().await;
    let validate = |caller: Option<&str>, subject: &str| {
        let mut request = server.http.get(server.url("/v3/auth/tokens")).header("X-Subject-Token", subject);
        if let Some(caller) = caller {
            request = request.header("X-Auth-Token", caller);
        }
        request.send()
    };
    assert_eq!(validate(None, &admin).await.unwrap().status(), 401);
    assert_eq!(validate(Some("nonsense"), &admin).await.unwrap().status(), 401);
    let missing = validate(Some(&admin), "nonsense").await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.json::<Value>().await.unwrap()["error"]["title"], "Not Found");
    let patch = server.http.patch(server.url("/v3/auth/tokens")).send().await.unwrap();
    assert_eq!(patch.status(), 405);
    // Only the admin's own login above made a token.
    let tokens_after = db.query("SELECT COUNT(*) FROM tokens");
    assert_eq!(tokens_before.trim().parse::<u64>().unwrap() + 1, tokens_after.trim().parse::<u64>().unwrap());
}

async fn under_a_prefix_every_link_carries_it(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[("STEWARD_FACES__ADJUTANT__PREFIX", "/adjutant")]);
    let (status, version) = server.get_json("/adjutant/v1", "").await;
    assert_eq!((status, version["version"]["links"][0]["href"].as_str()), (200, Some(server.url("/adjutant/v1/").as_str())));
    assert_eq!(server.get_json("/v1", "").await.0, 404, "not at the root any more");
    // Keystone is served at the root and under the prefix; its catalog points at the prefix.
    assert_eq!(server.get_json("/adjutant/v3", "").await.0, 200);
    let body = password(json!({ "name": "admin", "password": ADMIN_PASSWORD }), None);
    let (status, _, token) = authenticate(&server, &body).await;
    assert_eq!(status, 201);
    let catalog = token["token"]["catalog"].as_array().unwrap();
    let adjutant = catalog.iter().find(|service| service["type"] == "admin-logic").unwrap();
    assert_eq!(adjutant["endpoints"][0]["url"], server.url("/adjutant/v1"));
}
