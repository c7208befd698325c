//! The schema's history. One migration list for SQLite and PostgreSQL, written with
//! sea-query builders so no statement is spelled per backend.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ColumnTrait;

mod m0001_foundation;
mod m0002_default_resources;
mod m0003_janua;
mod m0004_sms_usage_index;
pub(crate) mod m0005_owner_row_counts;
mod m0006_hermes;
mod m0007_catalog_indexes;
mod m0008_projects;
mod m0009_password_links;
mod m0010_workflow;
mod m0011_sealed_sip_passwords;

/// `column` references `target`; `on_delete` says what deleting the target does to the row.
fn references<C: ColumnTrait, T: ColumnTrait>(
    column: C,
    target: T,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(C::EntityName::default(), column)
        .to(T::EntityName::default(), target)
        .on_delete(on_delete)
        .take()
}

/// `column` references `target`; deleting the target deletes the row.
fn cascade<C: ColumnTrait, T: ColumnTrait>(column: C, target: T) -> ForeignKeyCreateStatement {
    references(column, target, ForeignKeyAction::Cascade)
}

/// The unique index `name` on `table`'s `columns`.
fn unique<T: IntoIden, C: IntoIden, const N: usize>(
    name: &'static str,
    table: T,
    columns: [C; N],
) -> IndexCreateStatement {
    let mut index = Index::create().name(name).table(table).unique().take();
    for column in columns {
        index.col(column);
    }
    index
}

/// Applies Steward's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(m0002_default_resources::Migration),
            Box::new(m0003_janua::Migration),
            Box::new(m0004_sms_usage_index::Migration),
            Box::new(m0005_owner_row_counts::Migration),
            Box::new(m0006_hermes::Migration),
            Box::new(m0007_catalog_indexes::Migration),
            Box::new(m0008_projects::Migration),
            Box::new(m0009_password_links::Migration),
            Box::new(m0010_workflow::Migration),
            Box::new(m0011_sealed_sip_passwords::Migration),
        ]
    }

    fn migration_table_name() -> DynIden {
        "steward_migrations".into()
    }
}
