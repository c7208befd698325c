//! Service principals (Astakos' services), each with one current token.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use steward_model::Service;
use time::OffsetDateTime;

use crate::entity::service;
use crate::identity::tokens::to_service;
use crate::{Store, StoreError, WriteTx, stored_time};

impl Store {
    /// The service called `name`.
    pub async fn service_by_name(&self, name: &str) -> Result<Option<Service>, StoreError> {
        let row = service::Entity::find().filter(service::Column::Name.eq(name)).one(&self.db).await?;
        Ok(row.map(to_service))
    }

    /// Every service, by name.
    pub async fn services(&self) -> Result<Vec<Service>, StoreError> {
        let rows = service::Entity::find().order_by_asc(service::Column::Name).all(&self.db).await?;
        Ok(rows.into_iter().map(to_service).collect())
    }
}

impl WriteTx {
    /// Registers a service with its first token. A taken name is [`StoreError::Conflict`].
    pub async fn insert_service(
        &self,
        name: &str,
        url: &str,
        token_hash: String,
        now: OffsetDateTime,
        expires_at: Option<OffsetDateTime>,
    ) -> Result<Service, StoreError> {
        let row = service::ActiveModel {
            name: Set(name.to_owned()),
            url: Set(url.to_owned()),
            token_hash: Set(token_hash),
            token_created_at: Set(stored_time(now)),
            token_expires_at: Set(expires_at.map(stored_time)),
            created_at: Set(stored_time(now)),
            ..Default::default()
        }
        .insert(&self.tx)
        .await?;
        Ok(to_service(row))
    }

    /// Replaces a service's token; the old one stops working at once.
    pub async fn replace_service_token(
        &self,
        name: &str,
        token_hash: String,
        now: OffsetDateTime,
        expires_at: Option<OffsetDateTime>,
    ) -> Result<(), StoreError> {
        let update = service::ActiveModel {
            token_hash: Set(token_hash),
            token_created_at: Set(stored_time(now)),
            token_expires_at: Set(expires_at.map(stored_time)),
            ..Default::default()
        };
        let result = service::Entity::update_many()
            .set(update)
            .filter(service::Column::Name.eq(name))
            .exec(&self.tx)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
