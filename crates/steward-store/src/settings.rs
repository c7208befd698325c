//! Settings changed at run time through an API (Janua's auth backends), as JSON by key.

use sea_orm::sea_query::OnConflict;
use sea_orm::{EntityTrait, Set};
use time::OffsetDateTime;

use crate::entity::setting;
use crate::{Store, StoreError, WriteTx, stored_time};

/// `value` stored under `key` at `now`.
fn row(key: &str, value: &serde_json::Value, now: OffsetDateTime) -> setting::ActiveModel {
    setting::ActiveModel { key: Set(key.to_owned()), value: Set(value.to_string()), updated_at: Set(stored_time(now)) }
}

impl Store {
    /// The JSON stored under `key`, if any.
    pub async fn setting(&self, key: &str) -> Result<Option<serde_json::Value>, StoreError> {
        let Some(row) = setting::Entity::find_by_id(key).one(&self.db).await? else { return Ok(None) };
        serde_json::from_str(&row.value).map(Some).map_err(|cause| StoreError::unreadable(format!("setting {key}"), cause))
    }
}

impl Store {
    /// The JSON under `key`, storing `value` there first if nothing was: instances starting
    /// together all end up with the one value the first of them stored.
    pub async fn setting_or_insert(&self, key: &str, value: &serde_json::Value, now: OffsetDateTime) -> Result<serde_json::Value, StoreError> {
        setting::Entity::insert(row(key, value, now))
            .on_conflict(OnConflict::column(setting::Column::Key).do_nothing().to_owned())
            .exec_without_returning(&self.db)
            .await?;
        self.setting(key).await?.ok_or_else(|| StoreError::Corrupt(format!("setting {key} vanished")))
    }
}

/// Where the key delivery-report references are signed with is kept, sealed.
pub(crate) const REPORT_KEY_SETTING: &str = "sms.report_key";

impl Store {
    /// The key delivery-report references are signed with, storing `fresh` first (sealed)
    /// if there was none: instances starting together all end up with the first one's.
    pub async fn report_key_or_insert(&self, fresh: &str, now: OffsetDateTime) -> Result<String, StoreError> {
        let keys = self.keys()?;
        let sealed = serde_json::Value::String(keys.seal(crate::sealing::Place::ReportKey, fresh)?);
        let stored = self.setting_or_insert(REPORT_KEY_SETTING, &sealed, now).await?;
        let stored = stored.as_str().ok_or_else(|| StoreError::Corrupt(format!("setting {REPORT_KEY_SETTING} is not text")))?;
        keys.open(crate::sealing::Place::ReportKey, stored)
    }
}

impl WriteTx {
    /// Stores `value` under `key`, replacing what was there.
    pub async fn set_setting(&self, key: &str, value: &serde_json::Value, now: OffsetDateTime) -> Result<(), StoreError> {
        setting::Entity::insert(row(key, value, now))
            .on_conflict(
                OnConflict::column(setting::Column::Key)
                    .update_columns([setting::Column::Value, setting::Column::UpdatedAt])
                    .to_owned(),
            )
            .exec_without_returning(&self.tx)
            .await?;
        Ok(())
    }
}
