//! Quota resources, per-account limits and usage counters.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use steward_model::{AccountId, Resource};
use time::OffsetDateTime;

use crate::entity::{quota_limit, resource, usage};
use crate::{Store, StoreError, WriteTx, stored_time};

/// One resource as one account sees it: its effective limit and current usage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaRow {
    /// The resource.
    pub resource: Resource,
    /// The account's own limit, else the resource's default.
    pub limit: i64,
    /// Current usage (0 when nothing was reported).
    pub used: i64,
}

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

    /// Every resource with `account`'s effective limit and usage.
    pub async fn quotas_of(&self, account: AccountId) -> Result<Vec<QuotaRow>, StoreError> {
        let resources = resource::Entity::find().order_by_asc(resource::Column::Name).all(&self.db).await?;
        let limits = quota_limit::Entity::find()
            .filter(quota_limit::Column::AccountId.eq(account.0))
            .all(&self.db)
            .await?;
        let usages = usage::Entity::find().filter(usage::Column::AccountId.eq(account.0)).all(&self.db).await?;
        Ok(resources
            .into_iter()
            .map(|row| {
                let limit = limits
                    .iter()
                    .find(|limit| limit.resource_id == row.id)
                    .map_or(row.default_limit, |limit| limit.limit_value);
                let used = usages.iter().find(|usage| usage.resource_id == row.id).map_or(0, |usage| usage.used);
                QuotaRow { resource: to_resource(row), limit, used }
            })
            .collect())
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
    /// (`janua.sms`) its window letter; [`StoreError::NotFound`] for an unknown resource.
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
                .update_columns([quota_limit::Column::LimitValue, quota_limit::Column::Window])
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
