//! External authentication backends an operator configures at run time (Janua's
//! `/set_auth_backend/ldap`): their settings, validated as a whole and saved atomically.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{AdminCapability, Store, StoreError, audit, now};

/// Where the LDAP settings are kept in the store's settings table.
const LDAP_KEY: &str = "auth.ldap";

/// How to bind an LDAP account: `bind_dn` with `${login}` replaced by the login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LdapSettings {
    /// `ldap://host:389` or `ldaps://host:636`.
    pub uri: String,
    /// A DN template containing `${login}`.
    pub bind_dn: String,
    /// StartTLS on an `ldap://` URI (certificates are always verified).
    pub tls: bool,
}

impl Default for LdapSettings {
    /// Janua's defaults.
    fn default() -> Self {
        Self {
            uri: "ldap://127.0.0.1:389".to_owned(),
            bind_dn: "uid=${login},ou=people,dc=organization,dc=com".to_owned(),
            tls: false,
        }
    }
}

impl LdapSettings {
    /// Checks every field; the message names the one that is wrong.
    pub fn validate(&self) -> Result<(), BackendError> {
        let Some(rest) = self.uri.strip_prefix("ldap://").or_else(|| self.uri.strip_prefix("ldaps://")) else {
            return Err(BackendError::Invalid(format!("ldap_uri `{}` must start with ldap:// or ldaps://", self.uri)));
        };
        if rest.is_empty() || rest.contains(char::is_whitespace) {
            return Err(BackendError::Invalid(format!("ldap_uri `{}` names no host", self.uri)));
        }
        if !self.bind_dn.contains("${login}") {
            return Err(BackendError::Invalid("ldap_bind_dn must contain ${login}".to_owned()));
        }
        if self.tls && self.uri.starts_with("ldaps://") {
            return Err(BackendError::Invalid(
                "ldap_tls_support (StartTLS) needs an ldap:// URI; ldaps:// is TLS already".to_owned(),
            ));
        }
        Ok(())
    }
}

/// Why an external backend refused or could not answer.
#[derive(Debug, thiserror::Error)]
pub enum ExternalAuthError {
    /// The backend says the credentials are wrong.
    #[error("invalid credentials")]
    Refused,
    /// The backend could not be asked.
    #[error("{0}")]
    Unavailable(String),
}

/// The port through which the core binds to an LDAP directory; the binary plugs in the
/// connector. The settings are read at each check, so a change made through Janua's
/// `/set_auth_backend/ldap` applies to the next login.
pub trait LdapBinder: Send + Sync {
    /// Binds as `login` with `password` under `settings`.
    fn verify<'a>(
        &'a self,
        settings: &'a LdapSettings,
        login: &'a str,
        password: &'a str,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ExternalAuthError>> + Send + 'a>>;

    /// Whether the directory under `settings` answers (for `/readyz`), without binding.
    fn probe<'a>(&'a self, settings: &'a LdapSettings) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send + 'a>>;
}

/// What went wrong with a backend's settings.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// No backend of that name.
    #[error("unknown backend {0}")]
    Unknown(String),
    /// The backend has no settings to change (`local`).
    #[error("backend {0} has no parameters")]
    NoParameters(String),
    /// A value was refused.
    #[error("{0}")]
    Invalid(String),
    /// The store failed.
    #[error(transparent)]
    Store(crate::Unavailable),
}

crate::store_failures_are_unavailable!(BackendError);

/// The auth-backends service.
pub struct AuthBackends {
    store: Store,
}

impl AuthBackends {
    pub(crate) fn new(store: Store) -> Self {
        Self { store }
    }

    /// The LDAP settings in force (Janua's defaults until an admin saves some).
    pub async fn ldap(&self) -> Result<LdapSettings, BackendError> {
        match self.store.setting(LDAP_KEY).await? {
            Some(value) => serde_json::from_value(value)
                .map_err(|error| BackendError::Store(StoreError::Corrupt(format!("{LDAP_KEY}: {error}")).into())),
            None => Ok(LdapSettings::default()),
        }
    }

    /// The LDAP settings an admin saved, `None` while LDAP was never configured (then
    /// `/readyz` does not check a directory nobody uses).
    pub async fn configured_ldap(&self) -> Result<Option<LdapSettings>, BackendError> {
        match self.store.setting(LDAP_KEY).await? {
            Some(_) => self.ldap().await.map(Some),
            None => Ok(None),
        }
    }

    /// Validates and saves new LDAP settings in one transaction, audited.
    #[tracing::instrument(skip_all, fields(uri = %settings.uri))]
    pub async fn set_ldap(&self, capability: AdminCapability<'_>, settings: LdapSettings) -> Result<(), BackendError> {
        settings.validate()?;
        let value = serde_json::to_value(&settings)
            .map_err(|error| BackendError::Invalid(error.to_string()))?;
        let at = now();
        let write = self.store.write().await?;
        write.set_setting(LDAP_KEY, &value, at).await?;
        write
            .audit(
                audit::entry(capability.actor(), "auth_backend.set", "ldap", json!({ "uri": settings.uri, "tls": settings.tls })),
                at,
            )
            .await?;
        write.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ldap_settings_are_checked_as_a_whole() {
        assert!(LdapSettings::default().validate().is_ok());
        let bad_uri = LdapSettings { uri: "http://x".into(), ..LdapSettings::default() };
        assert!(bad_uri.validate().is_err());
        let no_login = LdapSettings { bind_dn: "uid=x,dc=example".into(), ..LdapSettings::default() };
        assert!(no_login.validate().is_err());
        let starttls_on_ldaps = LdapSettings { uri: "ldaps://h".into(), tls: true, ..LdapSettings::default() };
        assert!(starttls_on_ldaps.validate().is_err());
    }
}
