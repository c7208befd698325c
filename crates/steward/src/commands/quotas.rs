//! `resource`, `quota` and `usage`: what accounts may use, and how much they do.

use serde_json::{Value, json};
use steward_core::{Actor, Core};
use steward_model::{Quota, Resource};

use crate::cli::{QuotaCommand, ResourceCommand, UsageCommand};
use crate::output::{Format, Listed, or_dash};

/// `steward resource …`
pub async fn resource(core: &Core, format: Format, command: ResourceCommand) -> anyhow::Result<()> {
    let cli = Actor::cli();
    match command {
        ResourceCommand::Add { name, unit, limit, desc } => {
            core.quotas
                .add_resource(cli.admin()?, Resource { name: name.clone(), unit, default_limit: limit, description: desc })
                .await?;
            println!("registered resource {name}");
        }
        ResourceCommand::List => format.print(&core.quotas.resources().await?)?,
    }
    Ok(())
}

/// `steward quota …`
pub async fn quota(core: &Core, format: Format, command: QuotaCommand) -> anyhow::Result<()> {
    let cli = Actor::cli();
    match command {
        QuotaCommand::Set { login, resource, limit } => {
            core.quotas.set_limit(cli.admin()?, &login, &resource, limit).await?;
            println!("limit of {resource} for {login} set to {limit}");
        }
        QuotaCommand::Show { login } => format.print(&core.quotas.report_of(cli.admin()?, &login).await?)?,
    }
    Ok(())
}

/// `steward usage …`
pub async fn usage(core: &Core, command: UsageCommand) -> anyhow::Result<()> {
    let cli = Actor::cli();
    match command {
        UsageCommand::Set { login, resource, value } => {
            core.quotas.set_usage(cli.admin()?, &login, &resource, value).await?;
            println!("usage of {resource} for {login} set to {value}");
        }
    }
    Ok(())
}

impl Listed for Resource {
    const COLUMNS: &'static [&'static str] = &["name", "unit", "default limit", "description"];

    fn cells(&self) -> Vec<String> {
        vec![self.name.clone(), or_dash(Some(&self.unit)), self.default_limit.to_string(), or_dash(Some(&self.description))]
    }

    fn json(&self) -> Value {
        json!({ "name": self.name, "unit": self.unit, "default_limit": self.default_limit, "description": self.description })
    }
}

impl Listed for Quota {
    const COLUMNS: &'static [&'static str] = &["resource", "used", "limit", "unit", "window"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.resource.name.clone(),
            self.used.to_string(),
            self.limit.to_string(),
            or_dash(Some(&self.resource.unit)),
            self.window.map_or_else(|| "-".to_owned(), String::from),
        ]
    }

    fn json(&self) -> Value {
        json!({
            "resource": self.resource.name,
            "used": self.used,
            "limit": self.limit,
            "unit": self.resource.unit,
            "window": self.window.map(String::from),
        })
    }
}
