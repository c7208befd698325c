//! The foundation: accounts and roles, tokens, services, terms, quotas, audit, outbox.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::cascade;
use crate::entity::{account, account_role, audit, outbox, quota_limit, resource, service, terms, token, usage};

/// Creates the foundation tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_foundation"
    }
}

/// Timestamps are `timestamp with time zone`, always written by the application in UTC
/// (never `DEFAULT CURRENT_TIMESTAMP`, which differs between the backends).
fn at<T: IntoIden>(name: T) -> ColumnDef {
    timestamp_with_time_zone(name)
}

fn at_null<T: IntoIden>(name: T) -> ColumnDef {
    timestamp_with_time_zone_null(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(account::Entity)
                    .col(big_pk_auto(account::Column::Id))
                    .col(uuid_uniq(account::Column::Uuid))
                    .col(string(account::Column::Login))
                    // Lower-cased login: the one uniqueness rule, alike on both backends.
                    .col(string_uniq(account::Column::LoginKey))
                    .col(string(account::Column::Name))
                    .col(string_null(account::Column::Email))
                    .col(string_null(account::Column::Phone))
                    .col(boolean(account::Column::Active))
                    .col(string_null(account::Column::PasswordHash))
                    .col(string(account::Column::AuthBackend))
                    .col(at_null(account::Column::TermsAcceptedAt))
                    .col(at(account::Column::CreatedAt))
                    .col(at(account::Column::UpdatedAt))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("accounts_phone").table(account::Entity).col(account::Column::Phone).take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(account_role::Entity)
                    .col(big_integer(account_role::Column::AccountId))
                    .col(string(account_role::Column::Role))
                    .primary_key(Index::create().col(account_role::Column::AccountId).col(account_role::Column::Role))
                    .foreign_key(&mut cascade(account_role::Column::AccountId, account::Column::Id))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(token::Entity)
                    .col(big_pk_auto(token::Column::Id))
                    // SHA-256 of the token, hex: the token itself is never stored.
                    .col(string_uniq(token::Column::TokenHash))
                    .col(big_integer(token::Column::AccountId))
                    .col(at(token::Column::CreatedAt))
                    .col(at(token::Column::ExpiresAt))
                    .col(at_null(token::Column::RevokedAt))
                    .foreign_key(&mut cascade(token::Column::AccountId, account::Column::Id))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("tokens_account").table(token::Entity).col(token::Column::AccountId).take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(service::Entity)
                    .col(big_pk_auto(service::Column::Id))
                    .col(string_uniq(service::Column::Name))
                    .col(string(service::Column::Url))
                    .col(string_uniq(service::Column::TokenHash))
                    .col(at(service::Column::TokenCreatedAt))
                    .col(at_null(service::Column::TokenExpiresAt))
                    .col(at(service::Column::CreatedAt))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(terms::Entity)
                    .col(big_pk_auto(terms::Column::Id))
                    .col(text(terms::Column::Body))
                    .col(at(terms::Column::PublishedAt))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(resource::Entity)
                    .col(big_pk_auto(resource::Column::Id))
                    .col(string_uniq(resource::Column::Name))
                    .col(string(resource::Column::Unit))
                    .col(big_integer(resource::Column::DefaultLimit))
                    // Quota window for counters that reset (`D`, `W`, `M`, `Y`); NULL = never.
                    .col(string_null(resource::Column::Window))
                    .col(string(resource::Column::Description))
                    .col(at(resource::Column::CreatedAt))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(quota_limit::Entity)
                    .col(big_integer(quota_limit::Column::AccountId))
                    .col(big_integer(quota_limit::Column::ResourceId))
                    .col(big_integer(quota_limit::Column::LimitValue))
                    .col(string_null(quota_limit::Column::Window))
                    .primary_key(
                        Index::create().col(quota_limit::Column::AccountId).col(quota_limit::Column::ResourceId),
                    )
                    .foreign_key(&mut cascade(quota_limit::Column::AccountId, account::Column::Id))
                    .foreign_key(&mut cascade(quota_limit::Column::ResourceId, resource::Column::Id))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(usage::Entity)
                    .col(big_integer(usage::Column::AccountId))
                    .col(big_integer(usage::Column::ResourceId))
                    .col(big_integer(usage::Column::Used))
                    .col(at(usage::Column::UpdatedAt))
                    .primary_key(Index::create().col(usage::Column::AccountId).col(usage::Column::ResourceId))
                    .foreign_key(&mut cascade(usage::Column::AccountId, account::Column::Id))
                    .foreign_key(&mut cascade(usage::Column::ResourceId, resource::Column::Id))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(audit::Entity)
                    .col(big_pk_auto(audit::Column::Id))
                    .col(at(audit::Column::At))
                    .col(string(audit::Column::Actor))
                    .col(string(audit::Column::Action))
                    .col(string(audit::Column::Target))
                    .col(string(audit::Column::Face))
                    .col(text(audit::Column::Detail))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(outbox::Entity)
                    .col(big_pk_auto(outbox::Column::Id))
                    .col(string(outbox::Column::Kind))
                    .col(text(outbox::Column::Payload))
                    .col(string(outbox::Column::Status))
                    .col(integer(outbox::Column::Attempts))
                    .col(at(outbox::Column::NextAttemptAt))
                    // A worker owns a row until this instant; a crashed worker's lease lapses.
                    .col(at_null(outbox::Column::LeaseUntil))
                    .col(string_null(outbox::Column::LeaseOwner))
                    .col(text_null(outbox::Column::LastError))
                    .col(at(outbox::Column::CreatedAt))
                    .col(at_null(outbox::Column::FinishedAt))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("outbox_due")
                    .table(outbox::Entity)
                    .col(outbox::Column::Status)
                    .col(outbox::Column::NextAttemptAt)
                    .take(),
            )
            .await?;
        Ok(())
    }
}
