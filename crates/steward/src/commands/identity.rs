//! `account`, `terms`, `token` and `service`: who may sign in, and with what.

use std::io::{BufRead, Write};

use anyhow::{Context, bail};
use serde_json::{Value, json};
use steward_core::identity::accounts::NewAccount;
use steward_core::{Actor, Core};
use steward_model::{Account, E164, Email, Login, Password, Role, Service};

use crate::cli::{AccountCommand, ServiceCommand, TermsCommand, TokenCommand};
use crate::output::{Format, Listed, or_dash, rfc3339, rfc3339_json, rfc3339_or_dash, role_names};

/// `steward account …`
pub async fn account(core: &Core, format: Format, command: AccountCommand) -> anyhow::Result<()> {
    let cli = Actor::cli();
    let admin = cli.admin()?;
    let mut out = std::io::stdout().lock();
    match command {
        AccountCommand::Create(create) => {
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
        AccountCommand::List => format.print(&core.accounts.list(admin).await?)?,
        AccountCommand::Show { login } => {
            let Some(account) = core.accounts.by_login(&login).await? else {
                bail!("no account has the login `{login}`");
            };
            format.print_one(&account)?;
        }
        AccountCommand::Delete { login } => {
            core.people.delete(cli.projects_admin()?, &login).await.map_err(|error| anyhow::anyhow!("{login}: {error}"))?;
            writeln!(out, "deleted account {login}, its tokens and its memberships")?;
        }
        AccountCommand::SetPassword { login, .. } => {
            let password = password_from_stdin()?;
            let revoked = core.accounts.set_password(admin, &login, &password).await?;
            writeln!(out, "password of {login} replaced; {revoked} token(s) revoked")?;
        }
        AccountCommand::Disable { login } => {
            core.accounts.set_active(admin, &login, false).await?;
            writeln!(out, "disabled {login}")?;
        }
        AccountCommand::Enable { login } => {
            core.accounts.set_active(admin, &login, true).await?;
            writeln!(out, "enabled {login}")?;
        }
        AccountCommand::AcceptTerms { login } => {
            core.accounts.accept_terms(admin, &login).await?;
            writeln!(out, "{login} accepted the current terms")?;
        }
    }
    Ok(())
}

/// `steward terms …`
pub async fn terms(core: &Core, command: TermsCommand) -> anyhow::Result<()> {
    let cli = Actor::cli();
    match command {
        TermsCommand::Publish { file } => {
            let body = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            if body.trim().is_empty() {
                bail!("{} is empty", file.display());
            }
            core.accounts.publish_terms(cli.admin()?, body).await?;
            println!("published the terms of {}", file.display());
        }
    }
    Ok(())
}

/// `steward token …`
pub async fn token(core: &Core, format: Format, command: TokenCommand) -> anyhow::Result<()> {
    let cli = Actor::cli();
    let admin = cli.admin()?;
    match command {
        TokenCommand::Issue { login, ttl } => {
            let Some(issued) = core.auth.issue_for(admin, &login, ttl).await? else {
                bail!("no account has the login `{login}`");
            };
            println!("{}", issued.secret.expose());
        }
        TokenCommand::List { login } => {
            let Some(tokens) = core.auth.tokens_of(admin, &login).await? else {
                bail!("no account has the login `{login}`");
            };
            format.print(&tokens)?;
        }
        TokenCommand::Revoke { id: Some(id), .. } => {
            if !core.auth.revoke_by_id(admin, id).await? {
                bail!("token {id} does not exist or is already revoked");
            }
            println!("revoked token {id}");
        }
        TokenCommand::Revoke { all: Some(login), .. } => {
            let Some(revoked) = core.auth.revoke_all_of(admin, &login).await? else {
                bail!("no account has the login `{login}`");
            };
            println!("revoked {revoked} token(s) of {login}");
        }
        TokenCommand::Revoke { id: None, all: None } => bail!("name a token id, or --all LOGIN"),
    }
    Ok(())
}

/// `steward service …`
pub async fn service(core: &Core, format: Format, command: ServiceCommand) -> anyhow::Result<()> {
    let cli = Actor::cli();
    let admin = cli.admin()?;
    match command {
        ServiceCommand::Add { name, url, ttl } => {
            let (_, secret) = core.services.add(admin, &name, &url, ttl).await?;
            println!("{}", secret.expose());
        }
        ServiceCommand::RenewToken { name, ttl } => {
            let secret = core.services.renew_token(admin, &name, ttl).await?;
            println!("{}", secret.expose());
        }
        ServiceCommand::List => format.print(&core.services.list().await?)?,
    }
    Ok(())
}

/// Reads the first line of stdin, without its CR/LF; refuses an empty one.
fn password_from_stdin() -> anyhow::Result<Password> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("cannot read the password from stdin")?;
    let line = line.trim_end_matches(['\r', '\n']).to_owned();
    Password::parse(line).map_err(|error| anyhow::anyhow!("{error}"))
}

impl Listed for Account {
    const COLUMNS: &'static [&'static str] = &["login", "name", "email", "phone", "roles", "active", "backend", "created", "uuid"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.login.clone(),
            or_dash(Some(&self.name)),
            or_dash(self.email.as_deref()),
            or_dash(self.phone.as_deref()),
            or_dash(Some(&role_names(&self.roles).join(","))),
            if self.active { "yes" } else { "no" }.to_owned(),
            self.auth_backend.to_string(),
            rfc3339(self.created_at),
            self.uuid.to_string(),
        ]
    }

    fn json(&self) -> Value {
        json!({
            "login": self.login,
            "uuid": self.uuid,
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "roles": role_names(&self.roles),
            "active": self.active,
            "backend": self.auth_backend.to_string(),
            "terms_accepted_at": rfc3339_json(self.terms_accepted_at),
            "created_at": rfc3339(self.created_at),
            "updated_at": rfc3339(self.updated_at),
        })
    }
}

impl Listed for Service {
    const COLUMNS: &'static [&'static str] = &["name", "url", "token issued", "token expires"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            or_dash(Some(&self.url)),
            rfc3339(self.token_created_at),
            self.token_expires_at.map_or_else(|| "never".to_owned(), rfc3339),
        ]
    }

    fn json(&self) -> Value {
        json!({
            "name": self.name,
            "url": self.url,
            "token_created_at": rfc3339(self.token_created_at),
            "token_expires_at": rfc3339_json(self.token_expires_at),
        })
    }
}

impl Listed for steward_model::UserToken {
    const COLUMNS: &'static [&'static str] = &["id", "issued", "expires", "revoked", "project"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            rfc3339(self.created_at),
            rfc3339(self.expires_at),
            rfc3339_or_dash(self.revoked_at),
            self.project.map_or_else(|| "-".to_owned(), |project| project.0.to_string()),
        ]
    }

    fn json(&self) -> Value {
        json!({
            "id": self.id,
            "created_at": rfc3339(self.created_at),
            "expires_at": rfc3339(self.expires_at),
            "revoked_at": rfc3339_json(self.revoked_at),
            "project": self.project.map(|project| project.0),
        })
    }
}
