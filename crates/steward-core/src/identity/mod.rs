//! Identity: the one person behind every face. Accounts and their credentials, the
//! authentication backends that check them, tokens and their cache, service principals, and
//! what a presented token is good for.
//!
//! # Layout
//! - [`accounts`]: create, passwords, enable/disable, roles, terms, catalogs.
//! - [`auth`]: every credential form (token, login + password) turned into a principal.
//! - [`backends`]: external authentication backends (LDAP) configured at run time.
//! - [`hasher`]: argon2id off the async runtime, a bounded number at a time.
//! - [`password_links`]: one-use links a welcome mail carries to set a password.
//! - [`people`]: accounts as people (dRofus' users): names, e-mail, disable, kick.
//! - [`rate_limit`]: failed password checks counted per login and per client address.
//! - [`services`]: service principals and their tokens.
//! - [`token_checks`]: what a user or service token is good for, in Astakos' order.
//! - [`tokens`]: token generation, hashing, the short-lived in-memory cache.

pub mod accounts;
pub mod auth;
pub mod backends;
pub mod hasher;
pub mod password_links;
pub mod people;
pub mod rate_limit;
pub mod services;
pub mod token_checks;
pub mod tokens;
