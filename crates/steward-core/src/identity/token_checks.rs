//! What a presented token is good for, checked the way Astakos checks it, in its order:
//! a user token (present, known and of an account, active, unexpired, current terms
//! accepted) or a service token (present, known and of a service, unexpired).

use time::OffsetDateTime;

use crate::identity::auth::{AuthError, Refusal};
use crate::{Core, Principal};
use steward_model::{Account, TokenSecret};

/// Why a token is not the kind a request needs.
#[derive(Debug, thiserror::Error)]
pub enum TokenRefusal {
    /// No token was presented.
    #[error("no token")]
    Missing,
    /// Unknown, revoked, or of the other kind (a service token where a user's is needed).
    #[error("unknown token")]
    Invalid,
    /// The account is disabled.
    #[error("inactive account")]
    Inactive,
    /// The token's lifetime is over.
    #[error("expired token")]
    Expired,
    /// The account has not accepted the current terms.
    #[error("terms not accepted")]
    TermsPending,
    /// The store failed.
    #[error("{0}")]
    Unavailable(String),
}

/// A user token's account and the token's dates.
#[derive(Debug, Clone)]
pub struct UserToken {
    /// The account.
    pub account: Account,
    /// When the token was issued.
    pub created_at: OffsetDateTime,
    /// When it stops working.
    pub expires_at: Option<OffsetDateTime>,
}

impl Core {
    /// The account behind a user token, after every check.
    pub async fn user_token(&self, token: Option<&str>) -> Result<UserToken, TokenRefusal> {
        let authenticated = self.any_token(token).await?;
        let Principal::Account(account) = authenticated.principal else {
            return Err(TokenRefusal::Invalid);
        };
        if !account.active {
            return Err(TokenRefusal::Inactive);
        }
        let accepted = self.accounts.has_accepted_terms(&account).await.map_err(|error| TokenRefusal::Unavailable(error.to_string()))?;
        if !accepted {
            return Err(TokenRefusal::TermsPending);
        }
        Ok(UserToken { account, created_at: authenticated.created_at, expires_at: authenticated.expires_at })
    }

    /// The service behind a service token.
    pub async fn service_token(&self, token: Option<&str>) -> Result<steward_model::Service, TokenRefusal> {
        match self.any_token(token).await?.principal {
            Principal::Service(service) => Ok(service),
            Principal::Account(_) => Err(TokenRefusal::Invalid),
        }
    }

    async fn any_token(&self, token: Option<&str>) -> Result<crate::identity::auth::TokenAuthenticated, TokenRefusal> {
        let token = token.filter(|token| !token.is_empty()).ok_or(TokenRefusal::Missing)?;
        self.auth.authenticate_token(&TokenSecret::new(token.to_owned())).await.map_err(|error| match error {
            AuthError::Refused(Refusal::Disabled) => TokenRefusal::Inactive,
            AuthError::Refused(Refusal::Expired) => TokenRefusal::Expired,
            AuthError::Refused(_) => TokenRefusal::Invalid,
            other => TokenRefusal::Unavailable(other.to_string()),
        })
    }
}
