//! Astakos' endpoints in the API description. Each path is also served with a trailing
//! slash, which the description does not repeat.

use steward_http::apidoc::{self, Described, scheme, schema};
use utoipa::openapi::path::OperationBuilder;
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::{ContentBuilder, HttpMethod, RefOr, Schema};

/// Synnefo's fault envelope: `{"<faultName>": {code, message, details}}`.
fn fault() -> RefOr<Schema> {
    schema::object()
}

fn with_faults(operation: OperationBuilder) -> OperationBuilder {
    operation.response("default", apidoc::json("A fault: `{\"badRequest\"|\"unauthorized\"|…: {code, message, details}}`.", fault()))
}

fn user_token(operation: OperationBuilder) -> OperationBuilder {
    operation.security(apidoc::needs(scheme::AUTH_TOKEN))
}

fn jsonp() -> utoipa::openapi::path::Parameter {
    apidoc::query("callback", false, "JSONP: the body becomes `callback(<json>)` as application/javascript.", schema::string())
}

/// Every endpoint.
pub fn described() -> Described {
    let service = schema::object_with(&[("id", schema::integer()), ("name", schema::string()), ("url", schema::string()), ("icon", schema::string())], &["name", "url"]);
    let menu_item = schema::object_with(&[("url", schema::string()), ("name", schema::string())], &["url", "name"]);
    let user = schema::object_with(
        &[
            ("id", schema::integer()),
            ("uuid", schema::string()),
            ("displayname", schema::string()),
            ("username", schema::string()),
            ("email", schema::array(schema::string())),
            ("name", schema::string()),
            ("auth_token_created", schema::string()),
            ("auth_token_expires", schema::string()),
            ("usage", schema::array(schema::object())),
        ],
        &["id", "uuid", "displayname", "username", "email", "name"],
    );
    let catalogs_body = apidoc::json_body(schema::object_with(&[("uuids", schema::any()), ("displaynames", schema::any())], &[]));
    let catalogs = schema::object_with(&[("uuid_catalog", schema::object()), ("displayname_catalog", schema::object())], &["uuid_catalog", "displayname_catalog"]);
    let services = |summary: &str| {
        with_faults(apidoc::summary(summary))
            .parameter(jsonp())
            .response("200", apidoc::contents("The services, in their order (JSONP with `callback`).", &["application/json", "application/javascript"], schema::array(service.clone())))
    };
    let menu = |summary: &str| {
        with_faults(user_token(apidoc::summary(summary)))
            .parameter(jsonp())
            .parameter(apidoc::query("location", false, "Where the menu's links return to.", schema::string()))
            .response("200", apidoc::contents("The menu's entries (JSONP with `callback`).", &["application/json", "application/javascript"], schema::array(menu_item.clone())))
    };
    let feedback = RequestBodyBuilder::new()
        .content(
            "application/x-www-form-urlencoded",
            ContentBuilder::new().schema(Some(schema::object_with(&[("feedback_msg", schema::string()), ("feedback_data", schema::string())], &["feedback_msg"]))).build(),
        )
        .build();
    Described::new("astakos")
        .operations(&[HttpMethod::Get, HttpMethod::Head, HttpMethod::Post], "/im/get_services", services("The cloud's services."))
        .operations(&[HttpMethod::Get, HttpMethod::Head, HttpMethod::Post], "/im/get_menu", menu("The cloud bar's menu; with a token, the user's own entries."))
        .operation(
            HttpMethod::Get,
            "/im/authenticate",
            with_faults(user_token(apidoc::summary("Who a user token belongs to, with quota usage on request.")))
                .parameter(apidoc::query("usage", false, "Present and non-empty: add `usage`.", schema::string()))
                .response("200", apidoc::json("The user.", user)),
        )
        .operation(
            HttpMethod::Post,
            "/feedback",
            with_faults(user_token(apidoc::summary("Mail the user's feedback to the operator.")))
                .request_body(Some(feedback))
                .response("200", apidoc::empty("Sent."))
                .response("502", apidoc::empty("The mail could not be sent; it waits in the outbox.")),
        )
        .operation(
            HttpMethod::Post,
            "/user_catalogs",
            with_faults(user_token(apidoc::summary("UUIDs ↔ display names, for a user token or a service token.")))
                .request_body(Some(catalogs_body.clone()))
                .response("200", apidoc::json("Both catalogs.", catalogs.clone())),
        )
        .operation(
            HttpMethod::Post,
            "/service/api/user_catalogs",
            with_faults(user_token(apidoc::summary("UUIDs ↔ display names, for a service token; `null` lists every user.")))
                .request_body(Some(catalogs_body))
                .response("200", apidoc::json("Both catalogs.", catalogs)),
        )
}
