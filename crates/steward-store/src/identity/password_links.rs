//! Set-password links by the SHA-256 of their secret: written with a welcome mail, taken
//! once.

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use steward_model::AccountId;
use time::OffsetDateTime;

use crate::entity::password_link;
use crate::{StoreError, WriteTx, stored_time};

impl WriteTx {
    /// Stores a new set-password link of `account`, good until `expires_at`.
    pub async fn insert_password_link(&self, token_hash: String, account: AccountId, now: OffsetDateTime, expires_at: OffsetDateTime) -> Result<(), StoreError> {
        password_link::ActiveModel {
            token_hash: Set(token_hash),
            account_id: Set(account.0),
            created_at: Set(stored_time(now)),
            expires_at: Set(stored_time(expires_at)),
            used_at: Set(None),
            ..Default::default()
        }
        .insert(&self.tx)
        .await?;
        Ok(())
    }

    /// Uses the link whose hash is `token_hash`, if it is unused and unexpired at `now`: its
    /// account. A link is used once, even by two requests at the same time.
    pub async fn take_password_link(&self, token_hash: &str, now: OffsetDateTime) -> Result<Option<AccountId>, StoreError> {
        let now = stored_time(now);
        let Some(link) = password_link::Entity::find().filter(password_link::Column::TokenHash.eq(token_hash)).one(&self.tx).await? else {
            return Ok(None);
        };
        let taken = password_link::Entity::update_many()
            .col_expr(password_link::Column::UsedAt, Expr::value(now))
            .filter(password_link::Column::Id.eq(link.id))
            .filter(password_link::Column::UsedAt.is_null())
            .filter(password_link::Column::ExpiresAt.gt(now))
            .exec(&self.tx)
            .await?;
        Ok((taken.rows_affected == 1).then_some(AccountId(link.account_id)))
    }
}
