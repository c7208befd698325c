//! `projects`: what dRofus, Adjutant and `steward project` administer, one row each.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub number: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
    pub active: bool,
    pub owner_id: Option<i64>,
    pub tenant_database_id: Option<i64>,
    pub project_type_id: Option<i64>,
    pub constructor: Option<String>,
    pub contact: Option<String>,
    pub status: Option<String>,
    pub gross_area: Option<f64>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub created_by: Option<String>,
    pub updated_at: Option<TimeDateTimeWithTimeZone>,
    pub updated_by: Option<String>,
}

#[allow(missing_docs)]
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
