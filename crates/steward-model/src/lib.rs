//! Steward's vocabulary: the values every layer passes around, parsed once at the edge.
//!
//! # Layout
//! - [`identity`]: logins, roles, e-mail addresses, phone numbers, display names.
//! - [`secret`]: passwords and tokens, which never print themselves.
//! - [`records`]: what the store hands back (accounts, services, audit entries, outbox rows).
//! - [`mail`]: an outgoing mail as the outbox keeps it.
//! - [`health`]: connector states the worker records and `/readyz` reports.
//! - [`sms`]: SMS texts and their parts, Janua's `to` recipients, the `sms_quota` string.
//! - [`quota_window`]: days, weeks, months and years cut in the configured time zone.
//! - [`directory`]: Janua's contacts, groups and memberships.
//! - [`filter`]: user filters as data (the `Filter` AST and `Search`), which faces parse into
//!   and the store turns into bound SQL.
//! - [`paging`]: a page of a list and the total it is a page of.
//! - [`projects`]: owners, projects, project types, tenant databases and their names, the
//!   outbox jobs that clone and remove them.
//! - [`sip`]: SIP addresses, passwords, MAC addresses, globs and Hermes' node names.
//! - [`hex`]: lower-case hexadecimal, for digests.
//! - [`error_chain`]: an error with its causes in one line.
//! - [`workflow`]: Adjutant's task stages and their transitions, task types and their
//!   names, the auto-approval vote, token lifetimes, notification acknowledgement.
//! - [`database_url`]: what a database URL decides (no TLS to a loopback PostgreSQL), for
//!   the store and the connectors alike.

pub mod database_url;
pub mod error_chain;
pub mod hex;
pub mod sip;
pub mod directory;
pub mod filter;
pub mod health;
pub mod identity;
pub mod mail;
pub mod paging;
pub mod projects;
pub mod quota_window;
pub mod records;
pub mod secret;
pub mod sms;
pub mod workflow;

pub use identity::{AuthBackend, Email, E164, Login, ParseError, Role};
pub use mail::{OutgoingMail, QueuedSms};
pub use paging::Page;
pub use records::{
    Account, AccountId, AuditEntry, CatalogKeys, NewAuditEntry, OutboxKind, OutboxRow, OutboxStatus, Quota, Resource,
    Service, ServiceId, UserToken,
};
pub use secret::{Password, TokenSecret};
