//! The Janua face: Janua-SMS's web services (`/login`, `/sendsms`, …) and its
//! Flask-Restless 0.17 REST API (`/api/<MODEL>`), translated onto Steward's core.
//! Work in progress: docs/faces/janua.md says what is served so far.
//!
//! # Layout
//! - [`routes`]: every path of the seed → its handler, with Janua's 405 envelope.
//! - [`api`]: the same paths in the API description.
//! - [`caller`]: `JanuaAuthToken` / Basic (login or phone) → a Janua admin or supervisor.
//! - [`envelope`]: the web-service and REST error envelopes.
//! - [`body`]: reading a web service's JSON body the way Janua did.
//! - [`web`]: the web services.
//! - [`rest`]: the Flask-Restless REST API (CONTACT, GROUPS, CONTACT_GROUP, SMS, and ADMIN read-only so far).
//! - [`search`]: the Flask-Restless `q` parameter parsed into Steward's `Search` AST.

pub mod api;
pub mod body;
pub mod caller;
pub mod envelope;
pub mod rest;
pub mod routes;
pub mod search;
pub mod web;

pub use routes::face;

pub use steward_http::Prefix;
