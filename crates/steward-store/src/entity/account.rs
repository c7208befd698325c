//! `accounts`: one row per person, shared by every face.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uuid: Uuid,
    pub login: String,
    #[sea_orm(unique)]
    pub login_key: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    pub password_hash: Option<String>,
    pub auth_backend: String,
    pub terms_accepted_at: Option<TimeDateTimeWithTimeZone>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
}

#[allow(missing_docs)]
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
