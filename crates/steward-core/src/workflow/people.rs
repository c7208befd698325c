//! The people of a project as Adjutant's delegate APIs show them to its admins and
//! moderators: members with their roles, and pending invitations; the roles the caller may
//! give. Changes to people are tasks (`invite_user`, `edit_user`), made in `tasks`.

use steward_model::Account;
use steward_model::filter::{CompareOp, Filter, FilterValue, Search};
use steward_model::workflow::{Task, TaskStage};
use steward_store::workflow::TaskScope;

use super::actions::manageable_roles;
use super::requester::{MOD_OR_ADMIN, Requester};
use super::{Workflow, WorkflowError};
use crate::now;

/// Roles whose holders the delegate APIs never show (upstream's blacklist).
const HIDDEN: [&str; 1] = ["admin"];

/// Someone a project's admins see.
#[derive(Debug, Clone)]
pub enum ProjectUser {
    /// A member, with its roles there, and whether the caller may change all of them.
    Member {
        /// The account.
        account: Account,
        /// Its roles on the project.
        roles: Vec<String>,
        /// Whether every one of them is a role the caller may give.
        manageable: bool,
    },
    /// An invitation not completed yet.
    Invited {
        /// The invitation task's uuid.
        task: String,
        /// The invited address.
        email: String,
        /// The roles offered.
        roles: Vec<String>,
        /// Whether its token expired.
        expired: bool,
    },
}

/// What revoking a user id did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    /// It named a pending invitation, now cancelled.
    InvitationCancelled,
    /// It names a real user: Steward, like upstream, does not remove users this way.
    IsAUser,
    /// It names nothing the caller can see.
    NotFound,
}

impl Workflow {
    /// The roles the caller may give on its project.
    pub fn manageable_roles(&self, requester: &Requester) -> Result<&'static [&'static str], WorkflowError> {
        requester.require(MOD_OR_ADMIN)?;
        Ok(manageable_roles(requester))
    }

    /// The members of the caller's project (holders of hidden roles left out), then its
    /// pending invitations.
    pub async fn project_users(&self, requester: &Requester) -> Result<Vec<ProjectUser>, WorkflowError> {
        requester.require(MOD_OR_ADMIN)?;
        let Some(project) = requester.project() else {
            return Ok(Vec::new());
        };
        let manageable = manageable_roles(requester);
        let mut users = Vec::new();
        for member in self.store.members(Some(project.id)).await? {
            let Some(found) = self.store.account_by_id(member.account_id).await? else {
                continue;
            };
            let account = found.account;
            if HIDDEN.iter().any(|role| account.has_role(role)) {
                continue;
            }
            let roles: Vec<String> = member.roles.iter().map(|role| role.as_str().to_owned()).collect();
            let all_manageable = roles.iter().all(|role| manageable.contains(&role.as_str()));
            users.push(ProjectUser::Member { account, roles, manageable: all_manageable });
        }
        for task in self.open_invitations(project.id).await? {
            let Some(action) = task.actions.first() else {
                continue;
            };
            let text = |name: &str| action.data.get(name).and_then(serde_json::Value::as_str).unwrap_or_default().to_owned();
            let roles = action.data.get("roles").and_then(serde_json::Value::as_array).into_iter().flatten().filter_map(serde_json::Value::as_str).map(str::to_owned).collect();
            let search = Search::new(vec![equals("task", &task.uuid)], Vec::new(), None, None, false).map_err(WorkflowError::Filter)?;
            let tokens = self.store.task_tokens(&search, true, now()).await?;
            let expired = !tokens.is_empty() && tokens.iter().all(|token| !token.life.is_live(now()));
            users.push(ProjectUser::Invited { task: task.uuid.clone(), email: text("email"), roles, expired });
        }
        Ok(users)
    }

    /// One member of the caller's project, by its user id; not found when it has no
    /// membership there.
    pub async fn project_user(&self, requester: &Requester, user_id: &str) -> Result<(Account, Vec<String>), WorkflowError> {
        requester.require(MOD_OR_ADMIN)?;
        let (Some(project), Ok(uuid)) = (requester.project(), uuid::Uuid::parse_str(user_id)) else {
            return Err(WorkflowError::UserNotFound);
        };
        let account = self.store.account_by_uuid(uuid).await?.ok_or(WorkflowError::UserNotFound)?;
        let member = self.store.member(account.id, project.id).await?.ok_or(WorkflowError::UserNotFound)?;
        Ok((account, member.roles.iter().map(|role| role.as_str().to_owned()).collect()))
    }

    /// Revokes `id` from the caller's project: cancels the pending invitation it names.
    pub async fn revoke_project_user(&self, requester: &Requester, id: &str) -> Result<Revoked, WorkflowError> {
        requester.require(MOD_OR_ADMIN)?;
        let Some(project) = requester.project() else {
            return Ok(Revoked::NotFound);
        };
        if self.open_invitations(project.id).await?.iter().any(|task| task.uuid == id) {
            self.cancel(requester, id).await?;
            return Ok(Revoked::InvitationCancelled);
        }
        if let Ok(uuid) = uuid::Uuid::parse_str(id)
            && let Some(account) = self.store.account_by_uuid(uuid).await?
            && self.store.member(account.id, project.id).await?.is_some()
        {
            return Ok(Revoked::IsAUser);
        }
        Ok(Revoked::NotFound)
    }

    async fn open_invitations(&self, project: steward_model::projects::ProjectId) -> Result<Vec<Task>, WorkflowError> {
        let filters = vec![equals("task_type", "invite_user")];
        let search = Search::new(filters, Vec::new(), None, None, false).map_err(WorkflowError::Filter)?;
        let tasks = self.store.tasks(&search, TaskScope::Project(project), None).await?;
        Ok(tasks.into_iter().filter(|task| matches!(task.stage, TaskStage::Pending(_) | TaskStage::Approved(_))).collect())
    }
}

fn equals(field: &str, value: &str) -> Filter {
    Filter::Compare { field: field.to_owned(), op: CompareOp::Eq, value: FilterValue::Text(value.to_owned()) }
}
