//! Published terms; an account has accepted the current terms when it did so after the
//! newest publication.

use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, Set};
use time::OffsetDateTime;

use crate::entity::terms;
use crate::{Store, StoreError, WriteTx, stored_time};

impl Store {
    /// When the current terms were published, or `None` if none ever were.
    pub async fn current_terms_published_at(&self) -> Result<Option<OffsetDateTime>, StoreError> {
        let row = terms::Entity::find().order_by_desc(terms::Column::Id).one(&self.db).await?;
        Ok(row.map(|row| row.published_at))
    }
}

impl WriteTx {
    /// Publishes new terms.
    pub async fn publish_terms(&self, body: String, now: OffsetDateTime) -> Result<(), StoreError> {
        terms::ActiveModel { body: Set(body), published_at: Set(stored_time(now)), ..Default::default() }
            .insert(&self.tx)
            .await?;
        Ok(())
    }
}
