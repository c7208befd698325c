//! Messaging: the people Steward messages and what it sends them. Janua's directory of
//! contacts and groups, SMS sending with its quota and statistics, delivery reports, mail and
//! its templates, and the policies Janua puts around them (its admin levels and access lists).
//!
//! # Layout
//! - [`directory`]: contacts, groups and memberships, within the caller's own rows.
//! - [`send`]: `/sendsms` and `/sendmail`: recipients, quota check, one queued delivery each.
//! - [`sms`]: the SMS quota, usage in the window, monthly statistics.
//! - [`delivery_reports`]: the gateway's callbacks moving an SMS to its final status.
//! - [`mail`]: mails queued in the outbox with their cause.
//! - [`templates`]: mail templates (EN, FR) and their `$name` placeholders.
//! - [`prefix_filter`]: `sms.prefix_filter`, the one rule on which numbers may be used.
//! - [`feedback`]: a user's feedback, mailed during the request.
//! - [`admins`]: Janua's admin levels (from Steward roles) and its admins.
//! - [`access_lists`]: Janua's keyword actions and their access lists.

pub mod access_lists;
pub mod admins;
pub mod delivery_reports;
pub mod directory;
pub mod feedback;
pub mod mail;
pub mod prefix_filter;
pub mod send;
pub mod sms;
pub mod templates;
