//! Projects' rows: owners, projects, memberships with their rights, tenant databases and
//! their templates.
//!
//! - `members`: memberships with rights and roles; a database's disableall and kickall.
//! - `owners`: dRofus' owners.
//! - [`project`]: projects and project types.
//! - `tenants`: tenant databases and templates.

mod members;
mod owners;
pub mod project;
mod tenants;
