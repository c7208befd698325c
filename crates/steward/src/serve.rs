//! The server as an [`Application`]: [`Application::build`] opens and migrates the store,
//! bootstraps the first admin, wires the core to its peers (LDAP, Kamailio, SMTP, the SMS
//! gateway) and binds the listener; [`Application::run_until_stopped`] runs the outbox
//! worker, the Kamailio probe and the listener until its shutdown token is cancelled, then
//! drains them. [`serve`] is `steward serve`: logging, the signals, the exit code.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context;
use metrics_exporter_prometheus::PrometheusHandle;
use secrecy::SecretString;
use steward_connectors::kannel::{DeliveryReports, KannelSender};
use steward_connectors::smstools::SmstoolsSpool;
use steward_connectors::smtp::SmtpMailer;
use steward_core::Core;
use steward_core::identity::accounts::Bootstrap;
use steward_core::sip::KamailioTables;
use steward_http::client::TrustedProxies;
use steward_http::server::{self, FaceRoutes};
use steward_http::state::{AppState, Shared};
use steward_model::health::{ConnectorHealth, ConnectorState, Health};
use steward_model::{Login, Password};
use steward_store::Store;
use steward_worker::{Connectors, SmsGateway, Worker, WorkerSettings};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::settings::{Settings, SmsGatewayKind};

pub use steward_http::server::Stopped;

/// How long the outbox worker may take to finish the delivery it is in after the shutdown:
/// a stuck SMTP conversation is cut short.
const WORKER_DEADLINE: Duration = Duration::from_secs(15);

/// `steward serve`: builds the application from `settings` and the process environment,
/// runs it until SIGTERM or SIGINT; exit 0 when drained in time, 1 when aborted.
pub async fn serve(settings: Settings) -> anyhow::Result<ExitCode> {
    let startup = Startup::from_vars(std::env::vars())?;
    let application = Application::build(settings, startup).await?;
    let shutdown = CancellationToken::new();
    tokio::spawn(wait_for_signal(shutdown.clone()));
    match application.run_until_stopped(shutdown).await? {
        Stopped::Drained => Ok(ExitCode::SUCCESS),
        Stopped::Aborted => Ok(ExitCode::FAILURE),
    }
}

/// What a server takes from its process environment besides the configuration keys (see
/// CONTRACT.md: these variables are not keys). The binary reads them from `std::env`; a
/// test building the application in its own process passes them without touching the
/// environment its parallel tests share.
#[derive(Default)]
pub struct Startup {
    /// `STEWARD_BOOTSTRAP_ADMIN`: the super admin created on a store with no account.
    /// `None` creates `admin` with a random password, printed once on stderr.
    pub bootstrap_admin: Option<(Login, Password)>,
    /// The PEM roots of the file `SSL_CERT_FILE` names, added to the Web PKI's for SMTP and
    /// LDAP over TLS (the usual way to trust a private CA).
    pub extra_roots_pem: Option<Vec<u8>>,
}

impl Startup {
    /// Reads `STEWARD_BOOTSTRAP_ADMIN` (`login:password`) and `SSL_CERT_FILE` from `vars`;
    /// every other variable is ignored.
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> anyhow::Result<Self> {
        let mut startup = Self::default();
        for (name, value) in vars {
            match name.as_str() {
                "STEWARD_BOOTSTRAP_ADMIN" => {
                    let (login, password) =
                        value.split_once(':').context("STEWARD_BOOTSTRAP_ADMIN must be login:password")?;
                    let login = Login::parse(login).context("STEWARD_BOOTSTRAP_ADMIN")?;
                    let password = Password::parse(password.to_owned()).context("STEWARD_BOOTSTRAP_ADMIN")?;
                    startup.bootstrap_admin = Some((login, password));
                }
                "SSL_CERT_FILE" => {
                    let pem = std::fs::read(&value).with_context(|| format!("cannot read SSL_CERT_FILE {value}"))?;
                    startup.extra_roots_pem = Some(pem);
                }
                _ => {}
            }
        }
        Ok(startup)
    }
}

/// A server built and bound, not yet serving. Everything that can fail at start-up (the
/// store, the peers' settings, the bootstrap admin, the port) has failed in
/// [`Application::build`]; [`Application::run_until_stopped`] only serves.
pub struct Application {
    /// Where the listener is bound: `listen`, with the port the system chose for `:0`.
    address: SocketAddr,
    /// Bound in `build`, so a taken port is a start-up error and clients may connect as
    /// soon as `build` returns (they are answered once the application runs).
    listener: TcpListener,
    /// The core, connector health and metrics every route shares.
    state: AppState,
    /// The enabled faces' routes, each under its prefix.
    faces: Vec<FaceRoutes>,
    /// The proxies whose forwarding headers are believed (`security.trusted_proxies`).
    proxies: TrustedProxies,
    /// Delivers the outbox; started with the listener.
    worker: Worker,
    /// Kamailio's tables when Hermes writes to them: probed for `/readyz`.
    kamailio: Option<Arc<dyn KamailioTables>>,
    /// Closed once the listener and the worker stopped.
    store: Store,
}

impl Application {
    /// Opens and migrates the store, creates the bootstrap admin on an empty store, builds
    /// the core with its peers, the outbox worker and the faces, and binds `listen`.
    pub async fn build(settings: Settings, startup: Startup) -> anyhow::Result<Self> {
        // The one TLS stack is rustls on ring (SMTP, LDAP, Kannel over https); installed
        // here too for a process that did not (a test), a no-op where `main` did.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let metrics = prometheus()?;
        register_metrics();
        let store = Store::open_and_migrate(&settings.database_url).await.context("cannot open the store")?;
        let store = crate::data_key::attach(store, &settings).await?;
        let extra_roots = startup.extra_roots_pem;
        let ldap: Arc<dyn steward_core::identity::backends::LdapBinder> =
            Arc::new(crate::ldap::DirectBind { extra_roots_pem: extra_roots.clone() });
        let mail = if settings.mail.smtp_url.is_empty() {
            None
        } else {
            Some(SmtpMailer::from_url(&settings.mail.smtp_url, extra_roots.as_deref()).map_err(|error| anyhow::anyhow!("{error}"))?)
        };
        let kamailio = kamailio_tables(&settings).await?;
        let mail_now = mail.clone().map(|mailer| Arc::new(MailNow(mailer)) as Arc<dyn steward_core::messaging::feedback::MailNow>);
        let tenants = crate::tenants::tenants(&settings)?;
        let host = tenants.clone().map(|tenants| Arc::new(crate::tenants::Host(tenants)) as Arc<dyn steward_core::projects::tenants::TenantHost>);
        let peers = steward_core::Peers { ldap: Some(ldap), kamailio: kamailio.clone(), mail_now, tenants: host };
        let core = Core::with_peers(store.clone(), crate::commands::core_settings(&settings)?, peers);
        bootstrap(&core, startup.bootstrap_admin).await?;

        let sms = sms_gateway(&settings)?;
        let report_key = if settings.sms.gateway == SmsGatewayKind::Kannel && !settings.sms.kannel_dlr_url.is_empty() {
            Some(core.sms_reports.key().await.context("cannot read the delivery report key")?)
        } else {
            None
        };
        let health = Health {
            mail: ConnectorHealth::new(if mail.is_some() { ConnectorState::Unknown } else { ConnectorState::Unconfigured }),
            sms: ConnectorHealth::new(if sms.is_some() { ConnectorState::Unknown } else { ConnectorState::Unconfigured }),
            kamailio: ConnectorHealth::new(if kamailio.is_some() { ConnectorState::Unknown } else { ConnectorState::Unconfigured }),
            ldap: ConnectorHealth::new(ConnectorState::Unconfigured),
        };
        let worker = Worker::new(
            store.clone(),
            Connectors { mail, mail_health: health.mail.clone(), sms, sms_health: health.sms.clone(), report_key, tenants },
            WorkerSettings {
                max_attempts: settings.worker.max_attempts,
                backoff: Duration::from_secs(u64::from(settings.worker.backoff_seconds)),
            },
        );
        let state = AppState::new(Shared { core, health, metrics: Arc::new(metrics) });

        let listener = TcpListener::bind(&settings.listen)
            .await
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        let address = listener.local_addr().context("the listener has no address")?;
        let proxies = TrustedProxies::new(settings.security.trusted_proxies());
        Ok(Self { address, listener, state, faces: faces(&settings), proxies, worker, kamailio, store })
    }

    /// The address the listener is bound to; with `listen = "127.0.0.1:0"`, the port the
    /// system chose.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Serves until `shutdown` is cancelled, then stops accepting, lets in-flight requests
    /// and the worker's current delivery finish, and closes the store. [`Stopped::Aborted`]
    /// when something was still running at its deadline. Cancelling `shutdown` is the only
    /// way in: the signals are [`serve`]'s business.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<Stopped> {
        let Self { address, listener, state, faces, proxies, worker, kamailio, store } = self;
        // A child token: a server that fails stops its own worker, not the caller's token.
        let stop = shutdown.child_token();
        let worker_task = tokio::spawn(worker.run(stop.clone()));
        if let Some(kamailio) = kamailio {
            tokio::spawn(probe_kamailio(kamailio, state.health.kamailio.clone(), stop.clone()));
        }
        tokio::spawn(probe_ldap(state.core.auth.clone(), state.health.ldap.clone(), stop.clone()));
        tracing::info!(%address, "listening");
        let app = server::router(state, faces, proxies);
        let served = server::run(listener, app, stop.clone()).await;
        stop.cancel();
        let worker_done = tokio::time::timeout(WORKER_DEADLINE, worker_task).await.is_ok();
        let _ = store.close().await;
        match served.context("the server failed")? {
            Stopped::Drained if worker_done => {
                tracing::info!("stopped");
                Ok(Stopped::Drained)
            }
            _ => {
                tracing::error!("requests or deliveries were still running at the deadline and were aborted");
                Ok(Stopped::Aborted)
            }
        }
    }
}

/// The process's Prometheus recorder. The `metrics` macros write to one global recorder,
/// so it is installed by the first application built in a process and shared by any later
/// one (tests build several in one process) instead of failing as "already installed".
/// Its upkeep task runs on the first application's runtime.
fn prometheus() -> anyhow::Result<PrometheusHandle> {
    static INSTALLED: Mutex<Option<PrometheusHandle>> = Mutex::new(None);
    let mut installed = INSTALLED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(handle) = installed.as_ref() {
        return Ok(handle.clone());
    }
    let handle = steward_http::metrics::install().map_err(|error| anyhow::anyhow!("metrics: {error}"))?;
    *installed = Some(handle.clone());
    Ok(handle)
}

/// The SMS gateway `sms.gateway` names, built from its keys.
fn sms_gateway(settings: &Settings) -> anyhow::Result<Option<SmsGateway>> {
    let sms = &settings.sms;
    Ok(match sms.gateway {
        SmsGatewayKind::Kannel => {
            let mut kannel = KannelSender::new(
                &sms.kannel_url,
                sms.kannel_user.clone(),
                SecretString::from(sms.kannel_password.clone()),
                sms.sender.clone(),
            )
            .map_err(|error| anyhow::anyhow!("sms: {error}"))?;
            if !sms.kannel_dlr_url.is_empty() {
                // 1 delivered, 2 not delivered, 8 accepted by the SMSC, 16 refused by it.
                let reports = DeliveryReports { mask: 1 | 2 | 8 | 16, url: sms.kannel_dlr_url.clone() };
                kannel = kannel.with_delivery_reports(reports);
            }
            Some(SmsGateway::Kannel(kannel))
        }
        SmsGatewayKind::Smstools => Some(SmsGateway::Smstools(SmstoolsSpool::new(&sms.smstools_outgoing))),
        SmsGatewayKind::None => None,
    })
}

/// SMTP for mail a request delivers itself (Astakos' feedback).
struct MailNow(SmtpMailer);

impl steward_core::messaging::feedback::MailNow for MailNow {
    fn send<'a>(
        &'a self,
        mail: &'a steward_model::OutgoingMail,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send + 'a>> {
        Box::pin(async move { self.0.send(mail).await.map_err(|error| error.to_string()) })
    }
}

/// Reads Kamailio's `domain` table every 10 s, for `/readyz`: Hermes' writes fail while
/// Kamailio's database does not answer.
async fn probe_kamailio(kamailio: Arc<dyn KamailioTables>, health: ConnectorHealth, shutdown: CancellationToken) {
    let Ok(probe) = steward_model::sip::SipDomain::parse("probe.invalid") else {
        return;
    };
    loop {
        match kamailio.serves(&probe).await {
            Ok(_) => health.set(ConnectorState::Ok),
            Err(failure) => {
                tracing::warn!(%failure, "Kamailio's database does not answer");
                health.set(ConnectorState::Down(failure.to_string()));
            }
        }
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(Duration::from_secs(10)) => {}
        }
    }
}

/// Probes the LDAP directory every 10 s once an admin configured one, for `/readyz` (logins
/// of LDAP accounts fail while it does not answer).
async fn probe_ldap(auth: Arc<steward_core::identity::auth::Authenticator>, health: ConnectorHealth, shutdown: CancellationToken) {
    loop {
        match auth.probe_ldap().await {
            None => health.set(ConnectorState::Unconfigured),
            Some(Ok(())) => health.set(ConnectorState::Ok),
            Some(Err(failure)) => {
                tracing::warn!(%failure, "the LDAP directory does not answer");
                health.set(ConnectorState::Down(failure));
            }
        }
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(Duration::from_secs(10)) => {}
        }
    }
}

/// Kamailio's tables, when `faces.hermes.kamailio_database_url` names them.
pub(crate) async fn kamailio_tables(settings: &Settings) -> anyhow::Result<Option<Arc<dyn KamailioTables>>> {
    let url = &settings.faces.hermes.kamailio_database_url;
    if url.is_empty() {
        return Ok(None);
    }
    let db = steward_connectors::kamailio::KamailioDb::connect(url).await.context("faces.hermes.kamailio_database_url")?;
    let domains = settings
        .faces
        .hermes
        .kamailio_domains
        .iter()
        .map(|domain| steward_model::sip::SipDomain::parse(domain))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| anyhow::anyhow!("faces.hermes.kamailio_domains: {error}"))?;
    let added = db.ensure_domains(&domains).await.context("faces.hermes.kamailio_domains")?;
    if added > 0 {
        tracing::info!(added, "domains written to Kamailio's domain table (its domain module sees them after domain.reload)");
    }
    Ok(Some(Arc::new(crate::kamailio::Kamailio { db, keep_clear_text: true })))
}

/// The enabled faces' routes, each under its prefix. A disabled face's paths answer 404.
pub fn faces(settings: &Settings) -> Vec<FaceRoutes> {
    let mut faces = Vec::new();
    let janua = &settings.faces.janua;
    if janua.enabled {
        faces.push(face_janua::face(&janua.prefix, &settings.public_url));
    }
    let drofus = &settings.faces.drofus;
    if drofus.enabled {
        faces.push(face_drofus::face(&drofus.prefix));
    }
    let hermes = &settings.faces.hermes;
    if hermes.enabled {
        let trusted_networks = settings.security.trusted_networks();
        faces.push(face_hermes::face(face_hermes::HermesSettings { prefix: hermes.prefix.clone(), trusted_networks }));
    }
    let adjutant = &settings.faces.adjutant;
    if adjutant.enabled {
        faces.push(face_adjutant::face(&adjutant.prefix, &settings.public_url));
    }
    let astakos = &settings.faces.astakos;
    if astakos.enabled {
        faces.push(face_astakos::face(&astakos.prefix));
    }
    faces
}

/// Creates the super admin on an empty store (see CONTRACT.md): `configured`, or `admin`
/// with a random password printed on stderr.
async fn bootstrap(core: &Core, configured: Option<(Login, Password)>) -> anyhow::Result<()> {
    match core.accounts.bootstrap(configured).await? {
        Bootstrap::NotNeeded => {}
        Bootstrap::Created(account) => tracing::info!(login = %account.login, "created the bootstrap admin"),
        Bootstrap::CreatedWithRandomPassword(account, password) => {
            // Printed whatever the log settings: the operator's only chance to see it.
            let _ = writeln!(
                std::io::stderr(),
                "steward: created account {} with password {}",
                account.login,
                password.expose()
            );
        }
    }
    Ok(())
}

async fn wait_for_signal(shutdown: CancellationToken) {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: draining in-flight requests");
    shutdown.cancel();
}

/// Logs to stderr for every command alike: `RUST_LOG` (default `info`), JSON lines with
/// `STEWARD_LOG_FORMAT=json`, colours only on a terminal.
pub(crate) fn init_logging() -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new("info"))
        .map_err(|error| anyhow::anyhow!("RUST_LOG: {error}"))?;
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    let result = if std::env::var("STEWARD_LOG_FORMAT").is_ok_and(|format| format == "json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    result.map_err(|error| anyhow::anyhow!("logging: {error}"))
}

/// Registers every contract metric at zero so `/metrics` lists them before the first event.
fn register_metrics() {
    metrics::gauge!("steward_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    metrics::gauge!("steward_outbox_pending").set(0.0);
    metrics::gauge!("steward_outbox_failed").set(0.0);
    metrics::counter!("steward_outbox_delivered_total", "kind" => "mail").absolute(0);
    for reason in ["password", "rate_limited", "disabled", "unknown_token", "expired", "revoked"] {
        metrics::counter!("steward_login_failures_total", "reason" => reason).absolute(0);
    }
}
