//! Janua's SMS and mail sending: resolving a `to` list into recipients within the caller's
//! rights, checking the quota, and queuing one SMS log row per recipient with the outbox
//! rows that deliver them, in one transaction.

use std::collections::{HashMap, HashSet};

use serde_json::json;
use steward_model::directory::{Audience, Contact};
use steward_model::sms::{Recipients, SmsText};
use steward_model::{Account, OutboxKind, QueuedSms};
use steward_store::messaging::audience::SmsSend;
use steward_store::messaging::sms_log::NewSmsLog;

use crate::messaging::sms::{Sms, SmsError};
use crate::{Actor, Store, StoreError, audit, now};

/// Why a message was not queued; faces word it in their own dialect.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// An empty `to` (or message).
    #[error("no recipient or no message")]
    Empty,
    /// The caller, filtered, owns no contact and no group.
    #[error("you may only message your own contacts, and you have none")]
    NoDirectory,
    /// A group that is not the caller's.
    #[error("`{0}` is none of your groups")]
    InvalidGroup(String),
    /// A number outside `sms.prefix_filter`.
    #[error("{0} matches none of the allowed prefixes")]
    BadPrefix(String),
    /// A number that is not one of the caller's contacts (filtered callers).
    #[error("{0} is none of your contacts' numbers")]
    InvalidNumber(String),
    /// Nothing to send to (e.g. an empty group).
    #[error("`{0}` names nobody to send to")]
    NoRecipients(String),
    /// An address that is not one of the caller's contacts' (filtered callers).
    #[error("{0} is none of your contacts' addresses")]
    InvalidMail(String),
    /// For mail, a number must be a contact's, filtered or not.
    #[error("{0} is none of your contacts' numbers, and mail goes only to contacts")]
    NotAContact(String),
    /// More bare numbers and addresses than [`MAX_NAMED_RECIPIENTS`].
    #[error("more than {MAX_NAMED_RECIPIENTS} numbers and addresses in one request")]
    TooManyNamed,
    /// Nothing to mail to.
    #[error("nobody to mail to")]
    NoMailRecipients,
    /// The template cannot be rendered with the given arguments.
    #[error(transparent)]
    Template(#[from] crate::messaging::templates::TemplateError),
    /// The mail is not sendable.
    #[error("{0}")]
    Mail(String),
    /// Sending would pass the caller's quota.
    #[error("the SMS quota ({limit} per {noun}) would be passed")]
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
    Store(crate::Unavailable),
}

crate::store_failures_are_unavailable!(SendError);

/// One recipient named in the request itself (a bare number or address), or a contact
/// loaded for mail.
#[derive(Debug, Clone)]
struct Recipient {
    name: String,
    phone: String,
    email: String,
}

impl Recipient {
    fn of_contact(contact: &Contact) -> Self {
        Self { name: contact.fullname(), phone: contact.phone_number.clone(), email: contact.email.clone() }
    }
}

/// Who a `to` list reaches: the recipients it names one by one, and the part of the
/// directory it names (groups or `all`), which the store resolves without loading it.
#[derive(Debug)]
struct Resolution {
    /// Bare numbers and addresses, in request order, each once.
    named: Vec<Recipient>,
    /// The groups named, or everyone.
    audience: Audience,
}

impl Resolution {
    /// The numbers reached one by one, which the audience must leave out so a contact named
    /// twice gets one message.
    fn named_numbers(&self) -> Vec<String> {
        self.named.iter().map(|recipient| recipient.phone.clone()).filter(|phone| !phone.is_empty()).collect()
    }
}

/// The most bare numbers and addresses one request may name; a group has no such bound.
/// It keeps the statements that leave them out of a group's members within both backends'
/// bound-parameter limits.
pub const MAX_NAMED_RECIPIENTS: usize = 5_000;

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
        language: crate::messaging::templates::Language,
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
    prefix_filter: crate::messaging::prefix_filter::PrefixFilter,
    /// Told of each send, so the sender's reported `janua.sms` usage is current.
    quotas: std::sync::Arc<crate::quotas::Quotas>,
    /// Each sender's quota and window.
    accounting: std::sync::Arc<Sms>,
    /// Mails sent, and the quota-reached notice.
    mail: std::sync::Arc<crate::messaging::mail::Mail>,
}

impl Messaging {
    pub(crate) fn new(
        store: Store,
        prefix_filter: crate::messaging::prefix_filter::PrefixFilter,
        quotas: std::sync::Arc<crate::quotas::Quotas>,
        accounting: std::sync::Arc<Sms>,
        mail: std::sync::Arc<crate::messaging::mail::Mail>,
    ) -> Self {
        Self { store, prefix_filter, quotas, accounting, mail }
    }

    /// Resolves `to` for `caller` as Janua's `/sendsms` and `/sendmail` do (janua.md §3
    /// W6, W7), looking up only what the request names.
    async fn resolve(&self, caller: &Account, to: &str, channel: Channel) -> Result<Resolution, SendError> {
        let recipients = Recipients::parse(to);
        if recipients.is_empty() {
            return Err(SendError::Empty);
        }
        if recipients.numbers().len() + recipients.emails().len() > MAX_NAMED_RECIPIENTS {
            return Err(SendError::TooManyNamed);
        }
        let filtered = self.store.recipient_filter(caller.id).await?;
        if filtered && !self.store.has_directory(caller.id).await? {
            return Err(SendError::NoDirectory);
        }
        let groups = self.store.groups_named(caller.id, recipients.groups()).await?;
        let mut wanted_groups = Vec::new();
        for name in recipients.groups() {
            match groups.iter().find(|group| &group.name == name) {
                Some(group) => wanted_groups.push(group.id),
                None => return Err(SendError::InvalidGroup(name.clone())),
            }
        }
        if recipients.includes_all() {
            return Ok(Resolution { named: Vec::new(), audience: Audience::Everyone });
        }
        let mut named = Vec::new();
        let by_phone: HashMap<String, Contact> = self
            .store
            .contacts_with_phones(caller.id, recipients.numbers())
            .await?
            .into_iter()
            .map(|contact| (contact.phone_number.clone(), contact))
            .collect();
        for number in recipients.numbers() {
            if !self.prefix_filter.allows(number) {
                return Err(SendError::BadPrefix(number.clone()));
            }
            let contact = by_phone.get(number);
            match (channel, contact) {
                (Channel::Mail, None) => return Err(SendError::NotAContact(number.clone())),
                (Channel::Sms, None) if filtered => return Err(SendError::InvalidNumber(number.clone())),
                _ => {}
            }
            let admin = self.store.account_by_phone(number).await?.map(|found| found.account);
            let name = match (admin, contact) {
                (Some(admin), _) => admin.name,
                (None, Some(contact)) => contact.fullname(),
                (None, None) => number.clone(),
            };
            let email = contact.map(|contact| contact.email.clone()).unwrap_or_default();
            named.push(Recipient { name, phone: number.clone(), email });
        }
        if channel == Channel::Mail {
            let by_email: HashMap<String, Contact> = self
                .store
                .contacts_with_emails(caller.id, recipients.emails())
                .await?
                .into_iter()
                .map(|contact| (contact.email.clone(), contact))
                .collect();
            for address in recipients.emails() {
                match by_email.get(address) {
                    Some(contact) => named.push(Recipient::of_contact(contact)),
                    None if filtered => return Err(SendError::InvalidMail(address.clone())),
                    None => named.push(Recipient { name: address.clone(), phone: String::new(), email: address.clone() }),
                }
            }
        }
        // One message per person: a number or address named twice counts once.
        let mut seen = HashSet::new();
        named.retain(|recipient| match channel {
            Channel::Sms => seen.insert(recipient.phone.clone()),
            Channel::Mail => seen.insert(recipient.email.clone()),
        });
        let audience = if wanted_groups.is_empty() { Audience::Nobody } else { Audience::Groups(wanted_groups) };
        Ok(Resolution { named, audience })
    }

    /// Queues `text` to every recipient `to` resolves to, after checking the caller's quota
    /// (usage + parts × recipients must stay within it). Returns how many were queued.
    #[tracing::instrument(skip_all, fields(account = %caller.id.0))]
    pub async fn send_sms(
        &self,
        actor: &Actor,
        caller: &Account,
        text: &SmsText,
        to: &str,
    ) -> Result<usize, SendError> {
        let resolution = self.resolve(caller, to, Channel::Sms).await?;
        let parts = text.parts();
        let quota = self.accounting.quota_of(caller.id).await?;
        let window = self.accounting.current_window(&quota)?;
        let at = now();
        let except = resolution.named_numbers();
        let write = self.store.write().await?;
        // Counted and checked inside the transaction, holding the sender's row: two requests
        // at once cannot both pass a quota that only one fits in.
        write.lock_account(caller.id).await?;
        let from_directory = write.count_audience(caller.id, &resolution.audience, &except).await?;
        let reached = u64::try_from(resolution.named.len()).unwrap_or(u64::MAX).saturating_add(from_directory);
        if reached == 0 {
            return Err(SendError::NoRecipients(to.to_owned()));
        }
        let used = write.sms_parts(Some(caller.id), window.start(), window.end()).await?;
        let over_quota = |recipients: u64| !quota.allows(used, u64::from(parts).saturating_mul(recipients));
        if over_quota(reached) {
            drop(write);
            self.tell_quota_reached(caller, &quota, window.start()).await;
            return Err(SendError::QuotaReached { limit: quota.limit(), noun: quota.window().noun() });
        }
        let named: Vec<NewSmsLog> = resolution
            .named
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
        let mut log_ids = write.insert_sms_logs(&named, at).await?;
        let send = SmsSend { sender: &caller.name, text: text.as_str(), parts, admin_id: caller.id, at };
        log_ids.extend(write.queue_audience_sms(&resolution.audience, &except, &send).await?);
        let queued = u64::try_from(log_ids.len()).unwrap_or(u64::MAX);
        // On PostgreSQL each statement sees what committed before it, so a member added
        // between the count and the insert is queued too: the quota must still hold.
        if queued != reached && (queued == 0 || over_quota(queued)) {
            drop(write);
            return Err(if queued == 0 {
                SendError::NoRecipients(to.to_owned())
            } else {
                SendError::QuotaReached { limit: quota.limit(), noun: quota.window().noun() }
            });
        }
        // One outbox row per few hundred recipients: the worker fans each out, and the log
        // rows' statuses say who was already sent to.
        let payloads = log_ids
            .chunks(SMS_PER_OUTBOX_ROW)
            .map(|chunk| {
                serde_json::to_value(QueuedSms { log_ids: chunk.to_vec() }).map_err(|error| StoreError::Corrupt(error.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        write.enqueue_many(OutboxKind::Sms, &payloads, at).await?;
        write
            .audit(audit::entry(actor, "sms.send", to, json!({ "recipients": queued, "parts": parts })), at)
            .await?;
        write.commit().await?;
        self.quotas.forget_report(caller.id).await;
        Ok(log_ids.len())
    }
}

/// Recipients per SMS outbox row. A row is one lease of the worker: at a few milliseconds
/// per SMS through a local gateway, 500 take a second or two, well inside the lease, and a
/// 10 000-member send writes 20 outbox rows instead of 10 000.
pub const SMS_PER_OUTBOX_ROW: usize = 500;

impl Messaging {
    /// Queues one mail per recipient `to` resolves to (`To:` that recipient, `Reply-To:`
    /// the caller), after rendering the template: an unknown template or a missing
    /// argument queues nothing. Returns how many were queued.
    #[tracing::instrument(skip_all, fields(account = %caller.id.0))]
    pub async fn send_mail(
        &self,
        actor: &Actor,
        caller: &Account,
        content: MailContent,
        to: &str,
    ) -> Result<usize, SendError> {
        let (subject, body) = match &content {
            MailContent::Template { name, arguments, language } => {
                let rendered = self.mail.render(name, *language, arguments).await?;
                (rendered.subject, rendered.body)
            }
            MailContent::Text { subject, body } => (subject.clone(), body.clone()),
        };
        let resolution = self.resolve(caller, to, Channel::Mail).await?;
        let members = self.store.audience_contacts(caller.id, &resolution.audience).await?;
        let mut seen = HashSet::new();
        let addresses: Vec<steward_model::Email> = resolution
            .named
            .into_iter()
            .chain(members.iter().map(Recipient::of_contact))
            .filter(|recipient| seen.insert(recipient.email.clone()))
            .filter_map(|recipient| steward_model::Email::parse(&recipient.email).ok())
            .collect();
        if addresses.is_empty() {
            return Err(SendError::NoMailRecipients);
        }
        let reply_to = caller.email.as_deref().and_then(|email| steward_model::Email::parse(email).ok());
        let at = now();
        let write = self.store.write().await?;
        for address in &addresses {
            let new = crate::messaging::mail::NewMail {
                to: vec![address.clone()],
                subject: subject.clone(),
                body: body.clone(),
                reply_to: reply_to.clone(),
                sensitive: false,
            };
            self.mail.queue_in(&write, new, at).await.map_err(|error| match error {
                crate::messaging::mail::MailError::Invalid(why) => SendError::Mail(why),
                crate::messaging::mail::MailError::Store(error) => SendError::Store(error),
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
    async fn tell_quota_reached(&self, caller: &Account, quota: &steward_model::sms::SmsQuota, window_start: time::OffsetDateTime) {
        let Some(address) = caller.email.as_deref().and_then(|email| steward_model::Email::parse(email).ok()) else {
            return;
        };
        let arguments = [("limit", quota.limit().to_string()), ("unit", quota.window().noun().to_owned())]
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect();
        let Ok(rendered) = self.mail.render("admin_quota_reached", crate::messaging::templates::Language::En, &arguments).await else {
            return;
        };
        let outcome = async {
            let at = now();
            let write = self.store.write().await?;
            if write.mark_quota_reached(caller.id, window_start, at).await? {
                let new = crate::messaging::mail::NewMail { to: vec![address], subject: rendered.subject, body: rendered.body, reply_to: None, sensitive: false };
                self.mail.queue_in(&write, new, at).await.map_err(|error| StoreError::Corrupt(error.to_string()))?;
            }
            write.commit().await
        }
        .await;
        if let Err(error) = outcome {
            tracing::warn!(%error, "could not queue the quota-reached mail");
        }
    }
}
