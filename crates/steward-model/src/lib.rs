//! Steward's vocabulary: the values every layer passes around, parsed once at the edge.
//!
//! # Layout
//! - [`identity`]: logins, roles, e-mail addresses, phone numbers, display names.
//! - [`secret`]: passwords and tokens, which never print themselves.
//! - [`records`]: what the store hands back (accounts, services, audit entries, outbox rows).
//! - [`mail`]: an outgoing mail as the outbox keeps it.
//! - [`health`]: connector states the worker records and `/readyz` reports.

pub mod health;
pub mod identity;
pub mod mail;
pub mod records;
pub mod secret;

pub use identity::{Email, E164, Login, ParseError, Role};
pub use mail::OutgoingMail;
pub use records::{
    Account, AccountId, AuditEntry, NewAuditEntry, OutboxKind, OutboxRow, OutboxStatus, Resource,
    Service, ServiceId,
};
pub use secret::{Password, TokenSecret};
