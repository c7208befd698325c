//! Janua's SMS log: what was queued, sent, delivered or received, and the sums of parts
//! quotas and statistics are made of.

use sea_orm::sea_query::{Cond, Expr, ExprTrait, Func, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use steward_model::AccountId;
use steward_model::records::SmsLogEntry;
use time::OffsetDateTime;

use crate::entity::{account, janua_profile, janua_sms};
use crate::error::read;
use crate::filter::{ColumnKind, FieldSpec, Fields, Owner};
use crate::{Store, StoreError, stored_time};

/// The statuses that count as sent: 0 sent, 1 delivered, 2 unknown. Steward also counts 5
/// (queued in the outbox), so a burst of requests cannot overrun a quota before the worker
/// catches up.
pub const COUNTED_STATUSES: [i32; 4] = [0, 1, 2, 5];

fn parts_query(sender: Option<AccountId>, from: OffsetDateTime, to: OffsetDateTime) -> sea_orm::sea_query::SelectStatement {
    let sum: Expr = Func::sum(Expr::col(janua_sms::Column::NumberOfSlices)).into();
    let mut select = Query::select()
        .expr_as(Func::coalesce([sum, Expr::val(0)]), "parts")
        .from(janua_sms::Entity)
        .and_where(Expr::col(janua_sms::Column::Status).is_in(COUNTED_STATUSES))
        .and_where(Expr::col(janua_sms::Column::DateTime).gte(stored_time(from)))
        .and_where(Expr::col(janua_sms::Column::DateTime).lt(stored_time(to)))
        .take();
    if let Some(sender) = sender {
        select.and_where(Expr::col(janua_sms::Column::AdminId).eq(sender.0));
    }
    select
}

fn parts_of(row: Option<sea_orm::QueryResult>) -> Result<u64, StoreError> {
    let parts: i64 = match row {
        Some(row) => read(&row, "parts")?,
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
            .table(account::Entity)
            .value(account::Column::UpdatedAt, Expr::col(account::Column::UpdatedAt))
            .and_where(Expr::col(account::Column::Id).eq(account.0))
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
        // The default profile (recipient filter on, no client), unless the account has one.
        let default = janua_profile::ActiveModel {
            account_id: Set(account.0),
            firstname: Set(String::new()),
            last_name: Set(String::new()),
            recipient_filter: Set(true),
            has_client: Set(false),
            ..Default::default()
        };
        janua_profile::Entity::insert(default)
            .on_conflict(OnConflict::column(janua_profile::Column::AccountId).do_nothing().to_owned())
            .exec_without_returning(&self.tx)
            .await?;
        let update = janua_profile::Entity::update_many()
            .col_expr(janua_profile::Column::LastQuotaReached, Expr::value(stored_time(now)))
            .filter(janua_profile::Column::AccountId.eq(account.0))
            .filter(
                Cond::any()
                    .add(janua_profile::Column::LastQuotaReached.is_null())
                    .add(janua_profile::Column::LastQuotaReached.lt(stored_time(since))),
            )
            .exec(&self.tx)
            .await?;
        Ok(update.rows_affected > 0)
    }
}

impl Store {
    /// The sum of `number_of_slices` of counted SMS in `[from, to)`, of one sender or of all.
    pub async fn sms_parts(&self, sender: Option<AccountId>, from: OffsetDateTime, to: OffsetDateTime) -> Result<u64, StoreError> {
        parts_of(self.db.query_one(&parts_query(sender, from, to)).await?)
    }
}

/// Moves the rows among `ids` whose status is one of `from` to `to`.
fn move_status(ids: &[i64], from: &[i32], to: i32) -> sea_orm::UpdateMany<janua_sms::Entity> {
    janua_sms::Entity::update_many()
        .col_expr(janua_sms::Column::Status, Expr::value(to))
        .filter(janua_sms::Column::Id.is_in(ids.iter().copied()))
        .filter(janua_sms::Column::Status.is_in(from.iter().copied()))
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
pub(crate) const QUEUED_COLUMNS: [janua_sms::Column; 9] = [
    janua_sms::Column::DateTime,
    janua_sms::Column::Sender,
    janua_sms::Column::Recipient,
    janua_sms::Column::RecipientPhoneNumber,
    janua_sms::Column::RawMessage,
    janua_sms::Column::Authorized,
    janua_sms::Column::Status,
    janua_sms::Column::NumberOfSlices,
    janua_sms::Column::AdminId,
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
            let mut insert = Query::insert().into_table(janua_sms::Entity).columns(QUEUED_COLUMNS).take();
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
                    ])?;
            }
            insert.returning_col(janua_sms::Column::Id);
            for returned in self.tx.query_all(&insert).await? {
                ids.push(read(&returned, janua_sms::Column::Id)?);
            }
        }
        Ok(ids)
    }

    /// Puts the given-up rows among `log_ids` back to queued, for an operator's retry of
    /// their outbox row.
    pub async fn requeue_failed_sms(&self, log_ids: &[i64]) -> Result<u64, StoreError> {
        let mut requeued = 0;
        for chunk in log_ids.chunks(crate::outbox::BATCH_ROWS) {
            requeued += move_status(chunk, &[status::FAILED], status::QUEUED).exec(&self.tx).await?.rows_affected;
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
        let mut update = move_status(&[log_id], &[status::QUEUED], new_status);
        if new_status == status::SENT {
            update = update.col_expr(janua_sms::Column::DateTime, Expr::value(stored_time(at)));
        }
        update.exec(&self.db).await?;
        Ok(())
    }

    /// Moves an SMS log row to `new_status` if it is in one of `from` (a delivery report's
    /// transition); `false` if it was not (unknown row, or already past that).
    pub async fn apply_sms_report(&self, log_id: i64, new_status: i32, from: &[i32]) -> Result<bool, StoreError> {
        Ok(move_status(&[log_id], from, new_status).exec(&self.db).await?.rows_affected > 0)
    }

    /// The rows among `log_ids` still waiting for the gateway, by id.
    pub async fn pending_sms(&self, log_ids: &[i64]) -> Result<Vec<PendingSms>, StoreError> {
        let mut pending = Vec::with_capacity(log_ids.len());
        for chunk in log_ids.chunks(crate::outbox::BATCH_ROWS) {
            let rows: Vec<(i64, String, String)> = janua_sms::Entity::find()
                .select_only()
                .columns([janua_sms::Column::Id, janua_sms::Column::RecipientPhoneNumber, janua_sms::Column::RawMessage])
                .filter(janua_sms::Column::Id.is_in(chunk.iter().copied()))
                .filter(janua_sms::Column::Status.eq(status::QUEUED))
                .order_by_asc(janua_sms::Column::Id)
                .into_tuple()
                .all(&self.db)
                .await?;
            pending.extend(rows.into_iter().map(|(log_id, to, text)| PendingSms { log_id, to, text }));
        }
        Ok(pending)
    }

    /// Marks the rows among `log_ids` still queued as given up.
    pub async fn fail_queued_sms(&self, log_ids: &[i64]) -> Result<(), StoreError> {
        for chunk in log_ids.chunks(crate::outbox::BATCH_ROWS) {
            move_status(chunk, &[status::QUEUED], status::FAILED).exec(&self.db).await?;
        }
        Ok(())
    }

    /// Whether `account` may only message its own contacts (Janua's `recipient_filter`,
    /// on by default).
    pub async fn recipient_filter(&self, account: AccountId) -> Result<bool, StoreError> {
        let filter: Option<bool> = janua_profile::Entity::find_by_id(account.0)
            .select_only()
            .column(janua_profile::Column::RecipientFilter)
            .into_tuple()
            .one(&self.db)
            .await?;
        Ok(filter.unwrap_or(true))
    }
}

/// What clients may filter and order SMS log rows on: every column Janua shows. The gateway
/// `reference`, the sender's `admin_id` and the outbox link are hidden, so unknown here.
pub static SMS_FIELDS: Fields = Fields {
    table: &janua_sms::Entity,
    primary_key: &janua_sms::Column::Id,
    owner: Owner::Column(&janua_sms::Column::AdminId),
    fields: &[
        FieldSpec { name: "id", column: &janua_sms::Column::Id, kind: ColumnKind::Integer },
        FieldSpec { name: "date_time", column: &janua_sms::Column::DateTime, kind: ColumnKind::DateTime },
        FieldSpec { name: "sender", column: &janua_sms::Column::Sender, kind: ColumnKind::Text },
        FieldSpec { name: "recipient", column: &janua_sms::Column::Recipient, kind: ColumnKind::Text },
        FieldSpec { name: "recipient_phone_number", column: &janua_sms::Column::RecipientPhoneNumber, kind: ColumnKind::Text },
        FieldSpec { name: "raw_message", column: &janua_sms::Column::RawMessage, kind: ColumnKind::Text },
        FieldSpec { name: "authorized", column: &janua_sms::Column::Authorized, kind: ColumnKind::Bool },
        FieldSpec { name: "status", column: &janua_sms::Column::Status, kind: ColumnKind::Integer },
        FieldSpec { name: "number_of_slices", column: &janua_sms::Column::NumberOfSlices, kind: ColumnKind::Integer },
    ],
    relations: &[],
};

fn to_entry(row: janua_sms::Model) -> SmsLogEntry {
    SmsLogEntry {
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

impl Store {
    /// A client's search over the SMS `sender` sent.
    pub async fn search_sms(
        &self,
        sender: AccountId,
        search: &steward_model::filter::Search,
        skip: u64,
        page_size: u64,
    ) -> Result<steward_model::Page<SmsLogEntry>, StoreError> {
        Ok(self.search_rows::<janua_sms::Model>(&SMS_FIELDS, Some(sender), search, skip, page_size).await?.map(to_entry))
    }
}
