//! SIP users' rows: local users (Kamailio subscribers) and remote ones.

use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select, Set};
use steward_model::sip::{Glob, ProvisionedUser, SipAddress, SipUserKind};
use time::OffsetDateTime;

use super::{address, address_text, at_address, matches, user_id_of};
use crate::entity::{sip_alias, sip_phone, sip_user};
use crate::error::read;
use crate::sealing::{Keyring, Place};
use crate::{Store, StoreError, WriteTx, stored_time};

fn user_of(keys: &Keyring, row: sip_user::Model) -> Result<ProvisionedUser, StoreError> {
    let port = |port: i32, what: &str| {
        u16::try_from(port).map_err(|cause| StoreError::unreadable(format!("{what} of SIP user {}", row.id), cause))
    };
    Ok(ProvisionedUser {
        address: address(&row.username, &row.domain)?,
        kind: SipUserKind::parse(&row.kind).ok_or_else(|| StoreError::Corrupt(format!("SIP user kind {}", row.kind)))?,
        r_port: port(row.r_port, "r_port")?,
        p_port: port(row.p_port, "p_port")?,
        displayname: row.displayname,
        email: row.email,
        password: keys.open(Place::SipPassword, &row.password)?,
        authid: row.authid,
        registrar: row.registrar,
        proxy: row.proxy,
        dialplan: row.dialplan,
        linetext: row.linetext,
        account: row.account_id.map(steward_model::AccountId),
    })
}

fn new_row(keys: &Keyring, user: &ProvisionedUser, at: OffsetDateTime) -> Result<sip_user::ActiveModel, StoreError> {
    Ok(sip_user::ActiveModel {
        username: Set(user.address.user.as_str().to_owned()),
        domain: Set(user.address.domain.as_str().to_owned()),
        kind: Set(user.kind.as_str().to_owned()),
        displayname: Set(user.displayname.clone()),
        email: Set(user.email.clone()),
        password: Set(keys.seal(Place::SipPassword, &user.password)?),
        authid: Set(user.authid.clone()),
        registrar: Set(user.registrar.clone()),
        r_port: Set(i32::from(user.r_port)),
        proxy: Set(user.proxy.clone()),
        p_port: Set(i32::from(user.p_port)),
        dialplan: Set(user.dialplan.clone()),
        linetext: Set(user.linetext.clone()),
        account_id: Set(user.account.map(|account| account.0)),
        created_at: Set(stored_time(at)),
        updated_at: Set(stored_time(at)),
        ..Default::default()
    })
}

/// The user at `address`.
fn user_at(address: &SipAddress) -> Select<sip_user::Entity> {
    sip_user::Entity::find().filter(at_address(sip_user::Column::Username, sip_user::Column::Domain, address))
}

impl Store {
    /// The provisioned user at `address`.
    pub async fn sip_user(&self, address: &SipAddress) -> Result<Option<ProvisionedUser>, StoreError> {
        let keys = self.keys()?;
        user_at(address).one(&self.db).await?.map(|row| user_of(keys, row)).transpose()
    }

    /// Every local user, by domain then user name (what Kamailio must have).
    pub async fn sip_local_users(&self) -> Result<Vec<ProvisionedUser>, StoreError> {
        let keys = self.keys()?;
        sip_user::Entity::find()
            .filter(sip_user::Column::Kind.eq(SipUserKind::Local.as_str()))
            .order_by_asc(sip_user::Column::Domain)
            .order_by_asc(sip_user::Column::Username)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| user_of(keys, row))
            .collect()
    }

    /// Every provisioned user's address matching `search`, by domain then user name.
    pub async fn sip_user_addresses(&self, search: Option<&Glob>) -> Result<Vec<SipAddress>, StoreError> {
        let mut select = sip_user::Entity::find()
            .select_only()
            .columns([sip_user::Column::Username, sip_user::Column::Domain])
            .order_by_asc(sip_user::Column::Domain)
            .order_by_asc(sip_user::Column::Username);
        if let Some(glob) = search {
            select = select.filter(matches(address_text(sip_user::Column::Username, sip_user::Column::Domain), glob));
        }
        let rows: Vec<(String, String)> = select.into_tuple().all(&self.db).await?;
        rows.iter().map(|(user, domain)| address(user, domain)).collect()
    }
}

fn phone_count_select(address: &SipAddress) -> SelectStatement {
    Query::select()
        .expr_as(Expr::col(Asterisk).count(), "phones")
        .from(sip_phone::Entity)
        .and_where(Expr::col(sip_phone::Column::SipUserId).in_subquery(user_id_of(address)))
        .take()
}

fn phones_of(row: Option<sea_orm::QueryResult>) -> Result<u64, StoreError> {
    let phones: i64 = match row {
        Some(row) => read(&row, "phones")?,
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
        let keys = self.keys()?;
        user_at(address).one(&self.tx).await?.map(|row| user_of(keys, row)).transpose()
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
        let keys = self.keys()?;
        // 16 columns: 250 rows stay far inside both backends' bound-parameter limits.
        for chunk in users.chunks(250) {
            let rows = chunk.iter().map(|user| new_row(keys, user, at)).collect::<Result<Vec<_>, _>>()?;
            sip_user::Entity::insert_many(rows).exec_without_returning(&self.tx).await?;
        }
        Ok(())
    }

    /// Replaces a provisioned user's editable fields (password, display name, dial plan,
    /// line text); `false` if there is no such user.
    pub async fn update_sip_user(&self, user: &ProvisionedUser, at: OffsetDateTime) -> Result<bool, StoreError> {
        let sealed = self.keys()?.seal(Place::SipPassword, &user.password)?;
        let result = sip_user::Entity::update_many()
            .col_expr(sip_user::Column::Password, Expr::value(sealed))
            .col_expr(sip_user::Column::Displayname, Expr::value(user.displayname.clone()))
            .col_expr(sip_user::Column::Dialplan, Expr::value(user.dialplan.clone()))
            .col_expr(sip_user::Column::Linetext, Expr::value(user.linetext.clone()))
            .col_expr(sip_user::Column::UpdatedAt, Expr::value(stored_time(at)))
            .filter(at_address(sip_user::Column::Username, sip_user::Column::Domain, &user.address))
            .exec(&self.tx)
            .await?;
        Ok(result.rows_affected > 0)
    }

    /// Deletes a provisioned user; `false` if there was none. Its phones must be gone.
    pub async fn delete_sip_user(&self, address: &SipAddress) -> Result<bool, StoreError> {
        let result = sip_user::Entity::delete_many()
            .filter(at_address(sip_user::Column::Username, sip_user::Column::Domain, address))
            .exec(&self.tx)
            .await?;
        Ok(result.rows_affected > 0)
    }

    /// How many phones carry the user at `address`, read in this transaction.
    pub async fn sip_phone_count(&self, address: &SipAddress) -> Result<u64, StoreError> {
        phones_of(self.tx.query_one(&phone_count_select(address)).await?)
    }

    /// Removes the aliases whose destination is `address`; returns their addresses.
    pub async fn delete_sip_aliases_to(&self, destination: &SipAddress) -> Result<Vec<SipAddress>, StoreError> {
        let leading_here = at_address(sip_alias::Column::Username, sip_alias::Column::Domain, destination);
        let rows: Vec<(String, String)> = sip_alias::Entity::find()
            .select_only()
            .columns([sip_alias::Column::AliasUsername, sip_alias::Column::AliasDomain])
            .filter(leading_here.clone())
            .into_tuple()
            .all(&self.tx)
            .await?;
        let aliases = rows.iter().map(|(user, domain)| address(user, domain)).collect::<Result<Vec<_>, _>>()?;
        sip_alias::Entity::delete_many().filter(leading_here).exec(&self.tx).await?;
        Ok(aliases)
    }
}
