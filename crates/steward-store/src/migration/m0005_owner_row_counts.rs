//! How many contacts and groups each owner has, kept by the database itself. A Janua list
//! shows `num_results` on every page, and counting an owner's 100 000 contacts cost 7 ms per
//! page. Triggers keep `owner_row_counts` right whoever writes (Steward, another instance,
//! an operator's SQL), and bump `version` whenever the rows' order could change, so pages
//! can start from remembered positions instead of walking an `OFFSET`.
//!
//! Triggers are the one place the schema is spelled per backend: sea-query has no builder
//! for them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use super::cascade;
use crate::entity::{account, owner_row_count};

/// Creates `owner_row_counts`, fills it, and installs its triggers.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_owner_row_counts"
    }
}

/// The tables counted per owner (`admin_id`).
pub const COUNTED: [&str; 2] = ["janua_contacts", "janua_groups"];

fn sqlite_triggers(table: &str) -> [String; 3] {
    let add = |row: &str| {
        format!(
            "INSERT INTO owner_row_counts (table_name, owner_id, row_count, version) VALUES ('{table}', {row}.admin_id, 1, 1) \
             ON CONFLICT (table_name, owner_id) DO UPDATE SET row_count = row_count + 1, version = version + 1;"
        )
    };
    let remove = |row: &str| {
        format!(
            "UPDATE owner_row_counts SET row_count = row_count - 1, version = version + 1 \
             WHERE table_name = '{table}' AND owner_id = {row}.admin_id;"
        )
    };
    let (add_new, remove_old) = (add("NEW"), remove("OLD"));
    [
        format!("CREATE TRIGGER {table}_counted_insert AFTER INSERT ON {table} BEGIN {add_new} END"),
        format!("CREATE TRIGGER {table}_counted_delete AFTER DELETE ON {table} BEGIN {remove_old} END"),
        format!(
            "CREATE TRIGGER {table}_counted_update AFTER UPDATE OF admin_id, id ON {table} BEGIN {remove_old} {add_new} END"
        ),
    ]
}

const POSTGRES_FUNCTION: &str = "
CREATE FUNCTION steward_count_owned_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE owner_row_counts SET row_count = row_count - 1, version = version + 1
        WHERE table_name = TG_TABLE_NAME AND owner_id = OLD.admin_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO owner_row_counts (table_name, owner_id, row_count, version) VALUES (TG_TABLE_NAME, NEW.admin_id, 1, 1)
        ON CONFLICT (table_name, owner_id)
        DO UPDATE SET row_count = owner_row_counts.row_count + 1, version = owner_row_counts.version + 1;
    END IF;
    RETURN NULL;
END
$$;";

fn postgres_trigger(table: &str) -> String {
    format!(
        "CREATE TRIGGER {table}_counted AFTER INSERT OR DELETE OR UPDATE OF admin_id, id ON {table} \
         FOR EACH ROW EXECUTE FUNCTION steward_count_owned_rows();"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(owner_row_count::Entity)
                    .col(string(owner_row_count::Column::TableName))
                    .col(big_integer(owner_row_count::Column::OwnerId))
                    .col(big_integer(owner_row_count::Column::RowCount))
                    .col(big_integer(owner_row_count::Column::Version))
                    .primary_key(
                        Index::create().col(owner_row_count::Column::TableName).col(owner_row_count::Column::OwnerId),
                    )
                    .foreign_key(&mut cascade(owner_row_count::Column::OwnerId, account::Column::Id))
                    .take(),
            )
            .await?;
        let db = manager.get_connection();
        for table in COUNTED {
            db.execute_unprepared(&format!(
                "INSERT INTO owner_row_counts (table_name, owner_id, row_count, version) \
                 SELECT '{table}', admin_id, COUNT(*), 1 FROM {table} GROUP BY admin_id"
            ))
            .await?;
        }
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(POSTGRES_FUNCTION).await?;
                for table in COUNTED {
                    db.execute_unprepared(&postgres_trigger(table)).await?;
                }
            }
            _ => {
                for statement in COUNTED.iter().flat_map(|table| sqlite_triggers(table)) {
                    db.execute_unprepared(&statement).await?;
                }
            }
        }
        Ok(())
    }
}
