//! `memberships`: an account's place in a project, with dRofus' role and rights.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "memberships")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub project_id: i64,
    pub role: Option<String>,
    pub user_role_id: Option<i32>,
    pub superuser: Option<bool>,
    pub room_rights: Option<i32>,
    pub equipment_rights: Option<i32>,
    pub tender_rights: Option<i32>,
    pub consignation_rights: Option<i32>,
    pub system_rights: Option<i32>,
    pub modelstore_rights: Option<i32>,
    pub room_surface_treatment_rights: Option<i32>,
    pub addon_admin: Option<bool>,
    pub no_web_admin_access: Option<bool>,
    pub hide_price: Option<bool>,
    pub disabled: bool,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[allow(missing_docs)]
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
