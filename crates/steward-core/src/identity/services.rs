//! Service principals: programs (Cyclades, Pithos…) that call Steward with their own token.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use steward_model::{Service, TokenSecret};

use crate::identity::tokens::{self, TokenCache};
use crate::{AdminCapability, Store, StoreError, audit, now};

/// What went wrong with a service operation.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No service has this name.
    #[error("no service is called `{0}`")]
    NotFound(String),
    /// The name is taken.
    #[error("a service called `{0}` already exists")]
    NameTaken(String),
    /// The name is not usable.
    #[error("{0}")]
    Invalid(String),
    /// The store failed.
    #[error(transparent)]
    Store(crate::Unavailable),
}

crate::store_failures_are_unavailable!(ServiceError);

/// The services service.
pub struct Services {
    store: Store,
    tokens: Arc<TokenCache>,
}

fn check_name(name: &str) -> Result<(), ServiceError> {
    let valid = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '+'));
    if valid {
        Ok(())
    } else {
        Err(ServiceError::Invalid(format!(
            "`{name}` is not a service name: use 1-64 letters, digits, '_', '-', '.' or '+'"
        )))
    }
}

impl Services {
    pub(crate) fn new(store: Store, tokens: Arc<TokenCache>) -> Self {
        Self { store, tokens }
    }

    /// Registers a service and returns its first token; `ttl` `None` never expires.
    #[tracing::instrument(skip_all, fields(service = name))]
    pub async fn add(
        &self,
        capability: AdminCapability<'_>,
        name: &str,
        url: &str,
        ttl: Option<Duration>,
    ) -> Result<(Service, TokenSecret), ServiceError> {
        check_name(name)?;
        let secret = tokens::generate();
        let at = now();
        let write = self.store.write().await?;
        let service = write
            .insert_service(name, url, tokens::fingerprint(&secret), at, ttl.map(|ttl| at + ttl))
            .await
            .map_err(|error| match error {
                StoreError::Conflict(_) => ServiceError::NameTaken(name.to_owned()),
                other => ServiceError::Store(other.into()),
            })?;
        write.audit(audit::entry(capability.actor(), "service.add", name, json!({ "url": url })), at).await?;
        write.commit().await?;
        Ok((service, secret))
    }

    /// Replaces a service's token; the old one is refused from the next request here.
    #[tracing::instrument(skip_all, fields(service = name))]
    pub async fn renew_token(
        &self,
        capability: AdminCapability<'_>,
        name: &str,
        ttl: Option<Duration>,
    ) -> Result<TokenSecret, ServiceError> {
        let secret = tokens::generate();
        let at = now();
        let write = self.store.write().await?;
        write
            .replace_service_token(name, tokens::fingerprint(&secret), at, ttl.map(|ttl| at + ttl))
            .await
            .map_err(|error| match error {
                StoreError::NotFound => ServiceError::NotFound(name.to_owned()),
                other => ServiceError::Store(other.into()),
            })?;
        write.audit(audit::entry(capability.actor(), "service.renew_token", name, json!({})), at).await?;
        write.commit().await?;
        self.tokens.forget_all();
        Ok(secret)
    }

    /// Every service, by name.
    pub async fn list(&self) -> Result<Vec<Service>, ServiceError> {
        Ok(self.store.services().await?)
    }
}
