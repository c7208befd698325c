//! The caller: a Steward token (`X-Auth-Token`, `Authorization: Bearer`) or Basic makes an
//! account acting on the token's project; no credential, or one that does not check, makes
//! nobody (as keystonemiddleware with delayed decisions: the guards answer 401).

use axum::http::HeaderMap;
use steward_core::Principal;
use steward_core::workflow::Requester;
use steward_http::AppState;
use steward_http::credentials::Credentials;

use crate::envelope::Answer;

/// The face's name in audit entries and metrics.
pub const FACE: &str = "adjutant";

/// The requester the headers make.
pub async fn requester(state: &AppState, headers: &HeaderMap, ip: Option<std::net::IpAddr>) -> Result<Requester, Answer> {
    let Ok(credentials) = Credentials::from_headers(headers) else {
        return Ok(Requester::anonymous(FACE, ip));
    };
    let (account, project) = match credentials {
        Credentials::Token(secret) => match state.core.auth.authenticate_token(&secret).await {
            Ok(authenticated) => match authenticated.principal {
                Principal::Account(account) if account.active => (account, authenticated.project),
                _ => return Ok(Requester::anonymous(FACE, ip)),
            },
            Err(_) => return Ok(Requester::anonymous(FACE, ip)),
        },
        Credentials::Basic { login, password } => match state.core.auth.check_password(&login, &password, ip).await {
            Ok(proven) => (proven.into_account(), None),
            Err(_) => return Ok(Requester::anonymous(FACE, ip)),
        },
    };
    state.core.workflow.requester(account, project, FACE, ip).await.map_err(Answer::from)
}
