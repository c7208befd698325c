//! Adjutant's endpoints and the Keystone subset in the API description. Every path is also
//! served with a trailing slash, which the description does not repeat; the seed's singular
//! spellings of tokens and notifications are described as the plural ones.

use steward_http::apidoc::{self, Described, scheme, schema};
use utoipa::openapi::path::OperationBuilder;
use utoipa::openapi::{HttpMethod, RefOr, Schema};

/// What refusals carry: `{"errors": [...]}` or `{"errors": {"<field>": [...]}}` (some are a
/// bare JSON string, as upstream's).
fn errors() -> RefOr<Schema> {
    schema::any()
}

/// Who may call: the admin guards take a token (or Basic); `None` is anyone.
#[derive(Clone, Copy)]
enum Guard {
    None,
    Token,
}

fn operation(guard: Guard, summary: &str, answer: &str) -> OperationBuilder {
    let operation = apidoc::summary(summary)
        .response("2XX", apidoc::json(answer, schema::any()))
        .response("default", apidoc::json("A refusal: `{\"errors\": …}` in Adjutant's words.", errors()));
    match guard {
        Guard::None => operation,
        Guard::Token => operation
            .security(apidoc::needs(scheme::AUTH_TOKEN))
            .security(apidoc::needs(scheme::BEARER))
            .security(apidoc::needs(scheme::BASIC)),
    }
}

fn with_body(operation: OperationBuilder, members: &[(&str, RefOr<Schema>)], required: &[&str]) -> OperationBuilder {
    operation.request_body(Some(apidoc::json_body(schema::object_with(members, required))))
}

fn id(name: &str) -> utoipa::openapi::path::Parameter {
    apidoc::path("id", name, schema::string())
}

fn list_query(operation: OperationBuilder) -> OperationBuilder {
    operation
        .parameter(apidoc::query("filters", false, "Django-style filters as JSON, e.g. `{\"task_type\": {\"exact\": \"signup\"}}`.", schema::string()))
        .parameter(apidoc::query("page", false, "1-based page.", schema::integer()))
        .parameter(apidoc::query("tasks_per_page", false, "Per page (tasks and notifications).", schema::integer()))
}

/// Adjutant's v1 API.
pub fn described() -> Described {
    use Guard::{None as Anyone, Token};
    let strings = || schema::array(schema::string());
    let created = "202 `{\"notes\": [\"task created\"]}`.";
    Described::new("adjutant")
        .operation(HttpMethod::Get, "/v1", operation(Anyone, "The v1 version document.", "The version."))
        .operation(HttpMethod::Get, "/v1/status", operation(Token, "Recent errors and the last task (admins).", "The status."))
        .operation(HttpMethod::Get, "/v1/tasks", list_query(operation(Token, "Tasks, newest first (admins).", "`{\"tasks\": [...]}`, with paging links.")))
        .operation(HttpMethod::Get, "/v1/tasks/{id}", operation(Token, "One task (its project's moderators, admins).", "The task.").parameter(id("The task's uuid.")))
        .operation(
            HttpMethod::Put,
            "/v1/tasks/{id}",
            operation(Token, "Replace a pending task's action data.", "`{\"notes\": [...]}`.").parameter(id("The task's uuid.")).request_body(Some(apidoc::json_body(schema::object()))),
        )
        .operation(HttpMethod::Post, "/v1/tasks/{id}", with_body(operation(Token, "Approve a task (admins).", "`{\"notes\": [...]}`.").parameter(id("The task's uuid.")), &[("approve", schema::boolean())], &["approve"]))
        .operation(HttpMethod::Delete, "/v1/tasks/{id}", operation(Token, "Cancel a task.", "`{\"notes\": [\"Task cancelled.\"]}`.").parameter(id("The task's uuid.")))
        .operation(HttpMethod::Get, "/v1/tokens", list_query(operation(Token, "Task tokens (admins).", "`{\"tokens\": [...]}`.")))
        .operation(HttpMethod::Post, "/v1/tokens", with_body(operation(Token, "Reissue a task's token.", "`{\"notes\": [\"Token reissued.\"]}`."), &[("task", schema::string())], &["task"]))
        .operation(HttpMethod::Delete, "/v1/tokens", operation(Token, "Delete every expired token (admins).", "`{\"notes\": [\"Deleted all expired tokens.\"]}`."))
        .operation(HttpMethod::Get, "/v1/tokens/{id}", operation(Anyone, "What a token asks for (the token is the credential).", "`{\"actions\", \"required_fields\", \"task_type\"}`.").parameter(id("The token.")))
        .operation(
            HttpMethod::Post,
            "/v1/tokens/{id}",
            operation(Anyone, "Submit a token with the fields it requires.", "`{\"notes\": [...]}`.").parameter(id("The token.")).request_body(Some(apidoc::json_body(schema::object()))),
        )
        .operation(HttpMethod::Get, "/v1/notifications", list_query(operation(Token, "Notifications (admins).", "`{\"notifications\": [...]}`.")))
        .operation(HttpMethod::Post, "/v1/notifications", with_body(operation(Token, "Acknowledge notifications (admins).", "`{\"notes\": [...]}`."), &[("notifications", strings())], &["notifications"]))
        .operation(HttpMethod::Get, "/v1/notifications/{id}", operation(Token, "One notification (admins).", "The notification.").parameter(id("The notification's uuid.")))
        .operation(
            HttpMethod::Post,
            "/v1/notifications/{id}",
            with_body(operation(Token, "Acknowledge one notification (admins).", "`{\"notes\": [...]}`.").parameter(id("The notification's uuid.")), &[("acknowledged", schema::boolean())], &["acknowledged"]),
        )
        .operation(
            HttpMethod::Post,
            "/v1/openstack/sign-up",
            with_body(operation(Anyone, "Sign up: a new project and user, after approval.", created), &[("email", schema::string()), ("project_name", schema::string()), ("username", schema::string())], &["email", "project_name"]),
        )
        .operation(
            HttpMethod::Post,
            "/v1/actions/CreateProjectAndUser",
            with_body(operation(Anyone, "Sign up (upstream's older path).", created), &[("email", schema::string()), ("project_name", schema::string()), ("username", schema::string())], &["email", "project_name"]),
        )
        .operation(
            HttpMethod::Post,
            "/v1/openstack/users/password-reset",
            with_body(operation(Anyone, "A password-reset token by mail, if the user exists (the answer never says).", "202 with the same note whoever asked."), &[("email", schema::string()), ("username", schema::string())], &["email"]),
        )
        .operation(
            HttpMethod::Post,
            "/v1/actions/ResetPassword",
            with_body(operation(Anyone, "Password reset (upstream's older path).", "202 with the same note whoever asked."), &[("email", schema::string()), ("username", schema::string())], &["email"]),
        )
        .operation(HttpMethod::Get, "/v1/openstack/users", operation(Token, "The caller's project's people and pending invitations.", "`{\"users\": [...]}`."))
        .operation(
            HttpMethod::Post,
            "/v1/openstack/users",
            with_body(operation(Token, "Invite a user to the caller's project.", created), &[("email", schema::string()), ("roles", strings()), ("inherited_roles", strings())], &["email", "roles"]),
        )
        .operation(HttpMethod::Get, "/v1/actions/InviteUser", operation(Token, "What an invitation needs (upstream's older path).", "`{\"actions\", \"required_fields\"}`."))
        .operation(
            HttpMethod::Post,
            "/v1/actions/InviteUser",
            with_body(operation(Token, "Invite a user (upstream's older path).", created), &[("email", schema::string()), ("roles", strings())], &["email", "roles"]),
        )
        .operation(
            HttpMethod::Post,
            "/v1/openstack/users/email-update",
            with_body(operation(Token, "Change the caller's e-mail, confirmed by a token mailed to the new one.", created), &[("new_email", schema::string())], &["new_email"]),
        )
        .operation(
            HttpMethod::Post,
            "/v1/actions/UpdateEmail",
            with_body(operation(Token, "E-mail change (upstream's older path).", created), &[("new_email", schema::string())], &["new_email"]),
        )
        .operation(HttpMethod::Get, "/v1/openstack/users/{id}", operation(Token, "One person of the caller's project.", "`{\"id\", \"username\", \"email\", \"roles\", \"inherited_roles\"}`.").parameter(id("The user's id.")))
        .operation(HttpMethod::Delete, "/v1/openstack/users/{id}", operation(Token, "Cancel a pending invitation (by its task id).", "The bare string `Cancelled pending invite task!`.").parameter(id("The invitation's task id.")))
        .operation(HttpMethod::Get, "/v1/openstack/users/{id}/roles", operation(Token, "A person's roles on the caller's project.", "`{\"roles\", \"inherited_roles\"}`.").parameter(id("The user's id.")))
        .operation(
            HttpMethod::Put,
            "/v1/openstack/users/{id}/roles",
            with_body(operation(Token, "Give roles.", created).parameter(id("The user's id.")), &[("roles", strings()), ("inherited_roles", strings())], &["roles"]),
        )
        .operation(
            HttpMethod::Delete,
            "/v1/openstack/users/{id}/roles",
            with_body(operation(Token, "Take roles away.", created).parameter(id("The user's id.")), &[("roles", strings()), ("inherited_roles", strings())], &["roles"]),
        )
        .operation(
            HttpMethod::Post,
            "/v1/actions/EditUser",
            with_body(operation(Token, "Edit a user's roles (upstream's older path).", created), &[("user_id", schema::string()), ("roles", strings()), ("remove", schema::boolean())], &["user_id", "roles"]),
        )
        .operation(HttpMethod::Get, "/v1/openstack/roles", operation(Token, "The roles the caller may give.", "`{\"roles\": [...]}`."))
        .operation(
            HttpMethod::Get,
            "/v1/openstack/quotas",
            operation(Token, "The project's quotas and sizes.", "Regions, sizes and active quota tasks.").parameter(apidoc::query("regions", false, "Comma-separated regions.", schema::string())),
        )
        .operation(
            HttpMethod::Post,
            "/v1/openstack/quotas",
            with_body(operation(Token, "Ask for a quota size.", created), &[("size", schema::string()), ("regions", strings())], &["size"]),
        )
        // The seed's singular spellings.
        .alias("/v1/tokens", "/v1/token")
        .alias("/v1/tokens/{id}", "/v1/token/{id}")
        .alias("/v1/notifications", "/v1/notification")
        .alias("/v1/notifications/{id}", "/v1/notification/{id}")
}

/// The Keystone v3 subset OpenStack's clients authenticate through.
pub fn keystone() -> Described {
    let token = |summary: &str| {
        apidoc::summary(summary)
            .security(apidoc::needs(scheme::AUTH_TOKEN))
            .parameter(apidoc::header("X-Subject-Token", true, "The token looked at."))
    };
    let auth = schema::object_with(&[("auth", schema::object())], &["auth"]);
    let fault = || apidoc::json("Keystone's `{\"error\": {code, message, title}}`.", schema::object_with(&[("error", schema::object())], &["error"]));
    Described::new("keystone")
        .operations(
            &[HttpMethod::Get, HttpMethod::Head],
            "/v3",
            apidoc::summary("The v3 version document.").response("200", apidoc::json("The version.", schema::object())),
        )
        .operation(
            HttpMethod::Post,
            "/v3/auth/tokens",
            apidoc::summary("Issue a token: password (user, domain) and a project scope; the token is `X-Subject-Token`.")
                .request_body(Some(apidoc::json_body(auth)))
                .response("201", apidoc::json("The token's body.", schema::object_with(&[("token", schema::object())], &["token"])))
                .response("default", fault()),
        )
        .operation(
            HttpMethod::Get,
            "/v3/auth/tokens",
            token("Validate the token in `X-Subject-Token`.").response("200", apidoc::json("The token's body.", schema::object())).response("default", fault()),
        )
        .operation(HttpMethod::Head, "/v3/auth/tokens", token("Check the token in `X-Subject-Token`.").response("200", apidoc::empty("Valid.")).response("default", apidoc::empty("Not valid.")))
        .operation(HttpMethod::Delete, "/v3/auth/tokens", token("Revoke the token in `X-Subject-Token`.").response("204", apidoc::empty("Revoked.")).response("default", fault()))
}
