//! `/api/ADMIN`, read side: one identity — accounts created anywhere with a Janua role are
//! Janua admins (cases 7, 8).

use serde_json::json;

use super::{Janua, answer};
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(admins_are_accounts_with_a_janua_role);

async fn admins_are_accounts_with_a_janua_role(backend: Backend) {
    let janua = Janua::start(backend);
    assert!(cli(&janua.db, &["account", "create", "plain", "--password-stdin"], "plainpw\n").status.success());
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    let sup = janua.login("sup1", "sup1pw").await;
    use reqwest::Method;
    // Case 7.
    let (status, body) = janua.rest(Method::GET, "/api/ADMIN", &sup, None).await;
    assert_eq!((status, body["num_results"].clone(), body["objects"][0]["login"].clone()), (200, json!(1), json!("sup1")));
    let me = &body["objects"][0];
    assert_eq!((me["level"].clone(), me["sms_quota"].clone(), me["recipient_filter"].clone()), (json!(2), json!("100 M"), json!(true)));
    assert_eq!((me["phone_number"].clone(), me["email"].clone(), me["auth_backend"].clone()), (json!("+33100000002"), json!("sup1@example.org"), json!("local")));
    for hidden in ["password", "phone_token", "web_auth_token", "password_hash"] {
        assert!(me.get(hidden).is_none(), "{hidden}");
    }
    // Case 8: the super admin sees both Janua admins, not the account without a Janua role.
    let (status, body) = janua.rest(Method::GET, "/api/ADMIN", &admin, None).await;
    assert_eq!(status, 200);
    assert_eq!((body["num_results"].clone(), body["page"].clone(), body["total_pages"].clone()), (json!(2), json!(1), json!(1)));
    let logins: Vec<&str> = body["objects"].as_array().unwrap().iter().map(|object| object["login"].as_str().unwrap()).collect();
    assert_eq!(logins, ["admin", "sup1"]);
    assert_eq!(body["objects"][0]["level"], 1);
    let sup_id = body["objects"][1]["id"].as_i64().unwrap();
    let admin_id = body["objects"][0]["id"].as_i64().unwrap();
    assert_eq!(janua.rest(Method::GET, &format!("/api/ADMIN/{sup_id}"), &admin, None).await.1["login"], "sup1");
    assert_eq!(janua.rest(Method::GET, &format!("/api/ADMIN/{admin_id}"), &sup, None).await, (404, json!({"message": "404: Not Found"})));
    assert_eq!(janua.rest(Method::GET, "/api/ADMIN/abc", &admin, None).await.0, 404);
    // Searches, and hidden columns refused.
    let by_login = "q=%7B%22filters%22%3A%5B%7B%22name%22%3A%22login%22%2C%22op%22%3A%22eq%22%2C%22val%22%3A%22sup1%22%7D%5D%7D";
    assert_eq!(janua.rest(Method::GET, &format!("/api/ADMIN?{by_login}"), &admin, None).await.1["num_results"], 1);
    let by_password = "q=%7B%22filters%22%3A%5B%7B%22name%22%3A%22password%22%2C%22op%22%3A%22is_null%22%7D%5D%7D";
    assert_eq!(janua.rest(Method::GET, &format!("/api/ADMIN?{by_password}"), &admin, None).await.1["message"], "Unable to construct query");
    // The quota shown is the shared janua.sms limit.
    assert!(cli(&janua.db, &["quota", "set", "sup1", "janua.sms", "250"], "").status.success());
    assert_eq!(janua.rest(Method::GET, &format!("/api/ADMIN/{sup_id}"), &sup, None).await.1["sms_quota"], "250 M");
    assert_eq!(answer(janua.get("/api/ADMIN", None).await).await, (401, json!({"message": "Not Authorized"})));
    assert_eq!(janua.rest(Method::DELETE, &format!("/api/ADMIN/{sup_id}"), &admin, None).await.0, 405, "writes are not served yet");
}
