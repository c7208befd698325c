//! Janua's SMS log: what was queued, sent, delivered or received, and the sums of parts
//! quotas and statistics are made of.

use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::ConnectionTrait;
use steward_model::AccountId;
use time::OffsetDateTime;

use crate::{Store, StoreError, stored_time};

/// The statuses that count as sent: 0 sent, 1 delivered, 2 unknown. Steward also counts 5
/// (queued in the outbox), so a burst of requests cannot overrun a quota before the worker
/// catches up.
pub const COUNTED_STATUSES: [i32; 4] = [0, 1, 2, 5];

impl Store {
    /// The sum of `number_of_slices` of counted SMS in `[from, to)`, of one sender or of all.
    pub async fn sms_parts(&self, sender: Option<AccountId>, from: OffsetDateTime, to: OffsetDateTime) -> Result<u64, StoreError> {
        let sum: Expr = Func::sum(Expr::col("number_of_slices")).into();
        let mut select = Query::select()
            .expr_as(Func::coalesce([sum, Expr::val(0)]), "parts")
            .from("janua_sms")
            .and_where(Expr::col("status").is_in(COUNTED_STATUSES))
            .and_where(Expr::col("date_time").gte(stored_time(from)))
            .and_where(Expr::col("date_time").lt(stored_time(to)))
            .take();
        if let Some(sender) = sender {
            select.and_where(Expr::col("admin_id").eq(sender.0));
        }
        let row = self.db.query_one(&select).await?;
        let parts: i64 = match row {
            Some(row) => row.try_get("", "parts").map_err(|error| StoreError::Corrupt(error.to_string()))?,
            None => 0,
        };
        Ok(u64::try_from(parts).unwrap_or(0))
    }
}
