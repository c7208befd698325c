//! `/database` (singular, as in the seed): tenant databases and templates.

use axum::body::Body;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use steward_model::projects::{DatabaseName, TenantDatabase};

use crate::call::Call;
use crate::errors::Refusal;
use crate::format::split_suffix;
use crate::render::{self, Attr, Resource};

/// A tenant database as dRofus shows it.
pub struct DatabaseView(pub TenantDatabase);

impl Resource for DatabaseView {
    const SINGULAR: &'static str = "database";
    const PLURAL: &'static str = "databases";

    fn attributes(&self) -> Vec<(&'static str, Attr<'_>)> {
        let database = &self.0;
        vec![
            ("id", Attr::Int(Some(database.id))),
            ("name", Attr::Text(Some(database.name.as_str()))),
            ("template", Attr::Bool(Some(database.template))),
            ("status", Attr::Text(Some(database.status.as_str()))),
            ("created_at", Attr::Time(Some(database.created_at))),
        ]
    }
}

/// The name in `/database/<name>[.format]`; a name no database can have is 404.
pub fn database_name(raw: &str) -> Option<DatabaseName> {
    DatabaseName::parse(split_suffix(raw).0).ok()
}

/// `GET /database`: by name.
pub async fn index(call: Call) -> Result<Response, Refusal> {
    let databases = call.state.core.tenant_databases.list(call.can()?).await.map_err(call.refusal())?;
    let views: Vec<DatabaseView> = databases.into_iter().map(DatabaseView).collect();
    Ok(render::list(call.format, &views).into_response())
}

/// `GET /database/<name>`.
pub async fn show(call: Call, Path(raw): Path<String>) -> Result<Response, Refusal> {
    let name = database_name(&raw).ok_or(Refusal::not_found(call.format))?;
    let database = call.state.core.tenant_databases.get(call.can()?, &name).await.map_err(call.refusal())?;
    Ok(render::one(call.format, StatusCode::OK, &DatabaseView(database)).into_response())
}

/// `DELETE /database/<name>` → 204; 422 for a template or a database with projects.
pub async fn destroy(call: Call, Path(raw): Path<String>) -> Result<Response, Refusal> {
    let name = database_name(&raw).ok_or(Refusal::not_found(call.format))?;
    call.state.core.tenant_databases.delete(call.can()?, &name).await.map_err(call.refusal())?;
    Ok(crate::deleted(&call, "/database"))
}

/// Bytes read per chunk of a backup download. A file read is a trip through Tokio's blocking
/// pool, so the stream's default 4 KiB made a 200 MB download 50 000 trips; 256 KiB makes it
/// 800, and is all the memory a download holds.
const BACKUP_CHUNK: usize = 256 * 1024;

/// `GET /database/<name>/get_backup_now`: a consistent snapshot made now, streamed as an
/// attachment `<name>-<UTC YYYYMMDDHHMMSS>.<sqlite|dump>`; 409 unless the database is ready.
/// The format suffix does not apply: the body is the file.
pub async fn backup(call: Call, Path(raw): Path<String>) -> Result<Response, Refusal> {
    let name = database_name(&raw).ok_or(Refusal::not_found(call.format))?;
    let backup = call.state.core.tenant_databases.backup(call.can()?, &name).await.map_err(call.refusal())?;
    let stamp = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!("[year][month][day][hour][minute][second]"))
        .unwrap_or_default();
    let disposition = format!("attachment; filename=\"{name}-{stamp}.{}\"", backup.extension);
    let body = Body::from_stream(tokio_util::io::ReaderStream::with_capacity(backup.reader, BACKUP_CHUNK));
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, "application/octet-stream".to_owned()), (header::CONTENT_DISPOSITION, disposition)], body).into_response())
}

/// `GET|POST /database/<name>/disableall`: every project user of every project in it is
/// disabled there (their accounts are untouched).
pub async fn disable_all(call: Call, Path(raw): Path<String>) -> Result<Response, Refusal> {
    let name = database_name(&raw).ok_or(Refusal::not_found(call.format))?;
    let count = call.state.core.tenant_databases.set_members_disabled(call.can()?, &name, true).await.map_err(call.refusal())?;
    Ok(crate::acted(&call, &format!("/database/{name}"), &format!("{count} project users of {name} disabled"), count))
}

/// `GET|POST /database/<name>/enableall`.
pub async fn enable_all(call: Call, Path(raw): Path<String>) -> Result<Response, Refusal> {
    let name = database_name(&raw).ok_or(Refusal::not_found(call.format))?;
    let count = call.state.core.tenant_databases.set_members_disabled(call.can()?, &name, false).await.map_err(call.refusal())?;
    Ok(crate::acted(&call, &format!("/database/{name}"), &format!("{count} project users of {name} enabled"), count))
}

/// `GET|POST /database/<name>/kickall`: every session opened on a project in it ends.
pub async fn kick_all(call: Call, Path(raw): Path<String>) -> Result<Response, Refusal> {
    let name = database_name(&raw).ok_or(Refusal::not_found(call.format))?;
    let count = call.state.core.tenant_databases.kick_all(call.can()?, &name).await.map_err(call.refusal())?;
    Ok(crate::acted(&call, &format!("/database/{name}"), &format!("{count} sessions on {name} ended"), count))
}
