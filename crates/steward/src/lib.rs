//! Steward's wiring as a library: the configuration, the commands of CONTRACT.md, and the
//! server as an [`Application`] that is built, then run until a shutdown token is cancelled.
//! The `steward` binary (`main.rs`) only parses the command line, loads the settings and
//! calls [`commands::run`]; the API tests build an [`Application`] in their own process on
//! port 0. No rule lives here: rules are in the core, HTTP in the http crate and the faces.
//!
//! # Layout
//! - [`cli`]: the commands of CONTRACT.md as clap types.
//! - [`settings`]: defaults < TOML < environment, unknown keys refused.
//! - [`serve`]: the [`Application`] (store, core and its peers, worker, probes, listener, drain)
//!   and `steward serve`, which runs it until SIGTERM or SIGINT.
//! - [`commands`]: every other subcommand, working on the store directly, by domain.
//! - `data_key`: the data key file secrets in the store are sealed with: made, checked
//!   against the store, rotated.
//! - [`output`]: tables for people, JSON lines for programs, RFC 3339 times.
//! - `progress`: progress of long runs, on a terminal only.
//! - `kamailio`: the Kamailio connector behind the core's `KamailioTables` port.
//! - `ldap`: the LDAP connector behind the core's LDAP port.
//! - `tenants`: which tenant databases' host the configuration names, behind the core's
//!   `TenantHost` port and in the worker.

pub mod cli;
pub mod commands;
mod data_key;
mod kamailio;
mod ldap;
pub mod output;
mod progress;
mod tenants;
pub mod serve;
pub mod settings;

pub use serve::{Application, Startup, Stopped};
pub use settings::Settings;
