//! Who calls a Hermes node. The original had no authentication and its clients send none,
//! so callers from `security.trusted_networks` (loopback by default) are accepted as they
//! are, audited as "trusted network <ip>"; anyone else presents a token or Basic of an
//! account holding `sip_admin` or `admin`.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use steward_core::identity::auth::AuthError;
use steward_core::{Actor, Principal};
use steward_http::client::ClientAddress;
use steward_http::credentials::{Credentials, CredentialsError, NativeCaller};
use steward_http::AppState;
use steward_model::Role;

use crate::HermesSettings;
use crate::envelope::Answer;

/// An authenticated caller of a node.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who the audit log names.
    pub actor: Actor,
}

fn refuse(status: StatusCode, cause: &str, detail: &str) -> Response {
    Answer::transport(status, cause, detail).into_response()
}

impl Caller {
    /// The caller of `request`, or the envelope that refuses it.
    pub async fn of(state: &AppState, settings: &HermesSettings, request: Request) -> Result<(Request, Self), Response> {
        let address = request.extensions().get::<ClientAddress>().and_then(|client| client.0);
        let credentials = Credentials::from_headers(request.headers());
        let credentials = match credentials {
            Err(CredentialsError::Missing) => {
                return match address.filter(|ip| settings.trusted_networks.iter().any(|network| network.contains(ip))) {
                    Some(ip) => Ok((request, Self { actor: Actor::trusted_network(ip, "hermes") })),
                    None => Err(refuse(StatusCode::UNAUTHORIZED, "auth", "Authentication required")),
                };
            }
            Err(CredentialsError::Malformed(why)) => {
                return Err(refuse(StatusCode::UNAUTHORIZED, "auth", &format!("The credentials are malformed: {why}")));
            }
            Ok(credentials) => credentials,
        };
        let caller = match NativeCaller::authenticate(state, credentials, address, "hermes").await {
            Ok(caller) => caller,
            Err(AuthError::Refused(_)) => return Err(refuse(StatusCode::UNAUTHORIZED, "auth", "Authentication required")),
            Err(AuthError::RateLimited(limited)) => return Err(refuse(StatusCode::TOO_MANY_REQUESTS, "auth", &limited.to_string())),
            Err(error) => return Err(Answer::failed("dbfail", error.to_string()).into_response()),
        };
        let allowed = match &caller.actor.principal {
            Some(Principal::Account(account)) => account.has_role(Role::SIP_ADMIN) || account.has_role(Role::ADMIN),
            _ => false,
        };
        if !allowed {
            return Err(refuse(StatusCode::FORBIDDEN, "permission", "This needs the sip_admin or admin role"));
        }
        Ok((request, Self { actor: caller.actor }))
    }
}
