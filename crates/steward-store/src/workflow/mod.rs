//! Workflow's rows: Adjutant's tasks with their actions, task tokens and notifications, and
//! the allow-lists clients filter them through (Django's field names, relations included).
//! A task's stage is written only by [`WriteTx::save_task`], a compare-and-set on its
//! version, so two requests moving one task cannot both win.

mod fields;
mod notifications;
mod tasks;
mod tokens;

pub use fields::{NOTIFICATION_FIELDS, TASK_FIELDS, TOKEN_FIELDS};
pub use tasks::TaskScope;
pub use tokens::TaskTokenRecord;
