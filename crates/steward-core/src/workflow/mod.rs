//! Workflow: Adjutant's tasks (sign-up, invitations, password resets…), the actions they are
//! made of, their approval, the task tokens users complete them with, and the notifications
//! raised along the way. A task's stage is the model's typed state machine
//! ([`steward_model::workflow::TaskStage`]); every transition here reads the task, moves its
//! stage, runs its actions, issues or deletes its tokens, queues its mails and writes its
//! audit entry in one write transaction, saved by a compare-and-set on the task's version.
//!
//! - [`requester`]: who asks, as Adjutant's `keystone_user`, and the role guards.
//! - [`fields`]: reading a client's body into an action's data, DRF-style.
//! - `actions`: the actions and their prepare / approve / submit steps.
//! - `tasks`: creating, listing, updating, approving and cancelling tasks.
//! - `tokens`: issuing, listing, reading and submitting task tokens.
//! - `notifications`: raising, listing and acknowledging notifications.
//! - `people`: a project's members and pending invitations, as its admins see them.
//! - `quota`: a project's quota, as its admins see it.

mod actions;
pub mod fields;
mod notifications;
mod people;
mod quota;
pub mod requester;
mod tasks;
mod tokens;

use std::sync::Arc;

use steward_model::filter::FilterError;
use steward_model::workflow::Closed;

pub use fields::{FieldError, FieldErrors};
pub use requester::{Requester, RequesterProject};
pub use tasks::{Approval, Created, Listed, Pages, Paging, Status};
pub use people::{ProjectUser, Revoked};
pub use quota::{QuotaReport, change_status};
pub use tokens::TokenDetails;

use crate::identity::hasher::{HashError, Hasher};
use crate::identity::rate_limit::LoginLimiter;
use crate::identity::tokens::TokenCache;
use crate::messaging::mail::Mail;
use crate::{Store, StoreError, Unavailable};

/// What went wrong; the face words each case in Adjutant's envelope.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// Nobody is calling, and the operation needs somebody (401).
    #[error("credentials incorrect or none given")]
    Unauthenticated,
    /// The caller holds none of these roles (403).
    #[error("must have one of the roles {0:?}")]
    Forbidden(requester::Roles),
    /// No task with this id that the caller may see.
    #[error("no task with this id")]
    TaskNotFound,
    /// The task is finished.
    #[error("the task is closed: {0:?}")]
    Closed(Closed),
    /// The task was approved, so its data is fixed.
    #[error("the task has already been approved")]
    AlreadyApproved,
    /// The task waits for approval, not for a token.
    #[error("the task has not been approved")]
    NotApproved,
    /// None of the task's actions waits for a token.
    #[error("the task does not use a token")]
    NoToken,
    /// The body's fields break the rules.
    #[error("invalid fields")]
    Fields(FieldErrors),
    /// An action found the task cannot go on.
    #[error("actions invalid")]
    ActionsInvalid,
    /// An open task of a "block" type already has this data.
    #[error("this task already exists")]
    Duplicate,
    /// Another request changed the task first.
    #[error("the task was changed by another request")]
    Changed,
    /// This task type is not run by Steward yet.
    #[error("the task type {0} is not served")]
    NotServed(steward_model::workflow::TaskType),
    /// No live token with this value.
    #[error("this token does not exist or has expired")]
    TokenNotFound,
    /// The token's task needs an authenticated caller to submit it.
    #[error("this token requires authentication to submit")]
    TokenNeedsAuthentication,
    /// Too many anonymous requests from this address or for this e-mail address.
    #[error("too many requests; retry in {} s", .0.as_secs())]
    TooManyRequests(std::time::Duration),
    /// The page asked for is before the first or after the last.
    #[error("empty page")]
    EmptyPage,
    /// The caller's token is not opened on a project, and the operation is about one.
    #[error("the token is not opened on a project")]
    NoProject,
    /// No user with this id in the caller's project.
    #[error("no user with this id")]
    UserNotFound,
    /// The client did not confirm the acknowledgement (`{"acknowledged": true}`).
    #[error("the acknowledgement was not confirmed")]
    AcknowledgementRequired,
    /// Regions Steward does not have.
    #[error("unknown regions {0:?}")]
    UnknownRegions(Vec<String>),
    /// No notification with this id.
    #[error("no notification with this id")]
    NotificationNotFound,
    /// The filter names an unknown field or does not fit it.
    #[error(transparent)]
    Filter(FilterError),
    /// Hashing the password failed or was too busy.
    #[error(transparent)]
    Hash(#[from] HashError),
    /// The store failed.
    #[error(transparent)]
    Store(Unavailable),
}

impl From<StoreError> for WorkflowError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::BadFilter(error) => Self::Filter(error),
            other => Self::Store(other.into()),
        }
    }
}

/// A mail that cannot be queued is the workflow's own bug (its templates render mails
/// with a recipient and a subject), reported like a store failure.
impl From<crate::messaging::mail::MailError> for WorkflowError {
    fn from(error: crate::messaging::mail::MailError) -> Self {
        match error {
            crate::messaging::mail::MailError::Store(error) => Self::Store(error),
            crate::messaging::mail::MailError::Invalid(reason) => Self::Store(StoreError::Corrupt(reason).into()),
        }
    }
}

impl From<FieldErrors> for WorkflowError {
    fn from(errors: FieldErrors) -> Self {
        Self::Fields(errors)
    }
}

/// What the workflow depends on from the configuration.
#[derive(Debug, Clone)]
pub struct WorkflowSettings {
    /// Where a mailed token link points: the token is appended (`<public_url>/v1/tokens/`).
    pub token_link_base: String,
    /// How long a task token works (`faces.adjutant.token_ttl_hours`).
    pub token_life: time::Duration,
    /// Anonymous task requests per client address and per e-mail address a minute, and
    /// failed token reads per address (`faces.adjutant.anonymous_requests_per_minute`).
    pub anonymous_per_minute: u32,
}

/// The workflow service.
pub struct Workflow {
    store: Store,
    hasher: Hasher,
    tokens: Arc<TokenCache>,
    mail: Arc<Mail>,
    /// Anonymous task requests, counted per e-mail address and client address.
    anonymous: LoginLimiter,
    /// Reads and submissions of unknown task tokens, counted per client address.
    token_misses: LoginLimiter,
    settings: WorkflowSettings,
}

impl Workflow {
    pub(crate) fn new(store: Store, hasher: Hasher, tokens: Arc<TokenCache>, mail: Arc<Mail>, settings: WorkflowSettings) -> Self {
        let anonymous = LoginLimiter::new(settings.anonymous_per_minute);
        let token_misses = LoginLimiter::new(settings.anonymous_per_minute);
        Self { store, hasher, tokens, mail, anonymous, token_misses, settings }
    }

    /// The requester an account's token makes, acting on the project the token was opened on
    /// (with its roles there).
    pub async fn requester(
        &self,
        account: steward_model::Account,
        project: Option<steward_model::projects::ProjectId>,
        face: &'static str,
        ip: Option<std::net::IpAddr>,
    ) -> Result<Requester, WorkflowError> {
        let (project, roles) = match project {
            Some(id) => match self.store.project(id).await? {
                Some(found) => {
                    let roles = match self.store.member(account.id, id).await? {
                        Some(member) if !member.disabled => member.roles.iter().map(|role| role.as_str().to_owned()).collect(),
                        _ => Vec::new(),
                    };
                    (Some(RequesterProject { id, name: found.name }), roles)
                }
                None => (None, Vec::new()),
            },
            None => (None, Vec::new()),
        };
        Ok(Requester::account(account, project, roles, face, ip))
    }
}

/// A new 32-hex-character id (128 random bits): task and notification uuids, token values.
pub(crate) fn new_id() -> String {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    steward_model::hex::encode(&bytes)
}
