//! `/list_auth_backend`, `/get_auth_backend/<b>`, `/set_auth_backend/<b>`.

use serde_json::json;

use super::{Janua, answer};
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(backends_are_listed_for_the_admin_only, a_backend_is_read_by_the_admin_only, a_backend_is_saved_by_the_admin_only);

async fn backends_are_listed_for_the_admin_only(backend: Backend) {
    let janua = Janua::start(backend);
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    let sup = janua.login("sup1", "sup1pw").await;
    // Case 41.
    assert_eq!(answer(janua.get("/list_auth_backend", Some(&admin)).await).await, (200, json!({"backends": [{"name": "local"}, {"name": "ldap"}], "num_backends": 2})));
    assert_eq!(answer(janua.get("/list_auth_backend", Some(&sup)).await).await.0, 401);
    assert_eq!(answer(janua.get("/list_auth_backend", None).await).await.0, 401);
}

async fn a_backend_is_read_by_the_admin_only(backend: Backend) {
    let janua = Janua::start(backend);
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    let sup = janua.login("sup1", "sup1pw").await;
    // Case 42.
    let (status, body) = answer(janua.get("/get_auth_backend/ldap", Some(&admin)).await).await;
    assert_eq!(status, 200);
    assert_eq!(body["success"], true);
    assert_eq!(body["num_params"], 3);
    let names: Vec<&str> = body["params"].as_array().unwrap().iter().map(|param| param["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["ldap_uri", "ldap_bind_dn", "ldap_tls_support"]);
    assert_eq!(body["params"][2]["value"], false);
    assert_eq!(answer(janua.get("/get_auth_backend/local", Some(&admin)).await).await, (200, json!({"success": true, "help": null, "num_params": 0, "params": []})));
    assert_eq!(answer(janua.get("/get_auth_backend/kerberos", Some(&admin)).await).await, (200, json!({"success": false, "help": null, "num_params": 0, "params": []})));
    assert_eq!(answer(janua.get("/get_auth_backend/ldap", Some(&sup)).await).await.0, 401);
}

async fn a_backend_is_saved_by_the_admin_only(backend: Backend) {
    let janua = Janua::start(backend);
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    let sup = janua.login("sup1", "sup1pw").await;
    // Case 43.
    let saved = answer(janua.post_json("/set_auth_backend/ldap", Some(&admin), json!({"parameters": {"ldap_uri": "ldap://127.0.0.1:3890"}, "success": true})).await).await;
    assert_eq!(saved, (200, json!({"success": true, "message": "Configuration has been saved"})));
    let (_, body) = answer(janua.get("/get_auth_backend/ldap", Some(&admin)).await).await;
    assert_eq!(body["params"][0]["value"], "ldap://127.0.0.1:3890");
    // Case 44, and every other refusal: nothing saved.
    for (parameters, message) in [
        (json!({"bogus": "1"}), "Failed to update configuration: bogus is not a parameter"),
        (json!({"ldap_uri": "ldap://10.0.0.1", "bogus": "1"}), "Failed to update configuration: bogus is not a parameter"),
        (json!({"ldap_uri": "http://x"}), "Failed to update configuration: ldap_uri `http://x` must start with ldap:// or ldaps://"),
        (json!({"ldap_bind_dn": "uid=x,dc=example"}), "Failed to update configuration: ldap_bind_dn must contain ${login}"),
        (json!({"ldap_tls_support": "maybe"}), "Failed to update configuration: ldap_tls_support must be a boolean"),
    ] {
        let answer = answer(janua.post_json("/set_auth_backend/ldap", Some(&admin), json!({"parameters": parameters})).await).await;
        assert_eq!(answer, (200, json!({"success": false, "message": message})), "{parameters}");
    }
    let (_, body) = answer(janua.get("/get_auth_backend/ldap", Some(&admin)).await).await;
    assert_eq!(body["params"][0]["value"], "ldap://127.0.0.1:3890", "unchanged by the refused requests");
    assert_eq!(answer(janua.post_json("/set_auth_backend/ldap", Some(&admin), json!({"other": 1})).await).await.1["message"], "Failed to trigger action: Action argument parameters is required");
    assert_eq!(answer(janua.post_json("/set_auth_backend/kerberos", Some(&admin), json!({"parameters": {}})).await).await.1["message"], "Failed to update configuration: unknown backend kerberos");
    assert_eq!(answer(janua.post_json("/set_auth_backend/ldap", Some(&sup), json!({"parameters": {"ldap_uri": "ldap://x"}})).await).await.0, 401);
    assert_eq!(answer(janua.post_json("/set_auth_backend/ldap", None, json!({"parameters": {}})).await).await.0, 401);
    let response = janua.server.http.post(janua.server.url("/set_auth_backend/ldap")).header("JanuaAuthToken", &admin).header("content-type", "application/json").body("{broken").send().await.unwrap();
    assert_eq!(answer(response).await, (400, json!({"success": false, "message": "Not in json format"})));
    let response = janua.server.http.post(janua.server.url("/set_auth_backend/ldap")).header("JanuaAuthToken", &admin).send().await.unwrap();
    assert_eq!(answer(response).await, (200, json!({"success": false, "message": "Not in json format"})));
    // Audited, with the admin as actor and Janua as face.
    let audit = janua.server.audit(5).await;
    assert_eq!(by_whom(audit_entry(&audit, "auth_backend.set", "ldap")), ("account:admin", "janua"));
    assert_eq!(audit.iter().filter(|entry| entry["action"] == "auth_backend.set").count(), 1, "the refused requests are not audited");
}
