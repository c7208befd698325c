//! Connector health, shared between the worker that observes it and `/readyz` that reports it.

use std::sync::{Arc, Mutex, PoisonError};

/// What is known of one connector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectorState {
    /// Not configured: work for it waits in the outbox.
    Unconfigured,
    /// Configured and not yet tried.
    Unknown,
    /// The last delivery or probe succeeded.
    Ok,
    /// The last delivery or probe failed, for this reason.
    Down(String),
}

impl ConnectorState {
    /// How `/readyz` shows it: `ok`, `unconfigured` or `down: <reason>` (not yet tried counts
    /// as ok: nothing has failed).
    pub fn describe(&self) -> String {
        match self {
            Self::Unconfigured => "unconfigured".to_owned(),
            Self::Unknown | Self::Ok => "ok".to_owned(),
            Self::Down(reason) => format!("down: {reason}"),
        }
    }

    /// Whether it counts against readiness.
    pub fn is_down(&self) -> bool {
        matches!(self, Self::Down(_))
    }
}

/// One shared, updatable state per connector.
#[derive(Debug, Clone)]
pub struct ConnectorHealth(Arc<Mutex<ConnectorState>>);

impl ConnectorHealth {
    /// Starts in `initial`.
    pub fn new(initial: ConnectorState) -> Self {
        Self(Arc::new(Mutex::new(initial)))
    }

    /// The current state.
    pub fn get(&self) -> ConnectorState {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Records a new state.
    pub fn set(&self, state: ConnectorState) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = state;
    }
}

/// The health of every connector `/readyz` reports.
#[derive(Debug, Clone)]
pub struct Health {
    /// SMTP.
    pub mail: ConnectorHealth,
    /// The SMS gateway (Kannel or smstools).
    pub sms: ConnectorHealth,
    /// Kamailio's database.
    pub kamailio: ConnectorHealth,
    /// The LDAP directory Janua's LDAP backend binds to, once an admin configured it.
    pub ldap: ConnectorHealth,
}
