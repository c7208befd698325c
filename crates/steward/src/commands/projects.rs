//! `project` and `member`: the projects dRofus, Adjutant and Astakos share, and who is on them.

use std::collections::HashMap;

use serde_json::{Value, json};
use steward_core::projects::ProjectsError;
use steward_core::{Actor, Core};
use steward_model::Role;
use steward_model::projects::{Project, ProjectListing, ProjectMember};

use crate::cli::{MemberCommand, ProjectCommand};
use crate::output::{Format, Listed, or_dash, rfc3339, role_names};

/// A project with its owner's name, as listed.
pub struct ListedProject {
    project: Project,
    owner: Option<String>,
}

/// `steward project …`
pub async fn project(core: &Core, format: Format, command: ProjectCommand) -> anyhow::Result<()> {
    let cli = Actor::cli();
    let can = cli.projects_admin()?;
    match command {
        ProjectCommand::Add { name, owner } => {
            let project = core.projects.add(can, &name, owner.as_deref()).await?;
            println!("added project {} ({})", project.name, project.id.0);
        }
        ProjectCommand::List => {
            let listing = ProjectListing { name_contains: None, include_inactive: true };
            let owners: HashMap<i64, String> = core.owners.list(can).await?.into_iter().map(|owner| (owner.id.0, owner.name)).collect();
            let projects: Vec<ListedProject> = core
                .projects
                .list(can, &listing)
                .await?
                .into_iter()
                .map(|project| {
                    let owner = project.owner_id.and_then(|owner| owners.get(&owner.0).cloned());
                    ListedProject { project, owner }
                })
                .collect();
            format.print(&projects)?;
        }
    }
    Ok(())
}

/// `steward member …`
pub async fn member(core: &Core, format: Format, command: MemberCommand) -> anyhow::Result<()> {
    let cli = Actor::cli();
    let can = cli.projects_admin()?;
    match command {
        MemberCommand::Set { login, project, roles } => {
            let roles = roles.iter().map(|role| Role::parse(role)).collect::<Result<Vec<_>, _>>()?;
            let member = core.members.set_roles(can, &login, &project, &roles).await?;
            println!("{} has {} on project {}", member.login, role_names(&member.roles).join(", "), member.project_id.0);
        }
        MemberCommand::Remove { login, project } => {
            core.members.remove_from(can, &login, &project).await?;
            println!("{login} is no longer a member of {project}");
        }
        MemberCommand::List { project: named } => {
            let members = core.members.list_of(can, &named).await.map_err(|error| match error {
                ProjectsError::NotFound => anyhow::anyhow!("no project has the id or name `{named}`"),
                other => other.into(),
            })?;
            format.print(&members)?;
        }
    }
    Ok(())
}

impl Listed for ListedProject {
    const COLUMNS: &'static [&'static str] = &["id", "name", "active", "owner", "database"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.project.id.0.to_string(),
            self.project.name.clone(),
            if self.project.active { "yes" } else { "no" }.to_owned(),
            or_dash(self.owner.as_deref()),
            self.project.database.as_ref().map_or_else(|| "-".to_owned(), ToString::to_string),
        ]
    }

    fn json(&self) -> Value {
        json!({
            "id": self.project.id.0,
            "name": self.project.name,
            "active": self.project.active,
            "owner": self.owner,
            "database": self.project.database.as_ref().map(ToString::to_string),
        })
    }
}

impl Listed for ProjectMember {
    const COLUMNS: &'static [&'static str] = &["login", "roles", "disabled", "since"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.login.clone(),
            or_dash(Some(&role_names(&self.roles).join(","))),
            if self.disabled { "yes" } else { "no" }.to_owned(),
            rfc3339(self.created_at),
        ]
    }

    fn json(&self) -> Value {
        json!({
            "login": self.login,
            "project": self.project_id.0,
            "roles": role_names(&self.roles),
            "disabled": self.disabled,
            "created_at": rfc3339(self.created_at),
        })
    }
}
