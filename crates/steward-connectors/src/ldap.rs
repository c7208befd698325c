//! Passwords checked against an LDAP directory by a simple bind, in the two usual ways:
//!
//! - [`LdapAuthenticator`], direct bind: the bind DN is a template, `uid=${login},ou=people,…`
//!   (Janua's `ldap_bind_dn`), with the login escaped as an RFC 4514 attribute value;
//! - [`LdapSearchAuthenticator`], search then bind: find the one entry whose attribute equals
//!   the login (escaped per RFC 4515), anonymously or as a service account, then bind as it;
//!   its `mail` and `telephoneNumber` come back to fill the account.
//!
//! An empty password is refused before any network I/O: in LDAP a bind with a DN and no
//! password is an "unauthenticated bind", which many servers answer as a success. TLS is
//! `ldaps://` or StartTLS on `ldap://`; certificates are always verified, against the
//! system's CA store (which honours `SSL_CERT_FILE`) plus the PEM roots an operator adds.
//! A failed StartTLS is an error, never a fallback to plain text.

use std::sync::Arc;
use std::time::Duration;

use ldap3::{LdapConnAsync, LdapConnSettings, Scope, SearchEntry, SearchOptions};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// How long one whole check (connect, TLS, search, bind) may take.
const TIMEOUT: Duration = Duration::from_secs(15);

/// The placeholder the bind DN template must contain.
pub const LOGIN_PLACEHOLDER: &str = "${login}";

/// LDAP result codes (RFC 4511 appendix A) this module tells apart.
mod result_code {
    /// The search matched more entries than the size limit we set.
    pub const SIZE_LIMIT_EXCEEDED: u32 = 4;
    /// The server wants a bind method other than simple.
    pub const AUTH_METHOD_NOT_SUPPORTED: u32 = 7;
    /// The server wants a stronger (e.g. protected) authentication.
    pub const STRONGER_AUTH_REQUIRED: u32 = 8;
    /// The server only takes this over TLS.
    pub const CONFIDENTIALITY_REQUIRED: u32 = 13;
    /// The search base does not exist.
    pub const NO_SUCH_OBJECT: u32 = 32;
    /// Wrong password, unknown DN, or an entry without a password.
    pub const INVALID_CREDENTIALS: u32 = 49;
    /// Refused on policy: an unauthenticated bind, a disabled or locked account.
    pub const UNWILLING_TO_PERFORM: u32 = 53;
}

/// Why a password could not be verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LdapError {
    /// The directory refused the login and password (or they were empty, or the login
    /// matched no entry or several): the same answer for all, so nothing leaks.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// The directory could not be reached or did not answer properly: another try, later,
    /// may work. Never a reason to let anyone in.
    #[error("the LDAP directory is unavailable: {0}")]
    Unavailable(String),
    /// The settings cannot work (bad URI, template without `${login}`, refused service
    /// account, a server that demands TLS): an operator must change them.
    #[error("the LDAP settings are not usable: {0}")]
    Setup(String),
}

/// Settings of a direct bind (Janua's LDAP auth backend).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdapBindSettings {
    /// `ldap://host[:port]` or `ldaps://host[:port]`.
    pub uri: String,
    /// The bind DN, with [`LOGIN_PLACEHOLDER`] where the login goes.
    pub bind_dn_template: String,
    /// StartTLS on an `ldap://` URI (an `ldaps://` URI is TLS already and ignores this).
    pub starttls: bool,
    /// PEM CA certificates trusted besides the system's, for a directory with a private CA.
    pub extra_roots_pem: Option<Vec<u8>>,
}

/// Settings of a search then bind.
#[derive(Debug, Clone)]
pub struct LdapSearchSettings {
    /// `ldap://host[:port]` or `ldaps://host[:port]`.
    pub uri: String,
    /// Where the search starts (subtree scope), e.g. `ou=people,dc=example,dc=org`.
    pub base_dn: String,
    /// The attribute that holds the login, e.g. `uid` (or `sAMAccountName`, `mail`).
    pub filter_attribute: String,
    /// The account the search runs as; `None` searches anonymously.
    pub service_bind_dn: Option<String>,
    /// That account's password; required with `service_bind_dn`.
    pub service_password: Option<SecretString>,
    /// StartTLS on an `ldap://` URI (an `ldaps://` URI is TLS already and ignores this).
    pub starttls: bool,
    /// PEM CA certificates trusted besides the system's, for a directory with a private CA.
    pub extra_roots_pem: Option<Vec<u8>>,
}

/// What the directory says about an account found by search then bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdapEntry {
    /// The entry's DN, the one the password was bound with.
    pub dn: String,
    /// Its first `mail`, if it has one.
    pub mail: Option<String>,
    /// Its first `telephoneNumber`, as the directory spells it (not checked as E.164).
    pub telephone_number: Option<String>,
}

/// Checks passwords by binding as a DN built from the login.
#[derive(Debug, Clone)]
pub struct LdapAuthenticator {
    /// Where and how to connect.
    server: Server,
    /// The bind DN with [`LOGIN_PLACEHOLDER`] in it.
    bind_dn_template: String,
}

impl LdapAuthenticator {
    /// An authenticator for `settings`, checked now (URI, template, PEM). Does not connect.
    pub fn new(settings: LdapBindSettings) -> Result<Self, LdapError> {
        if !settings.bind_dn_template.contains(LOGIN_PLACEHOLDER) {
            return Err(LdapError::Setup(format!("the bind DN template has no {LOGIN_PLACEHOLDER}")));
        }
        let server = Server::new(&settings.uri, settings.starttls, settings.extra_roots_pem.as_deref())?;
        Ok(Self { server, bind_dn_template: settings.bind_dn_template })
    }

    /// The bind DN for `login`: the template with the login escaped as an attribute value,
    /// so `a,ou=admins` or `*` cannot change which entry is bound.
    pub fn bind_dn(&self, login: &str) -> String {
        self.bind_dn_template.replace(LOGIN_PLACEHOLDER, &ldap3::dn_escape(login))
    }

    /// `Ok` when the directory answers: a connection (with StartTLS when asked), then an
    /// unbind. No bind: the probe holds no credential.
    pub async fn probe(&self) -> Result<(), LdapError> {
        bounded(async {
            let mut ldap = self.server.connect().await?;
            let _ = ldap.unbind().await;
            Ok(())
        })
        .await
    }

    /// `Ok` when the directory accepts `password` for `login`'s DN.
    #[tracing::instrument(skip_all, fields(login = %login))]
    pub async fn verify(&self, login: &str, password: &str) -> Result<(), LdapError> {
        if login.is_empty() || password.is_empty() {
            return Err(LdapError::InvalidCredentials);
        }
        let dn = self.bind_dn(login);
        bounded(async {
            let mut ldap = self.server.connect().await?;
            let outcome = bind(&mut ldap, &dn, password).await;
            let _ = ldap.unbind().await;
            outcome
        })
        .await
    }
}

/// Checks passwords by finding the login's entry, then binding as it.
#[derive(Debug, Clone)]
pub struct LdapSearchAuthenticator {
    /// Where and how to connect.
    server: Server,
    /// Where the search starts.
    base_dn: String,
    /// The attribute holding the login; checked to be a plain attribute name.
    filter_attribute: String,
    /// The service account the search binds as, if any.
    service: Option<(String, SecretString)>,
}

impl LdapSearchAuthenticator {
    /// An authenticator for `settings`, checked now (URI, attribute name, service account,
    /// PEM). Does not connect.
    pub fn new(settings: LdapSearchSettings) -> Result<Self, LdapError> {
        if !is_attribute_name(&settings.filter_attribute) {
            return Err(LdapError::Setup(format!("`{}` is not an LDAP attribute name", settings.filter_attribute)));
        }
        let service = match (settings.service_bind_dn, settings.service_password) {
            (None, None) => None,
            (Some(dn), Some(password)) if !dn.is_empty() && !password.expose_secret().is_empty() => {
                Some((dn, password))
            }
            // A DN without a password would be an unauthenticated bind: anonymous in disguise.
            _ => {
                return Err(LdapError::Setup("the service account needs both a bind DN and a password".to_owned()));
            }
        };
        let server = Server::new(&settings.uri, settings.starttls, settings.extra_roots_pem.as_deref())?;
        Ok(Self { server, base_dn: settings.base_dn, filter_attribute: settings.filter_attribute, service })
    }

    /// The search filter for `login`: `(attribute=login)` with `*`, `(`, `)`, `\` and NUL
    /// escaped, so `*)(uid=*` matches only itself.
    pub fn filter(&self, login: &str) -> String {
        format!("({}={})", self.filter_attribute, ldap3::ldap_escape(login))
    }

    /// The login's entry when exactly one entry matches it and the directory accepts
    /// `password` for that entry's DN.
    #[tracing::instrument(skip_all, fields(login = %login))]
    pub async fn verify(&self, login: &str, password: &str) -> Result<LdapEntry, LdapError> {
        if login.is_empty() || password.is_empty() {
            return Err(LdapError::InvalidCredentials);
        }
        let filter = self.filter(login);
        bounded(async {
            let mut ldap = self.server.connect().await?;
            let outcome = self.search_then_bind(&mut ldap, &filter, password).await;
            let _ = ldap.unbind().await;
            outcome
        })
        .await
    }

    async fn search_then_bind(
        &self,
        ldap: &mut ldap3::Ldap,
        filter: &str,
        password: &str,
    ) -> Result<LdapEntry, LdapError> {
        if let Some((dn, service_password)) = &self.service {
            bind(ldap, dn, service_password.expose_secret()).await.map_err(|error| match error {
                LdapError::InvalidCredentials => {
                    LdapError::Setup("the directory refused the service account's credentials".to_owned())
                }
                other => other,
            })?;
        }
        // Two is enough to tell "exactly one" from "several", and bounds the answer.
        let ldap3::SearchResult(results, done) = ldap
            .with_search_options(SearchOptions::new().sizelimit(2))
            .search(&self.base_dn, Scope::Subtree, filter, vec!["mail", "telephoneNumber"])
            .await
            .map_err(|error| LdapError::Unavailable(format!("the search failed: {error}")))?;
        match done.rc {
            0 | result_code::SIZE_LIMIT_EXCEEDED => {}
            result_code::NO_SUCH_OBJECT => {
                return Err(LdapError::Setup(format!("the search base `{}` does not exist", self.base_dn)));
            }
            rc => return Err(LdapError::Unavailable(format!("the search failed with result {rc}: {}", done.text))),
        }
        let mut entries = results
            .into_iter()
            .filter(|result| !result.is_ref() && !result.is_intermediate())
            .map(SearchEntry::construct);
        let (Some(entry), None) = (entries.next(), entries.next()) else {
            // No entry, or several: either way nobody to bind as; the same answer as a wrong
            // password, so a caller cannot probe which logins exist.
            tracing::debug!("the login matched no entry or more than one");
            return Err(LdapError::InvalidCredentials);
        };
        bind(ldap, &entry.dn, password).await?;
        Ok(LdapEntry {
            mail: first_value(&entry, "mail"),
            telephone_number: first_value(&entry, "telephoneNumber"),
            dn: entry.dn,
        })
    }
}

/// Where a directory is and how to reach it.
#[derive(Clone)]
struct Server {
    /// The checked `ldap://` or `ldaps://` URI.
    uri: Url,
    /// `scheme://host:port` alone, for messages: a URI may carry an `x-bindpw` extension.
    shown: String,
    /// StartTLS on `ldap://`.
    starttls: bool,
    /// The TLS client settings, built only when TLS is used (loading the system's CA store
    /// is not free).
    tls: Option<Arc<rustls::ClientConfig>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("uri", &self.shown).field("starttls", &self.starttls).finish()
    }
}

impl Server {
    fn new(uri: &str, starttls: bool, extra_roots_pem: Option<&[u8]>) -> Result<Self, LdapError> {
        // Neither the input nor url's errors are quoted: a URI may carry a password.
        let uri = Url::parse(uri).map_err(|error| LdapError::Setup(format!("the LDAP URI is not a URI: {error}")))?;
        let scheme_tls = match uri.scheme() {
            "ldap" => false,
            "ldaps" => true,
            other => return Err(LdapError::Setup(format!("the URI scheme must be ldap or ldaps, not {other}"))),
        };
        // ldap3 panics on a URI without a host (`ldap:foo`) and quietly means localhost for an
        // empty one (`ldap:///`): ask for a host.
        let Some(host) = uri.host_str().filter(|host| !host.is_empty()) else {
            return Err(LdapError::Setup("the LDAP URI names no host".to_owned()));
        };
        let shown = match uri.port() {
            Some(port) => format!("{}://{host}:{port}", uri.scheme()),
            None => format!("{}://{host}", uri.scheme()),
        };
        let extra_roots = extra_roots_pem.map(parse_roots).transpose()?;
        let starttls = starttls && !scheme_tls;
        let tls = if scheme_tls || starttls { Some(tls_config(extra_roots.unwrap_or_default())?) } else { None };
        Ok(Self { uri, shown, starttls, tls })
    }

    /// A connection, TLS established if asked, its driver running on the runtime.
    async fn connect(&self) -> Result<ldap3::Ldap, LdapError> {
        let mut settings = LdapConnSettings::new().set_conn_timeout(TIMEOUT).set_starttls(self.starttls);
        if let Some(tls) = &self.tls {
            settings = settings.set_config(tls.clone());
        }
        let (connection, ldap) = LdapConnAsync::from_url_with_settings(settings, &self.uri)
            .await
            .map_err(|error| LdapError::Unavailable(format!("cannot connect to {}: {error}", self.shown)))?;
        // The driver ends by itself once the last handle to it is dropped.
        tokio::spawn(async move {
            if let Err(error) = connection.drive().await {
                tracing::debug!(%error, "LDAP connection ended with an error");
            }
        });
        Ok(ldap)
    }
}

/// A simple bind, its result code turned into what it means for a login.
async fn bind(ldap: &mut ldap3::Ldap, dn: &str, password: &str) -> Result<(), LdapError> {
    let result = ldap
        .simple_bind(dn, password)
        .await
        .map_err(|error| LdapError::Unavailable(format!("the bind failed: {error}")))?;
    match result.rc {
        0 => Ok(()),
        result_code::INVALID_CREDENTIALS | result_code::UNWILLING_TO_PERFORM => Err(LdapError::InvalidCredentials),
        result_code::AUTH_METHOD_NOT_SUPPORTED
        | result_code::STRONGER_AUTH_REQUIRED
        | result_code::CONFIDENTIALITY_REQUIRED => Err(LdapError::Setup(format!(
            "the directory refuses simple binds on this connection (result {}: {}); try StartTLS or ldaps://",
            result.rc, result.text
        ))),
        rc => Err(LdapError::Unavailable(format!("the bind failed with result {rc}: {}", result.text))),
    }
}

/// The whole conversation within [`TIMEOUT`]: ldap3's own timeout covers the connection
/// only, and a directory that goes silent must not hold a login forever.
async fn bounded<T>(conversation: impl Future<Output = Result<T, LdapError>>) -> Result<T, LdapError> {
    tokio::time::timeout(TIMEOUT, conversation).await.unwrap_or_else(|_| {
        Err(LdapError::Unavailable(format!("the directory did not answer within {} s", TIMEOUT.as_secs())))
    })
}

/// The PEM certificates in `pem`; at least one, because an operator who names a CA file
/// means one.
fn parse_roots(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, LdapError> {
    let roots = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| LdapError::Setup(format!("the extra CA certificates are not valid PEM: {error}")))?;
    if roots.is_empty() {
        return Err(LdapError::Setup("the extra CA file holds no PEM certificate".to_owned()));
    }
    Ok(roots)
}

/// rustls on ring, verifying against the system's roots plus `extra_roots`.
fn tls_config(extra_roots: Vec<CertificateDer<'static>>) -> Result<Arc<rustls::ClientConfig>, LdapError> {
    let mut roots = rustls::RootCertStore::empty();
    // Unreadable files in the store are skipped; the certificates that loaded still count.
    let system = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(system.certs);
    for root in extra_roots {
        roots.add(root).map_err(|error| LdapError::Setup(format!("an extra CA certificate is unusable: {error}")))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| LdapError::Setup(format!("TLS cannot be set up: {error}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// RFC 4512's `descr`: a letter, then letters, digits and hyphens. Anything else in a filter
/// built by `format!` could change the filter.
fn is_attribute_name(name: &str) -> bool {
    let mut characters = name.chars();
    characters.next().is_some_and(|first| first.is_ascii_alphabetic())
        && characters.all(|character| character.is_ascii_alphanumeric() || character == '-')
}

/// The first value of `attribute` (names compare case-insensitively in LDAP).
fn first_value(entry: &SearchEntry, attribute: &str) -> Option<String> {
    entry
        .attrs
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(attribute))
        .and_then(|(_, values)| values.first().cloned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bind_settings(uri: &str, template: &str) -> LdapBindSettings {
        LdapBindSettings { uri: uri.into(), bind_dn_template: template.into(), starttls: false, extra_roots_pem: None }
    }

    fn search_settings(attribute: &str) -> LdapSearchSettings {
        LdapSearchSettings {
            uri: "ldap://127.0.0.1:389".into(),
            base_dn: "dc=example,dc=org".into(),
            filter_attribute: attribute.into(),
            service_bind_dn: None,
            service_password: None,
            starttls: false,
            extra_roots_pem: None,
        }
    }

    const TEMPLATE: &str = "uid=${login},ou=people,dc=example,dc=org";

    #[test]
    fn logins_are_escaped_as_rfc4514_values() {
        let authenticator = LdapAuthenticator::new(bind_settings("ldap://127.0.0.1", TEMPLATE)).unwrap();
        assert_eq!(authenticator.bind_dn("alice"), "uid=alice,ou=people,dc=example,dc=org");
        assert_eq!(authenticator.bind_dn("a,ou=admins"), "uid=a\\2cou\\3dadmins,ou=people,dc=example,dc=org");
        assert_eq!(
            authenticator.bind_dn("x+\"\\<>;="),
            "uid=x\\2b\\22\\5c\\3c\\3e\\3b\\3d,ou=people,dc=example,dc=org"
        );
        assert_eq!(authenticator.bind_dn("#a b "), "uid=\\23a b\\20,ou=people,dc=example,dc=org");
        assert_eq!(authenticator.bind_dn(" a"), "uid=\\20a,ou=people,dc=example,dc=org");
        assert_eq!(authenticator.bind_dn("élodie"), "uid=élodie,ou=people,dc=example,dc=org");
    }

    #[test]
    fn logins_are_escaped_as_rfc4515_filter_values() {
        let authenticator = LdapSearchAuthenticator::new(search_settings("uid")).unwrap();
        assert_eq!(authenticator.filter("alice"), "(uid=alice)");
        assert_eq!(authenticator.filter("*)(uid=*"), "(uid=\\2a\\29\\28uid=\\2a)");
        assert_eq!(authenticator.filter("a\\b\0"), "(uid=a\\5cb\\00)");
    }

    #[test]
    fn settings_are_checked_before_any_connection() {
        let setup = |result: Result<LdapAuthenticator, LdapError>| matches!(result, Err(LdapError::Setup(_)));
        assert!(setup(LdapAuthenticator::new(bind_settings("ldap://127.0.0.1", "uid=alice,dc=org"))));
        assert!(setup(LdapAuthenticator::new(bind_settings("http://127.0.0.1", TEMPLATE))));
        assert!(setup(LdapAuthenticator::new(bind_settings("ldap:foo", TEMPLATE))));
        assert!(setup(LdapAuthenticator::new(bind_settings("ldap:///", TEMPLATE))));
        assert!(setup(LdapAuthenticator::new(bind_settings("ldapi:///run/slapd.sock", TEMPLATE))));
        let not_pem =
            LdapBindSettings { extra_roots_pem: Some(b"not pem".to_vec()), ..bind_settings("ldaps://h", TEMPLATE) };
        assert!(setup(LdapAuthenticator::new(not_pem)));
        assert!(LdapAuthenticator::new(bind_settings("ldaps://ldap.example.org:636", TEMPLATE)).is_ok());
        let starttls = LdapBindSettings { starttls: true, ..bind_settings("ldap://ldap.example.org", TEMPLATE) };
        assert!(LdapAuthenticator::new(starttls).is_ok());

        for attribute in ["uid)(x", "", "1uid", "u id", "uid*"] {
            assert!(
                matches!(LdapSearchAuthenticator::new(search_settings(attribute)), Err(LdapError::Setup(_))),
                "{attribute:?}"
            );
        }
        let half_service =
            LdapSearchSettings { service_bind_dn: Some("cn=admin,dc=example,dc=org".into()), ..search_settings("uid") };
        assert!(matches!(LdapSearchAuthenticator::new(half_service), Err(LdapError::Setup(_))));
        let empty_password = LdapSearchSettings {
            service_bind_dn: Some("cn=admin,dc=example,dc=org".into()),
            service_password: Some(SecretString::from("")),
            ..search_settings("uid")
        };
        assert!(matches!(LdapSearchAuthenticator::new(empty_password), Err(LdapError::Setup(_))));
    }

    #[test]
    fn debug_hides_the_service_password() {
        let settings = LdapSearchSettings {
            service_bind_dn: Some("cn=admin,dc=example,dc=org".into()),
            service_password: Some(SecretString::from("adminpw-secret")),
            ..search_settings("uid")
        };
        let authenticator = LdapSearchAuthenticator::new(settings).unwrap();
        assert!(!format!("{authenticator:?}").contains("adminpw-secret"));
    }
}
