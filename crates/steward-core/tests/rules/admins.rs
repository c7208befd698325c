//! Janua's admin rules: who may change what on an admin, the super admin's own limits, and
//! that a refused change changes nothing.

use steward_core::messaging::admins::{AdminError, AdminUpdate, Admins, Guarded, Level, UpdateRequest};
use steward_model::sms::SmsQuota;
use steward_model::{AuthBackend, E164, Login};

use crate::kit::{Kit, actor};

#[tokio::test]
async fn a_supervisor_changes_only_itself_and_not_what_the_super_admin_guards() {
    let kit = Kit::new().await;
    let admin = kit.admin().await;
    let sup1 = kit.supervisor(&admin, "sup1", "+4790000001", None, true).await;
    let sup2 = kit.supervisor(&admin, "sup2", "+4790000002", None, true).await;
    let admins = &kit.core.janua_admins;
    let before = admins.get(&admin, Level::Admin, sup1.id.0).await.unwrap();

    // Another admin's row is not found, whatever the body asks.
    let refused = Admins::authorize_update(&sup1, Level::Supervisor, sup2.id.0, &UpdateRequest::default()).unwrap_err();
    assert!(matches!(refused, AdminError::NotFound), "{refused:?}");

    // Each guarded key alone, then all of them: the first in Janua's order answers.
    let guarded = [
        (AdminUpdate { phone_number: Some(E164::parse("+4790000009").unwrap()), ..AdminUpdate::default() }, Guarded::PhoneNumber),
        (AdminUpdate { level: Some(1), ..AdminUpdate::default() }, Guarded::Level),
        (AdminUpdate { recipient_filter: Some(false), ..AdminUpdate::default() }, Guarded::RecipientFilter),
        (AdminUpdate { login: Some(Login::parse("boss").unwrap()), ..AdminUpdate::default() }, Guarded::Login),
        (AdminUpdate { auth_backend: Some(AuthBackend::Ldap), ..AdminUpdate::default() }, Guarded::AuthBackend),
        (
            AdminUpdate {
                login: Some(Login::parse("boss").unwrap()),
                recipient_filter: Some(false),
                level: Some(1),
                ..AdminUpdate::default()
            },
            Guarded::Level,
        ),
    ];
    for (update, field) in guarded {
        let refused = admins.update(&actor(&sup1), &sup1, Level::Supervisor, sup1.id.0, update).await.unwrap_err();
        assert!(matches!(refused, AdminError::Denied(denied) if denied == field), "{field:?}: {refused:?}");
    }
    assert_eq!(admins.get(&admin, Level::Admin, sup1.id.0).await.unwrap(), before, "nothing changed");

    // Level 2 is its own level: asking for it is no change. Its name it may change.
    let allowed = AdminUpdate { level: Some(2), name: Some("Renamed".to_owned()), ..AdminUpdate::default() };
    admins.update(&actor(&sup1), &sup1, Level::Supervisor, sup1.id.0, allowed).await.unwrap();
    assert_eq!(admins.get(&admin, Level::Admin, sup1.id.0).await.unwrap().name, "Renamed");

    // A supervisor's own quota change is a request to the super admin, not applied.
    let quota = AdminUpdate { sms_quota: Some(SmsQuota::parse("5 D").unwrap()), ..AdminUpdate::default() };
    admins.update(&actor(&sup1), &sup1, Level::Supervisor, sup1.id.0, quota).await.unwrap();
    assert_eq!(admins.get(&admin, Level::Admin, sup1.id.0).await.unwrap().sms_quota, before.sms_quota);
}

#[tokio::test]
async fn the_super_admin_keeps_levels_and_stays_local() {
    let kit = Kit::new().await;
    let admin = kit.admin().await;
    let sup = kit.supervisor(&admin, "sup1", "+4790000001", None, true).await;
    let admins = &kit.core.janua_admins;

    let promote = AdminUpdate { level: Some(1), ..AdminUpdate::default() };
    let refused = admins.update(&actor(&admin), &admin, Level::Admin, sup.id.0, promote).await.unwrap_err();
    assert!(matches!(refused, AdminError::LevelFixed), "{refused:?}");
    let to_ldap = AdminUpdate { auth_backend: Some(AuthBackend::Ldap), ..AdminUpdate::default() };
    let refused = admins.update(&actor(&admin), &admin, Level::Admin, admin.id.0, to_ldap.clone()).await.unwrap_err();
    assert!(matches!(refused, AdminError::SuperAdminMustBeLocal), "{refused:?}");
    // A supervisor may be moved to LDAP by the super admin.
    admins.update(&actor(&admin), &admin, Level::Admin, sup.id.0, to_ldap).await.unwrap();
    assert_eq!(admins.get(&admin, Level::Admin, sup.id.0).await.unwrap().auth_backend, AuthBackend::Ldap);

    // The super admin's quota change applies at once.
    let quota = AdminUpdate { sms_quota: Some(SmsQuota::parse("5 D").unwrap()), ..AdminUpdate::default() };
    admins.update(&actor(&admin), &admin, Level::Admin, sup.id.0, quota).await.unwrap();
    assert_eq!(admins.get(&admin, Level::Admin, sup.id.0).await.unwrap().sms_quota.as_str(), "5 D");

    let refused = admins.delete(&actor(&sup), &sup, Level::Supervisor, sup.id.0).await.unwrap_err();
    assert!(matches!(refused, AdminError::DeleteNotAllowed), "{refused:?}");
    let refused = admins.delete(&actor(&admin), &admin, Level::Admin, admin.id.0).await.unwrap_err();
    assert!(matches!(refused, AdminError::SuperAdminUndeletable), "{refused:?}");
    let refused = Admins::authorize_create(Level::Supervisor).unwrap_err();
    assert!(matches!(refused, AdminError::CreateNotAllowed), "{refused:?}");
}
