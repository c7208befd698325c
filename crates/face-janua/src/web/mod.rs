//! Janua's web services, one file per family of services.

pub mod backends;
pub mod config;
pub mod login;
pub mod mail;
pub mod refusals;
pub mod sms;
pub mod usage;
