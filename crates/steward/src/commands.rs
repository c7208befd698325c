//! Every subcommand but `serve`: each opens the store, calls one core service as the CLI
//! actor (audited as `cli`), prints, and exits.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use anyhow::{Context, bail};
use steward_core::identity::accounts::NewAccount;
use steward_core::{Actor, Core, CoreSettings};
use steward_model::projects::ProjectListing;
use steward_model::{E164, Email, Login, Password, Resource, Role};
use steward_store::Store;

use crate::cli::{
    AccountCommand, AuditCommand, Command, ConfigCommand, HermesCommand, MemberCommand, OutboxCommand, ProjectCommand, QuotaCommand,
    ResourceCommand, ServiceCommand, TermsCommand, TokenCommand, UsageCommand,
};
use crate::settings::Settings;

/// Runs one command with the loaded `settings`; `Err` is printed as one line and exits 1.
pub async fn run(command: Command, settings: Settings) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve => crate::serve::serve(settings).await,
        Command::Config(ConfigCommand::Check) => {
            print!("{}", settings.redacted_toml()?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            Store::open_and_migrate(&settings.database_url).await.context("migration failed")?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Hermes(command) => {
            let store = Store::open_and_migrate(&settings.database_url).await.context("cannot open the store")?;
            let kamailio = crate::serve::kamailio_tables(&settings).await?;
            if kamailio.is_none() {
                bail!("faces.hermes.kamailio_database_url is not set: Hermes has no Kamailio to write to");
            }
            let core = Core::with_peers(store, core_settings(&settings)?, steward_core::Peers { ldap: None, kamailio, mail_now: None, tenants: None });
            let actor = steward_core::Actor::cli();
            match command {
                HermesCommand::Sync { dry_run } => {
                    let report = core.hermes.sync(&actor, dry_run).await.map_err(|error| anyhow::anyhow!("{error}"))?;
                    println!("{}", serde_json::json!({ "dry_run": dry_run, "drifted": report.drifted(), "report": report }));
                }
                HermesCommand::Import => {
                    let users = import_lines(std::io::stdin().lock())?;
                    let added = core.hermes.add_local_many(&actor, users).await.map_err(|error| anyhow::anyhow!("{error}"))?;
                    let mut out = std::io::stdout().lock();
                    for user in added {
                        writeln!(out, "{}", serde_json::json!({ "address": user.address.to_string(), "password": user.password }))?;
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        command => {
            let core = open(&settings).await?;
            operate(&core, &settings, command).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
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

async fn open(settings: &Settings) -> anyhow::Result<Core> {
    let store = Store::open_and_migrate(&settings.database_url).await.context("cannot open the store")?;
    Ok(Core::new(store, core_settings(settings)?))
}

/// `user@domain,display name,e-mail` lines into new local users; a bad line is refused
/// with its number, and nothing is added.
fn import_lines(input: impl BufRead) -> anyhow::Result<Vec<steward_core::sip::NewLocalUser>> {
    use steward_model::sip::{DisplayName, SipAddress};
    let mut users = Vec::new();
    for (number, line) in input.lines().enumerate() {
        let line = line.context("cannot read stdin")?;
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = line.splitn(3, ',').map(str::trim);
        let (Some(address), Some(displayname), Some(email)) = (fields.next(), fields.next(), fields.next()) else {
            bail!("line {}: expected user@domain,display name,e-mail", number + 1);
        };
        let parsed = (|| -> Result<_, steward_model::ParseError> {
            Ok(steward_core::sip::NewLocalUser {
                address: SipAddress::parse(address)?,
                displayname: DisplayName::parse(displayname)?,
                email: steward_model::Email::parse(email)?,
                dialplan: None,
                linetext: None,
            })
        })();
        users.push(parsed.map_err(|error| anyhow::anyhow!("line {}: {error}", number + 1))?);
    }
    Ok(users)
}

/// Reads the first line of stdin, without its CR/LF; refuses an empty one.
fn password_from_stdin() -> anyhow::Result<Password> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("cannot read the password from stdin")?;
    let line = line.trim_end_matches(['\r', '\n']).to_owned();
    Password::parse(line).map_err(|error| anyhow::anyhow!("{error}"))
}

async fn operate(core: &Core, settings: &Settings, command: Command) -> anyhow::Result<()> {
    let cli = Actor::cli();
    let admin = cli.admin()?;
    let mut out = std::io::stdout().lock();
    match command {
        Command::Account(AccountCommand::Create(create)) => {
            let login = Login::parse(&create.login)?;
            let password = password_from_stdin()?;
            let email = create.email.as_deref().map(Email::parse).transpose()?;
            let phone = create.phone.as_deref().map(E164::parse).transpose()?;
            let roles = create.roles.iter().map(|role| Role::parse(role)).collect::<Result<Vec<_>, _>>()?;
            let new = NewAccount {
                login,
                password: Some(password),
                name: create.name.unwrap_or_default(),
                given_name: None,
                family_name: None,
                email,
                phone,
                roles,
            };
            let account = core.accounts.create(admin, new).await?;
            writeln!(out, "created account {} ({})", account.login, account.uuid)?;
        }
        Command::Account(AccountCommand::SetPassword { login, .. }) => {
            let password = password_from_stdin()?;
            let revoked = core.accounts.set_password(admin, &login, &password).await?;
            writeln!(out, "password of {login} replaced; {revoked} token(s) revoked")?;
        }
        Command::Account(AccountCommand::Disable { login }) => {
            core.accounts.set_active(admin, &login, false).await?;
            writeln!(out, "disabled {login}")?;
        }
        Command::Account(AccountCommand::Enable { login }) => {
            core.accounts.set_active(admin, &login, true).await?;
            writeln!(out, "enabled {login}")?;
        }
        Command::Account(AccountCommand::AcceptTerms { login }) => {
            core.accounts.accept_terms(admin, &login).await?;
            writeln!(out, "{login} accepted the current terms")?;
        }
        Command::Terms(TermsCommand::Publish { file }) => {
            let body = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            if body.trim().is_empty() {
                bail!("{} is empty", file.display());
            }
            core.accounts.publish_terms(admin, body).await?;
            writeln!(out, "published the terms of {}", file.display())?;
        }
        Command::Token(TokenCommand::Issue { login, ttl }) => {
            let Some(issued) = core.auth.issue_for(admin, &login, ttl).await? else {
                bail!("no account has the login `{login}`");
            };
            writeln!(out, "{}", issued.secret.expose())?;
        }
        Command::Service(ServiceCommand::Add { name, url, ttl }) => {
            let (_, secret) = core.services.add(admin, &name, &url, ttl).await?;
            writeln!(out, "{}", secret.expose())?;
        }
        Command::Service(ServiceCommand::RenewToken { name, ttl }) => {
            let secret = core.services.renew_token(admin, &name, ttl).await?;
            writeln!(out, "{}", secret.expose())?;
        }
        Command::Resource(ResourceCommand::Add { name, unit, limit, desc }) => {
            core.quotas
                .add_resource(admin, Resource { name: name.clone(), unit, default_limit: limit, description: desc })
                .await?;
            writeln!(out, "registered resource {name}")?;
        }
        Command::Quota(QuotaCommand::Set { login, resource, limit }) => {
            core.quotas.set_limit(admin, &login, &resource, limit).await?;
            writeln!(out, "limit of {resource} for {login} set to {limit}")?;
        }
        Command::Usage(UsageCommand::Set { login, resource, value }) => {
            core.quotas.set_usage(admin, &login, &resource, value).await?;
            writeln!(out, "usage of {resource} for {login} set to {value}")?;
        }
        Command::Outbox(OutboxCommand::List { failed }) => {
            for row in core.outbox.waiting(admin, failed).await? {
                let line = serde_json::json!({
                    "id": row.id,
                    "kind": row.kind.as_str(),
                    "status": row.status.as_str(),
                    "attempts": row.attempts,
                    "next_attempt_at": row.next_attempt_at.unix_timestamp(),
                    "last_error": row.last_error,
                });
                writeln!(out, "{line}")?;
            }
        }
        Command::Outbox(OutboxCommand::Retry { id, all_failed }) => {
            if all_failed {
                let count = core.outbox.retry_all_failed(admin).await?;
                writeln!(out, "{count} failed deliveries queued again")?;
            } else if let Some(id) = id {
                if !core.outbox.retry(admin, id).await? {
                    bail!("outbox row {id} does not exist or has not failed");
                }
                writeln!(out, "delivery {id} queued again")?;
            }
        }
        Command::Project(ProjectCommand::Add { name, owner }) => {
            let project = core.projects.add(cli.projects_admin()?, &name, owner.as_deref()).await?;
            writeln!(out, "added project {} ({})", project.name, project.id.0)?;
        }
        Command::Project(ProjectCommand::List) => {
            let listing = ProjectListing { name_contains: None, include_inactive: true };
            let owners: std::collections::HashMap<i64, String> =
                core.owners.list(cli.projects_admin()?).await?.into_iter().map(|owner| (owner.id.0, owner.name)).collect();
            for project in core.projects.list(cli.projects_admin()?, &listing).await? {
                let line = serde_json::json!({
                    "id": project.id.0,
                    "name": project.name,
                    "active": project.active,
                    "owner": project.owner_id.and_then(|owner| owners.get(&owner.0)),
                    "database": project.database.as_ref().map(ToString::to_string),
                });
                writeln!(out, "{line}")?;
            }
        }
        Command::Member(MemberCommand::Set { login, project, roles }) => {
            let roles = roles.iter().map(|role| Role::parse(role)).collect::<Result<Vec<_>, _>>()?;
            let member = core.members.set_roles(cli.projects_admin()?, &login, &project, &roles).await?;
            let names: Vec<&str> = member.roles.iter().map(Role::as_str).collect();
            writeln!(out, "{} has {} on project {}", member.login, names.join(", "), member.project_id.0)?;
        }
        Command::Member(MemberCommand::Remove { login, project }) => {
            core.members.remove_from(cli.projects_admin()?, &login, &project).await?;
            writeln!(out, "{login} is no longer a member of {project}")?;
        }
        Command::Audit(AuditCommand::Tail { n }) => {
            let mut entries = core.outbox.audit_tail(admin, n).await?;
            // Oldest first, like `tail`.
            entries.reverse();
            for entry in entries {
                writeln!(out, "{}", serde_json::to_string(&entry)?)?;
            }
        }
        Command::Serve | Command::Migrate | Command::Config(_) | Command::Hermes(_) => {
            let _ = settings;
            bail!("unreachable command dispatch");
        }
    }
    Ok(())
}
