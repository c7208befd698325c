//! Janua's tables: the Janua profile of an account (admin level, quota, recipient filter),
//! contacts and groups owned by an account, the SMS log, actions and their ACLs; and a
//! small key-value table for settings changed at run time (Janua's auth backends).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{cascade, unique};
use crate::entity::{
    account, janua_action, janua_authorized_group_action, janua_authorized_supervisor_action, janua_contact,
    janua_contact_group, janua_contact_notify_action, janua_group, janua_profile, janua_sms, setting,
};

/// Creates Janua's tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_janua"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(setting::Entity)
                    .col(string(setting::Column::Key).primary_key())
                    .col(text(setting::Column::Value))
                    .col(timestamp_with_time_zone(setting::Column::UpdatedAt))
                    .take(),
            )
            .await?;

        // A phone number identifies a person (Janua logs in by phone): one account each.
        manager.create_index(unique("accounts_phone_unique", account::Entity, [account::Column::Phone])).await?;

        // Janua's attributes of an account. Its level comes from the account's roles
        // (`admin` = level 1, `supervisor` = level 2) and its SMS quota is its limit on the
        // shared resource `janua.sms`; without a row the defaults apply (recipient filter
        // on, no client), so any account given a Janua role is a complete Janua admin.
        manager
            .create_table(
                Table::create()
                    .table(janua_profile::Entity)
                    .col(big_integer(janua_profile::Column::AccountId).primary_key())
                    .col(string(janua_profile::Column::Firstname))
                    .col(string(janua_profile::Column::LastName))
                    .col(boolean(janua_profile::Column::RecipientFilter))
                    .col(boolean(janua_profile::Column::HasClient))
                    .col(timestamp_with_time_zone_null(janua_profile::Column::LastQuotaReached))
                    .col(string_null(janua_profile::Column::PhoneToken))
                    .foreign_key(&mut cascade(janua_profile::Column::AccountId, account::Column::Id))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique(
                "janua_profiles_phone_token",
                janua_profile::Entity,
                [janua_profile::Column::PhoneToken],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(janua_contact::Entity)
                    .col(big_pk_auto(janua_contact::Column::Id))
                    .col(big_integer(janua_contact::Column::AdminId))
                    .col(string(janua_contact::Column::Name))
                    .col(string(janua_contact::Column::Firstname))
                    .col(string(janua_contact::Column::PhoneNumber))
                    .col(string(janua_contact::Column::Email))
                    .col(text_null(janua_contact::Column::Description))
                    .foreign_key(&mut cascade(janua_contact::Column::AdminId, account::Column::Id))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique(
                "janua_contacts_phone",
                janua_contact::Entity,
                [janua_contact::Column::AdminId, janua_contact::Column::PhoneNumber],
            ))
            .await?;
        manager
            .create_index(unique(
                "janua_contacts_email",
                janua_contact::Entity,
                [janua_contact::Column::AdminId, janua_contact::Column::Email],
            ))
            .await?;
        // Lists page through one owner's rows in id order: without this index SQLite sorted
        // the owner's rows in a temporary B-tree on every page (28 ms for 100 of 100 000).
        manager
            .create_index(unique(
                "janua_contacts_owner_id",
                janua_contact::Entity,
                [janua_contact::Column::AdminId, janua_contact::Column::Id],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(janua_group::Entity)
                    .col(big_pk_auto(janua_group::Column::Id))
                    .col(big_integer(janua_group::Column::AdminId))
                    .col(string(janua_group::Column::Name))
                    .col(text(janua_group::Column::Description))
                    .foreign_key(&mut cascade(janua_group::Column::AdminId, account::Column::Id))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique(
                "janua_groups_name",
                janua_group::Entity,
                [janua_group::Column::AdminId, janua_group::Column::Name],
            ))
            .await?;
        manager
            .create_index(unique(
                "janua_groups_owner_id",
                janua_group::Entity,
                [janua_group::Column::AdminId, janua_group::Column::Id],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(janua_contact_group::Entity)
                    .col(big_pk_auto(janua_contact_group::Column::Id))
                    .col(big_integer(janua_contact_group::Column::GroupId))
                    .col(big_integer(janua_contact_group::Column::ContactId))
                    .foreign_key(&mut cascade(janua_contact_group::Column::GroupId, janua_group::Column::Id))
                    .foreign_key(&mut cascade(janua_contact_group::Column::ContactId, janua_contact::Column::Id))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique(
                "janua_contact_groups_pair",
                janua_contact_group::Entity,
                [janua_contact_group::Column::GroupId, janua_contact_group::Column::ContactId],
            ))
            .await?;
        // A page of contacts looks up their groups by contact: the pair index starts with
        // the group, so without this one every page scanned the whole link table.
        manager
            .create_index(
                Index::create()
                    .name("janua_contact_groups_contact")
                    .table(janua_contact_group::Entity)
                    .col(janua_contact_group::Column::ContactId)
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(janua_sms::Entity)
                    .col(big_pk_auto(janua_sms::Column::Id))
                    .col(timestamp_with_time_zone(janua_sms::Column::DateTime))
                    .col(text(janua_sms::Column::Sender))
                    .col(text(janua_sms::Column::Recipient))
                    .col(string(janua_sms::Column::RecipientPhoneNumber))
                    .col(text(janua_sms::Column::RawMessage))
                    .col(boolean(janua_sms::Column::Authorized))
                    // 0 sent, 1 delivered, 2 unknown, 3 unsupported, 4 received; Steward adds
                    // 5 queued and 6 failed for rows still in (or given up by) the outbox.
                    .col(integer(janua_sms::Column::Status))
                    .col(integer(janua_sms::Column::NumberOfSlices))
                    .col(string_null(janua_sms::Column::Reference))
                    .col(big_integer(janua_sms::Column::AdminId))
                    .foreign_key(&mut cascade(janua_sms::Column::AdminId, account::Column::Id))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("janua_sms_admin_time")
                    .table(janua_sms::Entity)
                    .col(janua_sms::Column::AdminId)
                    .col(janua_sms::Column::DateTime)
                    .take(),
            )
            .await?;
        manager
            .create_index(unique(
                "janua_sms_owner_id",
                janua_sms::Entity,
                [janua_sms::Column::AdminId, janua_sms::Column::Id],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(janua_action::Entity)
                    .col(big_pk_auto(janua_action::Column::Id))
                    .col(string_uniq(janua_action::Column::Name))
                    .col(text(janua_action::Column::Description))
                    .col(boolean(janua_action::Column::Authentication))
                    .col(boolean(janua_action::Column::Enabled))
                    .col(big_integer(janua_action::Column::AdminId))
                    .col(string(janua_action::Column::Module))
                    .col(string(janua_action::Column::JanuaId))
                    .foreign_key(&mut cascade(janua_action::Column::AdminId, account::Column::Id))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(janua_authorized_group_action::Entity)
                    .col(big_pk_auto(janua_authorized_group_action::Column::Id))
                    .col(big_integer(janua_authorized_group_action::Column::GroupId))
                    .col(big_integer(janua_authorized_group_action::Column::ActionId))
                    .foreign_key(&mut cascade(janua_authorized_group_action::Column::GroupId, janua_group::Column::Id))
                    .foreign_key(&mut cascade(
                        janua_authorized_group_action::Column::ActionId,
                        janua_action::Column::Id,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique(
                "janua_aga_pair",
                janua_authorized_group_action::Entity,
                [janua_authorized_group_action::Column::GroupId, janua_authorized_group_action::Column::ActionId],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(janua_authorized_supervisor_action::Entity)
                    .col(big_pk_auto(janua_authorized_supervisor_action::Column::Id))
                    .col(big_integer(janua_authorized_supervisor_action::Column::AdminId))
                    .col(big_integer(janua_authorized_supervisor_action::Column::ActionId))
                    .foreign_key(&mut cascade(janua_authorized_supervisor_action::Column::AdminId, account::Column::Id))
                    .foreign_key(&mut cascade(
                        janua_authorized_supervisor_action::Column::ActionId,
                        janua_action::Column::Id,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique(
                "janua_asa_pair",
                janua_authorized_supervisor_action::Entity,
                [
                    janua_authorized_supervisor_action::Column::AdminId,
                    janua_authorized_supervisor_action::Column::ActionId,
                ],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(janua_contact_notify_action::Entity)
                    .col(big_pk_auto(janua_contact_notify_action::Column::Id))
                    .col(big_integer(janua_contact_notify_action::Column::ContactId))
                    .col(big_integer(janua_contact_notify_action::Column::ActionId))
                    .col(big_integer(janua_contact_notify_action::Column::GroupId))
                    .foreign_key(&mut cascade(
                        janua_contact_notify_action::Column::ContactId,
                        janua_contact::Column::Id,
                    ))
                    .foreign_key(&mut cascade(janua_contact_notify_action::Column::ActionId, janua_action::Column::Id))
                    .foreign_key(&mut cascade(janua_contact_notify_action::Column::GroupId, janua_group::Column::Id))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique(
                "janua_cna_triple",
                janua_contact_notify_action::Entity,
                [
                    janua_contact_notify_action::Column::ContactId,
                    janua_contact_notify_action::Column::ActionId,
                    janua_contact_notify_action::Column::GroupId,
                ],
            ))
            .await?;
        Ok(())
    }
}
