//! Records: what the store hands back. They hold what was stored, already valid.

use time::OffsetDateTime;
use uuid::Uuid;

/// The store's numeric key of an account (Astakos shows it as `id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct AccountId(pub i64);

/// The store's numeric key of a service principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct ServiceId(pub i64);

/// One person, the same on every face.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Numeric key, stable for life.
    pub id: AccountId,
    /// The key other systems store (Astakos catalogs, Adjutant user ids).
    pub uuid: Uuid,
    /// What the person types to sign in, as first written.
    pub login: String,
    /// Display name; may be empty.
    pub name: String,
    /// Given name, when known apart from the display name (dRofus' `first_name`).
    pub given_name: Option<String>,
    /// Family name, when known apart (dRofus' `last_name`).
    pub family_name: Option<String>,
    /// Contact address for mail, if known.
    pub email: Option<String>,
    /// E.164 phone number, if known (Janua logs in by phone too).
    pub phone: Option<String>,
    /// Role names, sorted.
    pub roles: Vec<crate::Role>,
    /// A disabled account cannot log in and its tokens are refused.
    pub active: bool,
    /// Who checks the account's password.
    pub auth_backend: crate::AuthBackend,
    /// When the account last accepted the terms, if ever.
    pub terms_accepted_at: Option<OffsetDateTime>,
    /// When the account was created.
    pub created_at: OffsetDateTime,
    /// When the account last changed.
    pub updated_at: OffsetDateTime,
}

impl Account {
    /// Whether the account holds `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|held| held.as_str() == role)
    }
}

/// A service principal: a program (Cyclades, Pithos…) that calls Steward with its own token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// Numeric key.
    pub id: ServiceId,
    /// Unique name, e.g. `cyclades`.
    pub name: String,
    /// The service's own URL (Astakos lists it), possibly empty.
    pub url: String,
    /// When the current token was issued.
    pub token_created_at: OffsetDateTime,
    /// When the current token stops working; `None` never.
    pub token_expires_at: Option<OffsetDateTime>,
}

/// A quota resource such as `cyclades.vm` or `janua.sms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// Full name, `service.resource`.
    pub name: String,
    /// Unit (`bytes`) or empty for plain counts.
    pub unit: String,
    /// Limit for an account without its own.
    pub default_limit: i64,
    /// One line for people.
    pub description: String,
}

/// One resource as one account sees it: its effective limit and current usage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quota {
    /// The resource.
    pub resource: Resource,
    /// The account's own limit, else the resource's default.
    pub limit: i64,
    /// Current usage (0 when nothing was reported).
    pub used: i64,
    /// The window letter of a resetting counter (`janua.sms`): the account's, else the
    /// resource's.
    pub window: Option<char>,
}

/// How many outbox rows wait and how many gave up, for `/readyz` and `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct OutboxCounts {
    /// Queued, not yet delivered (including rows being delivered now).
    pub pending: u64,
    /// Gave up after `worker.max_attempts`; waiting for an operator.
    pub failed: u64,
}

/// One SMS of the log (sent, queued, delivered or received), as Janua shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsLogEntry {
    /// Janua's `id`.
    pub id: i64,
    /// When it was queued, sent or received.
    pub date_time: OffsetDateTime,
    /// Who sent it.
    pub sender: String,
    /// To whom.
    pub recipient: String,
    /// The recipient's number.
    pub recipient_phone_number: String,
    /// The text.
    pub raw_message: String,
    /// Whether a received SMS's sender was allowed.
    pub authorized: bool,
    /// 0 sent, 1 delivered, 2 unknown, 3 unsupported, 4 received, 5 queued, 6 failed.
    pub status: i32,
    /// Parts.
    pub number_of_slices: i32,
}

/// A user token as `steward token list` shows it: never its secret nor its fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserToken {
    /// Its key, for `steward token revoke ID`.
    pub id: i64,
    /// When it was issued.
    pub created_at: OffsetDateTime,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
    /// When it was revoked, if it was.
    pub revoked_at: Option<OffsetDateTime>,
    /// The project it was opened on, if any.
    pub project: Option<crate::projects::ProjectId>,
}

/// One admin change, as `steward audit tail` and `/steward/v1/audit` show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    /// Increasing key; newest is highest.
    pub id: i64,
    /// When the change was committed.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who made it: `account:<login>`, `service:<name>`, `cli` or `system`.
    pub actor: String,
    /// What was done, `noun.verb` (e.g. `account.create`).
    pub action: String,
    /// What it was done to (a login, a service name…).
    pub target: String,
    /// Through which face or tool: `steward`, `cli`, `janua`, …
    pub face: String,
    /// Extra facts, never a secret.
    pub detail: serde_json::Value,
}

/// An audit entry about to be written inside a change's transaction.
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    /// See [`AuditEntry::actor`].
    pub actor: String,
    /// See [`AuditEntry::action`].
    pub action: String,
    /// See [`AuditEntry::target`].
    pub target: String,
    /// See [`AuditEntry::face`].
    pub face: String,
    /// See [`AuditEntry::detail`].
    pub detail: serde_json::Value,
}

/// What an outbox row carries, deciding which connector delivers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboxKind {
    /// An e-mail, delivered over SMTP.
    Mail,
    /// An SMS, delivered through the SMS gateway (Kannel or smstools).
    Sms,
    /// Work on a tenant database: a clone from its template, or a removal.
    Tenant,
}

impl OutboxKind {
    /// The name stored in the `kind` column and used as the metrics label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mail => "mail",
            Self::Sms => "sms",
            Self::Tenant => "tenant",
        }
    }

    /// Reads a stored kind back.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "mail" => Some(Self::Mail),
            "sms" => Some(Self::Sms),
            "tenant" => Some(Self::Tenant),
            _ => None,
        }
    }
}

/// Where an outbox row is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxStatus {
    /// Waiting for its next attempt (or for a worker to take it).
    Pending,
    /// Delivered; its payload no longer holds secrets.
    Delivered,
    /// Gave up after `worker.max_attempts`; kept for an operator to retry.
    Failed,
    /// Withdrawn by the face that queued it (a synchronous answer said it failed); never sent.
    Abandoned,
}

impl OutboxStatus {
    /// The name stored in the `status` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::Abandoned => "abandoned",
        }
    }

    /// Reads a stored status back.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(Self::Pending),
            "delivered" => Some(Self::Delivered),
            "failed" => Some(Self::Failed),
            "abandoned" => Some(Self::Abandoned),
            _ => None,
        }
    }
}

/// One queued delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    /// Increasing key.
    pub id: i64,
    /// Which connector delivers it.
    pub kind: OutboxKind,
    /// The connector's input (for mail, an [`crate::OutgoingMail`] as JSON).
    pub payload: serde_json::Value,
    /// Where the row is in its life.
    pub status: OutboxStatus,
    /// Delivery attempts made so far.
    pub attempts: i32,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// When the row was queued.
    pub created_at: OffsetDateTime,
    /// Not before this instant will a worker try it again.
    pub next_attempt_at: OffsetDateTime,
}

/// Which accounts a name catalog covers (Astakos' `user_catalogs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogKeys<T> {
    /// Every account.
    All,
    /// These keys (unknown ones are left out).
    These(Vec<T>),
}
