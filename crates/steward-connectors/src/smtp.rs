//! Mail over SMTP. The URL says everything: `smtp://host:port` (plain, or
//! `?tls=required` / `?tls=opportunistic` for STARTTLS), `smtps://host:465` (implicit TLS),
//! `user:password@` for AUTH. Certificates are checked against the Web PKI roots, plus the
//! PEM certificates an operator adds (the binary passes `SSL_CERT_FILE`'s), for servers
//! signed by a private CA.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use steward_model::OutgoingMail;

use crate::{DeliveryError, SetupError};

/// How long one SMTP conversation may take before it counts as a failure.
const TIMEOUT: Duration = Duration::from_secs(15);

/// An SMTP client for one server, with a small connection pool.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport holds the AUTH password: never print it.
        f.write_str("SmtpMailer")
    }
}

impl SmtpMailer {
    /// A mailer for `url` (see the module docs), trusting `extra_roots` (PEM) besides the
    /// Web PKI. Does not connect.
    pub fn from_url(url: &str, extra_roots: Option<&[u8]>) -> Result<Self, SetupError> {
        let unusable = |error: &dyn std::fmt::Display| SetupError(format!("mail.smtp_url is not usable: {error}"));
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|error| unusable(&error))?;
        if let Some(pem) = extra_roots {
            // lettre accepts a file without any certificate in it; an operator who named a
            // CA file means one.
            if !String::from_utf8_lossy(pem).contains("-----BEGIN CERTIFICATE-----") {
                return Err(SetupError("the extra CA file holds no PEM certificate".to_owned()));
            }
            let parsed = url::Url::parse(url).map_err(|error| unusable(&error))?;
            let host = parsed.host_str().unwrap_or_default().to_owned();
            let certificate = Certificate::from_pem(pem)
                .map_err(|error| SetupError(format!("the extra CA certificates are not PEM: {error}")))?;
            let parameters = TlsParameters::builder(host)
                .add_root_certificate(certificate)
                .build_rustls()
                .map_err(|error| unusable(&error))?;
            let tls = parsed.query_pairs().find(|(key, _)| key == "tls").map(|(_, value)| value.into_owned());
            builder = match (parsed.scheme(), tls.as_deref()) {
                ("smtps", _) => builder.tls(Tls::Wrapper(parameters)),
                (_, Some("required")) => builder.tls(Tls::Required(parameters)),
                (_, Some("opportunistic")) => builder.tls(Tls::Opportunistic(parameters)),
                _ => builder,
            };
        }
        Ok(Self { transport: builder.timeout(Some(TIMEOUT)).build() })
    }

    /// Checks the server answers (connect, EHLO, AUTH, NOOP).
    pub async fn probe(&self) -> Result<(), DeliveryError> {
        match bounded(self.transport.test_connection()).await? {
            Ok(true) => Ok(()),
            Ok(false) => Err(DeliveryError::Transient("the SMTP server did not answer NOOP".to_owned())),
            Err(error) => Err(classify(&error)),
        }
    }

    /// Sends one mail with its own Message-ID.
    pub async fn send(&self, mail: &OutgoingMail) -> Result<(), DeliveryError> {
        let message = build(mail)?;
        bounded(self.transport.send(message)).await?.map(|_| ()).map_err(|error| classify(&error))
    }
}

/// Checks an address (`Name <user@host>` or `user@host`) as a mail header will need it.
pub fn check_address(raw: &str) -> Result<(), SetupError> {
    raw.parse::<Mailbox>().map(|_| ()).map_err(|error| SetupError(format!("`{raw}` is not a mail address: {error}")))
}

/// lettre's timeout covers each socket read, not a whole conversation; a server that goes
/// silent mid-conversation (seen: no reply to a failed AUTH) would hold the worker forever.
async fn bounded<T>(conversation: impl std::future::Future<Output = T>) -> Result<T, DeliveryError> {
    tokio::time::timeout(TIMEOUT + Duration::from_secs(5), conversation)
        .await
        .map_err(|_| DeliveryError::Transient("the SMTP server stopped answering".to_owned()))
}

fn mailbox(raw: &str, role: &str) -> Result<Mailbox, DeliveryError> {
    raw.parse::<Mailbox>()
        .map_err(|error| DeliveryError::Permanent(format!("bad {role} address `{raw}`: {error}")))
}

fn build(mail: &OutgoingMail) -> Result<Message, DeliveryError> {
    let mut builder = Message::builder()
        .message_id(Some(mail.message_id.clone()))
        .from(mailbox(&mail.from, "From")?)
        .subject(mail.subject.clone())
        .header(ContentType::TEXT_PLAIN);
    for to in &mail.to {
        builder = builder.to(mailbox(to, "To")?);
    }
    if let Some(reply_to) = &mail.reply_to {
        builder = builder.reply_to(mailbox(reply_to, "Reply-To")?);
    }
    builder
        .body(mail.body.clone())
        .map_err(|error| DeliveryError::Permanent(format!("the mail cannot be built: {error}")))
}

fn classify(error: &lettre::transport::smtp::Error) -> DeliveryError {
    // The error's Display can include the server's greeting but never the AUTH password.
    let text = error.to_string();
    if error.is_permanent() {
        DeliveryError::Permanent(text)
    } else {
        DeliveryError::Transient(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn urls_for_every_tls_mode_are_accepted() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://user:pw@127.0.0.1:587?tls=required",
            "smtp://127.0.0.1:587?tls=opportunistic",
            "smtps://mail.example.org:465",
        ] {
            assert!(SmtpMailer::from_url(url, None).is_ok(), "{url}");
        }
        assert!(SmtpMailer::from_url("http://example.org", None).is_err());
        assert!(SmtpMailer::from_url("smtp://127.0.0.1:587?tls=required", Some(b"not pem")).is_err());
    }

    #[test]
    fn messages_carry_their_message_id() {
        let mail = OutgoingMail {
            message_id: "<abc@example.org>".into(),
            from: "Steward <steward@localhost>".into(),
            to: vec!["alice@example.org".into()],
            subject: "Hello".into(),
            body: "Body".into(),
            reply_to: None,
            sensitive: false,
        };
        let formatted = String::from_utf8(build(&mail).unwrap().formatted()).unwrap();
        assert!(formatted.contains("Message-ID: <abc@example.org>"), "{formatted}");
        assert!(formatted.contains("Subject: Hello"), "{formatted}");
    }
}
