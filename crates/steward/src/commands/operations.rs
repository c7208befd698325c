//! `migrate`, `outbox`, `audit`, `backup` and `restore`: keeping the store and its queue.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use serde_json::{Value, json};
use steward_core::{Actor, Core};
use steward_model::{AuditEntry, OutboxRow};
use steward_store::{Backend, Store};

use crate::cli::{AuditCommand, OutboxCommand};
use crate::output::{Format, Listed, or_dash, rfc3339};
use crate::progress::Progress;
use crate::settings::Settings;

/// `steward migrate [--status]`.
pub async fn migrate(settings: &Settings, format: Format, status: bool) -> anyhow::Result<ExitCode> {
    let store = Store::connect(&settings.database_url).await.context("cannot open the store")?;
    let pending = store.pending_migrations().await.context("cannot read the migrations")?;
    if status {
        let mut out = std::io::stdout().lock();
        match format {
            Format::JsonLines => {
                for name in &pending {
                    writeln!(out, "{}", json!({ "migration": name, "applied": false }))?;
                }
            }
            Format::Table if pending.is_empty() => writeln!(out, "the store is up to date")?,
            Format::Table => {
                writeln!(out, "{} pending migration(s):", pending.len())?;
                for name in &pending {
                    writeln!(out, "  {name}")?;
                }
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let progress = Progress::spinner(format, &format!("applying {} migration(s)", pending.len()));
    let migrated = store.migrate().await.context("migration failed");
    progress.finish();
    migrated?;
    tracing::info!(applied = pending.len(), "migrated");
    Ok(ExitCode::SUCCESS)
}

/// `steward outbox …`
pub async fn outbox(core: &Core, format: Format, command: OutboxCommand) -> anyhow::Result<()> {
    let cli = Actor::cli();
    let admin = cli.admin()?;
    match command {
        OutboxCommand::List { failed } => format.print(&core.outbox.waiting(admin, failed).await?)?,
        OutboxCommand::Retry { id, all_failed } => {
            if all_failed {
                let count = core.outbox.retry_all_failed(admin).await?;
                println!("{count} failed deliveries queued again");
            } else if let Some(id) = id {
                if !core.outbox.retry(admin, id).await? {
                    bail!("outbox row {id} does not exist or has not failed");
                }
                println!("delivery {id} queued again");
            }
        }
    }
    Ok(())
}

/// `steward audit …`
pub async fn audit(core: &Core, format: Format, command: AuditCommand) -> anyhow::Result<()> {
    let cli = Actor::cli();
    match command {
        AuditCommand::Tail { n } => {
            let mut entries = core.outbox.audit_tail(cli.admin()?, n).await?;
            // Oldest first, like `tail`.
            entries.reverse();
            format.print(&entries)?;
        }
    }
    Ok(())
}

/// `steward backup FILE`: a consistent copy of the running store.
pub async fn backup(store: &Store, settings: &Settings, format: Format, file: &Path) -> anyhow::Result<()> {
    if file.exists() {
        bail!("{} exists; a backup never overwrites a file", file.display());
    }
    let progress = Progress::spinner(format, &format!("backing up to {}", file.display()));
    let done = match store.backend() {
        Backend::Sqlite => store.vacuum_into(file).await.map_err(anyhow::Error::from),
        Backend::Postgres => pg_tool("pg_dump", &settings.database_url, &["--format=custom", "--no-owner", "--file"], file).await,
    };
    progress.finish();
    done.with_context(|| format!("backup to {} failed", file.display()))?;
    let bytes = std::fs::metadata(file).map_or(0, |metadata| metadata.len());
    tracing::info!(file = %file.display(), bytes, "backup written");
    if format.for_people() {
        println!("backed up to {} ({bytes} bytes)", file.display());
    }
    Ok(())
}

/// `steward restore FILE`: a backup into an empty store.
pub async fn restore(settings: &Settings, format: Format, file: &Path) -> anyhow::Result<()> {
    if !file.is_file() {
        bail!("{} is not a file", file.display());
    }
    let url = &settings.database_url;
    let progress = Progress::spinner(format, &format!("restoring {}", file.display()));
    let done = match Backend::of_url(url)? {
        Backend::Sqlite => {
            let into = steward_store::backup::sqlite_file(url)?;
            let backup = file.to_path_buf();
            tokio::task::spawn_blocking(move || steward_store::backup::restore_sqlite(&backup, &into))
                .await
                .context("the restore stopped")?
                .map_err(anyhow::Error::from)
        }
        Backend::Postgres => {
            let store = Store::connect(url).await.context("cannot open the store")?;
            let tables = store.table_count().await?;
            store.close().await?;
            if tables > 0 {
                bail!("the database holds {tables} tables: restore needs an empty store");
            }
            pg_tool("pg_restore", url, &["--no-owner", "--exit-on-error", "--single-transaction"], file).await
        }
    };
    progress.finish();
    done.with_context(|| format!("restore of {} failed", file.display()))?;
    // A backup from an older Steward is brought up to this one's schema.
    let store = Store::connect(url).await.context("cannot open the restored store")?;
    let pending = store.pending_migrations().await?;
    if !pending.is_empty() {
        store.migrate().await.context("migrating the restored store")?;
    }
    let key_note = crate::data_key::after_restore(&store, settings).await?;
    store.close().await?;
    if let Some(note) = key_note {
        tracing::warn!("{note}");
        eprintln!("steward: {note}");
    }
    tracing::info!(file = %file.display(), migrated = pending.len(), "restored");
    if format.for_people() {
        println!("restored {}", file.display());
    }
    Ok(())
}

/// Runs PostgreSQL's `program` on the store with `args` then `file`; its stderr in the error.
async fn pg_tool(program: &str, url: &str, args: &[&str], file: &Path) -> anyhow::Result<()> {
    let mut command = steward_store::backup::postgres_tool(program, url)?;
    command.args(args).arg(file).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped());
    let output = command.output().await.with_context(|| format!("cannot run {program} (PostgreSQL's client tools)"))?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        bail!("{program} failed: {}", said.trim().lines().last().unwrap_or("no message"));
    }
    Ok(())
}

impl Listed for OutboxRow {
    const COLUMNS: &'static [&'static str] = &["id", "kind", "status", "attempts", "next attempt", "last error"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.kind.as_str().to_owned(),
            self.status.as_str().to_owned(),
            self.attempts.to_string(),
            rfc3339(self.next_attempt_at),
            or_dash(self.last_error.as_deref()),
        ]
    }

    fn json(&self) -> Value {
        json!({
            "id": self.id,
            "kind": self.kind.as_str(),
            "status": self.status.as_str(),
            "attempts": self.attempts,
            "next_attempt_at": rfc3339(self.next_attempt_at),
            "last_error": self.last_error,
        })
    }
}

impl Listed for AuditEntry {
    const COLUMNS: &'static [&'static str] = &["id", "at", "actor", "face", "action", "target", "detail"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            rfc3339(self.at),
            self.actor.clone(),
            self.face.clone(),
            self.action.clone(),
            or_dash(Some(&self.target)),
            if self.detail == json!({}) { "-".to_owned() } else { self.detail.to_string() },
        ]
    }

    fn json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}
