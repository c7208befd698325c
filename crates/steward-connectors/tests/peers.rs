//! The connectors against the real peers of `tests/peers/`: Kannel with a fake SMSC, smsd
//! in its testing mode, and slapd. Each test starts its own peer (own directory, own ports)
//! and a guard stops it with the script's `stop`, even when the test fails.
//!
//! Needs the Debian packages `kannel kannel-extras smstools slapd ldap-utils kamailio
//! kamailio-sqlite-modules kamailio-postgres-modules sip-tester` (see `tests/peers/README.md`).

// Helpers outside #[test] functions are test code too (as in crates/steward/tests/api).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use secrecy::SecretString;
use steward_connectors::DeliveryError;
use steward_connectors::OutgoingSms;
use steward_connectors::kannel::{DeliveryReports, KannelSender};
use steward_connectors::ldap::{
    LdapAuthenticator, LdapBindSettings, LdapError, LdapSearchAuthenticator, LdapSearchSettings,
};
use steward_connectors::smstools::SmstoolsSpool;

/// A peer started by `tests/peers/<name>.sh start`, stopped by `stop` when dropped.
struct Peer {
    /// The script, e.g. `…/tests/peers/kannel.sh`.
    script: PathBuf,
    /// What `start` printed as `export K=V` lines.
    exports: HashMap<String, String>,
    /// The state directory `stop` takes.
    dir: String,
}

impl Peer {
    fn start(name: &str, dir_variable: &str) -> Self {
        Self::start_with(name, dir_variable, &[])
    }

    fn start_with(name: &str, dir_variable: &str, env: &[(&str, &str)]) -> Self {
        let script =
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/peers")).join(format!("{name}.sh"));
        let output = Command::new("bash")
            .arg(&script)
            .arg("start")
            .envs(env.iter().copied())
            .stderr(Stdio::inherit())
            .output()
            .unwrap_or_else(|error| panic!("cannot run {}: {error}", script.display()));
        assert!(output.status.success(), "{name}.sh start failed (are its Debian packages installed?)");
        let exports: HashMap<String, String> = String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .filter_map(|line| line.strip_prefix("export "))
            .filter_map(|assignment| assignment.split_once('='))
            .map(|(key, value)| (key.to_owned(), value.trim_matches('\'').to_owned()))
            .collect();
        let dir = exports.get(dir_variable).unwrap_or_else(|| panic!("{name}.sh printed no {dir_variable}")).clone();
        Self { script, exports, dir }
    }

    fn var(&self, key: &str) -> &str {
        self.exports.get(key).unwrap_or_else(|| panic!("no {key} in {:?}", self.exports))
    }

    /// Runs one of the script's commands that take the state directory, e.g. `received`.
    fn run(&self, command: &str) -> String {
        let output = Command::new("bash").arg(&self.script).arg(command).arg(&self.dir).output().unwrap();
        assert!(output.status.success(), "{command}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let stopped = Command::new("bash").arg(&self.script).arg("stop").arg(&self.dir).status();
        if !matches!(stopped, Ok(status) if status.success()) {
            eprintln!("could not stop the peer in {}: {stopped:?}", self.dir);
        }
    }
}

/// Polls `check` every 100 ms until it returns something or `limit` passes.
async fn eventually<T>(limit: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(found) = check() {
            return Some(found);
        }
        if Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn sms(to: &str, text: &str) -> OutgoingSms {
    OutgoingSms { to: to.into(), text: text.into(), report_reference: None }
}

// ---------------------------------------------------------------------------------------
// Kannel

fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn kannel_sender(kannel: &Peer, password: &str) -> KannelSender {
    install_crypto_provider();
    KannelSender::new(
        kannel.var("KANNEL_SENDSMS_URL"),
        kannel.var("KANNEL_USER"),
        SecretString::from(password.to_owned()),
        "Steward",
    )
    .unwrap()
}

/// fakesmsc prints a UCS-2 text as URL-encoded UTF-16BE: `%04%3F%00+` is "п ", the byte
/// 0x20 printed as `+`.
fn decode_ucs2(escaped: &str) -> String {
    let mut bytes = Vec::new();
    let mut rest = escaped.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        if first == b'%' && tail.len() >= 2 {
            bytes.push(u8::from_str_radix(std::str::from_utf8(&tail[..2]).unwrap(), 16).unwrap());
            rest = &tail[2..];
        } else {
            bytes.push(if first == b'+' { b' ' } else { first });
            rest = tail;
        }
    }
    let units: Vec<u16> = bytes.chunks(2).map(|pair| u16::from_be_bytes([pair[0], pair[1]])).collect();
    String::from_utf16(&units).unwrap()
}

#[tokio::test]
async fn kannel_delivers_gsm_and_ucs2_texts_to_the_smsc() {
    let kannel = Peer::start("kannel", "KANNEL_PEER_DIR");
    let sender = kannel_sender(&kannel, kannel.var("KANNEL_PASSWORD"));
    sender.probe().await.unwrap();
    sender.send(&sms("+33612345678", "Your code is 1234, é & ü €")).await.unwrap();
    sender.send(&sms("+33698765432", "Привет ✓")).await.unwrap();

    let received = eventually(Duration::from_secs(5), || {
        let lines: Vec<String> = kannel.run("received").lines().map(str::to_owned).collect();
        (lines.len() >= 2).then_some(lines)
    })
    .await
    .expect("the fake SMSC did not get both messages within 5 s");
    assert_eq!(received.len(), 2, "{received:?}");
    // "FROM TO TYPE TEXT"; GSM-7 texts stay Kannel's default coding.
    assert_eq!(received[0], "Steward +33612345678 text Your code is 1234, é & ü €");
    let ucs2 = received[1].strip_prefix("Steward +33698765432 ucs-2 ").unwrap_or_else(|| panic!("{received:?}"));
    assert_eq!(decode_ucs2(ucs2), "Привет ✓");
}

#[tokio::test]
async fn kannel_calls_the_delivery_report_url_back() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let kannel = Peer::start("kannel", "KANNEL_PEER_DIR");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let reports = DeliveryReports {
        mask: 31,
        url: format!("http://127.0.0.1:{}/dlr?to=%p", listener.local_addr().unwrap().port()),
    };
    let sender = kannel_sender(&kannel, kannel.var("KANNEL_PASSWORD")).with_delivery_reports(reports);
    // Without a reference, no report is asked for.
    sender.send(&sms("+33612345670", "No report")).await.unwrap();
    let reported = OutgoingSms { report_reference: Some("42-abc".into()), ..sms("+33612345678", "Report back") };
    sender.send(&reported).await.unwrap();

    // The fake SMSC reports "SMSC accepted" (8), then "delivered" (1).
    let mut callbacks = Vec::new();
    while callbacks.len() < 2 {
        let (connection, _) = tokio::time::timeout(Duration::from_secs(5), listener.accept())
            .await
            .unwrap_or_else(|_| panic!("no delivery report within 5 s; got {callbacks:?}"))
            .unwrap();
        let mut connection = BufReader::new(connection);
        let mut request_line = String::new();
        connection.read_line(&mut request_line).await.unwrap();
        connection.get_mut().write_all(b"HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n").await.unwrap();
        callbacks.push(request_line.trim_end().to_owned());
    }
    callbacks.sort();
    assert_eq!(
        callbacks,
        ["GET /dlr?to=%2B33612345678&ref=42-abc&type=1 HTTP/1.1", "GET /dlr?to=%2B33612345678&ref=42-abc&type=8 HTTP/1.1"]
    );
    // …and nothing for the SMS that asked for none.
    assert!(tokio::time::timeout(Duration::from_secs(1), listener.accept()).await.is_err(), "an unrequested report");
}

#[tokio::test]
async fn kannel_refuses_a_wrong_password_for_good() {
    let kannel = Peer::start("kannel", "KANNEL_PEER_DIR");
    let sender = kannel_sender(&kannel, "wrong-password");
    let sent = sender.send(&sms("+33612345678", "Hello")).await;
    let Err(DeliveryError::Permanent(message)) = sent else { panic!("{sent:?}") };
    assert!(message.contains("Authorization failed"), "{message}");
    assert!(!message.contains("wrong-password"), "{message}");
    assert!(matches!(sender.probe().await, Err(DeliveryError::Permanent(_))));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(kannel.run("received"), "", "nothing may reach the SMSC");
}

#[tokio::test]
async fn kannel_stopped_is_transient() {
    let kannel = Peer::start("kannel", "KANNEL_PEER_DIR");
    let sender = kannel_sender(&kannel, kannel.var("KANNEL_PASSWORD"));
    sender.send(&sms("+33612345678", "Before")).await.unwrap();
    drop(kannel);
    let sent = sender.send(&sms("+33612345678", "After")).await;
    let Err(DeliveryError::Transient(message)) = sent else { panic!("{sent:?}") };
    assert!(!message.contains("testpw"), "{message}");
    assert!(matches!(sender.probe().await, Err(DeliveryError::Transient(_))));
}

// ---------------------------------------------------------------------------------------
// smstools

#[tokio::test]
async fn smsd_takes_the_spool_file_and_sends_it_as_ucs2_when_needed() {
    let smstools = Peer::start("smstools", "SMSTOOLS_PEER_DIR");
    let spool = SmstoolsSpool::new(smstools.var("SMSTOOLS_OUTGOING"));
    spool.probe().await.unwrap();
    spool.send(&sms("+33612345678", "Héllo € привет")).await.unwrap();

    let sent_dir = PathBuf::from(smstools.var("SMSTOOLS_SENT"));
    // smsd's simulated send takes 6–14 s.
    // smsd writes `<name>.LOCK` (its pid and modem) beside the file while it works on it:
    // wait for the file itself, with the lock gone.
    let sent = eventually(Duration::from_secs(40), || {
        let names: Vec<PathBuf> = std::fs::read_dir(&sent_dir).unwrap().map(|entry| entry.unwrap().path()).collect();
        let locked = names.iter().any(|path| path.extension().is_some_and(|extension| extension == "LOCK"));
        if locked {
            return None;
        }
        // …and until smsd has finished writing it.
        names.into_iter().find(|path| std::fs::read_to_string(path).is_ok_and(|text| text.contains("\nSent: ")))
    })
    .await
    .unwrap_or_else(|| {
        let log = std::fs::read_to_string(PathBuf::from(&smstools.dir).join("smsd.log")).unwrap_or_default();
        panic!("smsd sent nothing within 40 s; its log:\n{log}")
    });
    assert!(sent.file_name().unwrap().to_str().unwrap().starts_with("steward-"), "{}", sent.display());
    let file = std::fs::read_to_string(&sent).unwrap();
    assert!(file.starts_with("To: 33612345678\nAlphabet: UTF-8\n"), "{file}");
    assert!(file.contains("Modem: GSM1") && file.contains("\nSent: "), "{file}");
    assert!(file.ends_with("\n\nHéllo € привет"), "{file}");
    assert_eq!(std::fs::read_dir(smstools.var("SMSTOOLS_FAILED")).unwrap().count(), 0);
    let log = std::fs::read_to_string(PathBuf::from(&smstools.dir).join("smsd.log")).unwrap();
    assert!(log.contains("converting to UCS2"), "{log}");
}

// ---------------------------------------------------------------------------------------
// LDAP

fn direct(slapd: &Peer) -> LdapAuthenticator {
    LdapAuthenticator::new(LdapBindSettings {
        uri: slapd.var("LDAP_URI").to_owned(),
        bind_dn_template: slapd.var("LDAP_USER_DN_TEMPLATE").to_owned(),
        starttls: false,
        extra_roots_pem: None,
    })
    .unwrap()
}

fn searching(slapd: &Peer, service: Option<(&str, &str)>) -> LdapSearchAuthenticator {
    LdapSearchAuthenticator::new(LdapSearchSettings {
        uri: slapd.var("LDAP_URI").to_owned(),
        base_dn: slapd.var("LDAP_BASE_DN").to_owned(),
        filter_attribute: "uid".to_owned(),
        service_bind_dn: service.map(|(dn, _)| dn.to_owned()),
        service_password: service.map(|(_, password)| SecretString::from(password.to_owned())),
        starttls: false,
        extra_roots_pem: None,
    })
    .unwrap()
}

#[tokio::test]
async fn direct_bind_takes_the_right_password_only() {
    let slapd = Peer::start("slapd", "LDAP_PEER_DIR");
    let ldap = direct(&slapd);
    assert_eq!(ldap.verify("alice", "alicepw").await, Ok(()));
    assert_eq!(ldap.verify("bob", "bobpw").await, Ok(()));
    assert_eq!(ldap.verify("alice", "bobpw").await, Err(LdapError::InvalidCredentials));
    assert_eq!(ldap.verify("nobody", "alicepw").await, Err(LdapError::InvalidCredentials));
    // carol has no userPassword: nothing can bind as her.
    assert_eq!(ldap.verify("carol", "anything").await, Err(LdapError::InvalidCredentials));
    assert_eq!(ldap.verify("alice", "").await, Err(LdapError::InvalidCredentials));
    assert_eq!(ldap.verify("carol", "").await, Err(LdapError::InvalidCredentials));
}

#[tokio::test]
async fn logins_cannot_rewrite_the_dn() {
    let slapd = Peer::start("slapd", "LDAP_PEER_DIR");
    let ldap = direct(&slapd);
    for login in ["alice,ou=people,dc=example,dc=org", "alice,", "*", "alice)(uid=*", "alice+cn=x", "uid=alice"] {
        assert_eq!(ldap.verify(login, "alicepw").await, Err(LdapError::InvalidCredentials), "{login}");
    }
    // The admin's DN, reached by a login that tries to leave ou=people.
    let rooted = LdapAuthenticator::new(LdapBindSettings {
        uri: slapd.var("LDAP_URI").to_owned(),
        bind_dn_template: "cn=${login},dc=example,dc=org".to_owned(),
        starttls: false,
        extra_roots_pem: None,
    })
    .unwrap();
    assert_eq!(rooted.verify("admin", "adminpw").await, Ok(()));
    assert_eq!(rooted.verify("admin,dc=example", "adminpw").await, Err(LdapError::InvalidCredentials));
}

#[tokio::test]
async fn an_empty_password_is_refused_without_contacting_the_server() {
    // A port nothing listens on: reaching for it would be Unavailable, not InvalidCredentials.
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let uri = format!("ldap://127.0.0.1:{closed_port}");
    let ldap = LdapAuthenticator::new(LdapBindSettings {
        uri: uri.clone(),
        bind_dn_template: "uid=${login},ou=people,dc=example,dc=org".to_owned(),
        starttls: false,
        extra_roots_pem: None,
    })
    .unwrap();
    assert_eq!(ldap.verify("alice", "").await, Err(LdapError::InvalidCredentials));
    assert!(matches!(ldap.verify("alice", "alicepw").await, Err(LdapError::Unavailable(_))));
    let search = LdapSearchAuthenticator::new(LdapSearchSettings {
        uri,
        base_dn: "dc=example,dc=org".to_owned(),
        filter_attribute: "uid".to_owned(),
        service_bind_dn: None,
        service_password: None,
        starttls: false,
        extra_roots_pem: None,
    })
    .unwrap();
    assert_eq!(search.verify("alice", "").await, Err(LdapError::InvalidCredentials));
    assert!(matches!(search.verify("alice", "alicepw").await, Err(LdapError::Unavailable(_))));
}

#[tokio::test]
async fn a_stopped_directory_is_unavailable() {
    let slapd = Peer::start("slapd", "LDAP_PEER_DIR");
    let ldap = direct(&slapd);
    let search = searching(&slapd, None);
    assert_eq!(ldap.verify("alice", "alicepw").await, Ok(()));
    drop(slapd);
    assert!(matches!(ldap.verify("alice", "alicepw").await, Err(LdapError::Unavailable(_))));
    assert!(matches!(search.verify("alice", "alicepw").await, Err(LdapError::Unavailable(_))));
}

#[tokio::test]
async fn starttls_on_a_server_without_tls_fails_instead_of_binding_in_clear() {
    let slapd = Peer::start("slapd", "LDAP_PEER_DIR");
    let ldap = LdapAuthenticator::new(LdapBindSettings {
        uri: slapd.var("LDAP_URI").to_owned(),
        bind_dn_template: slapd.var("LDAP_USER_DN_TEMPLATE").to_owned(),
        starttls: true,
        extra_roots_pem: None,
    })
    .unwrap();
    let verified = ldap.verify("alice", "alicepw").await;
    assert!(matches!(verified, Err(LdapError::Unavailable(_))), "{verified:?}");
}

#[tokio::test]
async fn search_then_bind_finds_alice_and_returns_her_contact_details() {
    let slapd = Peer::start("slapd", "LDAP_PEER_DIR");
    let service = (slapd.var("LDAP_ADMIN_DN"), slapd.var("LDAP_ADMIN_PASSWORD"));
    for ldap in [searching(&slapd, None), searching(&slapd, Some(service))] {
        let alice = ldap.verify("alice", "alicepw").await.unwrap();
        assert_eq!(alice.dn, "uid=alice,ou=people,dc=example,dc=org");
        assert_eq!(alice.mail.as_deref(), Some("alice@example.org"));
        assert_eq!(alice.telephone_number.as_deref(), Some("+33612345678"));
        let bob = ldap.verify("bob", "bobpw").await.unwrap();
        assert_eq!((bob.mail.as_deref(), bob.telephone_number), (Some("bob@example.org"), None));
        assert_eq!(ldap.verify("alice", "wrong").await, Err(LdapError::InvalidCredentials));
        assert_eq!(ldap.verify("carol", "anything").await, Err(LdapError::InvalidCredentials));
        assert_eq!(ldap.verify("nobody", "alicepw").await, Err(LdapError::InvalidCredentials));
        // Unescaped, `ali*` would find alice and bind as her; `*` would match every entry.
        for login in ["ali*", "*", "*)(uid=*", "alice)(|(uid=*", "alice,ou=people"] {
            assert_eq!(ldap.verify(login, "alicepw").await, Err(LdapError::InvalidCredentials), "{login}");
        }
    }
    let refused_service = searching(&slapd, Some((service.0, "wrong")));
    assert!(matches!(refused_service.verify("alice", "alicepw").await, Err(LdapError::Setup(_))));
}

// ---------------------------------------------------------------------------------------
// LDAP over TLS. slapd.sh starts slapd without TLS, so a TLS front made here terminates
// `ldaps://` (or answers StartTLS itself, then terminates TLS) and relays the plain LDAP to
// the real slapd: binds still go to slapd, and the connector's certificate checks are real.

/// A private CA and a certificate it signed for `127.0.0.1` (only: no `localhost`), made with
/// the openssl command line.
struct TestCertificates {
    ca_pem: Vec<u8>,
    server_chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    server_key: rustls::pki_types::PrivateKeyDer<'static>,
}

fn make_certificates() -> TestCertificates {
    use rustls::pki_types::pem::PemObject;
    let dir = std::env::temp_dir().join(format!("steward-ldap-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    let openssl = |args: &[&str]| {
        let output = Command::new("openssl").args(args).current_dir(&dir).output().expect("openssl is needed");
        assert!(output.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    };
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    openssl(
        &[
            &["req", "-x509"][..],
            &ec,
            &["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Steward test CA"],
        ]
        .concat(),
    );
    openssl(&[&["req"][..], &ec, &["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"]].concat());
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    ]);
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    let certificates = TestCertificates {
        ca_pem: read("ca.pem"),
        server_chain: rustls::pki_types::CertificateDer::pem_slice_iter(&read("server.pem"))
            .collect::<Result<_, _>>()
            .unwrap(),
        server_key: rustls::pki_types::PrivateKeyDer::from_pem_slice(&read("server.key")).unwrap(),
    };
    std::fs::remove_dir_all(&dir).unwrap();
    certificates
}

/// How the TLS front starts TLS.
#[derive(Clone, Copy)]
enum TlsFront {
    /// At once, as `ldaps://` does.
    Implicit,
    /// After answering the client's StartTLS extended request with success.
    StartTls,
}

/// Listens on a free port and relays every connection, TLS removed, to `slapd_port`.
/// Returns the port; the task lives as long as the test's runtime.
async fn tls_front(kind: TlsFront, certificates: &TestCertificates, slapd_port: u16) -> u16 {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certificates.server_chain.clone(), certificates.server_key.clone_key())
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let TlsFront::StartTls = kind {
                    answer_starttls(&mut client).await;
                }
                // A client that refuses the certificate ends the handshake: nothing to relay.
                let Ok(mut tls) = acceptor.accept(client).await else { return };
                let mut slapd = tokio::net::TcpStream::connect(("127.0.0.1", slapd_port)).await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut slapd).await;
            });
        }
    });
    port
}

/// Reads one LDAP message (the StartTLS ExtendedRequest) and answers it with an
/// ExtendedResponse `success` carrying the same message ID, as a StartTLS server does.
async fn answer_starttls(client: &mut tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // LDAPMessage ::= SEQUENCE { messageID INTEGER, protocolOp … }; short BER lengths only,
    // which is what ldap3 sends for this request.
    let mut header = [0u8; 2];
    client.read_exact(&mut header).await.unwrap();
    assert_eq!(header[0], 0x30, "not an LDAP message");
    let mut message = vec![0u8; usize::from(header[1])];
    client.read_exact(&mut message).await.unwrap();
    assert!(message.windows(22).any(|window| window == b"1.3.6.1.4.1.1466.20037"), "not StartTLS");
    assert_eq!(message[0], 0x02, "no message ID");
    let id = &message[2..2 + usize::from(message[1])];
    // extendedResp [APPLICATION 24] { resultCode success, matchedDN "", diagnosticMessage "" }
    let operation = [0x78, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00];
    let mut body = vec![0x02, u8::try_from(id.len()).unwrap()];
    body.extend_from_slice(id);
    body.extend_from_slice(&operation);
    let mut response = vec![0x30, u8::try_from(body.len()).unwrap()];
    response.extend_from_slice(&body);
    client.write_all(&response).await.unwrap();
}

fn over_tls(uri: String, starttls: bool, extra_roots_pem: Option<Vec<u8>>) -> LdapAuthenticator {
    LdapAuthenticator::new(LdapBindSettings {
        uri,
        bind_dn_template: "uid=${login},ou=people,dc=example,dc=org".to_owned(),
        starttls,
        extra_roots_pem,
    })
    .unwrap()
}

#[tokio::test]
async fn ldaps_and_starttls_verify_the_certificate() {
    let slapd = Peer::start("slapd", "LDAP_PEER_DIR");
    let slapd_port: u16 = slapd.var("LDAP_PORT").parse().unwrap();
    let certificates = make_certificates();
    let ca = Some(certificates.ca_pem.clone());
    let ldaps = tls_front(TlsFront::Implicit, &certificates, slapd_port).await;
    let starttls = tls_front(TlsFront::StartTls, &certificates, slapd_port).await;

    for (uri, use_starttls) in
        [(format!("ldaps://127.0.0.1:{ldaps}"), false), (format!("ldap://127.0.0.1:{starttls}"), true)]
    {
        let trusted = over_tls(uri.clone(), use_starttls, ca.clone());
        assert_eq!(trusted.verify("alice", "alicepw").await, Ok(()), "{uri}");
        assert_eq!(trusted.verify("alice", "wrong").await, Err(LdapError::InvalidCredentials), "{uri}");

        // The system's roots do not know the test CA.
        let untrusted = over_tls(uri.clone(), use_starttls, None).verify("alice", "alicepw").await;
        let Err(LdapError::Unavailable(message)) = untrusted else { panic!("{uri}: {untrusted:?}") };
        assert!(message.contains("UnknownIssuer"), "{message}");

        // Trusted CA, wrong name: the certificate is for 127.0.0.1, not localhost.
        let renamed = uri.replace("127.0.0.1", "localhost");
        let wrong_name = over_tls(renamed.clone(), use_starttls, ca.clone()).verify("alice", "alicepw").await;
        let Err(LdapError::Unavailable(message)) = wrong_name else { panic!("{renamed}: {wrong_name:?}") };
        assert!(message.contains("not valid for name"), "{message}");
    }
}

// ---------------------------------------------------------------------------------------
// Kamailio

/// A SIPp check of `kamailio.sh` (`register`, `refused`, `alias`) against `kamailio`.
fn sip_check(kamailio: &Peer, check: &str, first: &str, second: &str) -> bool {
    let mut command = Command::new("bash");
    command.arg(&kamailio.script).args([check, first, second]);
    for (key, value) in &kamailio.exports {
        command.env(key, value);
    }
    command.stdout(Stdio::null()).stderr(Stdio::null()).status().unwrap().success()
}

/// The connector's writes are what Kamailio itself reads: a REGISTER with the password
/// succeeds right after the insert, fails after a change of password or a removal, and an
/// alias resolves right after it is added and stops when its user goes.
async fn kamailio_reads_what_the_connector_writes(kamailio: Peer, url: &str) {
    use steward_connectors::kamailio::KamailioDb;
    use steward_model::sip::{SipAddress, SipDomain, SipPassword};
    let db = KamailioDb::connect(url).await.unwrap();
    let domain = SipDomain::parse(kamailio.var("KAMAILIO_DOMAIN")).unwrap();
    assert!(db.serves(&domain).await.unwrap());
    assert!(!db.serves(&SipDomain::parse("elsewhere.example").unwrap()).await.unwrap());
    let bob = SipAddress::parse(&format!("bob@{domain}")).unwrap();
    let carol = SipAddress::parse(&format!("carol@{domain}")).unwrap();
    assert!(!db.has_subscriber(&bob).await.unwrap());
    db.add_subscribers(&[(bob.clone(), SipPassword::parse("bob-pw-1").unwrap()), (carol.clone(), SipPassword::parse("carol-pw").unwrap())], true)
        .await
        .unwrap();
    assert!(db.has_subscriber(&bob).await.unwrap());
    assert!(sip_check(&kamailio, "register", "bob", "bob-pw-1"), "bob registers right after the insert");
    assert!(sip_check(&kamailio, "register", "carol", "carol-pw"));
    assert!(sip_check(&kamailio, "refused", "bob", "wrong"));
    // A new password: the old one is refused at once, the new one works.
    assert!(db.set_password(&bob, &SipPassword::parse("bob-pw-2").unwrap(), true).await.unwrap());
    assert!(sip_check(&kamailio, "refused", "bob", "bob-pw-1"));
    assert!(sip_check(&kamailio, "register", "bob", "bob-pw-2"));
    // Aliases resolve at once.
    let alias = SipAddress::parse(&format!("+4761123456@{domain}")).unwrap();
    db.add_alias(&alias, &bob).await.unwrap();
    assert!(sip_check(&kamailio, "alias", "+4761123456", "bob"));
    let listed = db.aliases().await.unwrap();
    assert!(listed.iter().any(|row| row.alias == alias && row.destination == bob), "{listed:?}");
    // Removing bob takes his alias with him; carol is untouched.
    let (removed, aliases) = db.remove_subscriber(&bob).await.unwrap();
    assert!(removed);
    assert_eq!(aliases, std::slice::from_ref(&alias));
    assert!(sip_check(&kamailio, "refused", "bob", "bob-pw-2"));
    assert!(!sip_check(&kamailio, "alias", "+4761123456", "bob"));
    assert!(sip_check(&kamailio, "register", "carol", "carol-pw"));
    assert!(!db.remove_alias(&alias).await.unwrap() && !db.set_password(&bob, &SipPassword::parse("x-pw-123").unwrap(), true).await.unwrap());
    // Digests only (calculate_ha1=0 set-ups keep no clear text).
    let subscribers = db.subscribers().await.unwrap();
    let carol_row = subscribers.iter().find(|row| row.address == carol).unwrap();
    assert_eq!(carol_row.ha1, steward_connectors::kamailio::ha1(&carol, "carol-pw"));
    assert_eq!(carol_row.password, "carol-pw");
    // The seeded alice (kamctl's rows) reads back as a SIP address too.
    assert!(subscribers.iter().any(|row| row.address.user.as_str() == "alice"), "{subscribers:?}");
}

#[tokio::test]
async fn kamailio_on_sqlite_reads_what_the_connector_writes() {
    let kamailio = Peer::start("kamailio", "KAMAILIO_PEER_DIR");
    let url = format!("sqlite://{}", kamailio.var("KAMAILIO_SQLITE"));
    kamailio_reads_what_the_connector_writes(kamailio, &url).await;
}

#[tokio::test]
async fn kamailio_with_digests_only_registers_without_clear_text() {
    // KAMAILIO_AUTH=ha1: auth_db reads ha1/ha1b (calculate_ha1=0); the password column stays empty.
    let kamailio = Peer::start_with("kamailio", "KAMAILIO_PEER_DIR", &[("KAMAILIO_AUTH", "ha1")]);
    use steward_connectors::kamailio::KamailioDb;
    use steward_model::sip::{SipAddress, SipPassword};
    let db = KamailioDb::connect(&format!("sqlite://{}", kamailio.var("KAMAILIO_SQLITE"))).await.unwrap();
    let dave = SipAddress::parse(&format!("dave@{}", kamailio.var("KAMAILIO_DOMAIN"))).unwrap();
    db.add_subscribers(&[(dave.clone(), SipPassword::parse("dave-pw-1").unwrap())], false).await.unwrap();
    assert!(sip_check(&kamailio, "register", "dave", "dave-pw-1"));
    assert!(sip_check(&kamailio, "refused", "dave", "nope"));
    let rows = db.subscribers().await.unwrap();
    assert_eq!(rows.iter().find(|row| row.address == dave).unwrap().password, "", "no clear text kept");
}

#[tokio::test]
async fn kamailio_on_postgres_reads_what_the_connector_writes() {
    let admin = std::env::var("STEWARD_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let url = url::Url::parse(&admin).unwrap();
    let database = format!("kamailio_{}", uuid::Uuid::new_v4().simple());
    let env = [
        ("KAMAILIO_DB", "postgres".to_owned()),
        ("PGHOST", url.host_str().unwrap_or("127.0.0.1").to_owned()),
        ("PGPORT", url.port().unwrap_or(5432).to_string()),
        ("PGUSER", if url.username().is_empty() { "postgres".to_owned() } else { url.username().to_owned() }),
        ("KAMAILIO_PG_DB", database.clone()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let kamailio = Peer::start_with("kamailio", "KAMAILIO_PEER_DIR", &env);
    let pg_url = kamailio.var("KAMAILIO_PG_URL").to_owned();
    kamailio_reads_what_the_connector_writes(kamailio, &pg_url).await;
    let _ = Command::new("psql").args([admin.as_str(), "-qAt", "-c", &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")]).output();
}
