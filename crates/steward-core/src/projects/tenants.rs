//! Tenant databases: templates found where the operator keeps them, new databases cloned
//! from them by the worker through the outbox, and deletion (rows first, then the file or
//! database, again through the outbox, so a crash never loses the removal).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::json;
use steward_model::projects::{CloneJob, DatabaseName, TenantDatabase, TenantEngine, TenantJob, TenantStatus};
use steward_model::OutboxKind;
use steward_store::WriteTx;
use time::OffsetDateTime;

use super::ProjectsError;
use crate::actor::ProjectsCapability;
use crate::{Store, StoreError, audit, now};

/// What a [`TenantHost`] call returns.
pub type TenantHostResult<'a, T> = Pin<Box<dyn Future<Output = Result<T, TenantHostError>> + Send + 'a>>;

/// Where tenant databases live, as the core needs to see it during a request: which
/// templates exist. The binary plugs in the connector for the configured engine.
pub trait TenantHost: Send + Sync {
    /// The engine new databases are made with.
    fn engine(&self) -> TenantEngine;

    /// The templates that exist now (a template file added later is found the next time).
    fn templates(&self) -> TenantHostResult<'_, Vec<DatabaseName>>;

    /// A consistent snapshot of the tenant `name`, to be read once, front to back.
    fn backup<'a>(&'a self, name: &'a DatabaseName) -> TenantHostResult<'a, TenantBackup>;
}

/// A backup being read: a file's bytes, or a dump as it is written.
pub struct TenantBackup {
    /// The file name's extension: `sqlite` (a SQLite file) or `dump` (`pg_dump -Fc`).
    pub extension: &'static str,
    /// The bytes.
    pub reader: Pin<Box<dyn tokio::io::AsyncRead + Send>>,
}

/// The tenants' host could not be read.
#[derive(Debug, thiserror::Error)]
#[error("the tenant databases' host is unavailable: {0}")]
pub struct TenantHostError(pub String);

/// The tenant databases service.
pub struct TenantDatabases {
    store: Store,
    host: Option<Arc<dyn TenantHost>>,
    /// Forgotten after `kickall`, so this instance refuses the revoked tokens at once.
    tokens: Arc<crate::identity::tokens::TokenCache>,
}

impl TenantDatabases {
    pub(crate) fn new(store: Store, host: Option<Arc<dyn TenantHost>>, tokens: Arc<crate::identity::tokens::TokenCache>) -> Self {
        Self { store, host, tokens }
    }

    /// Records the templates the host has that the store does not know yet.
    pub(crate) async fn discover_templates(&self) -> Result<(), ProjectsError> {
        let Some(host) = &self.host else { return Ok(()) };
        let found = host.templates().await.map_err(ProjectsError::Host)?;
        let known = self.store.tenant_databases().await?;
        let new: Vec<&DatabaseName> = found.iter().filter(|name| !known.iter().any(|row| &row.name == *name)).collect();
        if new.is_empty() {
            return Ok(());
        }
        let at = now();
        let write = self.store.write().await?;
        for name in new {
            if write.tenant_database(name).await?.is_none() {
                write.insert_tenant_database(name, true, host.engine(), TenantStatus::Ready, at).await?;
                write.audit(audit::entry(&crate::Actor::system(), "database.template_found", name.as_str(), json!({})), at).await?;
            }
        }
        write.commit().await?;
        Ok(())
    }

    /// Whether `name` is a template new databases may be cloned from.
    pub(crate) async fn template_usable(&self, write: &WriteTx, name: &DatabaseName) -> Result<bool, StoreError> {
        Ok(write.tenant_database(name).await?.is_some_and(|row| row.template && row.status == TenantStatus::Ready))
    }

    /// Writes the row of a new database `creating` and queues its clone, in `write`.
    pub(crate) async fn begin_clone(
        &self,
        write: &WriteTx,
        template: &DatabaseName,
        name: &DatabaseName,
        at: OffsetDateTime,
    ) -> Result<(i64, CloneJob), ProjectsError> {
        let engine = write.tenant_database(template).await?.map_or(TenantEngine::Sqlite, |row| row.engine);
        let row = write.insert_tenant_database(name, false, engine, TenantStatus::Creating, at).await?;
        let job = CloneJob { database_id: row.id, name: name.clone(), template: template.clone(), engine };
        write.enqueue(OutboxKind::Tenant, &job_payload(&TenantJob::Clone(job.clone()))?, at).await?;
        Ok((row.id, job))
    }

    /// Every tenant database and template, by name.
    pub async fn list(&self, _can: ProjectsCapability<'_>) -> Result<Vec<TenantDatabase>, ProjectsError> {
        self.discover_templates().await?;
        Ok(self.store.tenant_databases().await?)
    }

    /// The database `name`.
    pub async fn get(&self, _can: ProjectsCapability<'_>, name: &DatabaseName) -> Result<TenantDatabase, ProjectsError> {
        self.discover_templates().await?;
        self.store.tenant_database(name).await?.ok_or(ProjectsError::NotFound)
    }

    /// Deletes the database `name`: not a template, and no project in it. Its row goes now,
    /// what holds it right after, through the outbox.
    #[tracing::instrument(skip_all, fields(database = %name))]
    pub async fn delete(&self, can: ProjectsCapability<'_>, name: &DatabaseName) -> Result<(), ProjectsError> {
        let at = now();
        let write = self.store.write().await?;
        let database = write.tenant_database(name).await?.ok_or(ProjectsError::NotFound)?;
        if database.template {
            return Err(ProjectsError::TemplateUndeletable);
        }
        if database.status == TenantStatus::Creating {
            return Err(ProjectsError::NotReady(TenantStatus::Creating));
        }
        if write.database_project_count(database.id).await? > 0 {
            return Err(ProjectsError::HasDependents("projects"));
        }
        write.delete_tenant_database(database.id).await?;
        let job = TenantJob::Drop { name: name.clone(), engine: database.engine };
        write.enqueue(OutboxKind::Tenant, &job_payload(&job)?, at).await?;
        write.audit(audit::entry(can.actor(), "database.delete", name.as_str(), json!({ "engine": database.engine.as_str() })), at).await?;
        write.commit().await?;
        Ok(())
    }
}

impl TenantDatabases {
    /// A backup of the database `name`, made now; only a `ready` database has one.
    #[tracing::instrument(skip_all, fields(database = %name))]
    pub async fn backup(&self, _can: ProjectsCapability<'_>, name: &DatabaseName) -> Result<TenantBackup, ProjectsError> {
        let database = self.store.tenant_database(name).await?.ok_or(ProjectsError::NotFound)?;
        if database.status != TenantStatus::Ready {
            return Err(ProjectsError::NotReady(database.status));
        }
        let host = self.host.as_ref().ok_or_else(|| ProjectsError::Host(TenantHostError("tenant databases are not configured".to_owned())))?;
        host.backup(name).await.map_err(ProjectsError::Host)
    }
}

/// `job` as an outbox payload.
fn job_payload(job: &TenantJob) -> Result<serde_json::Value, ProjectsError> {
    serde_json::to_value(job).map_err(|error| ProjectsError::Host(TenantHostError(format!("unwritable tenant job: {error}"))))

}

impl TenantDatabases {
    /// Disables (or enables again) every project user of every project living in the
    /// database `name`: their memberships, not their accounts. Returns how many changed.
    #[tracing::instrument(skip_all, fields(database = %name, disabled))]
    pub async fn set_members_disabled(&self, can: ProjectsCapability<'_>, name: &DatabaseName, disabled: bool) -> Result<u64, ProjectsError> {
        let at = now();
        let write = self.store.write().await?;
        let database = write.tenant_database(name).await?.ok_or(ProjectsError::NotFound)?;
        let changed = write.set_database_members_disabled(database.id, disabled, at).await?;
        let action = if disabled { "database.disable_all" } else { "database.enable_all" };
        write.audit(audit::entry(can.actor(), action, name.as_str(), json!({ "project_users": changed })), at).await?;
        write.commit().await?;
        Ok(changed)
    }

    /// Ends every session opened on a project living in the database `name`: those
    /// tokens are revoked on every face. Returns how many.
    #[tracing::instrument(skip_all, fields(database = %name))]
    pub async fn kick_all(&self, can: ProjectsCapability<'_>, name: &DatabaseName) -> Result<u64, ProjectsError> {
        let at = now();
        let write = self.store.write().await?;
        let database = write.tenant_database(name).await?.ok_or(ProjectsError::NotFound)?;
        let revoked = write.revoke_database_tokens(database.id, at).await?;
        write.audit(audit::entry(can.actor(), "database.kick_all", name.as_str(), json!({ "tokens_revoked": revoked })), at).await?;
        write.commit().await?;
        self.tokens.forget_all();
        Ok(revoked)
    }
}
