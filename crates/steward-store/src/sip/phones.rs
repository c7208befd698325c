//! Phones' rows: which SIP users a phone (its MAC address) carries.

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select, Set};
use steward_model::sip::{Glob, MacAddress, SipAddress};
use time::OffsetDateTime;

use super::{address, matches, user_id_of};
use crate::entity::{sip_phone, sip_user};
use crate::error::read;
use crate::{Store, StoreError, WriteTx, stored_time};

/// A stored MAC address read back.
fn mac_of(mac: &str) -> Result<MacAddress, StoreError> {
    MacAddress::parse(mac).map_err(|cause| StoreError::unreadable(format!("MAC address {mac}"), cause))
}

/// The MAC addresses `select` (of `sip_phones.mac`) finds.
async fn macs<C: ConnectionTrait>(db: &C, select: Select<sip_phone::Entity>) -> Result<Vec<MacAddress>, StoreError> {
    let rows: Vec<String> =
        select.select_only().column(sip_phone::Column::Mac).order_by_asc(sip_phone::Column::Mac).into_tuple().all(db).await?;
    rows.iter().map(|mac| mac_of(mac)).collect()
}

impl Store {
    /// The users on the phone `mac`, by address.
    pub async fn sip_phone_users(&self, mac: &MacAddress) -> Result<Vec<SipAddress>, StoreError> {
        let select = Query::select()
            .columns([(sip_user::Entity, sip_user::Column::Username), (sip_user::Entity, sip_user::Column::Domain)])
            .from(sip_phone::Entity)
            .inner_join(
                sip_user::Entity,
                Expr::col((sip_user::Entity, sip_user::Column::Id)).equals((sip_phone::Entity, sip_phone::Column::SipUserId)),
            )
            .and_where(Expr::col((sip_phone::Entity, sip_phone::Column::Mac)).eq(mac.as_str()))
            .order_by((sip_user::Entity, sip_user::Column::Domain), sea_orm::Order::Asc)
            .order_by((sip_user::Entity, sip_user::Column::Username), sea_orm::Order::Asc)
            .take();
        let rows = self.db.query_all(&select).await?;
        rows.iter()
            .map(|row| {
                let user: String = read(row, sip_user::Column::Username)?;
                address(&user, &read::<String>(row, sip_user::Column::Domain)?)
            })
            .collect()
    }

    /// The phones carrying the user at `address`, sorted.
    pub async fn sip_user_phones(&self, address: &SipAddress) -> Result<Vec<MacAddress>, StoreError> {
        macs(&self.db, sip_phone::Entity::find().filter(sip_phone::Column::SipUserId.in_subquery(user_id_of(address)))).await
    }

    /// Every phone with at least one user, matching `search` (over the twelve digits).
    pub async fn sip_phone_macs(&self, search: Option<&Glob>) -> Result<Vec<MacAddress>, StoreError> {
        let mut select = sip_phone::Entity::find().distinct();
        if let Some(glob) = search {
            select = select.filter(matches(Expr::col(sip_phone::Column::Mac), glob));
        }
        macs(&self.db, select).await
    }
}

impl WriteTx {
    /// Puts the user at `address` on the phone `mac`; `Ok(false)` if there is no such user.
    /// A pair already present is a `Conflict`.
    pub async fn insert_sip_phone(&self, mac: &MacAddress, address: &SipAddress, at: OffsetDateTime) -> Result<bool, StoreError> {
        let Some(row) = self.tx.query_one(&user_id_of(address)).await? else {
            return Ok(false);
        };
        let row = sip_phone::ActiveModel {
            mac: Set(mac.as_str().to_owned()),
            sip_user_id: Set(read(&row, sip_user::Column::Id)?),
            created_at: Set(stored_time(at)),
            ..Default::default()
        };
        sip_phone::Entity::insert(row).exec_without_returning(&self.tx).await?;
        Ok(true)
    }

    /// Takes the user at `address` off the phone `mac`; `false` if it was not on it.
    pub async fn delete_sip_phone(&self, mac: &MacAddress, address: &SipAddress) -> Result<bool, StoreError> {
        let result = sip_phone::Entity::delete_many()
            .filter(sip_phone::Column::Mac.eq(mac.as_str()))
            .filter(sip_phone::Column::SipUserId.in_subquery(user_id_of(address)))
            .exec(&self.tx)
            .await?;
        Ok(result.rows_affected > 0)
    }
}
