//! SIP provisioning values, parsed once so nothing downstream can hold a wrong one: user
//! parts, domains, addresses, MAC addresses and the free texts that end up in SIP headers
//! and phone configuration files (Hermes' rules, docs/faces/hermes.md §1.5). Kamailio's
//! column sizes bound the lengths.

use std::fmt;

use crate::ParseError;

/// The characters RFC 3261 allows unescaped in a user part: unreserved and user-unreserved.
fn is_user_char(character: char) -> bool {
    character.is_ascii_alphanumeric() || "-_.!~*'()&=+$,;?/".contains(character)
}

/// The user part of a SIP address (`alice` in `alice@example.org`): 1–64 characters, case
/// kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct SipUser(String);

impl SipUser {
    /// The longest user part: Kamailio's `subscriber.username` is 64 characters.
    pub const MAX_LEN: usize = 64;

    /// Parses a user part.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        if raw.is_empty() || raw.len() > Self::MAX_LEN {
            return Err(ParseError(format!("a SIP user name is 1 to {} characters", Self::MAX_LEN)));
        }
        if let Some(bad) = raw.chars().find(|character| !is_user_char(*character)) {
            return Err(ParseError(format!(
                "`{bad}` cannot appear in a SIP user name (letters, digits and -_.!~*'()&=+$,;?/ only)"
            )));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The user part.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SipUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A SIP domain: a host name or an IPv4 literal, at most 64 characters, kept lower-case so
/// it compares as DNS does.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct SipDomain(String);

impl SipDomain {
    /// The longest domain: Kamailio's `domain.domain` is 64 characters.
    pub const MAX_LEN: usize = 64;

    /// Parses a domain, folding it to lower case.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let refused = || ParseError(format!("`{raw}` is not a domain: a host name such as sip.example.org, or an IPv4 address"));
        if raw.is_empty() || raw.len() > Self::MAX_LEN {
            return Err(ParseError(format!("a SIP domain is 1 to {} characters", Self::MAX_LEN)));
        }
        if raw.parse::<std::net::Ipv4Addr>().is_ok() {
            return Ok(Self(raw.to_owned()));
        }
        let labels_fit = raw.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
        });
        // A name whose last label is all digits would read as a broken IPv4 address.
        let last_is_numeric = raw.rsplit('.').next().is_some_and(|label| label.bytes().all(|byte| byte.is_ascii_digit()));
        if !labels_fit || last_is_numeric {
            return Err(refused());
        }
        Ok(Self(raw.to_ascii_lowercase()))
    }

    /// The domain, lower-case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SipDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A SIP address `user@domain`: written without `sip:`, read with or without it; no port,
/// parameters or display name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SipAddress {
    /// The user part.
    pub user: SipUser,
    /// The domain.
    pub domain: SipDomain,
}

impl SipAddress {
    /// Parses `alice@example.org` or `sip:alice@example.org`.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let bare = raw.strip_prefix("sip:").unwrap_or(raw);
        let Some((user, domain)) = bare.split_once('@') else {
            return Err(ParseError(format!("`{raw}` is not a SIP address: user@domain")));
        };
        let user = SipUser::parse(user).map_err(|error| ParseError(format!("`{raw}` is not a SIP address: {error}")))?;
        let domain = SipDomain::parse(domain).map_err(|error| ParseError(format!("`{raw}` is not a SIP address: {error}")))?;
        Ok(Self { user, domain })
    }

    /// The address from its parts.
    pub fn new(user: SipUser, domain: SipDomain) -> Self {
        Self { user, domain }
    }

    /// The address from a user part and a domain given apart (`username` + `domain`).
    pub fn from_parts(user: &str, domain: &str) -> Result<Self, ParseError> {
        Ok(Self { user: SipUser::parse(user)?, domain: SipDomain::parse(domain)? })
    }
}

impl fmt::Display for SipAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.user, self.domain)
    }
}

/// A phone's MAC address, kept as twelve lower-case hex digits (`f00ba2ba5c00`); read plain
/// or as six colon-separated pairs, in either case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct MacAddress(String);

impl MacAddress {
    /// Parses `f00ba2ba5c00` or `F0:0B:A2:BA:5C:00`.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let refused = || ParseError(format!("`{raw}` is not a MAC address: 12 hex digits, plain or as six pairs joined by ':'"));
        let digits: String = if raw.len() == 17 {
            let pairs: Vec<&str> = raw.split(':').collect();
            if pairs.len() != 6 || pairs.iter().any(|pair| pair.len() != 2) {
                return Err(refused());
            }
            pairs.concat()
        } else {
            raw.to_owned()
        };
        if digits.len() != 12 || !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return Err(refused());
        }
        Ok(Self(digits.to_ascii_lowercase()))
    }

    /// The twelve lower-case digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MacAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A free text that ends up in a SIP header or a phone's configuration file: no control
/// characters and no `"`, 1 to `max` characters.
fn header_text(raw: &str, what: &str, max: usize) -> Result<String, ParseError> {
    let length = raw.chars().count();
    if length == 0 || length > max {
        return Err(ParseError(format!("a {what} is 1 to {max} characters")));
    }
    if raw.chars().any(|character| character.is_control() || character == '"') {
        return Err(ParseError(format!("a {what} cannot hold control characters or '\"'")));
    }
    Ok(raw.to_owned())
}

macro_rules! text_value {
    ($(#[$doc:meta])* $name:ident, $what:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The longest value.
            pub const MAX_LEN: usize = $max;

            /// Parses the value.
            pub fn parse(raw: &str) -> Result<Self, ParseError> {
                header_text(raw, $what, $max).map(Self)
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}

text_value!(
    /// A SIP account's display name (`From: "Alice" <sip:…>`).
    DisplayName,
    "display name",
    128
);
text_value!(
    /// The text a phone shows on its line key.
    LineText,
    "line text",
    64
);
text_value!(
    /// A phone's dial plan (a digit map or pattern such as `(.*)`).
    Dialplan,
    "dial plan",
    255
);

/// A SIP password: 1–64 printable ASCII characters, no spaces (Kamailio's `password` is 64).
#[derive(Clone, PartialEq, Eq)]
pub struct SipPassword(String);

impl fmt::Debug for SipPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SipPassword(<redacted>)")
    }
}

impl SipPassword {
    /// The longest password.
    pub const MAX_LEN: usize = 64;

    /// Parses a password.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        if raw.is_empty() || raw.len() > Self::MAX_LEN {
            return Err(ParseError(format!("a SIP password is 1 to {} characters", Self::MAX_LEN)));
        }
        if !raw.bytes().all(|byte| byte.is_ascii_graphic()) {
            return Err(ParseError("a SIP password is printable ASCII without spaces".to_owned()));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The password, for Kamailio's tables and the client that asked for it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A TCP/UDP port, 1–65535.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Port(u16);

impl Port {
    /// Parses a port number.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        match raw.parse::<u16>() {
            Ok(port) if port > 0 && raw.bytes().all(|byte| byte.is_ascii_digit()) => Ok(Self(port)),
            _ => Err(ParseError(format!("`{raw}` is not a port: a whole number from 1 to 65535"))),
        }
    }

    /// The number.
    pub fn get(self) -> u16 {
        self.0
    }
}

/// Whether a SIP user is a Kamailio account here or one at a foreign registrar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SipUserKind {
    /// A subscriber of the Kamailio Steward provisions.
    Local,
    /// An account at another registrar, kept for phone provisioning only.
    Remote,
}

impl SipUserKind {
    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Remote => "remote",
        }
    }

    /// The kind a stored name names.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "local" => Some(Self::Local),
            "remote" => Some(Self::Remote),
            _ => None,
        }
    }
}

/// An alias and where it leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipAlias {
    /// `alias_username@alias_domain`.
    pub alias: SipAddress,
    /// `username@domain`.
    pub destination: SipAddress,
}

/// A provisioned SIP user, as Hermes shows it. Its `Debug` leaves the password out.
#[derive(Clone, PartialEq, Eq)]
pub struct ProvisionedUser {
    /// `username@domain`.
    pub address: SipAddress,
    /// Local or remote.
    pub kind: SipUserKind,
    /// The display name.
    pub displayname: String,
    /// The e-mail of a local user.
    pub email: Option<String>,
    /// The SIP password (generated for local users, the foreign one for remote users).
    pub password: String,
    /// The digest user name.
    pub authid: String,
    /// Where the phone registers.
    pub registrar: String,
    /// Its port.
    pub r_port: u16,
    /// The outbound proxy.
    pub proxy: String,
    /// Its port.
    pub p_port: u16,
    /// The phone's dial plan.
    pub dialplan: String,
    /// The phone's line key text.
    pub linetext: String,
    /// The Steward account this SIP user belongs to (the one identity), if any.
    pub account: Option<crate::AccountId>,
}

impl fmt::Debug for ProvisionedUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProvisionedUser")
            .field("address", &self.address)
            .field("kind", &self.kind)
            .field("displayname", &self.displayname)
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .field("authid", &self.authid)
            .field("registrar", &self.registrar)
            .field("r_port", &self.r_port)
            .field("proxy", &self.proxy)
            .field("p_port", &self.p_port)
            .field("dialplan", &self.dialplan)
            .field("linetext", &self.linetext)
            .field("account", &self.account)
            .finish()
    }
}

/// One piece of a [`Glob`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlobPiece {
    /// `*`: any run of characters, none included.
    AnyRun,
    /// `?`: exactly one character.
    AnyOne,
    /// Any other character, meant literally (SQL's `%` and `_` included).
    Literal(char),
}

/// A Hermes list search: a shell-style pattern found anywhere in a value (the seed's
/// "pre-post globbing": `1234` finds every value containing 1234). The store turns it into
/// a bound, escaped pattern; nothing here is SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob(Vec<GlobPiece>);

impl Glob {
    /// The longest pattern taken.
    pub const MAX_LEN: usize = 128;

    /// Parses a search; `None` for an empty one (the same as no search).
    pub fn parse(raw: &str) -> Result<Option<Self>, ParseError> {
        if raw.is_empty() {
            return Ok(None);
        }
        if raw.chars().count() > Self::MAX_LEN {
            return Err(ParseError(format!("a search is at most {} characters", Self::MAX_LEN)));
        }
        if raw.chars().any(char::is_control) {
            return Err(ParseError("a search cannot hold control characters".to_owned()));
        }
        let pieces = raw
            .chars()
            .map(|character| match character {
                '*' => GlobPiece::AnyRun,
                '?' => GlobPiece::AnyOne,
                other => GlobPiece::Literal(other),
            })
            .collect();
        Ok(Some(Self(pieces)))
    }

    /// The pattern's pieces, with the implicit `*` at both ends.
    pub fn pieces(&self) -> impl Iterator<Item = GlobPiece> + '_ {
        std::iter::once(GlobPiece::AnyRun).chain(self.0.iter().copied()).chain(std::iter::once(GlobPiece::AnyRun))
    }

    /// The same search with every literal passed through `map` (a MAC search drops its
    /// colons and folds case; see the phone nodes).
    pub fn map_literals(&self, map: impl Fn(char) -> Option<char>) -> Self {
        Self(
            self.0
                .iter()
                .filter_map(|piece| match piece {
                    GlobPiece::Literal(character) => map(*character).map(GlobPiece::Literal),
                    other => Some(*other),
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_parts_follow_rfc_3261() {
        for good in ["alice", "Alice.Smith", "a-b_c!~*'()&=+$,;?/", "1000", &"x".repeat(64)] {
            assert_eq!(SipUser::parse(good).unwrap().as_str(), good);
        }
        for bad in ["", "a@b", "a:b", "a b", "a%20", "é", &"x".repeat(65)] {
            assert!(SipUser::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn domains_are_host_names_or_ipv4_and_fold_case() {
        assert_eq!(SipDomain::parse("SIP.Example.ORG").unwrap().as_str(), "sip.example.org");
        for good in ["localhost", "a-b.example", "10.0.0.1", "x1.example.org"] {
            assert!(SipDomain::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "-a.example", "a-.example", "a..b", "a_b.example", "10.0.0.256", "1.2.3", "ex ample.org", "example.org.", &format!("{}.org", "x".repeat(61))] {
            assert!(SipDomain::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn addresses_drop_sip_and_refuse_extras() {
        let address = SipAddress::parse("sip:Alice@Example.org").unwrap();
        assert_eq!(address.to_string(), "Alice@example.org");
        assert_eq!(SipAddress::parse("bob@10.0.0.1").unwrap().to_string(), "bob@10.0.0.1");
        for bad in ["alice", "@example.org", "alice@", "alice@example.org:5060", "alice@example.org;transport=tcp", "\"A\" <sip:a@b.org>", "sips:a@b.org", "a@b@c.org"] {
            assert!(SipAddress::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn macs_normalise_to_twelve_lower_case_digits() {
        for form in ["f00ba2ba5c00", "F00BA2BA5C00", "f0:0b:a2:ba:5c:00", "F0:0B:A2:BA:5C:00"] {
            assert_eq!(MacAddress::parse(form).unwrap().as_str(), "f00ba2ba5c00", "{form}");
        }
        for bad in ["", "f00ba2ba5c0", "f00ba2ba5c000", "f0-0b-a2-ba-5c-00", "f0:0b:a2:ba:5c:0g", "f00b:a2:ba:5c:00:0", "f0:0b:a2ba5c00", "f0.0b.a2.ba.5c.00", "g00ba2ba5c00"] {
            assert!(MacAddress::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn header_texts_refuse_quotes_and_control_characters() {
        assert!(DisplayName::parse("Alice Smith (Lyon) é").is_ok());
        assert!(DisplayName::parse(&"x".repeat(128)).is_ok());
        for bad in ["", "A \"B\"", "a\r\nVia: x", "tab\there", &"x".repeat(129)] {
            assert!(DisplayName::parse(bad).is_err(), "{bad:?}");
        }
        assert!(LineText::parse(&"x".repeat(65)).is_err());
        assert!(Dialplan::parse("(.*)").is_ok() && Dialplan::parse(&"1".repeat(256)).is_err());
    }

    #[test]
    fn a_provisioned_user_prints_without_its_password() {
        let user = ProvisionedUser {
            address: SipAddress::parse("alice@sip.example.org").unwrap(),
            kind: SipUserKind::Local,
            displayname: "Alice".to_owned(),
            email: None,
            password: "Sup3rS3cret".to_owned(),
            authid: "alice".to_owned(),
            registrar: "sip.example.org".to_owned(),
            r_port: 5060,
            proxy: "sip.example.org".to_owned(),
            p_port: 5060,
            dialplan: String::new(),
            linetext: String::new(),
            account: None,
        };
        let printed = format!("{user:?} {user:#?}");
        assert!(!printed.contains("Sup3rS3cret"), "{printed}");
        assert!(printed.contains("sip.example.org") && printed.contains("<redacted>"), "{printed}");
    }

    #[test]
    fn globs_match_anywhere_and_keep_sql_characters_literal() {
        assert_eq!(Glob::parse("").unwrap(), None);
        let glob = Glob::parse("12*4?%_").unwrap().unwrap();
        let pieces: Vec<GlobPiece> = glob.pieces().collect();
        use GlobPiece::{AnyOne, AnyRun, Literal};
        assert_eq!(pieces, [AnyRun, Literal('1'), Literal('2'), AnyRun, Literal('4'), AnyOne, Literal('%'), Literal('_'), AnyRun]);
        let mac = Glob::parse("F0:0B").unwrap().unwrap().map_literals(|c| (c != ':').then(|| c.to_ascii_lowercase()));
        assert_eq!(mac.pieces().collect::<Vec<_>>(), [AnyRun, Literal('f'), Literal('0'), Literal('0'), Literal('b'), AnyRun]);
        assert!(Glob::parse(&"x".repeat(129)).is_err());
        assert!(Glob::parse("a-b").unwrap().is_some() && Glob::parse("a\nb").is_err() && Glob::parse("a\u{0}b").is_err());
    }

    #[test]
    fn passwords_and_ports() {
        assert!(SipPassword::parse("S3cr3t!").is_ok());
        for bad in ["", "with space", "é", &"x".repeat(65)] {
            assert!(SipPassword::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(format!("{:?}", SipPassword::parse("S3cr3t!").unwrap()), "SipPassword(<redacted>)");
        assert_eq!(Port::parse("5060").unwrap().get(), 5060);
        for bad in ["0", "65536", "-1", "+5060", "50 60", ""] {
            assert!(Port::parse(bad).is_err(), "{bad:?}");
        }
    }
}
