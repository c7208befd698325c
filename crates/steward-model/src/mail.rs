//! Outgoing mail and SMS as the outbox keeps them, independent of any protocol library.

/// A mail waiting in the outbox. Its Message-ID is fixed when it is queued, so every retry
/// (even after a crash) sends the same message and a receiver can tell a duplicate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OutgoingMail {
    /// `<uuid@host>`, chosen at queue time.
    pub message_id: String,
    /// `From:`, fixed at queue time like the Message-ID.
    pub from: String,
    /// Envelope and header recipients.
    pub to: Vec<String>,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// Where replies go (Janua: the sending admin), if not to `from`.
    #[serde(default)]
    pub reply_to: Option<String>,
    /// The body holds a secret (an initial password…): erase it once delivered.
    #[serde(default)]
    pub sensitive: bool,
}

/// SMS waiting in the outbox: one row carries up to a few hundred recipients of one send,
/// named by their SMS log rows. The log rows hold the number and the text, and their status
/// records which recipients were already handed to the gateway, so a retried or resumed
/// batch never sends to the same recipient twice.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QueuedSms {
    /// The SMS log rows (Janua's `SMS.id`) to deliver.
    pub log_ids: Vec<i64>,
}
