//! `workflow_tasks`: Adjutant's tasks, with their stage as its three flags and a version
//! every stage write bumps (a compare-and-set, so two approvals cannot both win).

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workflow_tasks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub uuid: String,
    pub task_type: String,
    pub hash_key: String,
    #[sea_orm(column_type = "Text")]
    pub keystone_user: String,
    pub project_id: Option<i64>,
    pub ip_address: Option<String>,
    pub approved: bool,
    #[sea_orm(column_type = "Text")]
    pub approved_by: String,
    pub approved_on: Option<TimeDateTimeWithTimeZone>,
    pub completed: bool,
    pub completed_on: Option<TimeDateTimeWithTimeZone>,
    pub cancelled: bool,
    #[sea_orm(column_type = "Text")]
    pub task_notes: String,
    #[sea_orm(column_type = "Text")]
    pub action_notes: String,
    pub created_on: TimeDateTimeWithTimeZone,
    pub version: i64,
}

#[allow(missing_docs)]
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
