//! Owners' rows.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use steward_model::projects::{Owner, OwnerDetails, OwnerId};
use time::OffsetDateTime;

use crate::entity::{owner, project};
use crate::{Store, StoreError, WriteTx, stored_time};

fn owner_of(row: owner::Model) -> Owner {
    Owner {
        id: OwnerId(row.id),
        name: row.name,
        details: OwnerDetails {
            address: row.address,
            billing_address: row.billing_address,
            contact: row.contact,
            image: row.image,
            network: row.network,
            note: row.note,
            tech_contact: row.tech_contact,
        },
    }
}

/// The uniqueness key of an owner's name.
fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// `details` written over `row`.
fn with_details(mut row: owner::ActiveModel, details: OwnerDetails) -> owner::ActiveModel {
    row.address = Set(details.address);
    row.billing_address = Set(details.billing_address);
    row.contact = Set(details.contact);
    row.image = Set(details.image);
    row.network = Set(details.network);
    row.note = Set(details.note);
    row.tech_contact = Set(details.tech_contact);
    row
}

impl Store {
    /// Every owner, by id.
    pub async fn owners(&self) -> Result<Vec<Owner>, StoreError> {
        Ok(owner::Entity::find().order_by_asc(owner::Column::Id).all(&self.db).await?.into_iter().map(owner_of).collect())
    }

    /// The owner `id`.
    pub async fn owner(&self, id: OwnerId) -> Result<Option<Owner>, StoreError> {
        Ok(owner::Entity::find_by_id(id.0).one(&self.db).await?.map(owner_of))
    }
}

impl WriteTx {
    /// The owner `id`, read in this transaction.
    pub async fn owner(&self, id: OwnerId) -> Result<Option<Owner>, StoreError> {
        Ok(owner::Entity::find_by_id(id.0).one(&self.tx).await?.map(owner_of))
    }

    /// The owner named `name`, whatever the case.
    pub async fn owner_named(&self, name: &str) -> Result<Option<Owner>, StoreError> {
        Ok(owner::Entity::find().filter(owner::Column::NameKey.eq(name_key(name))).one(&self.tx).await?.map(owner_of))
    }

    /// Whether another owner than `except` is named `name`, whatever the case.
    pub async fn owner_name_taken(&self, name: &str, except: Option<OwnerId>) -> Result<bool, StoreError> {
        let mut query = owner::Entity::find().filter(owner::Column::NameKey.eq(name_key(name)));
        if let Some(except) = except {
            query = query.filter(owner::Column::Id.ne(except.0));
        }
        Ok(query.count(&self.tx).await? > 0)
    }

    /// Inserts an owner. A taken name is [`StoreError::Conflict`].
    pub async fn insert_owner(&self, name: &str, details: OwnerDetails, now: OffsetDateTime) -> Result<Owner, StoreError> {
        let now = stored_time(now);
        let row = owner::ActiveModel {
            name: Set(name.to_owned()),
            name_key: Set(name_key(name)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        Ok(owner_of(with_details(row, details).insert(&self.tx).await?))
    }

    /// Writes an owner's name and details.
    pub async fn update_owner(&self, id: OwnerId, name: &str, details: OwnerDetails, now: OffsetDateTime) -> Result<Owner, StoreError> {
        let row = owner::ActiveModel {
            id: Set(id.0),
            name: Set(name.to_owned()),
            name_key: Set(name_key(name)),
            updated_at: Set(stored_time(now)),
            ..Default::default()
        };
        Ok(owner_of(with_details(row, details).update(&self.tx).await?))
    }

    /// How many projects `id` owns.
    pub async fn owned_project_count(&self, id: OwnerId) -> Result<u64, StoreError> {
        Ok(project::Entity::find().filter(project::Column::OwnerId.eq(id.0)).count(&self.tx).await?)
    }

    /// Deletes the owner `id` (its projects must be gone).
    pub async fn delete_owner(&self, id: OwnerId) -> Result<(), StoreError> {
        owner::Entity::delete_by_id(id.0).exec(&self.tx).await?;
        Ok(())
    }
}
