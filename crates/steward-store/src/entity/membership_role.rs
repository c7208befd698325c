//! `membership_roles`: the role names a membership holds on its project (Adjutant's).

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "membership_roles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub membership_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub role: String,
}

#[allow(missing_docs)]
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
