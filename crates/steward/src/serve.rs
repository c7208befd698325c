//! `steward serve`: opens and migrates the store, bootstraps the first admin, starts the
//! outbox worker and the listener, and drains both on SIGTERM or SIGINT.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use steward_connectors::smtp::SmtpMailer;
use steward_core::Core;
use steward_core::identity::accounts::Bootstrap;
use steward_http::state::{AppState, Shared};
use steward_http::server::{self, Stopped};
use steward_model::health::{ConnectorHealth, ConnectorState, Health};
use steward_model::{Login, Password};
use steward_store::Store;
use secrecy::SecretString;
use steward_connectors::kannel::{DeliveryReports, KannelSender};
use steward_connectors::smstools::SmstoolsSpool;
use steward_worker::{Connectors, SmsGateway, Worker, WorkerSettings};
use tokio_util::sync::CancellationToken;

use crate::settings::Settings;

/// Runs the server until a signal; exit 0 when drained in time, 1 when aborted.
pub async fn serve(settings: Settings) -> anyhow::Result<ExitCode> {
    init_logging()?;
    let metrics = steward_http::metrics::install().map_err(|error| anyhow::anyhow!("metrics: {error}"))?;
    register_metrics();
    let store = Store::open_and_migrate(&settings.database_url).await.context("cannot open the store")?;
    let extra_roots = match std::env::var_os("SSL_CERT_FILE") {
        Some(path) => Some(std::fs::read(&path).with_context(|| format!("cannot read SSL_CERT_FILE {}", path.to_string_lossy()))?),
        None => None,
    };
    let ldap: Arc<dyn steward_core::identity::backends::LdapBinder> =
        Arc::new(crate::ldap::DirectBind { extra_roots_pem: extra_roots.clone() });
    let mail = if settings.mail.smtp_url.is_empty() {
        None
    } else {
        // SSL_CERT_FILE, the usual variable for a private CA, adds roots to the Web PKI's.
        Some(SmtpMailer::from_url(&settings.mail.smtp_url, extra_roots.as_deref()).map_err(|error| anyhow::anyhow!("{error}"))?)
    };
    let kamailio = kamailio_tables(&settings).await?;
    let mail_now = mail.clone().map(|mailer| Arc::new(MailNow(mailer)) as Arc<dyn steward_core::messaging::feedback::MailNow>);
    let peers = steward_core::Peers { ldap: Some(ldap), kamailio: kamailio.clone(), mail_now };
    let core = Core::with_peers(store.clone(), crate::commands::core_settings(&settings)?, peers);
    bootstrap(&core).await?;

    let sms = sms_gateway(&settings)?;
    let report_key = if settings.sms.gateway == "kannel" && !settings.sms.kannel_dlr_url.is_empty() {
        Some(core.sms_reports.key().await.context("cannot read the delivery report key")?)
    } else {
        None
    };
    let health = Health {
        mail: ConnectorHealth::new(if mail.is_some() { ConnectorState::Unknown } else { ConnectorState::Unconfigured }),
        sms: ConnectorHealth::new(if sms.is_some() { ConnectorState::Unknown } else { ConnectorState::Unconfigured }),
        kamailio: ConnectorHealth::new(if kamailio.is_some() { ConnectorState::Unknown } else { ConnectorState::Unconfigured }),
    };
    let worker = Worker::new(
        store.clone(),
        Connectors { mail, mail_health: health.mail.clone(), sms, sms_health: health.sms.clone(), report_key },
        WorkerSettings {
            max_attempts: settings.worker.max_attempts,
            backoff: Duration::from_secs(u64::from(settings.worker.backoff_seconds)),
        },
    );
    let state = AppState::new(Shared { core, health, metrics: Arc::new(metrics) });
    let shutdown = CancellationToken::new();
    let worker_task = tokio::spawn(worker.run(shutdown.clone()));
    if let Some(kamailio) = kamailio {
        tokio::spawn(probe_kamailio(kamailio, state.health.kamailio.clone(), shutdown.clone()));
    }

    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let address = listener.local_addr().context("the listener has no address")?;
    tracing::info!(%address, "listening");

    tokio::spawn(wait_for_signal(shutdown.clone()));
    let proxies = steward_http::client::TrustedProxies::new(settings.security.trusted_proxies());
    let app = server::router(state, faces(&settings), proxies);
    let stopped = server::run(listener, app, shutdown.clone()).await.context("the server failed")?;
    shutdown.cancel();
    // The worker finishes the delivery it is in; a stuck SMTP conversation is cut short.
    let worker_done = tokio::time::timeout(Duration::from_secs(15), worker_task).await.is_ok();
    let _ = store.close().await;
    match stopped {
        Stopped::Drained if worker_done => {
            tracing::info!("stopped");
            Ok(ExitCode::SUCCESS)
        }
        _ => {
            tracing::error!("requests or deliveries were still running at the deadline and were aborted");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The SMS gateway `sms.gateway` names, built from its keys.
fn sms_gateway(settings: &Settings) -> anyhow::Result<Option<SmsGateway>> {
    let sms = &settings.sms;
    Ok(match sms.gateway.as_str() {
        "kannel" => {
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
        "smstools" => Some(SmsGateway::Smstools(SmstoolsSpool::new(&sms.smstools_outgoing))),
        _ => None,
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
async fn probe_kamailio(kamailio: Arc<dyn steward_core::sip::KamailioTables>, health: ConnectorHealth, shutdown: CancellationToken) {
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

/// Kamailio's tables, when `faces.hermes.kamailio_database_url` names them.
pub(crate) async fn kamailio_tables(settings: &Settings) -> anyhow::Result<Option<Arc<dyn steward_core::sip::KamailioTables>>> {
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
fn faces(settings: &Settings) -> Vec<server::FaceRoutes> {
    let mut faces = Vec::new();
    let janua = &settings.faces.janua;
    if janua.enabled {
        faces.push(server::FaceRoutes { face: "janua", router: face_janua::router(&janua.prefix) });
    }
    let hermes = &settings.faces.hermes;
    if hermes.enabled {
        let trusted_networks = settings.security.trusted_networks();
        let router = face_hermes::router(face_hermes::HermesSettings { prefix: hermes.prefix.clone(), trusted_networks });
        faces.push(server::FaceRoutes { face: "hermes", router });
    }
    let astakos = &settings.faces.astakos;
    if astakos.enabled {
        faces.push(server::FaceRoutes { face: "astakos", router: face_astakos::router(&astakos.prefix) });
    }
    faces
}

/// Creates the super admin on an empty store (see CONTRACT.md).
async fn bootstrap(core: &Core) -> anyhow::Result<()> {
    let configured = match std::env::var("STEWARD_BOOTSTRAP_ADMIN") {
        Ok(spec) => {
            let (login, password) =
                spec.split_once(':').context("STEWARD_BOOTSTRAP_ADMIN must be login:password")?;
            let login = Login::parse(login).context("STEWARD_BOOTSTRAP_ADMIN")?;
            let password = Password::parse(password.to_owned()).context("STEWARD_BOOTSTRAP_ADMIN")?;
            Some((login, password))
        }
        Err(_) => None,
    };
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

fn init_logging() -> anyhow::Result<()> {
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
    metrics::gauge!("steward_outbox_pending").set(0.0);
    metrics::gauge!("steward_outbox_failed").set(0.0);
    metrics::counter!("steward_outbox_delivered_total", "kind" => "mail").absolute(0);
    for reason in ["password", "rate_limited", "disabled", "unknown_token", "expired", "revoked"] {
        metrics::counter!("steward_login_failures_total", "reason" => reason).absolute(0);
    }
}
