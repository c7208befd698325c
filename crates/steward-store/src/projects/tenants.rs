//! Tenant databases' rows: templates and the databases cloned from them.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use steward_model::projects::{DatabaseName, TenantDatabase, TenantEngine, TenantStatus};
use time::OffsetDateTime;

use crate::entity::{project, tenant_database};
use crate::{Store, StoreError, WriteTx, stored_time};

/// A stored database name read back.
pub(super) fn database_name(raw: &str) -> Result<DatabaseName, StoreError> {
    DatabaseName::parse(raw).map_err(|cause| StoreError::unreadable(format!("tenant database name {raw}"), cause))
}

fn tenant_of(row: tenant_database::Model) -> Result<TenantDatabase, StoreError> {
    Ok(TenantDatabase {
        id: row.id,
        name: database_name(&row.name)?,
        template: row.template,
        engine: TenantEngine::parse(&row.engine)
            .ok_or_else(|| StoreError::Corrupt(format!("tenant database {}: engine {}", row.name, row.engine)))?,
        status: TenantStatus::parse(&row.status)
            .ok_or_else(|| StoreError::Corrupt(format!("tenant database {}: status {}", row.name, row.status)))?,
        failure: row.failure,
        created_at: row.created_at,
    })
}

async fn named(db: &impl ConnectionTrait, name: &DatabaseName) -> Result<Option<TenantDatabase>, StoreError> {
    let row = tenant_database::Entity::find().filter(tenant_database::Column::Name.eq(name.as_str())).one(db).await?;
    row.map(tenant_of).transpose()
}

impl Store {
    /// Every tenant database and template, by name.
    pub async fn tenant_databases(&self) -> Result<Vec<TenantDatabase>, StoreError> {
        let rows = tenant_database::Entity::find().order_by_asc(tenant_database::Column::Name).all(&self.db).await?;
        rows.into_iter().map(tenant_of).collect()
    }

    /// The tenant database `name`.
    pub async fn tenant_database(&self, name: &DatabaseName) -> Result<Option<TenantDatabase>, StoreError> {
        named(&self.db, name).await
    }

    /// Records, in a transaction of its own, where the database `id` is in its life (the
    /// worker's word on a clone).
    pub async fn record_tenant_status(&self, id: i64, status: TenantStatus, failure: Option<String>, now: OffsetDateTime) -> Result<(), StoreError> {
        let write = self.write().await?;
        write.set_tenant_status(id, status, failure, now).await?;
        write.commit().await
    }
}

impl WriteTx {
    /// The tenant database `name`, read in this transaction.
    pub async fn tenant_database(&self, name: &DatabaseName) -> Result<Option<TenantDatabase>, StoreError> {
        named(&self.tx, name).await
    }

    /// Inserts a tenant database row. A taken name is [`StoreError::Conflict`].
    pub async fn insert_tenant_database(
        &self,
        name: &DatabaseName,
        template: bool,
        engine: TenantEngine,
        status: TenantStatus,
        now: OffsetDateTime,
    ) -> Result<TenantDatabase, StoreError> {
        let now = stored_time(now);
        let row = tenant_database::ActiveModel {
            name: Set(name.as_str().to_owned()),
            template: Set(template),
            engine: Set(engine.as_str().to_owned()),
            status: Set(status.as_str().to_owned()),
            failure: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&self.tx)
        .await?;
        tenant_of(row)
    }

    /// Records where the database `id` is in its life, and why it failed if it did.
    pub async fn set_tenant_status(&self, id: i64, status: TenantStatus, failure: Option<String>, now: OffsetDateTime) -> Result<(), StoreError> {
        tenant_database::ActiveModel {
            id: Set(id),
            status: Set(status.as_str().to_owned()),
            failure: Set(failure),
            updated_at: Set(stored_time(now)),
            ..Default::default()
        }
        .update(&self.tx)
        .await?;
        Ok(())
    }

    /// How many projects live in the database `id`.
    pub async fn database_project_count(&self, id: i64) -> Result<u64, StoreError> {
        Ok(project::Entity::find().filter(project::Column::TenantDatabaseId.eq(id)).count(&self.tx).await?)
    }

    /// Deletes the row of the database `id` (its projects must be gone).
    pub async fn delete_tenant_database(&self, id: i64) -> Result<(), StoreError> {
        tenant_database::Entity::delete_by_id(id).exec(&self.tx).await?;
        Ok(())
    }
}
