//! Identity's rows: accounts and their roles, user and service tokens, service principals,
//! the published terms. Every query on `accounts` lives here, whichever face asks.
//!
//! # Layout
//! - `accounts`: accounts, their roles, lookups by login, phone, e-mail and uuid, catalogs.
//! - `logins`: logins that carried a project (dRofus' statistics); an account's projects.
//! - `password_links`: one-use set-password links.
//! - `people`: accounts as people: searched by their names, their own fields, deletion.
//! - `tokens`: user and service tokens by the SHA-256 of their secret.
//! - `services`: service principals.
//! - `terms`: published terms and their acceptance.

pub(crate) mod accounts;
pub(crate) mod logins;
pub(crate) mod password_links;
pub(crate) mod people;
pub(crate) mod services;
pub(crate) mod terms;
pub(crate) mod tokens;
