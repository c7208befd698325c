//! Projects: what dRofus and Adjutant administer and Astakos counts quotas against. Owners,
//! projects, memberships of accounts with their roles and rights, and tenant databases
//! cloned from templates. The rules of every face that touches projects live here, once.
//!
//! - [`members`]: people in projects with dRofus' rights; welcome mails.
//! - [`owners`]: owners of projects.
//! - [`project`]: projects and their types, created on a new or an existing database.
//! - [`tenants`]: tenant databases, their templates, clones and removal.

pub mod members;
pub mod owners;
pub mod project;
pub mod tenants;

pub use crate::invalid::{FieldProblem, Invalid, Problem, Sent};

/// What went wrong; faces turn these into their own envelopes.
#[derive(Debug, thiserror::Error)]
pub enum ProjectsError {
    /// The caller may not administer projects.
    #[error(transparent)]
    Forbidden(#[from] crate::Forbidden),
    /// No such row.
    #[error("no such row")]
    NotFound,
    /// The body breaks the rules; every problem is listed.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// Several projects have the name given where one was meant; its id says which.
    #[error("several projects are named `{0}`; name it by its id")]
    AmbiguousName(String),
    /// Rows of this kind still depend on it (`projects`).
    #[error("dependent {0} exist")]
    HasDependents(&'static str),
    /// Templates are kept.
    #[error("template databases cannot be deleted")]
    TemplateUndeletable,
    /// The database is not usable for this (still `creating`, or `failed`).
    #[error("the database is {}", .0.as_str())]
    NotReady(steward_model::projects::TenantStatus),
    /// The tenants' host could not be read.
    #[error(transparent)]
    Host(tenants::TenantHostError),
    /// Hashing a new person's password failed or was too busy.
    #[error(transparent)]
    Hash(#[from] crate::identity::hasher::HashError),
    /// The store failed.
    #[error(transparent)]
    Store(crate::Unavailable),
}

crate::store_failures_are_unavailable!(ProjectsError);
