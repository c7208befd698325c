//! Steward's integration tests: the real `steward` binary over real HTTP, each test on a
//! brand-new SQLite file and on a brand-new PostgreSQL database, with real peers (the SMTP
//! sink of tests/peers). One test binary, so it links once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod helpers;

mod astakos;
mod hermes;
mod janua;

mod bad_input;
mod cli;
mod config;
mod credentials;
mod mail;
mod native;
mod ops;
mod proxies;
mod rate_limit;
mod secrets;
mod shutdown;
