//! Delivering one row and recording the outcome.

use steward_connectors::DeliveryError;
use steward_model::health::ConnectorState;
use steward_connectors::OutgoingSms;
use steward_model::{OutboxKind, OutboxRow, OutgoingMail, QueuedSms};
use steward_store::sms_log;

use crate::Worker;

/// Delivers `row` and records success, a retry, or a failure for good.
pub(crate) async fn one(worker: &Worker, row: OutboxRow) {
    let outcome = match row.kind {
        OutboxKind::Mail => mail(worker, &row).await,
        OutboxKind::Sms => sms(worker, &row).await,
    };
    let now = time::OffsetDateTime::now_utc();
    let recorded = match outcome {
        Ok(kept) => {
            metrics::counter!("steward_outbox_delivered_total", "kind" => row.kind.as_str()).increment(1);
            follow_sms_log(worker, &row, sms_log::status::SENT, now).await;
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
                follow_sms_log(worker, &row, sms_log::status::FAILED, now).await;
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

/// Sends an SMS through the gateway.
async fn sms(worker: &Worker, row: &OutboxRow) -> Result<serde_json::Value, DeliveryError> {
    let Some(gateway) = &worker.connectors.sms else {
        return Err(DeliveryError::Transient("no SMS gateway is configured".to_owned()));
    };
    let queued: QueuedSms = serde_json::from_value(row.payload.clone())
        .map_err(|error| DeliveryError::Permanent(format!("unreadable SMS payload: {error}")))?;
    let outgoing = OutgoingSms { to: queued.to.clone(), text: queued.text.clone() };
    match gateway.send(&outgoing).await {
        Ok(()) => {
            worker.connectors.sms_health.set(ConnectorState::Ok);
            tracing::info!(id = row.id, "SMS handed to the gateway");
            Ok(row.payload.clone())
        }
        Err(error) => {
            if matches!(error, DeliveryError::Transient(_)) {
                worker.connectors.sms_health.set(ConnectorState::Down(error.to_string()));
            }
            Err(error)
        }
    }
}

/// Moves the SMS log row of an SMS delivery to `status` (sent, or failed for good).
async fn follow_sms_log(worker: &Worker, row: &OutboxRow, status: i32, at: time::OffsetDateTime) {
    if row.kind != OutboxKind::Sms {
        return;
    }
    let Ok(QueuedSms { log_id: Some(log_id), .. }) = serde_json::from_value::<QueuedSms>(row.payload.clone()) else {
        return;
    };
    if let Err(error) = worker.store.set_sms_status(log_id, status, at).await {
        tracing::error!(id = row.id, %error, "could not update the SMS log");
    }
}
