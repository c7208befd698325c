//! The user nodes: cases 1–12, 37–40 of hermes.md §8, authentication, and a Kamailio that
//! refuses the write.

use serde_json::json;

use super::{Hermes, Standalone, md5_hex, ok, verdict};
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(
    add_local_writes_a_subscriber_that_registers_at_once,
    add_local_refuses_unserved_domains_and_kamailio_users,
    a_user_is_read_by_address_or_by_parts,
    a_new_password_works_in_kamailio_at_once,
    update_changes_a_local_user,
    remove_refuses_the_account_in_kamailio_at_once,
    remote_users_stay_out_of_kamailio,
    user_lists_are_sorted_and_searched,
    user_nodes_refuse_bad_input_and_unknown_nodes,
    callers_outside_trusted_networks_must_authenticate,
    outside_trusted_networks_a_sip_admin_is_served,
    a_kamailio_that_refuses_leaves_both_sides_unchanged,
    configured_domains_are_written_to_kamailio,
    provisioning_into_a_postgres_kamailio,
    a_local_sip_user_belongs_to_the_account_with_its_email,
);

/// Adds the local user bob@example.org; his generated password.
async fn add_bob(hermes: &Hermes) -> String {
    let (_, added) = hermes.get("/user/add_local?username=bob&domain=example.org&displayname=Bob%20B&email=bob@example.net").await;
    assert!(ok(&added), "{added}");
    added["user"]["password"].as_str().unwrap().to_owned()
}

async fn add_local_writes_a_subscriber_that_registers_at_once(backend: Backend) {
    let hermes = Hermes::start(backend);
    // Case 1.
    let (status, body) = hermes.get("/user/gen_pw").await;
    assert_eq!((status, body["password"].as_str().map(str::len)), (200, Some(12)), "{body}");
    // Case 2: ok, and Kamailio has the row with both digests, and REGISTER works at once.
    let (_, added) = hermes.get("/user/add_local?username=bob&domain=example.org&displayname=Bob%20B&email=bob@example.net").await;
    assert!(ok(&added), "{added}");
    let user = &added["user"];
    assert_eq!((user["username"].clone(), user["domain"].clone(), user["type"].clone()), (json!("bob"), json!("example.org"), json!("local")));
    let password = user["password"].as_str().unwrap().to_owned();
    assert_eq!(password.len(), 12);
    let row = hermes.kamailio_rows("SELECT ha1, ha1b FROM subscriber WHERE username = 'bob' AND domain = 'example.org'");
    let expected = format!("{}|{}\n", md5_hex(&format!("bob:example.org:{password}")), md5_hex(&format!("bob@example.org:example.org:{password}")));
    assert_eq!(row, expected);
    assert!(hermes.kamailio.check(&["register", "bob", &password]), "REGISTER with the returned password");
    // Case 3: again → exists, still one row.
    let (_, again) = hermes.get("/user/add_local?username=bob&domain=example.org&displayname=Bob%20B&email=bob@example.net").await;
    assert_eq!(verdict(&again), ("failed".into(), "exists".into()));
    assert_eq!(hermes.kamailio_rows("SELECT COUNT(*) FROM subscriber WHERE username = 'bob'"), "1\n");
    // Audited with its principal: the trusted network the call came from.
    let audit = hermes.server.audit(20).await;
    assert_eq!(by_whom(audit_entry(&audit, "hermes.user.add_local", "bob@example.org")), ("trusted network 127.0.0.1", "hermes"));
}

async fn add_local_refuses_unserved_domains_and_kamailio_users(backend: Backend) {
    let hermes = Hermes::start(backend);
    // Case 4, 6.
    let (_, nowhere) = hermes.get("/user/add_local?username=carol&domain=nowhere.test&displayname=C&email=c@example.net").await;
    assert_eq!(verdict(&nowhere), ("failed".into(), "nxdomain".into()));
    let (_, alice) = hermes.get("/user/add_local?username=alice&domain=example.org&displayname=A&email=a@example.net").await;
    assert_eq!(verdict(&alice), ("failed".into(), "exists".into()), "alice exists only in subscriber");
    assert_eq!(hermes.get("/user/list").await.1["users"], json!([]), "nothing added");
    assert_eq!(hermes.kamailio_rows("SELECT username FROM subscriber"), "alice\n");
}

async fn a_user_is_read_by_address_or_by_parts(backend: Backend) {
    let hermes = Hermes::start(backend);
    let password = add_bob(&hermes).await;
    // Case 7, 8.
    let (_, by_address) = hermes.get("/user/get?address=bob@example.org").await;
    let (_, by_parts) = hermes.get("/user/get?username=bob&domain=example.org").await;
    assert!(ok(&by_address) && by_address == by_parts, "{by_address} {by_parts}");
    assert_eq!(by_address["user"]["password"], json!(password));
    let (_, nobody) = hermes.get("/user/get?username=nobody&domain=example.org").await;
    assert_eq!(verdict(&nobody), ("failed".into(), "nonexistant".into()));
    // POST with a form body works like GET.
    let response = hermes
        .server
        .http
        .post(hermes.server.url("/user/get"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("user=bob%40example.org")
        .send()
        .await
        .unwrap();
    let (status, body): (u16, serde_json::Value) = (response.status().as_u16(), response.json().await.unwrap());
    assert!(status == 200 && body == by_address, "{body}");
}

async fn a_new_password_works_in_kamailio_at_once(backend: Backend) {
    let hermes = Hermes::start(backend);
    let password = add_bob(&hermes).await;
    // Case 37: a new password works at once, the old one is refused.
    let (_, changed) = hermes.get("/user/change_pw?username=bob&domain=example.org&password=N3wPassw0rd").await;
    assert!(ok(&changed), "{changed}");
    assert!(hermes.kamailio.check(&["register", "bob", "N3wPassw0rd"]));
    assert!(hermes.kamailio.check(&["refused", "bob", &password]));
    let (_, short) = hermes.get("/user/change_pw?username=bob&domain=example.org&password=short").await;
    assert_eq!(verdict(&short), ("invalid".into(), "password".into()));
    assert!(hermes.kamailio.check(&["register", "bob", "N3wPassw0rd"]), "the refused change changed nothing");
}

async fn update_changes_a_local_user(backend: Backend) {
    let hermes = Hermes::start(backend);
    add_bob(&hermes).await;
    // Case 38 (local half).
    let (_, updated) = hermes.get("/user/update?username=bob&domain=example.org&linetext=Desk").await;
    assert_eq!(updated["user"]["linetext"], "Desk", "{updated}");
    let (_, nothing) = hermes.get("/user/update?username=bob&domain=example.org").await;
    assert_eq!(verdict(&nothing), ("invalid".into(), "displayname".into()));
    assert_eq!(hermes.get("/user/get?user=bob@example.org").await.1["user"]["linetext"], "Desk");
}

async fn remove_refuses_the_account_in_kamailio_at_once(backend: Backend) {
    let hermes = Hermes::start(backend);
    let password = add_bob(&hermes).await;
    // Remove: Kamailio refuses the account at once; a second remove finds nothing.
    let (_, removed) = hermes.get("/user/remove?username=bob&domain=example.org").await;
    assert!(ok(&removed), "{removed}");
    assert!(hermes.kamailio.check(&["refused", "bob", &password]));
    assert_eq!(hermes.kamailio_rows("SELECT COUNT(*) FROM subscriber WHERE username = 'bob'"), "0\n");
    let (_, gone) = hermes.get("/user/remove?user=bob@example.org").await;
    assert_eq!(verdict(&gone), ("failed".into(), "nonexistant".into()));
    // A kamctl subscriber unknown to Steward is removable too, with its alias.
    let (_, alice_gone) = hermes.get("/user/remove?username=alice&domain=example.org").await;
    assert_eq!(alice_gone["removed_aliases"], json!(["+33612345678@example.org"]), "{alice_gone}");
    assert!(hermes.kamailio.check(&["refused", "alice", "alicepw"]));
    let audit = hermes.server.audit(20).await;
    assert_eq!(by_whom(audit_entry(&audit, "hermes.user.remove", "bob@example.org")), ("trusted network 127.0.0.1", "hermes"));
}

async fn remote_users_stay_out_of_kamailio(backend: Backend) {
    let hermes = Hermes::start(backend);
    // Case 9.
    let (_, remote) = hermes.get("/user/add_remote?username=rem&domain=voip.example.com&password=S3cr3t&displayname=Remote&registrar=sip.example.com").await;
    assert!(ok(&remote), "{remote}");
    let user = &remote["user"];
    assert_eq!(
        (user["type"].clone(), user["r_port"].clone(), user["p_port"].clone(), user["proxy"].clone(), user["authid"].clone(), user["dialplan"].clone(), user["email"].clone()),
        (json!("remote"), json!(5060), json!(5060), json!("sip.example.com"), json!("rem"), json!("(.*)"), json!(null))
    );
    assert_eq!(hermes.kamailio_rows("SELECT COUNT(*) FROM subscriber WHERE username = 'rem'"), "0\n");
    // Case 10; a remote user on a local domain; a second one.
    let (_, port) = hermes.get("/user/add_remote?username=rem2&domain=voip.example.com&password=x&displayname=R&registrar=sip.example.com&r_port=70000").await;
    assert_eq!(verdict(&port), ("invalid".into(), "r_port".into()));
    let (_, local) = hermes.get("/user/add_remote?username=x&domain=example.org&password=x&displayname=R&registrar=sip.example.com").await;
    assert_eq!(verdict(&local), ("failed".into(), "localdomain".into()));
    let (_, twice) = hermes.get("/user/add_remote?username=rem&domain=voip.example.com&password=S3cr3t&displayname=Remote&registrar=sip.example.com").await;
    assert_eq!(verdict(&twice), ("failed".into(), "exists".into()));
    // Case 38 (remote half); change_pw of a remote user keeps it out of Kamailio.
    let (_, update) = hermes.get("/user/update?username=rem&domain=voip.example.com&displayname=X").await;
    assert_eq!(verdict(&update), ("failed".into(), "remote".into()));
    let (_, changed) = hermes.get("/user/change_pw?username=rem&domain=voip.example.com&password=An0therSecret").await;
    assert_eq!(changed["user"]["password"], "An0therSecret", "{changed}");
    assert_eq!(hermes.kamailio_rows("SELECT COUNT(*) FROM subscriber WHERE username = 'rem'"), "0\n");
    assert!(ok(&hermes.get("/user/remove?username=rem&domain=voip.example.com").await.1));
    assert_eq!(hermes.get("/user/list").await.1["users"], json!([]));
}

async fn user_lists_are_sorted_and_searched(backend: Backend) {
    let hermes = Hermes::start(backend);
    assert!(ok(&hermes.get("/user/add_local?username=bob&domain=example.org&displayname=Bob&email=bob@example.net").await.1));
    assert!(ok(&hermes.get("/user/add_remote?username=rem&domain=voip.example.com&password=S3cr3t&displayname=Remote&registrar=sip.example.com").await.1));
    // Cases 11, 12; everything, sorted by domain then user.
    assert_eq!(hermes.get("/user/list?search=bo").await.1["users"], json!(["bob@example.org"]));
    assert_eq!(hermes.get("/user/list?search=*@voip.*").await.1["users"], json!(["rem@voip.example.com"]));
    assert_eq!(hermes.get("/user/list").await.1["users"], json!(["bob@example.org", "rem@voip.example.com"]));
    assert_eq!(hermes.get("/user/list?search=BOB").await.1["users"], json!(["bob@example.org"]), "case-insensitive");
    assert_eq!(hermes.get("/user/list?search=%25").await.1["users"], json!([]), "a % is literal");
}

async fn user_nodes_refuse_bad_input_and_unknown_nodes(backend: Backend) {
    let hermes = Hermes::start(backend);
    for (query, cause) in [
        ("/user/add_local?username=bad%20name&domain=example.org&displayname=X&email=x@example.net", "username"),
        ("/user/add_local?domain=example.org&displayname=X&email=x@example.net", "username"),
        ("/user/add_local?username=x&domain=exa_mple.org&displayname=X&email=x@example.net", "domain"),
        ("/user/add_local?username=x&domain=example.org&email=x@example.net", "displayname"),
        ("/user/add_local?username=x&domain=example.org&displayname=A%22B&email=x@example.net", "displayname"),
        ("/user/add_local?username=x&domain=example.org&displayname=X&email=nope", "email"),
        ("/user/add_local?username=x&username=y&domain=example.org&displayname=X&email=x@example.net", "username"),
        ("/user/get?address=not-an-address", "address"),
        ("/user/get", "username"),
        ("/user/get?username=bob", "domain"),
        ("/user/remove?user=bob@example.org&username=carol&domain=example.org", "user"),
        ("/user/list?search=a%01b", "search"),
        ("/user/change_pw?username=bob&domain=example.org", "password"),
        ("/user/change_pw?username=bob&domain=example.org&password=with%20space", "password"),
    ] {
        let (status, body) = hermes.get(query).await;
        assert_eq!((status, verdict(&body)), (200, ("invalid".to_owned(), cause.to_owned())), "{query}: {body}");
        assert!(body["detail"].as_str().is_some_and(|detail| !detail.is_empty()), "{body}");
    }
    // Nothing was written by any of them.
    assert_eq!(hermes.get("/user/list").await.1["users"], json!([]));
    assert_eq!(hermes.kamailio_rows("SELECT COUNT(*) FROM subscriber"), "1\n", "only the seeded alice");
    // Case 39, 40, and a trailing slash.
    let (status, body) = hermes.get("/user/frobnicate").await;
    assert_eq!((status, verdict(&body)), (404, ("invalid".into(), "node".into())));
    let response = hermes.server.http.delete(hermes.server.url("/user/get?username=bob&domain=example.org")).send().await.unwrap();
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!((status, verdict(&body)), (405, ("invalid".into(), "method".into())));
    assert!(ok(&hermes.get("/user/gen_pw/").await.1));
}

async fn callers_outside_trusted_networks_must_authenticate(backend: Backend) {
    // No trusted network: every caller must authenticate, before anything is read or
    // written (so no Kamailio is needed to see it).
    let hermes = Standalone::start_with(backend, &[("STEWARD_SECURITY__TRUSTED_NETWORKS", "")]);
    let (status, body) = hermes.get("/user/gen_pw").await;
    assert_eq!((status, verdict(&body)), (401, ("invalid".into(), "auth".into())));
    // Every node of every group, before anything is read or written.
    let nodes = [
        "user/get", "user/list", "user/add_local", "user/add_remote", "user/remove", "user/change_pw", "user/update",
        "phone/get", "phone/list", "phone/add", "phone/remove",
        "numbers/list", "numbers/add_range", "numbers/add", "numbers/remove", "numbers/inpool",
        "alias/list", "alias/user", "alias/add", "alias/remove",
    ];
    for node in nodes {
        let (status, body) = hermes.get(&format!("/{node}?username=bob&domain=example.org&number=%2B4761123456")).await;
        assert_eq!((status, verdict(&body)), (401, ("invalid".into(), "auth".into())), "{node}");
    }
    let response = hermes.server.http.get(hermes.server.url("/user/list")).send().await.unwrap();
    assert_eq!(response.headers().get("www-authenticate").and_then(|value| value.to_str().ok()), Some("Basic realm=\"hermes\""));
}

async fn outside_trusted_networks_a_sip_admin_is_served(backend: Backend) {
    let hermes = Hermes::start_with(backend, &[("STEWARD_SECURITY__TRUSTED_NETWORKS", "")]);
    // An account without the role: 403; with sip_admin (Basic or token): served.
    let plain = cli(&hermes.db, &["account", "create", "plain", "--password-stdin"], "plain-pw-1\n");
    assert!(plain.status.success(), "{}", stderr(&plain));
    let sip = cli(&hermes.db, &["account", "create", "sipper", "--password-stdin", "--role", "sip_admin"], "sipper-pw-1\n");
    assert!(sip.status.success(), "{}", stderr(&sip));
    let basic = |login: &str, password: &str| {
        hermes.server.http.get(hermes.server.url("/user/list")).basic_auth(login, Some(password)).send()
    };
    let refused = basic("plain", "plain-pw-1").await.unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    assert_eq!(verdict(&refused.json().await.unwrap()), ("invalid".into(), "permission".into()));
    let wrong = basic("sipper", "wrong").await.unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    let served = basic("sipper", "sipper-pw-1").await.unwrap();
    assert_eq!(served.status().as_u16(), 200);
    let token = hermes.server.login("sipper", "sipper-pw-1").await;
    let response = hermes.server.http.get(hermes.server.url("/user/add_local?username=tok&domain=example.org&displayname=T&email=t@example.net")).bearer_auth(&token).send().await.unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(ok(&body), "{body}");
    let audit = hermes.server.audit(5).await;
    assert_eq!(by_whom(audit_entry(&audit, "hermes.user.add_local", "tok@example.org")), ("account:sipper", "hermes"));
}

async fn a_kamailio_that_refuses_leaves_both_sides_unchanged(backend: Backend) {
    let hermes = Hermes::start(backend);
    assert!(ok(&hermes.get("/user/add_local?username=bob&domain=example.org&displayname=Bob&email=bob@example.net").await.1));
    // Kamailio's subscriber table goes away under Steward: writes fail, reads of the
    // domain still work.
    hermes.kamailio_rows("ALTER TABLE subscriber RENAME TO subscriber_away");
    let (_, failed) = hermes.get("/user/add_local?username=carol&domain=example.org&displayname=C&email=c@example.net").await;
    assert_eq!(verdict(&failed), ("failed".into(), "dbfail".into()), "{failed}");
    assert_eq!(hermes.get("/user/get?username=carol&domain=example.org").await.1["cause"], "nonexistant", "Steward kept nothing");
    let (_, remove) = hermes.get("/user/remove?username=bob&domain=example.org").await;
    assert_eq!(verdict(&remove), ("failed".into(), "dbfail".into()), "{remove}");
    let (_, still) = hermes.get("/user/get?username=bob&domain=example.org").await;
    assert!(ok(&still), "bob stays in Steward: {still}");
    let (_, pw) = hermes.get("/user/change_pw?username=bob&domain=example.org&password=N3wPassw0rd").await;
    assert_eq!(verdict(&pw), ("failed".into(), "dbfail".into()));
    assert_eq!(hermes.get("/user/get?username=bob&domain=example.org").await.1["user"]["password"], still["user"]["password"]);
    hermes.kamailio_rows("ALTER TABLE subscriber_away RENAME TO subscriber");
    assert!(hermes.kamailio.check(&["register", "bob", still["user"]["password"].as_str().unwrap()]), "Kamailio kept bob as he was");
    assert_eq!(hermes.kamailio_rows("SELECT COUNT(*) FROM subscriber WHERE username = 'carol'"), "0\n");
}

/// `faces.hermes.kamailio_domains` are written to Kamailio's `domain` table at start-up,
/// so add_local accepts them (and remote users there are refused as local).
async fn configured_domains_are_written_to_kamailio(backend: Backend) {
    let hermes = Hermes::start_with(backend, &[("STEWARD_FACES__HERMES__KAMAILIO_DOMAINS", "voip.test, Example.org")]);
    assert_eq!(hermes.kamailio_rows("SELECT domain FROM domain ORDER BY domain"), "example.org\nvoip.test\n", "added once, lower-case");
    assert!(ok(&hermes.get("/user/add_local?username=dan&domain=voip.test&displayname=Dan&email=dan@example.net").await.1));
    let (_, remote) = hermes.get("/user/add_remote?username=r&domain=voip.test&password=x&displayname=R&registrar=sip.example.com").await;
    assert_eq!(verdict(&remote), ("failed".into(), "localdomain".into()));
    let ready = eventually(std::time::Duration::from_secs(5), || async { hermes.server.readyz().await["checks"]["kamailio"] == "ok" }).await;
    assert!(ready, "{}", hermes.server.readyz().await);
}

/// The provisioning path with Kamailio's tables on PostgreSQL: add_local, REGISTER, alias,
/// change_pw, remove.
async fn provisioning_into_a_postgres_kamailio(backend: Backend) {
    let hermes = Hermes::start_on_postgres_kamailio(backend);
    let (_, added) = hermes.get("/user/add_local?username=pgbob&domain=example.org&displayname=Bob&email=bob@example.net").await;
    assert!(ok(&added), "{added}");
    let password = added["user"]["password"].as_str().unwrap().to_owned();
    assert!(hermes.kamailio.check(&["register", "pgbob", &password]));
    assert!(ok(&hermes.get("/alias/add?alias_username=%2B4761000001&alias_domain=example.org&destination=pgbob@example.org").await.1));
    assert!(hermes.kamailio.check(&["alias", "+4761000001", "pgbob"]));
    assert!(ok(&hermes.get("/user/change_pw?user=pgbob@example.org&password=Pg-Passw0rd").await.1));
    assert!(hermes.kamailio.check(&["refused", "pgbob", &password]));
    assert!(hermes.kamailio.check(&["register", "pgbob", "Pg-Passw0rd"]));
    let (_, removed) = hermes.get("/user/remove?user=pgbob@example.org").await;
    assert_eq!(removed["removed_aliases"], json!(["+4761000001@example.org"]), "{removed}");
    assert!(hermes.kamailio.check(&["refused", "pgbob", "Pg-Passw0rd"]));
}

/// The one identity: a local SIP user made with an account's e-mail belongs to it; one
/// with an unknown e-mail belongs to nobody.
async fn a_local_sip_user_belongs_to_the_account_with_its_email(backend: Backend) {
    let hermes = Hermes::start(backend);
    let created = cli(&hermes.db, &["account", "create", "bobby", "--password-stdin", "--email", "Bob@Example.net"], "bobby-pw-1\n");
    assert!(created.status.success(), "{}", stderr(&created));
    assert!(ok(&hermes.get("/user/add_local?username=bob&domain=example.org&displayname=Bob&email=bob@example.net").await.1));
    assert!(ok(&hermes.get("/user/add_local?username=eve&domain=example.org&displayname=Eve&email=eve@example.net").await.1));
    let owners = hermes.db.query("SELECT sip_users.username, accounts.login FROM sip_users LEFT JOIN accounts ON accounts.id = sip_users.account_id ORDER BY sip_users.username");
    let owners: Vec<&str> = owners.lines().map(str::trim).collect();
    assert!(owners == ["bob|bobby", "eve|"] || owners == ["bob|bobby", "eve|None"], "{owners:?}");
}
