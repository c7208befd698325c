//! Janua's tables: the Janua profile of an account (admin level, quota, recipient filter),
//! contacts and groups owned by an account, the SMS log, actions and their ACLs; and a
//! small key-value table for settings changed at run time (Janua's auth backends).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates Janua's tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_janua"
    }
}

fn cascade(table: &'static str, column: &'static str, target: &'static str, target_column: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(target, target_column)
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

fn unique(name: &'static str, table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create().name(name).table(table).unique().take();
    for column in columns {
        index.col(*column);
    }
    index
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("settings")
                    .col(string("key").primary_key())
                    .col(text("value"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .take(),
            )
            .await?;

        // A phone number identifies a person (Janua logs in by phone): one account each.
        manager.create_index(unique("accounts_phone_unique", "accounts", &["phone"])).await?;

        // Janua's attributes of an account. Its level comes from the account's roles
        // (`admin` = level 1, `supervisor` = level 2) and its SMS quota is its limit on the
        // shared resource `janua.sms`; without a row the defaults apply (recipient filter
        // on, no client), so any account given a Janua role is a complete Janua admin.
        manager
            .create_table(
                Table::create()
                    .table("janua_profiles")
                    .col(big_integer("account_id").primary_key())
                    .col(string("firstname"))
                    .col(string("last_name"))
                    .col(boolean("recipient_filter"))
                    .col(boolean("has_client"))
                    .col(timestamp_with_time_zone_null("last_quota_reached"))
                    .col(string_null("phone_token"))
                    .foreign_key(&mut cascade("janua_profiles", "account_id", "accounts", "id"))
                    .take(),
            )
            .await?;
        manager.create_index(unique("janua_profiles_phone_token", "janua_profiles", &["phone_token"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("janua_contacts")
                    .col(big_pk_auto("id"))
                    .col(big_integer("admin_id"))
                    .col(string("name"))
                    .col(string("firstname"))
                    .col(string("phone_number"))
                    .col(string("email"))
                    .col(text_null("description"))
                    .foreign_key(&mut cascade("janua_contacts", "admin_id", "accounts", "id"))
                    .take(),
            )
            .await?;
        manager.create_index(unique("janua_contacts_phone", "janua_contacts", &["admin_id", "phone_number"])).await?;
        manager.create_index(unique("janua_contacts_email", "janua_contacts", &["admin_id", "email"])).await?;
        // Lists page through one owner's rows in id order: without this index SQLite sorted
        // the owner's rows in a temporary B-tree on every page (28 ms for 100 of 100 000).
        manager.create_index(unique("janua_contacts_owner_id", "janua_contacts", &["admin_id", "id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("janua_groups")
                    .col(big_pk_auto("id"))
                    .col(big_integer("admin_id"))
                    .col(string("name"))
                    .col(text("description"))
                    .foreign_key(&mut cascade("janua_groups", "admin_id", "accounts", "id"))
                    .take(),
            )
            .await?;
        manager.create_index(unique("janua_groups_name", "janua_groups", &["admin_id", "name"])).await?;
        manager.create_index(unique("janua_groups_owner_id", "janua_groups", &["admin_id", "id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("janua_contact_groups")
                    .col(big_pk_auto("id"))
                    .col(big_integer("group_id"))
                    .col(big_integer("contact_id"))
                    .foreign_key(&mut cascade("janua_contact_groups", "group_id", "janua_groups", "id"))
                    .foreign_key(&mut cascade("janua_contact_groups", "contact_id", "janua_contacts", "id"))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique("janua_contact_groups_pair", "janua_contact_groups", &["group_id", "contact_id"]))
            .await?;
        // A page of contacts looks up their groups by contact: the pair index starts with
        // the group, so without this one every page scanned the whole link table.
        manager
            .create_index(Index::create().name("janua_contact_groups_contact").table("janua_contact_groups").col("contact_id").take())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("janua_sms")
                    .col(big_pk_auto("id"))
                    .col(timestamp_with_time_zone("date_time"))
                    .col(text("sender"))
                    .col(text("recipient"))
                    .col(string("recipient_phone_number"))
                    .col(text("raw_message"))
                    .col(boolean("authorized"))
                    // 0 sent, 1 delivered, 2 unknown, 3 unsupported, 4 received; Steward adds
                    // 5 queued and 6 failed for rows still in (or given up by) the outbox.
                    .col(integer("status"))
                    .col(integer("number_of_slices"))
                    .col(string_null("reference"))
                    .col(big_integer("admin_id"))
                    .foreign_key(&mut cascade("janua_sms", "admin_id", "accounts", "id"))
                    .take(),
            )
            .await?;
        manager
            .create_index(Index::create().name("janua_sms_admin_time").table("janua_sms").col("admin_id").col("date_time").take())
            .await?;
        manager.create_index(unique("janua_sms_owner_id", "janua_sms", &["admin_id", "id"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("janua_actions")
                    .col(big_pk_auto("id"))
                    .col(string_uniq("name"))
                    .col(text("description"))
                    .col(boolean("authentication"))
                    .col(boolean("enabled"))
                    .col(big_integer("admin_id"))
                    .col(string("module"))
                    .col(string("janua_id"))
                    .foreign_key(&mut cascade("janua_actions", "admin_id", "accounts", "id"))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("janua_authorized_group_actions")
                    .col(big_pk_auto("id"))
                    .col(big_integer("group_id"))
                    .col(big_integer("action_id"))
                    .foreign_key(&mut cascade("janua_authorized_group_actions", "group_id", "janua_groups", "id"))
                    .foreign_key(&mut cascade("janua_authorized_group_actions", "action_id", "janua_actions", "id"))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique("janua_aga_pair", "janua_authorized_group_actions", &["group_id", "action_id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("janua_authorized_supervisor_actions")
                    .col(big_pk_auto("id"))
                    .col(big_integer("admin_id"))
                    .col(big_integer("action_id"))
                    .foreign_key(&mut cascade("janua_authorized_supervisor_actions", "admin_id", "accounts", "id"))
                    .foreign_key(&mut cascade("janua_authorized_supervisor_actions", "action_id", "janua_actions", "id"))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique("janua_asa_pair", "janua_authorized_supervisor_actions", &["admin_id", "action_id"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("janua_contact_notify_actions")
                    .col(big_pk_auto("id"))
                    .col(big_integer("contact_id"))
                    .col(big_integer("action_id"))
                    .col(big_integer("group_id"))
                    .foreign_key(&mut cascade("janua_contact_notify_actions", "contact_id", "janua_contacts", "id"))
                    .foreign_key(&mut cascade("janua_contact_notify_actions", "action_id", "janua_actions", "id"))
                    .foreign_key(&mut cascade("janua_contact_notify_actions", "group_id", "janua_groups", "id"))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique(
                "janua_cna_triple",
                "janua_contact_notify_actions",
                &["contact_id", "action_id", "group_id"],
            ))
            .await?;
        Ok(())
    }
}
