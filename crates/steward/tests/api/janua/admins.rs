//! `/api/ADMIN`, read side: one identity — accounts created anywhere with a Janua role are
//! Janua admins (cases 7, 8).

use serde_json::json;

use super::{Janua, answer};
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    admins_are_accounts_with_a_janua_role,
    the_super_admin_creates_supervisors,
    admins_are_updated_and_deleted_with_janua_rules,
    a_new_password_ends_the_old_sessions,
);

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
    assert_eq!(janua.rest(Method::PATCH, &format!("/api/ADMIN/{sup_id}"), &admin, None).await.0, 405);
}

async fn the_super_admin_creates_supervisors(backend: Backend) {
    let sink = Peer::start("smtp", &[], None);
    let maildir = std::path::Path::new(sink.var("SMTP_MAILDIR")).to_owned();
    let smtp_url = format!("smtp://127.0.0.1:{}", sink.var("SMTP_PORT"));
    let janua = Janua::start_with(backend, &[("STEWARD_MAIL__SMTP_URL", &smtp_url), ("STEWARD_PUBLIC_URL", "https://janua.example.org")]);
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    let sup = janua.login("sup1", "sup1pw").await;
    use reqwest::Method;
    let sup2 = json!({"login": "sup2", "password": "Sup2-Initial-Pw", "name": "Two", "firstname": "Sup", "phone_number": "+33100000003", "email": "sup2@example.org", "level": 1, "sms_quota": "200 D"});
    let response = janua.server.http.post(janua.server.url("/api/ADMIN")).header("JanuaAuthToken", &admin).json(&sup2).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: serde_json::Value = response.json().await.unwrap();
    assert_eq!(location, format!("/api/ADMIN/{}", created["id"]));
    assert_eq!((created["level"].clone(), created["sms_quota"].clone(), created["fullname"].clone()), (json!(2), json!("200 D"), json!("Sup Two")));
    assert!(created.get("password").is_none());
    // One identity: the new supervisor logs in by phone on Janua and is a Steward account.
    let token = janua.login("+33100000003", "Sup2-Initial-Pw").await;
    let me = janua.server.get_json("/steward/v1/whoami", &token).await.1;
    assert_eq!((me["login"].clone(), me["roles"].clone()), (json!("sup2"), json!(["supervisor"])));
    // The welcome mail carries the password; once delivered its body is erased from the store.
    assert!(eventually(std::time::Duration::from_secs(15), || async { std::fs::read_dir(maildir.join("new")).map(|d| d.count()).unwrap_or(0) == 1 }).await, "{}", janua.server.logs());
    let entry = std::fs::read_dir(maildir.join("new")).unwrap().next().unwrap().unwrap();
    // The body is quoted-printable: undo its soft line breaks before reading it.
    let mail = std::fs::read_to_string(entry.path()).unwrap().replace("=\n", "");
    assert!(mail.contains("Subject: [Janua-SMS] Account creation"), "{mail}");
    assert!(mail.contains("Sup2-Initial-Pw") && mail.contains("https://janua.example.org") && mail.contains("+33100000003"), "{mail}");
    assert!(mail.lines().any(|line| line == "To: sup2@example.org"), "{mail}");
    assert!(eventually(std::time::Duration::from_secs(5), || async { janua.server.readyz().await["outbox"]["pending"] == 0 }).await);
    // Case 5: the same supervisor again.
    let (status, body) = janua.rest(Method::POST, "/api/ADMIN", &admin, Some(sup2.clone())).await;
    assert_eq!((status, body["message"].clone()), (400, json!("IntegrityError")));
    // Case 6.
    let mut no_password = sup2.clone();
    no_password.as_object_mut().unwrap().remove("password");
    no_password["login"] = json!("sup3");
    assert_eq!(janua.rest(Method::POST, "/api/ADMIN", &admin, Some(no_password)).await, (405, json!({"message": "Password is missing"})));
    for (change, status, message) in [
        (json!({"login": "sup4", "phone_number": "+33100000004", "email": "sup2@example.org"}), 400, "IntegrityError"),
        (json!({"login": "sup4", "phone_number": "+33100000003", "email": "sup4@example.org"}), 400, "IntegrityError"),
        (json!({"login": "sup4", "phone_number": "+33100000004", "email": "sup4@example.org", "sms_quota": "lots"}), 400, "Invalid quota, expected '<number> <D|W|M|Y>'"),
        (json!({"login": "sup4", "phone_number": "06 12", "email": "sup4@example.org"}), 400, "Invalid phone number"),
        (json!({"login": "sup4", "phone_number": "+33100000004", "email": "sup4@example.org", "nickname": "x"}), 400, "Could not determine specific validation errors"),
        (json!({"login": "sup4", "phone_number": "+33100000004", "email": "sup4@example.org", "auth_backend": "kerberos"}), 400, "Unknown authentication backend kerberos"),
    ] {
        let mut body = sup2.clone();
        for (key, value) in change.as_object().unwrap() {
            body[key] = value.clone();
        }
        let (got, answer) = janua.rest(Method::POST, "/api/ADMIN", &admin, Some(body.clone())).await;
        let text = answer.get("message").or(answer.get("validation_errors")).cloned().unwrap_or_default();
        assert_eq!((got, text), (status, json!(message)), "{body}");
    }
    // A supervisor cannot create admins; nobody was created by the refusals.
    assert_eq!(janua.rest(Method::POST, "/api/ADMIN", &sup, Some(sup2)).await, (405, json!({"message": "405: Method Not Allowed"})));
    assert_eq!(janua.rest(Method::GET, "/api/ADMIN", &admin, None).await.1["num_results"], 3);
    let audit = janua.server.get_json("/steward/v1/audit?limit=20", &admin).await.1;
    assert!(audit.as_array().unwrap().iter().any(|entry| entry["action"] == "account.create" && entry["target"] == "sup2" && entry["face"] == "janua"));
}

fn mails(maildir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(maildir.join("new"))
        .map(|entries| entries.filter_map(Result::ok).map(|entry| std::fs::read_to_string(entry.path()).unwrap().replace("=\n", "")).collect())
        .unwrap_or_default()
}

async fn admins_are_updated_and_deleted_with_janua_rules(backend: Backend) {
    let sink = Peer::start("smtp", &[], None);
    let maildir = std::path::Path::new(sink.var("SMTP_MAILDIR")).to_owned();
    let smtp_url = format!("smtp://127.0.0.1:{}", sink.var("SMTP_PORT"));
    let janua = Janua::start_with(backend, &[("STEWARD_MAIL__SMTP_URL", &smtp_url)]);
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    let sup = janua.login("sup1", "sup1pw").await;
    use reqwest::Method;
    let (_, list) = janua.rest(Method::GET, "/api/ADMIN", &admin, None).await;
    let admin_id = list["objects"][0]["id"].as_i64().unwrap();
    let sup_id = list["objects"][1]["id"].as_i64().unwrap();
    // The super admin gives itself the fixture's e-mail and names.
    let (status, me) = janua.rest(Method::PUT, &format!("/api/ADMIN/{admin_id}"), &admin, Some(json!({"email": "admin@example.org", "name": "Admin", "firstname": "Super"}))).await;
    assert_eq!((status, me["email"].clone(), me["fullname"].clone()), (200, json!("admin@example.org"), json!("Super Admin")));
    // Case 9.
    assert_eq!(
        janua.rest(Method::PUT, &format!("/api/ADMIN/{sup_id}"), &sup, Some(json!({"phone_number": "+33199999999"}))).await,
        (401, json!({"message": "You don't have permission to change your phone_number"}))
    );
    for (body, message) in [
        (json!({"level": 1}), "You don't have permission to change your access level"),
        (json!({"recipient_filter": false}), "You don't have permission to change sms recipient filter"),
        (json!({"login": "other"}), "You don't have permission to change your login"),
        (json!({"auth_backend": "ldap"}), "You don't have permission to change your authentication backend"),
    ] {
        assert_eq!(janua.rest(Method::PUT, &format!("/api/ADMIN/{sup_id}"), &sup, Some(body)).await, (401, json!({"message": message})));
    }
    assert_eq!(janua.rest(Method::GET, &format!("/api/ADMIN/{sup_id}"), &sup, None).await.1["phone_number"], "+33100000002", "unchanged");
    assert_eq!(janua.rest(Method::PUT, &format!("/api/ADMIN/{admin_id}"), &sup, Some(json!({"name": "X"}))).await.0, 404, "only itself");
    // Case 10: a supervisor's quota change is a request mailed to the super admin.
    let (status, body) = janua.rest(Method::PUT, &format!("/api/ADMIN/{sup_id}"), &sup, Some(json!({"sms_quota": "500 D"}))).await;
    assert_eq!((status, body["sms_quota"].clone()), (200, json!("100 M")));
    assert!(eventually(std::time::Duration::from_secs(15), || async { mails(&maildir).len() == 1 }).await, "{}", janua.server.logs());
    let request = &mails(&maildir)[0];
    assert!(request.contains("Subject: [Janua-SMS] Quota change request") && request.contains("To: admin@example.org"), "{request}");
    assert!(request.contains("500 per day"), "{request}");
    // A supervisor may change its own names and password.
    let (status, body) = janua.rest(Method::PUT, &format!("/api/ADMIN/{sup_id}"), &sup, Some(json!({"firstname": "Super", "password": "new-sup1-pw"}))).await;
    assert_eq!((status, body["fullname"].clone()), (200, json!("Super One")));
    janua.login("sup1", "new-sup1-pw").await;
    // The super admin changes the supervisor's quota: applied and mailed to the supervisor.
    let (status, body) = janua.rest(Method::PUT, &format!("/api/ADMIN/{sup_id}"), &admin, Some(json!({"sms_quota": "1 D"}))).await;
    assert_eq!((status, body["sms_quota"].clone()), (200, json!("1 D")));
    assert!(eventually(std::time::Duration::from_secs(15), || async { mails(&maildir).len() == 2 }).await);
    assert!(mails(&maildir).iter().any(|mail| mail.contains("Subject: [Janua-SMS] Quota updated") && mail.contains("To: sup1@example.org")));
    assert_eq!(answer(janua.get("/sms-usage", Some(&sup)).await).await.1["smsusage"]["quota"], "1 D");
    // Case 11, and the prefix and syntax rules of updates.
    assert_eq!(janua.rest(Method::PUT, &format!("/api/ADMIN/{admin_id}"), &admin, Some(json!({"auth_backend": "ldap"}))).await, (400, json!({"message": "Administrator must be a local account"})));
    assert_eq!(janua.rest(Method::PUT, &format!("/api/ADMIN/{sup_id}"), &admin, Some(json!({"sms_quota": "often"}))).await.0, 400);
    assert_eq!(janua.rest(Method::PUT, &format!("/api/ADMIN/{sup_id}"), &admin, Some(json!({"colour": "red"}))).await, (400, json!({"message": "Model does not have field 'colour'"})));
    // Case 12.
    let (status, body) = janua.rest(Method::DELETE, &format!("/api/ADMIN/{admin_id}"), &admin, None).await;
    assert_eq!((status, body["message"].clone()), (400, json!("IntegrityError")));
    assert_eq!(janua.rest(Method::DELETE, &format!("/api/ADMIN/{sup_id}"), &sup, None).await, (405, json!({"message": "Not authorized"})));
    // Deleting a supervisor: its contacts go, it is told, it can no longer log in.
    janua.jane(&sup).await;
    let deleted = janua.server.http.delete(janua.server.url(&format!("/api/ADMIN/{sup_id}"))).header("JanuaAuthToken", &admin).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(janua.rest(Method::GET, "/api/ADMIN", &admin, None).await.1["num_results"], 1);
    assert_eq!(janua.get("/sms-usage", Some(&sup)).await.status(), 401, "its tokens went with it");
    assert!(eventually(std::time::Duration::from_secs(15), || async { mails(&maildir).iter().any(|mail| mail.contains("Subject: [Janua-SMS] Account deletion")) }).await);
    let audit = janua.server.get_json("/steward/v1/audit?limit=50", &admin).await.1;
    for action in ["janua_admin.update", "janua_admin.delete"] {
        assert!(audit.as_array().unwrap().iter().any(|entry| entry["action"] == action), "{action}");
    }
}

/// A password changed through `PUT /api/ADMIN` revokes the account's tokens on every face;
/// a supervisor changing its own keeps the session it used.
async fn a_new_password_ends_the_old_sessions(backend: Backend) {
    use reqwest::Method;
    let janua = Janua::start(backend);
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    let (first, second) = (janua.login("sup1", "sup1pw").await, janua.login("sup1", "sup1pw").await);
    let native = janua.server.login("sup1", "sup1pw").await;
    let (_, admins) = janua.rest(Method::GET, "/api/ADMIN", &admin, None).await;
    let sup_id = admins["objects"].as_array().unwrap().iter().find(|row| row["login"] == "sup1").unwrap()["id"].as_i64().unwrap();
    let works = |token: String| {
        let janua = &janua;
        async move { janua.rest(Method::GET, "/api/CONTACT", &token, None).await.0 == 200 }
    };
    assert!(works(first.clone()).await && works(second.clone()).await);
    // The super admin sets a new password: every session of the old one ends.
    assert_eq!(janua.rest(Method::PUT, &format!("/api/ADMIN/{sup_id}"), &admin, Some(json!({"password": "sup1-new-pw"}))).await.0, 200);
    assert!(!works(first).await && !works(second).await, "Janua tokens revoked");
    assert_eq!(janua.server.get_json("/steward/v1/whoami", &native).await.0, 401, "native token revoked");
    assert!(works(admin.clone()).await, "the caller's own session is untouched");
    // The supervisor changes its own password: the session it used stays, the other ends.
    let (kept, other) = (janua.login("sup1", "sup1-new-pw").await, janua.login("sup1", "sup1-new-pw").await);
    assert_eq!(janua.rest(Method::PUT, &format!("/api/ADMIN/{sup_id}"), &kept, Some(json!({"password": "sup1-third-pw"}))).await.0, 200);
    assert!(works(kept).await, "kept");
    assert!(!works(other).await, "revoked");
    // A change without a password revokes nothing.
    let session = janua.login("sup1", "sup1-third-pw").await;
    assert_eq!(janua.rest(Method::PUT, &format!("/api/ADMIN/{sup_id}"), &admin, Some(json!({"firstname": "Sup"}))).await.0, 200);
    assert!(works(session).await);
    let (_, audit) = janua.server.get_json("/steward/v1/audit?limit=5", &janua.server.admin_token().await).await;
    assert!(audit.to_string().contains("janua_admin.update"), "{audit}");
}
