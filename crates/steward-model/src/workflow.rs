//! Adjutant's workflow as types: a task's life, its type's names, the auto-approval vote and a
//! notification's acknowledgement. A transition is a method of the stage it leaves, taking it
//! by value: a completed or cancelled task has no method that changes it, so an illegal
//! transition cannot be written down. What a transition sets off (tokens deleted or issued,
//! mails queued, notes) is the core's; which stage the stored flags make is here.

use time::OffsetDateTime;

/// A task type. Steward emits the seed's names (`signup`, `invite_user`…) and accepts the
/// deprecated and 13.x names (`create_project_and_user`, `invite_user_to_project`…) as
/// synonyms wherever a type is input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskType {
    /// A new project with its first user; an admin approves it.
    Signup,
    /// A user invited to a project.
    InviteUser,
    /// A password reset by e-mail.
    ResetPassword,
    /// A user's roles on a project changed.
    EditUser,
    /// A user's e-mail address changed, confirmed at the new address.
    UpdateEmail,
    /// A project's quota changed.
    UpdateQuota,
}

/// What a new or updated task does when an open task of the same type has the same data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicatePolicy {
    /// The older open tasks are cancelled, with a note, and the new one proceeds.
    Cancel,
    /// The new one is refused (409 "This Task already exists.").
    Block,
}

impl TaskType {
    /// Every type, in the notes' catalogue order.
    pub const ALL: [Self; 6] = [Self::Signup, Self::InviteUser, Self::ResetPassword, Self::EditUser, Self::UpdateEmail, Self::UpdateQuota];

    /// The seed's name: what Steward writes in `task_type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Signup => "signup",
            Self::InviteUser => "invite_user",
            Self::ResetPassword => "reset_password",
            Self::EditUser => "edit_user",
            Self::UpdateEmail => "update_email",
            Self::UpdateQuota => "update_quota",
        }
    }

    /// The other names the type answers to: the 13.x name first, then deprecated ones.
    pub fn synonyms(self) -> &'static [&'static str] {
        match self {
            Self::Signup => &["create_project_and_user", "create_project"],
            Self::InviteUser => &["invite_user_to_project"],
            Self::ResetPassword => &["reset_user_password"],
            Self::EditUser => &["edit_user_roles", "edit_roles"],
            Self::UpdateEmail => &["update_user_email"],
            Self::UpdateQuota => &[],
        }
    }

    /// The type `name` names, by its seed name or a synonym; `None` for anything else.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name || kind.synonyms().contains(&name))
    }

    /// What a duplicate of an open task of this type does.
    pub fn duplicates(self) -> DuplicatePolicy {
        match self {
            Self::Signup | Self::InviteUser => DuplicatePolicy::Block,
            Self::ResetPassword | Self::EditUser | Self::UpdateEmail | Self::UpdateQuota => DuplicatePolicy::Cancel,
        }
    }
}

impl std::fmt::Display for TaskType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a task approves itself: at least one action voted yes (`auto_approve: true`),
/// none voted no, and the task type's configuration allows it. An abstention (`null`)
/// counts neither way.
pub fn auto_approves(votes: impl IntoIterator<Item = Option<bool>>, allowed_by_type: bool) -> bool {
    let mut any_yes = false;
    for vote in votes {
        match vote {
            Some(false) => return false,
            Some(true) => any_yes = true,
            None => {}
        }
    }
    any_yes && allowed_by_type
}

/// Who approved a task and when: recorded before the actions' approve step runs, so the
/// record shows it even when an action fails.
#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    /// The approver's `keystone_user` object; on auto-approval the requester's (`{}` when
    /// anonymous), as the seed shows.
    pub by: serde_json::Map<String, serde_json::Value>,
    /// When.
    pub on: OffsetDateTime,
}

/// Where a task is in its life. Stored as Adjutant's three flags (`approved`, `completed`,
/// `cancelled`); [`TaskStage::from_flags`] reads them back.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskStage {
    /// Waiting for approval; its data may still be updated.
    Pending(Pending),
    /// Approved and not finished: waiting for its token to be submitted (or for a
    /// re-approval after an action failed).
    Approved(Approved),
    /// Done. Terminal.
    Completed(Completed),
    /// Cancelled before completion. Terminal.
    Cancelled(Cancelled),
}

/// A task that nothing may change any more, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// It completed ("This task has already been completed.").
    Completed,
    /// It was cancelled ("This task has been cancelled.").
    Cancelled,
}

/// A pending task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending;

/// An approved task, not finished.
#[derive(Debug, Clone, PartialEq)]
pub struct Approved {
    /// The latest approval.
    pub approval: Approval,
}

/// A completed task.
#[derive(Debug, Clone, PartialEq)]
pub struct Completed {
    /// Its approval.
    pub approval: Approval,
    /// When it completed.
    pub on: OffsetDateTime,
}

/// A cancelled task.
#[derive(Debug, Clone, PartialEq)]
pub struct Cancelled {
    /// Its approval, if it had one: a cancel leaves `approved` as it was.
    pub approval: Option<Approval>,
}

impl Pending {
    /// An update of the task's data: it stays pending (the actions prepare again).
    #[must_use]
    pub fn update(self) -> Self {
        self
    }

    /// Approved by `approval`; the actions' approve step runs next.
    pub fn approve(self, approval: Approval) -> Approved {
        Approved { approval }
    }

    /// Cancelled, never approved.
    pub fn cancel(self) -> Cancelled {
        Cancelled { approval: None }
    }
}

impl Approved {
    /// Approved again: the notes keep upstream's surprise on purpose (a re-approval is how
    /// an admin sends a fresh token; the core deletes the old one).
    pub fn approve(self, approval: Approval) -> Self {
        Self { approval }
    }

    /// Finished: its token was submitted, or no action needed one.
    pub fn complete(self, on: OffsetDateTime) -> Completed {
        Completed { approval: self.approval, on }
    }

    /// Cancelled; it stays recorded as approved.
    pub fn cancel(self) -> Cancelled {
        Cancelled { approval: Some(self.approval) }
    }
}

/// The stored flags are not a stage Steward writes (completed without approval, or both
/// completed and cancelled): a hand-edited row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a task cannot be {0}")]
pub struct ImpossibleFlags(&'static str);

impl TaskStage {
    /// The stage Adjutant's flags make, with the approval and completion they record.
    pub fn from_flags(approval: Option<Approval>, completed_on: Option<OffsetDateTime>, cancelled: bool) -> Result<Self, ImpossibleFlags> {
        Ok(match (approval, completed_on, cancelled) {
            (_, Some(_), true) => return Err(ImpossibleFlags("completed and cancelled")),
            (None, Some(_), false) => return Err(ImpossibleFlags("completed without an approval")),
            (approval, None, true) => Self::Cancelled(Cancelled { approval }),
            (Some(approval), Some(on), false) => Self::Completed(Completed { approval, on }),
            (Some(approval), None, false) => Self::Approved(Approved { approval }),
            (None, None, false) => Self::Pending(Pending),
        })
    }

    /// Its approval, if it has one.
    pub fn approval(&self) -> Option<&Approval> {
        match self {
            Self::Pending(_) => None,
            Self::Approved(Approved { approval }) | Self::Completed(Completed { approval, .. }) => Some(approval),
            Self::Cancelled(Cancelled { approval }) => approval.as_ref(),
        }
    }

    /// When it completed, if it did.
    pub fn completed_on(&self) -> Option<OffsetDateTime> {
        match self {
            Self::Completed(Completed { on, .. }) => Some(*on),
            _ => None,
        }
    }

    /// Whether it was cancelled.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Self::Cancelled(_))
    }

    /// Why nothing may change it, if it is finished.
    pub fn closed(&self) -> Option<Closed> {
        match self {
            Self::Completed(_) => Some(Closed::Completed),
            Self::Cancelled(_) => Some(Closed::Cancelled),
            Self::Pending(_) | Self::Approved(_) => None,
        }
    }
}

/// A task token's life: live until it expires, is replaced (re-approval, reissue), is
/// submitted or its task is cancelled; any of those deletes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLife {
    /// When it was issued.
    pub created_on: OffsetDateTime,
    /// When it stops working.
    pub expires: OffsetDateTime,
}

impl TokenLife {
    /// Issued `at`, valid for `lifetime` (24 h unless the task type's configuration says).
    pub fn issued(at: OffsetDateTime, lifetime: time::Duration) -> Self {
        Self { created_on: at, expires: at + lifetime }
    }

    /// Whether it still works at `now` (an expired token is deleted when next read).
    pub fn is_live(&self, now: OffsetDateTime) -> bool {
        now < self.expires
    }
}

/// A notification's acknowledgement: false to true once, never back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acknowledgement {
    /// Not yet seen to.
    Open,
    /// Seen to. Terminal.
    Acknowledged,
}

/// What acknowledging did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acknowledged {
    /// It was open and is acknowledged now.
    Now,
    /// It already was ("Notification already acknowledged.": still a 200).
    Already,
}

impl Acknowledgement {
    /// Acknowledges; idempotent, and there is no way back.
    pub fn acknowledge(self) -> (Self, Acknowledged) {
        match self {
            Self::Open => (Self::Acknowledged, Acknowledged::Now),
            Self::Acknowledged => (Self::Acknowledged, Acknowledged::Already),
        }
    }
}

/// A task as the store keeps it: its type, requester, stage, notes and actions in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// The store's key (actions point at it).
    pub id: i64,
    /// Its public id: 32 lower-case hex characters.
    pub uuid: String,
    /// What it does.
    pub task_type: TaskType,
    /// The SHA-256 of its type, actions and data: equal for duplicates.
    pub hash_key: String,
    /// The requester's `keystone_user` object (`{}` when anonymous).
    pub keystone_user: serde_json::Map<String, serde_json::Value>,
    /// The requester's project, if the request had one.
    pub project: Option<crate::projects::ProjectId>,
    /// The requester's address.
    pub ip_address: Option<String>,
    /// Where it is in its life.
    pub stage: TaskStage,
    /// Notes on the task itself (cancelled as a duplicate, …).
    pub task_notes: Vec<String>,
    /// Each action's notes, by action name.
    pub action_notes: serde_json::Map<String, serde_json::Value>,
    /// Its actions, in order.
    pub actions: Vec<Action>,
    /// When it was made.
    pub created_on: OffsetDateTime,
    /// Bumped by every write of its stage, so two writers cannot both move it.
    pub version: i64,
}

/// One action of a task as the store keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// Its class name (`NewProjectWithUserAction`).
    pub name: String,
    /// Its validated input.
    pub data: serde_json::Value,
    /// What it remembers between its steps.
    pub cache: serde_json::Value,
    /// Its own state word (`default`, `existing`, `complete`…).
    pub state: String,
    /// Whether its last step found it valid.
    pub valid: bool,
    /// Whether it waits for a token's data before it can finish.
    pub need_token: bool,
    /// Its auto-approval vote.
    pub auto_approve: Option<bool>,
}

/// A task token as the store keeps it, with its task's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskToken {
    /// The token's value, as mailed.
    pub token: String,
    /// Its task's uuid.
    pub task: String,
    /// Its task's type.
    pub task_type: TaskType,
    /// When it was issued and when it stops working.
    pub life: TokenLife,
}

/// A notification: a task needs approval, or something failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// Its public id: 32 lower-case hex characters.
    pub uuid: String,
    /// The task it is about.
    pub task: Option<String>,
    /// `{"notes": [...]}` or `{"errors": ...}`.
    pub notes: serde_json::Value,
    /// Whether it reports a failure.
    pub error: bool,
    /// Whether an admin has seen to it.
    pub acknowledgement: Acknowledgement,
    /// When it was raised.
    pub created_on: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approval(by: &str) -> Approval {
        let mut user = serde_json::Map::new();
        user.insert("username".to_owned(), by.into());
        Approval { by: user, on: OffsetDateTime::UNIX_EPOCH }
    }

    #[test]
    fn seed_names_are_written_and_every_synonym_is_read() {
        for kind in TaskType::ALL {
            assert_eq!(TaskType::parse(kind.as_str()), Some(kind));
            for synonym in kind.synonyms() {
                assert_eq!(TaskType::parse(synonym), Some(kind), "{synonym}");
            }
        }
        assert_eq!(TaskType::parse("create_project_and_user"), Some(TaskType::Signup));
        assert_eq!(TaskType::parse("edit_roles").map(TaskType::as_str), Some("edit_user"));
        assert_eq!(TaskType::parse("Signup"), None);
        assert_eq!(TaskType::parse(""), None);
    }

    #[test]
    fn sign_ups_and_invitations_block_duplicates_the_rest_cancel_them() {
        let blocking: Vec<_> = TaskType::ALL.into_iter().filter(|kind| kind.duplicates() == DuplicatePolicy::Block).collect();
        assert_eq!(blocking, [TaskType::Signup, TaskType::InviteUser]);
    }

    #[test]
    fn one_yes_and_no_no_approves_if_the_type_allows() {
        assert!(auto_approves([Some(true)], true));
        assert!(auto_approves([None, Some(true), None], true));
        assert!(!auto_approves([Some(true), Some(false)], true), "one no vetoes");
        assert!(!auto_approves([None, None], true), "abstentions alone do not approve");
        assert!(!auto_approves([], true));
        assert!(!auto_approves([Some(true)], false), "the type's configuration can forbid it");
    }

    #[test]
    fn a_task_goes_pending_approved_completed() {
        let pending = Pending.update();
        let approved = pending.approve(approval("admin"));
        let again = approved.approve(approval("other"));
        assert_eq!(again.approval.by["username"], "other", "a re-approval records its approver");
        let done = again.complete(OffsetDateTime::UNIX_EPOCH + time::Duration::hours(1));
        let stage = TaskStage::Completed(done);
        assert_eq!(stage.closed(), Some(Closed::Completed));
        assert_eq!(stage.approval().map(|approval| approval.by["username"].clone()), Some("other".into()));
    }

    #[test]
    fn a_cancel_keeps_the_approval_it_found() {
        assert_eq!(Pending.cancel().approval, None);
        let cancelled = Pending.approve(approval("admin")).cancel();
        assert_eq!(cancelled.approval.as_ref().map(|approval| approval.by["username"].clone()), Some("admin".into()));
        let stage = TaskStage::Cancelled(cancelled);
        assert_eq!(stage.closed(), Some(Closed::Cancelled));
        assert!(stage.is_cancelled());
        assert_eq!(stage.completed_on(), None);
    }

    #[test]
    fn stored_flags_read_back_as_the_stage_that_wrote_them() {
        let on = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(TaskStage::from_flags(None, None, false), Ok(TaskStage::Pending(Pending)));
        assert!(matches!(TaskStage::from_flags(Some(approval("a")), None, false), Ok(TaskStage::Approved(_))));
        assert!(matches!(TaskStage::from_flags(Some(approval("a")), Some(on), false), Ok(TaskStage::Completed(_))));
        assert!(matches!(TaskStage::from_flags(None, None, true), Ok(TaskStage::Cancelled(Cancelled { approval: None }))));
        assert!(matches!(TaskStage::from_flags(Some(approval("a")), None, true), Ok(TaskStage::Cancelled(Cancelled { approval: Some(_) }))));
        assert!(TaskStage::from_flags(None, Some(on), false).is_err());
        assert!(TaskStage::from_flags(Some(approval("a")), Some(on), true).is_err());
        for stage in [TaskStage::Pending(Pending), TaskStage::Approved(Approved { approval: approval("a") })] {
            assert_eq!(stage.closed(), None);
        }
    }

    #[test]
    fn a_token_works_until_its_expiry_and_not_at_it() {
        let life = TokenLife::issued(OffsetDateTime::UNIX_EPOCH, time::Duration::hours(24));
        assert!(life.is_live(OffsetDateTime::UNIX_EPOCH));
        assert!(life.is_live(life.expires - time::Duration::seconds(1)));
        assert!(!life.is_live(life.expires));
    }

    #[test]
    fn acknowledging_is_once_and_idempotent() {
        let (state, first) = Acknowledgement::Open.acknowledge();
        assert_eq!((state, first), (Acknowledgement::Acknowledged, Acknowledged::Now));
        assert_eq!(state.acknowledge(), (Acknowledgement::Acknowledged, Acknowledged::Already));
    }
}
