//! Phones' rows: which SIP users a phone (its MAC address) carries.

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::ConnectionTrait;
use steward_model::sip::{Glob, MacAddress, SipAddress};
use time::OffsetDateTime;

use super::{user_id_of, address_in, corrupt, matches};
use crate::{Store, StoreError, WriteTx, stored_time};


impl Store {
    /// The users on the phone `mac`, by address.
    pub async fn sip_phone_users(&self, mac: &MacAddress) -> Result<Vec<SipAddress>, StoreError> {
        let select = Query::select()
            .columns([("sip_users", "username"), ("sip_users", "domain")])
            .from("sip_phones")
            .inner_join("sip_users", Expr::col(("sip_users", "id")).equals(("sip_phones", "sip_user_id")))
            .and_where(Expr::col(("sip_phones", "mac")).eq(mac.as_str()))
            .order_by(("sip_users", "domain"), sea_orm::Order::Asc)
            .order_by(("sip_users", "username"), sea_orm::Order::Asc)
            .take();
        self.db.query_all(&select).await?.iter().map(|row| address_in(row, "username", "domain")).collect()
    }

    /// The phones carrying the user at `address`, sorted.
    pub async fn sip_user_phones(&self, address: &SipAddress) -> Result<Vec<MacAddress>, StoreError> {
        let select = Query::select()
            .column("mac")
            .from("sip_phones")
            .and_where(Expr::col("sip_user_id").in_subquery(user_id_of(address)))
            .order_by("mac", sea_orm::Order::Asc)
            .take();
        self.db
            .query_all(&select)
            .await?
            .iter()
            .map(|row| MacAddress::parse(&row.try_get::<String>("", "mac").map_err(corrupt)?).map_err(corrupt))
            .collect()
    }

    /// Every phone with at least one user, matching `search` (over the twelve digits).
    pub async fn sip_phone_macs(&self, search: Option<&Glob>) -> Result<Vec<MacAddress>, StoreError> {
        let mut select = Query::select().distinct().column("mac").from("sip_phones").order_by("mac", sea_orm::Order::Asc).take();
        if let Some(glob) = search {
            select.and_where(matches(Expr::col("mac"), glob));
        }
        self.db
            .query_all(&select)
            .await?
            .iter()
            .map(|row| MacAddress::parse(&row.try_get::<String>("", "mac").map_err(corrupt)?).map_err(corrupt))
            .collect()
    }
}

impl WriteTx {
    /// Puts the user at `address` on the phone `mac`; `Ok(false)` if there is no such user.
    /// A pair already present is a `Conflict`.
    pub async fn insert_sip_phone(&self, mac: &MacAddress, address: &SipAddress, at: OffsetDateTime) -> Result<bool, StoreError> {
        let Some(row) = self.tx.query_one(&user_id_of(address)).await? else {
            return Ok(false);
        };
        let user_id: i64 = row.try_get("", "id").map_err(corrupt)?;
        let insert = Query::insert()
            .into_table("sip_phones")
            .columns(["mac", "sip_user_id", "created_at"])
            .values([mac.as_str().into(), user_id.into(), stored_time(at).into()])
            .map_err(corrupt)?
            .take();
        self.tx.execute(&insert).await?;
        Ok(true)
    }

    /// Takes the user at `address` off the phone `mac`; `false` if it was not on it.
    pub async fn delete_sip_phone(&self, mac: &MacAddress, address: &SipAddress) -> Result<bool, StoreError> {
        let delete = Query::delete()
            .from_table("sip_phones")
            .and_where(Expr::col("mac").eq(mac.as_str()))
            .and_where(Expr::col("sip_user_id").in_subquery(user_id_of(address)))
            .take();
        Ok(self.tx.execute(&delete).await?.rows_affected() > 0)
    }
}
