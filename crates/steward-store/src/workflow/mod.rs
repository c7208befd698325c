//! Workflow's rows: Adjutant's tasks, their actions, task tokens and notifications. Empty
//! until the Adjutant face fills it.
