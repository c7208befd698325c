//! Who a Janua send reaches, resolved where the directory lives: the few contacts named by
//! number or address are looked up by index, and a group or `all` is counted and queued with
//! one `INSERT … SELECT`, so a send never loads the caller's directory into the process.

use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, StatementBuilder};
use steward_model::AccountId;
use steward_model::directory::{Audience, Contact, Group};
use time::OffsetDateTime;

use crate::entity::{janua_contact, janua_contact_group, janua_group, janua_sms};
use crate::error::read;
use crate::text::joined;
use crate::outbox::BATCH_ROWS;
use crate::messaging::sms_log::status;
use crate::messaging::directory::{to_contact, to_group};
use crate::{Store, StoreError, WriteTx, stored_time};

/// The owner's contacts in `audience`, as a `FROM … WHERE` to add columns to; `None` for
/// nobody.
fn audience_rows(owner: AccountId, audience: &Audience) -> Option<SelectStatement> {
    let mut select = Query::select()
        .from(janua_contact::Entity)
        .and_where(contact_column(janua_contact::Column::AdminId).eq(owner.0))
        .take();
    match audience {
        Audience::Nobody => return None,
        Audience::Everyone => {}
        Audience::Groups(groups) => {
            // Memberships are looked up by the (group_id, contact_id) index; `IN` keeps a
            // contact in two of the groups once.
            let members = Query::select()
                .column(janua_contact_group::Column::ContactId)
                .from(janua_contact_group::Entity)
                .and_where(Expr::col(janua_contact_group::Column::GroupId).is_in(groups.iter().copied()))
                .take();
            select.and_where(contact_column(janua_contact::Column::Id).in_subquery(members));
        }
    }
    Some(select)
}

/// `janua_contacts.column`.
fn contact_column(column: janua_contact::Column) -> Expr {
    Expr::col((janua_contact::Entity, column))
}

impl Store {
    /// Whether `owner` has any contact or group (Janua refuses a filtered caller who has
    /// neither).
    pub async fn has_directory(&self, owner: AccountId) -> Result<bool, StoreError> {
        let contacts = Query::select()
            .expr(Expr::val(1))
            .from(janua_contact::Entity)
            .and_where(Expr::col(janua_contact::Column::AdminId).eq(owner.0))
            .take();
        let groups = Query::select()
            .expr(Expr::val(1))
            .from(janua_group::Entity)
            .and_where(Expr::col(janua_group::Column::AdminId).eq(owner.0))
            .take();
        let select = Query::select().expr_as(Expr::exists(contacts).or(Expr::exists(groups)), "present").take();
        match self.db.query_one(&select).await? {
            Some(row) => read(&row, "present"),
            None => Ok(false),
        }
    }

    /// `owner`'s groups among `names`.
    pub async fn groups_named(&self, owner: AccountId, names: &[String]) -> Result<Vec<Group>, StoreError> {
        let mut found = Vec::with_capacity(names.len());
        for chunk in names.chunks(BATCH_ROWS) {
            let rows = janua_group::Entity::find()
                .filter(janua_group::Column::AdminId.eq(owner.0))
                .filter(janua_group::Column::Name.is_in(chunk.iter().cloned()))
                .all(&self.db)
                .await?;
            found.extend(rows.into_iter().map(to_group));
        }
        Ok(found)
    }

    /// `owner`'s contacts whose `column` (`phone_number` or `email`, both unique per
    /// owner) is one of `values`.
    async fn contacts_where_in(&self, owner: AccountId, column: janua_contact::Column, values: &[String]) -> Result<Vec<Contact>, StoreError> {
        let mut found = Vec::with_capacity(values.len());
        for chunk in values.chunks(BATCH_ROWS) {
            let rows = janua_contact::Entity::find()
                .filter(janua_contact::Column::AdminId.eq(owner.0))
                .filter(column.is_in(chunk.iter().cloned()))
                .all(&self.db)
                .await?;
            found.extend(rows.into_iter().map(to_contact));
        }
        Ok(found)
    }

    /// `owner`'s contacts with one of these numbers.
    pub async fn contacts_with_phones(&self, owner: AccountId, phones: &[String]) -> Result<Vec<Contact>, StoreError> {
        self.contacts_where_in(owner, janua_contact::Column::PhoneNumber, phones).await
    }

    /// `owner`'s contacts with one of these addresses.
    pub async fn contacts_with_emails(&self, owner: AccountId, emails: &[String]) -> Result<Vec<Contact>, StoreError> {
        self.contacts_where_in(owner, janua_contact::Column::Email, emails).await
    }

    /// Every contact of `owner` in `audience`, by id (mail is rendered per recipient, so it
    /// needs them all).
    pub async fn audience_contacts(&self, owner: AccountId, audience: &Audience) -> Result<Vec<Contact>, StoreError> {
        let Some(mut select) = audience_rows(owner, audience) else {
            return Ok(Vec::new());
        };
        select
            .column((janua_contact::Entity, Asterisk))
            .order_by((janua_contact::Entity, janua_contact::Column::Id), sea_orm::Order::Asc);
        let statement = StatementBuilder::build(&select, &self.db.get_database_backend());
        let rows = janua_contact::Entity::find().from_raw_sql(statement).all(&self.db).await?;
        Ok(rows.into_iter().map(to_contact).collect())
    }
}

/// What every SMS log row of one send shares.
#[derive(Debug, Clone)]
pub struct SmsSend<'a> {
    /// "Firstname Name" of the sending admin.
    pub sender: &'a str,
    /// The text.
    pub text: &'a str,
    /// Parts of the (concatenated) SMS.
    pub parts: u32,
    /// The sending account, whose directory the audience is.
    pub admin_id: AccountId,
    /// When it was queued.
    pub at: OffsetDateTime,
}

impl WriteTx {
    /// How many of `owner`'s contacts `audience` reaches, leaving out those whose number is
    /// in `except` (reached as bare numbers already).
    pub async fn count_audience(&self, owner: AccountId, audience: &Audience, except: &[String]) -> Result<u64, StoreError> {
        let Some(mut select) = audience_rows(owner, audience) else {
            return Ok(0);
        };
        exclude_numbers(&mut select, except);
        select.expr_as(Expr::col(Asterisk).count(), "reached");
        let reached: i64 = match self.tx.query_one(&select).await? {
            Some(row) => read(&row, "reached")?,
            None => 0,
        };
        Ok(u64::try_from(reached).unwrap_or(0))
    }

    /// Writes one queued SMS log row per contact `audience` reaches (less `except`), in one
    /// statement that never leaves the database; returns the rows' ids.
    pub async fn queue_audience_sms(&self, audience: &Audience, except: &[String], send: &SmsSend<'_>) -> Result<Vec<i64>, StoreError> {
        let Some(mut select) = audience_rows(send.admin_id, audience) else {
            return Ok(Vec::new());
        };
        exclude_numbers(&mut select, except);
        select
            .expr(Expr::val(stored_time(send.at)))
            .expr(Expr::val(send.sender.to_owned()))
            // Janua's `fullname`: first name, a space, family name.
            .expr(joined(contact_column(janua_contact::Column::Firstname), " ", contact_column(janua_contact::Column::Name)))
            .column((janua_contact::Entity, janua_contact::Column::PhoneNumber))
            .expr(Expr::val(send.text.to_owned()))
            .expr(Expr::val(true))
            .expr(Expr::val(status::QUEUED))
            .expr(Expr::val(i64::from(send.parts)))
            .expr(Expr::val(send.admin_id.0));
        let mut insert = Query::insert()
            .into_table(janua_sms::Entity)
            .columns(crate::messaging::sms_log::QUEUED_COLUMNS)
            .select_from(select)?
            .take();
        insert.returning_col(janua_sms::Column::Id);
        let rows = self.tx.query_all(&insert).await?;
        rows.iter().map(|row| read(row, janua_sms::Column::Id)).collect()
    }
}

/// Leaves contacts with one of `numbers` out of an audience: the bare numbers of the same
/// request, which the core bounds (`MAX_NAMED_RECIPIENTS`), so this stays well inside both
/// backends' bound-parameter limits.
fn exclude_numbers(select: &mut SelectStatement, numbers: &[String]) {
    if !numbers.is_empty() {
        select.and_where(contact_column(janua_contact::Column::PhoneNumber).is_not_in(numbers.iter().cloned()));
    }
}
