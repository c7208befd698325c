//! `/owners`: list, show, create, update, delete.

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use steward_core::projects::owners::OwnerDraft;
use steward_model::projects::{Owner, OwnerId};

use crate::body::{self, text};
use crate::call::Call;
use crate::errors::Refusal;
use crate::format::split_suffix;
use crate::render::{self, Attr, Resource};

/// An owner as dRofus shows it.
pub struct OwnerView(pub Owner);

impl Resource for OwnerView {
    const SINGULAR: &'static str = "owner";
    const PLURAL: &'static str = "owners";

    fn attributes(&self) -> Vec<(&'static str, Attr<'_>)> {
        let details = &self.0.details;
        vec![
            ("id", Attr::Int(Some(self.0.id.0))),
            ("name", Attr::Text(Some(&self.0.name))),
            ("address", Attr::Text(details.address.as_deref())),
            ("billing_address", Attr::Text(details.billing_address.as_deref())),
            ("contact", Attr::Text(details.contact.as_deref())),
            ("image", Attr::Text(details.image.as_deref())),
            ("network", Attr::Text(details.network.as_deref())),
            ("note", Attr::Text(details.note.as_deref())),
            ("tech_contact", Attr::Text(details.tech_contact.as_deref())),
        ]
    }
}

/// The id in `/owners/<id>[.format]`; anything but a positive integer is 404.
pub fn owner_id(raw: &str) -> Option<OwnerId> {
    split_suffix(raw).0.parse::<i64>().ok().filter(|id| *id > 0).map(OwnerId)
}

fn draft(parameters: &Map<String, Value>) -> OwnerDraft {
    OwnerDraft {
        name: text(parameters, "name"),
        address: text(parameters, "address"),
        billing_address: text(parameters, "billing_address"),
        contact: text(parameters, "contact"),
        image: text(parameters, "image"),
        network: text(parameters, "network"),
        note: text(parameters, "note"),
        tech_contact: text(parameters, "tech_contact"),
    }
}

/// The `owner` parameters of a body.
fn parameters(call: &Call, bytes: &Bytes) -> Result<OwnerDraft, Refusal> {
    let body = body::parse(&call.headers, bytes).map_err(|error| Refusal::body(call.format, error))?;
    body::root(&body, OwnerView::SINGULAR).map(draft).map_err(|error| Refusal::body(call.format, error))
}

/// `GET /owners`.
pub async fn index(call: Call) -> Result<Response, Refusal> {
    let owners = call.state.core.owners.list(call.can()?).await.map_err(call.refusal())?;
    let views: Vec<OwnerView> = owners.into_iter().map(OwnerView).collect();
    Ok(render::list(call.format, &views).into_response())
}

/// `GET /owners/<id>`.
pub async fn show(call: Call, Path(raw): Path<String>) -> Result<Response, Refusal> {
    let id = owner_id(&raw).ok_or(Refusal::not_found(call.format))?;
    let owner = call.state.core.owners.get(call.can()?, id).await.map_err(call.refusal())?;
    Ok(render::one(call.format, StatusCode::OK, &OwnerView(owner)).into_response())
}

/// `POST /owners` → 201 and `Location`.
pub async fn create(call: Call, bytes: Bytes) -> Result<Response, Refusal> {
    let draft = parameters(&call, &bytes)?;
    let owner = call.state.core.owners.create(call.can()?, draft).await.map_err(call.refusal())?;
    let location = call.prefix.path(&format!("/owners/{}", owner.id.0));
    Ok(crate::created(&call, &OwnerView(owner), location))
}

/// `PUT|PATCH /owners/<id>` → 200.
pub async fn update(call: Call, Path(raw): Path<String>, bytes: Bytes) -> Result<Response, Refusal> {
    let id = owner_id(&raw).ok_or(Refusal::not_found(call.format))?;
    let draft = parameters(&call, &bytes)?;
    let owner = call.state.core.owners.update(call.can()?, id, draft).await.map_err(call.refusal())?;
    Ok(crate::updated(&call, &OwnerView(owner), format!("/owners/{}", id.0)))
}

/// `DELETE /owners/<id>` → 204.
pub async fn destroy(call: Call, Path(raw): Path<String>) -> Result<Response, Refusal> {
    let id = owner_id(&raw).ok_or(Refusal::not_found(call.format))?;
    call.state.core.owners.delete(call.can()?, id).await.map_err(call.refusal())?;
    Ok(crate::deleted(&call, "/owners"))
}
