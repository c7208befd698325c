//! `/projects` (with `query` and `show_all`) and `/project_types`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use steward_core::projects::Sent;
use steward_core::projects::project::{DatabaseRequest, ProjectDraft};
use steward_model::projects::{DatabaseName, Project, ProjectId, ProjectListing, ProjectType};

use crate::body::{self, boolean, decimal, integer, text};
use crate::call::Call;
use crate::errors::Refusal;
use crate::format::split_suffix;
use crate::render::{self, Attr, Resource};

/// A project as dRofus shows it: exactly the seed's 14 keys.
pub struct ProjectView(pub Project);

impl Resource for ProjectView {
    const SINGULAR: &'static str = "project";
    const PLURAL: &'static str = "projects";

    fn attributes(&self) -> Vec<(&'static str, Attr<'_>)> {
        let project = &self.0;
        vec![
            ("id", Attr::Int(Some(project.id.0))),
            ("name", Attr::Text(Some(&project.name))),
            ("no", Attr::Text(project.details.number.as_deref())),
            ("description", Attr::Text(project.details.description.as_deref())),
            ("active", Attr::Bool(Some(project.active))),
            ("owner_id", Attr::Int(project.owner_id.map(|owner| owner.0))),
            ("database_id", Attr::Text(project.database.as_ref().map(DatabaseName::as_str))),
            ("contact", Attr::Text(project.details.contact.as_deref())),
            ("status", Attr::Text(project.details.status.as_deref())),
            ("gross_area", Attr::Float(project.details.gross_area)),
            ("created_at", Attr::Time(Some(project.created_at))),
            ("created_by", Attr::Text(project.created_by.as_deref())),
            ("updated", Attr::Time(project.updated_at)),
            ("updated_by", Attr::Text(project.updated_by.as_deref())),
        ]
    }
}

/// A project type.
pub struct ProjectTypeView(pub ProjectType);

impl Resource for ProjectTypeView {
    const SINGULAR: &'static str = "project_type";
    const PLURAL: &'static str = "project_types";

    fn attributes(&self) -> Vec<(&'static str, Attr<'_>)> {
        vec![("id", Attr::Int(Some(self.0.id))), ("name", Attr::Text(Some(&self.0.name)))]
    }
}

fn project_id(raw: &str) -> Option<ProjectId> {
    split_suffix(raw).0.parse::<i64>().ok().filter(|id| *id > 0).map(ProjectId)
}

fn draft(parameters: &Map<String, Value>) -> ProjectDraft {
    ProjectDraft {
        name: text(parameters, "name"),
        number: text(parameters, "no"),
        description: text(parameters, "description"),
        active: boolean(parameters, "active"),
        owner_id: integer(parameters, "owner_id"),
        project_type_id: integer(parameters, "project_type_id"),
        constructor: text(parameters, "constructor"),
        contact: text(parameters, "contact"),
        status: text(parameters, "status"),
        gross_area: decimal(parameters, "gross_area"),
    }
}

/// `new_db` and the names it makes required.
fn database_request(parameters: &Map<String, Value>) -> DatabaseRequest {
    match boolean(parameters, "new_db") {
        Sent::Value(true) => DatabaseRequest::New { template: text(parameters, "new_db_template"), name: text(parameters, "new_db_name") },
        Sent::Value(false) => DatabaseRequest::Existing { name: text(parameters, "existing_db_name") },
        _ => DatabaseRequest::Unknown,
    }
}

fn parameters(call: &Call, bytes: &Bytes) -> Result<Map<String, Value>, Refusal> {
    let body = body::parse(&call.headers, bytes).map_err(|error| Refusal::body(call.format, error))?;
    body::root(&body, ProjectView::SINGULAR).cloned().map_err(|error| Refusal::body(call.format, error))
}

/// `query` and `show_all` of the list.
fn listing(query: Option<&str>) -> ProjectListing {
    let value = |key: &str| body::query_value(query, key);
    ProjectListing {
        name_contains: value("query").filter(|query| !query.is_empty()),
        include_inactive: value("show_all").as_deref() == Some("1"),
    }
}

/// `GET /projects`: active projects by id; `query` filters by name, `show_all=1` adds the
/// inactive ones.
pub async fn index(call: Call, RawQuery(query): RawQuery) -> Result<Response, Refusal> {
    let projects = call.state.core.projects.list(call.can()?, &listing(query.as_deref())).await.map_err(call.refusal())?;
    let views: Vec<ProjectView> = projects.into_iter().map(ProjectView).collect();
    Ok(render::list(call.format, &views).into_response())
}

/// `GET /projects/<id>`.
pub async fn show(call: Call, Path(raw): Path<String>) -> Result<Response, Refusal> {
    let id = project_id(&raw).ok_or(Refusal::not_found(call.format))?;
    let project = call.state.core.projects.get(call.can()?, id).await.map_err(call.refusal())?;
    Ok(render::one(call.format, StatusCode::OK, &ProjectView(project)).into_response())
}

/// `POST /projects` → 201: on a new database cloned from a template, or an existing one.
pub async fn create(call: Call, bytes: Bytes) -> Result<Response, Refusal> {
    let parameters = parameters(&call, &bytes)?;
    let project = call
        .state
        .core
        .projects
        .create(call.can()?, draft(&parameters), database_request(&parameters))
        .await
        .map_err(call.refusal())?;
    let location = call.prefix.path(&format!("/projects/{}", project.id.0));
    Ok(crate::created(&call, &ProjectView(project), location))
}

/// `PUT|PATCH /projects/<id>` → 200.
pub async fn update(call: Call, Path(raw): Path<String>, bytes: Bytes) -> Result<Response, Refusal> {
    let id = project_id(&raw).ok_or(Refusal::not_found(call.format))?;
    let parameters = parameters(&call, &bytes)?;
    let project = call.state.core.projects.update(call.can()?, id, draft(&parameters)).await.map_err(call.refusal())?;
    Ok(crate::updated(&call, &ProjectView(project), format!("/projects/{}", id.0)))
}

/// `DELETE /projects/<id>` → 204.
pub async fn destroy(call: Call, Path(raw): Path<String>) -> Result<Response, Refusal> {
    let id = project_id(&raw).ok_or(Refusal::not_found(call.format))?;
    call.state.core.projects.delete(call.can()?, id).await.map_err(call.refusal())?;
    Ok(crate::deleted(&call, "/projects"))
}

/// `GET /project_types`.
pub async fn types(call: Call) -> Result<Response, Refusal> {
    let types = call.state.core.projects.types(call.can()?).await.map_err(call.refusal())?;
    let views: Vec<ProjectTypeView> = types.into_iter().map(ProjectTypeView).collect();
    Ok(render::list(call.format, &views).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_reads_query_and_show_all() {
        let listing = listing(Some("query=rest%20t&show_all=1"));
        assert_eq!(listing.name_contains.as_deref(), Some("rest t"));
        assert!(listing.include_inactive);
        assert!(!super::listing(Some("show_all=yes")).include_inactive);
        assert_eq!(super::listing(None).name_contains, None);
    }
}
