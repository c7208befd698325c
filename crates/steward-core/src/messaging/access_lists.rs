//! Janua's keyword actions and their access lists. Steward runs no plug-in actions, so no
//! action exists (as in a stock Janua) and every access-list write stops at its action
//! check; the reads, the role rules and the refusals are Janua's.

use steward_model::filter::Search;
use steward_model::{Account, AccountId};
use steward_model::Page;
pub use steward_model::directory::{AccessList, AccessRow, Action};

use crate::messaging::admins::Level;
use crate::{Store, StoreError};

/// Why an action or access-list request was refused.
#[derive(Debug, thiserror::Error)]
pub enum AclError {
    /// Not found among what the caller may see.
    #[error("no such row among those you may see")]
    NotFound,
    /// A supervisor on the list only the super admin may read or write.
    #[error("only the super admin manages this list")]
    AdminOnly,
    /// A supervisor reassigning an action.
    #[error("only the super admin reassigns actions")]
    ReassignNotAllowed,
    /// A required id is missing: from a row of `list`, or (`None`) from a reassignment.
    #[error("an id is missing")]
    MissingIds(Option<AccessList>),
    /// The ids of a row of `list` name a group or an action the caller does not manage.
    #[error("the group or action is not one you manage")]
    NotYours(AccessList),
    /// No Janua admin has this id.
    #[error("no admin has the id {0}")]
    UnknownAdmin(i64),
    /// No action has this id.
    #[error("no action has the id {0}")]
    UnknownAction(i64),
    /// A client's search names an unknown field.
    #[error("{0}")]
    BadQuery(String),
    /// The store failed.
    #[error(transparent)]
    Store(crate::Unavailable),
}

impl From<StoreError> for AclError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::BadFilter(filter) => Self::BadQuery(filter.to_string()),
            other => Self::Store(other.into()),
        }
    }
}

/// The ids of an access-list row a client asked to create.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccessInput {
    /// `group_id`.
    pub group_id: Option<i64>,
    /// `admin_id`.
    pub admin_id: Option<i64>,
    /// `action_id`.
    pub action_id: Option<i64>,
    /// `contact_id`.
    pub contact_id: Option<i64>,
}

/// The actions-and-access-lists service.
pub struct JanuaAcl {
    store: Store,
}

impl JanuaAcl {
    pub(crate) fn new(store: Store) -> Self {
        Self { store }
    }

    fn managed_by(caller: &Account, level: Level) -> Option<AccountId> {
        if level.sees_everyone() { None } else { Some(caller.id) }
    }

    /// Actions: all for the super admin, those it manages for a supervisor.
    pub async fn actions(&self, caller: &Account, level: Level, search: &Search, skip: u64, size: u64) -> Result<Page<Action>, AclError> {
        Ok(self.store.search_actions(Self::managed_by(caller, level), search, skip, size).await?)
    }

    /// One action the caller may see.
    pub async fn action(&self, caller: &Account, level: Level, id: i64) -> Result<Action, AclError> {
        let action = self.store.action(id).await?.ok_or(AclError::NotFound)?;
        if level.sees_everyone() || action.admin_id == caller.id.0 { Ok(action) } else { Err(AclError::NotFound) }
    }

    /// Gives an action to another admin (the super admin only), dropping its access lists.
    #[tracing::instrument(skip_all, fields(action = id))]
    pub async fn reassign(&self, actor: &crate::Actor, level: Level, id: i64, admin_id: Option<i64>) -> Result<(), AclError> {
        if level != Level::Admin {
            return Err(AclError::ReassignNotAllowed);
        }
        let admin_id = admin_id.ok_or(AclError::MissingIds(None))?;
        self.store.action(id).await?.ok_or(AclError::NotFound)?;
        let admin = self.store.account_by_id(AccountId(admin_id)).await?;
        if admin.as_ref().and_then(|found| Level::of(&found.account)).is_none() {
            return Err(AclError::UnknownAdmin(admin_id));
        }
        let at = crate::now();
        let write = self.store.write().await?;
        if !write.reassign_action(id, AccountId(admin_id)).await? {
            return Err(AclError::NotFound);
        }
        write.audit(crate::audit::entry(actor, "janua_action.reassign", &id.to_string(), serde_json::json!({ "admin_id": admin_id })), at).await?;
        write.commit().await?;
        Ok(())
    }

    /// An access list's rows the caller may see (the supervisor list is the super admin's).
    pub async fn rows(&self, list: AccessList, caller: &Account, level: Level, search: &Search, skip: u64, size: u64) -> Result<Page<AccessRow>, AclError> {
        let scope = match list {
            AccessList::SupervisorAction if level != Level::Admin => return Err(AclError::AdminOnly),
            AccessList::SupervisorAction => None,
            AccessList::GroupAction | AccessList::ContactNotify => Some(caller.id),
        };
        Ok(self.store.search_access(list, scope, search, skip, size).await?)
    }

    /// Checks a new access-list row with Janua's rules, in Janua's order. No action exists
    /// in Steward, so a well-formed row always stops at the action check: nothing is
    /// written.
    #[tracing::instrument(skip_all, fields(list = ?list, account = %caller.id.0))]
    pub async fn create(&self, list: AccessList, caller: &Account, level: Level, input: AccessInput) -> Result<AccessRow, AclError> {
        match list {
            AccessList::GroupAction => {
                let (Some(group_id), Some(action_id)) = (input.group_id, input.action_id) else {
                    return Err(AclError::MissingIds(Some(list)));
                };
                let group = self.store.group(caller.id, group_id).await?;
                let action = self.store.action(action_id).await?.filter(|action| action.admin_id == caller.id.0);
                if group.is_none() || action.is_none() {
                    return Err(AclError::NotYours(list));
                }
            }
            AccessList::SupervisorAction => {
                if level != Level::Admin {
                    return Err(AclError::AdminOnly);
                }
                let (Some(admin_id), Some(action_id)) = (input.admin_id, input.action_id) else {
                    return Err(AclError::MissingIds(Some(list)));
                };
                let admin = self.store.account_by_id(AccountId(admin_id)).await?;
                if admin.as_ref().and_then(|found| Level::of(&found.account)) != Some(Level::Supervisor) {
                    return Err(AclError::UnknownAdmin(admin_id));
                }
                if self.store.action(action_id).await?.is_none() {
                    return Err(AclError::UnknownAction(action_id));
                }
            }
            AccessList::ContactNotify => {
                let (Some(_contact_id), Some(action_id), Some(_group_id)) = (input.contact_id, input.action_id, input.group_id) else {
                    return Err(AclError::MissingIds(Some(list)));
                };
                if self.store.action(action_id).await?.filter(|action| action.admin_id == caller.id.0).is_none() {
                    return Err(AclError::NotYours(list));
                }
            }
        }
        // Unreachable while Steward has no actions: every branch above needs one.
        Err(AclError::NotYours(list))
    }
}

impl JanuaAcl {
    /// One access-list row the caller may see.
    pub async fn row(&self, list: AccessList, caller: &Account, level: Level, id: i64) -> Result<AccessRow, AclError> {
        let by_id = Search::by_id(id)
        .map_err(|error| AclError::BadQuery(error.to_string()))?;
        self.rows(list, caller, level, &by_id, 0, 1).await?.rows.pop().ok_or(AclError::NotFound)
    }

    /// Deletes one access-list row the caller may see.
    #[tracing::instrument(skip_all, fields(list = ?list, row = id))]
    pub async fn delete(&self, actor: &crate::Actor, list: AccessList, caller: &Account, level: Level, id: i64) -> Result<(), AclError> {
        let row = self.row(list, caller, level, id).await?;
        let at = crate::now();
        let write = self.store.write().await?;
        if !write.delete_access(list, &row).await? {
            return Err(AclError::NotFound);
        }
        write.audit(crate::audit::entry(actor, "janua_acl.delete", &id.to_string(), serde_json::json!({ "list": steward_store::messaging::access_lists::fields_of(list).table })), at).await?;
        write.commit().await?;
        Ok(())
    }
}
