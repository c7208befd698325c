//! `janua_profiles`: the Janua attributes of an account (names, recipient filter, client, quota mail).

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "janua_profiles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: i64,
    pub firstname: String,
    pub last_name: String,
    pub recipient_filter: bool,
    pub has_client: bool,
    pub last_quota_reached: Option<TimeDateTimeWithTimeZone>,
    pub phone_token: Option<String>,
}

#[allow(missing_docs)]
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
