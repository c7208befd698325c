//! Projects' rows, with the name of the database each lives in (one statement, joined).

use sea_orm::sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryOrder, Set};
use steward_model::projects::{OwnerId, Project, ProjectDetails, ProjectId, ProjectListing, ProjectType};
use time::OffsetDateTime;

use crate::entity::{project, project_type, tenant_database};
use crate::rows::{Columns, InOrder, read_all};
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

/// Projects with the name of the database each lives in, by id: the columns
/// [`project_from`] reads, in its order.
fn select_projects() -> SelectStatement {
    use project::Column as P;
    let own = [
        P::Id, P::Name, P::Number, P::Description, P::Active, P::OwnerId, P::ProjectTypeId, P::Constructor, P::Contact, P::Status,
        P::GrossArea, P::CreatedAt, P::CreatedBy, P::UpdatedAt, P::UpdatedBy,
    ];
    Query::select()
        .columns(own.map(|column| (project::Entity, column)))
        .column((tenant_database::Entity, tenant_database::Column::Name))
        .from(project::Entity)
        .left_join(
            tenant_database::Entity,
            Expr::col((tenant_database::Entity, tenant_database::Column::Id)).equals((project::Entity, P::TenantDatabaseId)),
        )
        .order_by((project::Entity, P::Id), Order::Asc)
        .take()
}

/// A row of [`select_projects`].
fn project_from(row: &dyn Columns) -> Result<Project, StoreError> {
    let mut next = InOrder::new(row);
    let id = next.required()?;
    let name = next.required()?;
    let number = next.optional()?;
    let description = next.optional()?;
    let active = next.required()?;
    let owner_id = next.optional()?.map(OwnerId);
    let project_type_id = next.optional()?;
    let constructor = next.optional()?;
    let contact = next.optional()?;
    let status = next.optional()?;
    let gross_area = next.optional()?;
    let created_at = next.required()?;
    let created_by = next.optional()?;
    let updated_at = next.optional()?;
    let updated_by = next.optional()?;
    let database = next.optional::<String>()?.map(|name| super::tenants::database_name(&name)).transpose()?;
    Ok(Project {
        id: ProjectId(id),
        name,
        active,
        owner_id,
        database,
        details: ProjectDetails { number, description, contact, status, gross_area, constructor, project_type_id },
        created_at,
        created_by,
        updated_at,
        updated_by,
    })
}

async fn one(db: &impl ConnectionTrait, id: ProjectId) -> Result<Option<Project>, StoreError> {
    let select = select_projects().and_where(Expr::col((project::Entity, project::Column::Id)).eq(id.0)).take();
    Ok(read_all(db, &select, project_from).await?.pop())
}

impl Store {
    /// The projects `listing` asks for, by id.
    pub async fn projects(&self, listing: &ProjectListing) -> Result<Vec<Project>, StoreError> {
        let mut select = select_projects();
        if !listing.include_inactive {
            select.and_where(Expr::col((project::Entity, project::Column::Active)).eq(true));
        }
        if let Some(needle) = &listing.name_contains {
            select.and_where(crate::text::contains(Expr::col((project::Entity, project::Column::Name)), needle));
        }
        self.read_all(&select, project_from).await
    }

    /// The project `id`.
    pub async fn project(&self, id: ProjectId) -> Result<Option<Project>, StoreError> {
        one(&self.db, id).await
    }

    /// The projects named exactly `name` (names need not be unique), by id.
    pub async fn projects_named(&self, name: &str) -> Result<Vec<Project>, StoreError> {
        let select = select_projects().and_where(Expr::col((project::Entity, project::Column::Name)).eq(name)).take();
        self.read_all(&select, project_from).await
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
        let select = select_projects().and_where(Expr::col((project::Entity, project::Column::Name)).eq(name)).take();
        read_all(&self.tx, &select, project_from).await
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
        one(&self.tx, ProjectId(row.id)).await?.ok_or(StoreError::NotFound)
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

#[cfg(test)]
mod tests {
    use steward_model::projects::{DatabaseName, TenantEngine, TenantStatus};

    use super::*;

    /// Projects with every column set or null, one in a database, one inactive, and a name
    /// with `%` in it.
    async fn seed(store: &Store) -> Vec<ProjectId> {
        let now = OffsetDateTime::now_utc();
        let tx = store.write().await.unwrap();
        let database = tx
            .insert_tenant_database(&DatabaseName::parse("db_one").unwrap(), false, TenantEngine::Sqlite, TenantStatus::Ready, now)
            .await
            .unwrap();
        let full = ProjectDetails {
            number: Some("01".to_owned()),
            description: Some("Fløy <B> & \"C\"".to_owned()),
            contact: Some("Kari".to_owned()),
            status: Some("open".to_owned()),
            gross_area: Some(1234.5),
            constructor: Some("Bygg AS".to_owned()),
            project_type_id: Some(1),
        };
        let mut ids = Vec::new();
        for (name, database, details) in [
            ("Hospital", Some(database.id), full),
            ("100% plain", None, ProjectDetails::default()),
            ("Closed", None, ProjectDetails::default()),
        ] {
            let row = NewProjectRow { name: name.to_owned(), owner_id: None, tenant_database_id: database, details, created_by: Some("admin".to_owned()) };
            ids.push(tx.insert_project(row, now).await.unwrap().id);
        }
        let mut closed = tx.project(ids[2]).await.unwrap().unwrap();
        closed.active = false;
        tx.update_project(&closed, Some("admin".to_owned()), now).await.unwrap();
        tx.commit().await.unwrap();
        ids
    }

    /// The list (rusqlite on a SQLite file, the pool on PostgreSQL) reads what a transaction
    /// reads through SeaORM, value for value.
    async fn both_readers_agree(store: &Store) {
        let ids = seed(store).await;
        let all = store.projects(&ProjectListing { name_contains: None, include_inactive: true }).await.unwrap();
        let tx = store.write().await.unwrap();
        let mut one_by_one = Vec::new();
        for id in &ids {
            one_by_one.push(tx.project(*id).await.unwrap().unwrap());
        }
        assert_eq!(all, one_by_one);
        assert_eq!(all[0].database.as_ref().map(DatabaseName::as_str), Some("db_one"));
        assert_eq!(all[0].details.description.as_deref(), Some("Fløy <B> & \"C\""));
        assert!(all[2].updated_at.is_some());

        let active = store.projects(&ProjectListing::default()).await.unwrap();
        assert_eq!(active.iter().map(|project| project.id).collect::<Vec<_>>(), ids[..2]);
        let percent = store.projects(&ProjectListing { name_contains: Some("0% P".to_owned()), include_inactive: false }).await.unwrap();
        assert_eq!(percent.iter().map(|project| project.name.as_str()).collect::<Vec<_>>(), ["100% plain"]);
        let none = store.projects(&ProjectListing { name_contains: Some("'; DROP TABLE projects; --".to_owned()), include_inactive: true }).await.unwrap();
        assert!(none.is_empty());
    }

    #[tokio::test]
    async fn both_readers_agree_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_and_migrate(&format!("sqlite://{}/store.db?mode=rwc", dir.path().display())).await.unwrap();
        assert!(store.sqlite_reads.is_some(), "a SQLite file is read through rusqlite");
        both_readers_agree(&store).await;
    }

    #[tokio::test]
    async fn both_readers_agree_on_postgres() {
        let database = crate::testing::PostgresDatabase::create("project_test");
        both_readers_agree(&Store::open_and_migrate(&database.url()).await.unwrap()).await;
    }
}
