//! `janua_sms`: Janua's SMS log, one row per SMS queued, sent, delivered or received.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "janua_sms")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub date_time: TimeDateTimeWithTimeZone,
    #[sea_orm(column_type = "Text")]
    pub sender: String,
    #[sea_orm(column_type = "Text")]
    pub recipient: String,
    pub recipient_phone_number: String,
    #[sea_orm(column_type = "Text")]
    pub raw_message: String,
    pub authorized: bool,
    pub status: i32,
    pub number_of_slices: i32,
    pub reference: Option<String>,
    pub admin_id: i64,
}

#[allow(missing_docs)]
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
