//! The alias nodes: cases 29–36 of hermes.md §8, checked through Kamailio's own lookup.

use serde_json::json;

use super::{Hermes, ok, verdict};
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    an_e164_alias_resolves_in_kamailio_and_leaves_the_pool,
    alias_refusals_write_nothing,
    aliases_are_listed_by_destination,
    a_removed_alias_stops_resolving,
);

/// bob@example.org with the alias +4761123456 taken from the pool.
async fn bob_with_an_e164_alias(hermes: &Hermes) {
    assert!(ok(&hermes.get("/user/add_local?username=bob&domain=example.org&displayname=Bob&email=bob@example.net").await.1));
    assert!(ok(&hermes.get("/numbers/add?number=%2B4761123456").await.1));
    let (_, added) = hermes.get("/alias/add?alias_username=%2B4761123456&alias_domain=example.org&destination=bob@example.org").await;
    assert_eq!(added, json!({"response": "ok", "alias": "+4761123456@example.org", "destination": "bob@example.org"}));
}

async fn an_e164_alias_resolves_in_kamailio_and_leaves_the_pool(backend: Backend) {
    let hermes = Hermes::start(backend);
    // Case 29: ok, in dbaliases, resolved by Kamailio at once; the number leaves the pool.
    bob_with_an_e164_alias(&hermes).await;
    assert_eq!(hermes.kamailio_rows("SELECT username, domain FROM dbaliases WHERE alias_username = '+4761123456'"), "bob|example.org\n");
    assert!(hermes.kamailio.check(&["alias", "+4761123456", "bob"]));
    assert_eq!(verdict(&hermes.get("/numbers/inpool?number=%2B4761123456").await.1), ("failed".into(), "nonexistant".into()));
    assert_eq!(verdict(&hermes.get("/numbers/add?number=%2B4761123456").await.1), ("failed".into(), "inuse".into()));
    let audit = hermes.server.audit(20).await;
    assert_eq!(by_whom(audit_entry(&audit, "hermes.alias.add", "+4761123456@example.org")), ("trusted network 127.0.0.1", "hermes"));
}

async fn alias_refusals_write_nothing(backend: Backend) {
    let hermes = Hermes::start(backend);
    bob_with_an_e164_alias(&hermes).await;
    // Cases 30–34.
    for (query, expected) in [
        ("/alias/add?alias_username=%2B4761123457&alias_domain=example.org&destination=bob@example.org", ("failed", "exists")),
        ("/alias/add?alias_username=x&alias_domain=nowhere.test&destination=bob@example.org", ("failed", "nxdomain")),
        ("/alias/add?alias_username=x&alias_domain=example.org&destination=ghost@example.org", ("failed", "nonexistant")),
        ("/alias/add?alias_username=a%20b&alias_domain=example.org&destination=bob@example.org", ("invalid", "alias")),
        ("/alias/add?alias_username=alice&alias_domain=example.org&destination=bob@example.org", ("failed", "exists")),
        ("/alias/add?alias_username=%2B4761123456&alias_domain=example.org&destination=bob@example.org", ("failed", "exists")),
        ("/alias/add?alias_username=x&alias_domain=example.org&destination=not-an-address", ("invalid", "destination")),
        ("/alias/remove?alias_username=a%20b&alias_domain=example.org", ("invalid", "address")),
    ] {
        assert_eq!(verdict(&hermes.get(query).await.1), (expected.0.to_owned(), expected.1.to_owned()), "{query}");
    }
    assert_eq!(hermes.kamailio_rows("SELECT COUNT(*) FROM dbaliases WHERE username = 'bob'"), "1\n", "refusals wrote nothing");
}

async fn aliases_are_listed_by_destination(backend: Backend) {
    let hermes = Hermes::start(backend);
    bob_with_an_e164_alias(&hermes).await;
    // Case 35; alias/user with and without e164.
    assert!(ok(&hermes.get("/alias/add?alias_username=bobby&alias_domain=example.org&destination=bob@example.org").await.1));
    assert!(hermes.kamailio.check(&["alias", "bobby", "bob"]));
    let listed = hermes.get("/alias/list").await.1["aliases"].clone();
    assert!(listed.as_array().unwrap().contains(&json!({"alias": "bobby@example.org", "destination": "bob@example.org"})), "{listed}");
    assert_eq!(hermes.get("/alias/list?search=bob").await.1["aliases"].as_array().unwrap().len(), 1);
    assert_eq!(hermes.get("/alias/user?destination=bob@example.org").await.1["aliases"], json!(["+4761123456@example.org", "bobby@example.org"]));
    assert_eq!(hermes.get("/alias/user?destination=bob@example.org&e164=true").await.1["aliases"], json!(["+4761123456@example.org"]));
    assert_eq!(hermes.get("/alias/user?destination=nobody@example.org").await.1["aliases"], json!([]));
    assert_eq!(verdict(&hermes.get("/alias/user?destination=bob@example.org&e164=yes").await.1), ("invalid".into(), "e164".into()));
}

async fn a_removed_alias_stops_resolving(backend: Backend) {
    let hermes = Hermes::start(backend);
    bob_with_an_e164_alias(&hermes).await;
    assert!(ok(&hermes.get("/alias/add?alias_username=bobby&alias_domain=example.org&destination=bob@example.org").await.1));
    // Case 36.
    assert_eq!(hermes.get("/alias/remove?alias_username=bobby&alias_domain=example.org").await.1, json!({"response": "ok", "alias": "bobby@example.org"}));
    assert!(!hermes.kamailio.check(&["alias", "bobby", "bob"]));
    assert_eq!(verdict(&hermes.get("/alias/remove?alias_username=bobby&alias_domain=example.org").await.1), ("failed".into(), "nonexistant".into()));
    // Removing bob takes his last alias with him, in Kamailio too.
    let (_, removed) = hermes.get("/user/remove?username=bob&domain=example.org").await;
    assert_eq!(removed["removed_aliases"], json!(["+4761123456@example.org"]), "{removed}");
    assert!(!hermes.kamailio.check(&["alias", "+4761123456", "bob"]));
    assert_eq!(hermes.get("/alias/list").await.1["aliases"], json!([]));
}
