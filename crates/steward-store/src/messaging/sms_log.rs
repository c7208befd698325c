//! Janua's SMS log: what was queued, sent, delivered or received, and the sums of parts
//! quotas and statistics are made of.

use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::ConnectionTrait;
use steward_model::AccountId;
use steward_model::records::SmsLogEntry;
use time::OffsetDateTime;

use crate::filter::ColumnKind;
use crate::{Store, StoreError, stored_time};

/// The statuses that count as sent: 0 sent, 1 delivered, 2 unknown. Steward also counts 5
/// (queued in the outbox), so a burst of requests cannot overrun a quota before the worker
/// catches up.
pub const COUNTED_STATUSES: [i32; 4] = [0, 1, 2, 5];

fn parts_query(sender: Option<AccountId>, from: OffsetDateTime, to: OffsetDateTime) -> sea_orm::sea_query::SelectStatement {
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
    select
}

fn parts_of(row: Option<sea_orm::QueryResult>) -> Result<u64, StoreError> {
    let parts: i64 = match row {
        Some(row) => row.try_get("", "parts").map_err(|error| StoreError::Corrupt(error.to_string()))?,
        None => 0,
    };
    Ok(u64::try_from(parts).unwrap_or(0))
}

impl crate::WriteTx {
    /// Holds `account`'s row until commit, so two requests spending its quota at once are
    /// serialised (a no-op update: a row lock on PostgreSQL; SQLite's write lock already
    /// serialises every writer).
    pub async fn lock_account(&self, account: AccountId) -> Result<(), StoreError> {
        let update = Query::update()
            .table("accounts")
            .value("updated_at", Expr::col("updated_at"))
            .and_where(Expr::col("id").eq(account.0))
            .take();
        self.tx.execute(&update).await?;
        Ok(())
    }

    /// [`Store::sms_parts`] inside this transaction (after [`Self::lock_account`]).
    pub async fn sms_parts(&self, sender: Option<AccountId>, from: OffsetDateTime, to: OffsetDateTime) -> Result<u64, StoreError> {
        parts_of(self.tx.query_one(&parts_query(sender, from, to)).await?)
    }

    /// Records when `account` was last told its quota is reached; `false` if it was
    /// already told since `since` (one mail per quota window).
    pub async fn mark_quota_reached(&self, account: AccountId, since: OffsetDateTime, now: OffsetDateTime) -> Result<bool, StoreError> {
        let upsert = Query::insert()
            .into_table("janua_profiles")
            .columns(["account_id", "firstname", "last_name", "recipient_filter", "has_client"])
            .values([account.0.into(), "".into(), "".into(), true.into(), false.into()])
            .map_err(|error| StoreError::Corrupt(error.to_string()))?
            .on_conflict(sea_orm::sea_query::OnConflict::column("account_id").do_nothing().to_owned())
            .take();
        self.tx.execute(&upsert).await?;
        let update = Query::update()
            .table("janua_profiles")
            .value("last_quota_reached", stored_time(now))
            .and_where(Expr::col("account_id").eq(account.0))
            .cond_where(
                sea_orm::sea_query::Cond::any()
                    .add(Expr::col("last_quota_reached").is_null())
                    .add(Expr::col("last_quota_reached").lt(stored_time(since))),
            )
            .take();
        Ok(self.tx.execute(&update).await?.rows_affected() > 0)
    }
}

impl Store {
    /// The sum of `number_of_slices` of counted SMS in `[from, to)`, of one sender or of all.
    pub async fn sms_parts(&self, sender: Option<AccountId>, from: OffsetDateTime, to: OffsetDateTime) -> Result<u64, StoreError> {
        parts_of(self.db.query_one(&parts_query(sender, from, to)).await?)
    }
}

/// Janua's SMS statuses.
pub mod status {
    /// Handed to the gateway.
    pub const SENT: i32 = 0;
    /// Reported delivered to the phone.
    pub const DELIVERED: i32 = 1;
    /// Reported not delivered, or delivery unknown.
    pub const UNKNOWN: i32 = 2;
    /// Waiting in the outbox (Steward's addition).
    pub const QUEUED: i32 = 5;
    /// Given up by the outbox after its attempts (Steward's addition).
    pub const FAILED: i32 = 6;
}

/// The columns a queued SMS log row is written with, in the order of [`NewSmsLog`]'s values.
pub(crate) const QUEUED_COLUMNS: [&str; 9] = [
    "date_time",
    "sender",
    "recipient",
    "recipient_phone_number",
    "raw_message",
    "authorized",
    "status",
    "number_of_slices",
    "admin_id",
];

/// One SMS log row as written when an SMS is queued.
#[derive(Debug, Clone)]
pub struct NewSmsLog {
    /// "Firstname Name" of the sending admin.
    pub sender: String,
    /// The recipient's full name, or the bare number.
    pub recipient: String,
    /// The recipient's number.
    pub recipient_phone_number: String,
    /// The text.
    pub raw_message: String,
    /// Parts of the (concatenated) SMS.
    pub number_of_slices: u32,
    /// The sending account.
    pub admin_id: AccountId,
}

impl crate::WriteTx {
    /// Writes many queued SMS log rows in multi-row statements; returns their ids.
    pub async fn insert_sms_logs(&self, rows: &[NewSmsLog], at: OffsetDateTime) -> Result<Vec<i64>, StoreError> {
        let mut ids = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(crate::outbox::BATCH_ROWS) {
            let mut insert = Query::insert().into_table("janua_sms").columns(QUEUED_COLUMNS).take();
            for row in chunk {
                insert
                    .values([
                        stored_time(at).into(),
                        row.sender.clone().into(),
                        row.recipient.clone().into(),
                        row.recipient_phone_number.clone().into(),
                        row.raw_message.clone().into(),
                        true.into(),
                        status::QUEUED.into(),
                        i64::from(row.number_of_slices).into(),
                        row.admin_id.0.into(),
                    ])
                    .map_err(|error| StoreError::Corrupt(error.to_string()))?;
            }
            insert.returning_col("id");
            for returned in self.tx.query_all(&insert).await? {
                ids.push(returned.try_get("", "id").map_err(|error| StoreError::Corrupt(error.to_string()))?);
            }
        }
        Ok(ids)
    }

    /// Puts the given-up rows among `log_ids` back to queued, for an operator's retry of
    /// their outbox row.
    pub async fn requeue_failed_sms(&self, log_ids: &[i64]) -> Result<u64, StoreError> {
        let mut requeued = 0;
        for chunk in log_ids.chunks(crate::outbox::BATCH_ROWS) {
            let update = Query::update()
                .table("janua_sms")
                .value("status", status::QUEUED)
                .and_where(Expr::col("id").is_in(chunk.iter().copied()))
                .and_where(Expr::col("status").eq(status::FAILED))
                .take();
            requeued += self.tx.execute(&update).await?.rows_affected();
        }
        Ok(requeued)
    }
}

/// A queued SMS as the worker hands it to the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSms {
    /// Its SMS log row.
    pub log_id: i64,
    /// The recipient's number.
    pub to: String,
    /// The text.
    pub text: String,
}

impl Store {
    /// Records the worker's outcome for a queued SMS: `SENT` (with the time it was handed
    /// over) or `FAILED`. Only a queued row moves, so a delivery report that came back
    /// before this ran is never overwritten.
    pub async fn set_sms_status(&self, log_id: i64, new_status: i32, at: OffsetDateTime) -> Result<(), StoreError> {
        let mut update = Query::update()
            .table("janua_sms")
            .value("status", new_status)
            .and_where(Expr::col("id").eq(log_id))
            .and_where(Expr::col("status").eq(status::QUEUED))
            .take();
        if new_status == status::SENT {
            update.value("date_time", stored_time(at));
        }
        self.db.execute(&update).await?;
        Ok(())
    }

    /// Moves an SMS log row to `new_status` if it is in one of `from` (a delivery report's
    /// transition); `false` if it was not (unknown row, or already past that).
    pub async fn apply_sms_report(&self, log_id: i64, new_status: i32, from: &[i32]) -> Result<bool, StoreError> {
        let update = Query::update()
            .table("janua_sms")
            .value("status", new_status)
            .and_where(Expr::col("id").eq(log_id))
            .and_where(Expr::col("status").is_in(from.iter().copied()))
            .take();
        Ok(self.db.execute(&update).await?.rows_affected() > 0)
    }

    /// The rows among `log_ids` still waiting for the gateway, by id.
    pub async fn pending_sms(&self, log_ids: &[i64]) -> Result<Vec<PendingSms>, StoreError> {
        let mut pending = Vec::with_capacity(log_ids.len());
        for chunk in log_ids.chunks(crate::outbox::BATCH_ROWS) {
            let select = Query::select()
                .columns(["id", "recipient_phone_number", "raw_message"])
                .from("janua_sms")
                .and_where(Expr::col("id").is_in(chunk.iter().copied()))
                .and_where(Expr::col("status").eq(status::QUEUED))
                .order_by("id", sea_orm::Order::Asc)
                .take();
            for row in self.db.query_all(&select).await? {
                let corrupt = |error: sea_orm::DbErr| StoreError::Corrupt(error.to_string());
                pending.push(PendingSms {
                    log_id: row.try_get("", "id").map_err(corrupt)?,
                    to: row.try_get("", "recipient_phone_number").map_err(corrupt)?,
                    text: row.try_get("", "raw_message").map_err(corrupt)?,
                });
            }
        }
        Ok(pending)
    }

    /// Marks the rows among `log_ids` still queued as given up.
    pub async fn fail_queued_sms(&self, log_ids: &[i64]) -> Result<(), StoreError> {
        for chunk in log_ids.chunks(crate::outbox::BATCH_ROWS) {
            let update = Query::update()
                .table("janua_sms")
                .value("status", status::FAILED)
                .and_where(Expr::col("id").is_in(chunk.iter().copied()))
                .and_where(Expr::col("status").eq(status::QUEUED))
                .take();
            self.db.execute(&update).await?;
        }
        Ok(())
    }

    /// Whether `account` may only message its own contacts (Janua's `recipient_filter`,
    /// on by default).
    pub async fn recipient_filter(&self, account: AccountId) -> Result<bool, StoreError> {
        let select = Query::select()
            .column("recipient_filter")
            .from("janua_profiles")
            .and_where(Expr::col("account_id").eq(account.0))
            .take();
        match self.db.query_one(&select).await? {
            Some(row) => row.try_get("", "recipient_filter").map_err(|error| StoreError::Corrupt(error.to_string())),
            None => Ok(true),
        }
    }
}

/// What clients may filter and order SMS log rows on: every column Janua shows. The gateway
/// `reference`, the sender's `admin_id` and the outbox link are hidden, so unknown here.
pub static SMS_FIELDS: crate::filter::Fields = crate::filter::Fields {
    table: "janua_sms",
    primary_key: "id",
    fields: &[
        field("id", ColumnKind::Integer),
        field("date_time", ColumnKind::DateTime),
        field("sender", ColumnKind::Text),
        field("recipient", ColumnKind::Text),
        field("recipient_phone_number", ColumnKind::Text),
        field("raw_message", ColumnKind::Text),
        field("authorized", ColumnKind::Bool),
        field("status", ColumnKind::Integer),
        field("number_of_slices", ColumnKind::Integer),
    ],
    relations: &[],
};

const fn field(name: &'static str, kind: ColumnKind) -> crate::filter::FieldSpec {
    crate::filter::FieldSpec { name, column: ("janua_sms", name), kind }
}

/// An SMS log row as the store reads it.
#[derive(Debug, Clone, PartialEq, Eq, sea_orm::FromQueryResult)]
struct SmsLogRow {
    id: i64,
    date_time: OffsetDateTime,
    sender: String,
    recipient: String,
    recipient_phone_number: String,
    raw_message: String,
    authorized: bool,
    status: i32,
    number_of_slices: i32,
}

impl From<SmsLogRow> for SmsLogEntry {
    fn from(row: SmsLogRow) -> Self {
        Self {
            id: row.id,
            date_time: row.date_time,
            sender: row.sender,
            recipient: row.recipient,
            recipient_phone_number: row.recipient_phone_number,
            raw_message: row.raw_message,
            authorized: row.authorized,
            status: row.status,
            number_of_slices: row.number_of_slices,
        }
    }
}

impl Store {
    /// A client's search over the SMS `sender` sent.
    pub async fn search_sms(
        &self,
        sender: AccountId,
        search: &steward_model::filter::Search,
        skip: u64,
        page_size: u64,
    ) -> Result<steward_model::Page<SmsLogEntry>, StoreError> {
        Ok(self.search_rows::<SmsLogRow>(&SMS_FIELDS, Some(sender), search, skip, page_size).await?.map(SmsLogEntry::from))
    }
}
