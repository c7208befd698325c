//! The configuration: built-in defaults < TOML file < `STEWARD_*` environment. Every key
//! and default is the operator's contract (CONTRACT.md); an unknown key anywhere is an error
//! naming it, never silently ignored.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

/// Environment variables with the `STEWARD_` prefix that are not configuration keys.
pub const NOT_KEYS: [&str; 3] = ["STEWARD_CONFIG", "STEWARD_BOOTSTRAP_ADMIN", "STEWARD_LOG_FORMAT"];

/// The keys that hold secrets. Each can also be read from a file: `<key>_file` in TOML,
/// `STEWARD_…_FILE` in the environment (systemd credentials, container secrets).
pub const SECRET_KEYS: [&str; 6] = [
    "database_url",
    "mail.smtp_url",
    "sms.kannel_url",
    "sms.kannel_password",
    "faces.drofus.tenant_server_url",
    "faces.hermes.kamailio_database_url",
];

/// Every setting, with the contract's defaults.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// address:port of the one HTTP listener.
    pub listen: String,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Base of links put in mails.
    pub public_url: String,
    /// Local zone for quota windows and Janua dates.
    pub timezone: String,
    /// Tokens, login limits, trusted networks.
    pub security: Security,
    /// SMTP.
    pub mail: Mail,
    /// SMS gateway.
    pub sms: Sms,
    /// Outbox worker.
    pub worker: Worker,
    /// The five faces.
    pub faces: Faces,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".to_owned(),
            database_url: "sqlite://steward.db?mode=rwc".to_owned(),
            public_url: "http://127.0.0.1:8080".to_owned(),
            timezone: "UTC".to_owned(),
            security: Security::default(),
            mail: Mail::default(),
            sms: Sms::default(),
            worker: Worker::default(),
            faces: Faces::default(),
        }
    }
}

/// `[security]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Security {
    /// Lifetime of user tokens from any login.
    pub token_ttl_hours: u32,
    /// Failed password checks per login and per client address per minute.
    pub login_attempts_per_minute: u32,
    /// Hermes: callers from these networks need no credentials.
    pub trusted_networks: Vec<String>,
    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` are believed; empty = none.
    pub trusted_proxies: Vec<String>,
    /// The key secrets Steward reads back are sealed with in the store; made (mode 0600)
    /// on first start. Relative paths are from the working directory, like the default store.
    pub data_key_file: std::path::PathBuf,
}

impl Security {
    /// `security.trusted_networks`, parsed (the settings were validated, so all parse).
    pub fn trusted_networks(&self) -> Vec<ipnet::IpNet> {
        self.trusted_networks.iter().filter_map(|network| network.parse().ok()).collect()
    }

    /// `security.trusted_proxies`, parsed.
    pub fn trusted_proxies(&self) -> Vec<ipnet::IpNet> {
        self.trusted_proxies.iter().filter_map(|network| network.parse().ok()).collect()
    }
}

impl Default for Security {
    fn default() -> Self {
        Self {
            token_ttl_hours: 12,
            login_attempts_per_minute: 10,
            trusted_networks: vec!["127.0.0.0/8".to_owned(), "::1/128".to_owned()],
            trusted_proxies: Vec::new(),
            data_key_file: std::path::PathBuf::from("steward.key"),
        }
    }
}

/// `[mail]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Mail {
    /// SMTP server URL; empty = mail waits in the outbox.
    pub smtp_url: String,
    /// `From:` of every mail.
    pub from: String,
    /// Astakos feedback recipient.
    pub feedback_to: String,
}

impl Default for Mail {
    fn default() -> Self {
        Self {
            smtp_url: String::new(),
            from: "Steward <steward@localhost>".to_owned(),
            feedback_to: "root@localhost".to_owned(),
        }
    }
}

/// `[sms]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Sms {
    /// Which gateway sends SMS.
    pub gateway: SmsGatewayKind,
    /// Sender name.
    pub sender: String,
    /// Allowed number prefixes; empty = all.
    pub prefix_filter: Vec<String>,
    /// Kannel's sendsms URL.
    pub kannel_url: String,
    /// Kannel user.
    pub kannel_user: String,
    /// Kannel password (a secret).
    pub kannel_password: String,
    /// Where Kannel calls back with delivery reports (Steward's
    /// `/steward/v1/sms/reports/kannel`, as Kannel reaches it); empty asks for none.
    pub kannel_dlr_url: String,
    /// smstools spool directory.
    pub smstools_outgoing: String,
}

impl Default for Sms {
    fn default() -> Self {
        Self {
            gateway: SmsGatewayKind::None,
            sender: "Steward".to_owned(),
            prefix_filter: Vec::new(),
            kannel_url: String::new(),
            kannel_user: String::new(),
            kannel_password: String::new(),
            kannel_dlr_url: String::new(),
            smstools_outgoing: String::new(),
        }
    }
}

/// `sms.gateway`: which gateway sends SMS. Read from its lower-case name; any other name is
/// refused with the key and the names that are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum SmsGatewayKind {
    /// No gateway: SMS stay queued in the outbox and `/readyz` says so.
    None,
    /// Kannel's HTTP `sendsms` (`sms.kannel_*`).
    Kannel,
    /// smstools' outgoing spool directory (`sms.smstools_outgoing`).
    Smstools,
}

impl SmsGatewayKind {
    const NAMES: [(&'static str, Self); 3] = [("none", Self::None), ("kannel", Self::Kannel), ("smstools", Self::Smstools)];
}

impl TryFrom<String> for SmsGatewayKind {
    type Error = String;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        Self::NAMES
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, kind)| *kind)
            .ok_or_else(|| format!("sms.gateway: `{name}` is not one of none, kannel, smstools"))
    }
}

impl From<SmsGatewayKind> for &'static str {
    fn from(kind: SmsGatewayKind) -> Self {
        SmsGatewayKind::NAMES.iter().find(|(_, known)| *known == kind).map_or("none", |(name, _)| name)
    }
}

/// `[worker]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Worker {
    /// Attempts before a delivery is marked failed.
    pub max_attempts: u32,
    /// First retry delay; doubles, capped at 300 s.
    pub backoff_seconds: u32,
}

impl Default for Worker {
    fn default() -> Self {
        Self { max_attempts: 12, backoff_seconds: 2 }
    }
}

/// `[faces.*]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Faces {
    /// Janua.
    pub janua: Janua,
    /// dRofus.
    pub drofus: Drofus,
    /// Hermes.
    pub hermes: Hermes,
    /// Adjutant.
    pub adjutant: Adjutant,
    /// Astakos.
    pub astakos: Face,
}

/// A face with only the common keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Face {
    /// Whether its paths are served.
    pub enabled: bool,
    /// `""` = at the root; else `/name`-like.
    pub prefix: String,
}

impl Default for Face {
    fn default() -> Self {
        Self { enabled: true, prefix: String::new() }
    }
}

/// `[faces.janua]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Janua {
    /// Whether its paths are served.
    pub enabled: bool,
    /// `""` = at the root; else `/name`-like.
    pub prefix: String,
    /// Steward's addition: a directory of mail templates laid out as Janua's
    /// `mail_template/` (`<EN|FR>/<name>/subject.txt`, `body.txt`); `""` = built-ins only.
    pub mail_templates_dir: String,
}

impl Default for Janua {
    fn default() -> Self {
        Self { enabled: true, prefix: String::new(), mail_templates_dir: String::new() }
    }
}

/// `[faces.drofus]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Drofus {
    /// Whether its paths are served.
    pub enabled: bool,
    /// `""` = at the root.
    pub prefix: String,
    /// Where SQLite template databases live.
    pub template_dir: String,
    /// Where new SQLite tenant databases are created.
    pub database_dir: String,
    /// The PostgreSQL server of tenants; `""` = the store's own, when it is PostgreSQL.
    pub tenant_server_url: String,
}

impl Default for Drofus {
    fn default() -> Self {
        Self {
            enabled: true,
            prefix: String::new(),
            template_dir: String::new(),
            database_dir: String::new(),
            tenant_server_url: String::new(),
        }
    }
}

/// `[faces.adjutant]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Adjutant {
    /// Whether its paths are served.
    pub enabled: bool,
    /// `""` = at the root.
    pub prefix: String,
    /// Steward's addition: anonymous task requests (sign-up, password reset) allowed per
    /// client address and per e-mail address a minute, and failed token reads per address.
    pub anonymous_requests_per_minute: u32,
    /// Steward's addition: how long a task token works, in hours.
    pub token_ttl_hours: u32,
}

impl Default for Adjutant {
    fn default() -> Self {
        Self { enabled: true, prefix: String::new(), anonymous_requests_per_minute: 10, token_ttl_hours: 24 }
    }
}

/// `[faces.hermes]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Hermes {
    /// Whether its paths are served.
    pub enabled: bool,
    /// `""` = at the root.
    pub prefix: String,
    /// Kamailio's own database.
    pub kamailio_database_url: String,
    /// Domains Steward serves.
    pub kamailio_domains: Vec<String>,
    /// Largest numbers/add_range.
    pub max_range: u32,
}

impl Default for Hermes {
    fn default() -> Self {
        Self {
            enabled: true,
            prefix: String::new(),
            kamailio_database_url: String::new(),
            kamailio_domains: Vec::new(),
            max_range: 10_000,
        }
    }
}

/// Why the configuration is not usable; the message names the key.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SettingsError(pub String);

impl Settings {
    /// Loads defaults, then `file` if given, then the environment (`vars`), and validates.
    pub fn load(file: Option<&std::path::Path>, vars: impl Iterator<Item = (String, String)>) -> Result<Self, SettingsError> {
        let mut tree = toml::Value::try_from(Settings::default())
            .map_err(|error| SettingsError(format!("built-in defaults: {error}")))?;
        let mut secrets = SecretSources::default();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .map_err(|error| SettingsError(format!("cannot read {}: {error}", path.display())))?;
            let mut overlay: toml::Value = toml::from_str(&text)
                .map_err(|error| SettingsError(format!("{} is not valid TOML: {error}", path.display())))?;
            secrets.take_from_toml(&mut overlay, &path.display().to_string());
            merge(&mut tree, overlay, "", &path.display().to_string())?;
        }
        let mut vars: Vec<(String, String)> = vars.filter(|(name, _)| name.starts_with("STEWARD_")).collect();
        vars.sort();
        for (name, value) in vars {
            if NOT_KEYS.contains(&name.as_str()) {
                continue;
            }
            if secrets.take_from_env(&name, &value) {
                continue;
            }
            apply_env(&mut tree, &name, &value)?;
        }
        secrets.apply(&mut tree)?;
        let settings: Settings = tree
            .try_into()
            .map_err(|error: toml::de::Error| SettingsError(format!("configuration: {}", error.message())))?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        self.listen
            .parse::<SocketAddr>()
            .map_err(|_| SettingsError(format!("listen: `{}` is not an address:port", self.listen)))?;
        steward_store::Backend::of_url(&self.database_url).map_err(|error| SettingsError(format!("database_url: {error}")))?;
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return Err(SettingsError(format!("public_url: `{}` must start with http:// or https://", self.public_url)));
        }
        steward_model::quota_window::TimeZone::parse(&self.timezone)
            .map_err(|error| SettingsError(format!("timezone: {error}")))?;
        if self.security.token_ttl_hours == 0 {
            return Err(SettingsError("security.token_ttl_hours: must be at least 1".to_owned()));
        }
        if self.security.login_attempts_per_minute == 0 {
            return Err(SettingsError("security.login_attempts_per_minute: must be at least 1".to_owned()));
        }
        if self.security.data_key_file.as_os_str().is_empty() || self.security.data_key_file.file_name().is_none() {
            return Err(SettingsError("security.data_key_file: must name a file, like /var/lib/steward/data.key".to_owned()));
        }
        for (key, networks) in [
            ("security.trusted_networks", &self.security.trusted_networks),
            ("security.trusted_proxies", &self.security.trusted_proxies),
        ] {
            for network in networks {
                network
                    .parse::<ipnet::IpNet>()
                    .map_err(|_| SettingsError(format!("{key}: `{network}` is not a network like 10.0.0.0/8")))?;
            }
        }
        if !self.mail.smtp_url.is_empty() {
            steward_connectors::smtp::SmtpMailer::from_url(&self.mail.smtp_url, None)
                .map_err(|error| SettingsError(format!("mail.smtp_url: {}", redact_url(&error.to_string()))))?;
        }
        for (key, value) in [("mail.from", &self.mail.from), ("mail.feedback_to", &self.mail.feedback_to)] {
            steward_connectors::smtp::check_address(value)
                .map_err(|error| SettingsError(format!("{key}: {error}")))?;
        }
        let templates = &self.faces.janua.mail_templates_dir;
        if !templates.is_empty() && !std::path::Path::new(templates).is_dir() {
            return Err(SettingsError(format!("faces.janua.mail_templates_dir: `{templates}` is not a directory")));
        }
        match self.sms.gateway {
            SmsGatewayKind::None => {}
            SmsGatewayKind::Kannel => {
                let url = &self.sms.kannel_url;
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(SettingsError(
                        "sms.kannel_url: with sms.gateway = \"kannel\" it must be Kannel's http://host:13013/cgi-bin/sendsms".to_owned(),
                    ));
                }
                let reports = &self.sms.kannel_dlr_url;
                if !(reports.is_empty() || reports.starts_with("http://") || reports.starts_with("https://")) {
                    return Err(SettingsError(
                        "sms.kannel_dlr_url: must be http:// or https://, e.g. http://steward-host:8080/steward/v1/sms/reports/kannel".to_owned(),
                    ));
                }
            }
            SmsGatewayKind::Smstools => {
                if self.sms.smstools_outgoing.is_empty() {
                    return Err(SettingsError(
                        "sms.smstools_outgoing: with sms.gateway = \"smstools\" it must name smsd's outgoing spool directory".to_owned(),
                    ));
                }
            }
        }
        if self.worker.max_attempts == 0 {
            return Err(SettingsError("worker.max_attempts: must be at least 1".to_owned()));
        }
        if self.worker.backoff_seconds == 0 {
            return Err(SettingsError("worker.backoff_seconds: must be at least 1".to_owned()));
        }
        if self.faces.adjutant.anonymous_requests_per_minute == 0 {
            return Err(SettingsError("faces.adjutant.anonymous_requests_per_minute: must be at least 1".to_owned()));
        }
        if self.faces.adjutant.token_ttl_hours == 0 {
            return Err(SettingsError("faces.adjutant.token_ttl_hours: must be at least 1".to_owned()));
        }
        if self.faces.hermes.max_range == 0 {
            return Err(SettingsError("faces.hermes.max_range: must be at least 1".to_owned()));
        }
        for (face, prefix) in [
            ("janua", &self.faces.janua.prefix),
            ("drofus", &self.faces.drofus.prefix),
            ("hermes", &self.faces.hermes.prefix),
            ("adjutant", &self.faces.adjutant.prefix),
            ("astakos", &self.faces.astakos.prefix),
        ] {
            let valid = prefix.is_empty()
                || (prefix.starts_with('/')
                    && !prefix.ends_with('/')
                    && prefix.len() > 1
                    && prefix.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.')));
            if !valid {
                return Err(SettingsError(format!(
                    "faces.{face}.prefix: `{prefix}` must be empty or start with '/' and not end with '/'"
                )));
            }
        }
        Ok(())
    }

    /// The effective configuration as TOML, every secret (passwords, also inside URLs)
    /// replaced by `***`.
    pub fn redacted_toml(&self) -> Result<String, SettingsError> {
        let mut shown = self.clone();
        shown.database_url = redact_url(&shown.database_url);
        shown.mail.smtp_url = redact_url(&shown.mail.smtp_url);
        shown.sms.kannel_url = redact_url(&shown.sms.kannel_url);
        shown.faces.hermes.kamailio_database_url = redact_url(&shown.faces.hermes.kamailio_database_url);
        shown.faces.drofus.tenant_server_url = redact_url(&shown.faces.drofus.tenant_server_url);
        if !shown.sms.kannel_password.is_empty() {
            shown.sms.kannel_password = "***".to_owned();
        }
        toml::to_string(&shown).map_err(|error| SettingsError(error.to_string()))
    }
}

/// Where each secret key was given: directly (in the file or the environment) and as a
/// `_file` form. Both at once is an error: which one wins would be a guess.
#[derive(Default)]
struct SecretSources {
    /// (dotted key, where it was given) for each key given directly.
    direct: Vec<(&'static str, String)>,
    /// (dotted key, where it was given, the file to read) for each `_file` form.
    files: Vec<(&'static str, String, std::path::PathBuf)>,
}

impl SecretSources {
    /// Notes the secret keys `overlay` gives and moves its `_file` forms out of it.
    fn take_from_toml(&mut self, overlay: &mut toml::Value, source: &str) {
        for key in SECRET_KEYS {
            let (section, leaf) = key.rsplit_once('.').map_or(("", key), |(section, leaf)| (section, leaf));
            let mut table = Some(&mut *overlay);
            for part in section.split('.').filter(|part| !part.is_empty()) {
                table = table.and_then(|value| value.get_mut(part));
            }
            let Some(toml::Value::Table(table)) = table else { continue };
            if table.contains_key(leaf) {
                self.direct.push((key, source.to_owned()));
            }
            if let Some(path) = table.remove(&format!("{leaf}_file")) {
                let path = path.as_str().map(std::path::PathBuf::from).unwrap_or_default();
                self.files.push((key, format!("`{key}_file` in {source}"), path));
            }
        }
    }

    /// Notes a `STEWARD_…` variable that names a secret key; true when it is a `_FILE` form,
    /// which is taken here and must not reach the tree.
    fn take_from_env(&mut self, name: &str, value: &str) -> bool {
        let dotted = name.strip_prefix("STEWARD_").unwrap_or(name).split("__").map(str::to_lowercase).collect::<Vec<_>>().join(".");
        if let Some(key) = SECRET_KEYS.iter().find(|key| **key == dotted) {
            self.direct.push((key, name.to_owned()));
            return false;
        }
        match dotted.strip_suffix("_file").and_then(|stem| SECRET_KEYS.iter().find(|key| **key == stem)) {
            Some(key) => {
                self.files.push((key, name.to_owned(), std::path::PathBuf::from(value)));
                true
            }
            None => false,
        }
    }

    /// Reads each `_file` form into its key, refusing a key given both ways.
    fn apply(self, tree: &mut toml::Value) -> Result<(), SettingsError> {
        for (key, given_as, path) in self.files {
            if let Some((_, direct)) = self.direct.iter().find(|(direct, _)| *direct == key) {
                return Err(SettingsError(format!(
                    "`{key}` is given both directly ({direct}) and from a file ({given_as}); keep one"
                )));
            }
            if path.as_os_str().is_empty() {
                return Err(SettingsError(format!("{given_as}: must be the path of a file")));
            }
            let text = std::fs::read_to_string(&path)
                .map_err(|error| SettingsError(format!("{given_as}: cannot read {}: {error}", path.display())))?;
            // Files written by `echo` or an editor end with a newline that is not part of the secret.
            let secret = text.strip_suffix('\n').map_or(text.as_str(), |text| text.strip_suffix('\r').unwrap_or(text));
            let mut slot = &mut *tree;
            for part in key.split('.') {
                slot = slot
                    .get_mut(part)
                    .ok_or_else(|| SettingsError(format!("built-in defaults have no `{key}`")))?;
            }
            *slot = toml::Value::String(secret.to_owned());
        }
        Ok(())
    }
}

/// Overlays `overlay` on `base`, refusing keys `base` does not have.
fn merge(base: &mut toml::Value, overlay: toml::Value, path: &str, source: &str) -> Result<(), SettingsError> {
    match (base, overlay) {
        (toml::Value::Table(base), toml::Value::Table(overlay)) => {
            for (key, value) in overlay {
                let full = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                match base.get_mut(&key) {
                    Some(slot) => merge(slot, value, &full, source)?,
                    None => return Err(SettingsError(format!("unknown configuration key `{full}` in {source}"))),
                }
            }
            Ok(())
        }
        (slot @ toml::Value::Table(_), _) => {
            let _ = slot;
            Err(SettingsError(format!("`{path}` in {source} must be a table")))
        }
        (slot, value) => {
            if std::mem::discriminant(slot) != std::mem::discriminant(&value) {
                return Err(SettingsError(format!(
                    "`{path}` in {source} must be {}, not {}",
                    slot.type_str(),
                    value.type_str()
                )));
            }
            *slot = value;
            Ok(())
        }
    }
}

/// Applies one `STEWARD_A__B` variable to key `a.b`, typed like the key's default.
fn apply_env(tree: &mut toml::Value, name: &str, value: &str) -> Result<(), SettingsError> {
    let rest = name.strip_prefix("STEWARD_").unwrap_or(name);
    let path: Vec<String> = rest.split("__").map(str::to_lowercase).collect();
    let dotted = path.join(".");
    let unknown = || SettingsError(format!("{name} names no configuration key (`{dotted}`)"));
    let mut slot = &mut *tree;
    for part in &path {
        slot = match slot {
            toml::Value::Table(table) => table.get_mut(part).ok_or_else(unknown)?,
            _ => return Err(unknown()),
        };
    }
    let parsed = match slot {
        toml::Value::String(_) => toml::Value::String(value.to_owned()),
        toml::Value::Integer(_) => toml::Value::Integer(
            value.trim().parse().map_err(|_| SettingsError(format!("{name}: `{value}` is not a whole number")))?,
        ),
        toml::Value::Boolean(_) => match value.trim() {
            "true" => toml::Value::Boolean(true),
            "false" => toml::Value::Boolean(false),
            _ => return Err(SettingsError(format!("{name}: `{value}` is not true or false"))),
        },
        toml::Value::Array(_) => toml::Value::Array(
            value
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| toml::Value::String(item.to_owned()))
                .collect(),
        ),
        _ => return Err(SettingsError(format!("{name} names a section, not a key"))),
    };
    *slot = parsed;
    Ok(())
}

/// Replaces the password of a URL's user-info, and `password=`-like query values, by `***`.
pub fn redact_url(url: &str) -> String {
    let mut shown = url.to_owned();
    if let Some(scheme_end) = shown.find("://") {
        let authority_start = scheme_end + 3;
        let authority_end = shown
            .get(authority_start..)
            .and_then(|rest| rest.find(['/', '?', '#']))
            .map_or(shown.len(), |end| authority_start + end);
        if let Some(authority) = shown.get(authority_start..authority_end)
            && let Some(at) = authority.rfind('@')
            && let Some(userinfo) = authority.get(..at)
            && let Some(colon) = userinfo.find(':')
        {
            let password_start = authority_start + colon + 1;
            let password_end = authority_start + at;
            shown.replace_range(password_start..password_end, "***");
        }
    }
    if let Some(query_start) = shown.find('?') {
        let (head, query) = shown.split_at(query_start + 1);
        let redacted: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if ["password", "pass", "pw", "passwd"].contains(&key.to_lowercase().as_str()) => {
                    format!("{key}=***")
                }
                _ => pair.to_owned(),
            })
            .collect();
        shown = format!("{head}{}", redacted.join("&"));
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Iterator<Item = (String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect::<Vec<_>>().into_iter()
    }

    #[test]
    fn defaults_match_the_contract() {
        let settings = Settings::load(None, env(&[])).unwrap();
        assert_eq!(settings.listen, "127.0.0.1:8080");
        assert_eq!(settings.database_url, "sqlite://steward.db?mode=rwc");
        assert_eq!(settings.security.token_ttl_hours, 12);
        assert_eq!(settings.worker.max_attempts, 12);
        assert_eq!(settings.faces.hermes.max_range, 10_000);
    }

    #[test]
    fn environment_overrides_with_types() {
        let settings = Settings::load(
            None,
            env(&[
                ("STEWARD_FACES__JANUA__ENABLED", "false"),
                ("STEWARD_SMS__PREFIX_FILTER", "+33, +41"),
                ("STEWARD_WORKER__MAX_ATTEMPTS", "3"),
                ("STEWARD_LOG_FORMAT", "json"),
                ("OTHER", "x"),
            ]),
        )
        .unwrap();
        assert!(!settings.faces.janua.enabled);
        assert_eq!(settings.sms.prefix_filter, vec!["+33", "+41"]);
        assert_eq!(settings.worker.max_attempts, 3);
    }

    #[test]
    fn unknown_keys_are_named() {
        let error = Settings::load(None, env(&[("STEWARD_MAIL__SMTP_URLL", "x")])).unwrap_err();
        assert!(error.0.contains("STEWARD_MAIL__SMTP_URLL"), "{error}");
        let error = Settings::load(None, env(&[("STEWARD_WORKER__MAX_ATTEMPTS", "many")])).unwrap_err();
        assert!(error.0.contains("not a whole number"), "{error}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("steward.toml");
        std::fs::write(&file, "[mail]\nsmtp_urll = \"x\"\n").unwrap();
        let error = Settings::load(Some(&file), env(&[])).unwrap_err();
        assert!(error.0.contains("mail.smtp_urll"), "{error}");
    }

    #[test]
    fn secrets_are_read_from_files() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("database_url");
        std::fs::write(&secret, "postgres://steward:pw@127.0.0.1/steward\n").unwrap();
        let settings = Settings::load(None, env(&[("STEWARD_DATABASE_URL_FILE", secret.to_str().unwrap())])).unwrap();
        assert_eq!(settings.database_url, "postgres://steward:pw@127.0.0.1/steward");

        let password = dir.path().join("kannel");
        std::fs::write(&password, "s3cret").unwrap();
        let file = dir.path().join("steward.toml");
        std::fs::write(&file, format!("[sms]\nkannel_password_file = {:?}\n", password.to_str().unwrap())).unwrap();
        let settings = Settings::load(Some(&file), env(&[])).unwrap();
        assert_eq!(settings.sms.kannel_password, "s3cret");

        let error = Settings::load(
            Some(&file),
            env(&[("STEWARD_SMS__KANNEL_PASSWORD", "other")]),
        )
        .unwrap_err();
        assert!(error.0.contains("both directly (STEWARD_SMS__KANNEL_PASSWORD)"), "{error}");
        let error = Settings::load(None, env(&[("STEWARD_DATABASE_URL_FILE", "/nonexistent/steward")])).unwrap_err();
        assert!(error.0.contains("STEWARD_DATABASE_URL_FILE: cannot read /nonexistent/steward"), "{error}");
        let error = Settings::load(None, env(&[("STEWARD_MAIL__FROM_FILE", "/x")])).unwrap_err();
        assert!(error.0.contains("names no configuration key"), "{error}");
    }

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(redact_url("smtp://user:pw@host:587?tls=required"), "smtp://user:***@host:587?tls=required");
        assert_eq!(redact_url("postgres://postgres@127.0.0.1/db"), "postgres://postgres@127.0.0.1/db");
        assert_eq!(redact_url("http://h/cgi-bin/sendsms?user=u&password=p"), "http://h/cgi-bin/sendsms?user=u&password=***");
    }
}
