//! `workflow_tokens`: task tokens, found by the SHA-256 of what a user presents. The value
//! itself is kept beside the hash because Adjutant lists tokens to admins (E8); issue 14
//! seals it under the data key like every other secret Steward must read back.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workflow_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub token: String,
    pub task_uuid: String,
    pub created_on: TimeDateTimeWithTimeZone,
    pub expires: TimeDateTimeWithTimeZone,
}

#[allow(missing_docs)]
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::workflow_task::Entity", from = "Column::TaskUuid", to = "super::workflow_task::Column::Uuid")]
    Task,
}

impl Related<super::workflow_task::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Task.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
