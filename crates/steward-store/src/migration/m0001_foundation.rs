//! The foundation: accounts and roles, tokens, services, terms, quotas, audit, outbox.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Creates the foundation tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_foundation"
    }
}

/// Timestamps are `timestamp with time zone`, always written by the application in UTC
/// (never `DEFAULT CURRENT_TIMESTAMP`, which differs between the backends).
fn at(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone(name)
}

fn at_null(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone_null(name)
}

fn foreign(table: &'static str, column: &'static str, target: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(target, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("accounts")
                    .col(big_pk_auto("id"))
                    .col(uuid_uniq("uuid"))
                    .col(string("login"))
                    // Lower-cased login: the one uniqueness rule, alike on both backends.
                    .col(string_uniq("login_key"))
                    .col(string("name"))
                    .col(string_null("email"))
                    .col(string_null("phone"))
                    .col(boolean("active"))
                    .col(string_null("password_hash"))
                    .col(string("auth_backend"))
                    .col(at_null("terms_accepted_at"))
                    .col(at("created_at"))
                    .col(at("updated_at"))
                    .take(),
            )
            .await?;
        manager
            .create_index(Index::create().name("accounts_phone").table("accounts").col("phone").take())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("account_roles")
                    .col(big_integer("account_id"))
                    .col(string("role"))
                    .primary_key(Index::create().col("account_id").col("role"))
                    .foreign_key(&mut foreign("account_roles", "account_id", "accounts"))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("tokens")
                    .col(big_pk_auto("id"))
                    // SHA-256 of the token, hex: the token itself is never stored.
                    .col(string_uniq("token_hash"))
                    .col(big_integer("account_id"))
                    .col(at("created_at"))
                    .col(at("expires_at"))
                    .col(at_null("revoked_at"))
                    .foreign_key(&mut foreign("tokens", "account_id", "accounts"))
                    .take(),
            )
            .await?;
        manager
            .create_index(Index::create().name("tokens_account").table("tokens").col("account_id").take())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("services")
                    .col(big_pk_auto("id"))
                    .col(string_uniq("name"))
                    .col(string("url"))
                    .col(string_uniq("token_hash"))
                    .col(at("token_created_at"))
                    .col(at_null("token_expires_at"))
                    .col(at("created_at"))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("terms")
                    .col(big_pk_auto("id"))
                    .col(text("body"))
                    .col(at("published_at"))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("resources")
                    .col(big_pk_auto("id"))
                    .col(string_uniq("name"))
                    .col(string("unit"))
                    .col(big_integer("default_limit"))
                    // Quota window for counters that reset (`D`, `W`, `M`, `Y`); NULL = never.
                    .col(string_null("window"))
                    .col(string("description"))
                    .col(at("created_at"))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("quota_limits")
                    .col(big_integer("account_id"))
                    .col(big_integer("resource_id"))
                    .col(big_integer("limit_value"))
                    .col(string_null("window"))
                    .primary_key(Index::create().col("account_id").col("resource_id"))
                    .foreign_key(&mut foreign("quota_limits", "account_id", "accounts"))
                    .foreign_key(&mut foreign("quota_limits", "resource_id", "resources"))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("usages")
                    .col(big_integer("account_id"))
                    .col(big_integer("resource_id"))
                    .col(big_integer("used"))
                    .col(at("updated_at"))
                    .primary_key(Index::create().col("account_id").col("resource_id"))
                    .foreign_key(&mut foreign("usages", "account_id", "accounts"))
                    .foreign_key(&mut foreign("usages", "resource_id", "resources"))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("audit_log")
                    .col(big_pk_auto("id"))
                    .col(at("at"))
                    .col(string("actor"))
                    .col(string("action"))
                    .col(string("target"))
                    .col(string("face"))
                    .col(text("detail"))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("outbox")
                    .col(big_pk_auto("id"))
                    .col(string("kind"))
                    .col(text("payload"))
                    .col(string("status"))
                    .col(integer("attempts"))
                    .col(at("next_attempt_at"))
                    // A worker owns a row until this instant; a crashed worker's lease lapses.
                    .col(at_null("lease_until"))
                    .col(string_null("lease_owner"))
                    .col(text_null("last_error"))
                    .col(at("created_at"))
                    .col(at_null("finished_at"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("outbox_due")
                    .table("outbox")
                    .col("status")
                    .col("next_attempt_at")
                    .take(),
            )
            .await?;
        Ok(())
    }
}
