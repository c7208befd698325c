//! The number pool's rows.

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use steward_model::E164;
use steward_model::sip::Glob;

use super::matches;
use crate::entity::{sip_alias, sip_number};
use crate::{Store, StoreError, WriteTx};

impl Store {
    /// The pool's numbers matching `search`, ascending as text.
    pub async fn sip_numbers(&self, search: Option<&Glob>) -> Result<Vec<E164>, StoreError> {
        let mut select =
            sip_number::Entity::find().select_only().column(sip_number::Column::Number).order_by_asc(sip_number::Column::Number);
        if let Some(glob) = search {
            select = select.filter(matches(Expr::col(sip_number::Column::Number), glob));
        }
        let numbers: Vec<String> = select.into_tuple().all(&self.db).await?;
        numbers
            .iter()
            .map(|number| E164::parse(number).map_err(|cause| StoreError::unreadable(format!("pool number {number}"), cause)))
            .collect()
    }

    /// Whether `number` is in the pool.
    pub async fn sip_number_in_pool(&self, number: &E164) -> Result<bool, StoreError> {
        let select = Query::select()
            .expr(Expr::val(1))
            .from(sip_number::Entity)
            .and_where(Expr::col(sip_number::Column::Number).eq(number.as_str()))
            .take();
        Ok(self.db.query_one(&select).await?.is_some())
    }

    /// Every alias user part that is an E.164 number (numbers in use).
    pub async fn sip_aliased_numbers(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let numbers: Vec<String> = sip_alias::Entity::find()
            .select_only()
            .column(sip_alias::Column::AliasUsername)
            .filter(sip_alias::Column::AliasUsername.like("+%"))
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(numbers.into_iter().collect())
    }
}

impl WriteTx {
    /// Adds `number` to the pool; `false` if it was there already.
    pub async fn insert_sip_number(&self, number: &E164) -> Result<bool, StoreError> {
        Ok(self.insert_sip_numbers(std::slice::from_ref(number)).await? == 1)
    }

    /// Adds `numbers` to the pool in multi-row statements, skipping those already there;
    /// returns how many were added.
    pub async fn insert_sip_numbers(&self, numbers: &[E164]) -> Result<u64, StoreError> {
        let mut added = 0;
        for chunk in numbers.chunks(crate::outbox::BATCH_ROWS) {
            let rows = chunk
                .iter()
                .map(|number| sip_number::ActiveModel { number: Set(number.as_str().to_owned()), ..Default::default() });
            added += sip_number::Entity::insert_many(rows)
                .on_conflict(OnConflict::column(sip_number::Column::Number).do_nothing().to_owned())
                .exec_without_returning(&self.tx)
                .await?;
        }
        Ok(added)
    }

    /// Takes `number` out of the pool; `false` if it was not there.
    pub async fn delete_sip_number(&self, number: &E164) -> Result<bool, StoreError> {
        let result =
            sip_number::Entity::delete_many().filter(sip_number::Column::Number.eq(number.as_str())).exec(&self.tx).await?;
        Ok(result.rows_affected > 0)
    }

    /// Whether `number` is the user part of an alias.
    pub async fn sip_number_aliased(&self, number: &E164) -> Result<bool, StoreError> {
        let select = Query::select()
            .expr(Expr::val(1))
            .from(sip_alias::Entity)
            .and_where(Expr::col(sip_alias::Column::AliasUsername).eq(number.as_str()))
            .take();
        Ok(self.tx.query_one(&select).await?.is_some())
    }
}
