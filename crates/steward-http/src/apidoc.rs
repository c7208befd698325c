//! The API description: OpenAPI 3.1 generated with utoipa from the code, one document with
//! one tag per face, served at `/steward/v1/openapi.json` with Swagger UI (vendored assets)
//! at `/steward/v1/docs`.
//!
//! Most faces route through tables (Hermes' nodes, dRofus' resources, Adjutant's
//! endpoints), so each face builds its operations from the same table it routes with, with
//! the helpers here. [`Routes`] records every path a face routes, so a test finds a route
//! the description forgot.

use axum::Router;
use axum::routing::MethodRouter;
use utoipa::openapi::path::{Operation, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, HttpMethod, InfoBuilder, OpenApi, OpenApiBuilder, Paths, RefOr, Required,
    ResponseBuilder, Schema,
};

use crate::AppState;

/// Where the description and its browser are served.
pub const DOCUMENT_PATH: &str = "/steward/v1/openapi.json";
/// Swagger UI.
pub const DOCS_PATH: &str = "/steward/v1/docs";

/// A router that remembers the paths it routes.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    paths: Vec<String>,
}

impl Routes {
    /// No route yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Routes `path` to `method_router`, and remembers it.
    #[must_use]
    pub fn route(mut self, path: &str, method_router: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, method_router);
        self.paths.push(path.to_owned());
        self
    }

    /// Adds `other`'s routes.
    #[must_use]
    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.paths.extend(other.paths);
        self
    }

    /// The same routes under `prefix` (`""`: unchanged).
    #[must_use]
    pub fn nest(self, prefix: &str) -> Self {
        if prefix.is_empty() {
            return self;
        }
        Self {
            router: Router::new().nest(prefix, self.router),
            paths: self.paths.into_iter().map(|path| format!("{prefix}{path}")).collect(),
        }
    }

    /// Changes the router (a layer, an extension) and keeps the paths.
    #[must_use]
    pub fn map(mut self, change: impl FnOnce(Router<AppState>) -> Router<AppState>) -> Self {
        self.router = change(self.router);
        self
    }

    /// The router and every path it routes.
    pub fn into_parts(self) -> (Router<AppState>, Vec<String>) {
        (self.router, self.paths)
    }
}

/// Makes a part of the description when it is asked for. The tree of a few hundred
/// operations is built from many short-lived clones: made at start-up, it left 13 MB of
/// freed but resident heap behind in every server, asked or not.
pub type Describe = Box<dyn Fn() -> OpenApi + Send + Sync>;

/// A face's routes and their description, already under its prefix.
pub struct FaceRoutes {
    /// `janua`, `hermes`, …: its metrics label and its tag.
    pub face: &'static str,
    /// Its routes.
    pub routes: Routes,
    /// Its operations, tagged `face`.
    pub api: Describe,
}

/// The parts the one document is made of: Steward's own operations and each face's.
pub struct Description {
    own: Describe,
    faces: Vec<Describe>,
}

impl Description {
    /// The document of `own` and `faces`' operations.
    pub fn new(own: Describe, faces: Vec<Describe>) -> Self {
        Self { own, faces }
    }

    /// The whole document, made now.
    pub fn document(&self) -> OpenApi {
        document((self.own)(), self.faces.iter().map(|face| face()))
    }
}

/// The credentials the faces accept, by scheme name.
pub mod scheme {
    /// `Authorization: Basic` (login and password).
    pub const BASIC: &str = "basic";
    /// `Authorization: Bearer <token>`.
    pub const BEARER: &str = "bearer";
    /// `X-Auth-Token: <token>` (Astakos, Adjutant, Keystone, and the native API).
    pub const AUTH_TOKEN: &str = "x_auth_token";
    /// Janua's `JanuaAuthToken` header.
    pub const JANUA_TOKEN: &str = "janua_token";
    /// Janua's session cookie, set by `/login`.
    pub const JANUA_COOKIE: &str = "janua_cookie";
}

/// The one document: operational and native operations, then each face's, with the
/// security schemes they name.
fn document(own: OpenApi, faces: impl Iterator<Item = OpenApi>) -> OpenApi {
    let mut document = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Steward")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Every API Steward serves: its own (tag `steward`), the operational endpoints (`ops`), and each \
                     enabled face under its prefix. Faces keep their original dialects: docs/faces/ says where OpenAPI \
                     cannot say all of one.",
                ))
                .build(),
        )
        .components(Some(
            ComponentsBuilder::new()
                .security_scheme(scheme::BASIC, SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Basic).build()))
                .security_scheme(scheme::BEARER, SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()))
                .security_scheme(scheme::AUTH_TOKEN, SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Auth-Token"))))
                .security_scheme(scheme::JANUA_TOKEN, SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("JanuaAuthToken"))))
                .security_scheme(scheme::JANUA_COOKIE, SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("session"))))
                .build(),
        ))
        .build();
    let mut tags = vec![
        TagBuilder::new().name("ops").description(Some("Liveness, readiness and metrics; never under a face prefix.")).build(),
        TagBuilder::new().name("steward").description(Some("Steward's own API: JSON, RFC 9457 problem details.")).build(),
    ];
    document.merge(own);
    for face in faces {
        document.merge(face);
    }
    // One tag per face, and Keystone's: every tag an operation names, in order of appearance.
    let operations = document.paths.paths.values().flat_map(|item| {
        [&item.get, &item.put, &item.post, &item.delete, &item.options, &item.head, &item.patch, &item.trace].into_iter().flatten()
    });
    for name in operations.flat_map(|operation| operation.tags.iter().flatten()) {
        if !tags.iter().any(|tag| &tag.name == name) {
            tags.push(TagBuilder::new().name(name.clone()).build());
        }
    }
    document.tags = Some(tags);
    document
}

/// Serves the description, made on the first request and kept as its JSON (some 200 KB),
/// and Swagger UI over it.
pub fn router(description: std::sync::Arc<Description>) -> Router<AppState> {
    let json = std::sync::Arc::new(std::sync::OnceLock::<axum::body::Bytes>::new());
    let served = axum::routing::get(move || {
        let (description, json) = (description.clone(), json.clone());
        async move {
            let bytes = json.get_or_init(|| {
                axum::body::Bytes::from(description.document().to_json().unwrap_or_else(|error| {
                    tracing::error!(%error, "the API description could not be serialised");
                    "{}".to_owned()
                }))
            });
            ([(axum::http::header::CONTENT_TYPE, "application/json")], bytes.clone())
        }
    });
    Router::new()
        .route(DOCUMENT_PATH, served)
        .merge(utoipa_swagger_ui::SwaggerUi::new(DOCS_PATH).config(utoipa_swagger_ui::Config::from(DOCUMENT_PATH)))
}

/// Whether the description has an operation for the routed `path`: the same path, or one
/// its `{parameters}` (and `{*rest}` catch-alls) match. The spellings a face serves beside
/// a described path are its: a trailing slash, and dRofus' `.json`, `.xml` and `.html`.
pub fn describes(document: &OpenApi, routed: &str) -> bool {
    let routed = routed.strip_suffix('/').filter(|path| !path.is_empty()).unwrap_or(routed);
    let routed = [".json", ".xml", ".html"].iter().find_map(|suffix| routed.strip_suffix(suffix)).unwrap_or(routed);
    let routed: Vec<&str> = routed.split('/').collect();
    document.paths.paths.keys().any(|described| {
        let described: Vec<&str> = described.split('/').collect();
        if routed.last().is_some_and(|last| last.starts_with("{*")) {
            return described.len() >= routed.len() - 1
                && routed.iter().zip(&described).take(routed.len() - 1).all(|(a, b)| segment_matches(a, b));
        }
        routed.len() == described.len() && routed.iter().zip(&described).all(|(a, b)| segment_matches(a, b))
    })
}

fn segment_matches(routed: &str, described: &str) -> bool {
    routed == described || (routed.starts_with('{') && routed.ends_with('}') && !described.is_empty())
}

/// Builds one face's operations.
pub struct Described {
    tag: &'static str,
    paths: Paths,
}

impl Described {
    /// Operations tagged `tag`.
    pub fn new(tag: &'static str) -> Self {
        Self { tag, paths: Paths::new() }
    }

    /// Adds `operation` (its tag set) at `method path`.
    #[must_use]
    pub fn operation(mut self, method: HttpMethod, path: &str, operation: OperationBuilder) -> Self {
        let operation: Operation = operation.tag(self.tag).build();
        self.paths.add_path_operation(path, vec![method], operation);
        self
    }

    /// Adds `operation` at `path` for each of `methods`.
    #[must_use]
    pub fn operations(mut self, methods: &[HttpMethod], path: &str, operation: OperationBuilder) -> Self {
        let operation: Operation = operation.tag(self.tag).build();
        self.paths.add_path_operation(path, methods.to_vec(), operation);
        self
    }

    /// Describes `alias` as the same operations as `path` (another spelling of it).
    #[must_use]
    pub fn alias(mut self, path: &str, alias: &str) -> Self {
        if let Some(item) = self.paths.paths.get(path).cloned() {
            self.paths.paths.insert(alias.to_owned(), item);
        }
        self
    }

    /// The document of these operations, every path under `prefix`.
    pub fn under(self, prefix: &str) -> OpenApi {
        let mut paths = Paths::new();
        for (path, item) in self.paths.paths {
            paths.paths.insert(format!("{prefix}{path}"), item);
        }
        OpenApiBuilder::new().paths(paths).build()
    }
}

/// An operation with this summary.
pub fn summary(summary: &str) -> OperationBuilder {
    OperationBuilder::new().summary(Some(summary))
}

/// A JSON response of `schema`.
pub fn json(description: &str, schema: impl Into<RefOr<Schema>>) -> utoipa::openapi::Response {
    content(description, "application/json", schema)
}

/// A response of `schema` as `media_type`.
pub fn content(description: &str, media_type: &str, schema: impl Into<RefOr<Schema>>) -> utoipa::openapi::Response {
    ResponseBuilder::new().description(description).content(media_type, ContentBuilder::new().schema(Some(schema)).build()).build()
}

/// A response of `schema` in any of `media_types`.
pub fn contents(description: &str, media_types: &[&str], schema: RefOr<Schema>) -> utoipa::openapi::Response {
    let mut response = ResponseBuilder::new().description(description);
    for media_type in media_types {
        response = response.content(*media_type, ContentBuilder::new().schema(Some(schema.clone())).build());
    }
    response.build()
}

/// A response with no body.
pub fn empty(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new().description(description).build()
}

/// A JSON request body of `schema`.
pub fn json_body(schema: impl Into<RefOr<Schema>>) -> utoipa::openapi::request_body::RequestBody {
    RequestBodyBuilder::new()
        .content("application/json", ContentBuilder::new().schema(Some(schema)).build())
        .required(Some(Required::True))
        .build()
}

/// A query parameter.
pub fn query(name: &str, required: bool, description: &str, schema: impl Into<RefOr<Schema>>) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(if required { Required::True } else { Required::False })
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

/// A request header.
pub fn header(name: &str, required: bool, description: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(if required { Required::True } else { Required::False })
        .description(Some(description))
        .schema(Some(schema::string()))
        .build()
}

/// A path parameter.
pub fn path(name: &str, description: &str, schema: impl Into<RefOr<Schema>>) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

/// The requirement of one security scheme.
pub fn needs(scheme: &str) -> SecurityRequirement {
    SecurityRequirement::new::<_, _, &str>(scheme, [])
}

/// Schemas of plain values.
pub mod schema {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaFormat, SchemaType, Type};
    use utoipa::openapi::{RefOr, Schema};

    /// Any JSON value.
    pub fn any() -> RefOr<Schema> {
        Schema::Object(ObjectBuilder::new().schema_type(SchemaType::AnyValue).build()).into()
    }

    /// A string or `null`.
    pub fn nullable_string() -> RefOr<Schema> {
        Schema::Object(ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Null])).build()).into()
    }

    /// A whole number or `null`.
    pub fn nullable_integer() -> RefOr<Schema> {
        Schema::Object(ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::Integer, Type::Null])).build()).into()
    }

    /// A string.
    pub fn string() -> RefOr<Schema> {
        Schema::Object(ObjectBuilder::new().schema_type(SchemaType::new(Type::String)).build()).into()
    }

    /// A whole number.
    pub fn integer() -> RefOr<Schema> {
        Schema::Object(ObjectBuilder::new().schema_type(SchemaType::new(Type::Integer)).format(Some(SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int64))).build()).into()
    }

    /// A boolean.
    pub fn boolean() -> RefOr<Schema> {
        Schema::Object(ObjectBuilder::new().schema_type(SchemaType::new(Type::Boolean)).build()).into()
    }

    /// A JSON object (any members).
    pub fn object() -> RefOr<Schema> {
        Schema::Object(ObjectBuilder::new().schema_type(SchemaType::new(Type::Object)).build()).into()
    }

    /// An array of `items`.
    pub fn array(items: RefOr<Schema>) -> RefOr<Schema> {
        Schema::Array(ArrayBuilder::new().items(items).build()).into()
    }

    /// An object with these members, `required` among them.
    pub fn object_with(members: &[(&str, RefOr<Schema>)], required: &[&str]) -> RefOr<Schema> {
        let mut object = ObjectBuilder::new().schema_type(SchemaType::new(Type::Object));
        for (name, member) in members {
            object = object.property(*name, member.clone());
        }
        for name in required {
            object = object.required(*name);
        }
        Schema::Object(object.build()).into()
    }

    /// Any of these schemas.
    pub fn any_of(schemas: Vec<RefOr<Schema>>) -> RefOr<Schema> {
        let mut any_of = utoipa::openapi::schema::AnyOfBuilder::new();
        for item in schemas {
            any_of = any_of.item(item);
        }
        Schema::AnyOf(any_of.build()).into()
    }

    /// One of these strings.
    pub fn one_of_strings(values: &[&str]) -> RefOr<Schema> {
        Schema::Object(
            ObjectBuilder::new().schema_type(SchemaType::new(Type::String)).enum_values(Some(values.iter().copied())).build(),
        )
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routed_paths_match_described_ones_by_their_parameters() {
        let document = Described::new("t")
            .operation(HttpMethod::Get, "/user/get", summary("x"))
            .operation(HttpMethod::Get, "/api/CONTACT/{id}", summary("x"))
            .operation(HttpMethod::Get, "/v1/tasks/{uuid}", summary("x"))
            .under("/p");
        assert!(describes(&document, "/p/user/{node}"));
        assert!(describes(&document, "/p/api/CONTACT/{instid}"));
        assert!(describes(&document, "/p/v1/{*rest}"));
        assert!(!describes(&document, "/user/{node}"), "the prefix counts");
        assert!(!describes(&document, "/p/phone/{node}"));
        assert!(!describes(&document, "/p/api/CONTACT/{id}/more"));
        assert!(describes(&document, "/p/user/get/"), "a trailing slash");
        assert!(describes(&document, "/p/user/get.json"), "dRofus' formats");
    }
}
