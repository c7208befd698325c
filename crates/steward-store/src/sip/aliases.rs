//! Aliases' rows: an address leading to a SIP account.

use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::ConnectionTrait;
use steward_model::sip::{Glob, SipAddress, SipAlias};
use time::OffsetDateTime;

use super::{address_in, at_address, corrupt, matches};
use crate::{Store, StoreError, WriteTx, stored_time};

fn alias_row(row: &sea_orm::QueryResult) -> Result<SipAlias, StoreError> {
    Ok(SipAlias { alias: address_in(row, "alias_username", "alias_domain")?, destination: address_in(row, "username", "domain")? })
}

fn aliases_select() -> SelectStatement {
    Query::select()
        .columns(["alias_username", "alias_domain", "username", "domain"])
        .from("sip_aliases")
        .order_by("alias_domain", sea_orm::Order::Asc)
        .order_by("alias_username", sea_orm::Order::Asc)
        .take()
}

fn alias_select(alias: &SipAddress) -> SelectStatement {
    let mut select = aliases_select();
    select
        .and_where(Expr::col("alias_username").eq(alias.user.as_str()))
        .and_where(Expr::col("alias_domain").eq(alias.domain.as_str()));
    select
}

async fn aliases_to_in<C: ConnectionTrait>(db: &C, destination: &SipAddress) -> Result<Vec<SipAddress>, StoreError> {
    let mut select = aliases_select();
    at_address(&mut select, destination);
    db.query_all(&select).await?.iter().map(|row| address_in(row, "alias_username", "alias_domain")).collect()
}

impl Store {
    /// Every alias matching `search` (over `alias@domain`), by alias.
    pub async fn sip_aliases(&self, search: Option<&Glob>) -> Result<Vec<SipAlias>, StoreError> {
        let mut select = aliases_select();
        if let Some(glob) = search {
            select.and_where(matches(Expr::cust("alias_username || '@' || alias_domain"), glob));
        }
        self.db.query_all(&select).await?.iter().map(alias_row).collect()
    }

    /// The alias at `alias`.
    pub async fn sip_alias(&self, alias: &SipAddress) -> Result<Option<SipAlias>, StoreError> {
        self.db.query_one(&alias_select(alias)).await?.as_ref().map(alias_row).transpose()
    }

    /// The aliases leading to `destination`, by alias.
    pub async fn sip_aliases_to(&self, destination: &SipAddress) -> Result<Vec<SipAddress>, StoreError> {
        aliases_to_in(&self.db, destination).await
    }
}

impl WriteTx {
    /// The alias at `alias`, read in this transaction.
    pub async fn sip_alias(&self, alias: &SipAddress) -> Result<Option<SipAlias>, StoreError> {
        self.tx.query_one(&alias_select(alias)).await?.as_ref().map(alias_row).transpose()
    }

    /// The aliases leading to `destination`, read in this transaction.
    pub async fn sip_aliases_to(&self, destination: &SipAddress) -> Result<Vec<SipAddress>, StoreError> {
        aliases_to_in(&self.tx, destination).await
    }

    /// Adds an alias (the caller checked it is new: a duplicate is a `Conflict`).
    pub async fn insert_sip_alias(&self, alias: &SipAddress, destination: &SipAddress, at: OffsetDateTime) -> Result<(), StoreError> {
        let insert = Query::insert()
            .into_table("sip_aliases")
            .columns(["alias_username", "alias_domain", "username", "domain", "created_at"])
            .values([
                alias.user.as_str().into(),
                alias.domain.as_str().into(),
                destination.user.as_str().into(),
                destination.domain.as_str().into(),
                stored_time(at).into(),
            ])
            .map_err(corrupt)?
            .take();
        self.tx.execute(&insert).await?;
        Ok(())
    }

    /// Removes an alias; `false` if there was none.
    pub async fn delete_sip_alias(&self, alias: &SipAddress) -> Result<bool, StoreError> {
        let delete = Query::delete()
            .from_table("sip_aliases")
            .and_where(Expr::col("alias_username").eq(alias.user.as_str()))
            .and_where(Expr::col("alias_domain").eq(alias.domain.as_str()))
            .take();
        Ok(self.tx.execute(&delete).await?.rows_affected() > 0)
    }
}
