//! `POST /sendsms`: recipients, refusals that queue nothing, the quota, and delivery through
//! the real Kannel (tests/peers/kannel.sh) into the SMS log, usage and statistics.

use std::time::Duration;

use serde_json::json;

use super::{Janua, answer};
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    sendsms_reaches_kannel_and_is_counted,
    the_sms_log_is_read_through_the_rest_api,
    a_reached_quota_refuses_up_front_and_tells_once,
    a_long_text_counts_its_parts,
    sendsms_refusals_queue_nothing,
    sendsms_to_more_recipients_than_one_batch,
    sendsms_to_a_group_reaches_smsd_once_per_person,
    sendsms_given_up_is_failed_in_the_log_and_retried_with_its_row,
    kannel_delivery_reports_move_the_log,
    delivery_reports_follow_janua_statuses,
    naive_times_in_filters_are_local,
);

fn url_q(value: serde_json::Value) -> String {
    let text = value.to_string();
    let encoded: String = text
        .bytes()
        .map(|byte| if byte.is_ascii_alphanumeric() { (byte as char).to_string() } else { format!("%{byte:02X}") })
        .collect();
    format!("q={encoded}")
}

fn kannel_env(kannel: &Peer) -> Vec<(&'static str, String)> {
    vec![
        ("STEWARD_SMS__GATEWAY", "kannel".to_owned()),
        ("STEWARD_SMS__KANNEL_URL", kannel.var("KANNEL_SENDSMS_URL").to_owned()),
        ("STEWARD_SMS__KANNEL_USER", kannel.var("KANNEL_USER").to_owned()),
        ("STEWARD_SMS__KANNEL_PASSWORD", kannel.var("KANNEL_PASSWORD").to_owned()),
    ]
}

/// A Janua server sending through a fresh Kannel peer, with sup1's contact Jane.
async fn with_kannel(backend: Backend) -> (Peer, Janua, String) {
    let kannel = Peer::start("kannel", &[], None);
    let env = kannel_env(&kannel);
    let env: Vec<(&str, &str)> = env.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let janua = Janua::start_with(backend, &env);
    let sup = janua.login("sup1", "sup1pw").await;
    janua.jane(&sup).await;
    (kannel, janua, sup)
}

/// Sends "Test" to all of sup1's contacts and waits until Kannel has it and the outbox is
/// empty.
async fn send_test_through(kannel: &Peer, janua: &Janua, sup: &str) {
    let sent = answer(janua.post_json("/sendsms", Some(sup), json!({"message": "Test", "to": "all"})).await).await;
    assert_eq!(sent, (200, json!({"success": true, "message": "SMS message has been queued"})));
    let arrived = eventually(Duration::from_secs(20), || async { kannel.run("received").lines().count() == 1 }).await;
    assert!(arrived, "{}\n{}", kannel.run("received"), janua.server.logs());
    assert!(eventually(Duration::from_secs(5), || async { janua.server.readyz().await["outbox"]["pending"] == 0 }).await);
}

async fn sendsms_reaches_kannel_and_is_counted(backend: Backend) {
    let (kannel, janua, sup) = with_kannel(backend).await;
    // Janua's quota is the shared resource janua.sms: Astakos reports it with the same token.
    let sms_usage = || async {
        let response = janua.server.http.get(janua.server.url("/im/authenticate?usage=1")).header("X-Auth-Token", &sup).send().await.unwrap();
        let body: serde_json::Value = response.json().await.unwrap();
        let entry = body["usage"].as_array().unwrap().iter().find(|entry| entry["name"] == "janua.sms").unwrap().clone();
        (entry["maxValue"].clone(), entry["currValue"].clone())
    };
    assert_eq!(sms_usage().await, (json!(100), json!(0)));
    // Case 31.
    let sent = answer(janua.post_json("/sendsms", Some(&sup), json!({"message": "Test", "to": "all"})).await).await;
    assert_eq!(sent, (200, json!({"success": true, "message": "SMS message has been queued"})));
    assert_eq!(sms_usage().await, (json!(100), json!(1)), "a send is counted at once, queued or not");
    let arrived = eventually(Duration::from_secs(20), || async { kannel.run("received").lines().count() == 1 }).await;
    assert!(arrived, "{}\n{}", kannel.run("received"), janua.server.logs());
    let line = kannel.run("received");
    assert!(line.contains("+33611111111") && line.trim_end().ends_with("text Test"), "{line}");
    // The log row is sent, so usage and statistics count it (case 37).
    assert!(eventually(Duration::from_secs(5), || async { janua.server.readyz().await["outbox"]["pending"] == 0 }).await);
    assert_eq!(answer(janua.get("/sms-usage", Some(&sup)).await).await.1["smsusage"]["sent"], 1);
    let (_, stats) = answer(janua.get("/sms-stats", Some(&sup)).await).await;
    let total: u64 = stats["objects"].as_array().unwrap().iter().map(|month| month["value"].as_u64().unwrap()).sum();
    assert_eq!(total, 1);
    assert_eq!(janua.server.readyz().await["checks"]["sms"], "ok");
}

/// Case 45: the SMS log through the REST API.
async fn the_sms_log_is_read_through_the_rest_api(backend: Backend) {
    let (kannel, janua, sup) = with_kannel(backend).await;
    send_test_through(&kannel, &janua, &sup).await;
    let (status, log) = janua.rest(reqwest::Method::GET, "/api/SMS", &sup, None).await;
    assert_eq!((status, log["num_results"].clone()), (200, json!(1)));
    let row = &log["objects"][0];
    for key in ["date_time", "sender", "recipient", "recipient_phone_number", "raw_message", "authorized", "status", "number_of_slices"] {
        assert!(row.get(key).is_some(), "{key} in {row}");
    }
    assert!(row.get("reference").is_none() && row.get("admin_id").is_none(), "{row}");
    assert_eq!((row["status"].clone(), row["recipient"].clone(), row["sender"].clone()), (json!(0), json!("Jane Doe"), json!("Sup One")));
    let date = row["date_time"].as_str().unwrap();
    assert!(date.len() == 19 && !date.ends_with('Z'), "naive ISO time: {date}");
    let id = row["id"].as_i64().unwrap();
    assert_eq!(janua.rest(reqwest::Method::GET, &format!("/api/SMS/{id}"), &sup, None).await, (404, json!({"message": "Not supported"})));
    assert_eq!(janua.rest(reqwest::Method::DELETE, &format!("/api/SMS/{id}"), &sup, None).await.0, 405);
    assert_eq!(janua.rest(reqwest::Method::POST, "/api/SMS", &sup, Some(json!({}))).await.0, 405);
    let hidden = url_q(json!({"filters": [{"name": "reference", "op": "is_null"}]}));
    assert_eq!(janua.rest(reqwest::Method::GET, &format!("/api/SMS?{hidden}"), &sup, None).await.1["message"], "Unable to construct query");
    let sent_today = url_q(json!({"filters": [{"name": "status", "op": "eq", "val": 0}, {"name": "date_time", "op": ">=", "val": "2000-01-01"}]}));
    assert_eq!(janua.rest(reqwest::Method::GET, &format!("/api/SMS?{sent_today}"), &sup, None).await.1["num_results"], 1);
    let admin_token = janua.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(janua.rest(reqwest::Method::GET, "/api/SMS", &admin_token, None).await.1["num_results"], 0, "each admin sees its own SMS");
}

/// Case 38: with a quota of 1, the next SMS is refused up front and nothing is queued but
/// the once-per-window notice (no SMTP here, so it waits).
async fn a_reached_quota_refuses_up_front_and_tells_once(backend: Backend) {
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    janua.jane(&sup).await;
    assert!(cli(&janua.db, &["quota", "set", "sup1", "janua.sms", "1"], "").status.success());
    assert_eq!(answer(janua.post_json("/sendsms", Some(&sup), json!({"message": "x", "to": "all"})).await).await.1["success"], true);
    let pending = || async { janua.server.readyz().await["outbox"]["pending"].as_u64().unwrap() };
    assert_eq!(pending().await, 1, "the SMS waits: no gateway");
    let (status, body) = answer(janua.post_json("/sendsms", Some(&sup), json!({"message": "x", "to": "all"})).await).await;
    assert_eq!(status, 200);
    assert_eq!(body["success"], false);
    assert_eq!(body["message"], "SMS quota reached (1 per month)");
    assert_eq!(pending().await, 2, "the notice, and no SMS");
    let (_, again) = answer(janua.post_json("/sendsms", Some(&sup), json!({"message": "x", "to": "all"})).await).await;
    assert_eq!(again["success"], false);
    assert_eq!(pending().await, 2, "told once per window");
    assert_eq!(answer(janua.get("/sms-usage", Some(&sup)).await).await.1["smsusage"]["sent"], 1);
}

/// A long text counts its parts: 161 GSM-7 characters are 2 parts.
async fn a_long_text_counts_its_parts(backend: Backend) {
    let (kannel, janua, sup) = with_kannel(backend).await;
    let long = "a".repeat(161);
    assert_eq!(answer(janua.post_json("/sendsms", Some(&sup), json!({"message": long, "to": "+33611111111"})).await).await.1["success"], true);
    // Kannel splits it for the SMSC, which then shows one line per part.
    assert!(eventually(Duration::from_secs(20), || async { kannel.run("received").lines().count() >= 2 }).await, "{}", kannel.run("received"));
    assert!(eventually(Duration::from_secs(5), || async { janua.server.readyz().await["outbox"]["pending"] == 0 }).await);
    assert_eq!(answer(janua.get("/sms-usage", Some(&sup)).await).await.1["smsusage"]["sent"], 2);
    let admin = janua.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(answer(janua.get("/sms-usage", Some(&admin)).await).await.1["smsusage"]["global"], 2);
}

async fn sendsms_refusals_queue_nothing(backend: Backend) {
    let janua = Janua::start_with(backend, &[("STEWARD_SMS__PREFIX_FILTER", "+33")]);
    let sup = janua.login("sup1", "sup1pw").await;
    // Case 36: no contacts, no groups.
    assert_eq!(answer(janua.post_json("/sendsms", Some(&sup), json!({"message": "x", "to": "all"})).await).await.1["message"], "No recipient was found in database for your account");
    janua.jane(&sup).await;
    let (status, _) = janua.rest(reqwest::Method::POST, "/api/GROUPS", &sup, Some(json!({"name": "EMPTY"}))).await;
    assert_eq!(status, 201);
    for (body, message) in [
        // Cases 32–34.
        (json!({"message": "Test", "to": "NOPE"}), "Group NOPE is invalid"),
        (json!({"to": "all"}), "Failed to trigger action: Action argument message is required"),
        (json!({"message": "x"}), "Failed to trigger action: Action argument to is required"),
        (json!({"message": "", "to": "all"}), "No recipients and/or message"),
        (json!({"message": "x", "to": ", ,"}), "No recipients and/or message"),
        (json!({"message": "x", "to": "+41790000000"}), "Number +41790000000 doesn't have a valid prefix"),
        (json!({"message": "x", "to": "+33699999999"}), "Number +33699999999 is invalid"),
        (json!({"message": "x", "to": "EMPTY"}), "No recipients was found in database to send SMS to EMPTY"),
        (json!({"message": 5, "to": "all"}), "Wrong value for argument message"),
        (json!({"message": "x".repeat(2000), "to": "all"}), ""),
    ] {
        let (status, answer) = answer(janua.post_json("/sendsms", Some(&sup), body.clone()).await).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(answer["success"], false, "{body}");
        if !message.is_empty() {
            assert_eq!(answer["message"], message, "{body}");
        }
    }
    let response = janua.server.http.post(janua.server.url("/sendsms")).header("JanuaAuthToken", &sup).send().await.unwrap();
    assert_eq!(answer(response).await, (200, json!({"success": false, "message": "Not in json format"})));
    // Case 35.
    assert_eq!(answer(janua.post_json("/sendsms", None, json!({"message": "x", "to": "all"})).await).await, (401, json!({"success": false, "message": "Not Authorized"})));
    assert_eq!(janua.get("/sendsms", Some(&sup)).await.status(), 405);
    // No gateway configured: a valid SMS waits in the outbox, and /readyz says so.
    assert_eq!(answer(janua.post_json("/sendsms", Some(&sup), json!({"message": "x", "to": "all"})).await).await.1["success"], true);
    let ready = janua.server.readyz().await;
    assert_eq!((ready["outbox"]["pending"].clone(), ready["checks"]["sms"].clone()), (json!(1), json!("unconfigured")));
    assert_eq!(answer(janua.get("/sms-usage", Some(&sup)).await).await.1["smsusage"]["sent"], 1, "queued SMS count against the quota");
    assert_eq!(janua.rest(reqwest::Method::GET, "/api/SMS", &sup, None).await.1["objects"][0]["status"], 5, "queued");
    assert_eq!(answer(janua.get("/api/SMS", None).await).await.0, 401);
}

async fn sendsms_to_more_recipients_than_one_batch(backend: Backend) {
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    assert!(cli(&janua.db, &["quota", "set", "sup1", "janua.sms", "100000"], "").status.success());
    // 620 contacts: more than one 500-row insert.
    for n in 0..620 {
        let body = json!({"name": format!("N{n}"), "firstname": "F", "phone_number": format!("+3361{n:07}"), "email": format!("c{n}@example.org")});
        assert_eq!(janua.rest(reqwest::Method::POST, "/api/CONTACT", &sup, Some(body)).await.0, 201);
    }
    assert_eq!(answer(janua.post_json("/sendsms", Some(&sup), json!({"message": "hello", "to": "all"})).await).await.1["success"], true);
    // One outbox row per 500 recipients; one log row each.
    assert_eq!(janua.server.readyz().await["outbox"]["pending"], 2);
    let (_, log) = janua.rest(reqwest::Method::GET, "/api/SMS?results_per_page=1000", &sup, None).await;
    assert_eq!(log["num_results"], 620);
    let mut numbers: Vec<&str> = log["objects"].as_array().unwrap().iter().map(|row| row["recipient_phone_number"].as_str().unwrap()).collect();
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), 620, "one log row per recipient");
    let rows = cli(&janua.db, &["outbox", "list"], "");
    assert_eq!(stdout(&rows).lines().count(), 2);
    assert_eq!(answer(janua.get("/sms-usage", Some(&sup)).await).await.1["smsusage"]["sent"], 620);
}

/// Creates the group `name` with a contact per number; returns nothing (the API answers are
/// checked).
async fn group_with(janua: &Janua, token: &str, name: &str, numbers: &[&str]) {
    let (status, group) = janua.rest(reqwest::Method::POST, "/api/GROUPS", token, Some(json!({"name": name}))).await;
    assert_eq!(status, 201, "{group}");
    for number in numbers {
        let contact = json!({"name": format!("N{number}"), "firstname": "F", "phone_number": number, "email": format!("{}@example.org", number.trim_start_matches('+'))});
        let (status, contact) = janua.rest(reqwest::Method::POST, "/api/CONTACT", token, Some(contact)).await;
        assert_eq!(status, 201, "{contact}");
        let link = json!({"group_id": group["id"], "contact_id": contact["id"]});
        assert_eq!(janua.rest(reqwest::Method::POST, "/api/CONTACT_GROUP", token, Some(link)).await.0, 201);
    }
}

/// The smstools gateway through `/sendsms`: a group and a bare number that is also one of
/// its members make one spool file per person, each taken by the real smsd.
async fn sendsms_to_a_group_reaches_smsd_once_per_person(backend: Backend) {
    let smstools = Peer::start("smstools", &[], None);
    let outgoing = smstools.var("SMSTOOLS_OUTGOING").to_owned();
    let janua = Janua::start_with(backend, &[("STEWARD_SMS__GATEWAY", "smstools"), ("STEWARD_SMS__SMSTOOLS_OUTGOING", &outgoing)]);
    let sup = janua.login("sup1", "sup1pw").await;
    group_with(&janua, &sup, "TEAM", &["+33622222201", "+33622222202", "+33622222203"]).await;
    let sent = answer(janua.post_json("/sendsms", Some(&sup), json!({"message": "Réunion", "to": "TEAM, +33622222202, TEAM"})).await).await;
    assert_eq!(sent.1["success"], true, "{sent:?}");
    // smsd moves each file from outgoing/ to checked/ and then sent/ (or failed/).
    let dir = |name: &str| std::path::PathBuf::from(smstools.var(name));
    let taken = |wanted: &str| {
        ["SMSTOOLS_CHECKED", "SMSTOOLS_SENT"]
            .iter()
            .flat_map(|name| std::fs::read_dir(dir(name)).unwrap().map(|entry| entry.unwrap().path()))
            .filter(|path| path.extension().is_none_or(|extension| extension != "LOCK"))
            .filter(|path| std::fs::read_to_string(path).is_ok_and(|text| text.starts_with(&format!("To: {wanted}\n"))))
            .count()
    };
    let all_taken = eventually(Duration::from_secs(20), || async {
        ["33622222201", "33622222202", "33622222203"].iter().all(|number| taken(number) == 1)
    })
    .await;
    assert!(all_taken, "{}", janua.server.logs());
    assert_eq!(std::fs::read_dir(dir("SMSTOOLS_FAILED")).unwrap().count(), 0);
    assert!(eventually(Duration::from_secs(5), || async { janua.server.readyz().await["outbox"]["pending"] == 0 }).await);
    let (_, log) = janua.rest(reqwest::Method::GET, "/api/SMS", &sup, None).await;
    assert_eq!(log["num_results"], 3, "{log}");
    for row in log["objects"].as_array().unwrap() {
        assert_eq!((row["status"].clone(), row["raw_message"].clone()), (json!(0), json!("Réunion")), "{row}");
    }
    assert_eq!(janua.server.readyz().await["checks"]["sms"], "ok");
}

/// A batch the gateway never takes is failed for good with its log rows, and an operator's
/// retry puts both back.
async fn sendsms_given_up_is_failed_in_the_log_and_retried_with_its_row(backend: Backend) {
    let closed = format!("http://127.0.0.1:{}/cgi-bin/sendsms", free_port());
    let janua = Janua::start_with(
        backend,
        &[("STEWARD_SMS__GATEWAY", "kannel"), ("STEWARD_SMS__KANNEL_URL", &closed), ("STEWARD_WORKER__MAX_ATTEMPTS", "1")],
    );
    let sup = janua.login("sup1", "sup1pw").await;
    group_with(&janua, &sup, "PAIR", &["+33622222211", "+33622222212"]).await;
    assert_eq!(answer(janua.post_json("/sendsms", Some(&sup), json!({"message": "x", "to": "PAIR"})).await).await.1["success"], true);
    let statuses = || async {
        let (_, log) = janua.rest(reqwest::Method::GET, "/api/SMS", &sup, None).await;
        log["objects"].as_array().unwrap().iter().map(|row| row["status"].as_i64().unwrap()).collect::<Vec<_>>()
    };
    assert!(eventually(Duration::from_secs(10), || async { janua.server.readyz().await["outbox"]["failed"] == 1 }).await, "{}", janua.server.logs());
    assert_eq!(statuses().await, [6, 6], "failed for good");
    assert_eq!(answer(janua.get("/sms-usage", Some(&sup)).await).await.1["smsusage"]["sent"], 0, "failed SMS do not count");
    // Retried with no server running, so no worker fails it again before it is seen.
    let Janua { server, db } = janua;
    assert!(server.stop().await);
    let retried = cli(&db, &["outbox", "retry", "--all-failed"], "");
    assert!(retried.status.success(), "{}", stderr(&retried));
    let janua = Janua { server: Server::start(&db, &[]), db };
    let sup = janua.login("sup1", "sup1pw").await;
    let (_, log) = janua.rest(reqwest::Method::GET, "/api/SMS", &sup, None).await;
    let statuses: Vec<i64> = log["objects"].as_array().unwrap().iter().map(|row| row["status"].as_i64().unwrap()).collect();
    assert_eq!(statuses, [5, 5], "queued again with their row");
    assert_eq!(janua.server.readyz().await["outbox"], json!({"pending": 1, "failed": 0}));
    assert_eq!(answer(janua.get("/sms-usage", Some(&sup)).await).await.1["smsusage"]["sent"], 2);
}

/// Kannel calls back for each SMS with the reference Steward signed: through the real
/// Kannel and its fake SMSC (which reports "accepted" then "delivered") the log row ends as
/// Janua's 1. A report with a forged reference, or of an unknown type, changes nothing.
async fn kannel_delivery_reports_move_the_log(backend: Backend) {
    let kannel = Peer::start("kannel", &[], None);
    let port = free_port();
    let mut env = kannel_env(&kannel);
    env.push(("STEWARD_LISTEN", format!("127.0.0.1:{port}")));
    env.push(("STEWARD_SMS__KANNEL_DLR_URL", format!("http://127.0.0.1:{port}/steward/v1/sms/reports/kannel")));
    let env: Vec<(&str, &str)> = env.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let janua = Janua::start_with(backend, &env);
    let sup = janua.login("sup1", "sup1pw").await;
    janua.jane(&sup).await;
    assert_eq!(answer(janua.post_json("/sendsms", Some(&sup), json!({"message": "Report me", "to": "all"})).await).await.1["success"], true);
    let delivered = eventually(Duration::from_secs(20), || async { janua.sms_log(&sup).await.first().map(|row| row.1) == Some(1) }).await;
    assert!(delivered, "{:?}\n{}", janua.sms_log(&sup).await, janua.server.logs());
    let metrics = janua.server.http.get(janua.server.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.lines().any(|line| line.starts_with("steward_sms_delivery_reports_total") && line.contains("type=\"1\"") && line.contains("outcome=\"recorded\"")), "{metrics}");
    let id = janua.sms_log(&sup).await[0].0;
    let key = janua.report_key().await;
    let forged = format!("{id}-{}", "0".repeat(32));
    for (reference, kind, status) in [(forged, "16", 403), (key.sign(id).replace('-', "-f"), "16", 403), (key.sign(id), "3", 400), (key.sign(id), "x", 400)] {
        let (got, body) = janua.report(&reference, kind).await;
        assert_eq!((got, body["status"].clone()), (status, json!(status)), "{reference} {kind}: {body}");
    }
    let (missing, _) = answer(janua.server.http.get(janua.server.url("/steward/v1/sms/reports/kannel?type=1")).send().await.unwrap()).await;
    assert_eq!(missing, 400);
    // A reference Steward signed for a row that is gone (its admin deleted) changes nothing.
    assert_eq!(janua.report(&key.sign(id + 1000), "1").await, (200, json!({"recorded": false, "status": null})));
    // Delivered is final: a late "refused by the SMSC" changes nothing, and it still counts.
    assert_eq!(janua.report(&key.sign(id), "16").await, (200, json!({"recorded": false, "status": null})));
    assert_eq!(janua.sms_log(&sup).await[0].1, 1);
    assert_eq!(answer(janua.get("/sms-usage", Some(&sup)).await).await.1["smsusage"]["sent"], 1);
}

/// Each report type's move, on a row no gateway touches (it stays queued until a report).
async fn delivery_reports_follow_janua_statuses(backend: Backend) {
    let janua = Janua::start(backend);
    let sup = janua.login("sup1", "sup1pw").await;
    janua.jane(&sup).await;
    assert_eq!(answer(janua.post_json("/sendsms", Some(&sup), json!({"message": "x", "to": "all"})).await).await.1["success"], true);
    let id = janua.sms_log(&sup).await[0].0;
    // The key is made on first use; a report under no key Steward has is refused.
    assert_eq!(janua.report(&format!("{id}-{}", "0".repeat(32)), "1").await.0, 403);
    let key = janua.report_key().await;
    let reference = key.sign(id);
    for (kind, recorded, status) in [("4", false, 5), ("8", true, 0), ("8", false, 0), ("2", true, 2), ("16", false, 2), ("1", true, 1), ("2", false, 1)] {
        let expected = json!({"recorded": recorded, "status": if recorded { json!(status) } else { json!(null) }});
        assert_eq!(janua.report(&reference, kind).await, (200, expected), "type {kind}");
        assert_eq!(janua.sms_log(&sup).await[0].1, status, "after type {kind}");
    }
    // Refused by the SMSC: failed, and no longer counted against the quota.
    assert_eq!(answer(janua.post_json("/sendsms", Some(&sup), json!({"message": "y", "to": "all"})).await).await.1["success"], true);
    let second = janua.sms_log(&sup).await.iter().map(|row| row.0).max().unwrap();
    assert_eq!(janua.report(&key.sign(second), "16").await.1["status"], 6);
    assert_eq!(answer(janua.get("/sms-usage", Some(&sup)).await).await.1["smsusage"]["sent"], 1);
}

impl Janua {
    /// `(id, status)` of the caller's SMS log rows.
    async fn sms_log(&self, token: &str) -> Vec<(i64, i64)> {
        let (_, log) = self.rest(reqwest::Method::GET, "/api/SMS", token, None).await;
        log["objects"].as_array().unwrap().iter().map(|row| (row["id"].as_i64().unwrap(), row["status"].as_i64().unwrap())).collect()
    }

    /// The store's delivery report key, read from outside Steward.
    async fn report_key(&self) -> steward_model::sms::report::ReportKey {
        let stored = self.db.query("SELECT value FROM settings WHERE key = 'sms.report_key'");
        let clear = unseal(&self.db, "settings.sms.report_key", stored.trim().trim_matches('"'));
        steward_model::sms::report::ReportKey::from_hex(&clear).expect("the stored report key")
    }

    /// Files a Kannel delivery report as Kannel would.
    async fn report(&self, reference: &str, kind: &str) -> (u16, serde_json::Value) {
        let url = self.server.url(&format!("/steward/v1/sms/reports/kannel?ref={reference}&type={kind}"));
        answer(self.server.http.get(url).send().await.unwrap()).await
    }
}

/// `/api/SMS` shows `date_time` naive in `timezone`, and a naive time in `q` is read in the
/// same zone: the shown value finds its row, one second later does not.
async fn naive_times_in_filters_are_local(backend: Backend) {
    let janua = Janua::start_with(backend, &[("STEWARD_TIMEZONE", "Asia/Kolkata")]);
    let sup = janua.login("sup1", "sup1pw").await;
    janua.jane(&sup).await;
    assert_eq!(answer(janua.post_json("/sendsms", Some(&sup), json!({"message": "x", "to": "all"})).await).await.1["success"], true);
    let (_, log) = janua.rest(reqwest::Method::GET, "/api/SMS", &sup, None).await;
    let shown = log["objects"][0]["date_time"].as_str().unwrap().to_owned();
    let local = time::PrimitiveDateTime::parse(&shown, time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]")).unwrap();
    let utc_now = time::OffsetDateTime::now_utc();
    let ahead = (local.assume_utc() - utc_now).whole_minutes();
    assert!((325..=335).contains(&ahead), "shown in UTC+05:30: {shown} vs {utc_now}");
    let count = |op: &str, value: &str| {
        let filter = url_q(json!({"filters": [{"name": "date_time", "op": op, "val": value}]}));
        let janua = &janua;
        let sup = &sup;
        async move { janua.rest(reqwest::Method::GET, &format!("/api/SMS?{filter}"), sup, None).await.1["num_results"].clone() }
    };
    let next_second = (local + time::Duration::seconds(1)).format(time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]")).unwrap();
    assert_eq!(count("==", &shown).await, 1);
    assert_eq!(count(">=", &shown).await, 1);
    assert_eq!(count(">=", &next_second).await, 0);
    // An explicit offset is taken as given.
    let as_utc = local.assume_offset(time::macros::offset!(+05:30)).to_offset(time::UtcOffset::UTC);
    let explicit = as_utc.format(&time::format_description::well_known::Rfc3339).unwrap();
    assert_eq!(count("==", &explicit).await, 1, "{explicit}");
}
