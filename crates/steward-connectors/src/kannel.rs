//! SMS through Kannel's HTTP `cgi-bin/sendsms` (smsbox). One GET per SMS with `username`,
//! `password`, `from`, `to`, `text` and `charset=UTF-8`; `coding=2` (UCS-2) when the text
//! leaves the GSM 7-bit alphabet, because with the default coding Kannel hands UTF-8 to the
//! SMSC driver, which drops what GSM-7 cannot hold.
//!
//! Kannel answers `202 0: Accepted for delivery` (or `3: Queued for later delivery`), `403`
//! for bad credentials and `400` for a request it will never take. The password travels in
//! the query string, so neither the URL nor reqwest's errors (which quote it) are ever put in
//! a message or a log.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::sms::OutgoingSms;
use crate::{DeliveryError, SetupError};

/// How long one sendsms request may take before it counts as a transient failure.
const TIMEOUT: Duration = Duration::from_secs(15);

/// How much of Kannel's answer goes into an error message: its answers are one short line.
const ANSWER_EXCERPT: usize = 200;

/// Kannel's answer to sendsms with valid credentials and no `to`: the probe's "all is well",
/// reached without sending anything.
const MISSING_RECEIVER: &str = "Missing receiver number";

/// Ask Kannel for delivery reports on every SMS that carries a report reference
/// (`dlr-mask`, `dlr-url`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReports {
    /// Kannel's `dlr-mask`: 1 delivered, 2 failed, 4 buffered, 8 SMSC accepted, 16 SMSC
    /// rejected, added up (31 asks for all).
    pub mask: u8,
    /// The URL Kannel calls back. Each SMS's `dlr-url` is this with `ref=<the SMS's
    /// reference>&type=%d` added to its query; Kannel fills in `%d`, the report type.
    pub url: String,
}

impl DeliveryReports {
    /// The `dlr-url` of one SMS.
    fn url_for(&self, reference: &str) -> String {
        let separator = if self.url.contains('?') { '&' } else { '?' };
        let reference: String = url::form_urlencoded::byte_serialize(reference.as_bytes()).collect();
        format!("{}{separator}ref={reference}&type=%d", self.url)
    }
}

/// A client for one Kannel smsbox's sendsms interface and one sendsms-user.
#[derive(Clone)]
pub struct KannelSender {
    /// Shared connection pool; no redirects, so the password never follows one elsewhere.
    client: reqwest::Client,
    /// `http://host:13013/cgi-bin/sendsms`, any query of its own kept; ours is appended.
    sendsms_url: Url,
    /// The sendsms-user's `username`.
    user: String,
    /// The sendsms-user's `password`.
    password: SecretString,
    /// The `from` of every SMS; empty means Kannel's `global-sender`.
    sender: String,
    /// Delivery reports to ask for, if any.
    delivery_reports: Option<DeliveryReports>,
}

impl std::fmt::Debug for KannelSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry credentials an operator put there, and the password is secret.
        f.debug_struct("KannelSender").field("user", &self.user).field("sender", &self.sender).finish_non_exhaustive()
    }
}

impl KannelSender {
    /// A sender for `sendsms_url` (`http://` or `https://`) as sendsms-user `user`, with
    /// `sender` as the `from` of every SMS (empty: Kannel's default). Does not connect.
    ///
    /// A rustls crypto provider must be installed first (the binary installs ring's).
    pub fn new(
        sendsms_url: &str,
        user: impl Into<String>,
        password: SecretString,
        sender: impl Into<String>,
    ) -> Result<Self, SetupError> {
        // url's parse errors never quote the input, which may hold a password.
        let sendsms_url = Url::parse(sendsms_url)
            .map_err(|error| SetupError(format!("the Kannel sendsms URL is not a URL: {error}")))?;
        if !matches!(sendsms_url.scheme(), "http" | "https") || sendsms_url.host_str().is_none() {
            return Err(SetupError("the Kannel sendsms URL must be http:// or https:// with a host".to_owned()));
        }
        // reqwest panics when it has no provider to build its TLS stack with.
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            return Err(SetupError("no rustls crypto provider is installed".to_owned()));
        }
        let client =
            reqwest::Client::builder().timeout(TIMEOUT).redirect(reqwest::redirect::Policy::none()).build().map_err(
                |error| SetupError(format!("the HTTP client for Kannel cannot be built: {}", steward_model::error_chain::error_chain(&error))),
            )?;
        Ok(Self { client, sendsms_url, user: user.into(), password, sender: sender.into(), delivery_reports: None })
    }

    /// The same sender, asking Kannel for delivery reports on every SMS.
    pub fn with_delivery_reports(mut self, reports: DeliveryReports) -> Self {
        self.delivery_reports = Some(reports);
        self
    }

    /// Hands one SMS to Kannel. `Ok` means Kannel accepted (or queued) it, not that it
    /// reached the phone: that is what delivery reports are for.
    pub async fn send(&self, sms: &OutgoingSms) -> Result<(), DeliveryError> {
        // Checked before anything is sent: Kannel reads a space in `to` as a second recipient.
        sms.international_digits()?;
        let mut url = self.authenticated_url();
        {
            let mut query = url.query_pairs_mut();
            if !self.sender.is_empty() {
                query.append_pair("from", &self.sender);
            }
            query.append_pair("to", &sms.to).append_pair("text", &sms.text).append_pair("charset", "UTF-8");
            if !sms.fits_gsm7() {
                query.append_pair("coding", "2");
            }
            if let (Some(reports), Some(reference)) = (&self.delivery_reports, &sms.report_reference) {
                // Encoded as a whole, `%d` included: Kannel decodes the parameter, then fills it.
                query.append_pair("dlr-mask", &reports.mask.to_string()).append_pair("dlr-url", &reports.url_for(reference));
            }
        }
        let (status, answer) = self.get(url).await?;
        let accepted = answer.starts_with("0:") || answer.starts_with("3:");
        match status.as_u16() {
            200..=299 if accepted => Ok(()),
            // A 2xx that is not Kannel's: sending again could deliver twice.
            200..=299 => Err(DeliveryError::Permanent(format!("Kannel gave an unexpected answer: {answer}"))),
            403 => Err(DeliveryError::Permanent(format!("Kannel refused the sendsms credentials: {answer}"))),
            // Timeouts and "slow down" are worth another try.
            408 | 429 | 500..=599 => Err(DeliveryError::Transient(format!("Kannel failed (HTTP {status}): {answer}"))),
            _ => Err(DeliveryError::Permanent(format!("Kannel refused the SMS (HTTP {status}): {answer}"))),
        }
    }

    /// Checks Kannel's sendsms answers and takes the credentials, without sending an SMS: a
    /// request with no `to` gets "Missing receiver number" only after the credentials passed.
    pub async fn probe(&self) -> Result<(), DeliveryError> {
        let (status, answer) = self.get(self.authenticated_url()).await?;
        if status == reqwest::StatusCode::FORBIDDEN {
            return Err(DeliveryError::Permanent(format!("Kannel refused the sendsms credentials: {answer}")));
        }
        if status.is_client_error() && answer.starts_with(MISSING_RECEIVER) {
            return Ok(());
        }
        Err(DeliveryError::Transient(format!("Kannel's sendsms gave an unexpected answer (HTTP {status}): {answer}")))
    }

    fn authenticated_url(&self) -> Url {
        let mut url = self.sendsms_url.clone();
        url.query_pairs_mut()
            .append_pair("username", &self.user)
            .append_pair("password", self.password.expose_secret());
        url
    }

    /// One GET; the status and the start of the answer, trimmed.
    async fn get(&self, url: Url) -> Result<(reqwest::StatusCode, String), DeliveryError> {
        let response = self.client.get(url).send().await.map_err(unreachable)?;
        let status = response.status();
        let body = response.text().await.map_err(unreachable)?;
        let answer: String = body.trim().chars().take(ANSWER_EXCERPT).collect();
        Ok((status, answer))
    }
}

/// Kannel could not be reached or stopped answering: worth another try.
fn unreachable(error: reqwest::Error) -> DeliveryError {
    // without_url: reqwest's message would otherwise quote the URL, password included.
    let error = error.without_url();
    if error.is_timeout() {
        return DeliveryError::Transient(format!("Kannel did not answer within {} s", TIMEOUT.as_secs()));
    }
    DeliveryError::Transient(format!("Kannel is unreachable: {}", steward_model::error_chain::error_chain(&error)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn install_provider() {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }

    #[test]
    fn urls_must_be_http_with_a_host() {
        install_provider();
        let password = || SecretString::from("secret-pw");
        assert!(KannelSender::new("http://127.0.0.1:13013/cgi-bin/sendsms", "u", password(), "").is_ok());
        assert!(KannelSender::new("https://kannel.example.org/cgi-bin/sendsms?smsc=A", "u", password(), "").is_ok());
        for bad in ["ftp://127.0.0.1/", "not a url", "unix:/run/kannel"] {
            let error = KannelSender::new(bad, "u", password(), "").unwrap_err();
            assert!(!error.0.contains(bad), "{error}");
        }
    }

    #[test]
    fn debug_hides_the_password() {
        install_provider();
        let sender =
            KannelSender::new("http://127.0.0.1:1/cgi-bin/sendsms", "tester", SecretString::from("secret-pw"), "")
                .unwrap();
        assert!(!format!("{sender:?}").contains("secret-pw"));
    }

    #[tokio::test]
    async fn an_unreachable_kannel_is_transient_and_never_quotes_the_password() {
        install_provider();
        // Port 1 on loopback: nothing listens there, the connection is refused at once.
        let sender =
            KannelSender::new("http://127.0.0.1:1/cgi-bin/sendsms", "tester", SecretString::from("secret-pw"), "")
                .unwrap();
        let sms = OutgoingSms { to: "+33612345678".into(), text: "Hello".into(), report_reference: None };
        for error in [sender.send(&sms).await.unwrap_err(), sender.probe().await.unwrap_err()] {
            assert!(matches!(error, DeliveryError::Transient(_)), "{error:?}");
            assert!(!error.to_string().contains("secret-pw"), "{error}");
            assert!(!error.to_string().contains("127.0.0.1:1/cgi-bin"), "{error}");
        }
    }

    #[test]
    fn each_sms_gets_its_own_callback() {
        let reports = DeliveryReports { mask: 27, url: "http://steward:8080/steward/v1/sms/reports/kannel".into() };
        assert_eq!(reports.url_for("7-ab"), "http://steward:8080/steward/v1/sms/reports/kannel?ref=7-ab&type=%d");
        let with_query = DeliveryReports { mask: 27, url: "http://steward/cb?x=1".into() };
        assert_eq!(with_query.url_for("7 a&b"), "http://steward/cb?x=1&ref=7+a%26b&type=%d");
    }

    #[tokio::test]
    async fn a_number_with_a_space_is_refused_before_any_request() {
        install_provider();
        let sender =
            KannelSender::new("http://127.0.0.1:1/cgi-bin/sendsms", "tester", SecretString::from("pw"), "").unwrap();
        let sms = OutgoingSms { to: "+33612345678 +33698765432".into(), text: "Hello".into(), report_reference: None };
        assert!(matches!(sender.send(&sms).await, Err(DeliveryError::Permanent(_))));
    }
}
