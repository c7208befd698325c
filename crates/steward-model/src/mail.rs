//! An outgoing mail as the outbox keeps it, independent of any SMTP library.

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
    /// The body holds a secret (an initial password…): erase it once delivered.
    #[serde(default)]
    pub sensitive: bool,
}
