//! Janua's mail templates: a subject and a body per language (`EN`, `FR`), with Python
//! `string.Template` placeholders (`$name`, `${name}`, `$$` for a dollar) so templates
//! written for Janua render unchanged. Every placeholder must be given a value: a template
//! is checked before anything is queued.

use std::collections::BTreeMap;

/// A built-in template: (language, name, subject, body).
type Builtin = (&'static str, &'static str, &'static str, &'static str);

macro_rules! builtin {
    ($language:literal, $name:literal) => {
        (
            $language,
            $name,
            include_str!(concat!("../templates/janua/", $language, "/", $name, "/subject.txt")),
            include_str!(concat!("../templates/janua/", $language, "/", $name, "/body.txt")),
        )
    };
}

/// Steward's own wording of Janua's built-in templates (same names, same subjects, same
/// placeholders).
const BUILTIN: [Builtin; 14] = [
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
    #[error("Template {0} not found")]
    NotFound(String),
    /// A placeholder without a value.
    #[error("Missing template argument {0}")]
    MissingArgument(String),
    /// A `$` that starts no placeholder (write `$$` for a dollar).
    #[error("Template {0} has a stray $")]
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

/// Renders template `name` in `language` with `arguments`.
pub fn render(name: &str, language: Language, arguments: &BTreeMap<String, String>) -> Result<Rendered, TemplateError> {
    let (_, _, subject, body) = BUILTIN
        .iter()
        .find(|(code, template, _, _)| *code == language.code() && *template == name)
        .ok_or_else(|| TemplateError::NotFound(name.to_owned()))?;
    let subject = substitute(name, subject, arguments)?;
    Ok(Rendered { subject: subject.trim().to_owned(), body: substitute(name, body, arguments)? })
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
        for (_, name, subject, body) in BUILTIN {
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
            assert!(render(name, Language::En, &wanted).is_ok(), "{name}");
            assert!(render(name, Language::Fr, &wanted).is_ok(), "{name}");
        }
    }

    #[test]
    fn refuses_unknown_templates_and_missing_arguments() {
        assert_eq!(render("nosuch", Language::En, &BTreeMap::new()), Err(TemplateError::NotFound("nosuch".into())));
        assert_eq!(render("update_quota", Language::En, &args(&[("limit", "5")])), Err(TemplateError::MissingArgument("unit".into())));
        assert_eq!(substitute("t", "a $$ b ${x}y $z", &args(&[("x", "1"), ("z", "2")])).unwrap(), "a $ b 1y 2");
        assert!(substitute("t", "cost: $5", &BTreeMap::new()).is_err());
    }

    #[test]
    fn accept_language_picks_french_first() {
        assert_eq!(Language::from_accept_language(Some("fr-FR,fr;q=0.9,en;q=0.8")), Language::Fr);
        assert_eq!(Language::from_accept_language(Some("en-US,fr;q=0.5")), Language::En);
        assert_eq!(Language::from_accept_language(None), Language::En);
    }
}
