//! `/users`: people, addressed by username (dots allowed: only a final `.json`, `.xml` or
//! `.html` is a format), with `q`, and the action GETs `disable`, `enable` and `kick`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use steward_core::identity::people::PersonDraft;
use steward_model::Account;

use crate::body::{self, text};
use crate::call::Call;
use crate::errors::Refusal;
use crate::format::split_suffix;
use crate::render::{self, Attr, Resource};

/// A person as dRofus shows a user: never a password or its hash.
pub struct UserView(pub Account);

impl Resource for UserView {
    const SINGULAR: &'static str = "user";
    const PLURAL: &'static str = "users";

    fn attributes(&self) -> Vec<(&'static str, Attr<'_>)> {
        let account = &self.0;
        vec![
            ("id", Attr::Int(Some(account.id.0))),
            ("username", Attr::Text(Some(&account.login))),
            ("first_name", Attr::Text(account.given_name.as_deref())),
            ("last_name", Attr::Text(account.family_name.as_deref())),
            ("email", Attr::Text(account.email.as_deref())),
            ("active", Attr::Bool(Some(account.active))),
            ("created_at", Attr::Time(Some(account.created_at))),
            ("updated_at", Attr::Time(Some(account.updated_at))),
        ]
    }
}

/// The username in `/users/<username>[.format]`.
pub fn username(raw: &str) -> &str {
    split_suffix(raw).0
}

/// A `user` object's fields.
pub fn draft(parameters: &Map<String, Value>) -> PersonDraft {
    PersonDraft {
        username: text(parameters, "username"),
        first_name: text(parameters, "first_name"),
        last_name: text(parameters, "last_name"),
        email: text(parameters, "email"),
        password: text(parameters, "password"),
    }
}

fn parameters(call: &Call, bytes: &Bytes) -> Result<PersonDraft, Refusal> {
    let body = body::parse(&call.headers, bytes).map_err(|error| Refusal::body(call.format, error))?;
    body::root(&body, UserView::SINGULAR).map(draft).map_err(|error| Refusal::body(call.format, error))
}

/// `q` of the list.
fn needle(query: Option<&str>) -> Option<String> {
    body::query_value(query, "q")
}

/// `GET /users`: by username; `q` keeps those whose username, names or e-mail contain it.
pub async fn index(call: Call, RawQuery(query): RawQuery) -> Result<Response, Refusal> {
    let people = call.state.core.people.list(call.can()?, needle(query.as_deref()).as_deref()).await.map_err(call.refusal())?;
    let views: Vec<UserView> = people.into_iter().map(UserView).collect();
    Ok(render::list(call.format, &views).into_response())
}

/// `GET /users/<username>`.
pub async fn show(call: Call, Path(raw): Path<String>) -> Result<Response, Refusal> {
    let person = call.state.core.people.get(call.can()?, username(&raw)).await.map_err(call.refusal())?;
    Ok(render::one(call.format, StatusCode::OK, &UserView(person)).into_response())
}

/// `POST /users` → 201 and `Location`.
pub async fn create(call: Call, bytes: Bytes) -> Result<Response, Refusal> {
    let draft = parameters(&call, &bytes)?;
    let person = call.state.core.people.create(call.can()?, draft).await.map_err(call.refusal())?;
    let location = call.prefix.path(&format!("/users/{}", path_segment(&person.login)));
    Ok(crate::created(&call, &UserView(person), location))
}

/// `PUT|PATCH /users/<username>` → 200; the username itself never changes.
pub async fn update(call: Call, Path(raw): Path<String>, bytes: Bytes) -> Result<Response, Refusal> {
    let draft = parameters(&call, &bytes)?;
    let person = call.state.core.people.update(call.can()?, username(&raw), draft).await.map_err(call.refusal())?;
    let path = format!("/users/{}", path_segment(&person.login));
    Ok(crate::updated(&call, &UserView(person), path))
}

/// `DELETE /users/<username>` → 204; its memberships go with it.
pub async fn destroy(call: Call, Path(raw): Path<String>) -> Result<Response, Refusal> {
    call.state.core.people.delete(call.can()?, username(&raw)).await.map_err(call.refusal())?;
    Ok(crate::deleted(&call, "/users"))
}

/// `GET|POST /users/<username>/disable`: no login on any face, sessions ended.
pub async fn disable(call: Call, Path(raw): Path<String>) -> Result<Response, Refusal> {
    let changed = call.state.core.people.set_active(call.can()?, username(&raw), false).await.map_err(call.refusal())?;
    Ok(crate::acted(&call, &format!("/users/{}", path_segment(username(&raw))), &format!("{} is disabled", username(&raw)), changed))
}

/// `GET|POST /users/<username>/enable`.
pub async fn enable(call: Call, Path(raw): Path<String>) -> Result<Response, Refusal> {
    let changed = call.state.core.people.set_active(call.can()?, username(&raw), true).await.map_err(call.refusal())?;
    Ok(crate::acted(&call, &format!("/users/{}", path_segment(username(&raw))), &format!("{} is enabled", username(&raw)), changed))
}

/// `GET|POST /users/<username>/kick`: every token of the person revoked, on every face.
pub async fn kick(call: Call, Path(raw): Path<String>) -> Result<Response, Refusal> {
    let revoked = call.state.core.people.kick(call.can()?, username(&raw)).await.map_err(call.refusal())?;
    Ok(crate::acted(&call, &format!("/users/{}", path_segment(username(&raw))), &format!("{revoked} sessions of {} ended", username(&raw)), revoked))
}

/// A username as one path segment: the characters a username may hold are all safe in a
/// path except `@`, which stays readable too; a name ending like a format gets a `.json`
/// suffix so it is not taken for one.
fn path_segment(login: &str) -> String {
    let (_, suffix) = split_suffix(login);
    if suffix.is_some() { format!("{login}.json") } else { login.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_final_known_suffix_is_a_format() {
        assert_eq!(username("hakon.clausen"), "hakon.clausen");
        assert_eq!(username("hakon.clausen.json"), "hakon.clausen");
        assert_eq!(username("a.json.json"), "a.json");
        assert_eq!(path_segment("a.json"), "a.json.json");
        assert_eq!(path_segment("hakon.clausen"), "hakon.clausen");
    }

    #[test]
    fn q_is_the_needle() {
        assert_eq!(needle(Some("q=clausen")).as_deref(), Some("clausen"));
        assert_eq!(needle(Some("x=1")), None);
        assert_eq!(needle(None), None);
    }
}
