//! Notifications: written by the core when a task needs approval or something failed, read
//! and acknowledged by admins.

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use steward_model::filter::Search;
use steward_model::workflow::{Acknowledgement, Notification};

use super::fields::NOTIFICATION_FIELDS;
use crate::entity::workflow_notification as notification;
use crate::filter::{self, Window};
use crate::{Store, StoreError, WriteTx, stored_time};

impl Store {
    /// The notifications `search` matches, newest first; `window` of them when given.
    pub async fn notifications(&self, search: &Search, window: Option<Window>) -> Result<Vec<Notification>, StoreError> {
        let condition = filter::condition(search, &NOTIFICATION_FIELDS, self.backend, &self.local_zone)?;
        let mut select = notification::Entity::find().filter(condition).order_by_desc(notification::Column::CreatedOn).order_by_desc(notification::Column::Id);
        if let Some(window) = window {
            select = select.offset(window.offset).limit(window.limit);
        }
        select.all(&self.db).await?.into_iter().map(to_notification).collect()
    }

    /// How many notifications `search` matches.
    pub async fn notification_count(&self, search: &Search) -> Result<u64, StoreError> {
        let condition = filter::condition(search, &NOTIFICATION_FIELDS, self.backend, &self.local_zone)?;
        Ok(notification::Entity::find().filter(condition).count(&self.db).await?)
    }

    /// Every unacknowledged error notification, newest first (the status page's).
    pub async fn open_error_notifications(&self) -> Result<Vec<Notification>, StoreError> {
        let rows = notification::Entity::find()
            .filter(notification::Column::Error.eq(true))
            .filter(notification::Column::Acknowledged.eq(false))
            .order_by_desc(notification::Column::CreatedOn)
            .order_by_desc(notification::Column::Id)
            .all(&self.db)
            .await?;
        rows.into_iter().map(to_notification).collect()
    }

    /// The notification `uuid` names.
    pub async fn notification(&self, uuid: &str) -> Result<Option<Notification>, StoreError> {
        notification_named(&self.db, uuid).await
    }
}

impl WriteTx {
    /// The notification `uuid` names, read inside this transaction.
    pub async fn notification(&self, uuid: &str) -> Result<Option<Notification>, StoreError> {
        notification_named(&self.tx, uuid).await
    }

    /// Stores a notification.
    pub async fn insert_notification(&self, notification: &Notification) -> Result<(), StoreError> {
        notification::ActiveModel {
            uuid: Set(notification.uuid.clone()),
            task_uuid: Set(notification.task.clone()),
            notes: Set(notification.notes.to_string()),
            error: Set(notification.error),
            acknowledged: Set(notification.acknowledgement == Acknowledgement::Acknowledged),
            created_on: Set(stored_time(notification.created_on)),
            ..Default::default()
        }
        .insert(&self.tx)
        .await?;
        Ok(())
    }

    /// Acknowledges the open notifications among `uuids`; returns how many were open.
    pub async fn acknowledge_notifications(&self, uuids: &[String]) -> Result<u64, StoreError> {
        let mut count = 0;
        // Chunks keep each statement's parameters far below either backend's limit.
        for chunk in uuids.chunks(500) {
            count += notification::Entity::update_many()
                .col_expr(notification::Column::Acknowledged, Expr::value(true))
                .filter(notification::Column::Uuid.is_in(chunk.iter().cloned()))
                .filter(notification::Column::Acknowledged.eq(false))
                .exec(&self.tx)
                .await?
                .rows_affected;
        }
        Ok(count)
    }
}

async fn notification_named(db: &impl ConnectionTrait, uuid: &str) -> Result<Option<Notification>, StoreError> {
    notification::Entity::find().filter(notification::Column::Uuid.eq(uuid)).one(db).await?.map(to_notification).transpose()
}

fn to_notification(row: notification::Model) -> Result<Notification, StoreError> {
    Ok(Notification {
        notes: serde_json::from_str(&row.notes).map_err(|cause| StoreError::unreadable(format!("workflow notification {}", row.uuid), cause))?,
        uuid: row.uuid,
        task: row.task_uuid,
        error: row.error,
        acknowledgement: if row.acknowledged { Acknowledgement::Acknowledged } else { Acknowledgement::Open },
        created_on: row.created_on,
    })
}
