//! `/project_users/<username>,<projectid>` (and the seed's singular `/project_user/…`):
//! people in projects with their rights; and `/emails`, the welcome mails `mail_type` names.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use steward_core::projects::members::{MailChoice, MemberDraft, WelcomeMail};
use steward_model::projects::{ProjectId, ProjectMember, RightLevel, Rights};

use crate::body::{self, boolean, integer, text};
use crate::call::Call;
use crate::errors::Refusal;
use crate::format::split_suffix;
use crate::render::{self, Attr, Resource};

/// A membership as dRofus shows a project user: the seed's keys, then the rights.
pub struct ProjectUserView(pub ProjectMember);

impl Resource for ProjectUserView {
    const SINGULAR: &'static str = "project_user";
    const PLURAL: &'static str = "project_users";

    fn attributes(&self) -> Vec<(&'static str, Attr<'_>)> {
        let member = &self.0;
        let profile = &member.profile;
        let level = |level: Option<RightLevel>| Attr::Int(level.map(|level| i64::from(level.get())));
        let mut attributes = vec![
            ("created_at", Attr::Time(Some(member.created_at))),
            ("project_id", Attr::Int(Some(member.project_id.0))),
            ("role", Attr::Text(profile.role.as_deref())),
            ("superuser", Attr::Bool(profile.superuser)),
            ("user_role_id", Attr::Int(profile.user_role_id.map(i64::from))),
            ("username", Attr::Text(Some(&member.login))),
        ];
        attributes.extend(profile.rights.named().map(|(name, value)| (name, level(value))));
        attributes.extend([
            ("addon_admin", Attr::Bool(profile.addon_admin)),
            ("no_web_admin_access", Attr::Bool(profile.no_web_admin_access)),
            ("hide_price", Attr::Bool(profile.hide_price)),
            ("disabled", Attr::Bool(Some(member.disabled))),
        ]);
        attributes
    }
}

/// A welcome mail, as `/emails` lists it.
pub struct EmailView(pub WelcomeMail, pub String);

impl Resource for EmailView {
    const SINGULAR: &'static str = "email";
    const PLURAL: &'static str = "emails";

    fn attributes(&self) -> Vec<(&'static str, Attr<'_>)> {
        vec![("id", Attr::Int(Some(self.0.id))), ("name", Attr::Text(Some(self.0.name))), ("subject", Attr::Text(Some(&self.1)))]
    }
}

/// `<username>,<projectid>[.format]`; anything else is 404.
pub fn member_key(raw: &str) -> Option<(&str, ProjectId)> {
    let (login, project) = split_suffix(raw).0.rsplit_once(',')?;
    let project = project.parse::<i64>().ok().filter(|id| *id > 0)?;
    (!login.is_empty()).then_some((login, ProjectId(project)))
}

fn draft(parameters: &Map<String, Value>) -> MemberDraft {
    MemberDraft {
        project_id: integer(parameters, "project_id"),
        role: text(parameters, "role"),
        user_role_id: integer(parameters, "user_role_id"),
        superuser: boolean(parameters, "superuser"),
        rights: Rights::NAMES.map(|name| integer(parameters, name)),
        addon_admin: boolean(parameters, "addon_admin"),
        no_web_admin_access: boolean(parameters, "no_web_admin_access"),
        hide_price: boolean(parameters, "hide_price"),
    }
}

fn parsed(call: &Call, bytes: &Bytes) -> Result<Map<String, Value>, Refusal> {
    body::parse(&call.headers, bytes).map_err(|error| Refusal::body(call.format, error))
}

/// `GET /project_users`, `?project_id=N` for one project.
pub async fn index(call: Call, RawQuery(query): RawQuery) -> Result<Response, Refusal> {
    let project = match body::query_value(query.as_deref(), "project_id") {
        Some(raw) => Some(ProjectId(raw.trim().parse().map_err(|_| Refusal::status(call.format, StatusCode::BAD_REQUEST))?)),
        None => None,
    };
    let members = call.state.core.members.list(call.can()?, project).await.map_err(call.refusal())?;
    let views: Vec<ProjectUserView> = members.into_iter().map(ProjectUserView).collect();
    Ok(render::list(call.format, &views).into_response())
}

/// `GET /project_users/<username>,<projectid>`.
pub async fn show(call: Call, Path(raw): Path<String>) -> Result<Response, Refusal> {
    let (login, project) = member_key(&raw).ok_or(Refusal::not_found(call.format))?;
    let member = call.state.core.members.get(call.can()?, login, project).await.map_err(call.refusal())?;
    Ok(render::one(call.format, StatusCode::OK, &ProjectUserView(member)).into_response())
}

/// `POST /project_users` with `project_user`, `user` and `mail_type` → 201.
pub async fn create(call: Call, bytes: Bytes) -> Result<Response, Refusal> {
    let body = parsed(&call, &bytes)?;
    let member = body::root(&body, ProjectUserView::SINGULAR).map(draft).map_err(|error| Refusal::body(call.format, error))?;
    let person = body.get("user").and_then(Value::as_object).map(crate::users::draft).unwrap_or_default();
    let mail = match body.get("mail_type") {
        None | Some(Value::Null) => MailChoice::None,
        Some(Value::String(raw)) => MailChoice::parse(Some(raw)),
        Some(Value::Number(number)) => MailChoice::parse(Some(&number.to_string())),
        Some(_) => MailChoice::Unknown,
    };
    let member = call.state.core.members.add(call.can()?, member, person, mail).await.map_err(call.refusal())?;
    let location = call.prefix.path(&format!("/project_users/{},{}", member.login, member.project_id.0));
    Ok(crate::created(&call, &ProjectUserView(member), location))
}

/// `PUT|PATCH /project_users/<username>,<projectid>` → 200; `username` and `project_id`
/// in the body are ignored (the path says who).
pub async fn update(call: Call, Path(raw): Path<String>, bytes: Bytes) -> Result<Response, Refusal> {
    let (login, project) = member_key(&raw).ok_or(Refusal::not_found(call.format))?;
    let body = parsed(&call, &bytes)?;
    let mut changes = body::root(&body, ProjectUserView::SINGULAR).map(draft).map_err(|error| Refusal::body(call.format, error))?;
    changes.project_id = steward_core::projects::Sent::Absent;
    let member = call.state.core.members.update(call.can()?, login, project, changes).await.map_err(call.refusal())?;
    let path = format!("/project_users/{},{}", member.login, member.project_id.0);
    Ok(crate::updated(&call, &ProjectUserView(member), path))
}

/// `DELETE /project_users/<username>,<projectid>` → 204; the person stays.
pub async fn destroy(call: Call, Path(raw): Path<String>) -> Result<Response, Refusal> {
    let (login, project) = member_key(&raw).ok_or(Refusal::not_found(call.format))?;
    call.state.core.members.remove(call.can()?, login, project).await.map_err(call.refusal())?;
    Ok(crate::deleted(&call, "/project_users"))
}

/// `GET /emails`: the welcome mails, with their English subjects.
pub async fn emails(call: Call) -> Result<Response, Refusal> {
    let mails = call.state.core.members.welcome_mails(call.can()?).await;
    let views: Vec<EmailView> = mails.into_iter().map(|(mail, subject)| EmailView(mail, subject)).collect();
    Ok(render::list(call.format, &views).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_is_username_comma_project() {
        assert_eq!(member_key("hakonhc,408"), Some(("hakonhc", ProjectId(408))));
        assert_eq!(member_key("hakon.clausen,408.json"), Some(("hakon.clausen", ProjectId(408))));
        for bad in ["hakonhc", "hakonhc,", ",408", "hakonhc,abc", "hakonhc,-1"] {
            assert_eq!(member_key(bad), None, "{bad}");
        }
    }
}
