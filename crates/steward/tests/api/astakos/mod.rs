//! The Astakos face, so far `/im/get_services` and `/im/get_menu`: conformance cases 1–4
//! and 29 of astakos.md §6, the JSONP callback check and the 400 for other methods.

use serde_json::json;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    services_are_listed_in_registration_order,
    the_menu_signed_out_offers_sign_in,
    the_menu_signed_in_names_the_user,
    authenticate_refuses_missing_invalid_and_inactive_tokens,
    authenticate_answers_the_user_with_its_token_dates,
    authenticate_reports_usage_when_asked,
    authenticate_refuses_expired_tokens,
    pending_terms_are_refused_until_accepted,
    a_token_from_another_login_is_the_same_user,
    user_catalogs_translate_known_uuids,
    a_service_catalogs_every_user,
    bad_catalog_requests_are_refused,
    expired_tokens_get_no_catalog,
    accounts_made_elsewhere_are_in_the_catalogs,
    feedback_is_mailed_before_the_answer,
    feedback_refusals_mail_nothing,
    feedback_is_limited_in_size_and_rate,
    feedback_that_cannot_be_mailed_is_502_and_never_mailed_later,
    a_service_end_to_end,
);

/// Runs a CLI command that must succeed; its stdout, trimmed.
fn run(db: &TestDb, args: &[&str], stdin: &str) -> String {
    let output = cli(db, args, stdin);
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    stdout(&output).trim().to_owned()
}

/// `GET path` with `X-Auth-Token` when given.
async fn get(server: &Server, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = server.http.get(server.url(path));
    if let Some(token) = token {
        request = request.header("X-Auth-Token", token);
    }
    request.send().await.unwrap()
}

/// `(status, body)` of `GET path` with `X-Auth-Token` when given.
async fn get_json(server: &Server, path: &str, token: Option<&str>) -> (u16, serde_json::Value) {
    let response = get(server, path, token).await;
    let status = response.status().as_u16();
    (status, response.json::<serde_json::Value>().await.unwrap())
}

/// `(status, body)` of `POST path` with `X-Auth-Token` when given.
async fn post_json(server: &Server, path: &str, token: Option<&str>, body: &str) -> (u16, serde_json::Value) {
    let mut request = server.http.post(server.url(path)).body(body.to_owned());
    if let Some(token) = token {
        request = request.header("X-Auth-Token", token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json::<serde_json::Value>().await.unwrap())
}

fn unauthorized(message: &str) -> serde_json::Value {
    json!({"unauthorized": {"code": 401, "message": message, "details": ""}})
}

fn bad_request(message: &str) -> serde_json::Value {
    json!({"badRequest": {"code": 400, "message": message, "details": ""}})
}

/// A server with the services cyclades (`/ui/`) and pithos+ (`/pithos/`) and the user u1.
fn with_services(backend: Backend) -> (TestDb, Server) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[]);
    for (name, url) in [("cyclades", "/ui/"), ("pithos+", "/pithos/")] {
        run(&db, &["service", "add", name, "--url", url], "");
    }
    run(&db, &["account", "create", "u1", "--password-stdin", "--email", "u1@example.com"], "u1-password-1\n");
    (db, server)
}

async fn services_are_listed_in_registration_order(backend: Backend) {
    let (_db, server) = with_services(backend);
    // Case 1: the seed's form, in registration order.
    let response = get(&server, "/im/get_services", None).await;
    assert_eq!(response.headers()["content-type"], "application/json; charset=UTF-8");
    let services: serde_json::Value = response.json().await.unwrap();
    let names: Vec<&str> = services.as_array().unwrap().iter().map(|service| service["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["cyclades", "pithos+"]);
    assert!(services[0]["id"].is_string() && services[0]["url"] == "/ui/" && services[0].get("icon").is_none(), "{services}");
    // Case 2: JSONP; a callback that is not an identifier is refused.
    let response = get(&server, "/im/get_services/?callback=cb", None).await;
    assert_eq!(response.headers()["content-type"], "application/javascript; charset=UTF-8");
    let body = response.text().await.unwrap();
    assert!(body.starts_with("cb([") && body.ends_with(")"), "{body}");
    assert_eq!(get_json(&server, "/im/get_services?callback=alert(1)//", None).await, (400, bad_request("Invalid callback")));
    // GET, HEAD and POST are taken; anything else is Astakos' 400.
    let deleted = server.http.delete(server.url("/im/get_services")).send().await.unwrap();
    assert_eq!(deleted.status(), 400);
    assert_eq!(deleted.json::<serde_json::Value>().await.unwrap()["badRequest"]["message"], "Method not allowed.");
}

async fn the_menu_signed_out_offers_sign_in(backend: Backend) {
    let (_db, server) = with_services(backend);
    // Cases 3, 29: signed out.
    assert_eq!(get_json(&server, "/im/get_menu", None).await, (200, json!([{"url": "/im/", "name": "Sign in"}])));
    assert_eq!(get_json(&server, "/im/get_menu?location=/ui/", None).await.1, json!([{"url": "/im/?next=/ui/", "name": "Sign in"}]));
    assert_eq!(get_json(&server, "/im/get_menu?location=/a?b=1%26c", None).await.1[0]["url"], "/im/?next=/a%3Fb=1%26c");
}

async fn the_menu_signed_in_names_the_user(backend: Backend) {
    let (db, server) = with_services(backend);
    // Case 4: signed in with a user token from any login.
    let token = server.login("u1", "u1-password-1").await;
    let menu = get_json(&server, "/im/get_menu", Some(&token)).await.1;
    assert_eq!(menu.as_array().unwrap().len(), 3);
    assert_eq!(menu[0]["name"], "u1@example.com");
    assert_eq!((menu[2]["name"].clone(), menu[2]["url"].clone()), (json!("Sign out"), json!("/im/logout")));
    // An invalid token is simply signed out, never 401; a service token is no user.
    assert_eq!(get_json(&server, "/im/get_menu", Some("nonexistent")).await, (200, json!([{"url": "/im/", "name": "Sign in"}])));
    let service_token = run(&db, &["service", "renew-token", "cyclades"], "");
    assert_eq!(get_json(&server, "/im/get_menu", Some(&service_token)).await.1[0]["name"], "Sign in");
    let posted = server.http.post(server.url("/im/get_menu")).header("X-Auth-Token", &token).send().await.unwrap();
    assert_eq!(posted.status(), 200);
    assert_eq!(posted.json::<serde_json::Value>().await.unwrap(), menu, "POST is GET");
}

/// The user `u1@example.com` (with a name and a `cyclades.vm` quota of 2, 1 used): a
/// server, its store, and a user token for u1 from the CLI.
fn with_user(backend: Backend) -> (TestDb, Server, String) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[]);
    run(&db, &["account", "create", "u1@example.com", "--password-stdin", "--email", "u1@example.com", "--name", "Firstname Lastname"], "u1-password-1\n");
    run(&db, &["quota", "set", "u1@example.com", "cyclades.vm", "2"], "");
    run(&db, &["usage", "set", "u1@example.com", "cyclades.vm", "1"], "");
    let token = run(&db, &["token", "issue", "u1@example.com"], "");
    (db, server, token)
}

/// `/im/authenticate`: cases 5, 6, 9, 12 of astakos.md §6 and an inactive user.
async fn authenticate_refuses_missing_invalid_and_inactive_tokens(backend: Backend) {
    let (db, server, _) = with_user(backend);
    run(&db, &["account", "create", "inactive", "--password-stdin"], "inactive-pw-1\n");
    let ti = run(&db, &["token", "issue", "inactive"], "");
    run(&db, &["account", "disable", "inactive"], "");
    let ts = run(&db, &["service", "add", "cyclades", "--url", "/ui/"], "");
    assert_eq!(get_json(&server, "/im/authenticate", None).await, (401, unauthorized("Access denied")));
    assert_eq!(get_json(&server, "/im/authenticate", Some("nonexistent")).await, (401, unauthorized("Invalid X-Auth-Token")));
    assert_eq!(get_json(&server, "/im/authenticate", Some(&ts)).await, (401, unauthorized("Invalid X-Auth-Token")), "a service token is no user token");
    // The method before the token.
    let posted = server.http.post(server.url("/im/authenticate")).send().await.unwrap();
    assert_eq!(posted.status(), 400);
    assert_eq!(posted.json::<serde_json::Value>().await.unwrap()["badRequest"]["message"], "Method not allowed.");
    assert_eq!(get_json(&server, "/im/authenticate", Some(&ti)).await, (401, unauthorized("User inactive")));
}

async fn authenticate_answers_the_user_with_its_token_dates(backend: Backend) {
    let (_db, server, tu) = with_user(backend);
    let (status, user) = get_json(&server, "/im/authenticate", Some(&tu)).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!((user["displayname"].clone(), user["username"].clone(), user["email"].clone(), user["name"].clone()),
        (json!("u1@example.com"), json!("u1@example.com"), json!(["u1@example.com"]), json!("Firstname Lastname")));
    assert!(user["id"].is_i64() && user["uuid"].as_str().unwrap().len() == 36, "{user}");
    let created = user["auth_token_created"].as_str().unwrap();
    assert!(created.ends_with(" GMT") && created.len() == 29, "{created}");
    assert!(user.get("usage").is_none());
}

async fn authenticate_reports_usage_when_asked(backend: Backend) {
    let (db, server, tu) = with_user(backend);
    // Cases 7, 8: usage when the parameter is there and not empty.
    let (_, with_usage) = get_json(&server, "/im/authenticate?usage=1", Some(&tu)).await;
    let usage = with_usage["usage"].as_array().unwrap();
    let vm = usage.iter().find(|entry| entry["name"] == "cyclades.vm").unwrap();
    assert_eq!(
        (vm["maxValue"].clone(), vm["currValue"].clone(), vm["unit"].clone(), vm["display_name"].clone(), vm["pluralized_display_name"].clone(), vm["is_abbreviation"].clone(), vm["description"].clone()),
        (json!(2), json!(1), json!(""), json!("VM"), json!("VMs"), json!(true), json!("Number of virtual machines"))
    );
    assert_eq!(usage[0]["name"], "pithos+.diskspace", "presentation order");
    assert!(get_json(&server, "/im/authenticate?usage=", Some(&tu)).await.1.get("usage").is_none());
    assert!(get_json(&server, "/im/authenticate?usage=0", Some(&tu)).await.1.get("usage").is_some(), "0.13's rule");
    // Usage reported by a service through the CLI shows within the contract's 2 s.
    run(&db, &["usage", "set", "u1@example.com", "cyclades.vm", "2"], "");
    let vm_used = || async {
        let (_, body) = get_json(&server, "/im/authenticate?usage=1", Some(&tu)).await;
        body["usage"].as_array().unwrap().iter().find(|entry| entry["name"] == "cyclades.vm").unwrap()["currValue"].clone()
    };
    assert!(eventually(std::time::Duration::from_secs(4), || async { vm_used().await == json!(2) }).await, "{}", vm_used().await);
}

async fn authenticate_refuses_expired_tokens(backend: Backend) {
    let (db, server, _) = with_user(backend);
    let tx = run(&db, &["token", "issue", "u1@example.com", "--ttl", "1s"], "");
    run(&db, &["account", "create", "inactive", "--password-stdin"], "inactive-pw-1\n");
    let tix = run(&db, &["token", "issue", "inactive", "--ttl", "1s"], "");
    run(&db, &["account", "disable", "inactive"], "");
    // Case 10.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(get_json(&server, "/im/authenticate", Some(&tx)).await, (401, unauthorized("Authentication expired")));
    assert_eq!(get_json(&server, "/im/authenticate", Some(&tix)).await, (401, unauthorized("User inactive")), "inactive comes before expired");
}

/// Case 11: new terms; whoever has not accepted them is refused, once the server sees the
/// CLI's terms (the contract's 2 s).
async fn pending_terms_are_refused_until_accepted(backend: Backend) {
    let (db, server, _) = with_user(backend);
    run(&db, &["account", "create", "w1", "--password-stdin"], "w1-password-1\n");
    let terms = db.dir.path().join("terms.txt");
    std::fs::write(&terms, "Be nice.").unwrap();
    run(&db, &["terms", "publish", terms.to_str().unwrap()], "");
    let tt = run(&db, &["token", "issue", "w1"], "");
    let pending = eventually(std::time::Duration::from_secs(4), || async {
        get_json(&server, "/im/authenticate", Some(&tt)).await == (401, unauthorized("Pending approval terms"))
    })
    .await;
    assert!(pending, "{:?}", get_json(&server, "/im/authenticate", Some(&tt)).await);
    run(&db, &["account", "accept-terms", "w1"], "");
    // The CLI works on the store; the server sees it once its token cache lapses (≤ 2 s).
    let accepted = eventually(std::time::Duration::from_secs(4), || async { get_json(&server, "/im/authenticate/", Some(&tt)).await.0 == 200 }).await;
    assert!(accepted, "accepted, and a trailing slash");
}

/// A token from the native login (as from Janua's) authenticates here too: one identity.
async fn a_token_from_another_login_is_the_same_user(backend: Backend) {
    let (_db, server, tu) = with_user(backend);
    let (_, user) = get_json(&server, "/im/authenticate", Some(&tu)).await;
    let native = server.login("u1@example.com", "u1-password-1").await;
    let (status, same) = get_json(&server, "/im/authenticate", Some(&native)).await;
    assert_eq!(status, 200, "{same}");
    assert_eq!((same["uuid"].clone(), same["username"].clone()), (user["uuid"].clone(), json!("u1@example.com")));
    assert_ne!(same["auth_token_created"], json!(null));
}

/// The users u1 and v1, with a user token and a service token: `(db, server, tu, ts, u1's uuid)`.
async fn with_catalog(backend: Backend) -> (TestDb, Server, String, String, String) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[]);
    run(&db, &["account", "create", "u1@example.com", "--password-stdin"], "u1-password-1\n");
    run(&db, &["account", "create", "v1@example.com", "--password-stdin"], "v1-password-1\n");
    let tu = run(&db, &["token", "issue", "u1@example.com"], "");
    let ts = run(&db, &["service", "add", "cyclades"], "");
    let (_, user) = get_json(&server, "/im/authenticate", Some(&tu)).await;
    let uu = user["uuid"].as_str().unwrap().to_owned();
    (db, server, tu, ts, uu)
}

/// `/user_catalogs`: cases 13, 14 of astakos.md §6.
async fn user_catalogs_translate_known_uuids(backend: Backend) {
    let (_db, server, tu, _, uu) = with_catalog(backend).await;
    let (status, body) = post_json(&server, "/user_catalogs", Some(&tu), &json!({"uuids": [uu, "00000000-0000-0000-0000-000000000000", "not-a-uuid"]}).to_string()).await;
    assert_eq!((status, body.clone()), (200, json!({"uuid_catalog": {uu.clone(): "u1@example.com"}, "displayname_catalog": {}})), "{body}");
    assert_eq!(post_json(&server, "/user_catalogs", Some(&tu), "{}").await, (200, json!({"uuid_catalog": {}, "displayname_catalog": {}})));
    assert_eq!(post_json(&server, "/user_catalogs", Some(&tu), r#"{"uuids": null}"#).await.1["uuid_catalog"], json!({}), "null is empty for a user");
}

/// Cases 15, 16: a service token; null means every user.
async fn a_service_catalogs_every_user(backend: Backend) {
    let (_db, server, tu, ts, uu) = with_catalog(backend).await;
    let (_, everyone) = post_json(&server, "/user_catalogs", Some(&ts), r#"{"uuids": null}"#).await;
    let catalog = everyone["uuid_catalog"].as_object().unwrap();
    assert!(catalog.contains_key(&uu) && catalog.values().any(|name| name == "v1@example.com"), "{everyone}");
    let (_, names) = post_json(&server, "/service/api/user_catalogs", Some(&ts), r#"{"displaynames": null}"#).await;
    let names = names["displayname_catalog"].as_object().unwrap();
    assert!(names.contains_key("u1@example.com") && names.contains_key("v1@example.com"));
    assert_eq!(names["u1@example.com"], json!(uu));
    assert_eq!(post_json(&server, "/service/api/user_catalogs", Some(&tu), "{}").await.0, 401, "a user token on the service path");
}

/// Cases 18–21, and no token or the wrong method.
async fn bad_catalog_requests_are_refused(backend: Backend) {
    let (_db, server, tu, _, uu) = with_catalog(backend).await;
    assert_eq!(post_json(&server, "/user_catalogs", Some(&tu), "not json").await, (400, bad_request("Request body should be json formatted.")));
    let (status, list) = post_json(&server, "/user_catalogs", Some(&tu), &json!([uu]).to_string()).await;
    assert!(status == 400 && list["badRequest"]["message"].as_str().unwrap().contains("dictionary"), "{list}");
    assert_eq!(post_json(&server, "/user_catalogs", Some(&tu), r#"{"uuids": "UU"}"#).await, (400, bad_request("Invalid uuids: \"UU\"")));
    assert_eq!(post_json(&server, "/user_catalogs", Some(&tu), r#"{"displaynames": [1]}"#).await, (400, bad_request("Items in 'displaynames' must be strings")));
    assert_eq!(post_json(&server, "/user_catalogs", None, r#"{"uuids": []}"#).await, (401, unauthorized("Access denied")));
    let got = server.http.get(server.url("/user_catalogs")).send().await.unwrap();
    assert_eq!(got.status(), 400, "the method before the token");
}

/// Cases 17, 22: expired tokens, a service's and a user's.
async fn expired_tokens_get_no_catalog(backend: Backend) {
    let (db, server, _, _, uu) = with_catalog(backend).await;
    let tx = run(&db, &["token", "issue", "u1@example.com", "--ttl", "1s"], "");
    let tsx = run(&db, &["service", "add", "old", "--ttl", "1s"], "");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(post_json(&server, "/service/api/user_catalogs", Some(&tsx), r#"{"uuids": []}"#).await, (401, unauthorized("Authentication expired")));
    assert_eq!(post_json(&server, "/user_catalogs", Some(&tx), &json!({"uuids": [uu]}).to_string()).await, (401, unauthorized("Authentication expired")));
}

/// Case 28: an account made elsewhere (here the CLI; any face makes the same account).
async fn accounts_made_elsewhere_are_in_the_catalogs(backend: Backend) {
    let (db, server, _, ts, _) = with_catalog(backend).await;
    run(&db, &["account", "create", "zed@example.org", "--password-stdin", "--role", "supervisor"], "zed-password-1\n");
    let (_, zed) = post_json(&server, "/service/api/user_catalogs", Some(&ts), r#"{"displaynames": ["zed@example.org"]}"#).await;
    let uuid = zed["displayname_catalog"]["zed@example.org"].as_str().unwrap_or_else(|| panic!("{zed}")).to_owned();
    let (_, back) = post_json(&server, "/service/api/user_catalogs", Some(&ts), &json!({"uuids": [uuid]}).to_string()).await;
    assert_eq!(back["uuid_catalog"][&uuid], "zed@example.org");
}

/// `POST /feedback` with `token`: the status and the body.
async fn post_feedback(server: &Server, token: &str, content_type: &str, body: &str) -> (u16, String) {
    let response = server
        .http
        .post(server.url("/feedback"))
        .header("X-Auth-Token", token)
        .header("content-type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// A server mailing through the sink `smtp_url`, feedback going to ops@example.org, with
/// the user u1 and a token of u1: `(db, server, tu)`.
fn with_feedback(backend: Backend, smtp_url: &str) -> (TestDb, Server, String) {
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[("STEWARD_MAIL__SMTP_URL", smtp_url), ("STEWARD_MAIL__FEEDBACK_TO", "ops@example.org")]);
    run(&db, &["account", "create", "u1@example.com", "--password-stdin", "--email", "u1@example.com"], "u1-password-1\n");
    let tu = run(&db, &["token", "issue", "u1@example.com"], "");
    (db, server, tu)
}

/// Case 23: form or JSON, the user's identity in the mail, sent before the answer.
async fn feedback_is_mailed_before_the_answer(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let maildir = &sink.maildir;
    let (_db, server, tu) = with_feedback(backend, &sink.url);
    // JSON, and the form 0.13 read: 200 with an empty body, the mail already sent.
    assert_eq!(post_feedback(&server, &tu, "application/json", r#"{"feedback_msg": "hi", "feedback_data": "{\"page\": 3}"}"#).await, (200, String::new()));
    assert_eq!(delivered(maildir).len(), 1, "sent before the answer");
    assert_eq!(post_feedback(&server, &tu, "application/x-www-form-urlencoded", "feedback_msg=hello%20there").await, (200, String::new()));
    let mails = delivered(maildir);
    assert_eq!(mails.len(), 2);
    let first = mails.iter().find(|mail| mail.contains("\nhi\n") || mail.contains("\r\nhi\r\n")).unwrap_or_else(|| panic!("{mails:?}"));
    assert!(first.contains("ops@example.org") && first.contains("u1@example.com") && first.contains("page"), "{first}");
    assert!(mails.iter().any(|mail| mail.contains("hello there")), "{mails:?}");
}

/// Cases 24–27: 0.13's refusals, and an expired token; nothing refused is mailed.
async fn feedback_refusals_mail_nothing(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let maildir = &sink.maildir;
    let (db, server, tu) = with_feedback(backend, &sink.url);
    let tx = run(&db, &["token", "issue", "u1@example.com", "--ttl", "1s"], "");
    let ts = run(&db, &["service", "add", "cyclades"], "");
    let (status, body) = post_feedback(&server, &tu, "application/x-www-form-urlencoded", "feedback_data=x").await;
    assert_eq!((status, serde_json::from_str::<serde_json::Value>(&body).unwrap()), (400, bad_request("Invalid data")));
    assert_eq!(post_feedback(&server, &tu, "application/json", "not json").await.0, 400);
    let (status, body) = post_feedback(&server, &ts, "application/x-www-form-urlencoded", "feedback_msg=hello").await;
    assert_eq!((status, serde_json::from_str::<serde_json::Value>(&body).unwrap()), (401, unauthorized("Invalid X-Auth-Token")));
    assert_eq!(server.http.get(server.url("/feedback")).header("X-Auth-Token", &tu).send().await.unwrap().status(), 400);
    let anonymous = server.http.post(server.url("/feedback")).body("feedback_msg=hello").send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.json::<serde_json::Value>().await.unwrap(), unauthorized("Access denied"));
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(post_feedback(&server, &tx, "application/x-www-form-urlencoded", "feedback_msg=hello").await.0, 401);
    assert_eq!(delivered(maildir).len(), 0, "nothing refused was mailed");
    assert_eq!(server.readyz().await["outbox"], json!({"pending": 0, "failed": 0}));
}

/// Size and rate limits: 16 KiB, five a minute per user.
async fn feedback_is_limited_in_size_and_rate(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let maildir = &sink.maildir;
    let (_db, server, tu) = with_feedback(backend, &sink.url);
    let long = format!("feedback_msg={}", "x".repeat(17 * 1024));
    assert_eq!(post_feedback(&server, &tu, "application/x-www-form-urlencoded", &long).await.0, 400);
    let mut statuses = Vec::new();
    for n in 0..7 {
        statuses.push(post_feedback(&server, &tu, "application/x-www-form-urlencoded", &format!("feedback_msg=m{n}")).await.0);
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 400, 400], "five per minute");
    assert_eq!(delivered(maildir).len(), 5, "nothing refused was mailed");
}

/// The SMTP server is down: 502 with an empty body, and the mail never arrives later (its
/// outbox row is abandoned), so a client that retries sends it once.
async fn feedback_that_cannot_be_mailed_is_502_and_never_mailed_later(backend: Backend) {
    let db = TestDb::new(backend);
    let closed = format!("smtp://127.0.0.1:{}", free_port());
    let server = Server::start(&db, &[("STEWARD_MAIL__SMTP_URL", &closed)]);
    run(&db, &["account", "create", "u1@example.com", "--password-stdin"], "u1-password-1\n");
    let tu = run(&db, &["token", "issue", "u1@example.com"], "");
    assert_eq!(post_feedback(&server, &tu, "application/x-www-form-urlencoded", "feedback_msg=hello").await, (502, String::new()));
    let ready = server.readyz().await;
    assert_eq!(ready["outbox"], json!({"pending": 0, "failed": 0}), "abandoned, not waiting: {ready}");
}

/// A service played end to end: registered, it authenticates a user (with usage) coming
/// from another face's login, translates 1 000 uuids to names and back, and forwards the
/// user's feedback, which arrives at the real SMTP sink.
async fn a_service_end_to_end(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let maildir = &sink.maildir;
    let db = TestDb::new(backend);
    let server = Server::start(&db, &[("STEWARD_MAIL__SMTP_URL", &sink.url)]);
    let service_token = run(&db, &["service", "add", "pithos", "--url", "/pithos/"], "");
    // 1 000 accounts (each hashes its password, so this is most of the test's time).
    let logins: Vec<String> = (0..1000).map(|n| format!("user{n:04}@example.org")).collect();
    for login in &logins {
        run(&db, &["account", "create", login, "--password-stdin", "--email", login], "a-password-123\n");
    }
    // The user signs in on the native API (any face's token works here).
    let token = server.login("user0007@example.org", "a-password-123").await;
    run(&db, &["quota", "set", "user0007@example.org", "pithos+.diskspace", "1073741824"], "");
    run(&db, &["usage", "set", "user0007@example.org", "pithos+.diskspace", "1024"], "");
    let user: serde_json::Value = server.http.get(server.url("/im/authenticate?usage=1")).header("X-Auth-Token", &token).send().await.unwrap().json().await.unwrap();
    assert_eq!(user["username"], "user0007@example.org");
    let disk = user["usage"].as_array().unwrap().iter().find(|entry| entry["name"] == "pithos+.diskspace").unwrap();
    assert_eq!((disk["maxValue"].clone(), disk["currValue"].clone(), disk["display_name"].clone()), (json!(1_073_741_824_i64), json!(1024), json!("Storage Space")));
    // Names → uuids for all 1 000, then uuids → names, checked both ways.
    let catalogs = |body: serde_json::Value| {
        let request = server.http.post(server.url("/service/api/user_catalogs")).header("X-Auth-Token", &service_token).body(body.to_string());
        async move { request.send().await.unwrap().json::<serde_json::Value>().await.unwrap() }
    };
    let by_name = catalogs(json!({"displaynames": logins})).await["displayname_catalog"].as_object().unwrap().clone();
    assert_eq!(by_name.len(), 1000);
    let uuids: Vec<String> = logins.iter().map(|login| by_name[login].as_str().unwrap().to_owned()).collect();
    let by_uuid = catalogs(json!({"uuids": uuids})).await["uuid_catalog"].as_object().unwrap().clone();
    assert_eq!(by_uuid.len(), 1000);
    for (login, uuid) in logins.iter().zip(&uuids) {
        assert_eq!(by_uuid[uuid].as_str(), Some(login.as_str()));
    }
    assert_eq!(by_name["user0007@example.org"], user["uuid"]);
    // Everyone, both ways: 1 001 accounts (with the bootstrap admin) cross a page boundary
    // of the streamed body.
    let everyone = catalogs(json!({"uuids": null, "displaynames": null})).await;
    let (all_by_uuid, all_by_name) = (everyone["uuid_catalog"].as_object().unwrap(), everyone["displayname_catalog"].as_object().unwrap());
    assert_eq!((all_by_uuid.len(), all_by_name.len()), (1001, 1001));
    for (login, uuid) in logins.iter().zip(&uuids) {
        assert_eq!((all_by_uuid[uuid].as_str(), all_by_name[login].as_str()), (Some(login.as_str()), Some(uuid.as_str())));
    }
    assert!(all_by_name.contains_key("admin"));
    // The service forwards the user's feedback with the user's token.
    let sent = post_feedback(&server, &token, "application/x-www-form-urlencoded", "feedback_msg=Uploads%20stall%20at%2099%25&feedback_data=pithos").await;
    assert_eq!(sent.0, 200);
    let mails = delivered(maildir);
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("Uploads stall at 99%") && mails[0].contains("user0007@example.org") && mails[0].contains("root@localhost"), "{}", mails[0]);
}
