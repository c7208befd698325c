//! `sip_users`: Hermes' SIP users, local (Kamailio subscribers) or at a remote registrar.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sip_users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "String(StringLen::N(64))")]
    pub username: String,
    #[sea_orm(column_type = "String(StringLen::N(64))")]
    pub domain: String,
    #[sea_orm(column_type = "String(StringLen::N(8))")]
    pub kind: String,
    #[sea_orm(column_type = "String(StringLen::N(128))")]
    pub displayname: String,
    #[sea_orm(column_type = "String(StringLen::N(128))")]
    pub email: Option<String>,
    /// Sealed (see `sealing`), hence `text` since m0011.
    #[sea_orm(column_type = "Text")]
    pub password: String,
    #[sea_orm(column_type = "String(StringLen::N(64))")]
    pub authid: String,
    #[sea_orm(column_type = "String(StringLen::N(64))")]
    pub registrar: String,
    pub r_port: i32,
    #[sea_orm(column_type = "String(StringLen::N(64))")]
    pub proxy: String,
    pub p_port: i32,
    #[sea_orm(column_type = "String(StringLen::N(255))")]
    pub dialplan: String,
    #[sea_orm(column_type = "String(StringLen::N(64))")]
    pub linetext: String,
    pub account_id: Option<i64>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[allow(missing_docs)]
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
