//! SeaORM entities, one per table; only the store crate sees them.

pub mod account;
pub mod account_role;
pub mod audit;
pub mod janua_contact;
pub mod janua_contact_group;
pub mod janua_group;
pub mod outbox;
pub mod quota_limit;
pub mod resource;
pub mod service;
pub mod terms;
pub mod token;
pub mod usage;
