//! Projects' rows: owners, projects, memberships with their rights, tenant databases and
//! their templates.
//!
//! - `owners`: dRofus' owners.
//! - [`project`]: projects and project types.
//! - `tenants`: tenant databases and templates.

mod owners;
pub mod project;
mod tenants;
