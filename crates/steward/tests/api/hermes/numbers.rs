//! The number pool nodes: cases 21–28 of hermes.md §8 and their refusals.

use serde_json::json;

use super::{Standalone, ok, verdict};
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    numbers_are_added_one_by_one,
    a_range_is_added_once_in_order,
    bad_ranges_are_refused,
    numbers_are_listed_and_picked_at_random,
    a_number_is_taken_by_removing_it,
);

/// A server whose pool holds +4761123456, ranges capped at 1 000 numbers. The pool is
/// Steward's own: no Kamailio is needed to hand numbers out.
async fn start(backend: Backend) -> Standalone {
    let pool = Standalone::start_with(backend, &[("STEWARD_FACES__HERMES__MAX_RANGE", "1000")]);
    let (_, added) = pool.get("/numbers/add?number=%2B4761123456").await;
    assert_eq!(added, json!({"response": "ok", "number": "+4761123456", "detail": "Added +4761123456"}));
    pool
}

async fn numbers_are_added_one_by_one(backend: Backend) {
    let hermes = start(backend).await;
    // Cases 21, 22, 23.
    assert_eq!(verdict(&hermes.get("/numbers/add?number=%2B4761123456").await.1), ("failed".into(), "exists".into()));
    let (_, space) = hermes.get("/numbers/add?number=+4761123456").await;
    assert_eq!(verdict(&space), ("invalid".into(), "number".into()));
    assert!(space["detail"].as_str().unwrap().contains("%2B"), "{space}");
    assert_eq!(hermes.get("/numbers/inpool?number=%2B4761123456").await.1, json!({"response": "ok", "number": "+4761123456"}));
    let (_, absent) = hermes.get("/numbers/inpool?number=%2B4761123499").await;
    assert_eq!(absent, json!({"response": "failed", "cause": "nonexistant", "detail": "+4761123499 is not in the pool"}));
    assert_eq!(hermes.get("/numbers/list").await.1["numbers"], json!(["+4761123456"]));
}

async fn a_range_is_added_once_in_order(backend: Backend) {
    let hermes = start(backend).await;
    // Case 24: ten added, the one already there listed among them, ascending.
    let (_, range) = hermes.get("/numbers/add_range?start=%2B4761123400&end=%2B4761123409").await;
    assert_eq!((range["added"].clone(), range["skipped"].clone()), (json!(10), json!(0)), "{range}");
    let listed = hermes.get("/numbers/list?search=611234").await.1["numbers"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 11);
    let mut sorted = listed.clone();
    sorted.sort_by(|left, right| left.as_str().cmp(&right.as_str()));
    assert_eq!(listed, sorted);
    // Idempotent: again, all skipped.
    let (_, again) = hermes.get("/numbers/add_range?start=%2B4761123400&end=%2B4761123409").await;
    assert_eq!((again["added"].clone(), again["skipped"].clone()), (json!(0), json!(10)));
}

async fn bad_ranges_are_refused(backend: Backend) {
    let hermes = start(backend).await;
    // Cases 25, 26 (the seed's own example exceeds the cap), and other refusals.
    for query in [
        "/numbers/add_range?start=%2B4761123400&end=%2B4661123409",
        "/numbers/add_range?start=%2B471234&end=%2B47123456",
        "/numbers/add_range?start=%2B4761123409&end=%2B4761123400",
        "/numbers/add_range?start=%2B4761120000&end=%2B4761121000",
    ] {
        assert_eq!(verdict(&hermes.get(query).await.1), ("invalid".into(), "range".into()), "{query}");
    }
    assert_eq!(verdict(&hermes.get("/numbers/add_range?start=4761123400&end=%2B4761123409").await.1), ("invalid".into(), "start".into()));
    assert_eq!(verdict(&hermes.get("/numbers/add_range?start=%2B4761123400").await.1), ("invalid".into(), "end".into()));
    assert_eq!(hermes.get("/numbers/list").await.1["numbers"], json!(["+4761123456"]), "nothing added");
}

async fn numbers_are_listed_and_picked_at_random(backend: Backend) {
    let hermes = start(backend).await;
    assert_eq!(hermes.get("/numbers/add_range?start=%2B4761123400&end=%2B4761123409").await.1["added"], 10);
    // Cases 27, 28.
    let (_, random) = hermes.get("/numbers/list?random=true&limit=5").await;
    let picked = random["numbers"].as_array().unwrap();
    assert_eq!(picked.len(), 5);
    let all = hermes.get("/numbers/list").await.1["numbers"].as_array().unwrap().clone();
    assert_eq!(all.len(), 11);
    assert!(picked.iter().all(|number| all.contains(number)));
    assert_eq!(verdict(&hermes.get("/numbers/list?limit=abc").await.1), ("invalid".into(), "limit".into()));
    assert_eq!(verdict(&hermes.get("/numbers/list?limit=0").await.1), ("invalid".into(), "limit".into()));
    assert_eq!(verdict(&hermes.get("/numbers/list?random=maybe").await.1), ("invalid".into(), "random".into()));
}

async fn a_number_is_taken_by_removing_it(backend: Backend) {
    let hermes = start(backend).await;
    // Remove: how a client allocates a number.
    assert!(ok(&hermes.get("/numbers/remove?number=%2B4761123456").await.1));
    assert_eq!(verdict(&hermes.get("/numbers/remove?number=%2B4761123456").await.1), ("failed".into(), "nonexistant".into()));
    assert_eq!(verdict(&hermes.get("/numbers/inpool?number=%2B4761123456").await.1), ("failed".into(), "nonexistant".into()));
    assert_eq!(hermes.get("/numbers/list").await.1["numbers"], json!([]));
}
