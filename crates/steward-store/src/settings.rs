//! Settings changed at run time through an API (Janua's auth backends), as JSON by key.

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::ConnectionTrait;
use time::OffsetDateTime;

use crate::{Store, StoreError, WriteTx, stored_time};

impl Store {
    /// The JSON stored under `key`, if any.
    pub async fn setting(&self, key: &str) -> Result<Option<serde_json::Value>, StoreError> {
        let select = Query::select().column("value").from("settings").and_where(Expr::col("key").eq(key)).take();
        let row = self.db.query_one(&select).await?;
        let Some(row) = row else { return Ok(None) };
        let text: String = row.try_get("", "value").map_err(|error| StoreError::Corrupt(error.to_string()))?;
        serde_json::from_str(&text).map(Some).map_err(|error| StoreError::Corrupt(format!("setting {key}: {error}")))
    }
}

impl Store {
    /// The JSON under `key`, storing `value` there first if nothing was: instances starting
    /// together all end up with the one value the first of them stored.
    pub async fn setting_or_insert(&self, key: &str, value: &serde_json::Value, now: OffsetDateTime) -> Result<serde_json::Value, StoreError> {
        let insert = Query::insert()
            .into_table("settings")
            .columns(["key", "value", "updated_at"])
            .values([key.into(), value.to_string().into(), stored_time(now).into()])
            .map_err(|error| StoreError::Corrupt(error.to_string()))?
            .on_conflict(OnConflict::column("key").do_nothing().to_owned())
            .take();
        self.db.execute(&insert).await?;
        self.setting(key).await?.ok_or_else(|| StoreError::Corrupt(format!("setting {key} vanished")))
    }
}

impl WriteTx {
    /// Stores `value` under `key`, replacing what was there.
    pub async fn set_setting(&self, key: &str, value: &serde_json::Value, now: OffsetDateTime) -> Result<(), StoreError> {
        let insert = Query::insert()
            .into_table("settings")
            .columns(["key", "value", "updated_at"])
            .values([key.into(), value.to_string().into(), stored_time(now).into()])
            .map_err(|error| StoreError::Corrupt(error.to_string()))?
            .on_conflict(OnConflict::column("key").update_columns(["value", "updated_at"]).to_owned())
            .take();
        self.tx.execute(&insert).await?;
        Ok(())
    }
}
