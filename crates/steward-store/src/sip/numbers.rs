//! The number pool's rows.

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::ConnectionTrait;
use steward_model::E164;
use steward_model::sip::Glob;

use super::{corrupt, matches};
use crate::{Store, StoreError, WriteTx};

fn number_of(row: &sea_orm::QueryResult) -> Result<E164, StoreError> {
    E164::parse(&row.try_get::<String>("", "number").map_err(corrupt)?).map_err(corrupt)
}

impl Store {
    /// The pool's numbers matching `search`, ascending as text.
    pub async fn sip_numbers(&self, search: Option<&Glob>) -> Result<Vec<E164>, StoreError> {
        let mut select = Query::select().column("number").from("sip_numbers").order_by("number", sea_orm::Order::Asc).take();
        if let Some(glob) = search {
            select.and_where(matches(Expr::col("number"), glob));
        }
        self.db.query_all(&select).await?.iter().map(number_of).collect()
    }

    /// Whether `number` is in the pool.
    pub async fn sip_number_in_pool(&self, number: &E164) -> Result<bool, StoreError> {
        let select = Query::select().expr(Expr::val(1)).from("sip_numbers").and_where(Expr::col("number").eq(number.as_str())).take();
        Ok(self.db.query_one(&select).await?.is_some())
    }

    /// Every alias user part that is an E.164 number (numbers in use).
    pub async fn sip_aliased_numbers(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let select = Query::select().column("alias_username").from("sip_aliases").and_where(Expr::col("alias_username").like("+%")).take();
        self.db.query_all(&select).await?.iter().map(|row| row.try_get::<String>("", "alias_username").map_err(corrupt)).collect()
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
            let mut insert = Query::insert().into_table("sip_numbers").columns(["number"]).take();
            for number in chunk {
                insert.values([number.as_str().into()]).map_err(corrupt)?;
            }
            insert.on_conflict(sea_orm::sea_query::OnConflict::column("number").do_nothing().to_owned());
            added += self.tx.execute(&insert).await?.rows_affected();
        }
        Ok(added)
    }

    /// Takes `number` out of the pool; `false` if it was not there.
    pub async fn delete_sip_number(&self, number: &E164) -> Result<bool, StoreError> {
        let delete = Query::delete().from_table("sip_numbers").and_where(Expr::col("number").eq(number.as_str())).take();
        Ok(self.tx.execute(&delete).await?.rows_affected() > 0)
    }

    /// Whether `number` is the user part of an alias.
    pub async fn sip_number_aliased(&self, number: &E164) -> Result<bool, StoreError> {
        let select = Query::select().expr(Expr::val(1)).from("sip_aliases").and_where(Expr::col("alias_username").eq(number.as_str())).take();
        Ok(self.tx.query_one(&select).await?.is_some())
    }
}
