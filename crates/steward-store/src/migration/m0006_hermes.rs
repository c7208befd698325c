//! Hermes' provisioning tables: SIP users (local ones are Kamailio subscribers, remote
//! ones live at a foreign registrar), phone associations (MAC ↔ user), the pool of free
//! E.164 numbers, and aliases (mirrored into Kamailio's `dbaliases`). Domains are stored
//! lower-case, so the unique keys compare them as DNS does; user parts keep their case.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates Hermes' tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_hermes"
    }
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
                    .table("sip_users")
                    .col(big_pk_auto("id"))
                    .col(string_len("username", 64))
                    .col(string_len("domain", 64))
                    // "local" (a Kamailio subscriber) or "remote".
                    .col(string_len("kind", 8))
                    .col(string_len("displayname", 128))
                    .col(string_len_null("email", 128))
                    // Handed back by user/get and written to phones' configuration, so it is
                    // kept readable (Kamailio keeps it too, unless it runs on digests only).
                    .col(string_len("password", 64))
                    .col(string_len("authid", 64))
                    .col(string_len("registrar", 64))
                    .col(integer("r_port"))
                    .col(string_len("proxy", 64))
                    .col(integer("p_port"))
                    .col(string_len("dialplan", 255))
                    .col(string_len("linetext", 64))
                    // The one identity: the Steward account this SIP user belongs to, if any.
                    .col(big_integer_null("account_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("sip_users", "account_id")
                            .to("accounts", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .take(),
            )
            .await?;
        manager.create_index(unique("sip_users_address", "sip_users", &["domain", "username"])).await?;

        manager
            .create_table(
                Table::create()
                    .table("sip_phones")
                    .col(big_pk_auto("id"))
                    .col(string_len("mac", 12))
                    .col(big_integer("sip_user_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    // A user with phones cannot be removed (Hermes' `inuse`).
                    .foreign_key(
                        ForeignKey::create()
                            .from("sip_phones", "sip_user_id")
                            .to("sip_users", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .take(),
            )
            .await?;
        manager.create_index(unique("sip_phones_pair", "sip_phones", &["mac", "sip_user_id"])).await?;
        manager.create_index(Index::create().name("sip_phones_user").table("sip_phones").col("sip_user_id").take()).await?;

        manager
            .create_table(
                Table::create()
                    .table("sip_numbers")
                    .col(big_pk_auto("id"))
                    .col(string_len_uniq("number", 16))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("sip_aliases")
                    .col(big_pk_auto("id"))
                    .col(string_len("alias_username", 64))
                    .col(string_len("alias_domain", 64))
                    .col(string_len("username", 64))
                    .col(string_len("domain", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .take(),
            )
            .await?;
        manager.create_index(unique("sip_aliases_alias", "sip_aliases", &["alias_domain", "alias_username"])).await?;
        manager
            .create_index(Index::create().name("sip_aliases_destination").table("sip_aliases").col("domain").col("username").take())
            .await?;
        Ok(())
    }
}
