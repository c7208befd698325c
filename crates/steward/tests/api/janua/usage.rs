//! `/sms-usage` and `/sms-stats` (before any SMS is sent; the figures with SMS come with
//! `/sendsms`).

use serde_json::json;

use super::{Janua, answer};
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(usage_and_stats_follow_level_and_quota);

async fn usage_and_stats_follow_level_and_quota(backend: Backend) {
    let janua = Janua::start_with(backend, &[("STEWARD_TIMEZONE", "Europe/Paris")]);
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    let sup = janua.login("sup1", "sup1pw").await;
    assert_eq!(answer(janua.get("/sms-usage", Some(&sup)).await).await, (200, json!({"smsusage": {"sent": 0, "quota": "100 M"}})));
    assert_eq!(answer(janua.get("/sms-usage", Some(&admin)).await).await, (200, json!({"smsusage": {"sent": 0, "quota": "100 M", "global": 0}})));
    // The Janua quota is the account's limit on the shared resource janua.sms.
    assert!(cli(&janua.db, &["quota", "set", "sup1", "janua.sms", "250"], "").status.success());
    assert_eq!(answer(janua.get("/sms-usage", Some(&sup)).await).await.1["smsusage"]["quota"], "250 M");

    let (status, body) = answer(janua.get("/sms-stats", Some(&sup)).await).await;
    assert_eq!(status, 200);
    assert_eq!(body["num_results"], 12);
    let months: Vec<&str> = body["objects"].as_array().unwrap().iter().map(|month| month["month"].as_str().unwrap()).collect();
    assert_eq!(months, ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]);
    assert!(body["objects"].as_array().unwrap().iter().all(|month| month["value"] == 0));
    assert_eq!(answer(janua.get("/sms-stats", Some(&admin)).await).await.0, 200);

    for path in ["/sms-usage", "/sms-stats"] {
        assert_eq!(answer(janua.get(path, None).await).await, (401, json!({"success": false, "message": "Not Authorized"})), "{path}");
        assert_eq!(janua.post_json(path, Some(&sup), json!({})).await.status(), 405, "{path}");
    }
}
