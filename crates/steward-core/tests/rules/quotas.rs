//! Quotas: the resource catalogue, per-account limits and usage as reported, their
//! refusals, and `janua.sms`, whose usage is the SMS parts sent in the account's window.

use sea_orm::Value;
use steward_core::messaging::admins::Level;
use steward_core::messaging::send::SendError;
use steward_core::quotas::{QuotaError, Quota};
use steward_core::{Actor, Forbidden, Principal};
use steward_model::sms::{SmsQuota, SmsText};
use steward_model::{Account, Resource, Role};

use crate::kit::{Kit, actor};

const GIB: i64 = 1024 * 1024 * 1024;

/// The row of `resource` in `account`'s report.
async fn reported(kit: &Kit, account: &Account, resource: &str) -> Quota {
    let report = kit.core.quotas.report(account.id).await.unwrap();
    report.iter().find(|row| row.resource.name == resource).cloned().unwrap_or_else(|| panic!("{resource} is not reported"))
}

/// `account`'s reported (limit, used) of `resource`.
async fn limit_and_used(kit: &Kit, account: &Account, resource: &str) -> (i64, i64) {
    let row = reported(kit, account, resource).await;
    (row.limit, row.used)
}

/// Queues `text` from `sender` to `to` through Janua's sending rules.
async fn send(kit: &Kit, sender: &Account, text: &str, to: &str) -> Result<usize, SendError> {
    let text = SmsText::parse(text).unwrap();
    kit.core.messaging.send_sms(&actor(sender), sender, &text, to).await
}

/// The parts `account` sent in its current window, read fresh (not the cached report).
async fn sent(kit: &Kit, account: &Account) -> u64 {
    kit.core.sms.usage(account.id, Level::Supervisor).await.unwrap().sent
}

#[tokio::test]
async fn the_default_catalogue_exists_from_the_first_migration() {
    let kit = Kit::new().await;
    let resources = kit.core.quotas.resources().await.unwrap();
    let names: Vec<&str> = resources.iter().map(|resource| resource.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "cyclades.cpu",
            "cyclades.disk",
            "cyclades.network.private",
            "cyclades.ram",
            "cyclades.vm",
            "janua.sms",
            "pithos+.diskspace"
        ]
    );
    let limit = |name: &str| resources.iter().find(|resource| resource.name == name).unwrap().default_limit;
    assert_eq!((limit("janua.sms"), limit("cyclades.vm"), limit("cyclades.disk")), (100, 2, 30 * GIB));

    let alice = kit.account("alice", &[]).await;
    let sms = reported(&kit, &alice, "janua.sms").await;
    assert_eq!((sms.limit, sms.used, sms.window), (100, 0, Some('M')), "Janua's default quota, \"100 M\"");
    let vm = reported(&kit, &alice, "cyclades.vm").await;
    assert_eq!((vm.limit, vm.used, vm.window), (2, 0, None));
}

#[tokio::test]
async fn a_new_resource_is_reported_to_every_account_with_its_default() {
    let kit = Kit::new().await;
    let alice = kit.account("alice", &[]).await;
    assert_eq!(limit_and_used(&kit, &alice, "cyclades.vm").await, (2, 0), "read once, so the report is cached");
    let cli = Actor::cli();
    let ipv4 = Resource { name: "cyclades.ipv4".to_owned(), unit: String::new(), default_limit: 3, description: "Public addresses".to_owned() };
    kit.core.quotas.add_resource(cli.admin().unwrap(), ipv4.clone()).await.unwrap();

    assert!(kit.core.quotas.resources().await.unwrap().contains(&ipv4));
    let row = reported(&kit, &alice, "cyclades.ipv4").await;
    assert_eq!((row.limit, row.used, row.window), (3, 0, None), "a new resource drops every cached report");
    assert_eq!(row.resource, ipv4);
    assert_eq!(kit.audit_actions().await.first().map(String::as_str), Some("resource.add"));

    let again = kit.core.quotas.add_resource(cli.admin().unwrap(), ipv4).await.unwrap_err();
    assert!(matches!(&again, QuotaError::NameTaken(name) if name == "cyclades.ipv4"), "{again:?}");
}

#[tokio::test]
async fn resource_names_and_default_limits_are_checked() {
    let kit = Kit::new().await;
    let cli = Actor::cli();
    let resource = |name: &str, default_limit: i64| Resource { name: name.to_owned(), unit: String::new(), default_limit, description: String::new() };
    let too_long = format!("{}.x", "a".repeat(127));
    for bad in ["vm", ".vm", "cyclades.", "cyclades vm.x", "cyclades.vm/2", too_long.as_str()] {
        let error = kit.core.quotas.add_resource(cli.admin().unwrap(), resource(bad, 1)).await.unwrap_err();
        assert!(matches!(&error, QuotaError::Invalid(why) if why.contains("SERVICE.NAME")), "{bad:?}: {error:?}");
    }
    let negative = kit.core.quotas.add_resource(cli.admin().unwrap(), resource("cyclades.ipv4", -1)).await.unwrap_err();
    assert!(matches!(&negative, QuotaError::Invalid(why) if why == "a limit cannot be negative"), "{negative:?}");
    // Dotted resource names keep their dots after the first (`cyclades.network.private`).
    kit.core.quotas.add_resource(cli.admin().unwrap(), resource("astakos.pending.app", 0)).await.unwrap();
    let names: Vec<String> = kit.core.quotas.resources().await.unwrap().into_iter().map(|resource| resource.name).collect();
    assert_eq!(names.len(), 8, "only the good one was added: {names:?}");
    assert!(names.contains(&"astakos.pending.app".to_owned()));
}

#[tokio::test]
async fn limits_and_usage_are_each_accounts_own() {
    let kit = Kit::new().await;
    let alice = kit.account("alice", &[]).await;
    let bob = kit.account("bob", &[]).await;
    let cli = Actor::cli();
    let quotas = &kit.core.quotas;
    assert_eq!(limit_and_used(&kit, &alice, "cyclades.vm").await, (2, 0), "cached before the changes");

    quotas.set_limit(cli.admin().unwrap(), "alice", "cyclades.vm", 5).await.unwrap();
    quotas.set_usage(cli.admin().unwrap(), "alice", "cyclades.vm", 3).await.unwrap();
    quotas.set_usage(cli.admin().unwrap(), "alice", "cyclades.ram", 1024).await.unwrap();
    // Logins are found whatever their case.
    quotas.set_limit(cli.admin().unwrap(), "ALICE", "cyclades.cpu", 8).await.unwrap();
    // A limit is not capped by the default, and 0 is a limit.
    quotas.set_limit(cli.admin().unwrap(), "bob", "cyclades.disk", 1 << 40).await.unwrap();
    quotas.set_limit(cli.admin().unwrap(), "bob", "cyclades.vm", 0).await.unwrap();

    assert_eq!(limit_and_used(&kit, &alice, "cyclades.vm").await, (5, 3), "the change is seen at once");
    assert_eq!(limit_and_used(&kit, &alice, "cyclades.ram").await, (6 * GIB, 1024), "usage without an own limit");
    assert_eq!(limit_and_used(&kit, &alice, "cyclades.cpu").await, (8, 0));
    assert_eq!(limit_and_used(&kit, &alice, "cyclades.disk").await, (30 * GIB, 0));
    assert_eq!(limit_and_used(&kit, &bob, "cyclades.vm").await, (0, 0), "alice's numbers are hers");
    assert_eq!(limit_and_used(&kit, &bob, "cyclades.ram").await, (6 * GIB, 0));
    assert_eq!(limit_and_used(&kit, &bob, "cyclades.disk").await, (1 << 40, 0));

    // Setting again replaces.
    quotas.set_usage(cli.admin().unwrap(), "alice", "cyclades.vm", 1).await.unwrap();
    assert_eq!(limit_and_used(&kit, &alice, "cyclades.vm").await, (5, 1));

    let actions = kit.audit_actions().await;
    assert_eq!(actions.iter().filter(|action| *action == "quota.set").count(), 4, "{actions:?}");
    assert_eq!(actions.iter().filter(|action| *action == "usage.set").count(), 3, "{actions:?}");
}

#[tokio::test]
async fn refused_changes_leave_the_report_and_the_audit_log_alone() {
    let kit = Kit::new().await;
    let alice = kit.account("alice", &[]).await;
    let cli = Actor::cli();
    let quotas = &kit.core.quotas;
    let before = kit.core.quotas.report(alice.id).await.unwrap().to_vec();
    let audited = kit.audit_actions().await;

    let error = quotas.set_limit(cli.admin().unwrap(), "nobody", "cyclades.vm", 1).await.unwrap_err();
    assert!(matches!(&error, QuotaError::UnknownAccount(login) if login == "nobody"), "{error:?}");
    let error = quotas.set_usage(cli.admin().unwrap(), "nobody", "cyclades.vm", 1).await.unwrap_err();
    assert!(matches!(&error, QuotaError::UnknownAccount(login) if login == "nobody"), "{error:?}");
    let error = quotas.set_limit(cli.admin().unwrap(), "alice", "cyclades.gpu", 1).await.unwrap_err();
    assert!(matches!(&error, QuotaError::UnknownResource(name) if name == "cyclades.gpu"), "{error:?}");
    let error = quotas.set_usage(cli.admin().unwrap(), "alice", "cyclades.gpu", 1).await.unwrap_err();
    assert!(matches!(&error, QuotaError::UnknownResource(name) if name == "cyclades.gpu"), "{error:?}");
    let error = quotas.set_limit(cli.admin().unwrap(), "alice", "cyclades.vm", -1).await.unwrap_err();
    assert!(matches!(&error, QuotaError::Invalid(why) if why == "a limit cannot be negative"), "{error:?}");
    let error = quotas.set_usage(cli.admin().unwrap(), "alice", "cyclades.vm", -1).await.unwrap_err();
    assert!(matches!(&error, QuotaError::Invalid(why) if why == "a usage cannot be negative"), "{error:?}");
    // Janua shows its quota in ten characters: "99999999 M" is the longest.
    let error = quotas.set_limit(cli.admin().unwrap(), "alice", "janua.sms", 100_000_000).await.unwrap_err();
    assert!(matches!(&error, QuotaError::Invalid(why) if why == "a janua.sms limit is at most 99999999"), "{error:?}");
    // The same figure is no limit on other resources.
    let error = quotas.set_limit(cli.admin().unwrap(), "nobody", "cyclades.disk", 100_000_000).await.unwrap_err();
    assert!(matches!(error, QuotaError::UnknownAccount(_)), "{error:?}");

    assert_eq!(kit.core.quotas.report(alice.id).await.unwrap().to_vec(), before);
    assert_eq!(kit.audit_actions().await, audited);

    quotas.set_limit(cli.admin().unwrap(), "alice", "janua.sms", 99_999_999).await.unwrap();
    assert_eq!(limit_and_used(&kit, &alice, "janua.sms").await, (99_999_999, 0));
    assert_eq!(kit.core.sms.quota_of(alice.id).await.unwrap().as_str(), "99999999 M");
}

#[tokio::test]
async fn only_the_cli_and_admins_get_the_admin_capability() {
    let kit = Kit::new().await;
    let admin = kit.admin().await;
    let supervisor = kit.supervisor(&admin, "sup1", "+4790000001", None, true).await;
    let plain = kit.account("alice", &[Role::SIP_ADMIN]).await;
    let forbidden = Err(Forbidden { needed: Role::ADMIN });

    assert!(Actor::cli().admin().is_ok());
    assert!(actor(&admin).admin().is_ok());
    assert_eq!(actor(&supervisor).admin().map(|_| ()), forbidden);
    assert_eq!(actor(&plain).admin().map(|_| ()), forbidden);
    let trusted = Actor::trusted_network(std::net::Ipv4Addr::LOCALHOST.into(), "hermes");
    assert_eq!(trusted.admin().map(|_| ()), forbidden, "a trusted network makes no admin changes");
    assert_eq!(Actor::new(Principal::Account(admin.clone()), "steward").audit_name(), "account:admin");

    // The capability is what lets a change through: the admin's is audited under its name.
    let as_admin = actor(&admin);
    kit.core.quotas.set_limit(as_admin.admin().unwrap(), "alice", "cyclades.vm", 4).await.unwrap();
    assert_eq!(limit_and_used(&kit, &plain, "cyclades.vm").await, (4, 0));
}

#[tokio::test]
async fn janua_sms_usage_is_the_parts_sent_in_the_window_not_a_stored_figure() {
    let kit = Kit::new().await;
    let admin = kit.admin().await;
    let sup = kit.supervisor(&admin, "sup1", "+4790000001", Some("10 M"), false).await;
    let sms = reported(&kit, &sup, "janua.sms").await;
    assert_eq!((sms.limit, sms.used, sms.window), (10, 0, Some('M')));

    // A service's usage report does not override the count.
    let cli = Actor::cli();
    kit.core.quotas.set_usage(cli.admin().unwrap(), "sup1", "janua.sms", 7).await.unwrap();
    assert_eq!(limit_and_used(&kit, &sup, "janua.sms").await, (10, 0));

    assert_eq!(send(&kit, &sup, "Hello", "+4791000001,+4791000002").await.unwrap(), 2);
    assert_eq!(limit_and_used(&kit, &sup, "janua.sms").await, (10, 2), "a send drops the sender's cached report");

    let long = "a".repeat(161);
    assert_eq!(SmsText::parse(&long).unwrap().parts(), 2);
    // A number named twice gets one message.
    assert_eq!(send(&kit, &sup, &long, "+4791000003,+4791000003").await.unwrap(), 1);
    assert_eq!(limit_and_used(&kit, &sup, "janua.sms").await, (10, 4));

    let usage = kit.core.sms.usage(sup.id, Level::Supervisor).await.unwrap();
    assert_eq!((usage.sent, usage.quota.as_str(), usage.global), (4, "10 M", None));
    // The super admin also sees everybody's parts this month.
    let usage = kit.core.sms.usage(admin.id, Level::Admin).await.unwrap();
    assert_eq!((usage.sent, usage.quota.as_str(), usage.global), (0, "100 M", Some(4)));
    assert_eq!(kit.count("SELECT COUNT(*) FROM janua_sms").await, 3, "one log row per recipient");
}

#[tokio::test]
async fn a_send_that_would_pass_the_quota_is_refused_whole_and_mailed_once() {
    let kit = Kit::new().await;
    let admin = kit.admin().await;
    let sup = kit.supervisor(&admin, "sup1", "+4790000001", Some("5 D"), false).await;
    assert_eq!(send(&kit, &sup, "one", "+4791000001,+4791000002,+4791000003").await.unwrap(), 3);

    let pending = kit.core.outbox.counts().await.unwrap().pending;
    let error = send(&kit, &sup, "two", "+4791000004,+4791000005,+4791000006").await.unwrap_err();
    assert!(matches!(error, SendError::QuotaReached { limit: 5, noun: "day" }), "{error:?}");
    assert_eq!(sent(&kit, &sup).await, 3, "nothing of the refused send counts");
    assert_eq!(kit.count("SELECT COUNT(*) FROM janua_sms").await, 3, "nothing of it was logged");
    assert_eq!(kit.core.outbox.counts().await.unwrap().pending, pending + 1, "the quota-reached mail");

    // Exactly what is left fits.
    assert_eq!(send(&kit, &sup, "three", "+4791000004,+4791000005").await.unwrap(), 2);
    assert_eq!(limit_and_used(&kit, &sup, "janua.sms").await, (5, 5));
    let pending = kit.core.outbox.counts().await.unwrap().pending;
    let error = send(&kit, &sup, "four", "+4791000006").await.unwrap_err();
    assert!(matches!(error, SendError::QuotaReached { limit: 5, noun: "day" }), "{error:?}");
    assert_eq!(kit.core.outbox.counts().await.unwrap().pending, pending, "one mail per window");
    assert_eq!(sent(&kit, &sup).await, 5);

    // Raising the limit lets it through; other senders were never concerned.
    let cli = Actor::cli();
    kit.core.quotas.set_limit(cli.admin().unwrap(), "sup1", "janua.sms", 6).await.unwrap();
    let other = kit.supervisor(&admin, "sup2", "+4790000002", Some("1 D"), false).await;
    assert_eq!(send(&kit, &other, "mine", "+4791000009").await.unwrap(), 1);
    assert_eq!(send(&kit, &sup, "four", "+4791000006").await.unwrap(), 1);
    assert_eq!((sent(&kit, &sup).await, sent(&kit, &other).await), (6, 1));
}

#[tokio::test]
async fn the_window_is_half_open_and_cut_where_the_quota_says() {
    let kit = Kit::new().await;
    let admin = kit.admin().await;
    let sup = kit.supervisor(&admin, "sup1", "+4790000001", Some("100 M"), false).await;
    assert_eq!(send(&kit, &sup, "hi", "+4791000001,+4791000002,+4791000003").await.unwrap(), 3);
    assert_eq!(sent(&kit, &sup).await, 3);

    let quota = kit.core.sms.quota_of(sup.id).await.unwrap();
    assert_eq!(quota, SmsQuota::parse("100 M").unwrap());
    let window = kit.core.sms.current_window(&quota).unwrap();
    let move_to = async |at: time::OffsetDateTime| {
        let at = at.to_offset(time::UtcOffset::UTC);
        kit.execute("UPDATE janua_sms SET date_time = ? WHERE admin_id = ?", vec![Value::from(at), Value::from(sup.id.0)]).await
    };
    assert_eq!(move_to(window.start() - time::Duration::SECOND).await, 3);
    assert_eq!(sent(&kit, &sup).await, 0, "sent just before the window");
    move_to(window.start()).await;
    assert_eq!(sent(&kit, &sup).await, 3, "the start is in the window");
    move_to(window.end() - time::Duration::SECOND).await;
    assert_eq!(sent(&kit, &sup).await, 3);
    move_to(window.end()).await;
    assert_eq!(sent(&kit, &sup).await, 0, "the end is the next window's");

    // Parts sent in an earlier window leave the whole quota free.
    move_to(window.start() - time::Duration::days(400)).await;
    let cli = Actor::cli();
    kit.core.quotas.set_limit(cli.admin().unwrap(), "sup1", "janua.sms", 3).await.unwrap();
    assert_eq!(limit_and_used(&kit, &sup, "janua.sms").await, (3, 0));
    assert_eq!(send(&kit, &sup, "again", "+4791000001,+4791000002,+4791000003").await.unwrap(), 3);
}

#[tokio::test]
async fn a_janua_quota_set_with_its_window_is_reported_with_it() {
    let kit = Kit::new().await;
    let admin = kit.admin().await;
    let sup = kit.supervisor(&admin, "sup1", "+4790000001", Some("10 D"), false).await;
    let row = reported(&kit, &sup, "janua.sms").await;
    assert_eq!((row.limit, row.used, row.window), (10, 0, Some('D')));
    assert_eq!(kit.core.sms.quota_of(sup.id).await.unwrap().as_str(), "10 D");
    let window = kit.core.sms.current_window(&kit.core.sms.quota_of(sup.id).await.unwrap()).unwrap();
    assert_eq!(window.end() - window.start(), time::Duration::DAY, "a day in UTC");
}

#[tokio::test]
async fn changing_a_janua_sms_limit_keeps_its_window() {
    let kit = Kit::new().await;
    let admin = kit.admin().await;
    let sup = kit.supervisor(&admin, "sup1", "+4790000001", Some("10 D"), false).await;
    let cli = Actor::cli();
    kit.core.quotas.set_limit(cli.admin().unwrap(), "sup1", "janua.sms", 20).await.unwrap();
    assert_eq!(kit.core.sms.quota_of(sup.id).await.unwrap().as_str(), "20 D");
    assert_eq!(reported(&kit, &sup, "janua.sms").await.window, Some('D'));
}
