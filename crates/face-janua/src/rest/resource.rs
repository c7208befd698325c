//! One resource pattern for every Flask-Restless model: a [`Model`] says how one model
//! lists, reads, writes and relates its objects through the core; the generic handlers
//! here do the rest the same way for all of them (ids, `q` and pages, body checks, the
//! 201/204 answers, `Location`, the 405s), and [`routes`] mounts a model's paths.
//!
//! The shape is the face's, not Janua's alone: a model is a value (so one impl can serve
//! several tables, as the three access lists do), its objects are typed DTOs, and the
//! operations a model does not serve are simply not mounted.

use std::future::Future;

use axum::extract::{FromRequestParts, Path, RawQuery};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use axum::{Extension, Json};
use serde_json::{Map, Value};
use steward_http::AppState;
use steward_http::apidoc::Routes;
use steward_model::Page;
use steward_model::filter::Search;

use super::{ListQuery, RelatedObject, RestBody, RestObject, Write, created, method_not_allowed, not_found, parse_id, parse_related, related_response};
use crate::Prefix;
use crate::caller::{JanuaCaller, RestCaller};
use crate::envelope::RestError;

/// What a model serves besides `GET` of its list and of one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Methods {
    /// `POST /api/M`.
    pub create: bool,
    /// `PUT /api/M/<id>`.
    pub update: bool,
    /// `DELETE /api/M/<id>`.
    pub delete: bool,
    /// `GET /api/M/<id>/<relation>[/<related id>]`.
    pub related: bool,
}

impl Methods {
    /// Every method, relations included.
    pub const ALL: Self = Self { create: true, update: true, delete: true, related: true };

    /// `Allow` of the collection.
    fn collection(self) -> &'static str {
        if self.create { "GET, POST" } else { "GET" }
    }

    /// `Allow` of one object.
    fn instance(self) -> &'static str {
        match (self.update, self.delete) {
            (true, true) => "GET, PUT, DELETE",
            (true, false) => "GET, PUT",
            (false, true) => "GET, DELETE",
            (false, false) => "GET",
        }
    }
}

/// The fields a write body may name; others are refused in the original's words.
#[derive(Debug, Clone, Copy)]
pub enum Fields {
    /// Only these.
    Only(&'static [&'static str]),
    /// Any: the ones the model does not read are dropped silently.
    Any,
}

/// Where a model is served and what it accepts.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// `/api/<NAME>`.
    pub path: &'static str,
    /// The operations served.
    pub methods: Methods,
    /// What a write body may name.
    pub fields: Fields,
}

/// A Flask-Restless model served at `/api/<NAME>`. Each operation calls one core service
/// and turns its answer into the model's DTO; every rule stays in the core.
pub trait Model: Clone + Send + Sync + 'static {
    /// One object as clients see it.
    type Object: RestObject + Send;

    /// Where the model is served and what it accepts.
    fn spec(&self) -> Spec;

    /// A path id; the default is Janua's positive integer key.
    fn parse_id(&self, raw: &str) -> Result<i64, RestError> {
        parse_id(raw)
    }

    /// One page of the caller's objects matching `search`.
    fn list(
        &self,
        state: &AppState,
        caller: &JanuaCaller,
        search: &Search,
        skip: u64,
        size: u64,
    ) -> impl Future<Output = Result<Page<Self::Object>, RestError>> + Send;

    /// One of the caller's objects.
    fn get(&self, state: &AppState, caller: &JanuaCaller, id: i64) -> impl Future<Output = Result<Self::Object, RestError>> + Send;

    /// Refuses a create before its body is looked at, as Janua's preprocessors did.
    fn authorize_create(&self, _caller: &JanuaCaller) -> Result<(), RestError> {
        Ok(())
    }

    /// Creates an object from a body whose fields were checked.
    fn create(
        &self,
        _state: &AppState,
        _caller: &JanuaCaller,
        _body: Map<String, Value>,
    ) -> impl Future<Output = Result<Self::Object, RestError>> + Send {
        async { Err(not_served()) }
    }

    /// Changes an object from a body whose fields were checked.
    fn update(
        &self,
        _state: &AppState,
        _caller: &JanuaCaller,
        _id: i64,
        _body: Map<String, Value>,
    ) -> impl Future<Output = Result<Self::Object, RestError>> + Send {
        async { Err(not_served()) }
    }

    /// Deletes an object.
    fn delete(&self, _state: &AppState, _caller: &JanuaCaller, _id: i64) -> impl Future<Output = Result<(), RestError>> + Send {
        async { Err(not_served()) }
    }

    /// The objects related to object `id` by `relation`.
    fn related(
        &self,
        _state: &AppState,
        _caller: &JanuaCaller,
        _id: i64,
        _relation: &str,
    ) -> impl Future<Output = Result<Vec<RelatedObject>, RestError>> + Send {
        async { Err(not_found()) }
    }
}

/// What an operation the router does not mount would answer, were it called.
fn not_served() -> RestError {
    RestError::new(StatusCode::METHOD_NOT_ALLOWED, "405: Method Not Allowed")
}

/// Refuses the fields `model` does not have, in the original's words for `write`.
fn known_fields<M: Model>(model: &M, body: &Map<String, Value>, write: Write) -> Result<(), RestError> {
    let Fields::Only(known) = model.spec().fields else {
        return Ok(());
    };
    match body.keys().find(|key| !known.contains(&key.as_str())) {
        None => Ok(()),
        Some(unknown) => Err(match write {
            Write::Create => RestError::validation(format!("unknown field '{unknown}'")),
            Write::Update => RestError::new(StatusCode::BAD_REQUEST, format!("Model does not have field '{unknown}'")),
        }),
    }
}

/// What every operation starts from: the state, the model, where the face is mounted, and
/// the authenticated caller (refused in the REST envelope before anything else is read).
pub struct Call<M> {
    state: AppState,
    model: M,
    prefix: Prefix,
    caller: JanuaCaller,
}

impl<M: Model> FromRequestParts<AppState> for Call<M> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let RestCaller(caller) = RestCaller::from_request_parts(parts, state).await?;
        let (Some(model), Some(prefix)) = (parts.extensions.get::<M>().cloned(), parts.extensions.get::<Prefix>().cloned()) else {
            // Only `routes` mounts these handlers, and it adds both.
            return Err(RestError::new(StatusCode::INTERNAL_SERVER_ERROR, "500: Internal Server Error").into_response());
        };
        Ok(Self { state: state.clone(), model, prefix, caller })
    }
}

/// `GET /api/M`.
async fn list<M: Model>(call: Call<M>, RawQuery(query): RawQuery) -> Result<Response, RestError> {
    let Call { state, model, prefix, caller } = call;
    let query = ListQuery::parse(query.as_deref())?;
    let (skip, size) = query.window();
    let page = model.list(&state, &caller, &query.search, skip, size).await?;
    query.respond(page.rows, page.total, &prefix, model.spec().path)
}

/// `GET /api/M/<id>`.
async fn get_one<M: Model>(call: Call<M>, Path(id): Path<String>) -> Result<Json<M::Object>, RestError> {
    let id = call.model.parse_id(&id)?;
    Ok(Json(call.model.get(&call.state, &call.caller, id).await?))
}

/// `POST /api/M` → 201 with the object and its `Location`.
async fn create<M: Model>(call: Call<M>, RestBody(body): RestBody) -> Result<Response, RestError> {
    let Call { state, model, prefix, caller } = call;
    model.authorize_create(&caller)?;
    known_fields(&model, &body, Write::Create)?;
    let object = model.create(&state, &caller, body).await?;
    let location = prefix.path(&format!("{}/{}", model.spec().path, object.id()));
    Ok(created(&object, &location))
}

/// `PUT /api/M/<id>`.
async fn update<M: Model>(call: Call<M>, Path(id): Path<String>, RestBody(body): RestBody) -> Result<Json<M::Object>, RestError> {
    let id = call.model.parse_id(&id)?;
    known_fields(&call.model, &body, Write::Update)?;
    Ok(Json(call.model.update(&call.state, &call.caller, id, body).await?))
}

/// `DELETE /api/M/<id>` → 204.
async fn delete<M: Model>(call: Call<M>, Path(id): Path<String>) -> Result<Response, RestError> {
    let id = call.model.parse_id(&id)?;
    call.model.delete(&call.state, &call.caller, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/M/<id>/<relation>[/<related id>]`: the related list, paginated like any list,
/// or one related object.
async fn related<M: Model>(call: Call<M>, Path(path): Path<Vec<String>>, RawQuery(query): RawQuery) -> Result<Response, RestError> {
    let (id, relation, related_id) = parse_related(&path)?;
    let objects = call.model.related(&call.state, &call.caller, id, relation).await?;
    let path = format!("{}/{id}/{relation}", call.model.spec().path);
    related_response(objects, related_id, query.as_deref(), &call.prefix, &path)
}

/// Only `allow`, else the REST 405 with `Allow`.
fn only(route: MethodRouter<AppState>, allow: &'static str) -> MethodRouter<AppState> {
    route.fallback(move || async move { method_not_allowed(allow) })
}

/// `model`'s routes: its collection, its objects and, when it has them, its relations.
pub fn routes<M: Model>(model: M) -> Routes {
    let Spec { path, methods, .. } = model.spec();
    let mut collection = get(list::<M>);
    if methods.create {
        collection = collection.post(create::<M>);
    }
    let mut instance = get(get_one::<M>);
    if methods.update {
        instance = instance.put(update::<M>);
    }
    if methods.delete {
        instance = instance.delete(delete::<M>);
    }
    let mut router = Routes::new()
        .route(path, only(collection, methods.collection()))
        .route(&format!("{path}/{{id}}"), only(instance, methods.instance()));
    if methods.related {
        router = router
            .route(&format!("{path}/{{id}}/{{relation}}"), only(get(related::<M>), "GET"))
            .route(&format!("{path}/{{id}}/{{relation}}/{{related}}"), only(get(related::<M>), "GET"));
    }
    router.map(|router| router.layer(Extension(model)))
}
