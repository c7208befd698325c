//! dRofus' operations in the API description. Each path is described once, in JSON; the
//! same route also answers `.json`, `.xml` and `.html` suffixes, `Accept`, and a trailing
//! slash (docs/faces/drofus.md).

use steward_http::apidoc::{self, Described, scheme, schema};
use utoipa::openapi::path::OperationBuilder;
use utoipa::openapi::HttpMethod;

/// What dRofus answers in.
const FORMATS: &[&str] = &["application/json", "application/xml", "text/html"];

/// No operation yet.
pub fn described() -> Described {
    Described::new("drofus")
}

/// One operation: `member` ones take the `{id}` in their path. Bodies are Rails' params,
/// root-wrapped JSON (`{"owner": {...}}`) or bracket forms.
pub fn operation(method: &HttpMethod, summary: &str, member: bool) -> OperationBuilder {
    let mut operation = apidoc::summary(summary)
        .security(apidoc::needs(scheme::BASIC))
        .security(apidoc::needs(scheme::BEARER))
        .security(apidoc::needs(scheme::AUTH_TOKEN))
        .response(
            "2XX",
            apidoc::contents(
                "The resource, root-wrapped (`{\"owner\": {...}}`), a list of them, or an action's outcome: JSON, XML or HTML by the path's suffix or `Accept` (HTML when neither says).",
                FORMATS,
                schema::any(),
            ),
        )
        .response(
            "default",
            apidoc::contents(
                "Rails' error body: `{\"errors\": …}` or `{\"status\", \"error\"}`; 401 is Rails' plain `HTTP Basic: Access denied.`.",
                &["application/json", "application/xml", "text/html", "text/plain"],
                schema::any(),
            ),
        );
    if member {
        operation = operation.parameter(apidoc::path("id", "The resource's id (or name, where dRofus takes one).", schema::string()));
    }
    if matches!(method, HttpMethod::Post | HttpMethod::Put | HttpMethod::Patch) {
        operation = operation.request_body(Some(apidoc::json_body(schema::object())));
    }
    operation
}
