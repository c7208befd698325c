//! SeaORM entities, one per table; only the store crate sees them. Each matches its table as
//! the migrations create it on both backends (types, lengths, nullability, column-level
//! uniqueness); composite unique indexes live in the migrations only.

pub mod account;
pub mod account_role;
pub mod audit;
pub mod janua_action;
pub mod janua_authorized_group_action;
pub mod janua_authorized_supervisor_action;
pub mod janua_contact;
pub mod janua_contact_group;
pub mod janua_contact_notify_action;
pub mod janua_group;
pub mod janua_profile;
pub mod janua_sms;
pub mod login_event;
pub mod membership;
pub mod membership_role;
pub mod outbox;
pub mod owner;
pub mod owner_row_count;
pub mod password_link;
pub mod project;
pub mod project_type;
pub mod quota_limit;
pub mod resource;
pub mod service;
pub mod setting;
pub mod sip_alias;
pub mod sip_number;
pub mod sip_phone;
pub mod sip_user;
pub mod tenant_database;
pub mod terms;
pub mod token;
pub mod usage;
pub mod workflow_action;
pub mod workflow_notification;
pub mod workflow_task;
pub mod workflow_token;

#[cfg(test)]
mod tests {
    //! Every table the migrations create has an entity, and each entity describes its table
    //! column for column (name, declared type, nullability, primary key) on both backends:
    //! one database is migrated, another gets every table created from its entity, and the
    //! two catalogues must be equal.

    use std::collections::BTreeMap;

    use sea_orm::sea_query::TableCreateStatement;
    use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Schema, Statement};
    use sea_orm_migration::MigratorTrait;

    use super::*;
    use crate::migration::Migrator;

    /// Every entity's `CREATE TABLE`.
    fn every_entity(schema: &Schema) -> Vec<TableCreateStatement> {
        vec![
            schema.create_table_from_entity(account::Entity),
            schema.create_table_from_entity(account_role::Entity),
            schema.create_table_from_entity(audit::Entity),
            schema.create_table_from_entity(janua_action::Entity),
            schema.create_table_from_entity(janua_authorized_group_action::Entity),
            schema.create_table_from_entity(janua_authorized_supervisor_action::Entity),
            schema.create_table_from_entity(janua_contact::Entity),
            schema.create_table_from_entity(janua_contact_group::Entity),
            schema.create_table_from_entity(janua_contact_notify_action::Entity),
            schema.create_table_from_entity(janua_group::Entity),
            schema.create_table_from_entity(janua_profile::Entity),
            schema.create_table_from_entity(janua_sms::Entity),
            schema.create_table_from_entity(login_event::Entity),
            schema.create_table_from_entity(membership::Entity),
            schema.create_table_from_entity(membership_role::Entity),
            schema.create_table_from_entity(outbox::Entity),
            schema.create_table_from_entity(owner::Entity),
            schema.create_table_from_entity(owner_row_count::Entity),
            schema.create_table_from_entity(password_link::Entity),
            schema.create_table_from_entity(project::Entity),
            schema.create_table_from_entity(project_type::Entity),
            schema.create_table_from_entity(quota_limit::Entity),
            schema.create_table_from_entity(resource::Entity),
            schema.create_table_from_entity(service::Entity),
            schema.create_table_from_entity(setting::Entity),
            schema.create_table_from_entity(sip_alias::Entity),
            schema.create_table_from_entity(sip_number::Entity),
            schema.create_table_from_entity(sip_phone::Entity),
            schema.create_table_from_entity(sip_user::Entity),
            schema.create_table_from_entity(tenant_database::Entity),
            schema.create_table_from_entity(terms::Entity),
            schema.create_table_from_entity(token::Entity),
            schema.create_table_from_entity(usage::Entity),
            schema.create_table_from_entity(workflow_action::Entity),
            schema.create_table_from_entity(workflow_notification::Entity),
            schema.create_table_from_entity(workflow_task::Entity),
            schema.create_table_from_entity(workflow_token::Entity),
        ]
    }

    /// Each table's columns in order: name, declared type, nullability, and its place in the
    /// primary key (SQLite) or its default and identity (PostgreSQL).
    type Catalogue = BTreeMap<String, Vec<(String, String, String, String)>>;

    async fn catalogue(db: &DatabaseConnection) -> Catalogue {
        let backend = db.get_database_backend();
        let sql = match backend {
            DbBackend::Sqlite => {
                "SELECT m.name AS table_name, c.name AS column_name, c.type AS data_type, \
                 CAST(c.\"notnull\" AS TEXT) AS nullable, CAST(c.pk AS TEXT) AS key \
                 FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS c \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'steward_migrations' \
                 ORDER BY m.name, c.cid"
            }
            _ => {
                "SELECT table_name::text AS table_name, column_name::text AS column_name, \
                 data_type || COALESCE('(' || character_maximum_length || ')', '') AS data_type, \
                 is_nullable::text AS nullable, COALESCE(column_default, '') || is_identity::text AS key \
                 FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name <> 'steward_migrations' \
                 ORDER BY table_name, ordinal_position"
            }
        };
        let mut tables = Catalogue::new();
        for row in db.query_all_raw(Statement::from_string(backend, sql)).await.unwrap() {
            let text = |column: &str| row.try_get::<String>("", column).unwrap();
            tables.entry(text("table_name")).or_default().push((
                text("column_name"),
                text("data_type"),
                text("nullable"),
                text("key"),
            ));
        }
        tables
    }

    async fn entities_match_migrations(migrated: &DatabaseConnection, from_entities: &DatabaseConnection) {
        Migrator::up(migrated, None).await.unwrap();
        let schema = Schema::new(from_entities.get_database_backend());
        let entities = every_entity(&schema);
        for table in &entities {
            from_entities.execute(table).await.unwrap();
        }
        let mut expected = catalogue(migrated).await;
        if migrated.get_database_backend() == DbBackend::Sqlite {
            // m0011 widened `sip_users.password` to `text` on PostgreSQL only: SQLite cannot
            // change a declared type in place, and does not enforce `varchar(64)` anyway.
            for column in expected.get_mut("sip_users").into_iter().flatten() {
                if column.0 == "password" {
                    column.1 = "TEXT".to_owned();
                }
            }
        }
        assert_eq!(expected.len(), entities.len(), "one entity per table: {:?}", expected.keys());
        assert_eq!(catalogue(from_entities).await, expected);
    }

    #[tokio::test]
    async fn entities_match_the_migrated_schema_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let open = async |name: &str| {
            Database::connect(format!("sqlite://{}/{name}.db?mode=rwc", dir.path().display())).await.unwrap()
        };
        entities_match_migrations(&open("migrated").await, &open("entities").await).await;
    }

    #[tokio::test]
    async fn entities_match_the_migrated_schema_on_postgres() {
        let migrated = crate::testing::PostgresDatabase::create("entity_test");
        let from_entities = crate::testing::PostgresDatabase::create("entity_test");
        entities_match_migrations(
            &Database::connect(migrated.url()).await.unwrap(),
            &Database::connect(from_entities.url()).await.unwrap(),
        )
        .await;
    }
}
