//! Who asks: an account with its token's project and the roles it holds there, or nobody.
//! Adjutant calls this record `keystone_user`, stores it on tasks and checks roles on it.

use std::net::IpAddr;

use serde_json::{Map, Value, json};
use steward_model::Account;
use steward_model::projects::ProjectId;
use steward_model::workflow::Task;

use super::WorkflowError;

/// The roles a guard accepts.
pub type Roles = &'static [&'static str];

/// Cloud admins only.
pub const ADMIN: Roles = &["admin"];
/// Cloud admins, and a project's admins and moderators.
pub const MOD_OR_ADMIN: Roles = &["admin", "project_admin", "project_mod"];

/// The project a requester's token was opened on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequesterProject {
    /// Its id.
    pub id: ProjectId,
    /// Its name.
    pub name: String,
}

/// The caller of a workflow operation.
#[derive(Debug, Clone)]
pub struct Requester {
    /// The face it came through, for the audit log. (No `Actor` is kept: an actor without a
    /// principal is the operator's CLI, which nobody calling a face may ever be.)
    pub(crate) face: &'static str,
    account: Option<Account>,
    project: Option<RequesterProject>,
    /// Global roles and roles on `project`, sorted, without repeats.
    roles: Vec<String>,
    ip: Option<IpAddr>,
}

impl Requester {
    /// Nobody: an anonymous call through `face` from `ip`.
    pub fn anonymous(face: &'static str, ip: Option<IpAddr>) -> Self {
        Self { face, account: None, project: None, roles: Vec::new(), ip }
    }

    /// `account`, acting on `project` (with its roles there).
    pub(crate) fn account(account: Account, project: Option<RequesterProject>, project_roles: Vec<String>, face: &'static str, ip: Option<IpAddr>) -> Self {
        let mut roles: Vec<String> = account.roles.iter().map(|role| role.as_str().to_owned()).chain(project_roles).collect();
        roles.sort();
        roles.dedup();
        Self { face, account: Some(account), project, roles, ip }
    }

    /// The account, if one is calling.
    pub fn account_of(&self) -> Option<&Account> {
        self.account.as_ref()
    }

    /// The project the token was opened on.
    pub fn project(&self) -> Option<&RequesterProject> {
        self.project.as_ref()
    }

    /// Every role held, globally or on the project.
    pub fn roles(&self) -> &[String] {
        &self.roles
    }

    /// Whether it holds `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|held| held == role)
    }

    /// Whether it is a cloud admin.
    pub fn is_admin(&self) -> bool {
        self.has_role("admin")
    }

    /// The caller's address.
    pub fn ip(&self) -> Option<IpAddr> {
        self.ip
    }

    /// Adjutant's `keystone_user`: `{}` for nobody.
    pub fn keystone_user(&self) -> Map<String, Value> {
        let Some(account) = &self.account else {
            return Map::new();
        };
        let value = json!({
            "authenticated": true,
            "project_domain_id": "default",
            "project_id": self.project.as_ref().map(|project| project.id.0.to_string()),
            "project_name": self.project.as_ref().map(|project| project.name.clone()),
            "roles": self.roles,
            "user_domain_id": "default",
            "user_id": account.uuid.simple().to_string(),
            "username": account.login,
        });
        value.as_object().cloned().unwrap_or_default()
    }

    /// How the audit log names the caller.
    pub(crate) fn audit_name(&self) -> String {
        match (&self.account, self.ip) {
            (Some(account), _) => format!("account:{}", account.login),
            (None, Some(ip)) => format!("anonymous {ip}"),
            (None, None) => "anonymous".to_owned(),
        }
    }

    /// Passes when the caller holds one of `roles`: 401 for nobody, else 403.
    pub fn require(&self, roles: Roles) -> Result<(), WorkflowError> {
        if self.account.is_none() {
            return Err(WorkflowError::Unauthenticated);
        }
        if roles.iter().any(|role| self.has_role(role)) { Ok(()) } else { Err(WorkflowError::Forbidden(roles)) }
    }

    /// Passes for any account.
    pub fn require_account(&self) -> Result<&Account, WorkflowError> {
        self.account.as_ref().ok_or(WorkflowError::Unauthenticated)
    }

    /// Whether the caller may see `task`: an admin sees every task, anyone else only their
    /// own project's (and is told of any other that it does not exist).
    pub fn sees(&self, task: &Task) -> bool {
        self.is_admin() || (task.project.is_some() && task.project == self.project.as_ref().map(|project| project.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_is_unauthenticated_and_has_an_empty_keystone_user() {
        let nobody = Requester::anonymous("adjutant", None);
        assert!(matches!(nobody.require(ADMIN), Err(WorkflowError::Unauthenticated)));
        assert!(nobody.keystone_user().is_empty());
        assert_eq!(nobody.audit_name(), "anonymous");
    }
}
