//! `/api/ADMIN`, read side: one identity — accounts created anywhere with a Janua role are
//! Janua admins (cases 7, 8).

use serde_json::json;

use super::{Janua, answer};
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    a_supervisor_sees_only_itself,
    the_super_admin_sees_every_janua_admin,
    the_super_admin_creates_a_supervisor_who_is_mailed,
    supervisor_creation_refusals_create_nothing,
    a_supervisor_changes_only_its_names_and_password,
    a_supervisor_quota_change_is_a_request_to_the_super_admin,
    the_super_admin_sets_a_quota_and_the_supervisor_is_told,
    admin_update_refusals_change_nothing,
    deleting_a_supervisor_ends_its_contacts_and_sessions,
    a_new_password_ends_the_old_sessions,
);

/// `(admin_id, sup_id)` from the super admin's `/api/ADMIN`.
async fn admin_ids(janua: &Janua, admin: &str) -> (i64, i64) {
    let (_, list) = janua.rest(reqwest::Method::GET, "/api/ADMIN", admin, None).await;
    let id = |login: &str| list["objects"].as_array().unwrap().iter().find(|row| row["login"] == login).unwrap_or_else(|| panic!("{login} in {list}"))["id"].as_i64().unwrap();
    (id("admin"), id("sup1"))
}

async fn a_supervisor_sees_only_itself(backend: Backend) {
    let janua = Janua::start(backend);
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
    let (admin_id, sup_id) = admin_ids(&janua, &admin).await;
    assert_eq!(janua.rest(Method::GET, &format!("/api/ADMIN/{admin_id}"), &sup, None).await, (404, json!({"message": "404: Not Found"})));
    // The quota shown is the shared janua.sms limit.
    assert!(cli(&janua.db, &["quota", "set", "sup1", "janua.sms", "250"], "").status.success());
    assert_eq!(janua.rest(Method::GET, &format!("/api/ADMIN/{sup_id}"), &sup, None).await.1["sms_quota"], "250 M");
}

async fn the_super_admin_sees_every_janua_admin(backend: Backend) {
    let janua = Janua::start(backend);
    assert!(cli(&janua.db, &["account", "create", "plain", "--password-stdin"], "plainpw\n").status.success());
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    use reqwest::Method;
    // Case 8: the super admin sees both Janua admins, not the account without a Janua role.
    let (status, body) = janua.rest(Method::GET, "/api/ADMIN", &admin, None).await;
    assert_eq!(status, 200);
    assert_eq!((body["num_results"].clone(), body["page"].clone(), body["total_pages"].clone()), (json!(2), json!(1), json!(1)));
    let logins: Vec<&str> = body["objects"].as_array().unwrap().iter().map(|object| object["login"].as_str().unwrap()).collect();
    assert_eq!(logins, ["admin", "sup1"]);
    assert_eq!(body["objects"][0]["level"], 1);
    let sup_id = body["objects"][1]["id"].as_i64().unwrap();
    assert_eq!(janua.rest(Method::GET, &format!("/api/ADMIN/{sup_id}"), &admin, None).await.1["login"], "sup1");
    assert_eq!(janua.rest(Method::GET, "/api/ADMIN/abc", &admin, None).await.0, 404);
    // Searches, and hidden columns refused.
    let by_login = "q=%7B%22filters%22%3A%5B%7B%22name%22%3A%22login%22%2C%22op%22%3A%22eq%22%2C%22val%22%3A%22sup1%22%7D%5D%7D";
    assert_eq!(janua.rest(Method::GET, &format!("/api/ADMIN?{by_login}"), &admin, None).await.1["num_results"], 1);
    let by_password = "q=%7B%22filters%22%3A%5B%7B%22name%22%3A%22password%22%2C%22op%22%3A%22is_null%22%7D%5D%7D";
    assert_eq!(janua.rest(Method::GET, &format!("/api/ADMIN?{by_password}"), &admin, None).await.1["message"], "Unable to construct query");
    assert_eq!(answer(janua.get("/api/ADMIN", None).await).await, (401, json!({"message": "Not Authorized"})));
    assert_eq!(janua.rest(Method::PATCH, &format!("/api/ADMIN/{sup_id}"), &admin, None).await.0, 405);
}

/// The supervisor `sup2` the super admin creates.
fn sup2() -> serde_json::Value {
    json!({"login": "sup2", "password": "Sup2-Initial-Pw", "name": "Two", "firstname": "Sup", "phone_number": "+33100000003", "email": "sup2@example.org", "level": 1, "sms_quota": "200 D"})
}

async fn the_super_admin_creates_a_supervisor_who_is_mailed(backend: Backend) {
    let sink = SmtpSink::start(&[]);
    let maildir = &sink.maildir;
    let janua = Janua::start_with(backend, &[("STEWARD_MAIL__SMTP_URL", &sink.url), ("STEWARD_PUBLIC_URL", "https://janua.example.org")]);
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    let response = janua.server.http.post(janua.server.url("/api/ADMIN")).header("JanuaAuthToken", &admin).json(&sup2()).send().await.unwrap();
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
    assert!(eventually(std::time::Duration::from_secs(15), || async { mails(maildir).len() == 1 }).await, "{}", janua.server.logs());
    let mail = &mails(maildir)[0];
    assert!(mail.contains("Subject: [Janua-SMS] Account creation"), "{mail}");
    assert!(mail.contains("Sup2-Initial-Pw") && mail.contains("https://janua.example.org") && mail.contains("+33100000003"), "{mail}");
    assert!(mail.lines().any(|line| line == "To: sup2@example.org"), "{mail}");
    assert!(eventually(std::time::Duration::from_secs(5), || async { janua.server.readyz().await["outbox"]["pending"] == 0 }).await);
    let audit = janua.server.audit(20).await;
    assert_eq!(by_whom(audit_entry(&audit, "account.create", "sup2")), ("account:admin", "janua"));
}

async fn supervisor_creation_refusals_create_nothing(backend: Backend) {
    let janua = Janua::start(backend);
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    let sup = janua.login("sup1", "sup1pw").await;
    use reqwest::Method;
    assert_eq!(janua.rest(Method::POST, "/api/ADMIN", &admin, Some(sup2())).await.0, 201);
    // Case 5: the same supervisor again.
    let (status, body) = janua.rest(Method::POST, "/api/ADMIN", &admin, Some(sup2())).await;
    assert_eq!((status, body["message"].clone()), (400, json!("IntegrityError")));
    // Case 6.
    let mut no_password = sup2();
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
        let mut body = sup2();
        for (key, value) in change.as_object().unwrap() {
            body[key] = value.clone();
        }
        let (got, answer) = janua.rest(Method::POST, "/api/ADMIN", &admin, Some(body.clone())).await;
        let text = answer.get("message").or(answer.get("validation_errors")).cloned().unwrap_or_default();
        assert_eq!((got, text), (status, json!(message)), "{body}");
    }
    // A supervisor cannot create admins; nobody was created by the refusals.
    let mut sup5 = sup2();
    sup5["login"] = json!("sup5");
    sup5["phone_number"] = json!("+33100000005");
    sup5["email"] = json!("sup5@example.org");
    assert_eq!(janua.rest(Method::POST, "/api/ADMIN", &sup, Some(sup5)).await, (405, json!({"message": "405: Method Not Allowed"})));
    let (_, admins) = janua.rest(Method::GET, "/api/ADMIN", &admin, None).await;
    let logins: Vec<&str> = admins["objects"].as_array().unwrap().iter().map(|row| row["login"].as_str().unwrap()).collect();
    assert_eq!(logins, ["admin", "sup1", "sup2"]);
}

fn mails(maildir: &std::path::Path) -> Vec<String> {
    // The body is quoted-printable: undo its soft line breaks before reading it.
    delivered(maildir).into_iter().map(|mail| mail.replace("=\n", "")).collect()
}

async fn a_supervisor_changes_only_its_names_and_password(backend: Backend) {
    let janua = Janua::start(backend);
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    let sup = janua.login("sup1", "sup1pw").await;
    use reqwest::Method;
    let (admin_id, sup_id) = admin_ids(&janua, &admin).await;
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
    let (_, me) = janua.rest(Method::GET, &format!("/api/ADMIN/{sup_id}"), &sup, None).await;
    assert_eq!((me["phone_number"].clone(), me["level"].clone(), me["login"].clone()), (json!("+33100000002"), json!(2), json!("sup1")), "unchanged");
    assert_eq!(janua.rest(Method::PUT, &format!("/api/ADMIN/{admin_id}"), &sup, Some(json!({"name": "X"}))).await.0, 404, "only itself");
    // A supervisor may change its own names and password.
    let (status, body) = janua.rest(Method::PUT, &format!("/api/ADMIN/{sup_id}"), &sup, Some(json!({"firstname": "Super", "password": "new-sup1-pw"}))).await;
    assert_eq!((status, body["fullname"].clone()), (200, json!("Super One")));
    janua.login("sup1", "new-sup1-pw").await;
    let audit = janua.server.audit(5).await;
    assert_eq!(by_whom(audit_entry(&audit, "janua_admin.update", "sup1")), ("account:sup1", "janua"));
}

/// A Janua server mailing through a fresh sink, with the super admin's and sup1's tokens.
async fn mailing(backend: Backend) -> (SmtpSink, Janua, String, String) {
    let sink = SmtpSink::start(&[]);
    let janua = Janua::start_with(backend, &[("STEWARD_MAIL__SMTP_URL", &sink.url)]);
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    let sup = janua.login("sup1", "sup1pw").await;
    (sink, janua, admin, sup)
}

/// The super admin gives itself the fixture's e-mail and names, to receive requests.
async fn admin_with_email(janua: &Janua, admin: &str, admin_id: i64) {
    let (status, me) = janua.rest(reqwest::Method::PUT, &format!("/api/ADMIN/{admin_id}"), admin, Some(json!({"email": "admin@example.org", "name": "Admin", "firstname": "Super"}))).await;
    assert_eq!((status, me["email"].clone(), me["fullname"].clone()), (200, json!("admin@example.org"), json!("Super Admin")));
}

async fn a_supervisor_quota_change_is_a_request_to_the_super_admin(backend: Backend) {
    let (sink, janua, admin, sup) = mailing(backend).await;
    let maildir = &sink.maildir;
    let (admin_id, sup_id) = admin_ids(&janua, &admin).await;
    admin_with_email(&janua, &admin, admin_id).await;
    // Case 10: a supervisor's quota change is a request mailed to the super admin.
    let (status, body) = janua.rest(reqwest::Method::PUT, &format!("/api/ADMIN/{sup_id}"), &sup, Some(json!({"sms_quota": "500 D"}))).await;
    assert_eq!((status, body["sms_quota"].clone()), (200, json!("100 M")));
    assert!(eventually(std::time::Duration::from_secs(15), || async { mails(maildir).len() == 1 }).await, "{}", janua.server.logs());
    let request = &mails(maildir)[0];
    assert!(request.contains("Subject: [Janua-SMS] Quota change request") && request.contains("To: admin@example.org"), "{request}");
    assert!(request.contains("500 per day"), "{request}");
    assert_eq!(answer(janua.get("/sms-usage", Some(&sup)).await).await.1["smsusage"]["quota"], "100 M", "not applied");
}

async fn the_super_admin_sets_a_quota_and_the_supervisor_is_told(backend: Backend) {
    let (sink, janua, admin, sup) = mailing(backend).await;
    let maildir = &sink.maildir;
    let (_, sup_id) = admin_ids(&janua, &admin).await;
    let (status, body) = janua.rest(reqwest::Method::PUT, &format!("/api/ADMIN/{sup_id}"), &admin, Some(json!({"sms_quota": "1 D"}))).await;
    assert_eq!((status, body["sms_quota"].clone()), (200, json!("1 D")));
    assert!(eventually(std::time::Duration::from_secs(15), || async { mails(maildir).len() == 1 }).await, "{}", janua.server.logs());
    let told = &mails(maildir)[0];
    assert!(told.contains("Subject: [Janua-SMS] Quota updated") && told.contains("To: sup1@example.org"), "{told}");
    assert_eq!(answer(janua.get("/sms-usage", Some(&sup)).await).await.1["smsusage"]["quota"], "1 D");
    let audit = janua.server.audit(5).await;
    assert_eq!(by_whom(audit_entry(&audit, "janua_admin.update", "sup1")), ("account:admin", "janua"));
}

async fn admin_update_refusals_change_nothing(backend: Backend) {
    let janua = Janua::start(backend);
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    use reqwest::Method;
    let (admin_id, sup_id) = admin_ids(&janua, &admin).await;
    let before = janua.rest(Method::GET, "/api/ADMIN", &admin, None).await;
    // Case 11, and the prefix and syntax rules of updates.
    assert_eq!(janua.rest(Method::PUT, &format!("/api/ADMIN/{admin_id}"), &admin, Some(json!({"auth_backend": "ldap"}))).await, (400, json!({"message": "Administrator must be a local account"})));
    assert_eq!(janua.rest(Method::PUT, &format!("/api/ADMIN/{sup_id}"), &admin, Some(json!({"sms_quota": "often"}))).await.0, 400);
    assert_eq!(janua.rest(Method::PUT, &format!("/api/ADMIN/{sup_id}"), &admin, Some(json!({"colour": "red"}))).await, (400, json!({"message": "Model does not have field 'colour'"})));
    // Case 12: the super admin cannot delete itself, nor a supervisor anyone.
    let (status, body) = janua.rest(Method::DELETE, &format!("/api/ADMIN/{admin_id}"), &admin, None).await;
    assert_eq!((status, body["message"].clone()), (400, json!("IntegrityError")));
    let sup = janua.login("sup1", "sup1pw").await;
    assert_eq!(janua.rest(Method::DELETE, &format!("/api/ADMIN/{sup_id}"), &sup, None).await, (405, json!({"message": "Not authorized"})));
    assert_eq!(janua.rest(Method::GET, "/api/ADMIN", &admin, None).await, before, "nothing changed");
}

async fn deleting_a_supervisor_ends_its_contacts_and_sessions(backend: Backend) {
    let (sink, janua, admin, sup) = mailing(backend).await;
    let maildir = &sink.maildir;
    use reqwest::Method;
    let (_, sup_id) = admin_ids(&janua, &admin).await;
    // Deleting a supervisor: its contacts go, it is told, it can no longer log in.
    janua.jane(&sup).await;
    let deleted = janua.server.http.delete(janua.server.url(&format!("/api/ADMIN/{sup_id}"))).header("JanuaAuthToken", &admin).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(janua.rest(Method::GET, "/api/ADMIN", &admin, None).await.1["num_results"], 1);
    assert_eq!(janua.get("/sms-usage", Some(&sup)).await.status(), 401, "its tokens went with it");
    let (_, refused) = answer(janua.post_json("/login", None, json!({"username": "sup1", "password": "sup1pw", "language": "EN"})).await).await;
    assert_eq!(refused["success"], false);
    let contacts = janua.db.query("SELECT COUNT(*) FROM janua_contacts");
    assert_eq!(contacts.trim(), "0", "its contacts went with it");
    assert!(eventually(std::time::Duration::from_secs(15), || async { mails(maildir).iter().any(|mail| mail.contains("Subject: [Janua-SMS] Account deletion")) }).await);
    let audit = janua.server.audit(20).await;
    assert_eq!(by_whom(audit_entry(&audit, "janua_admin.delete", "sup1")), ("account:admin", "janua"));
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
    let audit = janua.server.audit(5).await;
    let newest = &audit[0];
    assert_eq!((newest["action"].as_str(), newest["target"].as_str(), by_whom(newest)), (Some("janua_admin.update"), Some("sup1"), ("account:admin", "janua")));
}
