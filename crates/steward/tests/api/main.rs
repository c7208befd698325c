//! Steward's integration tests over real HTTP, each test on a brand-new SQLite file and on
//! a brand-new PostgreSQL database, with real peers (tests/peers). The server is built in
//! the test's own process on port 0 (`steward::Application`; nextest runs every test in a
//! process of its own), except where the process itself is under test (signals, a crash,
//! exit codes, its log output): there the real `steward` binary runs. The CLI is always
//! the binary. One test binary, so it links once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod helpers;

mod adjutant;
mod astakos;
mod drofus;
mod hermes;
mod janua;

mod backup;
mod bad_input;
mod cli;
mod config;
mod credentials;
mod mail;
mod native;
mod openapi;
mod ops;
mod proxies;
mod rate_limit;
mod schemathesis;
mod secrets;
mod shutdown;
