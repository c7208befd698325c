//! The phone nodes: cases 13–20 of hermes.md §8 and their refusals.

use serde_json::json;

use super::{Hermes, ok, verdict};
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    a_phone_is_added_in_either_mac_form,
    phones_are_read_by_user_or_by_mac,
    phone_lists_find_either_mac_form,
    a_user_with_phones_is_kept_until_they_are_removed,
);

/// The local user bob and the remote user rem, and bob's phone F0:0B:A2:BA:5C:00.
async fn bob_with_a_phone(hermes: &Hermes) {
    assert!(ok(&hermes.get("/user/add_local?username=bob&domain=example.org&displayname=Bob&email=bob@example.net").await.1));
    assert!(ok(&hermes.get("/user/add_remote?username=rem&domain=voip.example.com&password=S3cr3t&displayname=Remote&registrar=sip.example.com").await.1));
    let (_, added) = hermes.get("/phone/add?mac=F0:0B:A2:BA:5C:00&user=bob@example.org").await;
    assert_eq!(added, json!({"response": "ok", "mac": "f00ba2ba5c00", "user": "bob@example.org"}));
}

async fn a_phone_is_added_in_either_mac_form(backend: Backend) {
    let hermes = Hermes::start(backend);
    // Case 13: the paired form, then the plain form of the same phone.
    bob_with_a_phone(&hermes).await;
    assert_eq!(verdict(&hermes.get("/phone/add?mac=f00ba2ba5c00&user=bob@example.org").await.1), ("failed".into(), "exists".into()));
    // Cases 14, 15, 16.
    assert_eq!(verdict(&hermes.get("/phone/add?mac=f00ba2ba5c0&user=bob@example.org").await.1), ("invalid".into(), "mac".into()));
    assert_eq!(verdict(&hermes.get("/phone/add?mac=f00ba2ba5c01&username=nobody&domain=example.org").await.1), ("failed".into(), "nonexistant".into()));
    assert!(ok(&hermes.get("/phone/add?mac=f00ba2ba5c00&username=rem&domain=voip.example.com").await.1), "a second line");
    assert_eq!(hermes.get("/phone/list").await.1["macs"], json!(["f00ba2ba5c00"]), "the refusals added nothing");
    let audit = hermes.server.audit(20).await;
    assert_eq!(by_whom(audit_entry(&audit, "hermes.phone.add", "f00ba2ba5c00")), ("trusted network 127.0.0.1", "hermes"));
}

async fn phones_are_read_by_user_or_by_mac(backend: Backend) {
    let hermes = Hermes::start(backend);
    bob_with_a_phone(&hermes).await;
    assert!(ok(&hermes.get("/phone/add?mac=f00ba2ba5c00&username=rem&domain=voip.example.com").await.1));
    // Case 17, 18; get by MAC lists both lines.
    assert_eq!(hermes.get("/phone/get?user=bob@example.org").await.1["macs"], json!(["f00ba2ba5c00"]));
    assert_eq!(hermes.get("/phone/get?mac=F0:0B:A2:BA:5C:00").await.1["users"], json!(["bob@example.org", "rem@voip.example.com"]));
    assert_eq!(verdict(&hermes.get("/phone/get?mac=aaaaaaaaaaaa").await.1), ("failed".into(), "nonexistant".into()));
    assert_eq!(verdict(&hermes.get("/phone/get?mac=f00ba2ba5c00&user=bob@example.org").await.1), ("invalid".into(), "mac".into()));
    assert_eq!(verdict(&hermes.get("/phone/get").await.1), ("invalid".into(), "mac".into()));
    assert_eq!(verdict(&hermes.get("/phone/get?user=ghost@example.org").await.1), ("failed".into(), "nonexistant".into()));
}

async fn phone_lists_find_either_mac_form(backend: Backend) {
    let hermes = Hermes::start(backend);
    bob_with_a_phone(&hermes).await;
    // Lists: a fragment of either form finds the phone.
    assert!(ok(&hermes.get("/phone/add?mac=001122334455&user=bob@example.org").await.1));
    assert_eq!(hermes.get("/phone/list").await.1["macs"], json!(["001122334455", "f00ba2ba5c00"]));
    assert_eq!(hermes.get("/phone/list?search=F0:0B").await.1["macs"], json!(["f00ba2ba5c00"]));
    assert_eq!(hermes.get("/phone/list?search=2233").await.1["macs"], json!(["001122334455"]));
    assert_eq!(verdict(&hermes.get("/phone/frob").await.1), ("invalid".into(), "node".into()));
}

async fn a_user_with_phones_is_kept_until_they_are_removed(backend: Backend) {
    let hermes = Hermes::start(backend);
    bob_with_a_phone(&hermes).await;
    assert!(ok(&hermes.get("/phone/add?mac=001122334455&user=bob@example.org").await.1));
    // Case 19: a user with phones stays, in Kamailio too.
    let (_, in_use) = hermes.get("/user/remove?username=bob&domain=example.org").await;
    assert_eq!(verdict(&in_use), ("failed".into(), "inuse".into()));
    assert!(in_use["detail"].as_str().unwrap().contains("2 associated phone"), "{in_use}");
    assert_eq!(hermes.kamailio_rows("SELECT COUNT(*) FROM subscriber WHERE username = 'bob'"), "1\n");
    // Case 20.
    assert_eq!(hermes.get("/phone/remove?mac=f00ba2ba5c00&username=bob&domain=example.org").await.1, json!({"response": "ok"}));
    assert_eq!(verdict(&hermes.get("/phone/remove?mac=f00ba2ba5c00&username=bob&domain=example.org").await.1), ("failed".into(), "nonexistant".into()));
    assert!(ok(&hermes.get("/phone/remove?mac=00:11:22:33:44:55&user=bob@example.org").await.1));
    assert!(ok(&hermes.get("/user/remove?username=bob&domain=example.org").await.1), "no phones left");
    assert_eq!(hermes.kamailio_rows("SELECT COUNT(*) FROM subscriber WHERE username = 'bob'"), "0\n");
}
