//! Tenant databases: which host the configuration names, and that host plugged into the
//! core's `TenantHost` port.

use anyhow::Context;
use steward_connectors::tenants::{PostgresTenants, SqliteTenants, Tenants};
use steward_core::projects::tenants::{TenantHost, TenantHostError, TenantHostResult};
use steward_model::projects::{DatabaseName, TenantEngine};

use crate::settings::Settings;

/// The host `[faces.drofus]` names: SQLite files when `template_dir` is set, else the
/// PostgreSQL server of `tenant_server_url`, else the store's own server when the store is
/// PostgreSQL; none on a SQLite store without `template_dir`.
pub fn tenants(settings: &Settings) -> anyhow::Result<Option<Tenants>> {
    let drofus = &settings.faces.drofus;
    if !drofus.template_dir.is_empty() {
        anyhow::ensure!(!drofus.database_dir.is_empty(), "faces.drofus.database_dir must be set with faces.drofus.template_dir");
        return Ok(Some(Tenants::Sqlite(SqliteTenants::new(drofus.template_dir.clone().into(), drofus.database_dir.clone().into()))));
    }
    let server = if drofus.tenant_server_url.is_empty() { &settings.database_url } else { &drofus.tenant_server_url };
    if server.starts_with("postgres://") || server.starts_with("postgresql://") {
        return Ok(Some(Tenants::Postgres(PostgresTenants::new(server).context("faces.drofus.tenant_server_url")?)));
    }
    Ok(None)
}

/// The tenants' host, as the core sees it.
pub struct Host(pub Tenants);

impl TenantHost for Host {
    fn engine(&self) -> TenantEngine {
        self.0.engine()
    }

    fn templates(&self) -> TenantHostResult<'_, Vec<DatabaseName>> {
        Box::pin(async move { self.0.templates().await.map_err(|error| TenantHostError(error.to_string())) })
    }
}
