//! Projects, shared by dRofus, Adjutant and the CLI: owners, project types, tenant
//! databases, projects, memberships (dRofus' rights as columns, Adjutant's roles as rows),
//! and the logins that carried a project. Accounts gain given and family names (dRofus'
//! `first_name`/`last_name`), and tokens the project they were scoped to, so kicking a
//! database's users finds their tokens.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{cascade, references, unique};
use crate::entity::{account, login_event, membership, membership_role, owner, project, project_type, tenant_database, token};

/// Creates the projects' tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0008_projects"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(account::Entity).add_column(string_null(account::Column::GivenName)).take())
            .await?;
        manager
            .alter_table(Table::alter().table(account::Entity).add_column(string_null(account::Column::FamilyName)).take())
            .await?;
        // No foreign key: SQLite cannot add one to an existing table. A project's tokens are
        // revoked before the project goes, and a dangling id only ever fails to match.
        manager
            .alter_table(Table::alter().table(token::Entity).add_column(big_integer_null(token::Column::ProjectId)).take())
            .await?;
        manager
            .create_index(Index::create().name("tokens_project").table(token::Entity).col(token::Column::ProjectId).take())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(owner::Entity)
                    .col(big_pk_auto(owner::Column::Id))
                    .col(string(owner::Column::Name))
                    // Lower-cased name: owners' names are unique whatever their case.
                    .col(string_uniq(owner::Column::NameKey))
                    .col(string_null(owner::Column::Address))
                    .col(string_null(owner::Column::BillingAddress))
                    .col(string_null(owner::Column::Contact))
                    .col(string_null(owner::Column::Image))
                    .col(string_null(owner::Column::Network))
                    .col(string_null(owner::Column::Note))
                    .col(string_null(owner::Column::TechContact))
                    .col(timestamp_with_time_zone(owner::Column::CreatedAt))
                    .col(timestamp_with_time_zone(owner::Column::UpdatedAt))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(project_type::Entity)
                    .col(big_pk_auto(project_type::Column::Id))
                    .col(string(project_type::Column::Name))
                    .take(),
            )
            .await?;
        // The one type the notes seed; operators add others with SQL or, later, the CLI.
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(project_type::Entity)
                    .columns([project_type::Column::Id, project_type::Column::Name])
                    .values_panic([1.into(), "Standard".into()])
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(tenant_database::Entity)
                    .col(big_pk_auto(tenant_database::Column::Id))
                    .col(string_len_uniq(tenant_database::Column::Name, 63))
                    .col(boolean(tenant_database::Column::Template))
                    // "sqlite" (a file) or "postgres" (a database on the tenant server).
                    .col(string_len(tenant_database::Column::Engine, 8))
                    // "creating", "ready" or "failed".
                    .col(string_len(tenant_database::Column::Status, 8))
                    .col(text_null(tenant_database::Column::Failure))
                    .col(timestamp_with_time_zone(tenant_database::Column::CreatedAt))
                    .col(timestamp_with_time_zone(tenant_database::Column::UpdatedAt))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(project::Entity)
                    .col(big_pk_auto(project::Column::Id))
                    .col(string(project::Column::Name))
                    .col(string_null(project::Column::Number))
                    .col(text_null(project::Column::Description))
                    .col(boolean(project::Column::Active))
                    .col(big_integer_null(project::Column::OwnerId))
                    .col(big_integer_null(project::Column::TenantDatabaseId))
                    .col(big_integer_null(project::Column::ProjectTypeId))
                    .col(string_null(project::Column::Constructor))
                    .col(string_null(project::Column::Contact))
                    .col(string_null(project::Column::Status))
                    .col(double_null(project::Column::GrossArea))
                    .col(timestamp_with_time_zone(project::Column::CreatedAt))
                    .col(string_null(project::Column::CreatedBy))
                    .col(timestamp_with_time_zone_null(project::Column::UpdatedAt))
                    .col(string_null(project::Column::UpdatedBy))
                    // An owner or a database with projects cannot go (dRofus' 422s).
                    .foreign_key(&mut references(project::Column::OwnerId, owner::Column::Id, ForeignKeyAction::Restrict))
                    .foreign_key(&mut references(
                        project::Column::TenantDatabaseId,
                        tenant_database::Column::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut references(
                        project::Column::ProjectTypeId,
                        project_type::Column::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        for (name, column) in [
            ("projects_owner", project::Column::OwnerId),
            ("projects_tenant_database", project::Column::TenantDatabaseId),
        ] {
            manager.create_index(Index::create().name(name).table(project::Entity).col(column).take()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(membership::Entity)
                    .col(big_pk_auto(membership::Column::Id))
                    .col(big_integer(membership::Column::AccountId))
                    .col(big_integer(membership::Column::ProjectId))
                    .col(string_null(membership::Column::Role))
                    .col(integer_null(membership::Column::UserRoleId))
                    .col(boolean_null(membership::Column::Superuser))
                    .col(integer_null(membership::Column::RoomRights))
                    .col(integer_null(membership::Column::EquipmentRights))
                    .col(integer_null(membership::Column::TenderRights))
                    .col(integer_null(membership::Column::ConsignationRights))
                    .col(integer_null(membership::Column::SystemRights))
                    .col(integer_null(membership::Column::ModelstoreRights))
                    .col(integer_null(membership::Column::RoomSurfaceTreatmentRights))
                    .col(boolean_null(membership::Column::AddonAdmin))
                    .col(boolean_null(membership::Column::NoWebAdminAccess))
                    .col(boolean_null(membership::Column::HidePrice))
                    .col(boolean(membership::Column::Disabled))
                    .col(timestamp_with_time_zone(membership::Column::CreatedAt))
                    .col(timestamp_with_time_zone(membership::Column::UpdatedAt))
                    .foreign_key(&mut cascade(membership::Column::AccountId, account::Column::Id))
                    .foreign_key(&mut cascade(membership::Column::ProjectId, project::Column::Id))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique(
                "memberships_pair",
                membership::Entity,
                [membership::Column::AccountId, membership::Column::ProjectId],
            ))
            .await?;
        manager
            .create_index(
                Index::create().name("memberships_project").table(membership::Entity).col(membership::Column::ProjectId).take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(membership_role::Entity)
                    .col(big_integer(membership_role::Column::MembershipId))
                    .col(string(membership_role::Column::Role))
                    .primary_key(
                        Index::create().col(membership_role::Column::MembershipId).col(membership_role::Column::Role),
                    )
                    .foreign_key(&mut cascade(membership_role::Column::MembershipId, membership::Column::Id))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(login_event::Entity)
                    .col(big_pk_auto(login_event::Column::Id))
                    .col(big_integer(login_event::Column::AccountId))
                    .col(big_integer(login_event::Column::ProjectId))
                    .col(string_len(login_event::Column::Client, 32))
                    .col(timestamp_with_time_zone(login_event::Column::At))
                    .foreign_key(&mut cascade(login_event::Column::AccountId, account::Column::Id))
                    .foreign_key(&mut cascade(login_event::Column::ProjectId, project::Column::Id))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("login_events_at")
                    .table(login_event::Entity)
                    .col(login_event::Column::At)
                    .col(login_event::Column::ProjectId)
                    .take(),
            )
            .await?;
        Ok(())
    }
}
