//! `POST /user_catalogs` and `POST /service/api/user_catalogs`: uuid ↔ display name
//! translation. With a user token only the names asked for; with a service token, a
//! `null` list means every user.

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use steward_http::AppState;
use steward_model::CatalogKeys;

use crate::authenticate::{presented_token, refusal};
use crate::fault::Fault;

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
    let uuids = keys(&fields, "uuids", asker)?;
    let names = keys(&fields, "displaynames", asker)?;
    let accounts = &state.core.accounts;
    let unexpected = |error: steward_core::identity::accounts::AccountError| Fault::unexpected(&error);
    let by_uuid = match uuids {
        CatalogKeys::All => Half::Everyone,
        // A string that is not a uuid names nobody.
        CatalogKeys::These(texts) => {
            let uuids: Vec<uuid::Uuid> = texts.iter().filter_map(|text| uuid::Uuid::parse_str(text).ok()).collect();
            Half::Found(if uuids.is_empty() { Vec::new() } else { accounts.names_by_uuid(&uuids).await.map_err(unexpected)? })
        }
    };
    let by_name = match names {
        CatalogKeys::All => Half::Everyone,
        CatalogKeys::These(logins) if logins.is_empty() => Half::Found(Vec::new()),
        CatalogKeys::These(logins) => Half::Found(accounts.uuids_by_login(&logins).await.map_err(unexpected)?),
    };
    Ok(CatalogBody::new(state.clone(), by_uuid, by_name).into_response().await)
}

/// One of the two catalogs of the answer.
enum Half {
    /// The accounts the request named.
    Found(Vec<(uuid::Uuid, String)>),
    /// Every account, read page by page while the body is sent.
    Everyone,
}

/// The answer, `{"uuid_catalog": {uuid: name}, "displayname_catalog": {name: uuid}}`,
/// written half by half. With a catalog of everyone it is streamed a page at a time, so a
/// service listing a million accounts costs one page of memory, not the whole list.
struct CatalogBody {
    state: AppState,
    halves: [Half; 2],
    /// The half being written: 0 `uuid_catalog`, 1 `displayname_catalog`, 2 when done.
    half: usize,
    /// The login where the next page of an `Everyone` half starts.
    after: Option<String>,
    /// Whether the half being written has an entry yet (the next needs a comma).
    has_entry: bool,
    /// Whether the opening brace is written.
    opened: bool,
}

impl CatalogBody {
    fn new(state: AppState, by_uuid: Half, by_name: Half) -> Self {
        Self { state, halves: [by_uuid, by_name], half: 0, after: None, has_entry: false, opened: false }
    }

    async fn into_response(mut self) -> Response {
        let streamed = self.halves.iter().any(|half| matches!(half, Half::Everyone));
        let mut response = if streamed {
            let chunks = futures_util::stream::unfold(self, |mut body| async move {
                let chunk = body.next_chunk().await?;
                Some((chunk, body))
            });
            Body::from_stream(chunks).into_response()
        } else {
            let mut whole = Vec::new();
            while let Some(chunk) = self.next_chunk().await {
                match chunk {
                    Ok(chunk) => whole.extend_from_slice(&chunk),
                    Err(error) => return Fault::unexpected(&error).into_response(),
                }
            }
            whole.into_response()
        };
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=UTF-8"));
        response
    }

    /// The next piece of the body: the opening and a half of named accounts, or one page of
    /// everyone, each with the brackets that follow it; `None` once the body is complete.
    async fn next_chunk(&mut self) -> Option<Result<Bytes, steward_core::identity::accounts::AccountError>> {
        let mut out = Vec::with_capacity(16 * 1024);
        if !std::mem::replace(&mut self.opened, true) {
            out.extend_from_slice(b"{\"uuid_catalog\":{");
        }
        let by_uuid = self.half == 0;
        let half_done = match self.halves.get(self.half)? {
            Half::Found(rows) => {
                write_entries(&mut out, rows, by_uuid, &mut self.has_entry);
                true
            }
            Half::Everyone => match self.state.core.accounts.every_account_page(self.after.as_deref()).await {
                Ok(rows) => {
                    write_entries(&mut out, &rows, by_uuid, &mut self.has_entry);
                    self.after = rows.last().map(|(_, login)| login.clone());
                    u64::try_from(rows.len()).unwrap_or(u64::MAX) < steward_core::identity::accounts::CATALOG_PAGE
                }
                Err(error) => {
                    // Past the headers, the only way to tell the client is to cut the body short.
                    tracing::error!(%error, "a user catalog of everyone failed while being sent");
                    self.half = self.halves.len();
                    return Some(Err(error));
                }
            },
        };
        if half_done {
            out.extend_from_slice(if by_uuid { b"},\"displayname_catalog\":{" } else { b"}}" });
            self.half += 1;
            self.after = None;
            self.has_entry = false;
        }
        Some(Ok(Bytes::from(out)))
    }
}

/// `rows` as JSON object entries, `"uuid":"login"` or `"login":"uuid"`, after a comma when
/// the object already `has_entry`.
fn write_entries(out: &mut Vec<u8>, rows: &[(uuid::Uuid, String)], by_uuid: bool, has_entry: &mut bool) {
    let mut uuid_text = uuid::Uuid::encode_buffer();
    for (uuid, login) in rows {
        if std::mem::replace(has_entry, true) {
            out.push(b',');
        }
        let uuid = uuid.hyphenated().encode_lower(&mut uuid_text);
        let (key, value) = if by_uuid { (&*uuid, login.as_str()) } else { (login.as_str(), &*uuid) };
        // Writing a string into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, key);
        out.push(b':');
        let _ = serde_json::to_writer(&mut *out, value);
    }
}

/// `POST /user_catalogs`: a user token, else a service token.
pub async fn user_catalogs(State(state): State<AppState>, method: Method, headers: HeaderMap, RawQuery(query): RawQuery, body: Bytes) -> Response {
    serve(&state, &method, &headers, query.as_deref(), &body, false).await.unwrap_or_else(IntoResponse::into_response)
}

/// `POST /service/api/user_catalogs`: a service token only.
pub async fn service_user_catalogs(State(state): State<AppState>, method: Method, headers: HeaderMap, RawQuery(query): RawQuery, body: Bytes) -> Response {
    serve(&state, &method, &headers, query.as_deref(), &body, true).await.unwrap_or_else(IntoResponse::into_response)
}
