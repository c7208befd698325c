//! A project's quota as its admins see it through Adjutant: the quota its members' limits
//! make (see [`crate::quotas::project_sizes`]), the sizes it may change to without an
//! admin, and its recent quota changes. Changes themselves are `update_quota` tasks.

use steward_model::filter::{CompareOp, Filter, FilterValue, Search};
use steward_model::workflow::{Task, TaskStage};
use steward_store::filter::Window;
use steward_store::workflow::TaskScope;

use super::requester::{MOD_OR_ADMIN, Requester};
use super::{Workflow, WorkflowError};
use crate::quotas::project_sizes::{self, ProjectQuota, SIZES};

/// What a project's admins are told of its quota.
#[derive(Debug, Clone)]
pub struct QuotaReport {
    /// The quota and usage.
    pub quota: ProjectQuota,
    /// The sizes one step away (or the same), which approve themselves.
    pub change_options: Vec<&'static str>,
    /// Its last five quota changes not cancelled, newest first.
    pub recent_changes: Vec<Task>,
}

impl Workflow {
    /// The quota of the caller's project, in `regions` (Steward has one).
    pub async fn project_quota(&self, requester: &Requester, regions: &[String]) -> Result<QuotaReport, WorkflowError> {
        requester.require(MOD_OR_ADMIN)?;
        let unknown = project_sizes::unknown_regions(regions);
        if !unknown.is_empty() {
            return Err(WorkflowError::UnknownRegions(unknown));
        }
        let project = requester.project().ok_or(WorkflowError::NoProject)?;
        let quota = project_sizes::project_quota(&self.store, project.id).await?;
        let change_options = SIZES.iter().map(|size| size.name).filter(|name| quota.size != Some(name) && project_sizes::one_step(quota.size, name)).collect();
        let filters = vec![
            Filter::Compare { field: "task_type".to_owned(), op: CompareOp::Eq, value: FilterValue::Text("update_quota".to_owned()) },
            Filter::Compare { field: "cancelled".to_owned(), op: CompareOp::Eq, value: FilterValue::Bool(false) },
        ];
        let search = Search::new(filters, Vec::new(), None, None, false).map_err(WorkflowError::Filter)?;
        let recent_changes = self.store.tasks(&search, TaskScope::Project(project.id), Some(Window { offset: 0, limit: 5 })).await?;
        Ok(QuotaReport { quota, change_options, recent_changes })
    }
}

/// How a quota change's status reads: waiting for an admin, or done.
pub fn change_status(task: &Task) -> &'static str {
    match task.stage {
        TaskStage::Completed(_) => "Completed",
        _ => "Awaiting Approval",
    }
}
