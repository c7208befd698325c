//! The core's rules run on a fresh SQLite store, with no HTTP: one test binary, one module
//! per domain, and the kit that builds a [`steward_core::Core`] for each test.
//!
//! # Layout
//! - [`kit`]: a temp store, the core over it, accounts and actors, a fake Kamailio.
//! - [`quotas`]: resources, limits, usage, and `janua.sms` counted from the SMS sent.
//! - [`access_lists`]: Janua's actions and access lists: who may list, create, delete.
//! - [`admins`]: Janua's admins: who may change what, and the super admin's limits.
//! - [`sip_numbers`]: the E.164 pool, one by one and by range.
//! - [`sip_aliases`]: aliases, without Kamailio and with an in-memory one.
//! - [`workflow`]: Adjutant's tasks: every transition and every refusal.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod access_lists;
mod admins;
mod kit;
mod quotas;
mod sip_aliases;
mod sip_numbers;
mod workflow;
