//! dRofus' `/users`: people by dotted usernames, `q`, validation in Rails' words, and the
//! action GETs that disable, enable and kick a person on every face (cases 23–26).

use serde_json::{Value, json};

use super::{drofus, keys};
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    users_are_created_found_by_dotted_names_searched_changed_and_deleted,
    user_validation_reports_every_failing_field_and_changes_nothing,
    disable_kick_and_enable_act_on_every_face,
);

async fn users_are_created_found_by_dotted_names_searched_changed_and_deleted(backend: Backend) {
    let drofus = drofus(backend).await;
    // Case 23.
    let response = drofus
        .request(reqwest::Method::POST, "/users")
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .body(json!({"user": {"username": "hakon.clausen", "first_name": "H", "last_name": "C", "email": "hc@example.org"}}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    assert!(response.headers()["location"].to_str().unwrap().ends_with("/users/hakon.clausen"));
    let created: Value = response.json().await.unwrap();
    assert_eq!(keys(&created["user"]), ["active", "created_at", "email", "first_name", "id", "last_name", "updated_at", "username"]);
    assert_eq!(created["user"]["active"], true);
    let (status, by_accept) = drofus.get("/users/hakon.clausen").await;
    assert_eq!((status, &by_accept["user"]["username"]), (200, &json!("hakon.clausen")));
    assert_eq!(drofus.get("/users/hakon.clausen.json").await, (200, by_accept.clone()));
    // The lookup ignores case, as logins do everywhere.
    assert_eq!(drofus.get("/users/Hakon.Clausen.json").await.0, 200);
    let (_, xml, body) = drofus.get_as("/users/hakon.clausen.xml", "*/*").await;
    assert!(xml.starts_with("application/xml") && body.contains("<first-name>H</first-name>"), "{body}");
    assert!(!body.contains("password"), "{body}");

    // Case 24, with a second person.
    let (status, _) = drofus
        .post("/users", json!({"user": {"username": "hakonhc", "first_name": "Håkon", "last_name": "Clausen", "email": "hhc@drofus.com"}}))
        .await;
    assert_eq!(status, 201);
    let (status, found) = drofus.get("/users.json?q=clausen").await;
    assert_eq!(status, 200);
    let names: Vec<&str> = found.as_array().unwrap().iter().map(|user| user["user"]["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["hakon.clausen", "hakonhc"]);
    let (_, by_mail) = drofus.get("/users.json?q=DROFUS.COM").await;
    assert_eq!(by_mail.as_array().unwrap().len(), 1);
    let (_, literal) = drofus.get("/users.json?q=%25").await;
    assert_eq!(literal, json!([]), "% is a character, not a wildcard");
    let (_, everyone) = drofus.get("/users.json").await;
    assert!(everyone.as_array().unwrap().len() >= 4, "admin, testadmin and the two: {everyone}");

    let (status, changed) = drofus.patch("/users/hakonhc", json!({"user": {"first_name": "Haakon", "username": "renamed"}})).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["user"]["first_name"], "Haakon");
    assert_eq!(changed["user"]["last_name"], "Clausen");
    assert_eq!(changed["user"]["username"], "hakonhc", "a username never changes");
    let entries = drofus.server.audit(20).await;
    assert_eq!(by_whom(audit_entry(&entries, "person.update", "hakonhc")), ("account:testadmin", "drofus"));

    assert_eq!(drofus.delete("/users/hakon.clausen.json").await, (204, Value::Null));
    assert_eq!(drofus.get("/users/hakon.clausen.json").await.0, 404);
    assert_eq!(drofus.delete("/users/hakon.clausen.json").await.0, 404);
    assert_eq!(drofus.patch("/users/nosuch", json!({"user": {"first_name": "X"}})).await.0, 404);
}

async fn user_validation_reports_every_failing_field_and_changes_nothing(backend: Backend) {
    let drofus = drofus(backend).await;
    let (status, body) = drofus.post("/users", json!({"user": {"username": "bad name", "email": "not-an-address"}})).await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({"username": ["is invalid"], "first_name": ["can't be blank"], "last_name": ["can't be blank"], "email": ["is invalid"]})
    );
    let (status, _) = drofus.post("/users", json!({"user": {"username": "anna", "first_name": "A", "last_name": "B", "email": "anna@example.org"}})).await;
    assert_eq!(status, 201);
    // Taken, whatever the case, for the username and the e-mail alike.
    let (status, body) = drofus.post("/users", json!({"user": {"username": "ANNA", "first_name": "A", "last_name": "B", "email": "Anna@Example.org"}})).await;
    assert_eq!((status, body), (422, json!({"username": ["has already been taken"], "email": ["has already been taken"]})));
    let (status, body) = drofus.post("/users", json!({"user": {"username": "x".repeat(65), "first_name": "A", "last_name": "B", "email": "x@example.org"}})).await;
    assert_eq!((status, body), (422, json!({"username": ["is invalid"]})));
    // Not wrapped in `user`: 400.
    let (status, body) = drofus.post("/users", json!({"username": "loose"})).await;
    assert_eq!((status, body), (400, json!({"status": 400, "error": "Bad Request"})));
    // An update that breaks a rule changes nothing.
    let (status, body) = drofus.patch("/users/anna", json!({"user": {"first_name": "", "email": "testadmin-not-mail"}})).await;
    assert_eq!((status, body), (422, json!({"first_name": ["can't be blank"], "email": ["is invalid"]})));
    let (_, anna) = drofus.get("/users/anna").await;
    assert_eq!((anna["user"]["first_name"].as_str(), anna["user"]["email"].as_str()), (Some("A"), Some("anna@example.org")));
    // XML errors are full messages.
    let response = drofus
        .request(reqwest::Method::POST, "/users.xml")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("user[username]=&user[first_name]=A&user[last_name]=B&user[email]=b@example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 422);
    assert!(response.text().await.unwrap().contains("<error>Username can't be blank</error>"));
    let (_, everyone) = drofus.get("/users.json?q=example.org").await;
    assert_eq!(everyone.as_array().unwrap().len(), 1, "only anna: {everyone}");
}

async fn disable_kick_and_enable_act_on_every_face(backend: Backend) {
    let drofus = drofus(backend).await;
    let password = "hakon-password-1";
    let (status, _) = drofus
        .post("/users", json!({"user": {"username": "hakonhc", "first_name": "Håkon", "last_name": "Clausen", "email": "hhc@drofus.com", "password": password}}))
        .await;
    assert_eq!(status, 201);
    let whoami = |token: String| {
        let server = &drofus.server;
        async move { server.get_json("/steward/v1/whoami", &token).await.0 }
    };

    // Case 26: a token hakonhc had is refused after a kick; the account stays enabled.
    let token = drofus.server.login("hakonhc", password).await;
    assert_eq!(whoami(token.clone()).await, 200);
    let (status, body) = drofus.get("/users/hakonhc/kick").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["status"].as_str(), body["count"].as_u64()), (Some("ok"), Some(1)));
    assert_eq!(whoami(token).await, 401);
    let token = drofus.server.login("hakonhc", password).await;
    // POST works too; HEAD never acts.
    let head = drofus.request(reqwest::Method::HEAD, "/users/hakonhc/kick").send().await.unwrap();
    assert_eq!(head.status().as_u16(), 405);
    assert_eq!(whoami(token.clone()).await, 200);

    // Disabled: no login anywhere, its tokens revoked. Before, its password works on the
    // dRofus face too (403: no role); after, it is not even recognised (401).
    let on_drofus = || async {
        let response = drofus.server.http.get(drofus.server.url("/projects.json")).basic_auth("hakonhc", Some(password)).send().await.unwrap();
        response.status().as_u16()
    };
    assert_eq!(on_drofus().await, 403);
    let (status, body) = drofus.post("/users/hakonhc/disable.json", json!({})).await;
    assert_eq!((status, body["count"].as_u64()), (200, Some(1)));
    assert_eq!(whoami(token).await, 401);
    let refused = drofus.server.http.post(drofus.server.url("/steward/v1/tokens")).json(&json!({"login": "hakonhc", "password": password})).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let basic = drofus.server.http.get(drofus.server.url("/steward/v1/whoami")).basic_auth("hakonhc", Some(password)).send().await.unwrap();
    assert_eq!(basic.status().as_u16(), 401);
    assert_eq!(on_drofus().await, 401);
    let (_, shown) = drofus.get("/users/hakonhc").await;
    assert_eq!(shown["user"]["active"], false);
    // Repeating is not an error.
    let (status, body) = drofus.get("/users/hakonhc/disable").await;
    assert_eq!((status, body["count"].as_u64()), (200, Some(0)));
    let response = drofus.request(reqwest::Method::GET, "/users/hakonhc/disable.xml").send().await.unwrap();
    assert!(response.text().await.unwrap().contains("<status>ok</status>"));

    let (status, _) = drofus.get("/users/hakonhc/enable").await;
    assert_eq!(status, 200);
    assert_eq!(whoami(drofus.server.login("hakonhc", password).await).await, 200);
    let entries = drofus.server.audit(20).await;
    assert_eq!(by_whom(audit_entry(&entries, "person.disable", "hakonhc")), ("account:testadmin", "drofus"));

    // Case 25: unknown people are 404, for each action.
    for action in ["disable", "enable", "kick"] {
        assert_eq!(drofus.get(&format!("/users/nosuch/{action}")).await, (404, json!({"status": 404, "error": "Not Found"})));
    }
    // An HTML client is sent back to the person (the client follows the 302).
    let response = drofus.request(reqwest::Method::GET, "/users/hakonhc/kick.html").send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.url().path(), "/users/hakonhc");
    assert!(response.text().await.unwrap().contains("<td>hakonhc</td>"));
}
