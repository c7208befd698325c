//! Memberships: people in projects with dRofus' rights (0–4) and flags. Adding someone who
//! has no account yet creates it in the same transaction; someone who has one must be named
//! with the same details. A welcome mail, when asked for, leaves through the outbox in that
//! transaction too.

use std::sync::Arc;

use serde_json::json;
use steward_model::projects::{MemberProfile, ProjectId, ProjectMember, RightLevel, Rights};
use steward_model::{Account, Email, Role};

use super::ProjectsError;
use crate::actor::ProjectsCapability;
use crate::identity::password_links::PasswordLinks;
use crate::identity::people::{People, PeopleError, PersonDraft};
use crate::invalid::{Invalid, MAX_TEXT, Problem, Sent};
use crate::messaging::mail::{Mail, NewMail};
use crate::messaging::templates::Language;
use crate::{Store, audit, now};

/// A membership's fields as a client sent them.
#[derive(Debug, Clone, Default)]
pub struct MemberDraft {
    /// The project (create only).
    pub project_id: Sent<i64>,
    /// Free-text role.
    pub role: Sent<String>,
    /// A role's id in the tenant database.
    pub user_role_id: Sent<i64>,
    /// Superuser of the project.
    pub superuser: Sent<bool>,
    /// `room_rights` … `room_surface_treatment_rights`, in [`Rights::NAMES`] order.
    pub rights: [Sent<i64>; 7],
    /// BIM admin.
    pub addon_admin: Sent<bool>,
    /// No access to the web admin.
    pub no_web_admin_access: Sent<bool>,
    /// Prices hidden.
    pub hide_price: Sent<bool>,
}

/// A welcome mail a client may ask for by id (dRofus' `mail_type`), listed at `/emails`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WelcomeMail {
    /// Its stable id.
    pub id: i64,
    /// What it is for.
    pub name: &'static str,
    /// The mail template it renders (operators may reword it).
    pub template: &'static str,
    /// Whether it carries a set-password link (`$link`).
    pub sets_password: bool,
}

/// The welcome mails, ids stable.
pub const WELCOME_MAILS: [WelcomeMail; 2] = [
    WelcomeMail { id: 6, name: "New project user", template: "project_user_welcome", sets_password: true },
    WelcomeMail { id: 7, name: "Added to a project", template: "project_user_added", sets_password: false },
];

/// The placeholders of every welcome mail.
const WELCOME_PLACEHOLDERS: [&str; 5] = ["project", "username", "name", "url", "link"];

/// A welcome mail's arguments: `values` in [`WELCOME_PLACEHOLDERS`] order.
fn welcome_arguments(values: [String; 5]) -> std::collections::BTreeMap<String, String> {
    WELCOME_PLACEHOLDERS.into_iter().map(str::to_owned).zip(values).collect()
}

/// What a client asked to be mailed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailChoice {
    /// No mail (absent, empty, or `skip_email`).
    None,
    /// The welcome mail with this id.
    Welcome(i64),
    /// Something that names no mail.
    Unknown,
}

impl MailChoice {
    /// dRofus' `mail_type`: an id as a number or a string, or `skip_email`.
    pub fn parse(raw: Option<&str>) -> Self {
        match raw.map(str::trim) {
            None | Some("" | "skip_email") => Self::None,
            Some(raw) => raw.parse().map_or(Self::Unknown, Self::Welcome),
        }
    }
}

impl MemberDraft {
    /// The profile this draft makes of `current` (a create starts from none); its problems
    /// go to `invalid`.
    fn profile(&self, current: MemberProfile, invalid: &mut Invalid) -> MemberProfile {
        invalid.limit_text("role", &self.role, MAX_TEXT);
        let flag = |field: &'static str, sent: &Sent<bool>, current: Option<bool>, invalid: &mut Invalid| {
            if matches!(sent, Sent::Unreadable) {
                invalid.add(field, Problem::NotIncluded);
            }
            sent.clone().applied(current)
        };
        invalid.readable_number("user_role_id", &self.user_role_id);
        let user_role_id = match &self.user_role_id {
            Sent::Value(id) => {
                let fits = i32::try_from(*id).ok();
                if fits.is_none() {
                    invalid.add("user_role_id", Problem::Invalid);
                }
                fits
            }
            Sent::Null => None,
            Sent::Absent | Sent::Unreadable => current.user_role_id,
        };
        let mut rights = current.rights;
        for ((level, field), sent) in rights.0.iter_mut().zip(Rights::NAMES).zip(&self.rights) {
            match sent {
                Sent::Value(value) => {
                    *level = RightLevel::new(*value);
                    if level.is_none() {
                        invalid.add(field, Problem::NotIncluded);
                    }
                }
                Sent::Unreadable => invalid.add(field, Problem::NotIncluded),
                Sent::Null => *level = None,
                Sent::Absent => {}
            }
        }
        MemberProfile {
            role: self.role.clone().applied(current.role),
            user_role_id,
            superuser: flag("superuser", &self.superuser, current.superuser, invalid),
            rights,
            addon_admin: flag("addon_admin", &self.addon_admin, current.addon_admin, invalid),
            no_web_admin_access: flag("no_web_admin_access", &self.no_web_admin_access, current.no_web_admin_access, invalid),
            hide_price: flag("hide_price", &self.hide_price, current.hide_price, invalid),
        }
    }
}

/// Whether the details a client sent of an existing person are the registered ones (only
/// what was sent is compared; e-mails whatever their case).
fn matches_registered(person: &PersonDraft, account: &Account) -> bool {
    let same = |sent: &Sent<String>, stored: Option<&str>| match sent.text() {
        None => true,
        Some(text) => stored.is_some_and(|stored| stored.trim() == text.trim()),
    };
    let same_email = match person.email.text() {
        None => true,
        Some(text) => account.email.as_deref().is_some_and(|stored| stored.eq_ignore_ascii_case(text.trim())),
    };
    same(&person.first_name, account.given_name.as_deref()) && same(&person.last_name, account.family_name.as_deref()) && same_email
}

/// The memberships service.
pub struct Members {
    store: Store,
    people: Arc<People>,
    mail: Arc<Mail>,
    links: Arc<PasswordLinks>,
    public_url: String,
}

impl Members {
    pub(crate) fn new(store: Store, people: Arc<People>, mail: Arc<Mail>, links: Arc<PasswordLinks>, public_url: String) -> Self {
        Self { store, people, mail, links, public_url }
    }

    /// The welcome mails a client may ask for, each with its subject as the operator's
    /// templates word it (placeholders shown as `<project>`, …).
    pub async fn welcome_mails(&self, _can: ProjectsCapability<'_>) -> Vec<(WelcomeMail, String)> {
        let arguments = welcome_arguments(WELCOME_PLACEHOLDERS.map(|placeholder| format!("<{placeholder}>")));
        let mut mails = Vec::with_capacity(WELCOME_MAILS.len());
        for mail in WELCOME_MAILS {
            let subject = match self.mail.render(mail.template, Language::En, &arguments).await {
                Ok(rendered) => rendered.subject,
                Err(error) => {
                    tracing::error!(%error, template = mail.template, "a welcome mail template does not render");
                    String::new()
                }
            };
            mails.push((mail, subject));
        }
        mails
    }

    /// Every membership, or one project's.
    pub async fn list(&self, _can: ProjectsCapability<'_>, project: Option<ProjectId>) -> Result<Vec<ProjectMember>, ProjectsError> {
        Ok(self.store.members(project).await?)
    }

    /// The members of the project `project` names (an id or a name): the operator's
    /// `member list`.
    pub async fn list_of(&self, _can: ProjectsCapability<'_>, project: &str) -> Result<Vec<ProjectMember>, ProjectsError> {
        let project = super::project::read_named_project(&self.store, project).await?;
        Ok(self.store.members(Some(project.id)).await?)
    }

    /// The membership of `login` in `project`.
    pub async fn get(&self, can: ProjectsCapability<'_>, login: &str, project: ProjectId) -> Result<ProjectMember, ProjectsError> {
        let account = self.people.get(can, login).await.map_err(people_error)?;
        self.store.member(account.id, project).await?.ok_or(ProjectsError::NotFound)
    }

    /// Adds `person` to the project `draft` names, creating the person when no account has
    /// that username, and queues the welcome mail `mail` asks for.
    #[tracing::instrument(skip_all)]
    pub async fn add(
        &self,
        can: ProjectsCapability<'_>,
        draft: MemberDraft,
        person: PersonDraft,
        mail: MailChoice,
    ) -> Result<ProjectMember, ProjectsError> {
        let mut invalid = Invalid::default();
        invalid.readable_number("project_id", &draft.project_id);
        if matches!(draft.project_id, Sent::Absent | Sent::Null) {
            invalid.add("project_id", Problem::Blank);
        }
        let username = person.username.text().map(|text| text.trim().to_owned());
        if username.is_none() {
            invalid.add("username", Problem::Blank);
        }
        let welcome = match mail {
            MailChoice::None => None,
            MailChoice::Welcome(id) => {
                let found = WELCOME_MAILS.iter().find(|welcome| welcome.id == id).copied();
                if found.is_none() {
                    invalid.add("mail_type", Problem::Invalid);
                }
                found
            }
            MailChoice::Unknown => {
                invalid.add("mail_type", Problem::Invalid);
                None
            }
        };
        let profile = draft.profile(MemberProfile::default(), &mut invalid);
        let existing = match &username {
            Some(username) => self.people.get(can, username).await.map(Some).or_else(|error| match error {
                PeopleError::NotFound => Ok(None),
                other => Err(people_error(other)),
            })?,
            None => None,
        };
        // A new person's fields are checked (and its password hashed) before the write
        // transaction opens.
        let new_row = match (&existing, &username) {
            (Some(account), _) => {
                if !matches_registered(&person, account) {
                    invalid.add("user", Problem::Mismatch);
                }
                None
            }
            (None, Some(_)) => match person.check_new(&mut invalid) {
                Some(new) if invalid.0.is_empty() => Some(self.people.prepare(new).await.map_err(people_error)?),
                _ => None,
            },
            (None, None) => None,
        };
        let at = now();
        let write = self.store.write().await?;
        let project = match draft.project_id.value() {
            Some(id) => write.project(ProjectId(*id)).await?,
            None => None,
        };
        if project.is_none() && draft.project_id.value().is_some() {
            invalid.add("project", Problem::MustExist);
        }
        if let (Some(account), Some(project)) = (&existing, &project)
            && write.member(account.id, project.id).await?.is_some()
        {
            invalid.add("username", Problem::Taken);
        }
        invalid.into_result()?;
        // Both were reported above when missing; these refusals only restate it.
        let project = project.ok_or(Invalid::of("project_id", Problem::Blank))?;
        let (account, created) = match (existing, new_row) {
            (Some(account), _) => (account, false),
            (None, Some(row)) => (self.people.insert_in(&write, can.actor(), row, at).await.map_err(people_error)?, true),
            (None, None) => return Err(Invalid::of("username", Problem::Blank).into()),
        };
        let member = write.insert_member(account.id, project.id, &profile, at).await?;
        if let Some(welcome) = welcome
            && let Some(address) = account.email.as_deref().and_then(|email| Email::parse(email).ok())
        {
            // The welcome of a new project user carries a set-password link, never a password:
            // the mail is then sensitive (its body is erased once delivered).
            let link = if welcome.sets_password { Some(self.links.issue_in(&write, account.id, at).await?) } else { None };
            let arguments = welcome_arguments([
                project.name.clone(),
                account.login.clone(),
                account.name.clone(),
                self.public_url.clone(),
                link.clone().unwrap_or_default(),
            ]);
            let rendered = self.mail.render(welcome.template, Language::En, &arguments).await.map_err(|error| {
                tracing::error!(%error, template = welcome.template, "a welcome mail template does not render");
                ProjectsError::Invalid(Invalid::of("mail_type", Problem::Invalid))
            })?;
            let mail = NewMail { to: vec![address], subject: rendered.subject, body: rendered.body, reply_to: None, sensitive: link.is_some() };
            self.mail.queue_in(&write, mail, at).await.map_err(|error| match error {
                crate::messaging::mail::MailError::Invalid(_) => ProjectsError::Invalid(Invalid::of("mail_type", Problem::Invalid)),
                crate::messaging::mail::MailError::Store(error) => ProjectsError::Store(error),
            })?;
        }
        write
            .audit(
                audit::entry(
                    can.actor(),
                    "member.add",
                    &format!("{},{}", account.login, project.id.0),
                    json!({ "person_created": created, "mail": welcome.map(|welcome| welcome.id) }),
                ),
                at,
            )
            .await?;
        write.commit().await?;
        Ok(member)
    }

    /// Changes the rights and flags of `login` in `project`.
    #[tracing::instrument(skip_all)]
    pub async fn update(&self, can: ProjectsCapability<'_>, login: &str, project: ProjectId, draft: MemberDraft) -> Result<ProjectMember, ProjectsError> {
        let account = self.people.get(can, login).await.map_err(people_error)?;
        let at = now();
        let write = self.store.write().await?;
        let mut member = write.member(account.id, project).await?.ok_or(ProjectsError::NotFound)?;
        let mut invalid = Invalid::default();
        member.profile = draft.profile(member.profile, &mut invalid);
        invalid.into_result()?;
        let member = write.update_member(&member, at).await?;
        write.audit(audit::entry(can.actor(), "member.update", &format!("{},{}", account.login, project.0), json!({})), at).await?;
        write.commit().await?;
        Ok(member)
    }

    /// Ends the membership of `login` in `project`; the account stays.
    #[tracing::instrument(skip_all)]
    pub async fn remove(&self, can: ProjectsCapability<'_>, login: &str, project: ProjectId) -> Result<(), ProjectsError> {
        self.end_membership(can, login, ProjectRef::Id(project)).await
    }

    /// Ends the membership of `login` in the project `project` names (an id or a name).
    pub async fn remove_from(&self, can: ProjectsCapability<'_>, login: &str, project: &str) -> Result<(), ProjectsError> {
        self.end_membership(can, login, ProjectRef::Named(project)).await
    }

    async fn end_membership(&self, can: ProjectsCapability<'_>, login: &str, project: ProjectRef<'_>) -> Result<(), ProjectsError> {
        let account = self.people.get(can, login).await.map_err(people_error)?;
        let at = now();
        let write = self.store.write().await?;
        let project = match project {
            ProjectRef::Id(id) => id,
            ProjectRef::Named(reference) => super::project::named_project(&write, reference).await?.id,
        };
        if !write.delete_member(account.id, project).await? {
            return Err(ProjectsError::NotFound);
        }
        write.audit(audit::entry(can.actor(), "member.remove", &format!("{},{}", account.login, project.0), json!({})), at).await?;
        write.commit().await?;
        Ok(())
    }
}

/// A project as a caller names it: the face by its id, the operator by its id or name.
enum ProjectRef<'a> {
    Id(ProjectId),
    Named(&'a str),
}

/// The role names a membership may hold (Adjutant's).
pub const PROJECT_ROLES: [&str; 3] = ["member", "project_admin", "project_mod"];

impl Members {
    /// Gives `login` exactly `roles` on the project `project` (an id or a name), making it
    /// a member first if it was not one: the operator's `member set`.
    #[tracing::instrument(skip_all)]
    pub async fn set_roles(&self, can: ProjectsCapability<'_>, login: &str, project: &str, roles: &[Role]) -> Result<ProjectMember, ProjectsError> {
        if roles.iter().any(|role| !PROJECT_ROLES.contains(&role.as_str())) {
            return Err(Invalid::of("role", Problem::NotIncluded).into());
        }
        let account = self.people.get(can, login).await.map_err(people_error)?;
        let at = now();
        let write = self.store.write().await?;
        let project = super::project::named_project(&write, project).await?;
        if write.member(account.id, project.id).await?.is_none() {
            write.insert_member(account.id, project.id, &MemberProfile::default(), at).await?;
        }
        write.set_member_roles(account.id, project.id, roles).await?;
        let names: Vec<&str> = roles.iter().map(Role::as_str).collect();
        write.audit(audit::entry(can.actor(), "member.set", &format!("{},{}", account.login, project.id.0), json!({ "roles": names })), at).await?;
        let member = write.member(account.id, project.id).await?.ok_or(ProjectsError::NotFound)?;
        write.commit().await?;
        Ok(member)
    }
}

/// A people refusal as a projects refusal (the same Rails words).
fn people_error(error: PeopleError) -> ProjectsError {
    match error {
        PeopleError::NotFound => ProjectsError::NotFound,
        PeopleError::Invalid(invalid) => ProjectsError::Invalid(invalid),
        PeopleError::Hash(error) => ProjectsError::Hash(error),
        PeopleError::Store(error) => ProjectsError::Store(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rights_are_zero_to_four_and_flags_booleans() {
        let mut draft = MemberDraft::default();
        draft.rights[0] = Sent::Value(1);
        draft.rights[1] = Sent::Value(9);
        draft.rights[2] = Sent::Unreadable;
        draft.superuser = Sent::Unreadable;
        let mut invalid = Invalid::default();
        let profile = draft.profile(MemberProfile::default(), &mut invalid);
        assert_eq!(profile.rights.0[0].map(RightLevel::get), Some(1));
        let found: Vec<_> = invalid.0.iter().map(|problem| (problem.field, problem.problem)).collect();
        assert_eq!(
            found,
            [("equipment_rights", Problem::NotIncluded), ("tender_rights", Problem::NotIncluded), ("superuser", Problem::NotIncluded)]
        );
    }

    #[test]
    fn an_update_keeps_what_is_absent_and_clears_what_is_null() {
        let current = MemberProfile { rights: Rights([RightLevel::new(3), None, RightLevel::new(2), None, None, None, None]), ..MemberProfile::default() };
        let mut draft = MemberDraft::default();
        draft.rights[2] = Sent::Null;
        let mut invalid = Invalid::default();
        let profile = draft.profile(current, &mut invalid);
        assert_eq!((profile.rights.0[0].map(RightLevel::get), profile.rights.0[2]), (Some(3), None));
    }

    #[test]
    fn mail_type_is_an_id_or_skip_email() {
        assert_eq!(MailChoice::parse(None), MailChoice::None);
        assert_eq!(MailChoice::parse(Some("skip_email")), MailChoice::None);
        assert_eq!(MailChoice::parse(Some("6")), MailChoice::Welcome(6));
        assert_eq!(MailChoice::parse(Some("six")), MailChoice::Unknown);
    }
}
