//! Quota resources, per-account limits and usage counters.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use steward_model::records::Quota;
use steward_model::{AccountId, Resource};
use time::OffsetDateTime;

use crate::entity::{quota_limit, resource, usage};
use crate::error::read;
use crate::{Store, StoreError, WriteTx, stored_time};

fn to_resource(row: resource::Model) -> Resource {
    Resource { name: row.name, unit: row.unit, default_limit: row.default_limit, description: row.description }
}

/// One account's limit on one resource, with the resource's window when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    /// The limit.
    pub value: i64,
    /// The window letter (`D`, `W`, `M`, `Y`) of a resetting counter.
    pub window: Option<char>,
}

impl Store {
    /// `account`'s limit on `resource`: its own, else the resource's default; `None` for an
    /// unknown resource.
    pub async fn limit_of(&self, account: AccountId, resource: &str) -> Result<Option<Limit>, StoreError> {
        let Some(row) = resource::Entity::find().filter(resource::Column::Name.eq(resource)).one(&self.db).await? else {
            return Ok(None);
        };
        let own = quota_limit::Entity::find_by_id((account.0, row.id)).one(&self.db).await?;
        let letter = |window: Option<String>| window.and_then(|window| window.chars().next());
        Ok(Some(match own {
            Some(own) => Limit { value: own.limit_value, window: letter(own.window).or(letter(row.window)) },
            None => Limit { value: row.default_limit, window: letter(row.window) },
        }))
    }

    /// Every resource, by name.
    pub async fn resources(&self) -> Result<Vec<Resource>, StoreError> {
        let rows = resource::Entity::find().order_by_asc(resource::Column::Name).all(&self.db).await?;
        Ok(rows.into_iter().map(to_resource).collect())
    }

    /// Every resource with `account`'s effective limit and usage, by name: one statement,
    /// the resources joined with the account's own limits and usage.
    pub async fn quotas_of(&self, account: AccountId) -> Result<Vec<Quota>, StoreError> {
        use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, Query};
        // A resource's row of a per-account table (`quota_limits`, `usages`), for `account`.
        fn of_account<C: ColumnTrait>(resource_id: C, account_id: C, account: AccountId) -> Condition {
            Condition::all()
                .add(Expr::col(resource_id.as_column_ref()).equals((resource::Entity, resource::Column::Id)))
                .add(account_id.eq(account.0))
        }
        let resources = |column: resource::Column| Expr::col((resource::Entity, column));
        let query = Query::select()
            .expr_as(resources(resource::Column::Name), "name")
            .expr_as(resources(resource::Column::Unit), "unit")
            .expr_as(resources(resource::Column::DefaultLimit), "default_limit")
            .expr_as(resources(resource::Column::Description), "description")
            .expr_as(
                Func::coalesce([
                    Expr::col((quota_limit::Entity, quota_limit::Column::LimitValue)),
                    resources(resource::Column::DefaultLimit),
                ]),
                "effective_limit",
            )
            .expr_as(Func::coalesce([Expr::col((usage::Entity, usage::Column::Used)), Expr::val(0i64)]), "used")
            .expr_as(
                Func::coalesce([
                    Expr::col((quota_limit::Entity, quota_limit::Column::Window)),
                    resources(resource::Column::Window),
                ]),
                "effective_window",
            )
            .from(resource::Entity)
            .left_join(quota_limit::Entity, of_account(quota_limit::Column::ResourceId, quota_limit::Column::AccountId, account))
            .left_join(usage::Entity, of_account(usage::Column::ResourceId, usage::Column::AccountId, account))
            .order_by((resource::Entity, resource::Column::Name), sea_orm::sea_query::Order::Asc)
            .take();
        self.db
            .query_all(&query)
            .await?
            .iter()
            .map(|row| {
                let window: Option<String> = read(row, "effective_window")?;
                Ok(Quota {
                    resource: Resource {
                        name: read(row, "name")?,
                        unit: read(row, "unit")?,
                        default_limit: read(row, "default_limit")?,
                        description: read(row, "description")?,
                    },
                    limit: read(row, "effective_limit")?,
                    used: read(row, "used")?,
                    window: window.and_then(|window| window.chars().next()),
                })
            })
            .collect()
    }
}

impl WriteTx {
    async fn resource_id(&self, name: &str) -> Result<i64, StoreError> {
        resource::Entity::find()
            .filter(resource::Column::Name.eq(name))
            .one(&self.tx)
            .await?
            .map(|row| row.id)
            .ok_or(StoreError::NotFound)
    }

    /// Registers a resource. A taken name is [`StoreError::Conflict`].
    pub async fn insert_resource(&self, new: &Resource, now: OffsetDateTime) -> Result<(), StoreError> {
        resource::ActiveModel {
            name: Set(new.name.clone()),
            unit: Set(new.unit.clone()),
            default_limit: Set(new.default_limit),
            window: Set(None),
            description: Set(new.description.clone()),
            created_at: Set(stored_time(now)),
            ..Default::default()
        }
        .insert(&self.tx)
        .await?;
        Ok(())
    }

    /// Sets one account's own limit for a resource, and for a windowed resource
    /// (`janua.sms`) its window letter; without a letter, the window the account already
    /// has is kept (an operator changing a limit does not change its period).
    /// [`StoreError::NotFound`] for an unknown resource.
    pub async fn set_quota(&self, account: AccountId, resource: &str, limit: i64, window: Option<char>) -> Result<(), StoreError> {
        let resource_id = self.resource_id(resource).await?;
        quota_limit::Entity::insert(quota_limit::ActiveModel {
            account_id: Set(account.0),
            resource_id: Set(resource_id),
            limit_value: Set(limit),
            window: Set(window.map(String::from)),
        })
        .on_conflict(
            OnConflict::columns([quota_limit::Column::AccountId, quota_limit::Column::ResourceId])
                .update_columns(if window.is_some() {
                    vec![quota_limit::Column::LimitValue, quota_limit::Column::Window]
                } else {
                    vec![quota_limit::Column::LimitValue]
                })
                .to_owned(),
        )
        .exec(&self.tx)
        .await?;
        Ok(())
    }

    /// Sets one account's current usage of a resource.
    pub async fn set_usage(&self, account: AccountId, resource: &str, used: i64, now: OffsetDateTime) -> Result<(), StoreError> {
        let resource_id = self.resource_id(resource).await?;
        usage::Entity::insert(usage::ActiveModel {
            account_id: Set(account.0),
            resource_id: Set(resource_id),
            used: Set(used),
            updated_at: Set(stored_time(now)),
        })
        .on_conflict(
            OnConflict::columns([usage::Column::AccountId, usage::Column::ResourceId])
                .update_columns([usage::Column::Used, usage::Column::UpdatedAt])
                .to_owned(),
        )
        .exec(&self.tx)
        .await?;
        Ok(())
    }
}
