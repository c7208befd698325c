//! Tenant databases as files: SQLite templates in a directory, new tenants cloned from them
//! with SQLite's online backup API, backups taken the same way, removal of a tenant's files.
//! Every call blocks on file I/O, so each runs on Tokio's blocking pool.

use std::path::{Path, PathBuf};

use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};
use steward_model::projects::DatabaseName;

use crate::DeliveryError;

/// Pages copied per backup step: small enough that a writer to the template is never held
/// off for long, large enough that a 200 MB file takes few steps.
const PAGES_PER_STEP: std::ffi::c_int = 4096;

/// SQLite tenants: templates in one directory, tenants in another, `<name>.sqlite` each.
#[derive(Debug, Clone)]
pub struct SqliteTenants {
    template_dir: PathBuf,
    database_dir: PathBuf,
}

/// What a file operation on tenants failed with.
#[derive(Debug, thiserror::Error)]
pub enum TenantFileError {
    /// The file system refused.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
    /// SQLite refused.
    #[error("{what}: {source}")]
    Sqlite {
        /// What was being done.
        what: String,
        /// Why it failed.
        #[source]
        source: rusqlite::Error,
    },
    /// The template is not there.
    #[error("template {0} does not exist")]
    NoTemplate(DatabaseName),
    /// The blocking task did not finish.
    #[error("the file task stopped: {0}")]
    Task(String),
}

impl From<TenantFileError> for DeliveryError {
    fn from(error: TenantFileError) -> Self {
        match error {
            // A missing template will not come back by itself.
            TenantFileError::NoTemplate(_) => Self::Permanent(error.to_string()),
            other => Self::Transient(other.to_string()),
        }
    }
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> TenantFileError {
    let what = what.into();
    move |source| TenantFileError::Io { what, source }
}

fn sqlite(what: impl Into<String>) -> impl FnOnce(rusqlite::Error) -> TenantFileError {
    let what = what.into();
    move |source| TenantFileError::Sqlite { what, source }
}

/// Runs `work` on the blocking pool.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T, TenantFileError> + Send + 'static) -> Result<T, TenantFileError> {
    tokio::task::spawn_blocking(work).await.map_err(|error| TenantFileError::Task(error.to_string()))?
}

/// Whether a copy must survive a power cut once written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// A tenant: synced before it is renamed into place.
    Durable,
    /// A snapshot read once and removed: never synced.
    Scratch,
}

/// Copies the database at `from` into a new file at `to` with the online backup API: a
/// consistent snapshot even while others write to `from`.
fn backup_file(from: &Path, to: &Path, keep: Keep) -> Result<(), TenantFileError> {
    let source = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(sqlite(format!("opening {}", from.display())))?;
    let mut target = Connection::open(to).map_err(sqlite(format!("creating {}", to.display())))?;
    // The target is new and not under its final name until complete: a crash leaves a file
    // that is removed, never one that is used, so it needs neither a rollback journal nor a
    // sync per commit. A durable copy is synced once, at the end.
    target
        .execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        .map_err(sqlite(format!("preparing {}", to.display())))?;
    let backup = Backup::new(&source, &mut target).map_err(sqlite("starting the backup"))?;
    backup
        .run_to_completion(PAGES_PER_STEP, std::time::Duration::ZERO, None)
        .map_err(sqlite(format!("copying {} to {}", from.display(), to.display())))?;
    drop(backup);
    target.close().map_err(|(_, error)| sqlite(format!("closing {}", to.display()))(error))?;
    if keep == Keep::Durable {
        std::fs::File::open(to).and_then(|file| file.sync_all()).map_err(io(format!("syncing {}", to.display())))?;
    }
    Ok(())
}

/// Makes a rename in `dir` durable.
fn sync_dir(dir: &Path) -> Result<(), TenantFileError> {
    std::fs::File::open(dir).and_then(|file| file.sync_all()).map_err(io(format!("syncing {}", dir.display())))
}

impl SqliteTenants {
    /// Tenants cloned from `template_dir`'s files into `database_dir`.
    pub fn new(template_dir: PathBuf, database_dir: PathBuf) -> Self {
        Self { template_dir, database_dir }
    }

    fn template_path(&self, name: &DatabaseName) -> PathBuf {
        self.template_dir.join(format!("{name}.sqlite"))
    }

    /// Where the tenant `name` lives.
    pub fn tenant_path(&self, name: &DatabaseName) -> PathBuf {
        self.database_dir.join(format!("{name}.sqlite"))
    }

    /// Every `<name>.sqlite` in the template directory whose name is a database name.
    pub async fn templates(&self) -> Result<Vec<DatabaseName>, TenantFileError> {
        let dir = self.template_dir.clone();
        blocking(move || {
            let mut names = Vec::new();
            for entry in std::fs::read_dir(&dir).map_err(io(format!("reading {}", dir.display())))? {
                let entry = entry.map_err(io(format!("reading {}", dir.display())))?;
                let file_name = entry.file_name();
                let Some(stem) = file_name.to_str().and_then(|name| name.strip_suffix(".sqlite")) else { continue };
                if let Ok(name) = DatabaseName::parse(stem) {
                    names.push(name);
                }
            }
            names.sort();
            Ok(names)
        })
        .await
    }

    /// Clones `template` into the tenant `name`. The copy is written beside its final name
    /// and renamed into place only when complete, so a crash leaves no half-made tenant
    /// under its name; a clone already in place is kept (the crash came after the rename).
    pub async fn clone_template(&self, template: &DatabaseName, name: &DatabaseName) -> Result<(), TenantFileError> {
        let (from, to) = (self.template_path(template), self.tenant_path(name));
        let template = template.clone();
        blocking(move || {
            if to.exists() {
                return Ok(());
            }
            if !from.exists() {
                return Err(TenantFileError::NoTemplate(template));
            }
            let partial = to.with_extension("sqlite.part");
            remove_if_present(&partial)?;
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(io(format!("creating {}", parent.display())))?;
            }
            backup_file(&from, &partial, Keep::Durable)?;
            std::fs::rename(&partial, &to).map_err(io(format!("renaming {} into place", partial.display())))?;
            to.parent().map_or(Ok(()), sync_dir)
        })
        .await
    }

    /// Removes the tenant `name`'s files, if they are there.
    pub async fn remove(&self, name: &DatabaseName) -> Result<(), TenantFileError> {
        let path = self.tenant_path(name);
        blocking(move || {
            for suffix in ["", "-wal", "-shm", ".part"] {
                let mut file = path.clone().into_os_string();
                file.push(suffix);
                remove_if_present(Path::new(&file))?;
            }
            Ok(())
        })
        .await
    }

    /// A consistent snapshot of the tenant `name`, written into `into` (a temporary file the
    /// caller streams and removes).
    pub async fn snapshot(&self, name: &DatabaseName, into: PathBuf) -> Result<(), TenantFileError> {
        let from = self.tenant_path(name);
        blocking(move || backup_file(&from, &into, Keep::Scratch)).await
    }
}

fn remove_if_present(path: &Path) -> Result<(), TenantFileError> {
    match std::fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(io(format!("removing {}", path.display()))(error)),
        _ => Ok(()),
    }
}

/// PostgreSQL tenants: the server's template databases (`datistemplate`, the system's
/// `template0` and `template1` aside), new tenants made with `CREATE DATABASE … TEMPLATE`,
/// backups with `pg_dump -Fc`.
#[derive(Debug, Clone)]
pub struct PostgresTenants {
    /// The server, as the operator named it (any database on it).
    server: url::Url,
}

/// What PostgreSQL answered a tenant statement with.
#[derive(Debug, thiserror::Error)]
pub enum TenantServerError {
    /// The URL is not a PostgreSQL URL.
    #[error("not a PostgreSQL URL: {0}")]
    Url(String),
    /// The template has connections, so PostgreSQL cannot copy it yet: try again later.
    #[error("template {0} is in use by another connection")]
    TemplateInUse(DatabaseName),
    /// The template does not exist.
    #[error("template {0} does not exist")]
    NoTemplate(DatabaseName),
    /// The server could not be reached or refused.
    #[error("the tenant server: {0}")]
    Server(#[source] sea_orm::sqlx::Error),
    /// `pg_dump` could not be started.
    #[error("pg_dump: {0}")]
    Dump(#[source] std::io::Error),
}

impl From<TenantServerError> for DeliveryError {
    fn from(error: TenantServerError) -> Self {
        match error {
            TenantServerError::NoTemplate(_) | TenantServerError::Url(_) => Self::Permanent(error.to_string()),
            other => Self::Transient(other.to_string()),
        }
    }
}

/// PostgreSQL's code for a database that is in use (`object_in_use`).
const OBJECT_IN_USE: &str = "55006";
/// PostgreSQL's code for `CREATE DATABASE` of a name that exists (`duplicate_database`).
const DUPLICATE_DATABASE: &str = "42P04";
/// PostgreSQL's code for a template that does not exist (`invalid_catalog_name`).
const INVALID_CATALOG_NAME: &str = "3D000";

impl PostgresTenants {
    /// Tenants on the server `url` names.
    pub fn new(url: &str) -> Result<Self, TenantServerError> {
        let server = url::Url::parse(url).map_err(|error| TenantServerError::Url(error.to_string()))?;
        if !matches!(server.scheme(), "postgres" | "postgresql") {
            return Err(TenantServerError::Url(format!("the scheme is {}", server.scheme())));
        }
        Ok(Self { server })
    }

    /// The URL of `database` on the server, with its password (for Steward's own
    /// connections only: it is never put on a command line).
    fn url_of(&self, database: &str) -> url::Url {
        let mut url = self.server.clone();
        url.set_path(&format!("/{database}"));
        url
    }

    async fn connect(&self) -> Result<sea_orm::sqlx::PgConnection, TenantServerError> {
        use sea_orm::sqlx::ConnectOptions;
        let url = self.url_of("postgres");
        let mut options = url
            .as_str()
            .parse::<sea_orm::sqlx::postgres::PgConnectOptions>()
            .map_err(|error| TenantServerError::Url(error.to_string()))?;
        if steward_model::database_url::postgres_plain_on_loopback(options.get_host(), url.as_str()) {
            options = options.ssl_mode(sea_orm::sqlx::postgres::PgSslMode::Disable);
        }
        options.connect().await.map_err(TenantServerError::Server)
    }

    /// The server's template databases.
    pub async fn templates(&self) -> Result<Vec<DatabaseName>, TenantServerError> {
        let mut connection = self.connect().await?;
        let names: Vec<String> = sea_orm::sqlx::query_scalar(
            "SELECT datname::text FROM pg_database WHERE datistemplate AND datname NOT IN ('template0', 'template1') ORDER BY datname",
        )
        .fetch_all(&mut connection)
        .await
        .map_err(TenantServerError::Server)?;
        Ok(names.iter().filter_map(|name| DatabaseName::parse(name).ok()).collect())
    }

    /// `CREATE DATABASE "name" TEMPLATE "template"`. A tenant already there is kept (a
    /// crash came after the statement); a template in use is [`TenantServerError::TemplateInUse`].
    pub async fn clone_template(&self, template: &DatabaseName, name: &DatabaseName) -> Result<(), TenantServerError> {
        let mut connection = self.connect().await?;
        // Both names passed `DatabaseName`: lower-case letters, digits, '_' and '-' only.
        let statement = format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
        match sea_orm::sqlx::query(sea_orm::sqlx::AssertSqlSafe(statement)).execute(&mut connection).await {
            Ok(_) => Ok(()),
            Err(error) => match error.as_database_error().and_then(|database| database.code()).as_deref() {
                Some(DUPLICATE_DATABASE) => Ok(()),
                Some(OBJECT_IN_USE) => Err(TenantServerError::TemplateInUse(template.clone())),
                Some(INVALID_CATALOG_NAME) => Err(TenantServerError::NoTemplate(template.clone())),
                _ => Err(TenantServerError::Server(error)),
            },
        }
    }

    /// Drops the tenant `name`, closing its connections; nothing if it is not there.
    pub async fn remove(&self, name: &DatabaseName) -> Result<(), TenantServerError> {
        let mut connection = self.connect().await?;
        let statement = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        sea_orm::sqlx::query(sea_orm::sqlx::AssertSqlSafe(statement)).execute(&mut connection).await.map_err(TenantServerError::Server)?;
        Ok(())
    }

    /// `pg_dump -Fc` of the tenant `name`, started: its standard output is the dump. The
    /// password goes through the environment, never the command line.
    pub fn dump(&self, name: &DatabaseName) -> Result<tokio::process::Child, TenantServerError> {
        let mut url = self.url_of(name.as_str());
        let password = url.password().map(|encoded| percent_encoding::percent_decode_str(encoded).decode_utf8_lossy().into_owned());
        let _ = url.set_password(None);
        let mut command = tokio::process::Command::new("pg_dump");
        command
            .arg("--format=custom")
            .arg(format!("--dbname={url}"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        if let Some(password) = password {
            command.env("PGPASSWORD", password);
        }
        command.spawn().map_err(TenantServerError::Dump)
    }
}

/// Where tenants live: files, or a PostgreSQL server.
#[derive(Debug, Clone)]
pub enum Tenants {
    /// SQLite files.
    Sqlite(SqliteTenants),
    /// Databases on a PostgreSQL server.
    Postgres(PostgresTenants),
}

/// A tenant operation failed.
#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    /// On files.
    #[error(transparent)]
    File(#[from] TenantFileError),
    /// On the server.
    #[error(transparent)]
    Server(#[from] TenantServerError),
}

impl From<TenantError> for DeliveryError {
    fn from(error: TenantError) -> Self {
        match error {
            TenantError::File(error) => error.into(),
            TenantError::Server(error) => error.into(),
        }
    }
}

impl Tenants {
    /// The engine of the tenants made here.
    pub fn engine(&self) -> steward_model::projects::TenantEngine {
        match self {
            Self::Sqlite(_) => steward_model::projects::TenantEngine::Sqlite,
            Self::Postgres(_) => steward_model::projects::TenantEngine::Postgres,
        }
    }

    /// The templates there now.
    pub async fn templates(&self) -> Result<Vec<DatabaseName>, TenantError> {
        Ok(match self {
            Self::Sqlite(files) => files.templates().await?,
            Self::Postgres(server) => server.templates().await?,
        })
    }

    /// Clones `template` into `name`; a tenant already in place is kept.
    pub async fn clone_template(&self, template: &DatabaseName, name: &DatabaseName) -> Result<(), TenantError> {
        match self {
            Self::Sqlite(files) => files.clone_template(template, name).await?,
            Self::Postgres(server) => server.clone_template(template, name).await?,
        }
        Ok(())
    }

    /// Removes the tenant `name`; nothing if it is not there.
    pub async fn remove(&self, name: &DatabaseName) -> Result<(), TenantError> {
        match self {
            Self::Sqlite(files) => files.remove(name).await?,
            Self::Postgres(server) => server.remove(name).await?,
        }
        Ok(())
    }
}
