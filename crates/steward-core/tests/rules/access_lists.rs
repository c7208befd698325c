//! Janua's actions and access lists: who may list, create and delete rows of each list, the
//! refusals in Janua's order, and that a refused write changes nothing. Steward writes no
//! action, so the tests that need one write it by hand, as an operator could.

use sea_orm::Value;
use steward_core::messaging::access_lists::{AccessInput, AccessList, AccessRow, AclError};
use steward_core::messaging::admins::Level;
use steward_core::messaging::directory::NewContact;
use steward_model::directory::{ContactAddress, ContactNumber, GroupName};
use steward_model::Account;
use steward_model::filter::Search;

use crate::kit::{Kit, actor};

const LISTS: [AccessList; 3] = [AccessList::GroupAction, AccessList::SupervisorAction, AccessList::ContactNotify];

/// The ids of `list`'s rows `caller` sees.
async fn row_ids(kit: &Kit, list: AccessList, caller: &Account, level: Level) -> Vec<i64> {
    let page = kit.core.janua_acl.rows(list, caller, level, &Search::default(), 0, 100).await.unwrap();
    assert_eq!(page.total, u64::try_from(page.rows.len()).unwrap());
    page.rows.iter().map(|row| row.id).collect()
}

/// Every row of every list, read from outside the core.
async fn stored_rows(kit: &Kit) -> [i64; 3] {
    [
        kit.count("SELECT COUNT(*) FROM janua_authorized_group_actions").await,
        kit.count("SELECT COUNT(*) FROM janua_authorized_supervisor_actions").await,
        kit.count("SELECT COUNT(*) FROM janua_contact_notify_actions").await,
    ]
}

/// The ids of the actions `caller` sees.
async fn action_ids(kit: &Kit, caller: &Account, level: Level) -> Vec<i64> {
    let page = kit.core.janua_acl.actions(caller, level, &Search::default(), 0, 100).await.unwrap();
    page.rows.iter().map(|action| action.id).collect()
}

/// The super admin, two supervisors and an account that is no Janua admin.
struct People {
    admin: Account,
    sup1: Account,
    sup2: Account,
    plain: Account,
}

async fn people(kit: &Kit) -> People {
    let admin = kit.admin().await;
    let sup1 = kit.supervisor(&admin, "sup1", "+4790000001", None, true).await;
    let sup2 = kit.supervisor(&admin, "sup2", "+4790000002", None, true).await;
    let plain = kit.account("alice", &[]).await;
    People { admin, sup1, sup2, plain }
}

/// What the seeded world holds.
struct Seeded {
    /// sup1's group, and its contact.
    group1: i64,
    contact1: i64,
    /// sup2's group.
    group2: i64,
}

/// Actions 101 (sup1's), 102 (the super admin's), 103 (sup2's); access rows 201 (sup1's
/// group → 101), 202 (sup2's group → 103), 301 (sup1's contact in its group notified of
/// 101), 401 and 402 (sup1 and sup2 allowed 102).
async fn seed(kit: &Kit, people: &People) -> Seeded {
    let directory = &kit.core.directory;
    let group1 = directory.create_group(&actor(&people.sup1), people.sup1.id, GroupName::parse("team").unwrap(), None).await.unwrap().id;
    let group2 = directory.create_group(&actor(&people.sup2), people.sup2.id, GroupName::parse("crew").unwrap(), None).await.unwrap().id;
    let contact = NewContact {
        name: "Doe".to_owned(),
        firstname: "Jane".to_owned(),
        phone_number: ContactNumber::parse("+4791000001").unwrap(),
        email: ContactAddress::parse("jane@example.org").unwrap(),
        description: None,
    };
    let contact1 = directory.create_contact(&actor(&people.sup1), people.sup1.id, contact).await.unwrap().id;
    for (id, name, owner) in [(101, "open-door", &people.sup1), (102, "alarm", &people.admin), (103, "lights", &people.sup2)] {
        let sql = "INSERT INTO janua_actions (id, name, description, authentication, enabled, admin_id, module, janua_id) \
                   VALUES (?, ?, 'by hand', ?, ?, ?, 'demo', 'demo')";
        let values = vec![Value::from(id), Value::from(name), Value::from(false), Value::from(true), Value::from(owner.id.0)];
        assert_eq!(kit.execute(sql, values).await, 1);
    }
    let rows = [
        ("INSERT INTO janua_authorized_group_actions (id, group_id, action_id) VALUES (?, ?, ?)", vec![201, group1, 101]),
        ("INSERT INTO janua_authorized_group_actions (id, group_id, action_id) VALUES (?, ?, ?)", vec![202, group2, 103]),
        ("INSERT INTO janua_contact_notify_actions (id, contact_id, action_id, group_id) VALUES (?, ?, ?, ?)", vec![301, contact1, 101, group1]),
        ("INSERT INTO janua_authorized_supervisor_actions (id, admin_id, action_id) VALUES (?, ?, ?)", vec![401, people.sup1.id.0, 102]),
        ("INSERT INTO janua_authorized_supervisor_actions (id, admin_id, action_id) VALUES (?, ?, ?)", vec![402, people.sup2.id.0, 102]),
    ];
    for (sql, values) in rows {
        assert_eq!(kit.execute(sql, values.into_iter().map(Value::from).collect()).await, 1);
    }
    assert_eq!(stored_rows(kit).await, [2, 2, 1]);
    Seeded { group1, contact1, group2 }
}

#[tokio::test]
async fn the_supervisor_list_is_the_super_admins_alone() {
    let kit = Kit::new().await;
    let people = people(&kit).await;
    let acl = &kit.core.janua_acl;
    let (sup, admin) = (&people.sup1, &people.admin);
    let list = AccessList::SupervisorAction;

    let refused = acl.rows(list, sup, Level::Supervisor, &Search::default(), 0, 100).await.unwrap_err();
    assert!(matches!(refused, AclError::AdminOnly), "{refused:?}");
    let refused = acl.row(list, sup, Level::Supervisor, 1).await.unwrap_err();
    assert!(matches!(refused, AclError::AdminOnly), "{refused:?}");
    let refused = acl.delete(&actor(sup), list, sup, Level::Supervisor, 1).await.unwrap_err();
    assert!(matches!(refused, AclError::AdminOnly), "{refused:?}");
    // The level is checked before the ids, well-formed or not.
    for input in [AccessInput::default(), AccessInput { admin_id: Some(sup.id.0), action_id: Some(1), ..AccessInput::default() }] {
        let refused = acl.create(list, sup, Level::Supervisor, input).await.unwrap_err();
        assert!(matches!(refused, AclError::AdminOnly), "{refused:?}");
    }

    assert!(row_ids(&kit, list, admin, Level::Admin).await.is_empty());
    let missing = acl.row(list, admin, Level::Admin, 1).await.unwrap_err();
    assert!(matches!(missing, AclError::NotFound), "{missing:?}");
    let missing = acl.delete(&actor(admin), list, admin, Level::Admin, 1).await.unwrap_err();
    assert!(matches!(missing, AclError::NotFound), "{missing:?}");
}

#[tokio::test]
async fn with_no_action_the_lists_are_empty_and_every_new_row_is_refused_in_janua_s_order() {
    let kit = Kit::new().await;
    let people = people(&kit).await;
    let acl = &kit.core.janua_acl;
    let (admin, sup) = (&people.admin, &people.sup1);
    let own_group = kit.core.directory.create_group(&actor(sup), sup.id, GroupName::parse("team").unwrap(), None).await.unwrap().id;
    let others_group = kit.core.directory.create_group(&actor(&people.sup2), people.sup2.id, GroupName::parse("crew").unwrap(), None).await.unwrap().id;
    let audited = kit.audit_actions().await;

    assert!(action_ids(&kit, admin, Level::Admin).await.is_empty());
    assert!(action_ids(&kit, sup, Level::Supervisor).await.is_empty());
    assert!(matches!(acl.action(admin, Level::Admin, 1).await, Err(AclError::NotFound)));
    for list in LISTS {
        assert!(row_ids(&kit, list, admin, Level::Admin).await.is_empty(), "{list:?}");
    }

    let input = |group_id: Option<i64>, admin_id: Option<i64>, action_id: Option<i64>, contact_id: Option<i64>| AccessInput { group_id, admin_id, action_id, contact_id };
    use AccessList::{ContactNotify, GroupAction, SupervisorAction};
    let refusals = [
        // AUTHORIZED_GROUP_ACTION: both ids, then the group and the action must be the caller's.
        (GroupAction, sup, Level::Supervisor, input(None, None, Some(1), None), AclError::MissingIds(Some(GroupAction))),
        (GroupAction, sup, Level::Supervisor, input(Some(own_group), None, None, None), AclError::MissingIds(Some(GroupAction))),
        (GroupAction, sup, Level::Supervisor, input(Some(own_group), None, Some(999), None), AclError::NotYours(GroupAction)),
        (GroupAction, sup, Level::Supervisor, input(Some(others_group), None, Some(999), None), AclError::NotYours(GroupAction)),
        (GroupAction, admin, Level::Admin, input(Some(own_group), None, Some(999), None), AclError::NotYours(GroupAction)),
        // AUTHORIZED_SUPERVISOR_ACTION: both ids, then a supervisor, then an action.
        (SupervisorAction, admin, Level::Admin, input(None, Some(sup.id.0), None, None), AclError::MissingIds(Some(SupervisorAction))),
        (SupervisorAction, admin, Level::Admin, input(None, None, Some(999), None), AclError::MissingIds(Some(SupervisorAction))),
        (SupervisorAction, admin, Level::Admin, input(None, Some(admin.id.0), Some(999), None), AclError::UnknownAdmin(admin.id.0)),
        (SupervisorAction, admin, Level::Admin, input(None, Some(people.plain.id.0), Some(999), None), AclError::UnknownAdmin(people.plain.id.0)),
        (SupervisorAction, admin, Level::Admin, input(None, Some(9999), Some(999), None), AclError::UnknownAdmin(9999)),
        (SupervisorAction, admin, Level::Admin, input(None, Some(sup.id.0), Some(999), None), AclError::UnknownAction(999)),
        // CONTACT_NOTIFY_ACTION: three ids, then an action of the caller's.
        (ContactNotify, sup, Level::Supervisor, input(Some(own_group), None, Some(999), None), AclError::MissingIds(Some(ContactNotify))),
        (ContactNotify, sup, Level::Supervisor, input(None, None, Some(999), Some(1)), AclError::MissingIds(Some(ContactNotify))),
        (ContactNotify, sup, Level::Supervisor, input(Some(own_group), None, None, Some(1)), AclError::MissingIds(Some(ContactNotify))),
        (ContactNotify, sup, Level::Supervisor, input(Some(own_group), None, Some(999), Some(1)), AclError::NotYours(ContactNotify)),
    ];
    for (list, caller, level, input, wanted) in refusals {
        let refused = acl.create(list, caller, level, input).await.unwrap_err();
        // The variants hold no store error, so their Debug forms compare them whole.
        assert_eq!(format!("{refused:?}"), format!("{wanted:?}"), "{list:?} {input:?}");
    }

    assert_eq!(stored_rows(&kit).await, [0, 0, 0]);
    assert_eq!(kit.audit_actions().await, audited, "a refusal is not audited");
}

#[tokio::test]
async fn only_the_super_admin_reassigns_an_action() {
    let kit = Kit::new().await;
    let people = people(&kit).await;
    let acl = &kit.core.janua_acl;
    let refused = acl.reassign(&actor(&people.sup1), Level::Supervisor, 1, Some(people.sup1.id.0)).await.unwrap_err();
    assert!(matches!(refused, AclError::ReassignNotAllowed), "{refused:?}");
    let refused = acl.reassign(&actor(&people.admin), Level::Admin, 1, None).await.unwrap_err();
    assert!(matches!(refused, AclError::MissingIds(None)), "{refused:?}");
    let refused = acl.reassign(&actor(&people.admin), Level::Admin, 1, Some(people.sup1.id.0)).await.unwrap_err();
    assert!(matches!(refused, AclError::NotFound), "no action exists: {refused:?}");
}

#[tokio::test]
async fn each_caller_sees_and_deletes_only_the_rows_under_the_actions_it_manages() {
    let kit = Kit::new().await;
    let people = people(&kit).await;
    let seeded = seed(&kit, &people).await;
    let acl = &kit.core.janua_acl;
    let People { admin, sup1, sup2, .. } = &people;

    assert_eq!(action_ids(&kit, admin, Level::Admin).await, [101, 102, 103]);
    assert_eq!(action_ids(&kit, sup1, Level::Supervisor).await, [101]);
    assert_eq!(action_ids(&kit, sup2, Level::Supervisor).await, [103]);
    assert_eq!(acl.action(admin, Level::Admin, 101).await.unwrap().admin_id, sup1.id.0);
    assert!(matches!(acl.action(sup2, Level::Supervisor, 101).await, Err(AclError::NotFound)));

    let row = acl.row(AccessList::GroupAction, sup1, Level::Supervisor, 201).await.unwrap();
    assert_eq!(row, AccessRow { id: 201, columns: vec![("group_id", seeded.group1), ("action_id", 101)] });
    let row = acl.row(AccessList::ContactNotify, sup1, Level::Supervisor, 301).await.unwrap();
    assert_eq!(row.columns, [("contact_id", seeded.contact1), ("action_id", 101), ("group_id", seeded.group1)]);
    assert_eq!(row_ids(&kit, AccessList::GroupAction, sup2, Level::Supervisor).await, [202]);
    assert!(row_ids(&kit, AccessList::ContactNotify, sup2, Level::Supervisor).await.is_empty());
    // The super admin too sees the group and contact lists of its own actions only.
    assert!(row_ids(&kit, AccessList::GroupAction, admin, Level::Admin).await.is_empty());
    assert!(row_ids(&kit, AccessList::ContactNotify, admin, Level::Admin).await.is_empty());
    assert_eq!(row_ids(&kit, AccessList::SupervisorAction, admin, Level::Admin).await, [401, 402]);

    // Another supervisor's row is not found, and stays.
    let refused = acl.delete(&actor(sup2), AccessList::GroupAction, sup2, Level::Supervisor, 201).await.unwrap_err();
    assert!(matches!(refused, AclError::NotFound), "{refused:?}");
    let refused = acl.delete(&actor(admin), AccessList::ContactNotify, admin, Level::Admin, 301).await.unwrap_err();
    assert!(matches!(refused, AclError::NotFound), "{refused:?}");
    assert_eq!(stored_rows(&kit).await, [2, 2, 1]);
    assert!(!kit.audit_actions().await.contains(&"janua_acl.delete".to_owned()));

    // Its manager deletes it, and with it the notifications of that group for that action.
    acl.delete(&actor(sup1), AccessList::GroupAction, sup1, Level::Supervisor, 201).await.unwrap();
    assert!(row_ids(&kit, AccessList::GroupAction, sup1, Level::Supervisor).await.is_empty());
    assert!(row_ids(&kit, AccessList::ContactNotify, sup1, Level::Supervisor).await.is_empty());
    assert_eq!(row_ids(&kit, AccessList::GroupAction, sup2, Level::Supervisor).await, [202]);
    assert_eq!(kit.audit_actions().await.first().map(String::as_str), Some("janua_acl.delete"));
    let again = acl.delete(&actor(sup1), AccessList::GroupAction, sup1, Level::Supervisor, 201).await.unwrap_err();
    assert!(matches!(again, AclError::NotFound), "{again:?}");

    acl.delete(&actor(admin), AccessList::SupervisorAction, admin, Level::Admin, 401).await.unwrap();
    assert_eq!(row_ids(&kit, AccessList::SupervisorAction, admin, Level::Admin).await, [402]);
    assert_eq!(stored_rows(&kit).await, [1, 1, 0]);
}

#[tokio::test]
async fn even_with_an_action_no_new_row_is_ever_written() {
    let kit = Kit::new().await;
    let people = people(&kit).await;
    let seeded = seed(&kit, &people).await;
    let acl = &kit.core.janua_acl;
    let People { admin, sup1, sup2, .. } = &people;
    let audited = kit.audit_actions().await;

    // Every check passes, and the write still stops: Steward runs no action.
    let group = AccessInput { group_id: Some(seeded.group1), action_id: Some(101), ..AccessInput::default() };
    let refused = acl.create(AccessList::GroupAction, sup1, Level::Supervisor, group).await.unwrap_err();
    assert!(matches!(refused, AclError::NotYours(AccessList::GroupAction)), "{refused:?}");
    let supervisor = AccessInput { admin_id: Some(sup2.id.0), action_id: Some(101), ..AccessInput::default() };
    let refused = acl.create(AccessList::SupervisorAction, admin, Level::Admin, supervisor).await.unwrap_err();
    assert!(matches!(refused, AclError::NotYours(AccessList::SupervisorAction)), "{refused:?}");
    let notify = AccessInput { contact_id: Some(seeded.contact1), action_id: Some(101), group_id: Some(seeded.group1), ..AccessInput::default() };
    let refused = acl.create(AccessList::ContactNotify, sup1, Level::Supervisor, notify).await.unwrap_err();
    assert!(matches!(refused, AclError::NotYours(AccessList::ContactNotify)), "{refused:?}");

    // The action must be the caller's: sup2's group with sup1's action, or sup2's action.
    let theirs = AccessInput { group_id: Some(seeded.group2), action_id: Some(101), ..AccessInput::default() };
    let refused = acl.create(AccessList::GroupAction, sup2, Level::Supervisor, theirs).await.unwrap_err();
    assert!(matches!(refused, AclError::NotYours(AccessList::GroupAction)), "{refused:?}");
    let notify = AccessInput { contact_id: Some(seeded.contact1), action_id: Some(103), group_id: Some(seeded.group1), ..AccessInput::default() };
    let refused = acl.create(AccessList::ContactNotify, sup1, Level::Supervisor, notify).await.unwrap_err();
    assert!(matches!(refused, AclError::NotYours(AccessList::ContactNotify)), "{refused:?}");

    assert_eq!(stored_rows(&kit).await, [2, 2, 1]);
    assert_eq!(kit.audit_actions().await, audited);
}

#[tokio::test]
async fn reassigning_an_action_drops_its_access_lists() {
    let kit = Kit::new().await;
    let people = people(&kit).await;
    seed(&kit, &people).await;
    let acl = &kit.core.janua_acl;
    let People { admin, sup1, sup2, plain } = &people;

    for to in [plain.id.0, 9999] {
        let refused = acl.reassign(&actor(admin), Level::Admin, 101, Some(to)).await.unwrap_err();
        assert!(matches!(refused, AclError::UnknownAdmin(id) if id == to), "{refused:?}");
    }
    assert_eq!(stored_rows(&kit).await, [2, 2, 1], "a refused reassignment drops nothing");
    assert_eq!(acl.action(admin, Level::Admin, 101).await.unwrap().admin_id, sup1.id.0);

    acl.reassign(&actor(admin), Level::Admin, 101, Some(sup2.id.0)).await.unwrap();
    assert_eq!(acl.action(sup2, Level::Supervisor, 101).await.unwrap().admin_id, sup2.id.0);
    assert!(matches!(acl.action(sup1, Level::Supervisor, 101).await, Err(AclError::NotFound)));
    assert_eq!(action_ids(&kit, sup2, Level::Supervisor).await, [101, 103]);
    // 201 and 301 were 101's; 202 (103's) and the supervisor list (102's) stay.
    assert_eq!(stored_rows(&kit).await, [1, 2, 0]);
    assert_eq!(row_ids(&kit, AccessList::GroupAction, sup2, Level::Supervisor).await, [202]);
    assert_eq!(kit.audit_actions().await.first().map(String::as_str), Some("janua_action.reassign"));
}
