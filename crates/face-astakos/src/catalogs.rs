//! `POST /user_catalogs` and `POST /service/api/user_catalogs`: uuid ↔ display name
//! translation. With a user token only the names asked for; with a service token, a
//! `null` list means every user.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use steward_http::AppState;
use steward_model::CatalogKeys;

use crate::authenticate::{presented_token, refusal};
use crate::fault::{Fault, json_response};

/// Who may ask for what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asker {
    /// A user: `null` lists are empty (the listing of every user is withheld).
    User,
    /// A service: `null` lists mean every user.
    Service,
}

/// One list of the body: absent → nobody, `null` → everybody for services, else strings.
fn keys(body: &Map<String, Value>, name: &str, asker: Asker) -> Result<CatalogKeys<String>, Fault> {
    match body.get(name) {
        None => Ok(CatalogKeys::These(Vec::new())),
        Some(Value::Null) if asker == Asker::Service => Ok(CatalogKeys::All),
        Some(Value::Null) => Ok(CatalogKeys::These(Vec::new())),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned).ok_or_else(|| Fault::bad_request(format!("Items in '{name}' must be strings"))))
            .collect::<Result<Vec<_>, _>>()
            .map(CatalogKeys::These),
        Some(other) => Err(Fault::bad_request(format!("Invalid {name}: {other}"))),
    }
}

async fn serve(state: &AppState, method: &Method, headers: &HeaderMap, query: Option<&str>, body: &Bytes, service_only: bool) -> Result<Response, Fault> {
    if *method != Method::POST {
        return Err(Fault::method_not_allowed());
    }
    let params: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default();
    let token = presented_token(headers, &params);
    let token = token.as_deref();
    let asker = if service_only {
        state.core.service_token(token).await.map_err(refusal)?;
        Asker::Service
    } else {
        // On the seed's path: a user token first, then a service token.
        match state.core.user_token(token).await {
            Ok(_) => Asker::User,
            Err(user_refusal) => match state.core.service_token(token).await {
                Ok(_) => Asker::Service,
                Err(_) => return Err(refusal(user_refusal)),
            },
        }
    };
    // 0.13 read the raw body whatever its Content-Type.
    let parsed: Value = serde_json::from_slice(body).map_err(|_| Fault::bad_request("Request body should be json formatted."))?;
    let Value::Object(fields) = parsed else {
        return Err(Fault::bad_request("Request body should be a json formatted dictionary"));
    };
    let uuids = match keys(&fields, "uuids", asker)? {
        CatalogKeys::All => CatalogKeys::All,
        // A string that is not a uuid names nobody.
        CatalogKeys::These(texts) => CatalogKeys::These(texts.iter().filter_map(|text| uuid::Uuid::parse_str(text).ok()).collect()),
    };
    let names = keys(&fields, "displaynames", asker)?;
    let (by_uuid, by_name) = state.core.accounts.catalogs(&uuids, &names).await.map_err(|error| Fault::unexpected(&error))?;
    let uuid_catalog: Map<String, Value> = by_uuid.into_iter().map(|(uuid, login)| (uuid.to_string(), Value::String(login))).collect();
    let displayname_catalog: Map<String, Value> =
        by_name.into_iter().map(|(uuid, login)| (login, Value::String(uuid.to_string()))).collect();
    Ok(json_response(StatusCode::OK, &json!({ "uuid_catalog": uuid_catalog, "displayname_catalog": displayname_catalog })))
}

/// `POST /user_catalogs`: a user token, else a service token.
pub async fn user_catalogs(State(state): State<AppState>, method: Method, headers: HeaderMap, RawQuery(query): RawQuery, body: Bytes) -> Response {
    serve(&state, &method, &headers, query.as_deref(), &body, false).await.unwrap_or_else(IntoResponse::into_response)
}

/// `POST /service/api/user_catalogs`: a service token only.
pub async fn service_user_catalogs(State(state): State<AppState>, method: Method, headers: HeaderMap, RawQuery(query): RawQuery, body: Bytes) -> Response {
    serve(&state, &method, &headers, query.as_deref(), &body, true).await.unwrap_or_else(IntoResponse::into_response)
}
