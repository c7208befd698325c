//! `hermes`: Kamailio's tables kept in step with Steward's SIP users, and bulk imports.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use anyhow::{Context, bail};
use steward_core::{Actor, Core};

use crate::cli::HermesCommand;
use crate::output::Format;

/// The exit code of `hermes sync --dry-run` when Kamailio drifted from Steward, so a cron
/// job can alert (1 stays "could not run", 2 "bad usage").
pub const DRIFT: u8 = 3;

/// `steward hermes …`
pub async fn hermes(core: &Core, format: Format, command: HermesCommand) -> anyhow::Result<ExitCode> {
    let actor = Actor::cli();
    match command {
        HermesCommand::Sync { dry_run } => {
            let report = core.hermes.sync(&actor, dry_run).await.map_err(|error| anyhow::anyhow!("{error}"))?;
            let drifted = report.drifted();
            println!("{}", serde_json::json!({ "dry_run": dry_run, "drifted": drifted, "report": report }));
            if dry_run && drifted {
                return Ok(ExitCode::from(DRIFT));
            }
        }
        HermesCommand::Import => {
            let users = import_lines(std::io::stdin().lock())?;
            let progress = crate::progress::Progress::count(format, "importing SIP users", users.len());
            let added = core.hermes.add_local_many(&actor, users).await.map_err(|error| anyhow::anyhow!("{error}"));
            progress.finish();
            let mut out = std::io::stdout().lock();
            for user in added? {
                writeln!(out, "{}", serde_json::json!({ "address": user.address.to_string(), "password": user.password }))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
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
