//! `steward hermes sync [--dry-run]`: drift between Steward and Kamailio is reported, and
//! repaired so that Kamailio answers as Steward says (checked with SIPp).

use super::Hermes;
use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(sync_repairs_a_deleted_subscriber_and_an_extra_alias, sync_puts_back_a_changed_digest, import_adds_many_users_all_or_none);

fn sync(hermes: &Hermes, dry_run: bool) -> serde_json::Value {
    let url = format!("sqlite://{}", hermes.kamailio.var("KAMAILIO_SQLITE"));
    let mut args = vec!["hermes", "sync"];
    if dry_run {
        args.push("--dry-run");
    }
    let output = cli_with(&hermes.db, &args, "", &[("STEWARD_FACES__HERMES__KAMAILIO_DATABASE_URL", &url)]);
    let report: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap_or_else(|_| panic!("{}", stderr(&output)));
    // A dry run that finds drift exits 3, for cron; anything else that ran exits 0.
    let expected = if dry_run && report["drifted"] == true { 3 } else { 0 };
    assert_eq!(output.status.code(), Some(expected), "{}", stderr(&output));
    report
}

async fn sync_repairs_a_deleted_subscriber_and_an_extra_alias(backend: Backend) {
    let hermes = Hermes::start(backend);
    let (_, bob) = hermes.get("/user/add_local?username=bob&domain=example.org&displayname=Bob&email=bob@example.net").await;
    let password = bob["user"]["password"].as_str().unwrap().to_owned();
    assert_eq!(hermes.get("/alias/add?alias_username=bobby&alias_domain=example.org&destination=bob@example.org").await.1["response"], "ok");
    // In step except for the peer's own seed (alice and her alias, unknown to Steward).
    let first = sync(&hermes, false);
    assert_eq!(first["report"]["unmanaged_subscribers"], serde_json::json!(["alice@example.org"]));
    assert_eq!(first["report"]["extra_aliases"], serde_json::json!(["+33612345678@example.org"]));
    assert_eq!(sync(&hermes, false)["drifted"], false, "idempotent");
    assert_eq!(sync(&hermes, true)["drifted"], false, "a dry run in step exits 0");
    // Drift: bob's subscriber row deleted, an alias row added behind Steward's back.
    hermes.kamailio_rows("DELETE FROM subscriber WHERE username = 'bob'");
    hermes.kamailio_rows("INSERT INTO dbaliases (alias_username, alias_domain, username, domain) VALUES ('stray', 'example.org', 'bob', 'example.org')");
    assert!(hermes.kamailio.check(&["refused", "bob", &password]));
    let dry = sync(&hermes, true);
    assert_eq!((dry["drifted"].clone(), dry["report"]["missing_subscribers"].clone(), dry["report"]["extra_aliases"].clone()),
        (serde_json::json!(true), serde_json::json!(["bob@example.org"]), serde_json::json!(["stray@example.org"])));
    assert!(hermes.kamailio.check(&["refused", "bob", &password]), "a dry run changes nothing");
    let repaired = sync(&hermes, false);
    assert_eq!(repaired["report"]["missing_subscribers"], serde_json::json!(["bob@example.org"]));
    assert!(hermes.kamailio.check(&["register", "bob", &password]), "bob registers again with his password");
    assert!(!hermes.kamailio.check(&["alias", "stray", "bob"]), "the stray alias is gone");
    assert!(hermes.kamailio.check(&["alias", "bobby", "bob"]), "Steward's alias stays");
    assert_eq!(sync(&hermes, false)["drifted"], false);
}

async fn sync_puts_back_a_changed_digest(backend: Backend) {
    let hermes = Hermes::start(backend);
    let (_, bob) = hermes.get("/user/add_local?username=bob&domain=example.org&displayname=Bob&email=bob@example.net").await;
    let password = bob["user"]["password"].as_str().unwrap().to_owned();
    hermes.kamailio_rows("UPDATE subscriber SET ha1 = 'x', password = 'x' WHERE username = 'bob'");
    assert!(hermes.kamailio.check(&["refused", "bob", &password]));
    let repaired = sync(&hermes, false);
    assert_eq!((repaired["drifted"].clone(), repaired["report"]["stale_passwords"].clone()), (serde_json::json!(true), serde_json::json!(["bob@example.org"])));
    assert!(hermes.kamailio.check(&["register", "bob", &password]));
    assert_eq!(sync(&hermes, false)["drifted"], false);
}

/// `steward hermes import`: many local users in one go, each able to register at once; a
/// batch with one bad or taken line adds nobody.
async fn import_adds_many_users_all_or_none(backend: Backend) {
    let hermes = Hermes::start(backend);
    let url = format!("sqlite://{}", hermes.kamailio.var("KAMAILIO_SQLITE"));
    let env = [("STEWARD_FACES__HERMES__KAMAILIO_DATABASE_URL", url.as_str())];
    let lines: String = (0..600).map(|n| format!("u{n}@example.org,User {n},u{n}@example.net\n")).collect();
    let output = cli_with(&hermes.db, &["hermes", "import"], &lines, &env);
    assert!(output.status.success(), "{}", stderr(&output));
    let added: Vec<serde_json::Value> = stdout(&output).lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(added.len(), 600);
    let last = &added[599];
    assert_eq!(last["address"], "u599@example.org");
    assert!(hermes.kamailio.check(&["register", "u599", last["password"].as_str().unwrap()]));
    assert_eq!(hermes.get("/user/get?user=u42@example.org").await.1["user"]["displayname"], "User 42");
    assert_eq!(hermes.kamailio_rows("SELECT COUNT(*) FROM subscriber"), "601\n");
    // All or none: a taken user, a bad line, a line given twice.
    for bad in ["new1@example.org,N,n@example.net\nu5@example.org,U,u@example.net\n", "new1@example.org,N,n@example.net\nnot an address,X,x@example.net\n", "new1@example.org,N,n@example.net\nnew1@example.org,N,n@example.net\n", "new1@example.org,N,n@example.net\nx@nowhere.test,X,x@example.net\n"] {
        let refused = cli_with(&hermes.db, &["hermes", "import"], bad, &env);
        assert_eq!(refused.status.code(), Some(1), "{bad}: {}", stdout(&refused));
        assert!(!stderr(&refused).is_empty());
    }
    assert_eq!(hermes.kamailio_rows("SELECT COUNT(*) FROM subscriber"), "601\n", "nothing added");
    assert_eq!(hermes.get("/user/get?user=new1@example.org").await.1["cause"], "nonexistant");
}
