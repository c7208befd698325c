//! SIP users' rows: local users (Kamailio subscribers) and remote ones.

use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::ConnectionTrait;
use steward_model::sip::{Glob, ProvisionedUser, SipAddress, SipUserKind};
use time::OffsetDateTime;

use super::{user_id_of, address_in, at_address, corrupt, matches};
use crate::{Store, StoreError, WriteTx, stored_time};

const USER_COLUMNS: [&str; 14] = [
    "username",
    "domain",
    "kind",
    "displayname",
    "email",
    "password",
    "authid",
    "registrar",
    "r_port",
    "proxy",
    "p_port",
    "dialplan",
    "linetext",
    "account_id",
];

fn user_of(row: &sea_orm::QueryResult) -> Result<ProvisionedUser, StoreError> {
    let text = |column: &str| row.try_get::<String>("", column).map_err(corrupt);
    let port = |column: &str| -> Result<u16, StoreError> {
        let port: i32 = row.try_get("", column).map_err(corrupt)?;
        u16::try_from(port).map_err(corrupt)
    };
    let address = address_in(row, "username", "domain")?;
    let kind = text("kind")?;
    Ok(ProvisionedUser {
        address,
        kind: SipUserKind::parse(&kind).ok_or_else(|| corrupt(format!("SIP user kind {kind}")))?,
        displayname: text("displayname")?,
        email: row.try_get("", "email").map_err(corrupt)?,
        password: text("password")?,
        authid: text("authid")?,
        registrar: text("registrar")?,
        r_port: port("r_port")?,
        proxy: text("proxy")?,
        p_port: port("p_port")?,
        dialplan: text("dialplan")?,
        linetext: text("linetext")?,
        account: row.try_get::<Option<i64>>("", "account_id").map_err(corrupt)?.map(steward_model::AccountId),
    })
}


fn user_select(address: &SipAddress) -> SelectStatement {
    let mut select = Query::select().columns(USER_COLUMNS).column("id").from("sip_users").take();
    at_address(&mut select, address);
    select
}

impl Store {
    /// The provisioned user at `address`.
    pub async fn sip_user(&self, address: &SipAddress) -> Result<Option<ProvisionedUser>, StoreError> {
        self.db.query_one(&user_select(address)).await?.as_ref().map(user_of).transpose()
    }

    /// Every local user, by domain then user name (what Kamailio must have).
    pub async fn sip_local_users(&self) -> Result<Vec<ProvisionedUser>, StoreError> {
        let select = Query::select()
            .columns(USER_COLUMNS)
            .from("sip_users")
            .and_where(Expr::col("kind").eq(SipUserKind::Local.as_str()))
            .order_by("domain", sea_orm::Order::Asc)
            .order_by("username", sea_orm::Order::Asc)
            .take();
        self.db.query_all(&select).await?.iter().map(user_of).collect()
    }

    /// Every provisioned user's address matching `search`, by domain then user name.
    pub async fn sip_user_addresses(&self, search: Option<&Glob>) -> Result<Vec<SipAddress>, StoreError> {
        let mut select = Query::select()
            .columns(["username", "domain"])
            .from("sip_users")
            .order_by("domain", sea_orm::Order::Asc)
            .order_by("username", sea_orm::Order::Asc)
            .take();
        if let Some(glob) = search {
            let address = Expr::cust("username || '@' || domain");
            select.and_where(matches(address, glob));
        }
        self.db
            .query_all(&select)
            .await?
            .iter()
            .map(|row| address_in(row, "username", "domain"))
            .collect()
    }
}

fn phone_count_select(address: &SipAddress) -> SelectStatement {
    Query::select()
        .expr_as(Expr::col(sea_orm::sea_query::Asterisk).count(), "phones")
        .from("sip_phones")
        .and_where(Expr::col("sip_user_id").in_subquery(user_id_of(address)))
        .take()
}

fn phones_of(row: Option<sea_orm::QueryResult>) -> Result<u64, StoreError> {
    let phones: i64 = match row {
        Some(row) => row.try_get("", "phones").map_err(corrupt)?,
        None => 0,
    };
    Ok(u64::try_from(phones).unwrap_or(0))
}

impl Store {
    /// How many phones carry the user at `address`.
    pub async fn sip_phone_count(&self, address: &SipAddress) -> Result<u64, StoreError> {
        phones_of(self.db.query_one(&phone_count_select(address)).await?)
    }
}

impl WriteTx {
    /// The provisioned user at `address`, read in this transaction.
    pub async fn sip_user(&self, address: &SipAddress) -> Result<Option<ProvisionedUser>, StoreError> {
        self.tx.query_one(&user_select(address)).await?.as_ref().map(user_of).transpose()
    }

    /// Adds a provisioned user (the caller checked it is new).
    pub async fn insert_sip_user(&self, user: &ProvisionedUser, at: OffsetDateTime) -> Result<(), StoreError> {
        self.insert_sip_users(std::slice::from_ref(user), at).await.map_err(|error| match error {
            StoreError::Conflict(_) => StoreError::Conflict(format!("{} is already provisioned", user.address)),
            other => other,
        })
    }

    /// Adds provisioned users in multi-row statements (the caller checked they are new).
    pub async fn insert_sip_users(&self, users: &[ProvisionedUser], at: OffsetDateTime) -> Result<(), StoreError> {
        // 16 columns: 250 rows stay far inside both backends' bound-parameter limits.
        for chunk in users.chunks(250) {
            let mut insert = Query::insert().into_table("sip_users").columns(USER_COLUMNS.into_iter().chain(["created_at", "updated_at"])).take();
            for user in chunk {
                insert
                    .values([
                        user.address.user.as_str().into(),
                        user.address.domain.as_str().into(),
                        user.kind.as_str().into(),
                        user.displayname.clone().into(),
                        user.email.clone().into(),
                        user.password.clone().into(),
                        user.authid.clone().into(),
                        user.registrar.clone().into(),
                        i32::from(user.r_port).into(),
                        user.proxy.clone().into(),
                        i32::from(user.p_port).into(),
                        user.dialplan.clone().into(),
                        user.linetext.clone().into(),
                        user.account.map(|account| account.0).into(),
                        stored_time(at).into(),
                        stored_time(at).into(),
                    ])
                    .map_err(corrupt)?;
            }
            self.tx.execute(&insert).await?;
        }
        Ok(())
    }

    /// Replaces a provisioned user's editable fields (password, display name, dial plan,
    /// line text); `false` if there is no such user.
    pub async fn update_sip_user(&self, user: &ProvisionedUser, at: OffsetDateTime) -> Result<bool, StoreError> {
        let mut update = Query::update()
            .table("sip_users")
            .value("password", user.password.clone())
            .value("displayname", user.displayname.clone())
            .value("dialplan", user.dialplan.clone())
            .value("linetext", user.linetext.clone())
            .value("updated_at", stored_time(at))
            .take();
        update
            .and_where(Expr::col("username").eq(user.address.user.as_str()))
            .and_where(Expr::col("domain").eq(user.address.domain.as_str()));
        Ok(self.tx.execute(&update).await?.rows_affected() > 0)
    }

    /// Deletes a provisioned user; `false` if there was none. Its phones must be gone.
    pub async fn delete_sip_user(&self, address: &SipAddress) -> Result<bool, StoreError> {
        let delete = Query::delete()
            .from_table("sip_users")
            .and_where(Expr::col("username").eq(address.user.as_str()))
            .and_where(Expr::col("domain").eq(address.domain.as_str()))
            .take();
        Ok(self.tx.execute(&delete).await?.rows_affected() > 0)
    }

    /// How many phones carry the user at `address`, read in this transaction.
    pub async fn sip_phone_count(&self, address: &SipAddress) -> Result<u64, StoreError> {
        phones_of(self.tx.query_one(&phone_count_select(address)).await?)
    }

    /// Removes the aliases whose destination is `address`; returns their addresses.
    pub async fn delete_sip_aliases_to(&self, address: &SipAddress) -> Result<Vec<SipAddress>, StoreError> {
        let mut select = Query::select().columns(["alias_username", "alias_domain"]).from("sip_aliases").take();
        at_address(&mut select, address);
        let aliases = self
            .tx
            .query_all(&select)
            .await?
            .iter()
            .map(|row| address_in(row, "alias_username", "alias_domain"))
            .collect::<Result<Vec<_>, _>>()?;
        let delete = Query::delete()
            .from_table("sip_aliases")
            .and_where(Expr::col("username").eq(address.user.as_str()))
            .and_where(Expr::col("domain").eq(address.domain.as_str()))
            .take();
        self.tx.execute(&delete).await?;
        Ok(aliases)
    }
}
