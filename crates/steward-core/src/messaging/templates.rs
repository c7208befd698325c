//! Janua's mail templates: a subject and a body per language (`EN`, `FR`), with Python
//! `string.Template` placeholders (`$name`, `${name}`, `$$` for a dollar) so templates
//! written for Janua render unchanged. Every placeholder must be given a value: a template
//! is checked before anything is queued.
//!
//! The built-in templates are compiled in. An operator may add or reword templates in a
//! directory laid out as Janua's `mail_template/` (`<dir>/<EN|FR>/<name>/subject.txt` and
//! `body.txt`), read on each use so an edit needs no restart; a template there wins over
//! the built-in of the same name.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// A built-in template: (language, name, subject, body).
type Builtin = (&'static str, &'static str, &'static str, &'static str);

macro_rules! builtin {
    ($language:literal, $name:literal) => {
        builtin!("janua", $language, $name)
    };
    ($folder:literal, $language:literal, $name:literal) => {
        (
            $language,
            $name,
            include_str!(concat!("../../templates/", $folder, "/", $language, "/", $name, "/subject.txt")),
            include_str!(concat!("../../templates/", $folder, "/", $language, "/", $name, "/body.txt")),
        )
    };
}

/// Steward's own wording of Janua's built-in templates (same names, same subjects, same
/// placeholders), the welcome mails of dRofus' project users, and the mails of Adjutant's
/// tasks (English only).
const BUILTIN: [Builtin; 29] = [
    builtin!("adjutant", "EN", "task_notification"),
    builtin!("adjutant", "EN", "task_update_email_initial"),
    builtin!("adjutant", "EN", "task_update_email_token"),
    builtin!("adjutant", "EN", "task_update_email_completed"),
    builtin!("adjutant", "EN", "task_signup_initial"),
    builtin!("adjutant", "EN", "task_signup_token"),
    builtin!("adjutant", "EN", "task_signup_completed"),
    builtin!("adjutant", "EN", "task_reset_password_token"),
    builtin!("adjutant", "EN", "task_reset_password_completed"),
    builtin!("adjutant", "EN", "task_invite_user_token"),
    builtin!("adjutant", "EN", "task_invite_user_completed"),
    builtin!("drofus", "EN", "project_user_welcome"),
    builtin!("drofus", "FR", "project_user_welcome"),
    builtin!("drofus", "EN", "project_user_added"),
    builtin!("drofus", "FR", "project_user_added"),
    builtin!("EN", "maintenance"),
    builtin!("FR", "maintenance"),
    builtin!("EN", "create_admin"),
    builtin!("FR", "create_admin"),
    builtin!("EN", "create_admin_ldap"),
    builtin!("FR", "create_admin_ldap"),
    builtin!("EN", "delete_admin"),
    builtin!("FR", "delete_admin"),
    builtin!("EN", "update_quota"),
    builtin!("FR", "update_quota"),
    builtin!("EN", "request_quota"),
    builtin!("FR", "request_quota"),
    builtin!("EN", "admin_quota_reached"),
    builtin!("FR", "admin_quota_reached"),
];

/// A mail language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// English, the default.
    En,
    /// French.
    Fr,
}

impl Language {
    /// The language an `Accept-Language` value prefers among ours (English otherwise).
    pub fn from_accept_language(header: Option<&str>) -> Self {
        let prefers_french = header.is_some_and(|value| {
            value
                .split(',')
                .next()
                .map(|first| first.trim().to_ascii_lowercase())
                .is_some_and(|first| first == "fr" || first.starts_with("fr-") || first.starts_with("fr;"))
        });
        if prefers_french { Self::Fr } else { Self::En }
    }

    fn code(self) -> &'static str {
        match self {
            Self::En => "EN",
            Self::Fr => "FR",
        }
    }
}

/// Why a template cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// No template of that name.
    #[error("no template is called `{0}`")]
    NotFound(String),
    /// A placeholder without a value.
    #[error("the template needs the argument `{0}`")]
    MissingArgument(String),
    /// A `$` that starts no placeholder (write `$$` for a dollar).
    #[error("template `{0}` has a `$` that starts no placeholder (write `$$` for a dollar)")]
    Malformed(String),
}

/// A rendered mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// One line.
    pub subject: String,
    /// The text.
    pub body: String,
}

/// Where templates come from: the operator's directory, if any, then the built-ins.
#[derive(Debug, Clone, Default)]
pub struct MailTemplates {
    dir: Option<PathBuf>,
}

/// Whether `name` can name a template: a client chooses it, so it never becomes a path
/// outside the template directory.
fn is_template_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && name.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-')
}

impl MailTemplates {
    /// Templates from `dir` (`faces.janua.mail_templates_dir`) over the built-ins.
    pub fn new(dir: Option<PathBuf>) -> Self {
        Self { dir }
    }

    /// Renders template `name` in `language` with `arguments`.
    pub async fn render(&self, name: &str, language: Language, arguments: &BTreeMap<String, String>) -> Result<Rendered, TemplateError> {
        if !is_template_name(name) {
            return Err(TemplateError::NotFound(name.to_owned()));
        }
        if let Some((subject, body)) = self.operator_template(name, language).await {
            return fill(name, &subject, &body, arguments);
        }
        render(name, language, arguments)
    }

    /// The operator's subject and body of `name`, when the directory has both files.
    async fn operator_template(&self, name: &str, language: Language) -> Option<(String, String)> {
        let dir = self.dir.as_ref()?.join(language.code()).join(name);
        let read = |file: &'static str| {
            let path = dir.join(file);
            async move {
                match tokio::fs::read_to_string(&path).await {
                    Ok(text) => Some(text),
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
                    Err(error) => {
                        tracing::warn!(path = %path.display(), %error, "a mail template cannot be read; using the built-in one if any");
                        None
                    }
                }
            }
        };
        Some((read("subject.txt").await?, read("body.txt").await?))
    }
}

/// Renders built-in template `name` in `language` with `arguments`.
pub fn render(name: &str, language: Language, arguments: &BTreeMap<String, String>) -> Result<Rendered, TemplateError> {
    let (_, _, subject, body) = BUILTIN
        .iter()
        .find(|(code, template, _, _)| *code == language.code() && *template == name)
        .ok_or_else(|| TemplateError::NotFound(name.to_owned()))?;
    fill(name, subject, body, arguments)
}

fn fill(name: &str, subject: &str, body: &str, arguments: &BTreeMap<String, String>) -> Result<Rendered, TemplateError> {
    let subject = substitute(name, subject, arguments)?;
    // One line: a subject is never allowed to fold into the headers after it.
    let subject = subject.lines().map(str::trim).filter(|line| !line.is_empty()).collect::<Vec<_>>().join(" ");
    Ok(Rendered { subject, body: substitute(name, body, arguments)? })
}

/// Python's `string.Template.substitute`: `$$`, `$identifier`, `${identifier}`.
fn substitute(name: &str, text: &str, arguments: &BTreeMap<String, String>) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(character) = chars.next() {
        if character != '$' {
            out.push(character);
            continue;
        }
        let braced = chars.peek() == Some(&'{');
        if chars.peek() == Some(&'$') {
            chars.next();
            out.push('$');
            continue;
        }
        if braced {
            chars.next();
        }
        let mut identifier = String::new();
        while let Some(&next) = chars.peek() {
            let fits = if identifier.is_empty() { next.is_ascii_alphabetic() || next == '_' } else { next.is_ascii_alphanumeric() || next == '_' };
            if !fits {
                break;
            }
            identifier.push(next);
            chars.next();
        }
        if identifier.is_empty() || (braced && chars.next() != Some('}')) {
            return Err(TemplateError::Malformed(name.to_owned()));
        }
        let value = arguments.get(&identifier).ok_or(TemplateError::MissingArgument(identifier))?;
        out.push_str(value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(key, value)| ((*key).to_owned(), (*value).to_owned())).collect()
    }

    #[test]
    fn renders_janua_placeholders() {
        let rendered = render(
            "maintenance",
            Language::En,
            &args(&[("startdate", "2030/01/01"), ("starttime", "08:00"), ("duration", "2")]),
        )
        .unwrap();
        assert_eq!(rendered.subject, "[Janua-SMS] Maintenance notification");
        assert!(rendered.body.contains("2030/01/01 at 08:00"), "{}", rendered.body);
        let french = render("maintenance", Language::Fr, &args(&[("startdate", "x"), ("starttime", "y"), ("duration", "z")])).unwrap();
        assert_eq!(french.subject, "[Janua-SMS] Notification de maintenance");
    }

    #[test]
    fn every_builtin_renders_with_its_placeholders() {
        for (code, name, subject, body) in BUILTIN {
            let mut wanted = BTreeMap::new();
            for text in [subject, body] {
                let mut rest = text;
                while let Some(at) = rest.find('$') {
                    let tail = &rest[at + 1..];
                    let key: String = tail.trim_start_matches('{').chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    wanted.insert(key, "v".to_owned());
                    rest = tail;
                }
            }
            let language = if code == "FR" { Language::Fr } else { Language::En };
            assert!(render(name, language, &wanted).is_ok(), "{code} {name}");
        }
    }

    #[test]
    fn refuses_unknown_templates_and_missing_arguments() {
        assert_eq!(render("nosuch", Language::En, &BTreeMap::new()), Err(TemplateError::NotFound("nosuch".into())));
        assert_eq!(render("update_quota", Language::En, &args(&[("limit", "5")])), Err(TemplateError::MissingArgument("unit".into())));
        assert_eq!(substitute("t", "a $$ b ${x}y $z", &args(&[("x", "1"), ("z", "2")])).unwrap(), "a $ b 1y 2");
        assert!(substitute("t", "cost: $5", &BTreeMap::new()).is_err());
    }

    #[tokio::test]
    async fn operator_templates_add_to_and_override_the_builtins() {
        let dir = tempfile::tempdir().unwrap();
        let write = |language: &str, name: &str, subject: &str, body: &str| {
            let template = dir.path().join(language).join(name);
            std::fs::create_dir_all(&template).unwrap();
            std::fs::write(template.join("subject.txt"), subject).unwrap();
            std::fs::write(template.join("body.txt"), body).unwrap();
        };
        write("EN", "outage", "[Janua-SMS] Outage on $site\n", "Dear all,\n$site is down.\n");
        write("EN", "update_quota", "[Janua-SMS] Quota: ${limit} per $unit", "Now $limit per $unit.");
        std::fs::create_dir_all(dir.path().join("FR").join("half")).unwrap();
        std::fs::write(dir.path().join("FR").join("half").join("subject.txt"), "only a subject").unwrap();
        let templates = MailTemplates::new(Some(dir.path().to_owned()));
        let outage = templates.render("outage", Language::En, &args(&[("site", "Lyon")])).await.unwrap();
        assert_eq!(outage, Rendered { subject: "[Janua-SMS] Outage on Lyon".into(), body: "Dear all,\nLyon is down.\n".into() });
        assert_eq!(templates.render("outage", Language::En, &BTreeMap::new()).await, Err(TemplateError::MissingArgument("site".into())));
        assert_eq!(templates.render("outage", Language::Fr, &args(&[("site", "x")])).await, Err(TemplateError::NotFound("outage".into())), "per language");
        let reworded = templates.render("update_quota", Language::En, &args(&[("limit", "5"), ("unit", "day")])).await.unwrap();
        assert_eq!(reworded.body, "Now 5 per day.");
        // A language without its own copy keeps the built-in; a half-written one is not used.
        assert!(templates.render("update_quota", Language::Fr, &args(&[("limit", "5"), ("unit", "jour")])).await.is_ok());
        assert_eq!(templates.render("half", Language::Fr, &BTreeMap::new()).await, Err(TemplateError::NotFound("half".into())));
        // A name is never a path.
        for name in ["../EN/outage", "EN/outage", "", ".", "a b", &"x".repeat(65)] {
            assert_eq!(templates.render(name, Language::En, &args(&[("site", "x")])).await, Err(TemplateError::NotFound(name.to_owned())), "{name:?}");
        }
        assert!(MailTemplates::default().render("outage", Language::En, &args(&[("site", "x")])).await.is_err());
    }

    #[test]
    fn accept_language_picks_french_first() {
        assert_eq!(Language::from_accept_language(Some("fr-FR,fr;q=0.9,en;q=0.8")), Language::Fr);
        assert_eq!(Language::from_accept_language(Some("en-US,fr;q=0.5")), Language::En);
        assert_eq!(Language::from_accept_language(None), Language::En);
    }
}
