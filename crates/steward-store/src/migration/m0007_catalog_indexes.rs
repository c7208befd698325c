//! An index for Astakos' user catalogs by name. A catalog by name matched `login`, which
//! had no index, so 1 000 names out of 100 000 accounts scanned the table twice, and the
//! catalog of everyone, read a page at a time by login, sorted every account for every
//! page. With `(login, uuid)` both read the index alone, the pages as ranges of it. (A
//! catalog by uuid already has the unique index on `uuid`; SQLite's planner keeps that
//! one even beside a covering `(uuid, login)`, so none is added for it.)

use sea_orm_migration::prelude::*;

use crate::entity::account;

/// Adds `accounts_login_uuid`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_catalog_indexes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("accounts_login_uuid")
                    .table(account::Entity)
                    .col(account::Column::Login)
                    .col(account::Column::Uuid)
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("accounts_login_uuid").table(account::Entity).to_owned()).await
    }
}
