//! SMS through an smstools3 (`smsd`) spool: one file per SMS in its `outgoing` directory.
//!
//! The file is headers, a blank line, then the text:
//!
//! ```text
//! To: 33612345678
//! Alphabet: UTF-8
//!
//! Hello é
//! ```
//!
//! `To:` is the international number without `+`. `Alphabet: UTF-8` (smsd ≥ 3.1.16) makes
//! smsd convert the text to GSM 7-bit, or the whole message to UCS-2 when a character does
//! not fit, so the text is written as UTF-8 whatever it holds (seen with smsd 3.1.21:
//! "6 characters outside the GSM alphabet, converting to UCS2").
//!
//! smsd takes any file it sees, even one still being written, but skips names starting with
//! `.`: the file is written as `.steward-<id>` in the same directory, synced, then renamed
//! to `steward-<id>`, so smsd only ever sees whole files.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use tokio::io::AsyncWriteExt;

use crate::DeliveryError;
use crate::sms::OutgoingSms;

/// The prefix of every spool file Steward writes, so an operator can tell them apart.
const FILE_PREFIX: &str = "steward-";

/// An smstools3 outgoing spool directory.
#[derive(Debug, Clone)]
pub struct SmstoolsSpool {
    /// smsd's `outgoing` directory (Debian: `/var/spool/sms/outgoing`).
    outgoing: PathBuf,
}

impl SmstoolsSpool {
    /// A spool writing into `outgoing_dir`. Does not touch the disk: see [`Self::probe`].
    pub fn new(outgoing_dir: impl Into<PathBuf>) -> Self {
        Self { outgoing: outgoing_dir.into() }
    }

    /// Queues one SMS for smsd. `Ok` means the file is in place, not that it was sent: smsd
    /// later moves it, under the same name, to `sent/` or `failed/`.
    pub async fn send(&self, sms: &OutgoingSms) -> Result<(), DeliveryError> {
        let content = spool_file(sms)?;
        let id = uuid::Uuid::new_v4().simple();
        let name = format!("{FILE_PREFIX}{id}");
        let hidden = self.outgoing.join(format!(".{name}"));
        if let Err(error) = write_synced(&hidden, content.as_bytes()).await {
            // Best effort: a half-written dotfile is harmless to smsd, but clutter.
            let _ = tokio::fs::remove_file(&hidden).await;
            return Err(spool_error("cannot write the spool file", &error));
        }
        if let Err(error) = tokio::fs::rename(&hidden, self.outgoing.join(&name)).await {
            let _ = tokio::fs::remove_file(&hidden).await;
            return Err(spool_error("cannot move the spool file into place", &error));
        }
        tracing::debug!(file = %name, "SMS spooled for smsd");
        Ok(())
    }

    /// Checks the outgoing directory exists and takes new files, by creating and removing a
    /// dotfile there (smsd ignores it): permission bits alone do not tell, ACLs and
    /// read-only mounts exist.
    pub async fn probe(&self) -> Result<(), DeliveryError> {
        let metadata = tokio::fs::metadata(&self.outgoing)
            .await
            .map_err(|error| spool_error("the smstools outgoing directory is not usable", &error))?;
        if !metadata.is_dir() {
            return Err(DeliveryError::Transient(format!(
                "the smstools outgoing path {} is not a directory",
                self.outgoing.display()
            )));
        }
        let probe = self.outgoing.join(format!(".{FILE_PREFIX}probe-{}", uuid::Uuid::new_v4().simple()));
        let written = write_synced(&probe, b"").await;
        let _ = tokio::fs::remove_file(&probe).await;
        written.map_err(|error| spool_error("the smstools outgoing directory does not take files", &error))
    }
}

/// The spool file's text for `sms`, or why it can never be sent.
fn spool_file(sms: &OutgoingSms) -> Result<String, DeliveryError> {
    let digits = sms.international_digits()?;
    Ok(format!("To: {digits}\nAlphabet: UTF-8\n\n{}", sms.text))
}

/// Writes a new file (never an existing one) and syncs it, so the rename publishes whole
/// content even after a crash.
async fn write_synced(path: &Path, content: &[u8]) -> std::io::Result<()> {
    let mut file = tokio::fs::OpenOptions::new().write(true).create_new(true).open(path).await?;
    file.write_all(content).await?;
    file.sync_all().await
}

/// Every spool failure concerns the directory, not the SMS (missing mount, permissions, full
/// disk): another try can succeed once an operator fixes it.
fn spool_error(what: &str, error: &std::io::Error) -> DeliveryError {
    let hint = match error.kind() {
        ErrorKind::NotFound => " (does the directory exist?)",
        ErrorKind::PermissionDenied => " (check the directory's owner and mode)",
        _ => "",
    };
    DeliveryError::Transient(format!("{what}: {error}{hint}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sms(to: &str, text: &str) -> OutgoingSms {
        OutgoingSms { to: to.into(), text: text.into(), report_reference: None }
    }

    #[test]
    fn the_file_has_digits_utf8_and_the_text_after_a_blank_line() {
        assert_eq!(
            spool_file(&sms("+33612345678", "Héllo\nпривет")).unwrap(),
            "To: 33612345678\nAlphabet: UTF-8\n\nHéllo\nпривет"
        );
        assert!(matches!(spool_file(&sms("+33 6", "x")), Err(DeliveryError::Permanent(_))));
    }

    #[tokio::test]
    async fn send_publishes_one_whole_file_and_leaves_no_dotfile() {
        let dir = std::env::temp_dir().join(format!("steward-smstools-{}", uuid::Uuid::new_v4().simple()));
        tokio::fs::create_dir(&dir).await.unwrap();
        let spool = SmstoolsSpool::new(&dir);
        spool.probe().await.unwrap();
        spool.send(&sms("+33612345678", "Hello")).await.unwrap();
        let names: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|entry| entry.unwrap().file_name().into_string().unwrap()).collect();
        let [name] = names.as_slice() else { panic!("one file expected: {names:?}") };
        assert!(name.starts_with(FILE_PREFIX), "{name}");
        let written = std::fs::read_to_string(dir.join(name)).unwrap();
        assert_eq!(written, "To: 33612345678\nAlphabet: UTF-8\n\nHello");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn a_missing_directory_is_transient() {
        let spool = SmstoolsSpool::new("/nonexistent/steward/outgoing");
        assert!(matches!(spool.probe().await, Err(DeliveryError::Transient(_))));
        assert!(matches!(spool.send(&sms("+33612345678", "x")).await, Err(DeliveryError::Transient(_))));
    }
}
