//! Hermes' provisioning tables: SIP users (local ones are Kamailio subscribers, remote
//! ones live at a foreign registrar), phone associations (MAC ↔ user), the pool of free
//! E.164 numbers, and aliases (mirrored into Kamailio's `dbaliases`). Domains are stored
//! lower-case, so the unique keys compare them as DNS does; user parts keep their case.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{references, unique};
use crate::entity::{account, sip_alias, sip_number, sip_phone, sip_user};

/// Creates Hermes' tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_hermes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(sip_user::Entity)
                    .col(big_pk_auto(sip_user::Column::Id))
                    .col(string_len(sip_user::Column::Username, 64))
                    .col(string_len(sip_user::Column::Domain, 64))
                    // "local" (a Kamailio subscriber) or "remote".
                    .col(string_len(sip_user::Column::Kind, 8))
                    .col(string_len(sip_user::Column::Displayname, 128))
                    .col(string_len_null(sip_user::Column::Email, 128))
                    // Handed back by user/get and written to phones' configuration, so it is
                    // kept readable (Kamailio keeps it too, unless it runs on digests only).
                    .col(string_len(sip_user::Column::Password, 64))
                    .col(string_len(sip_user::Column::Authid, 64))
                    .col(string_len(sip_user::Column::Registrar, 64))
                    .col(integer(sip_user::Column::RPort))
                    .col(string_len(sip_user::Column::Proxy, 64))
                    .col(integer(sip_user::Column::PPort))
                    .col(string_len(sip_user::Column::Dialplan, 255))
                    .col(string_len(sip_user::Column::Linetext, 64))
                    // The one identity: the Steward account this SIP user belongs to, if any.
                    .col(big_integer_null(sip_user::Column::AccountId))
                    .col(timestamp_with_time_zone(sip_user::Column::CreatedAt))
                    .col(timestamp_with_time_zone(sip_user::Column::UpdatedAt))
                    .foreign_key(&mut references(
                        sip_user::Column::AccountId,
                        account::Column::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique(
                "sip_users_address",
                sip_user::Entity,
                [sip_user::Column::Domain, sip_user::Column::Username],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(sip_phone::Entity)
                    .col(big_pk_auto(sip_phone::Column::Id))
                    .col(string_len(sip_phone::Column::Mac, 12))
                    .col(big_integer(sip_phone::Column::SipUserId))
                    .col(timestamp_with_time_zone(sip_phone::Column::CreatedAt))
                    // A user with phones cannot be removed (Hermes' `inuse`).
                    .foreign_key(&mut references(
                        sip_phone::Column::SipUserId,
                        sip_user::Column::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique(
                "sip_phones_pair",
                sip_phone::Entity,
                [sip_phone::Column::Mac, sip_phone::Column::SipUserId],
            ))
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("sip_phones_user")
                    .table(sip_phone::Entity)
                    .col(sip_phone::Column::SipUserId)
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(sip_number::Entity)
                    .col(big_pk_auto(sip_number::Column::Id))
                    .col(string_len_uniq(sip_number::Column::Number, 16))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(sip_alias::Entity)
                    .col(big_pk_auto(sip_alias::Column::Id))
                    .col(string_len(sip_alias::Column::AliasUsername, 64))
                    .col(string_len(sip_alias::Column::AliasDomain, 64))
                    .col(string_len(sip_alias::Column::Username, 64))
                    .col(string_len(sip_alias::Column::Domain, 64))
                    .col(timestamp_with_time_zone(sip_alias::Column::CreatedAt))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique(
                "sip_aliases_alias",
                sip_alias::Entity,
                [sip_alias::Column::AliasDomain, sip_alias::Column::AliasUsername],
            ))
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("sip_aliases_destination")
                    .table(sip_alias::Entity)
                    .col(sip_alias::Column::Domain)
                    .col(sip_alias::Column::Username)
                    .take(),
            )
            .await?;
        Ok(())
    }
}
