//! Janua's admins: accounts holding a Janua role (`admin`, `supervisor`), with their Janua
//! profile when they have one.

use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Query, SelectStatement};
use sea_orm::{ConnectionTrait, FromQueryResult, StatementBuilder};
use steward_model::AccountId;
use steward_model::filter::Search;
use time::OffsetDateTime;

use steward_model::Page;
use crate::filter::{self, ColumnKind, FieldSpec, Fields, Window};
use crate::{Store, StoreError};

/// What clients may filter and order Janua admins on. Password hashes, phone tokens and
/// web tokens are not listed, so they are unknown fields.
pub static ADMIN_FIELDS: Fields = Fields {
    table: "accounts",
    primary_key: "id",
    fields: &[
        FieldSpec { name: "id", column: ("accounts", "id"), kind: ColumnKind::Integer },
        FieldSpec { name: "login", column: ("accounts", "login"), kind: ColumnKind::Text },
        FieldSpec { name: "email", column: ("accounts", "email"), kind: ColumnKind::Text },
        FieldSpec { name: "phone_number", column: ("accounts", "phone"), kind: ColumnKind::Text },
        FieldSpec { name: "auth_backend", column: ("accounts", "auth_backend"), kind: ColumnKind::Text },
        FieldSpec { name: "name", column: ("janua_profiles", "last_name"), kind: ColumnKind::Text },
        FieldSpec { name: "firstname", column: ("janua_profiles", "firstname"), kind: ColumnKind::Text },
        FieldSpec { name: "recipient_filter", column: ("janua_profiles", "recipient_filter"), kind: ColumnKind::Bool },
        FieldSpec { name: "has_client", column: ("janua_profiles", "has_client"), kind: ColumnKind::Bool },
        FieldSpec { name: "last_quota_reached", column: ("janua_profiles", "last_quota_reached"), kind: ColumnKind::DateTime },
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

fn has_role(role: &str) -> SelectStatement {
    Query::select()
        .column("account_id")
        .from("account_roles")
        .and_where(Expr::col("role").eq(role))
        .take()
}

fn base() -> SelectStatement {
    let admins = Query::select()
        .column("account_id")
        .from("account_roles")
        .and_where(Expr::col("role").is_in(["admin", "supervisor"]))
        .take();
    Query::select()
        .from("accounts")
        .join(
            JoinType::LeftJoin,
            "janua_profiles",
            Expr::col(("janua_profiles", "account_id")).equals(("accounts", "id")),
        )
        .and_where(Expr::col(("accounts", "id")).in_subquery(admins))
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
            select.and_where(Expr::col(("accounts", "id")).eq(account.0));
        }
        select.cond_where(filter::condition(search, &ADMIN_FIELDS, self.backend, &self.local_zone)?);
        let mut count = select.clone();
        count.expr_as(Expr::col(("accounts", "id")).count(), "total");
        let total: i64 = match self.db.query_one(&count).await? {
            Some(row) => row.try_get("", "total").map_err(|error| StoreError::Corrupt(error.to_string()))?,
            None => 0,
        };
        let total = Window::matched(search, u64::try_from(total).unwrap_or(0));
        let mut rows = select;
        rows.expr_as(Expr::col(("accounts", "id")), "id")
            .expr_as(Expr::col(("accounts", "login")), "login")
            .expr_as(Expr::col(("accounts", "name")), "display_name")
            .expr_as(Expr::col(("accounts", "email")), "email")
            .expr_as(Expr::col(("accounts", "phone")), "phone")
            .expr_as(Expr::col(("accounts", "auth_backend")), "auth_backend")
            .expr_as(Expr::col(("accounts", "id")).in_subquery(has_role("admin")), "is_admin")
            .expr_as(Expr::col(("janua_profiles", "firstname")), "firstname")
            .expr_as(Expr::col(("janua_profiles", "last_name")), "last_name")
            .expr_as(Expr::col(("janua_profiles", "recipient_filter")), "recipient_filter")
            .expr_as(Expr::col(("janua_profiles", "has_client")), "has_client")
            .expr_as(Expr::col(("janua_profiles", "last_quota_reached")), "last_quota_reached");
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

impl crate::WriteTx {
    /// Writes an account's Janua profile.
    pub async fn insert_janua_profile(&self, account: AccountId, profile: &NewJanuaProfile) -> Result<(), StoreError> {
        let insert = Query::insert()
            .into_table("janua_profiles")
            .columns(["account_id", "firstname", "last_name", "recipient_filter", "has_client"])
            .values([
                account.0.into(),
                profile.firstname.clone().into(),
                profile.last_name.clone().into(),
                profile.recipient_filter.into(),
                false.into(),
            ])
            .map_err(|error| StoreError::Corrupt(error.to_string()))?
            .take();
        self.tx.execute(&insert).await?;
        Ok(())
    }

    /// Whether a Janua admin already has this e-mail (case-insensitively): Janua's e-mails
    /// are unique among admins.
    pub async fn janua_email_taken(&self, email: &str) -> Result<bool, StoreError> {
        let admins = Query::select()
            .column("account_id")
            .from("account_roles")
            .and_where(Expr::col("role").is_in(["admin", "supervisor"]))
            .take();
        let select = Query::select()
            .expr_as(Expr::col("id").count(), "taken")
            .from("accounts")
            .and_where(sea_orm::sea_query::Func::lower(Expr::col("email")).eq(email.to_lowercase()))
            .and_where(Expr::col("id").in_subquery(admins))
            .take();
        let taken: i64 = match self.tx.query_one(&select).await? {
            Some(row) => row.try_get("", "taken").map_err(|error| StoreError::Corrupt(error.to_string()))?,
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
        let mut update = Query::update().table("accounts").value("updated_at", crate::stored_time(now)).take();
        if let Some((login, key)) = changes.login {
            update.value("login", login).value("login_key", key);
        }
        if let Some(name) = changes.display_name {
            update.value("name", name);
        }
        if let Some(email) = changes.email {
            update.value("email", email);
        }
        if let Some(phone) = changes.phone {
            update.value("phone", phone);
        }
        if let Some(backend) = changes.auth_backend {
            update.value("auth_backend", backend.as_str());
        }
        if let Some(hash) = changes.password_hash {
            update.value("password_hash", hash);
        }
        update.and_where(Expr::col("id").eq(id.0));
        self.tx.execute(&update).await?;
        if let Some(profile) = changes.profile {
            // Upsert: the columns not changed here (has_client, quota mail time) stay.
            let upsert = Query::insert()
                .into_table("janua_profiles")
                .columns(["account_id", "firstname", "last_name", "recipient_filter", "has_client"])
                .values([
                    id.0.into(),
                    profile.firstname.clone().into(),
                    profile.last_name.clone().into(),
                    profile.recipient_filter.into(),
                    false.into(),
                ])
                .map_err(|error| StoreError::Corrupt(error.to_string()))?
                .on_conflict(
                    sea_orm::sea_query::OnConflict::column("account_id")
                        .update_columns(["firstname", "last_name", "recipient_filter"])
                        .to_owned(),
                )
                .take();
            self.tx.execute(&upsert).await?;
        }
        Ok(())
    }

    /// Deletes a supervisor's account after handing its SMS log to `heir` (Janua's trigger):
    /// its tokens, roles, quotas, contacts and groups go with it.
    pub async fn delete_janua_admin(&self, id: AccountId, heir: AccountId) -> Result<bool, StoreError> {
        let reassign = Query::update().table("janua_sms").value("admin_id", heir.0).and_where(Expr::col("admin_id").eq(id.0)).take();
        self.tx.execute(&reassign).await?;
        let delete = Query::delete().from_table("accounts").and_where(Expr::col("id").eq(id.0)).take();
        Ok(self.tx.execute(&delete).await?.rows_affected() > 0)
    }
}
