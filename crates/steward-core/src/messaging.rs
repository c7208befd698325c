//! Janua's SMS sending: resolving a `to` list into recipients within the caller's rights,
//! checking the quota, and queuing one SMS per recipient — each with its log row and its
//! outbox row, in one transaction.

use std::collections::HashSet;

use serde_json::json;
use steward_model::sms::{Recipients, SmsText};
use steward_model::{Account, OutboxKind, QueuedSms};
use steward_store::sms_log::NewSmsLog;

use crate::sms::{Sms, SmsError};
use crate::{Actor, Store, StoreError, audit, now};

/// Why an SMS was not queued; the texts are Janua's.
#[derive(Debug, thiserror::Error)]
pub enum SendSmsError {
    /// An empty `to` (or message).
    #[error("No recipients and/or message")]
    Empty,
    /// The caller, filtered, owns no contact and no group.
    #[error("No recipient was found in database for your account")]
    NoDirectory,
    /// A group that is not the caller's.
    #[error("Group {0} is invalid")]
    InvalidGroup(String),
    /// A number outside `sms.prefix_filter`.
    #[error("Number {0} doesn't have a valid prefix")]
    BadPrefix(String),
    /// A number that is not one of the caller's contacts (filtered callers).
    #[error("Number {0} is invalid")]
    InvalidNumber(String),
    /// Nothing to send to (e.g. an empty group).
    #[error("No recipients was found in database to send SMS to {0}")]
    NoRecipients(String),
    /// An address that is not one of the caller's contacts' (filtered callers).
    #[error("Mail {0} is invalid")]
    InvalidMail(String),
    /// For mail, a number must be a contact's, filtered or not.
    #[error("Number {0} is not in your contact list")]
    NotAContact(String),
    /// Nothing to mail to.
    #[error("No recipients was found to send email")]
    NoMailRecipients,
    /// The template cannot be rendered with the given arguments.
    #[error(transparent)]
    Template(#[from] crate::mail_templates::TemplateError),
    /// The mail is not sendable.
    #[error("{0}")]
    Mail(String),
    /// Sending would pass the caller's quota.
    #[error("SMS quota reached ({limit} per {noun})")]
    QuotaReached {
        /// The quota's limit.
        limit: u64,
        /// Its window: day, week, month, year.
        noun: &'static str,
    },
    /// The accounting could not be read.
    #[error(transparent)]
    Accounting(#[from] SmsError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One resolved recipient.
#[derive(Debug, Clone)]
struct Recipient {
    name: String,
    phone: String,
    email: String,
}

/// Which channel a `to` list is resolved for: the rules differ a little.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel {
    Sms,
    Mail,
}

/// What `/sendmail` sends: a template with its arguments, or a subject and a text.
#[derive(Debug, Clone)]
pub enum MailContent {
    /// A named template (Janua's `template` + `template_args`).
    Template {
        /// Its name.
        name: String,
        /// Its placeholders' values.
        arguments: std::collections::BTreeMap<String, String>,
        /// Its language.
        language: crate::mail_templates::Language,
    },
    /// A plain mail.
    Text {
        /// Subject line.
        subject: String,
        /// Body.
        body: String,
    },
}

/// The SMS-sending service.
pub struct Messaging {
    store: Store,
    prefix_filter: crate::prefix_filter::PrefixFilter,
}

impl Messaging {
    pub(crate) fn new(store: Store, prefix_filter: crate::prefix_filter::PrefixFilter) -> Self {
        Self { store, prefix_filter }
    }

    /// Resolves `to` for `caller` as Janua's `/sendsms` and `/sendmail` do (janua.md §3
    /// W6, W7).
    async fn resolve(&self, caller: &Account, to: &str, channel: Channel) -> Result<Vec<Recipient>, SendSmsError> {
        let recipients = Recipients::parse(to);
        if recipients.is_empty() {
            return Err(SendSmsError::Empty);
        }
        let filtered = self.store.recipient_filter(caller.id).await?;
        let contacts = self.store.contacts_of(caller.id).await?;
        let groups = self.store.groups_of(caller.id).await?;
        if filtered && contacts.is_empty() && groups.is_empty() {
            return Err(SendSmsError::NoDirectory);
        }
        let mut wanted_groups = Vec::new();
        for name in recipients.groups() {
            match groups.iter().find(|group| &group.name == name) {
                Some(group) => wanted_groups.push(group.id),
                None => return Err(SendSmsError::InvalidGroup(name.clone())),
            }
        }
        let mut resolved = Vec::new();
        let of_contact = |contact: &steward_model::directory::Contact| Recipient {
            name: contact.fullname(),
            phone: contact.phone_number.clone(),
            email: contact.email.clone(),
        };
        if recipients.includes_all() {
            resolved.extend(contacts.iter().map(of_contact));
        } else {
            for number in recipients.numbers() {
                if !self.prefix_filter.allows(number) {
                    return Err(SendSmsError::BadPrefix(number.clone()));
                }
                let contact = contacts.iter().find(|contact| &contact.phone_number == number);
                match (channel, contact) {
                    (Channel::Mail, None) => return Err(SendSmsError::NotAContact(number.clone())),
                    (Channel::Sms, None) if filtered => return Err(SendSmsError::InvalidNumber(number.clone())),
                    _ => {}
                }
                let admin = self.store.account_by_phone(number).await?.map(|found| found.account);
                let name = match (admin, contact) {
                    (Some(admin), _) => admin.name,
                    (None, Some(contact)) => contact.fullname(),
                    (None, None) => number.clone(),
                };
                let email = contact.map(|contact| contact.email.clone()).unwrap_or_default();
                resolved.push(Recipient { name, phone: number.clone(), email });
            }
            if channel == Channel::Mail {
                for address in recipients.emails() {
                    let contact = contacts.iter().find(|contact| &contact.email == address);
                    match contact {
                        Some(contact) => resolved.push(of_contact(contact)),
                        None if filtered => return Err(SendSmsError::InvalidMail(address.clone())),
                        None => resolved.push(Recipient { name: address.clone(), phone: String::new(), email: address.clone() }),
                    }
                }
            }
            let members = self.store.contacts_of_groups(&wanted_groups).await?;
            for group in &wanted_groups {
                resolved.extend(members.get(group).into_iter().flatten().map(of_contact));
            }
        }
        // One message per person, bare number or address.
        let mut seen = HashSet::new();
        resolved.retain(|recipient| match channel {
            Channel::Sms => seen.insert(recipient.phone.clone()),
            Channel::Mail => seen.insert(recipient.email.clone()),
        });
        Ok(resolved)
    }

    /// Queues `text` to every recipient `to` resolves to, after checking the caller's quota
    /// (usage + parts × recipients must stay within it). Returns how many were queued.
    pub async fn send_sms(
        &self,
        accounting: &Sms,
        mail: &crate::mail::Mail,
        actor: &Actor,
        caller: &Account,
        text: &SmsText,
        to: &str,
    ) -> Result<usize, SendSmsError> {
        let recipients = self.resolve(caller, to, Channel::Sms).await?;
        if recipients.is_empty() {
            return Err(SendSmsError::NoRecipients(to.to_owned()));
        }
        let parts = text.parts();
        let needed = u64::from(parts).saturating_mul(u64::try_from(recipients.len()).unwrap_or(u64::MAX));
        let quota = accounting.quota_of(caller.id).await?;
        let window = accounting.current_window(&quota)?;
        let at = now();
        let write = self.store.write().await?;
        // Checked inside the transaction, holding the sender's row: two requests at once
        // cannot both pass a quota that only one fits in.
        write.lock_account(caller.id).await?;
        let used = write.sms_parts(Some(caller.id), window.start(), window.end()).await?;
        if !quota.allows(used, needed) {
            drop(write);
            self.tell_quota_reached(mail, caller, &quota, window.start()).await;
            return Err(SendSmsError::QuotaReached { limit: quota.limit(), noun: quota.window().noun() });
        }
        let logs: Vec<NewSmsLog> = recipients
            .iter()
            .map(|recipient| NewSmsLog {
                sender: caller.name.clone(),
                recipient: recipient.name.clone(),
                recipient_phone_number: recipient.phone.clone(),
                raw_message: text.as_str().to_owned(),
                number_of_slices: parts,
                admin_id: caller.id,
            })
            .collect();
        // Multi-row statements: a 10 000-member group is a few dozen statements.
        let ids = write.insert_sms_logs(&logs, at).await?;
        let payloads = ids
            .into_iter()
            .map(|(log_id, phone)| {
                serde_json::to_value(QueuedSms { to: phone, text: text.as_str().to_owned(), log_id: Some(log_id) })
                    .map_err(|error| StoreError::Corrupt(error.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        write.enqueue_many(OutboxKind::Sms, &payloads, at).await?;
        write
            .audit(
                audit::entry(actor, "sms.send", to, json!({ "recipients": recipients.len(), "parts": parts })),
                at,
            )
            .await?;
        write.commit().await?;
        Ok(recipients.len())
    }
}

impl Messaging {
    /// Queues one mail per recipient `to` resolves to (`To:` that recipient, `Reply-To:`
    /// the caller), after rendering the template: an unknown template or a missing
    /// argument queues nothing. Returns how many were queued.
    pub async fn send_mail(
        &self,
        mail: &crate::mail::Mail,
        actor: &Actor,
        caller: &Account,
        content: MailContent,
        to: &str,
    ) -> Result<usize, SendSmsError> {
        let (subject, body) = match &content {
            MailContent::Template { name, arguments, language } => {
                let rendered = crate::mail_templates::render(name, *language, arguments)?;
                (rendered.subject, rendered.body)
            }
            MailContent::Text { subject, body } => (subject.clone(), body.clone()),
        };
        let recipients = self.resolve(caller, to, Channel::Mail).await?;
        let addresses: Vec<steward_model::Email> = recipients
            .iter()
            .filter_map(|recipient| steward_model::Email::parse(&recipient.email).ok())
            .collect();
        if addresses.is_empty() {
            return Err(SendSmsError::NoMailRecipients);
        }
        let reply_to = caller.email.as_deref().and_then(|email| steward_model::Email::parse(email).ok());
        let at = now();
        let write = self.store.write().await?;
        for address in &addresses {
            let new = crate::mail::NewMail {
                to: vec![address.clone()],
                subject: subject.clone(),
                body: body.clone(),
                reply_to: reply_to.clone(),
                sensitive: false,
            };
            mail.queue_in(&write, new, at).await.map_err(|error| match error {
                crate::mail::MailError::Invalid(why) => SendSmsError::Mail(why),
                crate::mail::MailError::Store(error) => SendSmsError::Store(error),
            })?;
        }
        let template = match &content {
            MailContent::Template { name, .. } => Some(name.clone()),
            MailContent::Text { .. } => None,
        };
        write
            .audit(audit::entry(actor, "mail.send", to, json!({ "recipients": addresses.len(), "template": template })), at)
            .await?;
        write.commit().await?;
        Ok(addresses.len())
    }
}

impl Messaging {
    /// Mails `admin_quota_reached` to the caller, once per quota window (Janua's
    /// `last_quota_reached`). Best effort: the refusal stands whether or not this works.
    async fn tell_quota_reached(&self, mail: &crate::mail::Mail, caller: &Account, quota: &steward_model::sms::SmsQuota, window_start: time::OffsetDateTime) {
        let Some(address) = caller.email.as_deref().and_then(|email| steward_model::Email::parse(email).ok()) else {
            return;
        };
        let arguments = [("limit", quota.limit().to_string()), ("unit", quota.window().noun().to_owned())]
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect();
        let Ok(rendered) = crate::mail_templates::render("admin_quota_reached", crate::mail_templates::Language::En, &arguments) else {
            return;
        };
        let outcome = async {
            let at = now();
            let write = self.store.write().await?;
            if write.mark_quota_reached(caller.id, window_start, at).await? {
                let new = crate::mail::NewMail { to: vec![address], subject: rendered.subject, body: rendered.body, reply_to: None, sensitive: false };
                mail.queue_in(&write, new, at).await.map_err(|error| StoreError::Corrupt(error.to_string()))?;
            }
            write.commit().await
        }
        .await;
        if let Err(error) = outcome {
            tracing::warn!(%error, "could not queue the quota-reached mail");
        }
    }
}
