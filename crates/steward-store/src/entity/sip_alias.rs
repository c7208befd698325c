//! `sip_aliases`: addresses leading to a SIP user (mirrored into Kamailio's `dbaliases`).

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sip_aliases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "String(StringLen::N(64))")]
    pub alias_username: String,
    #[sea_orm(column_type = "String(StringLen::N(64))")]
    pub alias_domain: String,
    #[sea_orm(column_type = "String(StringLen::N(64))")]
    pub username: String,
    #[sea_orm(column_type = "String(StringLen::N(64))")]
    pub domain: String,
    pub created_at: TimeDateTimeWithTimeZone,
}

#[allow(missing_docs)]
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
