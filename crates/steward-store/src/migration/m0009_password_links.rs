//! Set-password links: a welcome mail carries one instead of a password. One use, expiring,
//! kept as a hash, gone with their account.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::cascade;
use crate::entity::{account, password_link};

/// Creates `password_links`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0009_password_links"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(password_link::Entity)
                    .col(big_pk_auto(password_link::Column::Id))
                    .col(string_uniq(password_link::Column::TokenHash))
                    .col(big_integer(password_link::Column::AccountId))
                    .col(timestamp_with_time_zone(password_link::Column::CreatedAt))
                    .col(timestamp_with_time_zone(password_link::Column::ExpiresAt))
                    .col(timestamp_with_time_zone_null(password_link::Column::UsedAt))
                    .foreign_key(&mut cascade(password_link::Column::AccountId, account::Column::Id))
                    .take(),
            )
            .await
    }
}
