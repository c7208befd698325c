//! SIP passwords are sealed at rest (see `sealing`): a sealed 64-character password is
//! some 210 characters, so the column leaves its 64-character bound. SQLite does not
//! enforce lengths; only PostgreSQL's column changes. The values themselves are sealed by
//! `Store::seal_secrets`, which needs the data key a migration does not have.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::entity::sip_user;

/// Widens `sip_users.password`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0011_sealed_sip_passwords"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        manager
            .alter_table(
                Table::alter()
                    .table(sip_user::Entity)
                    .modify_column(ColumnDef::new(sip_user::Column::Password).text().not_null())
                    .take(),
            )
            .await
    }
}
