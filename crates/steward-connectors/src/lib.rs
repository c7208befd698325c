//! Connectors to the real software Steward delivers through. Each knows one protocol and
//! nothing of Steward's rules.
//!
//! # Layout
//! - [`smtp`]: mail over SMTP (plain, STARTTLS, SMTPS, AUTH) with lettre.

pub mod smtp;

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
