//! Projects' rows, with the name of the database each lives in.

use std::collections::HashMap;

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use steward_model::projects::{DatabaseName, OwnerId, Project, ProjectDetails, ProjectId, ProjectListing, ProjectType};
use time::OffsetDateTime;

use crate::entity::{project, project_type, tenant_database};
use crate::{Store, StoreError, WriteTx, stored_time};

/// A project as written at creation.
#[derive(Debug, Clone)]
pub struct NewProjectRow {
    /// See [`Project::name`].
    pub name: String,
    /// See [`Project::owner_id`].
    pub owner_id: Option<OwnerId>,
    /// The key of the database it lives in, if any.
    pub tenant_database_id: Option<i64>,
    /// See [`Project::details`].
    pub details: ProjectDetails,
    /// See [`Project::created_by`].
    pub created_by: Option<String>,
}

fn project_of(row: project::Model, database: Option<DatabaseName>) -> Project {
    Project {
        id: ProjectId(row.id),
        name: row.name,
        active: row.active,
        owner_id: row.owner_id.map(OwnerId),
        database,
        details: ProjectDetails {
            number: row.number,
            description: row.description,
            contact: row.contact,
            status: row.status,
            gross_area: row.gross_area,
            constructor: row.constructor,
            project_type_id: row.project_type_id,
        },
        created_at: row.created_at,
        created_by: row.created_by,
        updated_at: row.updated_at,
        updated_by: row.updated_by,
    }
}

/// `rows` with their databases' names, read in one more statement.
async fn with_databases(db: &impl ConnectionTrait, rows: Vec<project::Model>) -> Result<Vec<Project>, StoreError> {
    let mut ids: Vec<i64> = rows.iter().filter_map(|row| row.tenant_database_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut names = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(crate::outbox::BATCH_ROWS) {
        for tenant in tenant_database::Entity::find().filter(tenant_database::Column::Id.is_in(chunk.iter().copied())).all(db).await? {
            names.insert(tenant.id, super::tenants::database_name(&tenant.name)?);
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let database = row.tenant_database_id.and_then(|id| names.get(&id).cloned());
            project_of(row, database)
        })
        .collect())
}

async fn one(db: &impl ConnectionTrait, id: ProjectId) -> Result<Option<Project>, StoreError> {
    let Some(row) = project::Entity::find_by_id(id.0).one(db).await? else {
        return Ok(None);
    };
    Ok(with_databases(db, vec![row]).await?.pop())
}

impl Store {
    /// The projects `listing` asks for, by id.
    pub async fn projects(&self, listing: &ProjectListing) -> Result<Vec<Project>, StoreError> {
        let mut query = project::Entity::find().order_by_asc(project::Column::Id);
        if !listing.include_inactive {
            query = query.filter(project::Column::Active.eq(true));
        }
        if let Some(needle) = &listing.name_contains {
            query = query.filter(crate::text::contains(sea_orm::sea_query::Expr::col(project::Column::Name), needle));
        }
        with_databases(&self.db, query.all(&self.db).await?).await
    }

    /// The project `id`.
    pub async fn project(&self, id: ProjectId) -> Result<Option<Project>, StoreError> {
        one(&self.db, id).await
    }

    /// Every project type, by id.
    pub async fn project_types(&self) -> Result<Vec<ProjectType>, StoreError> {
        let rows = project_type::Entity::find().order_by_asc(project_type::Column::Id).all(&self.db).await?;
        Ok(rows.into_iter().map(|row| ProjectType { id: row.id, name: row.name }).collect())
    }
}

impl WriteTx {
    /// The project `id`, read in this transaction.
    pub async fn project(&self, id: ProjectId) -> Result<Option<Project>, StoreError> {
        one(&self.tx, id).await
    }

    /// The projects named exactly `name` (names need not be unique), by id.
    pub async fn projects_named(&self, name: &str) -> Result<Vec<Project>, StoreError> {
        let rows = project::Entity::find().filter(project::Column::Name.eq(name)).order_by_asc(project::Column::Id).all(&self.tx).await?;
        with_databases(&self.tx, rows).await
    }

    /// Whether the project type `id` exists.
    pub async fn project_type_exists(&self, id: i64) -> Result<bool, StoreError> {
        Ok(project_type::Entity::find_by_id(id).count(&self.tx).await? > 0)
    }

    /// Inserts an active project.
    pub async fn insert_project(&self, new: NewProjectRow, now: OffsetDateTime) -> Result<Project, StoreError> {
        let NewProjectRow { name, owner_id, tenant_database_id, details, created_by } = new;
        let row = project::ActiveModel {
            name: Set(name),
            number: Set(details.number),
            description: Set(details.description),
            active: Set(true),
            owner_id: Set(owner_id.map(|owner| owner.0)),
            tenant_database_id: Set(tenant_database_id),
            project_type_id: Set(details.project_type_id),
            constructor: Set(details.constructor),
            contact: Set(details.contact),
            status: Set(details.status),
            gross_area: Set(details.gross_area),
            created_at: Set(stored_time(now)),
            created_by: Set(created_by),
            updated_at: Set(None),
            updated_by: Set(None),
            ..Default::default()
        }
        .insert(&self.tx)
        .await?;
        with_databases(&self.tx, vec![row]).await?.pop().ok_or(StoreError::NotFound)
    }

    /// Writes what an update may change: name, activity, owner and details, with who and when.
    pub async fn update_project(&self, project: &Project, updated_by: Option<String>, now: OffsetDateTime) -> Result<Project, StoreError> {
        let details = project.details.clone();
        project::ActiveModel {
            id: Set(project.id.0),
            name: Set(project.name.clone()),
            active: Set(project.active),
            owner_id: Set(project.owner_id.map(|owner| owner.0)),
            number: Set(details.number),
            description: Set(details.description),
            project_type_id: Set(details.project_type_id),
            constructor: Set(details.constructor),
            contact: Set(details.contact),
            status: Set(details.status),
            gross_area: Set(details.gross_area),
            updated_at: Set(Some(stored_time(now))),
            updated_by: Set(updated_by),
            ..Default::default()
        }
        .update(&self.tx)
        .await?;
        one(&self.tx, project.id).await?.ok_or(StoreError::NotFound)
    }

    /// Deletes the project `id`; its memberships and login counts go with it.
    pub async fn delete_project(&self, id: ProjectId) -> Result<(), StoreError> {
        project::Entity::delete_by_id(id.0).exec(&self.tx).await?;
        Ok(())
    }
}
