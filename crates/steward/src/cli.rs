//! The command line of CONTRACT.md, as clap types.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

/// Steward: one administration server for accounts, messaging, SIP and projects.
#[derive(Debug, Parser)]
#[command(name = "steward", version, about, propagate_version = true)]
pub struct Cli {
    /// Configuration file (TOML); the same as STEWARD_CONFIG.
    #[arg(long, global = true, env = "STEWARD_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Print JSON lines instead of a table (the default when stdout is not a terminal).
    #[arg(long, global = true)]
    pub json: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Every subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server with every enabled face and the outbox worker.
    Serve,
    /// Apply pending migrations and exit.
    Migrate {
        /// List the pending migrations instead; apply nothing.
        #[arg(long)]
        status: bool,
    },
    /// Manage accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Manage the terms accounts must accept.
    #[command(subcommand)]
    Terms(TermsCommand),
    /// Issue user tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage service principals.
    #[command(subcommand)]
    Service(ServiceCommand),
    /// Manage quota resources.
    #[command(subcommand)]
    Resource(ResourceCommand),
    /// Set per-account quota limits.
    #[command(subcommand)]
    Quota(QuotaCommand),
    /// Set per-account usage.
    #[command(subcommand)]
    Usage(UsageCommand),
    /// Inspect and retry queued deliveries.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Read the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Check the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Hermes' SIP provisioning.
    #[command(subcommand)]
    Hermes(HermesCommand),
    /// Projects (dRofus, Adjutant and Astakos share them).
    #[command(subcommand)]
    Project(ProjectCommand),
    /// Roles of accounts on projects.
    #[command(subcommand)]
    Member(MemberCommand),
    /// Write a consistent copy of the store, also while servers run: SQLite's VACUUM INTO,
    /// or pg_dump's custom format on PostgreSQL.
    Backup {
        /// Where to write it; must not exist.
        file: PathBuf,
    },
    /// Restore a backup into an empty store (a new SQLite file, an empty PostgreSQL database).
    Restore {
        /// The backup `steward backup` wrote.
        file: PathBuf,
    },
    /// The data key secrets in the store are sealed with (security.data_key_file).
    #[command(subcommand)]
    DataKey(DataKeyCommand),
    /// Print the completion script for SHELL on stdout.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on stdout.
    Man,
}

/// `steward data-key …`
#[derive(Debug, Subcommand)]
pub enum DataKeyCommand {
    /// Reseal every secret under a new key and retire the old one. Stop every instance
    /// first: one still running would go on sealing with the old key.
    Rotate,
}

/// `steward project …`
#[derive(Debug, Subcommand)]
pub enum ProjectCommand {
    /// Add a project with no database.
    Add {
        /// Its name.
        name: String,
        /// A dRofus owner's name, created when missing.
        #[arg(long)]
        owner: Option<String>,
    },
    /// List every project.
    List,
}

/// `steward member …`
#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Give LOGIN exactly these roles on PROJECT (a name or an id), making it a member.
    Set {
        /// The account.
        login: String,
        /// The project: its id or its name.
        project: String,
        /// `member`, `project_admin` or `project_mod`; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
    /// End LOGIN's membership of PROJECT.
    Remove {
        /// The account.
        login: String,
        /// The project: its id or its name.
        project: String,
    },
    /// List the members of PROJECT with their roles.
    List {
        /// The project: its id or its name.
        project: String,
    },
}

/// `steward hermes …`
#[derive(Debug, Subcommand)]
pub enum HermesCommand {
    /// Compare Steward's SIP users and aliases with Kamailio's tables, print every drift as
    /// one JSON object, and make Kamailio match (idempotent).
    Sync {
        /// Report only, change nothing, and exit 3 when Kamailio drifted (for cron).
        #[arg(long)]
        dry_run: bool,
    },
    /// Add local SIP users in bulk, all or none: one line per user on stdin,
    /// `user@domain,display name,e-mail`. Prints one JSON object per user with its
    /// generated password.
    Import,
}

/// `steward account …`
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account; exit 1 if LOGIN exists.
    Create(CreateAccount),
    /// List every account.
    List,
    /// Show one account.
    Show {
        /// The account.
        login: String,
    },
    /// Delete an account with its tokens and memberships, from every face.
    Delete {
        /// The account.
        login: String,
    },
    /// Replace the password (read from stdin) and revoke the account's tokens.
    SetPassword {
        /// The account.
        login: String,
        /// Read the password from the first line of stdin.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Disable an account: no login, tokens refused.
    Disable {
        /// The account.
        login: String,
    },
    /// Enable an account again; its unexpired tokens work again.
    Enable {
        /// The account.
        login: String,
    },
    /// Record that LOGIN accepted the current terms.
    AcceptTerms {
        /// The account.
        login: String,
    },
}

/// `steward account create`.
#[derive(Debug, Args)]
pub struct CreateAccount {
    /// The login.
    pub login: String,
    /// Read the password from the first line of stdin.
    #[arg(long, required = true)]
    pub password_stdin: bool,
    /// Mail address.
    #[arg(long)]
    pub email: Option<String>,
    /// Display name.
    #[arg(long)]
    pub name: Option<String>,
    /// Phone number, E.164 (+33612345678).
    #[arg(long)]
    pub phone: Option<String>,
    /// A role (repeatable): admin, supervisor, sip_admin, project_admin, …
    #[arg(long = "role")]
    pub roles: Vec<String>,
}

/// `steward terms …`
#[derive(Debug, Subcommand)]
pub enum TermsCommand {
    /// Publish new terms (text or HTML); every account must accept them again.
    Publish {
        /// The terms' file.
        file: PathBuf,
    },
}

/// `steward token …`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print one new user token for LOGIN, and nothing else.
    Issue {
        /// The account.
        login: String,
        /// Lifetime (90s, 15m, 12h, 30d, "1h 30m"); default security.token_ttl_hours.
        #[arg(long, value_parser = parse_duration)]
        ttl: Option<Duration>,
    },
    /// List LOGIN's tokens (never their secrets): id, issued, expires, revoked, project.
    List {
        /// The account.
        login: String,
    },
    /// Revoke one token by its id (from `token list`), or every token of an account.
    Revoke {
        /// The token's id.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        id: Option<i64>,
        /// Revoke every live token of this account instead.
        #[arg(long, value_name = "LOGIN")]
        all: Option<String>,
    },
}

/// `steward service …`
#[derive(Debug, Subcommand)]
pub enum ServiceCommand {
    /// Register a service principal and print its token.
    Add {
        /// Unique name, e.g. cyclades.
        name: String,
        /// The service's URL.
        #[arg(long, default_value = "")]
        url: String,
        /// Token lifetime; without it the token never expires.
        #[arg(long, value_parser = parse_duration)]
        ttl: Option<Duration>,
    },
    /// Replace a service's token and print the new one.
    RenewToken {
        /// The service.
        name: String,
        /// Token lifetime; without it the token never expires.
        #[arg(long, value_parser = parse_duration)]
        ttl: Option<Duration>,
    },
    /// List the service principals (never their tokens).
    List,
}

/// `steward resource …`
#[derive(Debug, Subcommand)]
pub enum ResourceCommand {
    /// Register a quota resource with its default per-account limit.
    Add {
        /// SERVICE.NAME, e.g. cyclades.vm.
        name: String,
        /// Unit, e.g. bytes; empty for plain counts.
        #[arg(long, default_value = "")]
        unit: String,
        /// Default per-account limit.
        #[arg(long, default_value_t = 0)]
        limit: i64,
        /// Description.
        #[arg(long, default_value = "")]
        desc: String,
    },
    /// List the quota resources with their default limits.
    List,
}

/// `steward quota …`
#[derive(Debug, Subcommand)]
pub enum QuotaCommand {
    /// Set one account's limit for a resource.
    Set {
        /// The account.
        login: String,
        /// The resource, e.g. cyclades.vm.
        resource: String,
        /// The limit.
        limit: i64,
    },
    /// Show LOGIN's effective limit and usage of every resource.
    Show {
        /// The account.
        login: String,
    },
}

/// `steward usage …`
#[derive(Debug, Subcommand)]
pub enum UsageCommand {
    /// Set one account's current usage of a resource.
    Set {
        /// The account.
        login: String,
        /// The resource.
        resource: String,
        /// The usage.
        value: i64,
    },
}

/// `steward outbox …`
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Show queued and failed deliveries.
    List {
        /// Only failed ones.
        #[arg(long)]
        failed: bool,
    },
    /// Put a failed delivery (or all of them) back in the queue.
    Retry {
        /// The delivery's id.
        #[arg(required_unless_present = "all_failed", conflicts_with = "all_failed")]
        id: Option<i64>,
        /// Every failed delivery.
        #[arg(long)]
        all_failed: bool,
    },
}

/// `steward audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Print the newest audit entries, oldest first.
    Tail {
        /// How many.
        #[arg(short = 'n', default_value_t = 20)]
        n: u64,
    },
}

/// `steward config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration without connecting; print it with secrets as ***.
    Check,
}

/// humantime syntax: `90s`, `15m`, `12h`, `30d`, `1h 30m`.
fn parse_duration(raw: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(raw).map_err(|error| format!("`{raw}` is not a duration like 90s, 15m, 12h, 30d: {error}"))?;
    if duration.is_zero() {
        return Err("a duration must be longer than 0".to_owned());
    }
    Ok(duration)
}
