//! `/login`, `/logout` and the credential rules of every Janua endpoint.

use serde_json::json;

use super::{Janua, answer};
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    a_prefix_moves_the_face,
    a_disabled_face_is_not_served,
    login_succeeds_with_token_and_cookies,
    login_failures_are_200_with_a_message,
    login_bodies_that_are_not_json_are_refused,
    credentials_are_checked_janua_style,
    logout_revokes_the_token,
    janua_login_is_rate_limited,
    cookies_are_secure_behind_https,
);

/// With an https `public_url` the browser is behind TLS: the cookies say `Secure`.
async fn cookies_are_secure_behind_https(backend: Backend) {
    async fn cookies(janua: &Janua) -> Vec<String> {
        let response = janua.post_json("/login", None, json!({"username": "admin", "password": ADMIN_PASSWORD, "language": "EN"})).await;
        response.headers().get_all("set-cookie").iter().map(|value| value.to_str().unwrap().to_owned()).collect()
    }
    let plain = Janua::start(backend);
    let set = cookies(&plain).await;
    assert_eq!(set.len(), 3);
    assert!(set.iter().all(|cookie| !cookie.contains("Secure")), "{set:?}");
    let behind_tls = Janua::start_with(backend, &[("STEWARD_PUBLIC_URL", "https://admin.example.org")]);
    let set = cookies(&behind_tls).await;
    assert_eq!(set.len(), 3);
    assert!(set.iter().all(|cookie| cookie.contains("; Secure")), "{set:?}");
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let logout = no_redirects.get(behind_tls.server.url("/logout")).send().await.unwrap();
    let cleared: Vec<&str> = logout.headers().get_all("set-cookie").iter().map(|value| value.to_str().unwrap()).collect();
    assert_eq!(cleared.len(), 3);
    assert!(cleared.iter().all(|cookie| cookie.contains("; Secure")), "{cleared:?}");
}

async fn login_succeeds_with_token_and_cookies(backend: Backend) {
    let janua = Janua::start(backend);
    // Case 1.
    let response = janua.post_json("/login", None, json!({"username": "admin", "password": ADMIN_PASSWORD, "language": "EN"})).await;
    assert_eq!(response.status(), 200);
    let cookies: Vec<String> = response.headers().get_all("set-cookie").iter().map(|value| value.to_str().unwrap().to_owned()).collect();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["success"], true);
    assert_eq!(body["message"], "Successful authentication");
    let token = body["JanuaAuthToken"].as_str().unwrap();
    assert!(!token.is_empty());
    assert!(cookies.iter().any(|cookie| cookie.starts_with("role=admin;")), "{cookies:?}");
    assert!(cookies.iter().any(|cookie| cookie.starts_with("admin_id=")), "{cookies:?}");
    assert!(cookies.iter().any(|cookie| cookie.starts_with(&format!("auth_token={token};"))), "{cookies:?}");
    // The token is a Steward token: it works on the native API too (one identity).
    assert_eq!(janua.server.get_json("/steward/v1/whoami", token).await.1["login"], "admin");

    // A supervisor by login and by phone number.
    let response = janua.post_json("/login", None, json!({"username": "sup1", "password": "sup1pw", "language": "FR"})).await;
    let cookies: Vec<String> = response.headers().get_all("set-cookie").iter().map(|value| value.to_str().unwrap().to_owned()).collect();
    assert!(cookies.iter().any(|cookie| cookie.starts_with("role=supervisor;")), "{cookies:?}");
    janua.login("+33100000002", "sup1pw").await;
}

async fn login_failures_are_200_with_a_message(backend: Backend) {
    let janua = Janua::start(backend);
    // Case 2.
    let (status, body) = answer(janua.post_json("/login", None, json!({"username": "admin", "password": "wrong", "language": "EN"})).await).await;
    assert_eq!((status, &body), (200, &json!({"success": false, "message": "Authentication failure"})));
    for (body, message) in [
        (json!({"password": "x", "language": "EN"}), "Username is missing"),
        (json!({"username": "admin", "language": "EN"}), "Password is missing"),
        (json!({"username": "admin", "password": ADMIN_PASSWORD}), "Language is missing"),
        (json!({"username": "admin", "password": "", "language": "EN"}), "Authentication failure"),
        (json!({"username": "nobody", "password": "x", "language": "EN"}), "Authentication failure"),
        (json!({"username": "admin", "password": 42, "language": "EN"}), "Authentication failure"),
        (json!({}), "Request format is not json"),
        (json!([1, 2]), "Request format is not json"),
    ] {
        let (status, answer) = answer(janua.post_json("/login", None, body.clone()).await).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(answer, json!({"success": false, "message": message}), "{body}");
    }
    // An account without a Janua role cannot log in to Janua.
    assert!(cli(&janua.db, &["account", "create", "plain", "--password-stdin"], "plainpw\n").status.success());
    let (_, body) = answer(janua.post_json("/login", None, json!({"username": "plain", "password": "plainpw", "language": "EN"})).await).await;
    assert_eq!(body["message"], "Authentication failure");
}

async fn login_bodies_that_are_not_json_are_refused(backend: Backend) {
    let janua = Janua::start(backend);
    // Case 3: not JSON by content type.
    let response = janua.server.http.post(janua.server.url("/login")).header("content-type", "text/plain").body("username=admin").send().await.unwrap();
    assert_eq!(answer(response).await, (200, json!({"success": false, "message": "Request format is not json"})));
    // Case 4: broken JSON is a 400 in the same envelope, never a 500.
    let response = janua.server.http.post(janua.server.url("/login")).header("content-type", "application/json").body("{\"username\": \"admin\",").send().await.unwrap();
    assert_eq!(answer(response).await, (400, json!({"success": false, "message": "Request format is not json"})));
    // Over the body limit.
    let response = janua.server.http.post(janua.server.url("/login")).header("content-type", "application/json").body(vec![b' '; 300 * 1024]).send().await.unwrap();
    assert_eq!(response.status(), 413);
    // GET is not a method of /login.
    let response = janua.server.http.get(janua.server.url("/login")).send().await.unwrap();
    assert_eq!(response.headers()["allow"], "POST");
    assert_eq!(answer(response).await, (405, json!({"success": false, "message": "Method not allowed"})));
}

async fn credentials_are_checked_janua_style(backend: Backend) {
    let janua = Janua::start(backend);
    let url = janua.server.url("/get_sms_config");
    // No credentials (as case 35).
    assert_eq!(answer(janua.get("/get_sms_config", None).await).await, (401, json!({"success": false, "message": "Not Authorized"})));
    // Case 13: a bad JanuaAuthToken is not rescued by valid Basic credentials.
    let response = janua.server.http.get(&url).header("JanuaAuthToken", "garbage").basic_auth("sup1", Some("sup1pw")).send().await.unwrap();
    assert_eq!(response.status(), 401);
    // Case 14: Basic with the phone number as username.
    let response = janua.server.http.get(&url).basic_auth("+33100000002", Some("sup1pw")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let response = janua.server.http.get(&url).basic_auth("sup1", Some("sup1pw")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let response = janua.server.http.get(&url).basic_auth("sup1", Some("wrong")).send().await.unwrap();
    assert_eq!(response.status(), 401);
    // Steward's own token headers work as well.
    let token = janua.login("sup1", "sup1pw").await;
    assert_eq!(janua.server.http.get(&url).bearer_auth(&token).send().await.unwrap().status(), 200);
    // A token of an account without a Janua role is refused like a bad one.
    assert!(cli(&janua.db, &["account", "create", "plain", "--password-stdin"], "plainpw\n").status.success());
    let plain = janua.server.login("plain", "plainpw").await;
    assert_eq!(janua.get("/get_sms_config", Some(&plain)).await.status(), 401);
    let (status, body) = answer(janua.get("/get_sms_config", Some(&token)).await).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"totalaction": 0, "totalcategory": 0, "action": [], "category": [], "phone_token": null}));
    let (status, body) = answer(janua.get("/get_web_config", Some(&token)).await).await;
    assert_eq!((status, body), (200, json!({"totalaction": 0, "totalcategory": 0, "action": [], "category": []})));
    assert_eq!(answer(janua.get("/get_web_config", None).await).await.0, 401);
    let response = janua.post_json("/get_web_config", Some(&token), json!({})).await;
    assert_eq!(response.status(), 405);
}

async fn logout_revokes_the_token(backend: Backend) {
    let janua = Janua::start(backend);
    let token = janua.login("sup1", "sup1pw").await;
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    // Case 48.
    let response = no_redirects.get(janua.server.url("/logout")).header("JanuaAuthToken", &token).send().await.unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/index.html");
    let cleared: Vec<&str> = response.headers().get_all("set-cookie").iter().map(|value| value.to_str().unwrap()).collect();
    assert_eq!(cleared.len(), 3);
    assert!(cleared.iter().all(|cookie| cookie.contains("Max-Age=0")), "{cleared:?}");
    assert_eq!(janua.get("/get_sms_config", Some(&token)).await.status(), 401);
    // The cookie form of the token is revoked too; a logout without a token still redirects.
    let token = janua.login("sup1", "sup1pw").await;
    let response = no_redirects.get(janua.server.url("/logout")).header("cookie", format!("role=supervisor; auth_token={token}")).send().await.unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(janua.get("/get_sms_config", Some(&token)).await.status(), 401);
    assert_eq!(no_redirects.get(janua.server.url("/logout")).send().await.unwrap().status(), 302);
}

async fn janua_login_is_rate_limited(backend: Backend) {
    let janua = Janua::start_with(backend, &[("STEWARD_SECURITY__LOGIN_ATTEMPTS_PER_MINUTE", "2")]);
    for _ in 0..2 {
        let (_, body) = answer(janua.post_json("/login", None, json!({"username": "sup1", "password": "bad", "language": "EN"})).await).await;
        assert_eq!(body["message"], "Authentication failure");
    }
    let (status, body) = answer(janua.post_json("/login", None, json!({"username": "sup1", "password": "sup1pw", "language": "EN"})).await).await;
    assert_eq!(status, 200);
    assert_eq!(body["success"], false);
    assert!(body["message"].as_str().unwrap().starts_with("Too many failed logins"), "{body}");
    let response = janua.server.http.get(janua.server.url("/get_sms_config")).basic_auth("+33100000002", Some("sup1pw")).send().await.unwrap();
    assert_eq!(response.status(), 429, "Basic is limited too, by address");
    assert!(response.headers().contains_key("retry-after"));
}

async fn a_prefix_moves_the_face(backend: Backend) {
    let janua = Janua::start_with(backend, &[("STEWARD_FACES__JANUA__PREFIX", "/janua")]);
    let body = json!({"username": "sup1", "password": "sup1pw", "language": "EN"});
    assert_eq!(janua.post_json("/login", None, body.clone()).await.status(), 404, "not at the root any more");
    let response = janua.post_json("/janua/login", None, body.clone()).await;
    let cookies: Vec<String> = response.headers().get_all("set-cookie").iter().map(|value| value.to_str().unwrap().to_owned()).collect();
    assert!(cookies.iter().all(|cookie| cookie.contains("Path=/janua;")), "{cookies:?}");
    let token = answer(response).await.1["JanuaAuthToken"].as_str().unwrap().to_owned();
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = no_redirects.get(janua.server.url("/janua/logout")).header("JanuaAuthToken", &token).send().await.unwrap();
    assert_eq!(response.headers()["location"], "/janua/index.html");
}

async fn a_disabled_face_is_not_served(backend: Backend) {
    let janua = Janua::start_with(backend, &[("STEWARD_FACES__JANUA__ENABLED", "false")]);
    let body = json!({"username": "sup1", "password": "sup1pw", "language": "EN"});
    assert_eq!(janua.post_json("/login", None, body).await.status(), 404);
    assert_eq!(janua.get("/get_sms_config", None).await.status(), 404);
    assert_eq!(janua.server.http.get(janua.server.url("/healthz")).send().await.unwrap().status(), 200);
}
