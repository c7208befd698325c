//! Mail: queued in the outbox with its cause, delivered later by the worker over SMTP.

use serde_json::json;
use steward_model::{Email, OutboxKind, OutgoingMail};
use steward_store::WriteTx;
use time::OffsetDateTime;

use crate::{AdminCapability, Store, audit, now};

/// What went wrong queueing a mail.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The mail is not sendable (no recipient, empty subject…).
    #[error("{0}")]
    Invalid(String),
    /// The store failed.
    #[error(transparent)]
    Store(crate::Unavailable),
}

crate::store_failures_are_unavailable!(MailError);

/// A mail to queue, already parsed.
#[derive(Debug, Clone)]
pub struct NewMail {
    /// Recipients (at least one).
    pub to: Vec<Email>,
    /// Subject line (one line, not empty).
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// Where replies go, if not to `From`.
    pub reply_to: Option<Email>,
    /// Erase the body once delivered (it carries a secret).
    pub sensitive: bool,
}

/// The mail service.
pub struct Mail {
    store: Store,
    from: String,
    domain: String,
    templates: crate::messaging::templates::MailTemplates,
}

impl Mail {
    pub(crate) fn new(store: Store, from: String, domain: String, templates: crate::messaging::templates::MailTemplates) -> Self {
        Self { store, from, domain, templates }
    }

    /// Renders a mail template (the operator's, else the built-in).
    pub async fn render(
        &self,
        name: &str,
        language: crate::messaging::templates::Language,
        arguments: &std::collections::BTreeMap<String, String>,
    ) -> Result<crate::messaging::templates::Rendered, crate::messaging::templates::TemplateError> {
        self.templates.render(name, language, arguments).await
    }

    /// The configured `From:`.
    pub fn from_address(&self) -> &str {
        &self.from
    }

    /// Checks a mail and gives it its Message-ID for life.
    fn prepare(&self, mail: NewMail) -> Result<OutgoingMail, MailError> {
        if mail.to.is_empty() {
            return Err(MailError::Invalid("a mail needs at least one recipient".to_owned()));
        }
        if mail.subject.trim().is_empty() || mail.subject.contains(['\r', '\n']) {
            return Err(MailError::Invalid("the subject must be one non-empty line".to_owned()));
        }
        Ok(OutgoingMail {
            message_id: format!("<{}@{}>", uuid::Uuid::now_v7(), self.domain),
            from: self.from.clone(),
            to: mail.to.iter().map(|to| to.as_str().to_owned()).collect(),
            subject: mail.subject,
            body: mail.body,
            reply_to: mail.reply_to.map(|address| address.as_str().to_owned()),
            sensitive: mail.sensitive,
        })
    }

    /// Queues `mail` inside another change's transaction (the change and its mail commit
    /// together). Returns the outbox id.
    pub async fn queue_in(&self, write: &WriteTx, mail: NewMail, at: OffsetDateTime) -> Result<(i64, String), MailError> {
        let outgoing = self.prepare(mail)?;
        let payload = serde_json::to_value(&outgoing).map_err(|error| MailError::Invalid(error.to_string()))?;
        let id = write.enqueue(OutboxKind::Mail, &payload, at).await?;
        Ok((id, outgoing.message_id))
    }

    /// Queues `mail` for the worker only from `due` on (the caller sends it itself first);
    /// returns its outbox id and the mail as it will go.
    pub async fn hold_in(&self, write: &WriteTx, mail: NewMail, at: OffsetDateTime, due: OffsetDateTime) -> Result<(i64, OutgoingMail), MailError> {
        let outgoing = self.prepare(mail)?;
        let payload = serde_json::to_value(&outgoing).map_err(|error| MailError::Invalid(error.to_string()))?;
        let id = write.enqueue_due(OutboxKind::Mail, &payload, at, due).await?;
        Ok((id, outgoing))
    }

    /// Queues one mail on an admin's behalf, audited; returns its outbox id and Message-ID.
    #[tracing::instrument(skip_all, fields(recipients = mail.to.len()))]
    pub async fn send(&self, capability: AdminCapability<'_>, mail: NewMail) -> Result<(i64, String), MailError> {
        let at = now();
        let recipients: Vec<String> = mail.to.iter().map(|to| to.as_str().to_owned()).collect();
        let write = self.store.write().await?;
        let (id, message_id) = self.queue_in(&write, mail, at).await?;
        write
            .audit(
                audit::entry(
                    capability.actor(),
                    "mail.send",
                    &recipients.join(","),
                    json!({ "outbox_id": id, "message_id": message_id }),
                ),
                at,
            )
            .await?;
        write.commit().await?;
        Ok((id, message_id))
    }
}
