//! Tenant databases: which host the configuration names, and that host plugged into the
//! core's `TenantHost` port.

use anyhow::Context;
use steward_connectors::tenants::{PostgresTenants, SqliteTenants, Tenants};
use steward_core::projects::tenants::{TenantBackup, TenantHost, TenantHostError, TenantHostResult};
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

    fn backup<'a>(&'a self, name: &'a DatabaseName) -> TenantHostResult<'a, TenantBackup> {
        Box::pin(self.snapshot(name))
    }
}

impl Host {
    async fn snapshot(&self, name: &DatabaseName) -> Result<TenantBackup, TenantHostError> {
        let failed = |error: &dyn std::fmt::Display| TenantHostError(format!("backup of {name}: {error}"));
        match &self.0 {
            Tenants::Sqlite(files) => {
                // Written beside the tenants, opened, then unlinked: the open file is read to
                // its end and nothing is left behind, whatever happens to the request.
                let path = files.tenant_path(name).with_file_name(format!(".backup-{name}-{}.sqlite", uuid::Uuid::new_v4()));
                files.snapshot(name, path.clone()).await.map_err(|error| failed(&error))?;
                let file = tokio::fs::File::open(&path).await.map_err(|error| failed(&error));
                let _ = tokio::fs::remove_file(&path).await;
                Ok(TenantBackup { extension: "sqlite", reader: Box::pin(file?) })
            }
            Tenants::Postgres(server) => {
                let mut dump = server.dump(name).map_err(|error| failed(&error))?;
                let stdout = dump.stdout.take().ok_or_else(|| failed(&"pg_dump has no output"))?;
                // The child is reaped once it exits; its output is the body.
                tokio::spawn(async move {
                    match dump.wait_with_output().await {
                        Ok(output) if !output.status.success() => {
                            tracing::error!(stderr = %String::from_utf8_lossy(&output.stderr), "pg_dump failed");
                        }
                        Err(error) => tracing::error!(%error, "pg_dump could not be waited for"),
                        Ok(_) => {}
                    }
                });
                Ok(TenantBackup { extension: "dump", reader: Box::pin(stdout) })
            }
        }
    }
}
