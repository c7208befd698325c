//! The REST API in Flask-Restless 0.17's dialect: list envelopes with pagination, `q`
//! searches, JSON bodies, and the exact error strings clients compare. Every model is one
//! [`resource::Model`] impl in its own file, served by [`resource`]'s generic handlers.

/// `RestObject` for DTOs whose `id` field is their key. Defined before the model modules,
/// which use it.
macro_rules! keyed_by_id {
    ($dto:ty) => {
        impl $crate::rest::RestObject for $dto {
            fn id(&self) -> i64 {
                self.id
            }
        }
    };
}

pub mod acl;
pub mod admins;
pub mod contacts;
pub mod errors;
pub mod groups;
pub mod memberships;
pub mod resource;
pub mod sms;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{Map, Value};
use steward_model::filter::Search;

use crate::Prefix;
use crate::envelope::RestError;
use crate::search::{SearchError, parse_optional_q};

/// Janua's configured page size (`results_per_page = max_results_per_page = 10000`); the
/// store serves at most 1 000 rows a page, so that is the effective size (documented).
const PAGE_SIZE: u64 = 1_000;

/// The body limit of REST writes.
const BODY_LIMIT: usize = 256 * 1024;

/// `{"message": "404: Not Found"}`.
pub fn not_found() -> RestError {
    RestError::new(StatusCode::NOT_FOUND, "404: Not Found")
}

/// 405 `{"message": "405: Method Not Allowed"}` with `Allow`.
pub fn method_not_allowed(allow: &'static str) -> Response {
    let mut response = RestError::new(StatusCode::METHOD_NOT_ALLOWED, "405: Method Not Allowed").into_response();
    response.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

/// A path id: Janua's integer primary key; anything else is a 404 (the original crashed).
pub fn parse_id(raw: &str) -> Result<i64, RestError> {
    raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(not_found)
}

/// The query string of a list request.
pub struct ListQuery {
    /// The parsed `q`.
    pub search: Search,
    /// 1-based page number.
    pub page: u64,
    /// Rows per page.
    pub per_page: u64,
}

impl ListQuery {
    /// Reads `q`, `page` and `results_per_page`; ExtJS's `start`, `limit`, `_dc` and JSONP's
    /// `callback` are ignored.
    pub fn parse(raw: Option<&str>) -> Result<Self, RestError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
            .map_err(|_| RestError::new(StatusCode::BAD_REQUEST, "Unable to decode data"))?;
        let mut q = None;
        let mut page = 1;
        let mut per_page = PAGE_SIZE;
        for (key, value) in pairs {
            match key.as_str() {
                "q" => q = Some(value),
                "page" => {
                    page = value.parse::<u64>().ok().filter(|page| *page >= 1).ok_or_else(|| {
                        RestError::new(StatusCode::BAD_REQUEST, "Unable to decode data")
                            .with_detail("page must be a whole number from 1")
                    })?;
                }
                // Non-positive or non-numeric sizes fall back to the default, as in 0.17.
                "results_per_page" => {
                    per_page = value.parse::<u64>().ok().filter(|size| *size >= 1).map_or(PAGE_SIZE, |size| size.min(PAGE_SIZE));
                }
                _ => {}
            }
        }
        let search = parse_optional_q(q.as_deref()).map_err(|error| search_error(&error))?;
        Ok(Self { search, page, per_page })
    }

    /// Rows to skip before this page.
    pub fn skip(&self) -> u64 {
        (self.page - 1).saturating_mul(self.per_page)
    }

    /// The rows to fetch: this page, or for `single` the first two (to tell one from many).
    pub fn window(&self) -> (u64, u64) {
        if self.search.single() { (0, 2) } else { (self.skip(), self.per_page) }
    }

    /// The answer to a list request: the single object for `single`, else the list envelope.
    pub fn respond<T: RestObject>(&self, objects: Vec<T>, total: u64, prefix: &Prefix, path: &str) -> Result<Response, RestError> {
        if self.search.single() {
            return single_response(objects, total, |object| prefix.path(&format!("{path}/{}", object.id())));
        }
        Ok(list_response(objects, total, self, prefix, path))
    }
}

/// A relation sub-route's path: the object's id, the relation's name, maybe a related id.
pub fn parse_related(path: &[String]) -> Result<(i64, &str, Option<i64>), RestError> {
    match path {
        [id, relation] => Ok((parse_id(id)?, relation.as_str(), None)),
        [id, relation, related] => Ok((parse_id(id)?, relation.as_str(), Some(parse_id(related)?))),
        _ => Err(not_found()),
    }
}

/// A `q` refusal in the REST envelope.
pub fn search_error(error: &SearchError) -> RestError {
    RestError::new(StatusCode::BAD_REQUEST, error.message()).with_detail(error.to_string())
}

/// The list envelope with its `Link` header.
pub fn list_response<T: serde::Serialize>(objects: Vec<T>, total: u64, query: &ListQuery, prefix: &Prefix, path: &str) -> Response {
    /// Flask-Restless's list envelope, serialised straight from the objects (a page of 1 000
    /// contacts is never built as a tree of `Value`s first).
    #[derive(serde::Serialize)]
    struct Envelope<T> {
        num_results: u64,
        objects: Vec<T>,
        page: u64,
        total_pages: u64,
    }
    let total_pages = total.div_ceil(query.per_page);
    // Sized for the page up front: growing a 200 KB body by doubling copied it a dozen times.
    let mut bytes = Vec::with_capacity(objects.len().saturating_mul(256).saturating_add(128));
    let body = Envelope { num_results: total, objects, page: query.page, total_pages };
    let mut response = match serde_json::to_writer(&mut bytes, &body) {
        Ok(()) => ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], bytes).into_response(),
        Err(error) => {
            tracing::error!(%error, "a list could not be rendered");
            return RestError::new(StatusCode::INTERNAL_SERVER_ERROR, "500: Internal Server Error").into_response();
        }
    };
    let base = prefix.path(path);
    let mut links = Vec::new();
    if query.page < total_pages {
        links.push(format!("<{base}?page={}&results_per_page={}>; rel=\"next\"", query.page + 1, query.per_page));
    }
    links.push(format!("<{base}?page={}&results_per_page={}>; rel=\"last\"", total_pages.max(1), query.per_page));
    if let Ok(value) = HeaderValue::from_str(&links.join(", ")) {
        response.headers_mut().insert(header::LINK, value);
    }
    response
}

/// An object a list shows: serialisable, with the id its `Location` names.
pub trait RestObject: serde::Serialize {
    /// Its `id`.
    fn id(&self) -> i64;
}

/// An object reached through a relation (`/api/CONTACT/<id>/groups`, …).
#[derive(Debug, serde::Serialize)]
#[serde(untagged)]
pub enum RelatedObject {
    /// A group, without its contacts.
    Group(contacts::GroupDto),
    /// A contact's own columns, without its groups.
    Contact(contacts::ContactDto),
}

impl RestObject for RelatedObject {
    fn id(&self) -> i64 {
        match self {
            Self::Group(group) => group.id,
            Self::Contact(contact) => contact.id,
        }
    }
}

/// `single: true`: the one object itself with its `Location`; none → 404, several → 400.
pub fn single_response<T: RestObject>(mut objects: Vec<T>, total: u64, location: impl Fn(&T) -> String) -> Result<Response, RestError> {
    match (total, objects.pop()) {
        (1, Some(object)) => {
            let mut response = Json(&object).into_response();
            if let Ok(value) = HeaderValue::from_str(&location(&object)) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            Ok(response)
        }
        (0, _) | (_, None) => Err(RestError::new(StatusCode::NOT_FOUND, "No result found")),
        _ => Err(RestError::new(StatusCode::BAD_REQUEST, "Multiple results found")),
    }
}

/// 201 with the created object and its `Location`.
pub fn created(object: &impl serde::Serialize, location: &str) -> Response {
    let mut response = (StatusCode::CREATED, Json(object)).into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// A REST write body: `Content-Type: application/json` and a JSON object, else the
/// original's 415 / 400.
pub struct RestBody(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for RestBody {
    type Rejection = RestError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body): (_, Body) = request.into_parts();
        if !is_json(&parts.headers) {
            return Err(RestError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Request must have \"Content-Type: application/json\" header",
            ));
        }
        let bytes: Bytes = axum::body::to_bytes(body, BODY_LIMIT)
            .await
            .map_err(|_| RestError::new(StatusCode::PAYLOAD_TOO_LARGE, "413: Request Entity Too Large"))?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            _ => Err(RestError::new(StatusCode::BAD_REQUEST, "Unable to decode data")),
        }
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// Which writes a body may carry, and what a foreign key means (the original's two checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// POST: an unknown field is `{"validation_errors": …}`.
    Create,
    /// PUT: an unknown field is `Model does not have field '<name>'`.
    Update,
}

/// A text field: absent → `None`; a string → it; `null` → empty (so required fields fail as
/// missing); anything else → 400 with a detail.
pub fn text(body: &Map<String, Value>, key: &str) -> Result<Option<String>, RestError> {
    match body.get(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(String::new())),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(RestError::new(StatusCode::BAD_REQUEST, "IntegrityError").with_detail(format!("{key} must be a string"))),
    }
}

/// A required text field: absent, `null` or empty is Janua's `IntegrityError` (its NOT NULL
/// columns), with a detail naming the field.
pub fn required(body: &Map<String, Value>, key: &str) -> Result<String, RestError> {
    text(body, key)?.filter(|value| !value.is_empty()).ok_or_else(|| missing(key))
}

/// The four text fields Janua's contacts and admins both have, read in Janua's order: with
/// [`required`] for a POST (`F` = `String`), with [`not_emptied`] for a PUT (`Option<String>`).
pub struct PersonFields<F> {
    /// `name` (the family name).
    pub name: F,
    /// `firstname`.
    pub firstname: F,
    /// `phone_number`, before its syntax is checked.
    pub phone_number: F,
    /// `email`, before its syntax is checked.
    pub email: F,
}

impl<F> PersonFields<F> {
    /// Each field through `read`; the first refusal is the answer.
    pub fn read(read: impl Fn(&str) -> Result<F, RestError>) -> Result<Self, RestError> {
        Ok(Self { name: read("name")?, firstname: read("firstname")?, phone_number: read("phone_number")?, email: read("email")? })
    }
}

/// A required field in an update: absent is unchanged, but it cannot be emptied.
pub fn not_emptied(body: &Map<String, Value>, key: &str) -> Result<Option<String>, RestError> {
    match text(body, key)? {
        Some(value) if value.is_empty() => Err(missing(key)),
        other => Ok(other),
    }
}

fn missing(key: &str) -> RestError {
    RestError::new(StatusCode::BAD_REQUEST, "IntegrityError").with_detail(format!("{key} is required"))
}

/// A nullable text field (`description`): `null` clears it.
pub fn nullable_text(body: &Map<String, Value>, key: &str) -> Result<Option<Option<String>>, RestError> {
    match body.get(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(text)) => Ok(Some(Some(text.clone()))),
        Some(_) => Err(RestError::new(StatusCode::BAD_REQUEST, "IntegrityError").with_detail(format!("{key} must be a string"))),
    }
}

/// An integer id field; a numeric string is accepted, as SQLite's affinity did.
pub fn id_field(body: &Map<String, Value>, key: &str) -> Result<Option<i64>, RestError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => number.as_i64().map(Some).ok_or_else(|| bad_id(key)),
        Some(Value::String(text)) => text.parse().map(Some).map_err(|_| bad_id(key)),
        Some(_) => Err(bad_id(key)),
    }
}

fn bad_id(key: &str) -> RestError {
    RestError::new(StatusCode::BAD_REQUEST, "400: Bad Request").with_detail(format!("{key} must be an integer id"))
}

/// A relation sub-route's answer: the related list (paginated like any list), or one
/// related object by id (404 when it is not related).
pub fn related_response(objects: Vec<RelatedObject>, related_id: Option<i64>, query: Option<&str>, prefix: &Prefix, path: &str) -> Result<Response, RestError> {
    if let Some(related_id) = related_id {
        return objects
            .into_iter()
            .find(|object| object.id() == related_id)
            .map(|object| Json(object).into_response())
            .ok_or_else(not_found);
    }
    let list = ListQuery::parse(query)?;
    let total = u64::try_from(objects.len()).unwrap_or(u64::MAX);
    let page: Vec<RelatedObject> = objects
        .into_iter()
        .skip(usize::try_from(list.skip()).unwrap_or(usize::MAX))
        .take(usize::try_from(list.per_page).unwrap_or(usize::MAX))
        .collect();
    Ok(list_response(page, total, &list, prefix, path))
}
