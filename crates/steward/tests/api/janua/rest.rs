//! The REST API for CONTACT, GROUPS and CONTACT_GROUP (janua.md §4, cases 15–30).

use serde_json::{Value, json};

use super::{Janua, answer};
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    a_contact_belongs_to_its_creator,
    contact_refusals_create_nothing,
    contacts_are_hidden_from_other_admins,
    a_contact_is_updated_with_put_and_deleted,
    filters_match_like_ilike_and_or,
    bad_queries_are_refused,
    a_single_result_is_the_object_itself,
    lists_are_paged_with_a_link_header,
    groups_follow_janua_naming_rules,
    memberships_show_on_both_sides,
    relation_sub_routes_list_the_related_rows,
    membership_refusals_change_nothing,
    groups_are_renamed_and_deleted_with_their_memberships,
    rest_refusals_change_nothing,
    deep_pages_follow_every_write,
);

impl Janua {
    pub async fn rest(&self, method: reqwest::Method, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.server.http.request(method, self.server.url(path)).header("JanuaAuthToken", token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await.unwrap()).await
    }

    pub async fn jane(&self, token: &str) -> i64 {
        let (status, body) = self
            .rest(reqwest::Method::POST, "/api/CONTACT", token, Some(json!({"name": "Doe", "firstname": "Jane", "phone_number": "+33611111111", "email": "jane@example.org"})))
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_i64().unwrap()
    }
}

fn q(value: Value) -> String {
    let encoded: String = url_encode(&value.to_string());
    format!("q={encoded}")
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

async fn a_contact_belongs_to_its_creator(backend: Backend) {
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    // Case 15.
    let response = janua
        .server
        .http
        .post(janua.server.url("/api/CONTACT"))
        .header("JanuaAuthToken", &sup)
        .json(&json!({"name": "Doe", "firstname": "Jane", "phone_number": "+33611111111", "email": "jane@example.org", "admin_id": 999}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let jane: Value = response.json().await.unwrap();
    let id = jane["id"].as_i64().unwrap();
    assert_eq!(location, format!("/api/CONTACT/{id}"));
    assert_eq!(jane["fullname"], "Jane Doe");
    assert_eq!(jane["groups"], json!([]));
    assert_ne!(jane["admin_id"], 999, "the owner is always the caller");
}

async fn contact_refusals_create_nothing(backend: Backend) {
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    use reqwest::Method;
    janua.jane(&sup).await;
    assert_eq!(
        janua.rest(Method::POST, "/api/CONTACT", &sup, Some(json!({"name": "Doe", "firstname": "Jane", "phone_number": "+33611111111", "email": "jane@example.org"}))).await,
        (400, json!({"message": "IntegrityError", "detail": "a contact with this phone number or e-mail already exists"}))
    );
    // Case 16: no email.
    let (status, body) = janua.rest(Method::POST, "/api/CONTACT", &sup, Some(json!({"name": "X", "firstname": "Y", "phone_number": "+33622222222"}))).await;
    assert_eq!((status, body["message"].clone()), (400, json!("IntegrityError")));
    // Case 17: an unknown field.
    let (status, body) = janua
        .rest(Method::POST, "/api/CONTACT", &sup, Some(json!({"name": "X", "firstname": "Y", "phone_number": "+33633333333", "email": "x@example.org", "nickname": "z"})))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["validation_errors"], "Could not determine specific validation errors");
    for (body, message) in [
        (json!({"name": "X", "firstname": "Y", "phone_number": "06 12", "email": "x@example.org"}), "Invalid phone number"),
        (json!({"name": "X", "firstname": "Y", "phone_number": "+33644444444", "email": "not-mail"}), "Invalid email"),
    ] {
        assert_eq!(janua.rest(Method::POST, "/api/CONTACT", &sup, Some(body)).await, (400, json!({"message": message})));
    }
    assert_eq!(janua.rest(Method::GET, "/api/CONTACT", &sup, None).await.1["num_results"], 1, "only Jane");
}

async fn contacts_are_hidden_from_other_admins(backend: Backend) {
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    use reqwest::Method;
    let id = janua.jane(&sup).await;
    let before = janua.rest(Method::GET, &format!("/api/CONTACT/{id}"), &sup, None).await;
    // Case 18: the admin does not see the supervisor's contacts.
    let (status, body) = janua.rest(Method::GET, "/api/CONTACT", &admin, None).await;
    assert_eq!((status, body["num_results"].clone()), (200, json!(0)));
    assert_eq!(janua.rest(Method::GET, &format!("/api/CONTACT/{id}"), &admin, None).await, (404, json!({"message": "404: Not Found"})));
    assert_eq!(janua.rest(Method::PUT, &format!("/api/CONTACT/{id}"), &admin, Some(json!({"description": "mine"}))).await.0, 404);
    assert_eq!(janua.rest(Method::DELETE, &format!("/api/CONTACT/{id}"), &admin, None).await.0, 404, "not the admin's");
    assert_eq!(janua.rest(Method::GET, &format!("/api/CONTACT/{id}"), &sup, None).await, before, "unchanged");
}

async fn a_contact_is_updated_with_put_and_deleted(backend: Backend) {
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    use reqwest::Method;
    let id = janua.jane(&sup).await;
    // Case 29.
    let (status, body) = janua.rest(Method::PUT, &format!("/api/CONTACT/{id}"), &sup, Some(json!({"description": "on call"}))).await;
    assert_eq!((status, body["description"].clone(), body["name"].clone()), (200, json!("on call"), json!("Doe")));
    assert_eq!(janua.rest(Method::PUT, &format!("/api/CONTACT/{id}"), &sup, Some(json!({"color": "red"}))).await, (400, json!({"message": "Model does not have field 'color'"})));
    // Case 28: PATCH is not the update verb.
    assert_eq!(janua.rest(Method::PATCH, &format!("/api/CONTACT/{id}"), &sup, Some(json!({"name": "Roe"}))).await.0, 405);
    // Case 30.
    assert_eq!(janua.rest(Method::PUT, "/api/CONTACT/abc", &sup, Some(json!({}))).await, (404, json!({"message": "404: Not Found"})));
    let (_, kept) = janua.rest(Method::GET, &format!("/api/CONTACT/{id}"), &sup, None).await;
    assert_eq!((kept["description"].clone(), kept["name"].clone()), (json!("on call"), json!("Doe")), "only the PUT changed it");
    let deleted = janua.server.http.delete(janua.server.url(&format!("/api/CONTACT/{id}"))).header("JanuaAuthToken", &sup).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(janua.rest(Method::GET, &format!("/api/CONTACT/{id}"), &sup, None).await.0, 404);
    assert_eq!(janua.rest(Method::DELETE, &format!("/api/CONTACT/{id}"), &sup, None).await.0, 404);
}

/// Jane Doe and john Smith, for the searches.
async fn two_contacts(janua: &Janua, sup: &str) {
    janua.jane(sup).await;
    let (status, _) = janua
        .rest(reqwest::Method::POST, "/api/CONTACT", sup, Some(json!({"name": "Smith", "firstname": "john", "phone_number": "+33622222222", "email": "john@example.org"})))
        .await;
    assert_eq!(status, 201);
}

async fn filters_match_like_ilike_and_or(backend: Backend) {
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    use reqwest::Method;
    two_contacts(&janua, &sup).await;
    // Case 19; like is case-sensitive, ilike is not, on both backends.
    let like = q(json!({"filters": [{"name": "firstname", "op": "like", "val": "J%"}]}));
    assert_eq!(janua.rest(Method::GET, &format!("/api/CONTACT?{like}"), &sup, None).await.1["num_results"], 1);
    let ilike = q(json!({"filters": [{"name": "firstname", "op": "ilike", "val": "j%"}]}));
    assert_eq!(janua.rest(Method::GET, &format!("/api/CONTACT?{ilike}"), &sup, None).await.1["num_results"], 2);
    let either = q(json!({"filters": [{"or": [{"name": "name", "op": "eq", "val": "Doe"}, {"name": "email", "op": "==", "val": "john@example.org"}]}], "order_by": [{"field": "name", "direction": "desc"}]}));
    let (_, body) = janua.rest(Method::GET, &format!("/api/CONTACT?{either}"), &sup, None).await;
    let names: Vec<&str> = body["objects"].as_array().unwrap().iter().map(|object| object["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Smith", "Doe"]);
    // Injection-looking values match nothing.
    let injection = q(json!({"filters": [{"name": "name", "op": "eq", "val": "x' OR '1'='1"}]}));
    assert_eq!(janua.rest(Method::GET, &format!("/api/CONTACT?{injection}"), &sup, None).await.1["num_results"], 0);
}

async fn bad_queries_are_refused(backend: Backend) {
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    use reqwest::Method;
    janua.jane(&sup).await;
    // Case 20, 21.
    let unknown = q(json!({"filters": [{"name": "nosuch", "op": "eq", "val": 1}]}));
    assert_eq!(janua.rest(Method::GET, &format!("/api/CONTACT?{unknown}"), &sup, None).await.1["message"], "Unable to construct query");
    let (status, body) = janua.rest(Method::GET, "/api/CONTACT?q=notjson", &sup, None).await;
    assert_eq!((status, body["message"].clone()), (400, json!("Unable to decode data")));
    // Hidden and foreign things cannot be searched.
    for filter in [
        json!({"filters": [{"name": "password", "op": "eq", "val": "x"}]}),
        json!({"filters": {"name": "name", "op": "eq", "val": "Doe"}}),
        json!({"filters": [{"name": "name", "op": "bogus", "val": "Doe"}]}),
        json!({"filters": [{"name": "name", "op": "eq"}]}),
        json!({"order_by": [{"field": "password"}]}),
    ] {
        let (status, body) = janua.rest(Method::GET, &format!("/api/CONTACT?{}", q(filter.clone())), &sup, None).await;
        assert_eq!((status, body["message"].clone()), (400, json!("Unable to construct query")), "{filter}");
    }
    assert_eq!(janua.rest(Method::GET, "/api/CONTACT?page=abc", &sup, None).await.1["message"], "Unable to decode data");
    assert_eq!(janua.rest(Method::GET, "/api/CONTACT?page=0", &sup, None).await.0, 400);
}

async fn a_single_result_is_the_object_itself(backend: Backend) {
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    use reqwest::Method;
    two_contacts(&janua, &sup).await;
    // Case 22.
    let single = q(json!({"filters": [{"name": "name", "op": "eq", "val": "Doe"}], "single": true}));
    let response = janua.server.http.get(janua.server.url(&format!("/api/CONTACT?{single}"))).header("JanuaAuthToken", &sup).send().await.unwrap();
    assert!(response.headers().contains_key("location"));
    let (status, body) = answer(response).await;
    assert_eq!(status, 200);
    assert_eq!(body["name"], "Doe");
    assert!(body.get("objects").is_none());
    let several = q(json!({"single": true}));
    assert_eq!(janua.rest(Method::GET, &format!("/api/CONTACT?{several}"), &sup, None).await, (400, json!({"message": "Multiple results found"})));
    let none = q(json!({"filters": [{"name": "name", "op": "eq", "val": "Nobody"}], "single": true}));
    assert_eq!(janua.rest(Method::GET, &format!("/api/CONTACT?{none}"), &sup, None).await, (404, json!({"message": "No result found"})));
}

async fn lists_are_paged_with_a_link_header(backend: Backend) {
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    use reqwest::Method;
    two_contacts(&janua, &sup).await;
    // Case 23, with the Link header.
    let response = janua.server.http.get(janua.server.url("/api/CONTACT?results_per_page=1&page=1")).header("JanuaAuthToken", &sup).send().await.unwrap();
    let link = response.headers()["link"].to_str().unwrap().to_owned();
    assert!(link.contains("page=2&results_per_page=1>; rel=\"next\""), "{link}");
    let (status, body) = janua.rest(Method::GET, "/api/CONTACT?results_per_page=1&page=2", &sup, None).await;
    assert_eq!(status, 200);
    assert_eq!((body["page"].clone(), body["total_pages"].clone(), body["num_results"].clone()), (json!(2), json!(2), json!(2)));
    assert_eq!(body["objects"].as_array().unwrap().len(), 1);
    let (_, body) = janua.rest(Method::GET, "/api/CONTACT?page=9", &sup, None).await;
    assert_eq!((body["page"].clone(), body["objects"].clone()), (json!(9), json!([])));
    // ExtJS's parameters are ignored.
    assert_eq!(janua.rest(Method::GET, "/api/CONTACT?start=0&limit=25&_dc=1700000000", &sup, None).await.1["num_results"], 2);
}

async fn groups_follow_janua_naming_rules(backend: Backend) {
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    use reqwest::Method;
    // Case 24, 25.
    let (status, meso) = janua.rest(Method::POST, "/api/GROUPS", &sup, Some(json!({"name": "MESO", "description": "HPC"}))).await;
    assert_eq!(status, 201);
    assert_eq!((meso["contacts"].clone(), meso["actions"].clone(), meso["description"].clone()), (json!([]), json!([]), json!("HPC")));
    assert_eq!(janua.rest(Method::POST, "/api/GROUPS", &sup, Some(json!({"name": "MESO"}))).await.1["message"], "IntegrityError");
    for (name, message) in [
        ("Café", "Accented and special characters are forbidden, except hyphen"),
        ("a b", "Accented and special characters are forbidden, except hyphen"),
        ("all", "Group name all is reserved"),
        ("1234", "Group name 1234 is reserved"),
    ] {
        assert_eq!(janua.rest(Method::POST, "/api/GROUPS", &sup, Some(json!({"name": name}))).await, (400, json!({"message": message})), "{name}");
    }
    let (_, plain) = janua.rest(Method::POST, "/api/GROUPS", &sup, Some(json!({"name": "ops-team"}))).await;
    assert_eq!(plain["description"], "", "description defaults to empty");
    assert_eq!(janua.rest(Method::GET, "/api/GROUPS", &sup, None).await.1["num_results"], 2, "MESO and ops-team only");
}

/// A supervisor's group MESO with its contact Jane in it: `(jane, meso_id, membership)`.
async fn jane_in_meso(janua: &Janua, sup: &str) -> (i64, i64, Value) {
    use reqwest::Method;
    let jane = janua.jane(sup).await;
    let (status, meso) = janua.rest(Method::POST, "/api/GROUPS", sup, Some(json!({"name": "MESO", "description": "HPC"}))).await;
    assert_eq!(status, 201, "{meso}");
    let meso_id = meso["id"].as_i64().unwrap();
    let (status, membership) = janua.rest(Method::POST, "/api/CONTACT_GROUP", sup, Some(json!({"group_id": meso_id, "contact_id": jane}))).await;
    assert_eq!(status, 201, "{membership}");
    (jane, meso_id, membership)
}

async fn memberships_show_on_both_sides(backend: Backend) {
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    use reqwest::Method;
    // Case 26, 27.
    let (jane, meso_id, membership) = jane_in_meso(&janua, &sup).await;
    assert_eq!((membership["group_id"].clone(), membership["contact_id"].clone()), (json!(meso_id), json!(jane)));
    let (_, group) = janua.rest(Method::GET, &format!("/api/GROUPS/{meso_id}"), &sup, None).await;
    assert_eq!(group["contacts"][0]["fullname"], "Jane Doe");
    let (_, contact) = janua.rest(Method::GET, &format!("/api/CONTACT/{jane}"), &sup, None).await;
    assert_eq!(contact["groups"][0]["name"], "MESO");
    let groups_filter = q(json!({"filters": [{"name": "groups__name", "op": "any", "val": "MESO"}]}));
    assert_eq!(janua.rest(Method::GET, &format!("/api/CONTACT?{groups_filter}"), &sup, None).await.1["num_results"], 1);
    assert_eq!(janua.rest(Method::GET, "/api/CONTACT_GROUP", &sup, None).await.1["num_results"], 1);
}

async fn relation_sub_routes_list_the_related_rows(backend: Backend) {
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    use reqwest::Method;
    let (jane, meso_id, _) = jane_in_meso(&janua, &sup).await;
    let (status, related) = janua.rest(Method::GET, &format!("/api/CONTACT/{jane}/groups"), &sup, None).await;
    assert_eq!((status, related["num_results"].clone(), related["objects"][0]["name"].clone()), (200, json!(1), json!("MESO")));
    assert_eq!(janua.rest(Method::GET, &format!("/api/CONTACT/{jane}/groups/{meso_id}"), &sup, None).await.1["id"], meso_id);
    assert_eq!(janua.rest(Method::GET, &format!("/api/GROUPS/{meso_id}/contacts"), &sup, None).await.1["objects"][0]["fullname"], "Jane Doe");
    assert_eq!(janua.rest(Method::GET, &format!("/api/GROUPS/{meso_id}/actions"), &sup, None).await.1["num_results"], 0);
    assert_eq!(janua.rest(Method::GET, &format!("/api/CONTACT/{jane}/friends"), &sup, None).await.0, 404);
    assert_eq!(janua.rest(Method::GET, &format!("/api/CONTACT/{jane}/groups/999999"), &sup, None).await.0, 404);
    assert_eq!(janua.rest(Method::GET, &format!("/api/CONTACT/{jane}/groups"), &admin, None).await.0, 404, "not the admin's contact");
}

async fn membership_refusals_change_nothing(backend: Backend) {
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    use reqwest::Method;
    let (jane, meso_id, membership) = jane_in_meso(&janua, &sup).await;
    let membership_id = membership["id"].as_i64().unwrap();
    assert_eq!(janua.rest(Method::POST, "/api/CONTACT_GROUP", &admin, Some(json!({"group_id": meso_id, "contact_id": jane}))).await, (403, json!({"message": "403: Forbidden"})));
    assert_eq!(janua.rest(Method::POST, "/api/CONTACT_GROUP", &sup, Some(json!({"group_id": meso_id}))).await.1["message"], "400: Bad Request");
    assert_eq!(janua.rest(Method::POST, "/api/CONTACT_GROUP", &sup, Some(json!({"group_id": meso_id, "contact_id": jane}))).await.1["message"], "IntegrityError");
    assert_eq!(janua.rest(Method::GET, "/api/CONTACT_GROUP", &admin, None).await.1["num_results"], 0);
    assert_eq!(janua.rest(Method::GET, &format!("/api/CONTACT_GROUP/{membership_id}"), &admin, None).await.0, 404);
    assert_eq!(janua.rest(Method::PUT, &format!("/api/CONTACT_GROUP/{membership_id}"), &sup, Some(json!({"group_id": 999_999}))).await.0, 403, "the new group must be the caller's");
    let (_, memberships) = janua.rest(Method::GET, "/api/CONTACT_GROUP", &sup, None).await;
    assert_eq!(memberships["num_results"], 1);
    assert_eq!(memberships["objects"][0]["group_id"], meso_id, "unchanged");
}

async fn groups_are_renamed_and_deleted_with_their_memberships(backend: Backend) {
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    use reqwest::Method;
    let (_, meso_id, _) = jane_in_meso(&janua, &sup).await;
    // Renaming keeps the rules; deleting the group deletes its memberships.
    assert_eq!(janua.rest(Method::PUT, &format!("/api/GROUPS/{meso_id}"), &sup, Some(json!({"name": "all"}))).await.0, 400);
    assert_eq!(janua.rest(Method::PUT, &format!("/api/GROUPS/{meso_id}"), &sup, Some(json!({"name": "MESO-2"}))).await.1["name"], "MESO-2");
    assert_eq!(janua.rest(Method::DELETE, &format!("/api/GROUPS/{meso_id}"), &admin, None).await.0, 404);
    let deleted = janua.server.http.delete(janua.server.url(&format!("/api/GROUPS/{meso_id}"))).header("JanuaAuthToken", &sup).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(janua.rest(Method::GET, "/api/CONTACT_GROUP", &sup, None).await.1["num_results"], 0);
    assert_eq!(janua.rest(Method::GET, "/api/CONTACT", &sup, None).await.1["num_results"], 1, "the contact stays");
}

async fn rest_refusals_change_nothing(backend: Backend) {
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    use reqwest::Method;
    for path in ["/api/CONTACT", "/api/GROUPS", "/api/CONTACT_GROUP", "/api/CONTACT/1", "/api/GROUPS/1", "/api/CONTACT_GROUP/1"] {
        assert_eq!(answer(janua.get(path, None).await).await, (401, json!({"message": "Not Authorized"})), "{path}");
        assert_eq!(answer(janua.get(path, Some("garbage")).await).await.0, 401, "{path}");
    }
    let url = janua.server.url("/api/CONTACT");
    let no_type = janua.server.http.post(&url).header("JanuaAuthToken", &sup).body("{\"name\":\"x\"}").send().await.unwrap();
    assert_eq!(answer(no_type).await, (415, json!({"message": "Request must have \"Content-Type: application/json\" header"})));
    let broken = janua.server.http.post(&url).header("JanuaAuthToken", &sup).header("content-type", "application/json").body("{\"name\":").send().await.unwrap();
    assert_eq!(answer(broken).await, (400, json!({"message": "Unable to decode data"})));
    let not_object = janua.server.http.post(&url).header("JanuaAuthToken", &sup).json(&json!([1])).send().await.unwrap();
    assert_eq!(answer(not_object).await.0, 400);
    let wrong_type = janua.rest(Method::POST, "/api/CONTACT", &sup, Some(json!({"name": 5, "firstname": "Y", "phone_number": "+33655555555", "email": "y@example.org"}))).await;
    assert_eq!(wrong_type.0, 400);
    assert_eq!(janua.rest(Method::PUT, "/api/CONTACT", &sup, Some(json!({}))).await, (405, json!({"message": "405: Method Not Allowed"})));
    assert_eq!(janua.rest(Method::DELETE, "/api/GROUPS", &sup, None).await.0, 405);
    assert_eq!(janua.rest(Method::POST, "/api/CONTACT/1", &sup, Some(json!({}))).await.0, 405);
    assert_eq!(janua.get("/api/contact", Some(&sup)).await.status(), 404, "model names are upper case");
    assert_eq!(janua.rest(Method::GET, "/api/CONTACT", &sup, None).await.1["num_results"], 0, "nothing was created");
}

/// Pages deep into a long list start from remembered positions and a kept count: they must
/// show exactly what a fresh `OFFSET` would, before and after inserts, deletes, another
/// owner's writes and a deleted group.
async fn deep_pages_follow_every_write(backend: Backend) {
    use reqwest::Method;
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    let mut ids = Vec::new();
    for n in 0..700 {
        let body = json!({"name": format!("N{n:03}"), "firstname": "F", "phone_number": format!("+3362{n:07}"), "email": format!("p{n}@example.org")});
        let (status, created) = janua.rest(Method::POST, "/api/CONTACT", &sup, Some(body)).await;
        assert_eq!(status, 201, "{created}");
        ids.push(created["id"].as_i64().unwrap());
    }
    // Another owner's contacts are neither counted nor shown.
    assert_eq!(janua.rest(Method::POST, "/api/CONTACT", &admin, Some(json!({"name": "Other", "firstname": "O", "phone_number": "+33699999990", "email": "o@example.org"}))).await.0, 201);
    let page_ids = |page: u64, size: u64| {
        let janua = &janua;
        let sup = &sup;
        async move {
            let (status, body) = janua.rest(Method::GET, &format!("/api/CONTACT?page={page}&results_per_page={size}"), sup, None).await;
            assert_eq!(status, 200, "{body}");
            let shown: Vec<i64> = body["objects"].as_array().unwrap().iter().map(|object| object["id"].as_i64().unwrap()).collect();
            (body["num_results"].as_u64().unwrap(), body["total_pages"].as_u64().unwrap(), shown)
        }
    };
    let expect = |ids: &[i64], page: usize, size: usize| ids.iter().copied().skip((page - 1) * size).take(size).collect::<Vec<_>>();
    for (page, size) in [(1, 100), (3, 100), (4, 100), (7, 100), (8, 100), (2, 300), (3, 300), (6, 128), (1, 1000)] {
        let (total, _, shown) = page_ids(page, size).await;
        assert_eq!(total, 700);
        assert_eq!(shown, expect(&ids, page as usize, size as usize), "page {page} of {size}");
    }
    // Deleting a contact near the start shifts every later page by one.
    assert_eq!(janua.rest(Method::DELETE, &format!("/api/CONTACT/{}", ids[5]), &sup, None).await.0, 204);
    ids.remove(5);
    let (total, pages, shown) = page_ids(4, 100).await;
    assert_eq!((total, pages), (699, 7));
    assert_eq!(shown, expect(&ids, 4, 100));
    // A new contact goes at the end.
    let (_, created) = janua.rest(Method::POST, "/api/CONTACT", &sup, Some(json!({"name": "Last", "firstname": "L", "phone_number": "+33698888888", "email": "last@example.org"}))).await;
    ids.push(created["id"].as_i64().unwrap());
    let (total, _, shown) = page_ids(7, 100).await;
    assert_eq!(total, 700);
    assert_eq!(shown, expect(&ids, 7, 100));
    // A filtered list still counts what matches.
    let filtered = q(json!({"filters": [{"name": "name", "op": "like", "val": "N6%"}]}));
    assert_eq!(janua.rest(Method::GET, &format!("/api/CONTACT?{filtered}"), &sup, None).await.1["num_results"], 100);
    // Groups are counted the same way, and deleting one is counted.
    for n in 0..3 {
        assert_eq!(janua.rest(Method::POST, "/api/GROUPS", &sup, Some(json!({"name": format!("G{n}")}))).await.0, 201);
    }
    let (_, groups) = janua.rest(Method::GET, "/api/GROUPS", &sup, None).await;
    assert_eq!(groups["num_results"], 3);
    let first = groups["objects"][0]["id"].as_i64().unwrap();
    assert_eq!(janua.rest(Method::DELETE, &format!("/api/GROUPS/{first}"), &sup, None).await.0, 204);
    assert_eq!(janua.rest(Method::GET, "/api/GROUPS", &sup, None).await.1["num_results"], 2);
    assert_eq!(janua.rest(Method::GET, "/api/CONTACT", &admin, None).await.1["num_results"], 1);
}
