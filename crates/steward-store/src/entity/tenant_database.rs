//! `tenant_databases`: the databases that hold projects' data, templates among them.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenant_databases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "String(StringLen::N(63))", unique)]
    pub name: String,
    pub template: bool,
    #[sea_orm(column_type = "String(StringLen::N(8))")]
    pub engine: String,
    #[sea_orm(column_type = "String(StringLen::N(8))")]
    pub status: String,
    #[sea_orm(column_type = "Text")]
    pub failure: Option<String>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[allow(missing_docs)]
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
