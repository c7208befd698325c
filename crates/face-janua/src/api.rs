//! Janua's operations in the API description: the web services, and each REST model's
//! operations made from the same [`Spec`] that mounts it. OpenAPI's limits for this
//! dialect (a 200 that carries a failure, `q` as JSON in the query) are said in
//! docs/faces/janua.md.

use steward_http::apidoc::{self, Described, scheme, schema};
use utoipa::openapi::path::{OperationBuilder, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::{ContentBuilder, HttpMethod, RefOr, Required, Schema};

use crate::rest::resource::Spec;

/// Every credential Janua takes.
fn authenticated(operation: OperationBuilder) -> OperationBuilder {
    operation
        .security(apidoc::needs(scheme::JANUA_TOKEN))
        .security(apidoc::needs(scheme::BASIC))
        .security(apidoc::needs(scheme::BEARER))
        .security(apidoc::needs(scheme::AUTH_TOKEN))
        .security(apidoc::needs(scheme::JANUA_COOKIE))
}

/// A web service's answer: `success` and a message, on success and on most failures alike
/// (Janua answers a refused request with 200 and `success: false`).
fn outcome() -> RefOr<Schema> {
    schema::object_with(&[("success", schema::boolean()), ("message", schema::string())], &["success"])
}

/// A web service: its answers and its errors (401 `Not Authorized`, 405, broken JSON 400).
fn web(summary: &str, answer: RefOr<Schema>) -> OperationBuilder {
    authenticated(apidoc::summary(summary))
        .response("200", apidoc::json("The answer; `success: false` with a message when the request was refused.", answer))
        .response("default", apidoc::json("An error: `success: false` and a message.", outcome()))
}

fn body(members: &[(&str, RefOr<Schema>)], required: &[&str]) -> utoipa::openapi::request_body::RequestBody {
    apidoc::json_body(schema::object_with(members, required))
}

/// The web services.
fn web_services(described: Described) -> Described {
    let params = schema::array(schema::object_with(
        &[("name", schema::string()), ("description", schema::string()), ("type", schema::string()), ("value", schema::any())],
        &["name", "type"],
    ));
    let backend = apidoc::path("backend", "`local` or `ldap`.", schema::string());
    described
        .operation(
            HttpMethod::Post,
            "/login",
            apidoc::summary("Log in: a token in the answer and in cookies.")
                .request_body(Some(body(&[("username", schema::string()), ("password", schema::string()), ("language", schema::string())], &["username", "password", "language"])))
                .response(
                    "200",
                    apidoc::json(
                        "`success: true` with `JanuaAuthToken`, or `success: false` with why.",
                        schema::object_with(&[("success", schema::boolean()), ("message", schema::string()), ("JanuaAuthToken", schema::string())], &["success", "message"]),
                    ),
                )
                .response("default", apidoc::json("An error.", outcome())),
        )
        .operation(
            HttpMethod::Get,
            "/logout",
            apidoc::summary("Log out: the presented token is revoked, the cookies cleared.").response("302", apidoc::empty("To `/index.html`.")),
        )
        .operation(
            HttpMethod::Get,
            "/list_auth_backend",
            web(
                "The authentication backends (admins).",
                schema::object_with(&[("backends", schema::array(schema::object_with(&[("name", schema::string())], &["name"]))), ("num_backends", schema::integer())], &["backends", "num_backends"]),
            ),
        )
        .operation(
            HttpMethod::Get,
            "/get_auth_backend/{backend}",
            web(
                "A backend's parameters and their values (admins).",
                schema::object_with(&[("success", schema::boolean()), ("help", schema::nullable_string()), ("num_params", schema::integer()), ("params", params)], &["success", "num_params", "params"]),
            )
            .parameter(backend.clone()),
        )
        .operation(
            HttpMethod::Post,
            "/set_auth_backend/{backend}",
            web("Save a backend's parameters, all or none (admins).", outcome())
                .parameter(backend)
                .request_body(Some(body(&[("parameters", schema::object())], &["parameters"]))),
        )
        .operation(
            HttpMethod::Post,
            "/sendsms",
            web("Queue an SMS to numbers, groups or `all` (supervisors).", outcome())
                .request_body(Some(body(&[("message", schema::string()), ("to", schema::string())], &["message", "to"]))),
        )
        .operation(
            HttpMethod::Post,
            "/sendmail",
            web("Queue a mail to addresses or groups.", outcome())
                .request_body(Some(body(&[("subject", schema::string()), ("message", schema::string()), ("to", schema::string())], &["subject", "message", "to"]))),
        )
        .operation(
            HttpMethod::Get,
            "/sms-usage",
            web(
                "The caller's SMS sent in the current quota window, and the quota.",
                schema::object_with(&[("smsusage", schema::object_with(&[("sent", schema::integer()), ("quota", schema::string())], &["sent", "quota"]))], &["smsusage"]),
            ),
        )
        .operation(
            HttpMethod::Get,
            "/sms-stats",
            web(
                "SMS sent per month of the current year.",
                schema::object_with(
                    &[("num_results", schema::integer()), ("objects", schema::array(schema::object_with(&[("month", schema::string()), ("value", schema::integer())], &["month", "value"])))],
                    &["num_results", "objects"],
                ),
            ),
        )
        .operation(HttpMethod::Get, "/get_sms_config", web("The SMS settings the Janua client app reads.", schema::object()))
        .operation(HttpMethod::Get, "/get_web_config", web("The web settings the Janua client app reads.", schema::object()))
}

/// Flask-Restless's error envelopes: `{"message"}`, or `{"validation_errors"}` for a body
/// it cannot take (Steward adds `detail` to both).
fn rest_error() -> RefOr<Schema> {
    schema::object_with(&[("message", schema::string()), ("validation_errors", schema::any()), ("detail", schema::string())], &[])
}

/// A REST operation: its errors are `{"message"}` (with `detail` where Steward adds one).
fn rest(summary: &str) -> OperationBuilder {
    authenticated(apidoc::summary(summary)).response("default", apidoc::json("An error: `{\"message\": …}` or `{\"validation_errors\": …}`.", rest_error()))
}

/// `q`: a JSON document in the query string.
fn q() -> Parameter {
    ParameterBuilder::new()
        .name("q")
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some("The search, as JSON: `filters`, `order_by`, `limit`, `offset`, `single` (Flask-Restless 0.17)."))
        .content("application/json", ContentBuilder::new().schema(Some(schema::object())).build())
        .build()
}

fn id() -> Parameter {
    apidoc::path("id", "The object's id.", schema::integer())
}

/// One REST model's operations, from the spec that mounts it.
pub fn model(spec: Spec, described: Described) -> Described {
    let Spec { path, methods, .. } = spec;
    let object = schema::object;
    let list = schema::object_with(
        &[("num_results", schema::integer()), ("objects", schema::array(object())), ("page", schema::integer()), ("total_pages", schema::integer())],
        &["num_results", "objects", "page", "total_pages"],
    );
    let name = path.trim_start_matches("/api/");
    let mut described = described.operation(
        HttpMethod::Get,
        path,
        rest(&format!("List {name} (a page; `single` in `q` answers the one object)."))
            .parameter(q())
            .parameter(apidoc::query("page", false, "1-based page.", schema::integer()))
            .parameter(apidoc::query("results_per_page", false, "Objects per page (at most 1 000).", schema::integer()))
            .response("200", apidoc::json("A page of objects, or the one object `single` asked for.", schema::any_of(vec![list, object()]))),
    );
    if methods.create {
        described = described.operation(
            HttpMethod::Post,
            path,
            rest(&format!("Create a {name}."))
                .request_body(Some(apidoc::json_body(object())))
                .response("201", apidoc::json("The object, with `Location`.", object())),
        );
    }
    let instance = format!("{path}/{{id}}");
    described = described.operation(
        HttpMethod::Get,
        &instance,
        rest(&format!("One {name}.")).parameter(id()).response("200", apidoc::json("The object.", object())),
    );
    if methods.update {
        described = described.operation(
            HttpMethod::Put,
            &instance,
            rest(&format!("Change a {name}."))
                .parameter(id())
                .request_body(Some(apidoc::json_body(object())))
                .response("200", apidoc::json("The object as changed.", object())),
        );
    }
    if methods.delete {
        described = described.operation(
            HttpMethod::Delete,
            &instance,
            rest(&format!("Delete a {name}.")).parameter(id()).response("204", apidoc::empty("Deleted.")),
        );
    }
    if methods.related {
        let relation = apidoc::path("relation", "A relation of the model (`groups`, `contacts`, …).", schema::string());
        described = described
            .operation(
                HttpMethod::Get,
                &format!("{instance}/{{relation}}"),
                rest(&format!("The objects related to a {name}."))
                    .parameter(id())
                    .parameter(relation.clone())
                    .response("200", apidoc::json("The related objects, or the one related object.", schema::any())),
            )
            .operation(
                HttpMethod::Get,
                &format!("{instance}/{{relation}}/{{related}}"),
                rest(&format!("One object related to a {name}."))
                    .parameter(id())
                    .parameter(relation)
                    .parameter(apidoc::path("related", "The related object's id.", schema::integer()))
                    .response("200", apidoc::json("The related object.", object())),
            );
    }
    described
}

/// The web services' operations (the models add theirs as they are mounted).
pub fn described() -> Described {
    web_services(Described::new("janua"))
}
