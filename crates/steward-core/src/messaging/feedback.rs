//! User feedback (Astakos' `/feedback`): one mail to `mail.feedback_to` with the user's
//! identity, delivered during the request so the client learns whether it went (0.13
//! answered 502 when SMTP failed). The mail is written to the outbox first, due only
//! later, then sent at once: delivered, it is recorded; refused, the row is abandoned, so
//! a client that retries after a 502 never causes a second mail.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use steward_model::{Account, OutgoingMail};

use crate::{Store, audit, now};

/// The port through which feedback is delivered at once (the binary plugs in SMTP).
pub trait MailNow: Send + Sync {
    /// Sends `mail`; the error says why it did not go.
    fn send<'a>(&'a self, mail: &'a OutgoingMail) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;
}

/// The longest feedback message and client data taken.
pub const MAX_MESSAGE: usize = 16 * 1024;
/// See [`MAX_MESSAGE`].
pub const MAX_DATA: usize = 64 * 1024;
/// Feedback mails one account may send per minute.
pub const PER_MINUTE: u32 = 5;
/// How long the request waits for the SMTP peer.
const SEND_WITHIN: Duration = Duration::from_secs(10);

/// Why feedback was not sent.
#[derive(Debug, thiserror::Error)]
pub enum FeedbackError {
    /// No message, or only blanks.
    #[error("the feedback has no message")]
    Invalid,
    /// The message or the data is longer than Steward takes.
    #[error("the feedback is longer than {MAX_MESSAGE} bytes of message or {MAX_DATA} of data")]
    TooLong,
    /// Too many feedback mails from this account in the last minute.
    #[error("more than {PER_MINUTE} feedback messages in a minute")]
    RateLimited,
    /// The SMTP peer could not be reached or refused.
    #[error("the feedback mail could not be sent: {0}")]
    NotSent(String),
    /// The store failed.
    #[error(transparent)]
    Store(crate::Unavailable),
}

crate::store_failures_are_unavailable!(FeedbackError);

/// The feedback service.
pub struct Feedback {
    store: Store,
    mail: Arc<crate::messaging::mail::Mail>,
    to: Option<steward_model::Email>,
    now: Option<Arc<dyn MailNow>>,
    limiter: crate::identity::rate_limit::LoginLimiter,
}

impl Feedback {
    pub(crate) fn new(store: Store, mail: Arc<crate::messaging::mail::Mail>, to: Option<steward_model::Email>, now: Option<Arc<dyn MailNow>>) -> Self {
        Self { store, mail, to, now, limiter: crate::identity::rate_limit::LoginLimiter::new(PER_MINUTE) }
    }

    /// Mails `message` (and the client's `data`) from `account` to the feedback address.
    #[tracing::instrument(skip_all, fields(account = %account.id.0))]
    pub async fn send(&self, actor: &crate::Actor, account: &Account, message: &str, data: &str) -> Result<(), FeedbackError> {
        if message.trim().is_empty() {
            return Err(FeedbackError::Invalid);
        }
        if message.len() > MAX_MESSAGE || data.len() > MAX_DATA {
            return Err(FeedbackError::TooLong);
        }
        let key = format!("feedback:{}", account.id.0);
        // The login limiter counts what it is told: here, every feedback mail.
        if self.limiter.check(Some(&key), None).is_err() {
            return Err(FeedbackError::RateLimited);
        }
        self.limiter.record_failure(Some(&key), None);
        let (Some(to), Some(sender)) = (self.to.clone(), self.now.as_ref()) else {
            return Err(FeedbackError::NotSent("no SMTP server is configured (mail.smtp_url)".to_owned()));
        };
        let body = format!(
            "Feedback message:\n{message}\n\nUser info:\nID: {}\nUUID: {}\nUsername: {}\nE-mail: {}\n\nUser application data:\n{data}\n",
            account.id.0,
            account.uuid,
            account.login,
            account.email.as_deref().unwrap_or("")
        );
        let new = crate::messaging::mail::NewMail { to: vec![to], subject: "Feedback from Steward".to_owned(), body, reply_to: None, sensitive: false };
        let at = now();
        // Due in a day: the worker leaves it to this request unless the process dies.
        let write = self.store.write().await?;
        let (id, outgoing) = self.mail.hold_in(&write, new, at, at + time::Duration::days(1)).await.map_err(|error| FeedbackError::NotSent(error.to_string()))?;
        write.audit(audit::entry(actor, "feedback.send", &account.login, json!({ "outbox_id": id })), at).await?;
        write.commit().await?;
        let sent = tokio::time::timeout(SEND_WITHIN, sender.send(&outgoing)).await.unwrap_or_else(|_| Err("the SMTP server did not answer in time".to_owned()));
        match sent {
            Ok(()) => {
                self.store.finish_delivered_unleased(id, now()).await?;
                Ok(())
            }
            Err(why) => {
                self.store.abandon(id, now()).await?;
                tracing::warn!(outbox_id = id, %why, "feedback not sent; its outbox row is abandoned");
                Err(FeedbackError::NotSent(why))
            }
        }
    }
}
