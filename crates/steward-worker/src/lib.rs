//! The outbox worker: claims due rows under a lease, delivers each through its connector,
//! retries with exponential backoff and marks a row failed after `worker.max_attempts`.
//! Rows are never deleted, and the schedule lives in the rows, so it survives restarts.
//!
//! # Layout
//! - [`Worker`]: the loop, its settings ([`WorkerSettings`]) and its wake-up handle.
//! - `deliver`: one row through one connector, and what to record afterwards.

mod deliver;

use std::sync::Arc;
use std::time::Duration;

use steward_connectors::OutgoingSms;
use steward_connectors::kannel::KannelSender;
use steward_connectors::smstools::SmstoolsSpool;
use steward_connectors::smtp::SmtpMailer;
use steward_model::health::{ConnectorHealth, ConnectorState};
use steward_model::OutboxKind;
use steward_store::Store;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// How the worker retries.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Attempts before a row is marked failed (`worker.max_attempts`).
    pub max_attempts: u32,
    /// Wait before the first retry; doubles each time up to [`MAX_BACKOFF`].
    pub backoff: Duration,
}

/// The longest wait between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// How long a claimed row belongs to this worker; a crashed worker's rows are taken again
/// (by another instance, or by this one restarted) once it lapses. A batch is delivered
/// concurrently and every connector bounds its conversation at 20 s, so a live worker
/// always finishes inside its lease and a row is never sent twice by two owners.
const LEASE: Duration = Duration::from_secs(30);

/// How often the worker looks for due rows when nobody woke it.
const POLL: Duration = Duration::from_secs(1);

/// How often a configured connector is probed.
const PROBE_EVERY: Duration = Duration::from_secs(10);

/// Rows claimed at once and delivered concurrently. Each row is marked done in its own
/// transaction as soon as its peer acknowledged it, never at the end of the batch, so a
/// crash sends again at most the deliveries in flight: this many (tests/api/mail.rs).
const BATCH: u64 = 16;

/// The SMS gateway configured in `sms.gateway`.
#[derive(Clone, Debug)]
pub enum SmsGateway {
    /// Kannel's HTTP sendsms.
    Kannel(KannelSender),
    /// An smstools outgoing spool directory.
    Smstools(SmstoolsSpool),
}

impl SmsGateway {
    async fn send(&self, sms: &OutgoingSms) -> Result<(), steward_connectors::DeliveryError> {
        match self {
            Self::Kannel(kannel) => kannel.send(sms).await,
            Self::Smstools(spool) => spool.send(sms).await,
        }
    }

    async fn probe(&self) -> Result<(), steward_connectors::DeliveryError> {
        match self {
            Self::Kannel(kannel) => kannel.probe().await,
            Self::Smstools(spool) => spool.probe().await,
        }
    }
}

/// The connectors the worker delivers through, each with its health.
#[derive(Clone, Debug)]
pub struct Connectors {
    /// SMTP, when `mail.smtp_url` is set.
    pub mail: Option<SmtpMailer>,
    /// What `/readyz` shows for mail.
    pub mail_health: ConnectorHealth,
    /// The SMS gateway, unless `sms.gateway = "none"`.
    pub sms: Option<SmsGateway>,
    /// What `/readyz` shows for SMS.
    pub sms_health: ConnectorHealth,
    /// Signs each SMS's delivery report reference, when the gateway sends reports.
    pub report_key: Option<steward_model::sms::report::ReportKey>,
    /// Where tenant databases are cloned and removed, when dRofus' tenants are configured.
    pub tenants: Option<steward_connectors::tenants::Tenants>,
}

/// The outbox worker of one process.
pub struct Worker {
    store: Store,
    connectors: Connectors,
    settings: WorkerSettings,
    /// Raised by the store's commits that queued work (see `Store::outbox_signal`).
    wake: Arc<Notify>,
    /// Names this process's leases, so only the lease holder can finish a row.
    owner: String,
}

impl Worker {
    /// A worker over `store` delivering through `connectors`.
    pub fn new(store: Store, connectors: Connectors, settings: WorkerSettings) -> Self {
        let owner = format!("{}-{}", std::process::id(), uuid_like());
        let wake = store.outbox_signal();
        Self { store, connectors, settings, wake, owner }
    }

    fn kinds(&self) -> Vec<OutboxKind> {
        let mut kinds = Vec::new();
        if self.connectors.mail.is_some() {
            kinds.push(OutboxKind::Mail);
        }
        if self.connectors.sms.is_some() {
            kinds.push(OutboxKind::Sms);
        }
        if self.connectors.tenants.is_some() {
            kinds.push(OutboxKind::Tenant);
        }
        kinds
    }

    /// Runs until `shutdown` is cancelled; a delivery in progress is finished first.
    pub async fn run(self, shutdown: CancellationToken) {
        let kinds = self.kinds();
        // Probes run beside deliveries, so a slow peer's probe never delays the queue.
        let mut probes = Vec::new();
        if let Some(mailer) = self.connectors.mail.clone() {
            let health = self.connectors.mail_health.clone();
            probes.push(tokio::spawn(probe_every(shutdown.clone(), health, "SMTP", move || {
                let mailer = mailer.clone();
                async move { mailer.probe().await }
            })));
        }
        if let Some(gateway) = self.connectors.sms.clone() {
            let health = self.connectors.sms_health.clone();
            probes.push(tokio::spawn(probe_every(shutdown.clone(), health, "SMS gateway", move || {
                let gateway = gateway.clone();
                async move { gateway.probe().await }
            })));
        }
        loop {
            if shutdown.is_cancelled() {
                break;
            }
            let delivered_some = self.deliver_due(&kinds, &shutdown).await;
            self.publish_counts().await;
            if delivered_some {
                continue;
            }
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
        for probe in probes {
            probe.abort();
        }
        tracing::info!("outbox worker stopped");
    }

    /// Claims and delivers one batch; `true` if there was anything to do.
    async fn deliver_due(&self, kinds: &[OutboxKind], shutdown: &CancellationToken) -> bool {
        let now = time::OffsetDateTime::now_utc();
        let lease = time::Duration::seconds(i64::try_from(LEASE.as_secs()).unwrap_or(60));
        let rows = match self.store.claim_due(&self.owner, kinds, now, lease, BATCH).await {
            Ok(rows) => rows,
            Err(error) => {
                tracing::warn!(%error, "outbox claim failed");
                return false;
            }
        };
        let any = !rows.is_empty();
        if shutdown.is_cancelled() {
            // Claimed but not started: left to their lease, taken again once it lapses.
            return any;
        }
        futures_util::future::join_all(rows.into_iter().map(|row| deliver::one(self, row))).await;
        any
    }

    async fn publish_counts(&self) {
        if let Ok(counts) = self.store.outbox_counts().await {
            metrics::gauge!("steward_outbox_pending").set(counts.pending as f64);
            metrics::gauge!("steward_outbox_failed").set(counts.failed as f64);
        }
    }

    /// The wait before the retry following `attempts` failed attempts.
    fn backoff_after(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(16);
        self.settings.backoff.saturating_mul(1u32 << doublings).min(MAX_BACKOFF)
    }
}

/// Probes a connector every [`PROBE_EVERY`] and records the outcome for `/readyz`.
async fn probe_every<F, Fut>(shutdown: CancellationToken, health: ConnectorHealth, what: &'static str, probe: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<(), steward_connectors::DeliveryError>>,
{
    loop {
        match probe().await {
            Ok(()) => health.set(ConnectorState::Ok),
            Err(error) => {
                tracing::warn!(%error, connector = what, "probe failed");
                health.set(ConnectorState::Down(error.to_string()));
            }
        }
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(PROBE_EVERY) => {}
        }
    }
}

/// A process-unique suffix for lease owners (two workers in one process never share one).
fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    format!("{nanos:x}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}
