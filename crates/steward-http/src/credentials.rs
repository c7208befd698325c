//! Credentials, in every form a face accepts: `Authorization: Bearer T`, `X-Auth-Token: T`,
//! Janua's `JanuaAuthToken: T`, and HTTP Basic `login:password`.

use std::net::IpAddr;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use base64::Engine;
use steward_core::identity::auth::TokenAuthenticated;
use steward_core::{Actor, Principal};
use steward_model::{Password, TokenSecret};

use crate::{AppState, Problem};

/// Longest token accepted before it is even hashed (ours are 43 characters).
const MAX_TOKEN_LEN: usize = 512;

/// What the request carried.
#[derive(Debug)]
pub enum Credentials {
    /// A bearer token from any of the three token headers.
    Token(TokenSecret),
    /// HTTP Basic.
    Basic {
        /// The login part.
        login: String,
        /// The password part.
        password: Password,
    },
}

/// Why the headers hold no usable credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialsError {
    /// None of the accepted headers is present.
    Missing,
    /// A header is present but not well-formed; the text says how.
    Malformed(&'static str),
}

impl Credentials {
    /// Reads the credential from headers. Token headers are tried first
    /// (`JanuaAuthToken`, `X-Auth-Token`, then `Authorization`), as Janua checks its token
    /// before Basic.
    pub fn from_headers(headers: &HeaderMap) -> Result<Self, CredentialsError> {
        for name in ["januaauthtoken", "x-auth-token"] {
            if let Some(value) = headers.get(name) {
                return token(value.to_str().map_err(|_| CredentialsError::Malformed("the token is not ASCII"))?);
            }
        }
        let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else {
            return Err(CredentialsError::Missing);
        };
        let value = value.to_str().map_err(|_| CredentialsError::Malformed("the Authorization header is not ASCII"))?;
        let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
        let rest = rest.trim();
        if scheme.eq_ignore_ascii_case("bearer") {
            token(rest)
        } else if scheme.eq_ignore_ascii_case("basic") {
            basic(rest)
        } else {
            Err(CredentialsError::Malformed("the Authorization scheme must be Bearer or Basic"))
        }
    }
}

fn token(raw: &str) -> Result<Credentials, CredentialsError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(CredentialsError::Malformed("the token is empty"));
    }
    if raw.len() > MAX_TOKEN_LEN {
        return Err(CredentialsError::Malformed("the token is too long"));
    }
    Ok(Credentials::Token(TokenSecret::new(raw.to_owned())))
}

fn basic(encoded: &str) -> Result<Credentials, CredentialsError> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| CredentialsError::Malformed("the Basic credentials are not base64"))?;
    let text = String::from_utf8(decoded).map_err(|_| CredentialsError::Malformed("the Basic credentials are not UTF-8"))?;
    let (login, password) =
        text.split_once(':').ok_or(CredentialsError::Malformed("the Basic credentials need login:password"))?;
    let password = Password::parse(password.to_owned())
        .map_err(|_| CredentialsError::Malformed("the Basic password is empty or too long"))?;
    Ok(Credentials::Basic { login: login.to_owned(), password })
}

/// The client's IP address (for the per-address login limit), as [`crate::client`] found it.
pub fn client_address(parts: &Parts) -> Option<IpAddr> {
    crate::client::ClientAddress::of(parts).0
}

/// A caller of the native API, authenticated by any credential form.
#[derive(Debug, Clone)]
pub struct NativeCaller {
    /// The actor for core calls (face `steward`).
    pub actor: Actor,
    /// Set when a token was presented (so it can be revoked).
    pub token: Option<TokenAuthenticated>,
}

impl NativeCaller {
    /// Authenticates `credentials` for `face`, as every face does.
    pub async fn authenticate(
        state: &AppState,
        credentials: Credentials,
        address: Option<IpAddr>,
        face: &'static str,
    ) -> Result<Self, steward_core::identity::auth::AuthError> {
        match credentials {
            Credentials::Token(secret) => {
                let authenticated = state.core.auth.authenticate_token(&secret).await?;
                Ok(Self { actor: Actor::new(authenticated.principal.clone(), face), token: Some(authenticated) })
            }
            Credentials::Basic { login, password } => {
                let account = state.core.auth.check_password(&login, &password, address).await?.into_account();
                Ok(Self { actor: Actor::new(Principal::Account(account), face), token: None })
            }
        }
    }
}

impl FromRequestParts<AppState> for NativeCaller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let credentials = Credentials::from_headers(&parts.headers).map_err(|error| match error {
            CredentialsError::Missing => Problem::unauthorized(
                "Credentials are required: Authorization: Bearer <token>, X-Auth-Token, or Basic.",
            ),
            CredentialsError::Malformed(why) => Problem::unauthorized(format!("The credentials are malformed: {why}.")),
        })?;
        Ok(Self::authenticate(state, credentials, client_address(parts), "steward").await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(name: &'static str, value: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(name, HeaderValue::from_str(value).unwrap());
        map
    }

    #[test]
    fn every_form_is_read() {
        assert!(matches!(Credentials::from_headers(&headers("authorization", "Bearer abc")), Ok(Credentials::Token(t)) if t.expose() == "abc"));
        assert!(matches!(Credentials::from_headers(&headers("x-auth-token", "abc")), Ok(Credentials::Token(_))));
        assert!(matches!(Credentials::from_headers(&headers("januaauthtoken", "abc")), Ok(Credentials::Token(_))));
        let basic = base64::engine::general_purpose::STANDARD.encode("alice:pw:with:colons");
        match Credentials::from_headers(&headers("authorization", &format!("Basic {basic}"))) {
            Ok(Credentials::Basic { login, password }) => {
                assert_eq!(login, "alice");
                assert_eq!(password.expose(), "pw:with:colons");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_forms_are_refused_with_a_reason() {
        assert_eq!(Credentials::from_headers(&HeaderMap::new()).unwrap_err(), CredentialsError::Missing);
        assert!(matches!(Credentials::from_headers(&headers("authorization", "Digest x")), Err(CredentialsError::Malformed(_))));
        assert!(matches!(Credentials::from_headers(&headers("authorization", "Basic !!!")), Err(CredentialsError::Malformed(_))));
        let empty = base64::engine::general_purpose::STANDARD.encode("alice:");
        assert!(matches!(Credentials::from_headers(&headers("authorization", &format!("Basic {empty}"))), Err(CredentialsError::Malformed(_))));
        assert!(matches!(Credentials::from_headers(&headers("authorization", "Bearer ")), Err(CredentialsError::Malformed(_))));
    }
}
