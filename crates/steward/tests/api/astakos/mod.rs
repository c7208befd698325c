//! The Astakos face, so far `/im/get_services` and `/im/get_menu`: conformance cases 1–4
//! and 29 of astakos.md §6, the JSONP callback check and the 400 for other methods.

use serde_json::json;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(services_and_the_menu);

async fn services_and_the_menu(backend: Backend) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[]);
    for (name, url) in [("cyclades", "/ui/"), ("pithos+", "/pithos/")] {
        let added = cli(&db, &["service", "add", name, "--url", url], "");
        assert!(added.status.success(), "{}", stderr(&added));
    }
    let created = cli(&db, &["account", "create", "u1", "--password-stdin", "--email", "u1@example.com"], "u1-password-1\n");
    assert!(created.status.success(), "{}", stderr(&created));
    let get = |path: &str, token: Option<&str>| {
        let mut request = server.http.get(server.url(path));
        if let Some(token) = token {
            request = request.header("X-Auth-Token", token);
        }
        request.send()
    };
    // Case 1: the seed's form, in registration order.
    let response = get("/im/get_services", None).await.unwrap();
    assert_eq!(response.headers()["content-type"], "application/json; charset=UTF-8");
    let services: serde_json::Value = response.json().await.unwrap();
    let names: Vec<&str> = services.as_array().unwrap().iter().map(|service| service["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["cyclades", "pithos+"]);
    assert!(services[0]["id"].is_string() && services[0]["url"] == "/ui/" && services[0].get("icon").is_none(), "{services}");
    // Case 2: JSONP; a callback that is not an identifier is refused.
    let response = get("/im/get_services/?callback=cb", None).await.unwrap();
    assert_eq!(response.headers()["content-type"], "application/javascript; charset=UTF-8");
    let body = response.text().await.unwrap();
    assert!(body.starts_with("cb([") && body.ends_with(")"), "{body}");
    let refused = get("/im/get_services?callback=alert(1)//", None).await.unwrap();
    assert_eq!(refused.status(), 400);
    assert_eq!(refused.json::<serde_json::Value>().await.unwrap(), json!({"badRequest": {"code": 400, "message": "Invalid callback", "details": ""}}));
    // Cases 3, 29: signed out.
    assert_eq!(get("/im/get_menu", None).await.unwrap().json::<serde_json::Value>().await.unwrap(), json!([{"url": "/im/", "name": "Sign in"}]));
    assert_eq!(get("/im/get_menu?location=/ui/", None).await.unwrap().json::<serde_json::Value>().await.unwrap(), json!([{"url": "/im/?next=/ui/", "name": "Sign in"}]));
    assert_eq!(
        get("/im/get_menu?location=/a?b=1%26c", None).await.unwrap().json::<serde_json::Value>().await.unwrap()[0]["url"],
        "/im/?next=/a%3Fb=1%26c"
    );
    // Case 4: signed in with a user token from any login.
    let token = server.login("u1", "u1-password-1").await;
    let menu: serde_json::Value = get("/im/get_menu", Some(&token)).await.unwrap().json().await.unwrap();
    assert_eq!(menu.as_array().unwrap().len(), 3);
    assert_eq!(menu[0]["name"], "u1@example.com");
    assert_eq!((menu[2]["name"].clone(), menu[2]["url"].clone()), (json!("Sign out"), json!("/im/logout")));
    // An invalid token is simply signed out, never 401; a service token is no user.
    assert_eq!(get("/im/get_menu", Some("nonexistent")).await.unwrap().json::<serde_json::Value>().await.unwrap()[0]["name"], "Sign in");
    let service_token = stdout(&cli(&db, &["service", "renew-token", "cyclades"], "")).trim().to_owned();
    assert_eq!(get("/im/get_menu", Some(&service_token)).await.unwrap().json::<serde_json::Value>().await.unwrap()[0]["name"], "Sign in");
    // GET, HEAD and POST are taken; anything else is Astakos' 400.
    assert_eq!(server.http.post(server.url("/im/get_menu")).send().await.unwrap().status(), 200);
    let deleted = server.http.delete(server.url("/im/get_services")).send().await.unwrap();
    assert_eq!(deleted.status(), 400);
    assert_eq!(deleted.json::<serde_json::Value>().await.unwrap()["badRequest"]["message"], "Method not allowed.");
}
