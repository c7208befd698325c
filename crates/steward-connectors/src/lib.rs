//! Connectors to the real software Steward delivers through. Each knows one protocol and
//! nothing of Steward's rules.
//!
//! # Layout
//! - [`smtp`]: mail over SMTP (plain, STARTTLS, SMTPS, AUTH) with lettre.
//! - [`sms`]: [`OutgoingSms`], what both SMS connectors send.
//! - [`kannel`]: SMS through Kannel's HTTP `cgi-bin/sendsms`.
//! - [`smstools`]: SMS through an smstools3 (`smsd`) outgoing spool directory.
//! - [`ldap`]: passwords checked by an LDAP bind, direct or after a search.
//! - [`kamailio`]: Kamailio's own tables (`subscriber`, `dbaliases`, `domain`), as kamctl writes them.
//! - [`tenants`]: tenant databases: SQLite files cloned with the online backup API, or
//!   PostgreSQL databases made from templates; their removal and backups.

pub mod kamailio;
pub mod kannel;
pub mod ldap;
pub mod sms;
pub mod smstools;
pub mod smtp;
pub mod tenants;

pub use sms::OutgoingSms;

/// Why a delivery failed, and whether trying again can help.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The peer is down or said "later" (4xx): retry with backoff.
    #[error("{0}")]
    Transient(String),
    /// The peer refused this message for good (5xx, a bad address): retrying cannot help.
    #[error("{0}")]
    Permanent(String),
}

/// A connector could not be set up from its configuration.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SetupError(pub String);
