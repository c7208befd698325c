//! Task tokens, found by the SHA-256 of what a user presents and listed to admins with
//! their task's type.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use steward_model::filter::Search;
use steward_model::workflow::{TaskToken, TaskType, TokenLife};
use time::OffsetDateTime;

use super::fields::TOKEN_FIELDS;
use crate::entity::{workflow_task as task, workflow_token as token};
use crate::filter;
use crate::sealing::{Keyring, Place};
use crate::{Store, StoreError, WriteTx, stored_time};

/// A task token with its stored hash, for a constant-time comparison with the presented one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskTokenRecord {
    /// The stored SHA-256 of the token.
    pub token_hash: String,
    /// The token.
    pub token: TaskToken,
}

impl Store {
    /// The tokens `search` matches, newest first; expired ones only when `with_expired`.
    pub async fn task_tokens(&self, search: &Search, with_expired: bool, now: OffsetDateTime) -> Result<Vec<TaskToken>, StoreError> {
        let condition = filter::condition(search, &TOKEN_FIELDS, self.backend, &self.local_zone)?;
        let mut select = token::Entity::find().filter(condition);
        if !with_expired {
            select = select.filter(token::Column::Expires.gt(stored_time(now)));
        }
        let rows = select
            .find_also_related(task::Entity)
            .order_by_desc(token::Column::CreatedOn)
            .order_by_desc(token::Column::Id)
            .all(&self.db)
            .await?;
        let keys = self.keys()?;
        rows.into_iter().map(|(row, task)| to_token(keys, row, task).map(|record| record.token)).collect()
    }

    /// The token whose hash is `token_hash`, expired or not.
    pub async fn task_token(&self, token_hash: &str) -> Result<Option<TaskTokenRecord>, StoreError> {
        token_hashed(&self.db, self.keys()?, token_hash).await
    }
}

impl WriteTx {
    /// The token whose hash is `token_hash`, read inside this transaction.
    pub async fn task_token(&self, token_hash: &str) -> Result<Option<TaskTokenRecord>, StoreError> {
        token_hashed(&self.tx, self.keys()?, token_hash).await
    }

    /// Stores a new token of task `task_uuid`.
    pub async fn insert_task_token(&self, token_hash: String, token: &str, task_uuid: &str, life: TokenLife) -> Result<(), StoreError> {
        token::ActiveModel {
            token_hash: Set(token_hash),
            token: Set(self.keys()?.seal(Place::TaskToken, token)?),
            task_uuid: Set(task_uuid.to_owned()),
            created_on: Set(stored_time(life.created_on)),
            expires: Set(stored_time(life.expires)),
            ..Default::default()
        }
        .insert(&self.tx)
        .await?;
        Ok(())
    }

    /// Deletes every token of task `task_uuid`; returns how many.
    pub async fn delete_task_tokens(&self, task_uuid: &str) -> Result<u64, StoreError> {
        Ok(token::Entity::delete_many().filter(token::Column::TaskUuid.eq(task_uuid)).exec(&self.tx).await?.rows_affected)
    }

    /// Deletes the token whose hash is `token_hash`; whether there was one.
    pub async fn delete_task_token(&self, token_hash: &str) -> Result<bool, StoreError> {
        Ok(token::Entity::delete_many().filter(token::Column::TokenHash.eq(token_hash)).exec(&self.tx).await?.rows_affected > 0)
    }

    /// Deletes every token expired at `now`; returns how many.
    pub async fn delete_expired_task_tokens(&self, now: OffsetDateTime) -> Result<u64, StoreError> {
        Ok(token::Entity::delete_many().filter(token::Column::Expires.lte(stored_time(now))).exec(&self.tx).await?.rows_affected)
    }
}

async fn token_hashed(db: &impl ConnectionTrait, keys: &Keyring, token_hash: &str) -> Result<Option<TaskTokenRecord>, StoreError> {
    let row = token::Entity::find().filter(token::Column::TokenHash.eq(token_hash)).find_also_related(task::Entity).one(db).await?;
    row.map(|(row, task)| to_token(keys, row, task)).transpose()
}

fn to_token(keys: &Keyring, row: token::Model, task: Option<task::Model>) -> Result<TaskTokenRecord, StoreError> {
    let task_type = task
        .and_then(|task| TaskType::parse(&task.task_type))
        .ok_or_else(|| StoreError::Corrupt(format!("workflow token {}: no task of a known type", row.id)))?;
    Ok(TaskTokenRecord {
        token_hash: row.token_hash,
        token: TaskToken {
            token: keys.open(Place::TaskToken, &row.token)?,
            task: row.task_uuid,
            task_type,
            life: TokenLife { created_on: row.created_on, expires: row.expires },
        },
    })
}
