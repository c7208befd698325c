//! One request, read once: its method, query, headers, body (bounded) and caller.

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode};
use serde_json::{Map, Value};
use steward_core::workflow::{Paging, Requester};
use steward_http::AppState;
use steward_http::client::ClientAddress;

use crate::body::{self, MAX_BODY};
use crate::caller;
use crate::envelope::Answer;

/// A request to the face.
pub struct Call {
    /// The method.
    pub method: Method,
    /// The headers.
    pub headers: HeaderMap,
    /// The query's parameters, in order.
    pub query: Vec<(String, String)>,
    /// The body, at most [`MAX_BODY`] bytes.
    pub body: Bytes,
    /// Who is calling.
    pub requester: Requester,
    /// The absolute URL the request was made to (see [`public_base`]), for version documents.
    pub url: String,
}

impl Call {
    /// Reads `request`.
    pub async fn of(state: &AppState, request: Request) -> Result<Self, Answer> {
        let (parts, body) = request.into_parts();
        let ip = ClientAddress::of(&parts).0;
        let query: Vec<(String, String)> = serde_urlencoded::from_str(parts.uri.query().unwrap_or("")).unwrap_or_default();
        let body = axum::body::to_bytes(body, MAX_BODY)
            .await
            .map_err(|_| Answer::error(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large."))?;
        let requester = caller::requester(state, &parts.headers, ip).await?;
        // The path as the client sent it, with the face's prefix (a nested router strips it).
        let path = parts.extensions.get::<axum::extract::OriginalUri>().map_or_else(|| parts.uri.path().to_owned(), |original| original.path().to_owned());
        let public_url = parts.extensions.get::<PublicUrl>().map_or("", |url| &url.0);
        let url = format!("{}{path}", public_base(&parts.headers, public_url));
        Ok(Self { method: parts.method, headers: parts.headers, query, body, requester, url })
    }

    /// The last value of query parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().rev().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// The body as a JSON object.
    pub fn object(&self) -> Result<Map<String, Value>, Answer> {
        body::object(&self.headers, &self.body)
    }

    /// The page asked for with `page` and `<per_page_name>`; none without a page size.
    pub fn paging(&self, per_page_name: &str) -> Result<Option<Paging>, Answer> {
        let Some(per_page) = self.param(per_page_name) else {
            return Ok(None);
        };
        let per_page = per_page
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|size| *size > 0)
            .ok_or_else(|| Answer::error(StatusCode::BAD_REQUEST, format!("{per_page_name} must be a positive integer")))?;
        let page = match self.param("page") {
            None => 1,
            Some(raw) => raw.trim().parse::<i64>().map_err(|_| Answer::error(StatusCode::BAD_REQUEST, "Page not an integer"))?,
        };
        let page = u64::try_from(page).map_err(|_| Answer::error(StatusCode::BAD_REQUEST, "Empty page"))?;
        Ok(Some(Paging { page, per_page }))
    }
}

/// Reads `request` as a [`Call`] and runs `serve` on it, answering refusals as envelopes.
pub async fn answer<F, Fut>(state: AppState, request: Request, serve: F) -> axum::response::Response
where
    F: FnOnce(AppState, Call) -> Fut,
    Fut: Future<Output = Result<Answer, Answer>>,
{
    use axum::response::IntoResponse;
    let call = match Call::of(&state, request).await {
        Ok(call) => call,
        Err(refusal) => return refusal.into_response(),
    };
    match serve(state, call).await {
        Ok(answer) | Err(answer) => answer.into_response(),
    }
}

/// The base URL handed out in links: `public_url` when the request came to its host
/// (through a proxy that keeps `Host`), else the address the client used.
pub fn public_base(headers: &HeaderMap, public_url: &str) -> String {
    let host = headers.get(axum::http::header::HOST).and_then(|host| host.to_str().ok()).unwrap_or("localhost");
    let public = public_url.trim_end_matches('/');
    let public_host = public.split_once("://").map_or(public, |(_, rest)| rest).split('/').next().unwrap_or_default();
    if public_host.eq_ignore_ascii_case(host) { public.to_owned() } else { format!("http://{host}") }
}

/// `public_url`, as the face's routes carry it.
#[derive(Debug, Clone)]
pub struct PublicUrl(pub std::sync::Arc<str>);

/// Whether `id` can be an id in a path (upstream's `\w+`); anything else is the resource's 404.
pub fn is_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
}
