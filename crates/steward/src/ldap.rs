//! The LDAP connector plugged into the core's `LdapBinder` port: each check builds the
//! binder from the settings in force, so `/set_auth_backend/ldap` applies at once.

use std::future::Future;
use std::pin::Pin;

use steward_connectors::ldap::{LdapAuthenticator, LdapBindSettings, LdapError};
use steward_core::identity::backends::{ExternalAuthError, LdapBinder, LdapSettings};

/// Direct binds with the configured DN template.
pub struct DirectBind {
    /// Extra CA certificates (`SSL_CERT_FILE`) for a directory signed by a private CA.
    pub extra_roots_pem: Option<Vec<u8>>,
}

impl DirectBind {
    /// The connector for the settings in force.
    fn binder(&self, settings: &LdapSettings) -> Result<LdapAuthenticator, LdapError> {
        LdapAuthenticator::new(LdapBindSettings {
            uri: settings.uri.clone(),
            bind_dn_template: settings.bind_dn.clone(),
            starttls: settings.tls,
            extra_roots_pem: self.extra_roots_pem.clone(),
        })
    }
}

impl LdapBinder for DirectBind {
    fn verify<'a>(
        &'a self,
        settings: &'a LdapSettings,
        login: &'a str,
        password: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<(), ExternalAuthError>> + Send + 'a>> {
        Box::pin(async move {
            let binder = self.binder(settings).map_err(|error| ExternalAuthError::Unavailable(error.to_string()))?;
            binder.verify(login, password).await.map_err(|error| match error {
                LdapError::InvalidCredentials => ExternalAuthError::Refused,
                other => ExternalAuthError::Unavailable(other.to_string()),
            })
        })
    }

    fn probe<'a>(&'a self, settings: &'a LdapSettings) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>> {
        Box::pin(async move {
            let binder = self.binder(settings).map_err(|error| error.to_string())?;
            binder.probe().await.map_err(|error| error.to_string())
        })
    }
}
