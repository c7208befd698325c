//! The LDAP auth backend against the real slapd of tests/peers/slapd.sh: an LDAP account is
//! the same Steward account on every face.

use serde_json::json;

use super::{Janua, answer};
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(ldap_accounts_log_in_through_the_directory);

async fn ldap_accounts_log_in_through_the_directory(backend: Backend) {
    let mut slapd = Peer::start("slapd", &[], None);
    let janua = Janua::start(backend);
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(janua.server.readyz().await["checks"]["ldap"], "unconfigured", "no directory is checked before one is configured");
    let parameters = json!({"parameters": {"ldap_uri": slapd.var("LDAP_URI"), "ldap_bind_dn": slapd.var("LDAP_USER_DN_TEMPLATE"), "ldap_tls_support": false}});
    assert_eq!(answer(janua.post_json("/set_auth_backend/ldap", Some(&admin), parameters).await).await.1["success"], true);
    // The probe runs every 10 s.
    assert!(eventually(std::time::Duration::from_secs(15), || async { janua.server.readyz().await["checks"]["ldap"] == "ok" }).await);
    let alice = json!({"login": "alice", "password": "alice-local-pw", "name": "Liddell", "firstname": "Alice", "phone_number": "+33612345678", "email": "alice@example.org", "auth_backend": "ldap"});
    let (status, created) = janua.rest(reqwest::Method::POST, "/api/ADMIN", &admin, Some(alice)).await;
    assert_eq!((status, created["auth_backend"].clone()), (201, json!("ldap")));
    // The directory's password works, the local one does not (the account is LDAP's).
    let token = janua.login("alice", "alicepw").await;
    let failure = json!({"success": false, "message": "Authentication failure"});
    let login = |password: &str| json!({"username": "alice", "password": password, "language": "EN"});
    assert_eq!(answer(janua.post_json("/login", None, login("alice-local-pw")).await).await, (200, failure.clone()));
    assert_eq!(answer(janua.post_json("/login", None, login("wrong")).await).await, (200, failure.clone()));
    assert_eq!(answer(janua.post_json("/login", None, login("")).await).await, (200, failure.clone()));
    // One identity: the LDAP login's token works on the native API, and Basic works there too.
    assert_eq!(janua.server.get_json("/steward/v1/whoami", &token).await.1["login"], "alice");
    let basic = janua.server.http.get(janua.server.url("/steward/v1/whoami")).basic_auth("alice", Some("alicepw")).send().await.unwrap();
    assert_eq!(basic.status(), 200);
    // A phone-number username is checked by the directory too: the local password set at
    // creation opens nothing (Janua checked it; Steward closes that gap).
    let by_phone = |password: &'static str| {
        janua.server.http.get(janua.server.url("/sms-usage")).basic_auth("+33612345678", Some(password)).send()
    };
    assert_eq!(by_phone("alice-local-pw").await.unwrap().status(), 401);
    assert_eq!(by_phone("alicepw").await.unwrap().status(), 200);
    let native = janua.server.http.get(janua.server.url("/steward/v1/whoami")).basic_auth("+33612345678", Some("alice-local-pw")).send().await.unwrap();
    assert_eq!(native.status(), 401, "nor on the native API");
    // The directory down: a login fails with Janua's token message, and is not counted as
    // a wrong password (the password failures stay where they were).
    let password_failures = || janua.server.metric("steward_login_failures_total{reason=\"password\"}");
    let before = password_failures().await;
    slapd.stop();
    let down = json!({"success": false, "message": "Failed to generate token"});
    assert_eq!(answer(janua.post_json("/login", None, login("alicepw")).await).await, (200, down));
    assert_eq!(password_failures().await, before, "an unreachable directory is not a wrong password");
    assert_eq!(janua.server.get_json("/steward/v1/whoami", &token).await.0, 200, "issued tokens stay valid");
    assert!(
        eventually(std::time::Duration::from_secs(15), || async {
            let ready = janua.server.readyz().await;
            ready["status"] == "degraded" && ready["checks"]["ldap"].as_str().unwrap().starts_with("down: ")
        })
        .await,
        "/readyz says the directory is down"
    );
}
