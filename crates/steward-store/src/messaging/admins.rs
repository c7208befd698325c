//! Janua's admins: accounts holding a Janua role (`admin`, `supervisor`), with their Janua
//! profile when they have one.

use sea_orm::sea_query::{Expr, ExprTrait, Func, JoinType, OnConflict, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, Set, StatementBuilder};
use steward_model::AccountId;
use steward_model::filter::Search;
use time::OffsetDateTime;

use steward_model::Page;
use crate::entity::{account, account_role, janua_profile, janua_sms};
use crate::error::read;
use crate::filter::{self, ColumnKind, FieldSpec, Fields, Owner, Window};
use crate::{Store, StoreError};

/// What clients may filter and order Janua admins on. Password hashes, phone tokens and
/// web tokens are not listed, so they are unknown fields.
pub static ADMIN_FIELDS: Fields = Fields {
    table: &account::Entity,
    primary_key: &account::Column::Id,
    // An admin's row is its own: a supervisor sees itself alone.
    owner: Owner::Column(&account::Column::Id),
    fields: &[
        FieldSpec { name: "id", column: &account::Column::Id, kind: ColumnKind::Integer },
        FieldSpec { name: "login", column: &account::Column::Login, kind: ColumnKind::Text },
        FieldSpec { name: "email", column: &account::Column::Email, kind: ColumnKind::Text },
        FieldSpec { name: "phone_number", column: &account::Column::Phone, kind: ColumnKind::Text },
        FieldSpec { name: "auth_backend", column: &account::Column::AuthBackend, kind: ColumnKind::Text },
        FieldSpec { name: "name", column: &janua_profile::Column::LastName, kind: ColumnKind::Text },
        FieldSpec { name: "firstname", column: &janua_profile::Column::Firstname, kind: ColumnKind::Text },
        FieldSpec { name: "recipient_filter", column: &janua_profile::Column::RecipientFilter, kind: ColumnKind::Bool },
        FieldSpec { name: "has_client", column: &janua_profile::Column::HasClient, kind: ColumnKind::Bool },
        FieldSpec { name: "last_quota_reached", column: &janua_profile::Column::LastQuotaReached, kind: ColumnKind::DateTime },
    ],
    relations: &[],
};

/// One Janua admin as the store holds it.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct JanuaAdminRow {
    /// The account's id (Janua's `ADMIN.id`).
    pub id: i64,
    /// The login.
    pub login: String,
    /// The account's display name.
    pub display_name: String,
    /// Mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Who checks the password, as stored (`AuthBackend::from_stored`).
    pub auth_backend: String,
    /// Whether the account has the `admin` role (Janua level 1).
    pub is_admin: bool,
    /// The profile's given name, if there is a profile.
    pub firstname: Option<String>,
    /// The profile's family name.
    pub last_name: Option<String>,
    /// The profile's recipient filter.
    pub recipient_filter: Option<bool>,
    /// Whether an Android client asked for its configuration.
    pub has_client: Option<bool>,
    /// When the quota mail was last sent.
    pub last_quota_reached: Option<OffsetDateTime>,
}

/// `accounts.column`.
fn account_column(column: account::Column) -> Expr {
    Expr::col((account::Entity, column))
}

/// `janua_profiles.column`.
fn profile_column(column: janua_profile::Column) -> Expr {
    Expr::col((janua_profile::Entity, column))
}

/// The ids of the accounts holding one of `roles`.
fn holding(roles: &[&str]) -> SelectStatement {
    Query::select()
        .column(account_role::Column::AccountId)
        .from(account_role::Entity)
        .and_where(Expr::col(account_role::Column::Role).is_in(roles.iter().copied()))
        .take()
}

fn has_role(role: &str) -> SelectStatement {
    Query::select()
        .column(account_role::Column::AccountId)
        .from(account_role::Entity)
        .and_where(Expr::col(account_role::Column::Role).eq(role))
        .take()
}

/// The roles that make an account a Janua admin.
const JANUA_ROLES: [&str; 2] = ["admin", "supervisor"];

fn base() -> SelectStatement {
    Query::select()
        .from(account::Entity)
        .join(
            JoinType::LeftJoin,
            janua_profile::Entity,
            profile_column(janua_profile::Column::AccountId).equals((account::Entity, account::Column::Id)),
        )
        .and_where(account_column(account::Column::Id).in_subquery(holding(&JANUA_ROLES)))
        .take()
}

impl Store {
    /// A client's search over Janua admins: all of them, or only `only` (a supervisor sees
    /// itself alone).
    pub async fn search_janua_admins(
        &self,
        only: Option<AccountId>,
        search: &Search,
        skip: u64,
        page_size: u64,
    ) -> Result<Page<JanuaAdminRow>, StoreError> {
        let mut select = base();
        if let Some(account) = only {
            select.and_where(ADMIN_FIELDS.owner.condition(account.0));
        }
        select.cond_where(filter::condition(search, &ADMIN_FIELDS, self.backend, &self.local_zone)?);
        let mut count = select.clone();
        count.expr_as(account_column(account::Column::Id).count(), "total");
        let total: i64 = match self.db.query_one(&count).await? {
            Some(row) => read(&row, "total")?,
            None => 0,
        };
        let total = Window::matched(search, u64::try_from(total).unwrap_or(0));
        let mut rows = select;
        rows.expr_as(account_column(account::Column::Id), "id")
            .expr_as(account_column(account::Column::Login), "login")
            .expr_as(account_column(account::Column::Name), "display_name")
            .expr_as(account_column(account::Column::Email), "email")
            .expr_as(account_column(account::Column::Phone), "phone")
            .expr_as(account_column(account::Column::AuthBackend), "auth_backend")
            .expr_as(account_column(account::Column::Id).in_subquery(has_role("admin")), "is_admin")
            .expr_as(profile_column(janua_profile::Column::Firstname), "firstname")
            .expr_as(profile_column(janua_profile::Column::LastName), "last_name")
            .expr_as(profile_column(janua_profile::Column::RecipientFilter), "recipient_filter")
            .expr_as(profile_column(janua_profile::Column::HasClient), "has_client")
            .expr_as(profile_column(janua_profile::Column::LastQuotaReached), "last_quota_reached");
        filter::apply_order(&mut rows, search.order_by(), &ADMIN_FIELDS)?;
        Window::of_page(search, skip, page_size).apply(&mut rows);
        let statement = StatementBuilder::build(&rows, &self.db.get_database_backend());
        let rows = JanuaAdminRow::find_by_statement(statement).all(&self.db).await?;
        Ok(Page { total, rows })
    }
}

/// A Janua profile as written when a supervisor is created.
#[derive(Debug, Clone)]
pub struct NewJanuaProfile {
    /// Given name.
    pub firstname: String,
    /// Family name.
    pub last_name: String,
    /// May only message its own contacts.
    pub recipient_filter: bool,
}

impl NewJanuaProfile {
    /// The profile of `account` as a new row (no client yet, no quota mail sent).
    fn row(&self, account: AccountId) -> janua_profile::ActiveModel {
        janua_profile::ActiveModel {
            account_id: Set(account.0),
            firstname: Set(self.firstname.clone()),
            last_name: Set(self.last_name.clone()),
            recipient_filter: Set(self.recipient_filter),
            has_client: Set(false),
            ..Default::default()
        }
    }
}

impl crate::WriteTx {
    /// Writes an account's Janua profile.
    pub async fn insert_janua_profile(&self, account: AccountId, profile: &NewJanuaProfile) -> Result<(), StoreError> {
        janua_profile::Entity::insert(profile.row(account)).exec_without_returning(&self.tx).await?;
        Ok(())
    }

    /// Whether a Janua admin already has this e-mail (case-insensitively): Janua's e-mails
    /// are unique among admins.
    pub async fn janua_email_taken(&self, email: &str) -> Result<bool, StoreError> {
        let select = Query::select()
            .expr_as(Expr::col(account::Column::Id).count(), "taken")
            .from(account::Entity)
            .and_where(Func::lower(Expr::col(account::Column::Email)).eq(email.to_lowercase()))
            .and_where(Expr::col(account::Column::Id).in_subquery(holding(&JANUA_ROLES)))
            .take();
        let taken: i64 = match self.tx.query_one(&select).await? {
            Some(row) => read(&row, "taken")?,
            None => 0,
        };
        Ok(taken > 0)
    }
}

/// Changes to a Janua admin; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AdminChanges {
    /// New login (and its lower-cased key).
    pub login: Option<(String, String)>,
    /// New display name.
    pub display_name: Option<String>,
    /// New e-mail.
    pub email: Option<String>,
    /// New phone number.
    pub phone: Option<String>,
    /// New auth backend.
    pub auth_backend: Option<steward_model::AuthBackend>,
    /// New password hash.
    pub password_hash: Option<String>,
    /// New profile (given name, family name, recipient filter).
    pub profile: Option<NewJanuaProfile>,
}

impl crate::WriteTx {
    /// Applies `changes` to account `id` and its Janua profile.
    pub async fn update_janua_admin(&self, id: AccountId, changes: AdminChanges, now: OffsetDateTime) -> Result<(), StoreError> {
        let mut update =
            Query::update().table(account::Entity).value(account::Column::UpdatedAt, crate::stored_time(now)).take();
        if let Some((login, key)) = changes.login {
            update.value(account::Column::Login, login).value(account::Column::LoginKey, key);
        }
        if let Some(name) = changes.display_name {
            update.value(account::Column::Name, name);
        }
        if let Some(email) = changes.email {
            update.value(account::Column::Email, email);
        }
        if let Some(phone) = changes.phone {
            update.value(account::Column::Phone, phone);
        }
        if let Some(backend) = changes.auth_backend {
            update.value(account::Column::AuthBackend, backend.as_str());
        }
        if let Some(hash) = changes.password_hash {
            update.value(account::Column::PasswordHash, hash);
        }
        update.and_where(Expr::col(account::Column::Id).eq(id.0));
        self.tx.execute(&update).await?;
        if let Some(profile) = changes.profile {
            // Upsert: the columns not changed here (has_client, quota mail time) stay.
            janua_profile::Entity::insert(profile.row(id))
                .on_conflict(
                    OnConflict::column(janua_profile::Column::AccountId)
                        .update_columns([
                            janua_profile::Column::Firstname,
                            janua_profile::Column::LastName,
                            janua_profile::Column::RecipientFilter,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(&self.tx)
                .await?;
        }
        Ok(())
    }

    /// Deletes a supervisor's account after handing its SMS log to `heir` (Janua's trigger):
    /// its tokens, roles, quotas, contacts and groups go with it.
    pub async fn delete_janua_admin(&self, id: AccountId, heir: AccountId) -> Result<bool, StoreError> {
        janua_sms::Entity::update_many()
            .col_expr(janua_sms::Column::AdminId, Expr::value(heir.0))
            .filter(janua_sms::Column::AdminId.eq(id.0))
            .exec(&self.tx)
            .await?;
        let deleted = account::Entity::delete_many().filter(account::Column::Id.eq(id.0)).exec(&self.tx).await?;
        Ok(deleted.rows_affected > 0)
    }
}
