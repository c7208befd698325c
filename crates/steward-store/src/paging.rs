//! Cheap pages of an owner's plain list (no filter, id order): the total comes from the
//! trigger-kept `owner_row_counts` instead of a `COUNT(*)`, and a deep page starts from a
//! remembered id instead of an `OFFSET` walk over every row before it. The positions are
//! taken once per `version` of the owner's rows, which the triggers bump on every insert,
//! delete or move, so a page never starts from a stale one.

use std::collections::HashMap;
use std::sync::Mutex;

use sea_orm::sea_query::{Expr, ExprTrait, Func, Order, Query, SelectStatement, WindowStatement};
use sea_orm::ConnectionTrait;
use steward_model::AccountId;

use crate::entity::owner_row_count;
use crate::error::read;
use crate::filter::{Fields, Owner};
use crate::migration::m0005_owner_row_counts::COUNTED;
use crate::{Store, StoreError};

/// One remembered position every this many rows: a page starts at most this many rows past
/// its anchor (a short walk), and 100 000 rows keep 391 ids.
const STRIDE: u64 = 256;

/// Owners whose positions are kept per table before the cache starts again from empty.
const MAX_OWNERS: usize = 4096;

/// An owner's row count and the version of its rows' order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OwnerRows {
    pub(crate) count: u64,
    version: i64,
}

/// Every [`STRIDE`]th id of an owner's rows, as of one version.
#[derive(Debug)]
struct Positions {
    version: i64,
    ids: Vec<i64>,
}

/// The remembered positions of every owner's lists in this process.
#[derive(Debug, Default)]
pub(crate) struct PositionCache {
    positions: Mutex<HashMap<(&'static str, i64), Positions>>,
}

impl PositionCache {
    fn get(&self, table: &'static str, owner: AccountId, version: i64, index: usize) -> Option<Option<i64>> {
        let positions = self.positions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let found = positions.get(&(table, owner.0)).filter(|found| found.version == version)?;
        Some(found.ids.get(index).copied())
    }

    fn put(&self, table: &'static str, owner: AccountId, version: i64, ids: Vec<i64>) {
        let mut positions = self.positions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if positions.len() >= MAX_OWNERS {
            positions.clear();
        }
        positions.insert((table, owner.0), Positions { version, ids });
    }
}

/// Whether `fields`' table has its rows counted per owner (by its own owner column, the
/// `admin_id` the triggers count by): the name the counts are kept under.
pub(crate) fn is_counted(fields: &Fields) -> Option<&'static str> {
    let table = fields.table.name();
    match fields.owner {
        Owner::Column(_) => COUNTED.iter().copied().find(|counted| *counted == table),
        Owner::Parent { .. } => None,
    }
}

impl Store {
    /// `owner`'s row count in a counted table, and its version.
    pub(crate) async fn owner_rows(&self, table: &'static str, owner: AccountId) -> Result<OwnerRows, StoreError> {
        let select = Query::select()
            .columns([owner_row_count::Column::RowCount, owner_row_count::Column::Version])
            .from(owner_row_count::Entity)
            .and_where(Expr::col(owner_row_count::Column::TableName).eq(table))
            .and_where(Expr::col(owner_row_count::Column::OwnerId).eq(owner.0))
            .take();
        let Some(row) = self.db.query_one(&select).await? else {
            return Ok(OwnerRows { count: 0, version: 0 });
        };
        let count: i64 = read(&row, owner_row_count::Column::RowCount)?;
        Ok(OwnerRows { count: u64::try_from(count).unwrap_or(0), version: read(&row, owner_row_count::Column::Version)? })
    }

    /// Narrows `select` (an owner's rows of `fields`' table, counted as `table`, in id order)
    /// to start `offset` rows in, from the nearest remembered position: returns the `OFFSET`
    /// that remains.
    pub(crate) async fn seek(
        &self,
        select: &mut SelectStatement,
        fields: &Fields,
        table: &'static str,
        owner: AccountId,
        rows: OwnerRows,
        offset: u64,
    ) -> Result<u64, StoreError> {
        if offset < STRIDE || offset >= rows.count {
            return Ok(offset);
        }
        let index = usize::try_from(offset / STRIDE).unwrap_or(usize::MAX);
        let anchor = match self.positions.get(table, owner, rows.version, index) {
            Some(anchor) => anchor,
            None => {
                let ids = self.positions_of(fields, owner).await?;
                let anchor = ids.get(index).copied();
                self.positions.put(table, owner, rows.version, ids);
                anchor
            }
        };
        let Some(anchor) = anchor else {
            return Ok(offset);
        };
        select.and_where(fields.primary_key.qualified().gte(anchor));
        Ok(offset % STRIDE)
    }

    /// Every [`STRIDE`]th id of `owner`'s rows in `fields`' table, in one pass over its index.
    async fn positions_of(&self, fields: &Fields, owner: AccountId) -> Result<Vec<i64>, StoreError> {
        let id = fields.primary_key.name();
        let mut numbered = Query::select()
            .column(id)
            .expr_window_as(Func::cust("ROW_NUMBER"), WindowStatement::new().order_by(id, Order::Asc).take(), "position")
            .from(fields.table.name())
            .take();
        numbered.and_where(fields.owner.condition(owner.0));
        let stride = i64::try_from(STRIDE).unwrap_or(i64::MAX);
        let select = Query::select()
            .column(id)
            .from_subquery(numbered, "numbered")
            .and_where(Expr::col("position").sub(1).modulo(stride).eq(0))
            .order_by(id, Order::Asc)
            .take();
        self.db.query_all(&select).await?.iter().map(|row| read(row, id)).collect()
    }
}
