//! The actions tasks are made of, each with Adjutant's three steps: prepare (validate and
//! vote on auto-approval), approve (check again and say which token fields it waits for)
//! and submit (do the work with the token's data). Every step runs inside the task's write
//! transaction, so what an action checks is still true when it writes.
//!
//! Steward's users are accounts whose login is their e-mail address; projects are the
//! projects every face shares; roles on a project are memberships' roles.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use steward_model::projects::{MemberProfile, ProjectDetails, ProjectId};
use steward_model::workflow::TaskType;
use steward_model::{Account, AccountId, AuthBackend, Role};
use steward_store::{NewAccountRow, StoreError, WriteTx};
use time::OffsetDateTime;

use super::fields::{FieldError, Reader};
use super::requester::Requester;
use crate::quotas::project_sizes;

/// Longest project name (Adjutant's serializer).
const MAX_PROJECT_NAME: usize = 64;

/// Roles a sign-up gives its user on the new project (upstream's `default_roles`).
const SIGNUP_ROLES: [&str; 2] = ["member", "project_admin"];

/// Roles nobody may be given through the workflow, and whose holders cannot reset their
/// password by mail (upstream's blacklist).
const BLACKLISTED: [&str; 1] = ["admin"];

/// One kind of action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ActionKind {
    /// A new project with its first user (sign-up).
    NewProjectWithUser,
    /// A user's password set from a token (password reset).
    ResetUserPassword,
    /// A user added to a project, created when new (invitation).
    NewUser,
    /// A member's roles on a project given or taken.
    EditUserRoles,
    /// A user's e-mail address changed, confirmed from the new address.
    UpdateUserEmail,
    /// A project's quota set to a named size.
    UpdateProjectQuotas,
    /// A new project's quota set to the default size (the sign-up's last action).
    SetProjectQuota,
}

/// What a step found (by default: not valid, so nothing goes on by accident).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// Whether the action can go on.
    pub valid: bool,
    /// Its auto-approval vote (prepare only).
    pub vote: Option<bool>,
    /// Its state word.
    pub state: &'static str,
    /// The token fields it waits for (approve only).
    pub token_fields: Vec<&'static str>,
    /// What it says about itself, for the task's `action_notes`.
    pub notes: Vec<String>,
}

impl Verdict {
    fn valid(state: &'static str) -> Self {
        Self { valid: true, vote: None, state, token_fields: Vec::new(), notes: Vec::new() }
    }

    fn invalid(note: String) -> Self {
        Self { valid: false, vote: None, state: "default", token_fields: Vec::new(), notes: vec![note] }
    }

    fn voting(mut self, vote: bool) -> Self {
        self.vote = Some(vote);
        self
    }

    fn waiting_for(mut self, fields: &[&'static str]) -> Self {
        self.token_fields = fields.to_vec();
        self
    }

    fn noting(mut self, note: String) -> Self {
        self.notes.push(note);
        self
    }
}

/// What a token brought: the password already hashed (before the transaction opened).
#[derive(Debug, Clone, Default)]
pub(crate) struct TokenData {
    /// The argon2id hash of the chosen password.
    pub password_hash: Option<String>,
}

/// The sign-up's data.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Signup {
    project_name: String,
    email: String,
    domain_id: String,
    parent_id: Option<String>,
}

/// The password reset's data.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Reset {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    email: String,
    domain_name: String,
}

/// The invitation's data.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Invite {
    email: String,
    project_id: String,
    roles: Vec<String>,
    inherited_roles: Vec<String>,
    domain_id: String,
}

/// The stored data of an action Steward wrote itself; unreadable only if hand-edited.
fn stored<T: serde::de::DeserializeOwned>(data: &Value) -> Result<T, StoreError> {
    serde_json::from_value(data.clone()).map_err(|cause| StoreError::unreadable("workflow action data", cause))
}

fn to_value(data: &impl Serialize) -> Value {
    serde_json::to_value(data).unwrap_or(Value::Null)
}

/// The roles `requester` may give on a project (upstream's `role_mapping`, over the roles
/// Steward's projects know).
pub(crate) fn manageable_roles(requester: &Requester) -> &'static [&'static str] {
    if requester.has_role("admin") || requester.has_role("project_admin") {
        &["member", "project_admin", "project_mod"]
    } else if requester.has_role("project_mod") {
        &["member", "project_mod"]
    } else {
        &[]
    }
}

impl ActionKind {
    /// The actions of a task type, in order; `None` for a type Steward does not run yet.
    pub(crate) fn of(task_type: TaskType) -> Option<&'static [Self]> {
        match task_type {
            TaskType::Signup => Some(&[Self::NewProjectWithUser, Self::SetProjectQuota]),
            TaskType::ResetPassword => Some(&[Self::ResetUserPassword]),
            TaskType::InviteUser => Some(&[Self::NewUser]),
            TaskType::EditUser => Some(&[Self::EditUserRoles]),
            TaskType::UpdateEmail => Some(&[Self::UpdateUserEmail]),
            TaskType::UpdateQuota => Some(&[Self::UpdateProjectQuotas]),
        }
    }

    /// The class name Adjutant shows.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::NewProjectWithUser => "NewProjectWithUserAction",
            Self::ResetUserPassword => "ResetUserPasswordAction",
            Self::NewUser => "NewUserAction",
            Self::EditUserRoles => "EditUserRolesAction",
            Self::UpdateUserEmail => "UpdateUserEmailAction",
            Self::UpdateProjectQuotas => "UpdateProjectQuotasAction",
            Self::SetProjectQuota => "SetProjectQuotaAction",
        }
    }

    /// The kind a stored class name names.
    pub(crate) fn named(name: &str) -> Option<Self> {
        [
            Self::NewProjectWithUser,
            Self::ResetUserPassword,
            Self::NewUser,
            Self::EditUserRoles,
            Self::UpdateUserEmail,
            Self::UpdateProjectQuotas,
            Self::SetProjectQuota,
        ]
        .into_iter().find(|kind| kind.name() == name)
    }

    /// Reads this action's data from a client's body; problems go to `reader`.
    pub(crate) fn read(self, reader: &mut Reader<'_>, requester: &Requester) -> Value {
        match self {
            Self::NewProjectWithUser => {
                let project_name = reader.text("project_name", MAX_PROJECT_NAME);
                let email = reader.email("email");
                to_value(&Signup {
                    project_name: project_name.unwrap_or_default(),
                    email: email.unwrap_or_default(),
                    domain_id: "default".to_owned(),
                    parent_id: None,
                })
            }
            Self::ResetUserPassword => {
                let email = reader.email("email");
                let username = reader.optional_text("username", 255).map(|username| username.to_lowercase());
                let domain_name = reader.optional_text("domain_name", 64).unwrap_or_else(|| "Default".to_owned());
                to_value(&Reset { email: email.unwrap_or_default(), username, domain_name })
            }
            Self::NewUser => {
                let email = reader.email("email");
                let roles = reader.list("roles");
                let inherited_roles = reader.list("inherited_roles");
                if roles.is_empty() && inherited_roles.is_empty() && !reader.errors.0.contains_key("roles") && !reader.errors.0.contains_key("inherited_roles") {
                    reader.errors.add("non_field_errors", FieldError::Rule("Must supply either 'roles' or 'inherited_roles', or both."));
                }
                if !inherited_roles.is_empty() {
                    // Steward's projects have no sub-projects for a role to be inherited by.
                    reader.errors.add("inherited_roles", FieldError::Rule("Steward's projects have no sub-projects: give these as 'roles'."));
                }
                let project_id = reader
                    .optional_text("project_id", 64)
                    .or_else(|| requester.project().map(|project| project.id.0.to_string()))
                    .unwrap_or_default();
                to_value(&Invite { email: email.unwrap_or_default(), project_id, roles, inherited_roles, domain_id: "default".to_owned() })
            }
            Self::EditUserRoles => {
                let roles = reader.list("roles");
                let inherited_roles = reader.list("inherited_roles");
                if !inherited_roles.is_empty() {
                    reader.errors.add("inherited_roles", FieldError::Rule("Steward's projects have no sub-projects: give these as 'roles'."));
                }
                let user_id = reader.text("user_id", 64);
                let remove = matches!(reader.body().get("remove"), Some(Value::Bool(true)));
                let project_id = requester.project().map(|project| project.id.0.to_string()).unwrap_or_default();
                to_value(&EditRoles { user_id: user_id.unwrap_or_default(), project_id, roles, inherited_roles, remove })
            }
            Self::UpdateUserEmail => {
                let new_email = reader.email("new_email");
                let user_id = requester.account_of().map(|account| account.uuid.simple().to_string()).unwrap_or_default();
                to_value(&UpdateEmail { user_id, new_email: new_email.unwrap_or_default() })
            }
            Self::SetProjectQuota => Value::Object(serde_json::Map::new()),
            Self::UpdateProjectQuotas => {
                let size = reader.text("size", 64);
                if let Some(name) = &size
                    && project_sizes::size(name).is_none()
                {
                    reader.errors.add("size", FieldError::NotASize(name.clone()));
                }
                let regions = match reader.body().get("regions") {
                    None | Some(Value::Null) => vec![project_sizes::REGION.to_owned()],
                    Some(_) => reader.list("regions"),
                };
                let project_id = requester.project().map(|project| project.id.0.to_string()).unwrap_or_default();
                to_value(&QuotaChange { project_id, size: size.unwrap_or_default(), regions })
            }
        }
    }

    /// The regions this action's data names that Steward does not have (a quota change's).
    pub(crate) fn unknown_regions(self, data: &Value) -> Vec<String> {
        match self {
            Self::UpdateProjectQuotas => {
                let regions: Vec<String> = data.get("regions").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect();
                project_sizes::unknown_regions(&regions)
            }
            _ => Vec::new(),
        }
    }

    /// Whether only an authenticated caller may submit this action's token (13.x's
    /// `token_requires_authentication`).
    pub(crate) fn token_needs_authentication(self) -> bool {
        self == Self::UpdateUserEmail
    }

    /// The address this action's mails of `stage` go to: an e-mail change warns the old
    /// address first, then confirms at the new one.
    pub(crate) async fn recipient(self, write: &WriteTx, stage: &str, data: &Value) -> Result<Option<String>, StoreError> {
        let field = |name: &str| data.get(name).and_then(Value::as_str).filter(|email| !email.is_empty()).map(str::to_owned);
        Ok(match self {
            Self::EditUserRoles | Self::UpdateProjectQuotas | Self::SetProjectQuota => None,
            Self::UpdateUserEmail if stage == "initial" => match user_of(write, &stored::<UpdateEmail>(data)?.user_id).await? {
                Some(account) => account.email,
                None => None,
            },
            Self::UpdateUserEmail => field("new_email"),
            Self::NewProjectWithUser | Self::ResetUserPassword | Self::NewUser => field("email"),
        })
    }

    /// The project name this action's mails speak of, when its data names one.
    pub(crate) async fn project_name(self, write: &WriteTx, data: &Value) -> Result<Option<String>, StoreError> {
        Ok(match self {
            Self::NewProjectWithUser => Some(stored::<Signup>(data)?.project_name),
            Self::NewUser => match stored::<Invite>(data)?.project_id.parse::<i64>() {
                Ok(id) => write.project(ProjectId(id)).await?.map(|project| project.name),
                Err(_) => None,
            },
            Self::ResetUserPassword | Self::UpdateUserEmail => None,
            Self::EditUserRoles => match stored::<EditRoles>(data)?.project_id.parse::<i64>() {
                Ok(id) => write.project(ProjectId(id)).await?.map(|project| project.name),
                Err(_) => None,
            },
            Self::UpdateProjectQuotas | Self::SetProjectQuota => None,
        })
    }

    /// Validates and votes.
    pub(crate) async fn prepare(self, write: &WriteTx, store: &steward_store::Store, data: &Value, requester: &Requester) -> Result<Verdict, StoreError> {
        match self {
            Self::NewProjectWithUser => {
                let signup: Signup = stored(data)?;
                // What it found, in upstream's words (admins read these before approving).
                Ok(match signup_state(write, &signup).await? {
                    Ok(verdict) => {
                        let user = match verdict.state {
                            "existing" => "Existing user with matching email.".to_owned(),
                            "disabled" => format!("Existing user '{}' is disabled: approving enables it with a new password.", signup.email),
                            _ => format!("No user present with username '{}'. Need to create new user.", signup.email),
                        };
                        verdict.noting(format!("No existing project with name '{}'.", signup.project_name)).noting(user)
                    }
                    Err(invalid) => invalid,
                })
            }
            Self::ResetUserPassword => {
                let reset: Reset = stored(data)?;
                Ok(match reset_target(write, &reset).await? {
                    Some(_) => Verdict::valid("default").voting(true).noting("Existing user with matching email.".to_owned()),
                    // Its type approves itself, so an invalid reset is refused, never stored.
                    None => Verdict::invalid("No user with this e-mail address can reset a password.".to_owned()).voting(true),
                })
            }
            Self::NewUser => {
                let invite: Invite = stored(data)?;
                let own_project = requester.project().map(|project| project.id.0.to_string());
                if own_project.as_deref() != Some(invite.project_id.as_str()) {
                    return Ok(Verdict::invalid("A user can only be invited to the project of the inviter's token.".to_owned()).voting(true));
                }
                let manageable = manageable_roles(requester);
                if let Some(role) = invite.roles.iter().find(|role| !manageable.contains(&role.as_str())) {
                    return Ok(Verdict::invalid(format!("The role '{role}' cannot be given by this user.")).voting(true));
                }
                Ok(invite_state(write, &invite).await?.unwrap_or_else(|verdict| verdict).voting(true))
            }
            Self::EditUserRoles => {
                let edit: EditRoles = stored(data)?;
                let manageable = manageable_roles(requester);
                if let Some(role) = edit.roles.iter().find(|role| !manageable.contains(&role.as_str())) {
                    return Ok(Verdict::invalid(format!("The role '{role}' cannot be managed by this user.")).voting(true));
                }
                Ok(edit_state(write, &edit).await?.voting(true))
            }
            Self::UpdateUserEmail => {
                let update: UpdateEmail = stored(data)?;
                Ok(email_state(write, &update).await?.voting(true))
            }
            Self::SetProjectQuota => Ok(Verdict::valid("default")),
            Self::UpdateProjectQuotas => {
                let change: QuotaChange = stored(data)?;
                let Some(project) = quota_project(write, &change).await? else {
                    return Ok(Verdict::invalid("The caller's token is not opened on a project.".to_owned()).voting(true));
                };
                // One step from the current size approves itself, unless the project's quota
                // changed in the last 30 days; anything else waits for an admin.
                let current = project_sizes::project_quota(store, project).await?;
                let since = crate::now() - time::Duration::days(30);
                let recent = write.completed_tasks_since(TaskType::UpdateQuota, project, since).await?;
                Ok(Verdict::valid("default").voting(project_sizes::one_step(current.size, &change.size) && recent == 0))
            }
        }
    }

    /// Checks again and says which token fields the action waits for.
    pub(crate) async fn approve(self, write: &WriteTx, data: &Value) -> Result<Verdict, StoreError> {
        match self {
            Self::NewProjectWithUser => {
                let signup: Signup = stored(data)?;
                Ok(match signup_state(write, &signup).await? {
                    Ok(verdict) if verdict.state == "existing" => verdict,
                    Ok(verdict) => verdict.waiting_for(&["password"]),
                    Err(invalid) => invalid,
                })
            }
            Self::ResetUserPassword => {
                let reset: Reset = stored(data)?;
                Ok(match reset_target(write, &reset).await? {
                    Some(_) => Verdict::valid("default").waiting_for(&["password"]),
                    None => Verdict::invalid("The user can no longer reset a password.".to_owned()),
                })
            }
            Self::NewUser => {
                let invite: Invite = stored(data)?;
                Ok(match invite_state(write, &invite).await? {
                    Ok(verdict) if verdict.state == "complete" => verdict,
                    Ok(verdict) if verdict.state == "existing" => verdict.waiting_for(&["confirm"]),
                    Ok(verdict) => verdict.waiting_for(&["password"]),
                    Err(invalid) => invalid,
                })
            }
            Self::EditUserRoles => edit_state(write, &stored(data)?).await,
            Self::SetProjectQuota => Ok(Verdict::valid("default")),
            Self::UpdateProjectQuotas => Ok(match quota_project(write, &stored(data)?).await? {
                Some(_) => Verdict::valid("default"),
                None => Verdict::invalid("The project no longer exists.".to_owned()),
            }),
            Self::UpdateUserEmail => Ok(email_state(write, &stored(data)?).await?.waiting_for(&["confirm"])),
        }
    }

    /// Does the work, with what the token brought.
    /// `earlier` holds what the task's earlier actions did (a sign-up's quota is set on the
    /// project its first action made).
    pub(crate) async fn submit(self, write: &WriteTx, data: &Value, token: &TokenData, at: OffsetDateTime, earlier: &[Submitted]) -> Result<Submitted, StoreError> {
        match self {
            Self::SetProjectQuota => {
                let Some(project) = earlier.iter().find_map(|submitted| submitted.project) else {
                    return Ok(Submitted::invalid(Verdict::invalid("No project was made to set a quota on.".to_owned())));
                };
                let size = project_sizes::DEFAULT;
                for member in write.members_of(project).await? {
                    for (resource, limit) in size.limits {
                        write.set_quota(member, resource, *limit, None).await?;
                    }
                }
                Ok(Submitted {
                    verdict: Verdict::valid("complete").noting(format!("Project {} set to the default size {}.", project.0, size.name)),
                    ..Submitted::default()
                })
            }
            Self::NewProjectWithUser => {
                let signup: Signup = stored(data)?;
                let state = match signup_state(write, &signup).await? {
                    Ok(verdict) => verdict.state,
                    Err(invalid) => return Ok(Submitted::invalid(invalid)),
                };
                let project = write
                    .insert_project(
                        steward_store::projects::project::NewProjectRow {
                            name: signup.project_name.clone(),
                            owner_id: None,
                            tenant_database_id: None,
                            details: ProjectDetails { project_type_id: Some(crate::projects::project::STANDARD_TYPE), ..ProjectDetails::default() },
                            created_by: Some(signup.email.clone()),
                        },
                        at,
                    )
                    .await?;
                let Some(account) = user_for(write, &signup.email, state, token, at).await? else {
                    return Ok(Submitted::invalid(Verdict::invalid("A password is needed to create the user.".to_owned())));
                };
                grant(write, &account, project.id, &SIGNUP_ROLES, at).await?;
                Ok(Submitted {
                    verdict: Verdict::valid("complete").noting(format!("Project '{}' created for {}.", project.name, account.login)),
                    created_account: (state == "default").then(|| account.login.clone()),
                    password_changed: None,
                    project: Some(project.id),
                })
            }
            Self::ResetUserPassword => {
                let reset: Reset = stored(data)?;
                let (Some(account), Some(hash)) = (reset_target(write, &reset).await?, token.password_hash.clone()) else {
                    return Ok(Submitted::invalid(Verdict::invalid("The user can no longer reset a password.".to_owned())));
                };
                write.set_local_password(account.id, hash, at).await?;
                write.revoke_account_tokens(account.id, at).await?;
                Ok(Submitted {
                    verdict: Verdict::valid("complete").noting(format!("The password of {} was reset.", account.login)),
                    created_account: None,
                    password_changed: Some(account.id),
                    ..Submitted::default()
                })
            }
            Self::NewUser => {
                let invite: Invite = stored(data)?;
                let state = match invite_state(write, &invite).await? {
                    Ok(verdict) => verdict.state,
                    Err(invalid) => return Ok(Submitted::invalid(invalid)),
                };
                let project = ProjectId(invite.project_id.parse().map_err(|cause| StoreError::unreadable("workflow invitation project", Box::new(cause)))?);
                let Some(account) = user_for(write, &invite.email, state, token, at).await? else {
                    return Ok(Submitted::invalid(Verdict::invalid("A password is needed to create the user.".to_owned())));
                };
                let roles: Vec<&str> = invite.roles.iter().map(String::as_str).collect();
                grant(write, &account, project, &roles, at).await?;
                Ok(Submitted {
                    verdict: Verdict::valid("complete").noting(format!("{} was given {} on project {}.", account.login, invite.roles.join(", "), project.0)),
                    created_account: (state == "default").then(|| account.login.clone()),
                    password_changed: None,
                    ..Submitted::default()
                })
            }
            Self::EditUserRoles => {
                let edit: EditRoles = stored(data)?;
                let verdict = edit_state(write, &edit).await?;
                let (Some(account), true) = (user_of(write, &edit.user_id).await?, verdict.valid) else {
                    return Ok(Submitted::invalid(verdict));
                };
                let project = ProjectId(edit.project_id.parse().map_err(|cause| StoreError::unreadable("workflow role edit project", Box::new(cause)))?);
                let roles: Vec<&str> = edit.roles.iter().map(String::as_str).collect();
                if edit.remove {
                    take(write, &account, project, &roles).await?;
                } else {
                    grant(write, &account, project, &roles, at).await?;
                }
                let done = if edit.remove { "taken from" } else { "given to" };
                Ok(Submitted {
                    verdict: Verdict::valid("complete").noting(format!("{} {done} {} on project {}.", edit.roles.join(", "), account.login, project.0)),
                    created_account: None,
                    password_changed: None,
                    ..Submitted::default()
                })
            }
            Self::UpdateProjectQuotas => {
                let change: QuotaChange = stored(data)?;
                let (Some(project), Some(size)) = (quota_project(write, &change).await?, project_sizes::size(&change.size)) else {
                    return Ok(Submitted::invalid(Verdict::invalid("The project or the size no longer exists.".to_owned())));
                };
                let members = write.members_of(project).await?;
                for member in &members {
                    for (resource, limit) in size.limits {
                        write.set_quota(*member, resource, *limit, None).await?;
                    }
                }
                Ok(Submitted {
                    verdict: Verdict::valid("complete").noting(format!("Project {} set to size {} for its {} members.", project.0, size.name, members.len())),
                    created_account: None,
                    password_changed: None,
                    ..Submitted::default()
                })
            }
            Self::UpdateUserEmail => {
                let update: UpdateEmail = stored(data)?;
                let verdict = email_state(write, &update).await?;
                let (Some(account), true) = (user_of(write, &update.user_id).await?, verdict.valid) else {
                    return Ok(Submitted::invalid(verdict));
                };
                // Where the login is the address (Adjutant's users), it follows the address.
                let login_is_email = account.email.as_deref().is_some_and(|email| email.eq_ignore_ascii_case(&account.login));
                write.set_email(account.id, &update.new_email, login_is_email.then_some(update.new_email.as_str()), at).await?;
                Ok(Submitted {
                    verdict: Verdict::valid("complete").noting(format!("The e-mail address of {} is now {}.", account.login, update.new_email)),
                    created_account: None,
                    password_changed: None,
                    ..Submitted::default()
                })
            }
        }
    }
}

/// The quota change's data.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct QuotaChange {
    project_id: String,
    size: String,
    regions: Vec<String>,
}

/// The project a quota change is for, if it still exists.
async fn quota_project(write: &WriteTx, change: &QuotaChange) -> Result<Option<ProjectId>, StoreError> {
    let Ok(id) = change.project_id.parse::<i64>().map(ProjectId) else {
        return Ok(None);
    };
    Ok(write.project(id).await?.map(|project| project.id))
}

/// The role edit's data.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct EditRoles {
    user_id: String,
    project_id: String,
    roles: Vec<String>,
    inherited_roles: Vec<String>,
    remove: bool,
}

/// The e-mail change's data.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct UpdateEmail {
    user_id: String,
    new_email: String,
}

/// The account a user id (its uuid, with or without dashes) names.
pub(crate) async fn user_of(write: &WriteTx, user_id: &str) -> Result<Option<Account>, StoreError> {
    match uuid::Uuid::parse_str(user_id) {
        Ok(uuid) => write.account_by_uuid(uuid).await,
        Err(_) => Ok(None),
    }
}

/// A role edit can go on when its user exists and is a member of the project.
async fn edit_state(write: &WriteTx, edit: &EditRoles) -> Result<Verdict, StoreError> {
    let Some(account) = user_of(write, &edit.user_id).await? else {
        return Ok(Verdict::invalid(format!("No user with id '{}'.", edit.user_id)));
    };
    let Ok(project) = edit.project_id.parse::<i64>().map(ProjectId) else {
        return Ok(Verdict::invalid("The caller's token is not opened on a project.".to_owned()));
    };
    // Only a member's roles are edited: bringing someone new in is an invitation, which the
    // invitee accepts.
    if write.member(account.id, project).await?.is_none() {
        return Ok(Verdict::invalid(format!("{} is not a member of project {}.", account.login, project.0)));
    }
    Ok(Verdict::valid("default"))
}

/// An e-mail change can go on when its user exists and no other account has the address
/// (as its e-mail or as its login).
async fn email_state(write: &WriteTx, update: &UpdateEmail) -> Result<Verdict, StoreError> {
    let Some(account) = user_of(write, &update.user_id).await? else {
        return Ok(Verdict::invalid("The user no longer exists.".to_owned()));
    };
    let taken_as_login = write.account_by_login(&update.new_email).await?.is_some_and(|other| other.id != account.id);
    if taken_as_login || write.email_taken(&update.new_email, Some(account.id)).await? {
        return Ok(Verdict::invalid("The new e-mail address is already in use.".to_owned()));
    }
    Ok(Verdict::valid("default"))
}

/// Takes `roles` on `project` from `account`; the membership stays.
async fn take(write: &WriteTx, account: &Account, project: ProjectId, roles: &[&str]) -> Result<(), StoreError> {
    let Some(member) = write.member(account.id, project).await? else {
        return Ok(());
    };
    let kept: Vec<Role> = member.roles.into_iter().filter(|role| !roles.contains(&role.as_str())).collect();
    write.set_member_roles(account.id, project, &kept).await
}

/// What a submit did.
#[derive(Debug, Clone, Default)]
pub(crate) struct Submitted {
    /// Whether it could.
    pub verdict: Verdict,
    /// The login of an account it created.
    pub created_account: Option<String>,
    /// An account whose password it changed (its cached tokens must go).
    pub password_changed: Option<AccountId>,
    /// The project it made.
    pub project: Option<ProjectId>,
}

impl Submitted {
    fn invalid(verdict: Verdict) -> Self {
        Self { verdict, ..Self::default() }
    }
}

/// A sign-up's state: `default` for a new user, `existing` for an active account with that
/// e-mail as its login, `disabled` for an inactive one; `Err` with the reason it cannot go on.
async fn signup_state(write: &WriteTx, signup: &Signup) -> Result<Result<Verdict, Verdict>, StoreError> {
    if !write.projects_named(&signup.project_name).await?.is_empty() {
        return Ok(Err(Verdict::invalid(format!("Existing project with name '{}'.", signup.project_name))));
    }
    user_state(write, &signup.email).await
}

/// The state of the user whose login is `email`.
async fn user_state(write: &WriteTx, email: &str) -> Result<Result<Verdict, Verdict>, StoreError> {
    if steward_model::Login::parse(email).is_err() {
        return Ok(Err(Verdict::invalid(format!("'{email}' cannot be a login."))));
    }
    Ok(match find_user(write, email).await? {
        None => Ok(Verdict::valid("default")),
        Some(account) if !same_email(&account, email) => {
            Err(Verdict::invalid("Existing user with matching username but different e-mail address.".to_owned()))
        }
        Some(account) if account.active => Ok(Verdict::valid("existing")),
        Some(_) => Ok(Verdict::valid("disabled")),
    })
}

/// The user an e-mail names: the account whose login it is, else the oldest account with
/// that address (accounts made by other faces or the CLI have logins of their own).
async fn find_user(write: &WriteTx, email: &str) -> Result<Option<Account>, StoreError> {
    match write.account_by_login(email).await? {
        Some(account) => Ok(Some(account)),
        None => write.account_by_email(email).await,
    }
}

fn same_email(account: &Account, email: &str) -> bool {
    account.email.as_deref().is_some_and(|stored| stored.eq_ignore_ascii_case(email))
}

/// An invitation's state: like a sign-up's user, and `complete` for a member that already
/// holds every role asked for.
async fn invite_state(write: &WriteTx, invite: &Invite) -> Result<Result<Verdict, Verdict>, StoreError> {
    let Ok(project) = invite.project_id.parse::<i64>().map(ProjectId) else {
        return Ok(Err(Verdict::invalid(format!("No project with id '{}'.", invite.project_id))));
    };
    if write.project(project).await?.is_none() {
        return Ok(Err(Verdict::invalid(format!("No project with id '{}'.", invite.project_id))));
    }
    let verdict = match user_state(write, &invite.email).await? {
        Ok(verdict) => verdict,
        Err(invalid) => return Ok(Err(invalid)),
    };
    if verdict.state != "existing" {
        return Ok(Ok(verdict));
    }
    let Some(account) = find_user(write, &invite.email).await? else {
        return Ok(Ok(verdict));
    };
    let held: Vec<String> = match write.member(account.id, project).await? {
        Some(member) => member.roles.iter().map(|role| role.as_str().to_owned()).collect(),
        None => Vec::new(),
    };
    Ok(Ok(if invite.roles.iter().all(|role| held.contains(role)) { Verdict::valid("complete") } else { verdict }))
}

/// The account a password reset is for: the login (the username, else the e-mail) of an
/// account with that e-mail, holding no blacklisted role.
async fn reset_target(write: &WriteTx, reset: &Reset) -> Result<Option<Account>, StoreError> {
    let found = match &reset.username {
        Some(username) => write.account_by_login(username).await?,
        None => find_user(write, &reset.email).await?,
    };
    Ok(found
        .filter(|account| same_email(account, &reset.email))
        .filter(|account| !BLACKLISTED.iter().any(|role| account.has_role(role))))
}

/// The account of `email` as `state` found it: created (new), given its password and enabled
/// (disabled), or as it is (existing). `None` when a password was needed and not given.
async fn user_for(write: &WriteTx, email: &str, state: &str, token: &TokenData, at: OffsetDateTime) -> Result<Option<Account>, StoreError> {
    match state {
        "default" => {
            let Some(hash) = token.password_hash.clone() else {
                return Ok(None);
            };
            let row = NewAccountRow {
                login: email.to_owned(),
                login_key: email.to_lowercase(),
                name: email.to_owned(),
                given_name: None,
                family_name: None,
                email: Some(email.to_owned()),
                phone: None,
                roles: Vec::new(),
                password_hash: Some(hash),
                auth_backend: AuthBackend::Local,
            };
            Ok(Some(write.insert_account(row, at).await?))
        }
        "disabled" => {
            let (Some(account), Some(hash)) = (find_user(write, email).await?, token.password_hash.clone()) else {
                return Ok(None);
            };
            write.set_local_password(account.id, hash, at).await?;
            write.set_active(account.id, true, at).await?;
            Ok(write.account_by_id(account.id).await?)
        }
        _ => find_user(write, email).await,
    }
}

/// Gives `account` `roles` on `project` besides those it holds, making it a member first.
async fn grant(write: &WriteTx, account: &Account, project: ProjectId, roles: &[&str], at: OffsetDateTime) -> Result<(), StoreError> {
    let mut held: Vec<Role> = match write.member(account.id, project).await? {
        Some(member) => member.roles,
        None => {
            write.insert_member(account.id, project, &MemberProfile::default(), at).await?;
            Vec::new()
        }
    };
    for role in roles {
        if let Ok(role) = Role::parse(role)
            && !held.contains(&role)
        {
            held.push(role);
        }
    }
    write.set_member_roles(account.id, project, &held).await
}
