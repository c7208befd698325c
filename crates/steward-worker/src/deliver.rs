//! Delivering one row and recording the outcome.

use steward_connectors::DeliveryError;
use steward_model::health::ConnectorState;
use steward_connectors::OutgoingSms;
use steward_model::projects::{TenantJob, TenantStatus};
use steward_model::{OutboxKind, OutboxRow, OutgoingMail, QueuedSms};
use steward_store::messaging::sms_log;

use crate::Worker;

/// What one delivery attempt came to.
enum Outcome {
    /// Done; keep this payload (a secret-bearing body erased).
    Delivered(serde_json::Value),
    /// Progress made, more to do: due again at once, no attempt counted.
    Unfinished,
}

/// Delivers `row` and records success, progress, a retry, or a failure for good.
pub(crate) async fn one(worker: &Worker, row: OutboxRow) {
    let outcome = match row.kind {
        OutboxKind::Mail => mail(worker, &row).await.map(Outcome::Delivered),
        OutboxKind::Sms => sms(worker, &row).await,
        OutboxKind::Tenant => tenant(worker, &row).await.map(Outcome::Delivered),
    };
    let now = time::OffsetDateTime::now_utc();
    let recorded = match outcome {
        Ok(Outcome::Delivered(kept)) => {
            metrics::counter!("steward_outbox_delivered_total", "kind" => row.kind.as_str()).increment(1);
            let erased = kept != row.payload;
            let recorded = worker.store.finish_delivered(row.id, &worker.owner, &kept, now).await;
            if erased
                && recorded.is_ok()
                && let Err(error) = worker.store.checkpoint().await
            {
                tracing::warn!(%error, "WAL checkpoint after erasing a delivered secret failed");
            }
            recorded
        }
        Ok(Outcome::Unfinished) => worker.store.release_unfinished(row.id, &worker.owner, now).await,
        Err(error) => {
            let attempts = u32::try_from(row.attempts).unwrap_or(0).saturating_add(1);
            let give_up = matches!(error, DeliveryError::Permanent(_)) || attempts >= worker.settings.max_attempts;
            let retry_at = if give_up {
                tracing::error!(id = row.id, kind = row.kind.as_str(), attempts, %error, "delivery failed for good");
                None
            } else {
                let wait = worker.backoff_after(attempts);
                tracing::warn!(id = row.id, kind = row.kind.as_str(), attempts, retry_in_s = wait.as_secs(), %error, "delivery failed; will retry");
                Some(now + wait)
            };
            if give_up {
                give_up_sms(worker, &row).await;
                give_up_tenant(worker, &row, &error).await;
            }
            worker.store.finish_failed_attempt(row.id, &worker.owner, &error.to_string(), retry_at, now).await
        }
    };
    if let Err(error) = recorded {
        // The lease will lapse and the row be tried again: a duplicate, never a loss.
        tracing::error!(id = row.id, %error, "could not record a delivery outcome");
    }
}

/// Sends a mail; returns the payload to keep (the body erased if it carried a secret).
async fn mail(worker: &Worker, row: &OutboxRow) -> Result<serde_json::Value, DeliveryError> {
    let Some(mailer) = &worker.connectors.mail else {
        return Err(DeliveryError::Transient("mail is not configured".to_owned()));
    };
    let mail: OutgoingMail = serde_json::from_value(row.payload.clone())
        .map_err(|error| DeliveryError::Permanent(format!("unreadable mail payload: {error}")))?;
    match mailer.send(&mail).await {
        Ok(()) => {
            worker.connectors.mail_health.set(ConnectorState::Ok);
            tracing::info!(id = row.id, message_id = %mail.message_id, "mail delivered");
            if mail.sensitive {
                let erased = OutgoingMail { body: String::new(), ..mail };
                serde_json::to_value(&erased).map_err(|error| DeliveryError::Permanent(error.to_string()))
            } else {
                Ok(row.payload.clone())
            }
        }
        Err(error) => {
            if matches!(error, DeliveryError::Transient(_)) {
                worker.connectors.mail_health.set(ConnectorState::Down(error.to_string()));
            }
            Err(error)
        }
    }
}

/// How long an SMS row may keep starting sends after it was claimed. Each send is bounded
/// at 20 s by its connector, so the row is handed back well inside its 30 s lease.
const SMS_BUDGET: std::time::Duration = std::time::Duration::from_secs(8);

/// Sends the SMS of one outbox row that are still queued, one after another, recording each
/// in its log row as it goes; a retry or a resumed row starts where this one stopped.
async fn sms(worker: &Worker, row: &OutboxRow) -> Result<Outcome, DeliveryError> {
    let Some(gateway) = &worker.connectors.sms else {
        return Err(DeliveryError::Transient("no SMS gateway is configured".to_owned()));
    };
    let queued: QueuedSms = serde_json::from_value(row.payload.clone())
        .map_err(|error| DeliveryError::Permanent(format!("unreadable SMS payload: {error}")))?;
    let pending = worker
        .store
        .pending_sms(&queued.log_ids)
        .await
        .map_err(|error| DeliveryError::Transient(format!("could not read the SMS log: {error}")))?;
    let started = std::time::Instant::now();
    for sms in pending {
        if started.elapsed() > SMS_BUDGET {
            return Ok(Outcome::Unfinished);
        }
        let report_reference = worker.connectors.report_key.as_ref().map(|key| key.sign(sms.log_id));
        let outgoing = OutgoingSms { to: sms.to, text: sms.text, report_reference };
        let status = match gateway.send(&outgoing).await {
            Ok(()) => {
                worker.connectors.sms_health.set(ConnectorState::Ok);
                metrics::counter!("steward_sms_sent_total").increment(1);
                sms_log::status::SENT
            }
            // This recipient only (a number the gateway refuses): the others still go.
            Err(DeliveryError::Permanent(why)) => {
                tracing::error!(id = row.id, log_id = sms.log_id, %why, "SMS refused by the gateway");
                sms_log::status::FAILED
            }
            Err(error) => {
                worker.connectors.sms_health.set(ConnectorState::Down(error.to_string()));
                return Err(error);
            }
        };
        let now = time::OffsetDateTime::now_utc();
        if let Err(error) = worker.store.set_sms_status(sms.log_id, status, now).await {
            // Unrecorded, this SMS would be sent again by the retry: stop here instead.
            return Err(DeliveryError::Transient(format!("could not record SMS {}: {error}", sms.log_id)));
        }
    }
    tracing::info!(id = row.id, recipients = queued.log_ids.len(), "SMS handed to the gateway");
    Ok(Outcome::Delivered(row.payload.clone()))
}

/// Marks the SMS of a row given up for good as failed in their log rows.
async fn give_up_sms(worker: &Worker, row: &OutboxRow) {
    if row.kind != OutboxKind::Sms {
        return;
    }
    let Ok(queued) = serde_json::from_value::<QueuedSms>(row.payload.clone()) else {
        return;
    };
    if let Err(error) = worker.store.fail_queued_sms(&queued.log_ids).await {
        tracing::error!(id = row.id, %error, "could not update the SMS log");
    }
}

/// Does one piece of tenant work: a clone (then the database is ready) or a removal.
async fn tenant(worker: &Worker, row: &OutboxRow) -> Result<serde_json::Value, DeliveryError> {
    let Some(tenants) = &worker.connectors.tenants else {
        return Err(DeliveryError::Transient("tenant databases are not configured".to_owned()));
    };
    let job: TenantJob = serde_json::from_value(row.payload.clone())
        .map_err(|error| DeliveryError::Permanent(format!("unreadable tenant job: {error}")))?;
    match &job {
        TenantJob::Clone(clone) => {
            let started = std::time::Instant::now();
            tenants.clone_template(&clone.template, &clone.name).await?;
            let now = time::OffsetDateTime::now_utc();
            worker
                .store
                .record_tenant_status(clone.database_id, TenantStatus::Ready, None, now)
                .await
                .map_err(|error| DeliveryError::Transient(format!("could not mark {} ready: {error}", clone.name)))?;
            let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            tracing::info!(id = row.id, database = %clone.name, template = %clone.template, millis, "tenant database cloned");
        }
        TenantJob::Drop { name, .. } => {
            tenants.remove(name).await?;
            tracing::info!(id = row.id, database = %name, "tenant database removed");
        }
    }
    Ok(row.payload.clone())
}

/// Marks the database of a clone given up for good as failed, with the reason.
async fn give_up_tenant(worker: &Worker, row: &OutboxRow, error: &DeliveryError) {
    if row.kind != OutboxKind::Tenant {
        return;
    }
    let Ok(TenantJob::Clone(clone)) = serde_json::from_value::<TenantJob>(row.payload.clone()) else {
        return;
    };
    let now = time::OffsetDateTime::now_utc();
    if let Err(store_error) = worker.store.record_tenant_status(clone.database_id, TenantStatus::Failed, Some(error.to_string()), now).await {
        tracing::error!(id = row.id, error = %store_error, "could not mark the tenant database failed");
    }
}
