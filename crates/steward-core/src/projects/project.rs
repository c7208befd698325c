//! Projects: listing, creation on a new or an existing tenant database, updates and
//! deletion. A new database is a row `creating` and an outbox job in the project's own
//! transaction; the worker clones the template and marks it `ready` or `failed`.

use serde_json::json;
use steward_model::projects::{DatabaseName, OwnerId, Project, ProjectDetails, ProjectId, ProjectListing, ProjectType};
use steward_store::projects::project::NewProjectRow;
use steward_store::WriteTx;

use crate::invalid::{Invalid, MAX_TEXT, Problem, Sent};
use super::tenants::TenantDatabases;
use super::ProjectsError;
use crate::actor::ProjectsCapability;
use crate::{Store, audit, now};

/// A project's fields as a client sent them.
#[derive(Debug, Clone, Default)]
pub struct ProjectDraft {
    /// Required; at most 255 characters.
    pub name: Sent<String>,
    /// Project number.
    pub number: Sent<String>,
    /// Required on create.
    pub description: Sent<String>,
    /// Active or not (updates only: a new project is active).
    pub active: Sent<bool>,
    /// An existing owner; required on create.
    pub owner_id: Sent<i64>,
    /// A known project type; required on create.
    pub project_type_id: Sent<i64>,
    /// The builder; required on create.
    pub constructor: Sent<String>,
    /// A contact person.
    pub contact: Sent<String>,
    /// Free text status.
    pub status: Sent<String>,
    /// Gross area.
    pub gross_area: Sent<f64>,
}

/// Where a new project's data goes.
#[derive(Debug, Clone)]
pub enum DatabaseRequest {
    /// A new database cloned from a template.
    New {
        /// The template's name.
        template: Sent<String>,
        /// The new database's name.
        name: Sent<String>,
    },
    /// A database that exists.
    Existing {
        /// Its name.
        name: Sent<String>,
    },
    /// The client's `new_db` was neither yes nor no.
    Unknown,
}

/// The database a valid request names.
enum Placement {
    New { template: DatabaseName, name: DatabaseName },
    Existing(i64),
}

/// The projects service.
pub struct Projects {
    store: Store,
    tenants: std::sync::Arc<TenantDatabases>,
}

impl Projects {
    pub(crate) fn new(store: Store, tenants: std::sync::Arc<TenantDatabases>) -> Self {
        Self { store, tenants }
    }

    /// The projects `listing` asks for, by id.
    pub async fn list(&self, _can: ProjectsCapability<'_>, listing: &ProjectListing) -> Result<Vec<Project>, ProjectsError> {
        Ok(self.store.projects(listing).await?)
    }

    /// The project `id`, active or not.
    pub async fn get(&self, _can: ProjectsCapability<'_>, id: ProjectId) -> Result<Project, ProjectsError> {
        self.store.project(id).await?.ok_or(ProjectsError::NotFound)
    }

    /// Every project type.
    pub async fn types(&self, _can: ProjectsCapability<'_>) -> Result<Vec<ProjectType>, ProjectsError> {
        Ok(self.store.project_types().await?)
    }

    /// The problems of the fields a create and an update share; `create` makes the required
    /// ones required.
    async fn check(write: &WriteTx, draft: &ProjectDraft, create: bool, invalid: &mut Invalid) -> Result<(), ProjectsError> {
        for (field, sent) in [("name", &draft.name), ("description", &draft.description), ("constructor", &draft.constructor)] {
            if create || !matches!(sent, Sent::Absent) {
                invalid.require_text(field, sent, MAX_TEXT);
            }
        }
        for (field, sent) in [("no", &draft.number), ("contact", &draft.contact), ("status", &draft.status)] {
            invalid.limit_text(field, sent, MAX_TEXT);
        }
        invalid.readable_number("gross_area", &draft.gross_area);
        if matches!(draft.active, Sent::Unreadable | Sent::Null) {
            invalid.add("active", Problem::NotIncluded);
        }
        let owner_known = match &draft.owner_id {
            Sent::Value(id) => write.owner(OwnerId(*id)).await?.is_some(),
            Sent::Absent => !create,
            Sent::Null | Sent::Unreadable => false,
        };
        if !owner_known {
            invalid.add("owner", Problem::MustExist);
        }
        let type_known = match &draft.project_type_id {
            Sent::Value(id) => write.project_type_exists(*id).await?,
            Sent::Absent => !create,
            Sent::Null | Sent::Unreadable => false,
        };
        if !type_known {
            invalid.add("project_type_id", Problem::NotIncluded);
        }
        Ok(())
    }

    /// The database `request` names, or its problems.
    async fn placement(&self, write: &WriteTx, request: &DatabaseRequest, invalid: &mut Invalid) -> Result<Option<Placement>, ProjectsError> {
        let name_of = |field: &'static str, sent: &Sent<String>, invalid: &mut Invalid| match sent.text() {
            None => {
                invalid.add(field, Problem::Blank);
                None
            }
            Some(text) => DatabaseName::parse(text).map_err(|_| invalid.add(field, Problem::Invalid)).ok(),
        };
        match request {
            DatabaseRequest::Unknown => {
                invalid.add("new_db", Problem::NotIncluded);
                Ok(None)
            }
            DatabaseRequest::Existing { name } => {
                let Some(name) = name_of("existing_db_name", name, invalid) else { return Ok(None) };
                match write.tenant_database(&name).await? {
                    Some(database) if !database.template => Ok(Some(Placement::Existing(database.id))),
                    _ => {
                        invalid.add("existing_db_name", Problem::Invalid);
                        Ok(None)
                    }
                }
            }
            DatabaseRequest::New { template, name } => {
                let template = match name_of("new_db_template", template, invalid) {
                    Some(template) if self.tenants.template_usable(write, &template).await? => Some(template),
                    Some(_) => {
                        invalid.add("new_db_template", Problem::Invalid);
                        None
                    }
                    None => None,
                };
                let name = match name_of("new_db_name", name, invalid) {
                    Some(name) if write.tenant_database(&name).await?.is_some() => {
                        invalid.add("new_db_name", Problem::Taken);
                        None
                    }
                    other => other,
                };
                Ok(template.zip(name).map(|(template, name)| Placement::New { template, name }))
            }
        }
    }

    /// Creates a project, on a new database cloned from a template or on an existing one.
    #[tracing::instrument(skip_all)]
    pub async fn create(&self, can: ProjectsCapability<'_>, draft: ProjectDraft, database: DatabaseRequest) -> Result<Project, ProjectsError> {
        // Templates appear as their files do: look before checking the request against them.
        self.tenants.discover_templates().await?;
        let at = now();
        let write = self.store.write().await?;
        let mut invalid = Invalid::default();
        let placement = self.placement(&write, &database, &mut invalid).await?;
        Self::check(&write, &draft, true, &mut invalid).await?;
        invalid.into_result()?;
        let (tenant_database_id, clone) = match placement {
            Some(Placement::Existing(id)) => (Some(id), None),
            Some(Placement::New { template, name }) => {
                let (database, job) = self.tenants.begin_clone(&write, &template, &name, at).await?;
                (Some(database), Some(job))
            }
            None => (None, None),
        };
        let row = NewProjectRow {
            name: draft.name.text().unwrap_or_default().to_owned(),
            owner_id: draft.owner_id.value().copied().map(OwnerId),
            tenant_database_id,
            details: ProjectDetails {
                number: draft.number.applied(None),
                description: draft.description.applied(None),
                contact: draft.contact.applied(None),
                status: draft.status.applied(None),
                gross_area: draft.gross_area.applied(None),
                constructor: draft.constructor.applied(None),
                project_type_id: draft.project_type_id.applied(None),
            },
            created_by: can.actor().login().map(str::to_owned),
        };
        let project = write.insert_project(row, at).await?;
        let detail = json!({ "name": project.name, "database": project.database, "cloned_from": clone.map(|job| job.template) });
        write.audit(audit::entry(can.actor(), "project.create", &project.id.0.to_string(), detail), at).await?;
        write.commit().await?;
        Ok(project)
    }

    /// Changes what `draft` sends of the project `id` (its database never changes).
    #[tracing::instrument(skip_all, fields(project = id.0))]
    pub async fn update(&self, can: ProjectsCapability<'_>, id: ProjectId, draft: ProjectDraft) -> Result<Project, ProjectsError> {
        let at = now();
        let write = self.store.write().await?;
        let current = write.project(id).await?.ok_or(ProjectsError::NotFound)?;
        let mut invalid = Invalid::default();
        Self::check(&write, &draft, false, &mut invalid).await?;
        invalid.into_result()?;
        let details = current.details.clone();
        let changed = Project {
            name: draft.name.text().map_or(current.name.clone(), str::to_owned),
            active: draft.active.value().copied().unwrap_or(current.active),
            owner_id: draft.owner_id.value().copied().map(OwnerId).or(current.owner_id),
            details: ProjectDetails {
                number: draft.number.applied(details.number),
                description: draft.description.applied(details.description),
                contact: draft.contact.applied(details.contact),
                status: draft.status.applied(details.status),
                gross_area: draft.gross_area.applied(details.gross_area),
                constructor: draft.constructor.applied(details.constructor),
                project_type_id: draft.project_type_id.applied(details.project_type_id),
            },
            ..current
        };
        let project = write.update_project(&changed, can.actor().login().map(str::to_owned), at).await?;
        write.audit(audit::entry(can.actor(), "project.update", &id.0.to_string(), json!({ "name": project.name, "active": project.active })), at).await?;
        write.commit().await?;
        Ok(project)
    }

    /// Deletes the project `id` and its memberships; its database stays (it may hold others).
    #[tracing::instrument(skip_all, fields(project = id.0))]
    pub async fn delete(&self, can: ProjectsCapability<'_>, id: ProjectId) -> Result<(), ProjectsError> {
        let at = now();
        let write = self.store.write().await?;
        let project = write.project(id).await?.ok_or(ProjectsError::NotFound)?;
        write.delete_project(id).await?;
        write.audit(audit::entry(can.actor(), "project.delete", &id.0.to_string(), json!({ "name": project.name })), at).await?;
        write.commit().await?;
        Ok(())
    }

    /// Adds a project with no database, as the operator's `project add` does: owned by the
    /// owner `owner` (created when missing), of the standard type.
    #[tracing::instrument(skip_all)]
    pub async fn add(&self, can: ProjectsCapability<'_>, name: &str, owner: Option<&str>) -> Result<Project, ProjectsError> {
        let mut invalid = Invalid::default();
        invalid.require_text("name", &Sent::Value(name.to_owned()), MAX_TEXT);
        if let Some(owner) = owner {
            invalid.require_text("owner", &Sent::Value(owner.to_owned()), MAX_TEXT);
        }
        invalid.into_result()?;
        let at = now();
        let write = self.store.write().await?;
        let owner_id = match owner.map(str::trim) {
            Some(owner) => Some(match write.owner_named(owner).await? {
                Some(found) => found.id,
                None => {
                    let created = write.insert_owner(owner, steward_model::projects::OwnerDetails::default(), at).await?;
                    write.audit(audit::entry(can.actor(), "owner.create", &created.id.0.to_string(), json!({ "name": owner })), at).await?;
                    created.id
                }
            }),
            None => None,
        };
        let row = NewProjectRow {
            name: name.trim().to_owned(),
            owner_id,
            tenant_database_id: None,
            details: ProjectDetails { project_type_id: Some(STANDARD_TYPE), ..ProjectDetails::default() },
            created_by: can.actor().login().map(str::to_owned),
        };
        let project = write.insert_project(row, at).await?;
        write.audit(audit::entry(can.actor(), "project.create", &project.id.0.to_string(), json!({ "name": project.name })), at).await?;
        write.commit().await?;
        Ok(project)
    }
}

/// The project type every store has (id 1, `Standard`).
pub(crate) const STANDARD_TYPE: i64 = 1;

/// The one project `reference` names: an id, else an exact name that only one project has.
pub(crate) async fn named_project(write: &WriteTx, reference: &str) -> Result<Project, ProjectsError> {
    let reference = reference.trim();
    if let Ok(id) = reference.parse::<i64>()
        && let Some(project) = write.project(ProjectId(id)).await?
    {
        return Ok(project);
    }
    only_one(reference, write.projects_named(reference).await?)
}

/// [`named_project`], read outside a write transaction.
pub(crate) async fn read_named_project(store: &Store, reference: &str) -> Result<Project, ProjectsError> {
    let reference = reference.trim();
    if let Ok(id) = reference.parse::<i64>()
        && let Some(project) = store.project(ProjectId(id)).await?
    {
        return Ok(project);
    }
    only_one(reference, store.projects_named(reference).await?)
}

/// The one project of those named `reference`; none or several is an error.
fn only_one(reference: &str, mut named: Vec<Project>) -> Result<Project, ProjectsError> {
    match named.len() {
        0 => Err(ProjectsError::NotFound),
        1 => Ok(named.remove(0)),
        _ => Err(ProjectsError::AmbiguousName(reference.to_owned())),
    }
}
