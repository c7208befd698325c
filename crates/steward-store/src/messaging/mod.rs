//! Messaging's rows: Janua's directory of contacts and groups, who a send reaches, the SMS
//! log, and Janua's admin profiles and access lists.
//!
//! # Layout
//! - [`directory`]: contacts, groups and memberships within one owner's rows; their filter
//!   allow-lists.
//! - [`audience`]: the recipients of a send, resolved and queued where the directory lives.
//! - [`sms_log`]: what was queued, sent, delivered or received; the sums quotas are made of.
//! - [`admins`]: Janua's admins (accounts with a Janua role) and their profiles.
//! - [`access_lists`]: Janua's keyword actions and their three access lists.

pub mod access_lists;
pub mod admins;
pub mod audience;
pub mod directory;
pub mod sms_log;
