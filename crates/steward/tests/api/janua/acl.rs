//! `/api/ACTION` and the three access lists (cases 46, 47). Steward runs no keyword
//! actions, so the lists stay empty and every write stops at its action check.

use serde_json::json;

use super::{Janua, answer};
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    supervisor_actions_are_the_super_admins,
    contact_notify_actions_check_their_arguments,
    group_actions_check_their_arguments,
    models_without_relations_answer_404_after_authentication,
    the_empty_lists_are_readable,
    actions_are_read_and_reassigned_only,
);

/// Case 46; the list's refusals.
async fn supervisor_actions_are_the_super_admins(backend: Backend) {
    let janua = Janua::start(backend);
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    let sup = janua.login("sup1", "sup1pw").await;
    use reqwest::Method;
    assert_eq!(janua.rest(Method::GET, "/api/AUTHORIZED_SUPERVISOR_ACTION", &sup, None).await, (401, json!({"message": "Not Authorized"})));
    let (status, body) = janua.rest(Method::GET, "/api/AUTHORIZED_SUPERVISOR_ACTION", &admin, None).await;
    assert_eq!((status, body["num_results"].clone(), body["objects"].clone()), (200, json!(0), json!([])));
    assert_eq!(janua.rest(Method::POST, "/api/AUTHORIZED_SUPERVISOR_ACTION", &sup, Some(json!({"admin_id": 1, "action_id": 1}))).await.0, 401);
    assert_eq!(janua.rest(Method::POST, "/api/AUTHORIZED_SUPERVISOR_ACTION", &admin, Some(json!({"action_id": 1}))).await.1["message"], "IntegrityError");
    let (_, admins) = janua.rest(Method::GET, "/api/ADMIN", &admin, None).await;
    let sup_id = admins["objects"][1]["id"].as_i64().unwrap();
    assert_eq!(janua.rest(Method::POST, "/api/AUTHORIZED_SUPERVISOR_ACTION", &admin, Some(json!({"admin_id": 999_999, "action_id": 1}))).await, (400, json!({"message": "Unknown admin 999999"})));
    assert_eq!(janua.rest(Method::POST, "/api/AUTHORIZED_SUPERVISOR_ACTION", &admin, Some(json!({"admin_id": sup_id, "action_id": 7}))).await, (400, json!({"message": "Unknown action 7"})));
    assert_eq!(janua.rest(Method::GET, "/api/AUTHORIZED_SUPERVISOR_ACTION", &admin, None).await.1["num_results"], 0, "nothing added");
}

/// Case 47.
async fn contact_notify_actions_check_their_arguments(backend: Backend) {
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    use reqwest::Method;
    assert_eq!(janua.rest(Method::POST, "/api/CONTACT_NOTIFY_ACTION", &sup, Some(json!({"action_id": 1}))).await, (400, json!({"message": "Missing arguments"})));
    let (status, body) = janua.rest(Method::POST, "/api/CONTACT_NOTIFY_ACTION", &sup, Some(json!({"action_id": 1, "contact_id": 1, "group_id": 1}))).await;
    assert_eq!((status, body["message"].clone()), (403, json!("Bad arguments")));
    assert_eq!(janua.rest(Method::GET, "/api/CONTACT_NOTIFY_ACTION/1", &sup, None).await, (404, json!({"message": "Bad instance"})));
    assert_eq!(janua.rest(Method::GET, "/api/CONTACT_NOTIFY_ACTION", &sup, None).await.1["num_results"], 0, "nothing added");
}

async fn group_actions_check_their_arguments(backend: Backend) {
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    use reqwest::Method;
    assert_eq!(janua.rest(Method::POST, "/api/AUTHORIZED_GROUP_ACTION", &sup, Some(json!({"group_id": 1}))).await, (400, json!({"message": "400: Bad Request"})));
    assert_eq!(janua.rest(Method::POST, "/api/AUTHORIZED_GROUP_ACTION", &sup, Some(json!({"group_id": 1, "action_id": 1}))).await.0, 403);
    assert_eq!(janua.rest(Method::POST, "/api/AUTHORIZED_GROUP_ACTION", &sup, Some(json!({"group_id": 1, "action_id": 1, "colour": "red"}))).await.0, 400);
    assert_eq!(janua.rest(Method::DELETE, "/api/AUTHORIZED_GROUP_ACTION/1", &sup, None).await.0, 404);
    assert_eq!(janua.rest(Method::PUT, "/api/AUTHORIZED_GROUP_ACTION/1", &sup, Some(json!({}))).await.0, 405);
    assert_eq!(janua.rest(Method::GET, "/api/AUTHORIZED_GROUP_ACTION", &sup, None).await.1["num_results"], 0, "nothing added");
}

/// Relation sub-routes: ADMIN has none, and no action exists to have any; both answer in
/// the REST envelope, after authentication.
async fn models_without_relations_answer_404_after_authentication(backend: Backend) {
    let janua = Janua::start(backend);
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    use reqwest::Method;
    for path in ["/api/ADMIN/1/groups", "/api/ADMIN/1/contacts/2", "/api/ACTION/1/admin", "/api/ACTION/1/authorized_group/3", "/api/ACTION/1/nosuch"] {
        let (status, body) = janua.rest(Method::GET, path, &admin, None).await;
        assert_eq!((status, body["message"].clone()), (404, json!("404: Not Found")), "{path}: {body}");
        assert_eq!(answer(janua.get(path, None).await).await, (401, json!({"message": "Not Authorized"})), "{path}");
        assert_eq!(janua.rest(Method::DELETE, path, &admin, None).await.0, 405, "{path}");
    }
    assert_eq!(janua.rest(Method::GET, "/api/ADMIN/x/groups", &admin, None).await.0, 404, "a non-numeric id is not found, as on every model");
}

async fn the_empty_lists_are_readable(backend: Backend) {
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    use reqwest::Method;
    for path in ["/api/ACTION", "/api/AUTHORIZED_GROUP_ACTION", "/api/CONTACT_NOTIFY_ACTION"] {
        let (status, body) = janua.rest(Method::GET, path, &sup, None).await;
        assert_eq!((status, body["num_results"].clone()), (200, json!(0)), "{path}");
        assert_eq!(answer(janua.get(path, None).await).await, (401, json!({"message": "Not Authorized"})), "{path}");
    }
}

/// ACTION: read and reassign only; the reassignment is the super admin's.
async fn actions_are_read_and_reassigned_only(backend: Backend) {
    let janua = Janua::start(backend);
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    let sup = janua.login("sup1", "sup1pw").await;
    use reqwest::Method;
    let (_, admins) = janua.rest(Method::GET, "/api/ADMIN", &admin, None).await;
    let sup_id = admins["objects"][1]["id"].as_i64().unwrap();
    assert_eq!(janua.rest(Method::POST, "/api/ACTION", &admin, Some(json!({}))).await.0, 405);
    assert_eq!(janua.rest(Method::PUT, "/api/ACTION/1", &sup, Some(json!({"admin_id": 1}))).await, (405, json!({"message": "405: Method Not Allowed"})));
    assert_eq!(janua.rest(Method::PUT, "/api/ACTION/1", &admin, Some(json!({"name": "x"}))).await, (400, json!({"message": "400: Bad Request"})));
    assert_eq!(janua.rest(Method::PUT, "/api/ACTION/1", &admin, Some(json!({"admin_id": sup_id}))).await.0, 404);
    assert_eq!(janua.rest(Method::GET, "/api/ACTION/1", &admin, None).await.0, 404);
}
