//! Every subcommand but `serve`: each opens the store, calls the core as the CLI actor
//! (audited as `cli`), prints, and exits. Only `serve` and `migrate` migrate; every other
//! command refuses a store with pending migrations, so an old or a new CLI never writes to
//! a schema it does not know.
//!
//! By domain, like the core: [`identity`] (accounts, terms, tokens, services), [`quotas`]
//! (resources, limits, usage), [`projects`] (projects, members), [`sip`] (Hermes'
//! Kamailio), [`operations`] (migrations, outbox, audit, backup and restore).

pub mod identity;
pub mod operations;
pub mod projects;
pub mod quotas;
pub mod sip;

use std::process::ExitCode;

use anyhow::{Context, bail};
use steward_core::{Core, CoreSettings};
use steward_store::Store;

use crate::cli::{Cli, Command, ConfigCommand, DataKeyCommand};
use crate::output::Format;
use crate::settings::Settings;

/// Runs one command with the loaded `settings`; `Err` is printed as one line and exits 1.
pub async fn run(command: Command, json: bool, settings: Settings) -> anyhow::Result<ExitCode> {
    crate::serve::init_logging()?;
    let format = Format::choose(json);
    match command {
        Command::Serve => return crate::serve::serve(settings).await,
        Command::Config(ConfigCommand::Check) => print!("{}", settings.redacted_toml()?),
        Command::Migrate { status } => return operations::migrate(&settings, format, status).await,
        Command::Completions { shell } => {
            // Generated into memory first: clap_complete panics when its writer fails (a
            // closed pipe), where a write error here is one line and exit 1.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "steward", &mut script);
            std::io::Write::write_all(&mut std::io::stdout(), &script)?;
        }
        Command::Man => clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut std::io::stdout())?,
        Command::Restore { file } => operations::restore(&settings, format, &file).await?,
        Command::Backup { file } => {
            // Any schema: the copy taken before an upgrade is the one that matters most.
            let store = Store::connect(&settings.database_url).await.context("cannot open the store")?;
            operations::backup(&store, &settings, format, &file).await?;
        }
        Command::DataKey(DataKeyCommand::Rotate) => {
            crate::data_key::rotate(open_store(&settings).await?, &settings, format).await?;
        }
        Command::Hermes(command) => {
            let store = open_sealed_store(&settings).await?;
            let kamailio = crate::serve::kamailio_tables(&settings).await?;
            if kamailio.is_none() {
                bail!("faces.hermes.kamailio_database_url is not set: Hermes has no Kamailio to write to");
            }
            let peers = steward_core::Peers { ldap: None, kamailio, mail_now: None, tenants: None };
            let core = Core::with_peers(store, core_settings(&settings)?, peers);
            return sip::hermes(&core, format, command).await;
        }
        command => {
            let core = Core::new(open_sealed_store(&settings).await?, core_settings(&settings)?);
            operate(&core, format, command).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The commands that work through the core on an up-to-date store.
async fn operate(core: &Core, format: Format, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Account(command) => identity::account(core, format, command).await,
        Command::Terms(command) => identity::terms(core, command).await,
        Command::Token(command) => identity::token(core, format, command).await,
        Command::Service(command) => identity::service(core, format, command).await,
        Command::Resource(command) => quotas::resource(core, format, command).await,
        Command::Quota(command) => quotas::quota(core, format, command).await,
        Command::Usage(command) => quotas::usage(core, command).await,
        Command::Project(command) => projects::project(core, format, command).await,
        Command::Member(command) => projects::member(core, format, command).await,
        Command::Outbox(command) => operations::outbox(core, format, command).await,
        Command::Audit(command) => operations::audit(core, format, command).await,
        Command::Serve
        | Command::Migrate { .. }
        | Command::Config(_)
        | Command::Hermes(_)
        | Command::DataKey(_)
        | Command::Backup { .. }
        | Command::Restore { .. }
        | Command::Completions { .. }
        | Command::Man => bail!("unreachable command dispatch"),
    }
}

/// Opens the store without migrating it; refuses one with pending migrations in one line.
async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let store = Store::connect(&settings.database_url).await.context("cannot open the store")?;
    let pending = store.pending_migrations().await.context("cannot read the store's migrations")?;
    if !pending.is_empty() {
        bail!(
            "the store has {} pending migration(s) (`steward migrate --status` lists them); run `steward migrate` first",
            pending.len()
        );
    }
    Ok(store)
}

/// [`open_store`], with the data keys its secrets are sealed with.
async fn open_sealed_store(settings: &Settings) -> anyhow::Result<Store> {
    crate::data_key::attach(open_store(settings).await?, settings).await
}

/// The core settings every process derives from the configuration (already validated).
pub fn core_settings(settings: &Settings) -> anyhow::Result<CoreSettings> {
    let mail_domain = settings
        .mail
        .from
        .rsplit_once('@')
        .map(|(_, host)| host.trim_end_matches('>').trim().to_owned())
        .filter(|host| !host.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    let timezone = steward_model::quota_window::TimeZone::parse(&settings.timezone)
        .map_err(|error| anyhow::anyhow!("timezone: {error}"))?;
    Ok(CoreSettings {
        timezone,
        public_url: settings.public_url.clone(),
        token_ttl: std::time::Duration::from_secs(u64::from(settings.security.token_ttl_hours) * 3600),
        login_attempts_per_minute: settings.security.login_attempts_per_minute,
        mail_from: settings.mail.from.clone(),
        mail_domain,
        sms_prefix_filter: settings.sms.prefix_filter.clone(),
        mail_templates_dir: Some(&settings.faces.janua.mail_templates_dir)
            .filter(|dir| !dir.is_empty())
            .map(std::path::PathBuf::from),
        hermes_max_range: u64::from(settings.faces.hermes.max_range),
        feedback_to: steward_model::Email::parse(&settings.mail.feedback_to).ok(),
        workflow: steward_core::workflow::WorkflowSettings {
            token_link_base: format!("{}{}/v1/tokens/", settings.public_url.trim_end_matches('/'), settings.faces.adjutant.prefix),
            token_life: time::Duration::hours(i64::from(settings.faces.adjutant.token_ttl_hours)),
            anonymous_per_minute: settings.faces.adjutant.anonymous_requests_per_minute,
        },
    })
}
