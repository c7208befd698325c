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

/// An SMS waiting in the outbox: one recipient, one text, and the SMS log row it updates.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QueuedSms {
    /// E.164 recipient.
    pub to: String,
    /// The text.
    pub text: String,
    /// The SMS log row (Janua's `SMS.id`) whose status follows the delivery.
    pub log_id: Option<i64>,
}
