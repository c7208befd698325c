//! User tokens and service tokens, looked up by the SHA-256 of what the client presents.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use sea_orm::sea_query::Expr;
use steward_model::{AccountId, Service, ServiceId};
use time::OffsetDateTime;

use crate::entity::{service, token};
use crate::{Store, StoreError, WriteTx, stored_time};

/// What the store knows of a user token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// The stored fingerprint, for a constant-time comparison with the presented one.
    pub token_hash: String,
    /// Whose token it is.
    pub account_id: AccountId,
    /// When it was issued.
    pub created_at: OffsetDateTime,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
    /// When it was revoked, if it was.
    pub revoked_at: Option<OffsetDateTime>,
    /// The project it was opened on, if any.
    pub project: Option<steward_model::projects::ProjectId>,
}

/// What the store knows of a service token: the service it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceTokenRecord {
    /// The stored fingerprint, for a constant-time comparison with the presented one.
    pub token_hash: String,
    /// The service, with its token's expiry.
    pub service: Service,
}

pub(crate) fn to_service(row: service::Model) -> Service {
    Service {
        id: ServiceId(row.id),
        name: row.name,
        url: row.url,
        token_created_at: row.token_created_at,
        token_expires_at: row.token_expires_at,
    }
}

impl Store {
    /// The user token with this hash, revoked or not.
    pub async fn token_by_hash(&self, token_hash: &str) -> Result<Option<TokenRecord>, StoreError> {
        let row = token::Entity::find().filter(token::Column::TokenHash.eq(token_hash)).one(&self.db).await?;
        Ok(row.map(|row| TokenRecord {
            token_hash: row.token_hash,
            account_id: AccountId(row.account_id),
            created_at: row.created_at,
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
            project: row.project_id.map(steward_model::projects::ProjectId),
        }))
    }

    /// Every token of `account`, newest first, with its id (never its hash).
    pub async fn tokens_of(&self, account: AccountId) -> Result<Vec<steward_model::UserToken>, StoreError> {
        let rows = token::Entity::find()
            .filter(token::Column::AccountId.eq(account.0))
            .order_by_desc(token::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| steward_model::UserToken {
                id: row.id,
                created_at: row.created_at,
                expires_at: row.expires_at,
                revoked_at: row.revoked_at,
                project: row.project_id.map(steward_model::projects::ProjectId),
            })
            .collect())
    }

    /// The service whose current token has this hash.
    pub async fn service_by_token_hash(&self, token_hash: &str) -> Result<Option<ServiceTokenRecord>, StoreError> {
        let row = service::Entity::find().filter(service::Column::TokenHash.eq(token_hash)).one(&self.db).await?;
        Ok(row.map(|row| ServiceTokenRecord { token_hash: row.token_hash.clone(), service: to_service(row) }))
    }
}

impl WriteTx {
    /// Stores a new user token's hash, with the project it was opened on, if any.
    pub async fn insert_token(
        &self,
        token_hash: String,
        account: AccountId,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
        project: Option<steward_model::projects::ProjectId>,
    ) -> Result<(), StoreError> {
        token::ActiveModel {
            token_hash: Set(token_hash),
            account_id: Set(account.0),
            project_id: Set(project.map(|project| project.0)),
            created_at: Set(stored_time(now)),
            expires_at: Set(stored_time(expires_at)),
            revoked_at: Set(None),
            ..Default::default()
        }
        .insert(&self.tx)
        .await?;
        Ok(())
    }

    /// Revokes one token; `false` when no live token has this hash.
    pub async fn revoke_token(&self, token_hash: &str, now: OffsetDateTime) -> Result<bool, StoreError> {
        let result = token::Entity::update_many()
            .col_expr(token::Column::RevokedAt, Expr::value(stored_time(now)))
            .filter(token::Column::TokenHash.eq(token_hash))
            .filter(token::Column::RevokedAt.is_null())
            .exec(&self.tx)
            .await?;
        Ok(result.rows_affected > 0)
    }

    /// Revokes the live token with this id: its account and fingerprint, `None` when no live
    /// token has it.
    pub async fn revoke_token_by_id(&self, id: i64, now: OffsetDateTime) -> Result<Option<(AccountId, String)>, StoreError> {
        let Some(row) = token::Entity::find_by_id(id).filter(token::Column::RevokedAt.is_null()).one(&self.tx).await? else {
            return Ok(None);
        };
        self.revoke_token(&row.token_hash, now).await?;
        Ok(Some((AccountId(row.account_id), row.token_hash)))
    }

    /// Revokes every live token of an account but the one with hash `keep`; returns how many.
    pub async fn revoke_account_tokens_except(&self, account: AccountId, keep: Option<&str>, now: OffsetDateTime) -> Result<u64, StoreError> {
        let mut update = token::Entity::update_many()
            .col_expr(token::Column::RevokedAt, Expr::value(stored_time(now)))
            .filter(token::Column::AccountId.eq(account.0))
            .filter(token::Column::RevokedAt.is_null());
        if let Some(keep) = keep {
            update = update.filter(token::Column::TokenHash.ne(keep));
        }
        Ok(update.exec(&self.tx).await?.rows_affected)
    }

    /// Revokes every live token of an account; returns how many.
    pub async fn revoke_account_tokens(&self, account: AccountId, now: OffsetDateTime) -> Result<u64, StoreError> {
        self.revoke_account_tokens_except(account, None, now).await
    }
}
