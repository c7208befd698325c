//! Quota resources, per-account limits and usage counters.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use steward_model::records::Quota;
use steward_model::{AccountId, Resource};
use time::OffsetDateTime;

use crate::entity::{quota_limit, resource, usage};
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
        use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, Func, Query};
        let (resources, limits, usages) = (Alias::new("resources"), Alias::new("quota_limits"), Alias::new("usages"));
        let column = |table: &Alias, name: &str| Expr::col((table.clone(), Alias::new(name)));
        let of_account = |table: &Alias| {
            Condition::all()
                .add(column(table, "resource_id").equals((resources.clone(), Alias::new("id"))))
                .add(column(table, "account_id").eq(account.0))
        };
        let query = Query::select()
            .expr_as(column(&resources, "name"), "name")
            .expr_as(column(&resources, "unit"), "unit")
            .expr_as(column(&resources, "default_limit"), "default_limit")
            .expr_as(column(&resources, "description"), "description")
            .expr_as(Func::coalesce([column(&limits, "limit_value"), column(&resources, "default_limit")]), "effective_limit")
            .expr_as(Func::coalesce([column(&usages, "used"), Expr::val(0i64)]), "used")
            .expr_as(Func::coalesce([column(&limits, "window"), column(&resources, "window")]), "effective_window")
            .from(resources.clone())
            .left_join(limits.clone(), of_account(&limits))
            .left_join(usages.clone(), of_account(&usages))
            .order_by((resources.clone(), Alias::new("name")), sea_orm::sea_query::Order::Asc)
            .take();
        let corrupt = |error: sea_orm::DbErr| StoreError::Corrupt(error.to_string());
        self.db
            .query_all(&query)
            .await?
            .into_iter()
            .map(|row| {
                let window: Option<String> = row.try_get("", "effective_window").map_err(corrupt)?;
                Ok(Quota {
                    resource: Resource {
                        name: row.try_get("", "name").map_err(corrupt)?,
                        unit: row.try_get("", "unit").map_err(corrupt)?,
                        default_limit: row.try_get("", "default_limit").map_err(corrupt)?,
                        description: row.try_get("", "description").map_err(corrupt)?,
                    },
                    limit: row.try_get("", "effective_limit").map_err(corrupt)?,
                    used: row.try_get("", "used").map_err(corrupt)?,
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
