//! A node's parameters: the query string of a GET, or the form body of a POST, decoded as
//! `application/x-www-form-urlencoded` (so a raw `+` arrives as a space, which is why the
//! seed asks for `%2B`). A parameter given twice is invalid; an empty one is missing.

use std::collections::HashMap;

use steward_model::sip::SipAddress;

use crate::envelope::Answer;

/// The parameters of one request.
#[derive(Debug, Default)]
pub struct Params(HashMap<String, String>);

/// Largest form body a node reads: its parameters are a few hundred bytes.
const BODY_LIMIT: usize = 16 * 1024;

impl Params {
    /// A node's parameters: the query of a GET, the form body of a POST; other methods 405.
    pub async fn of(request: axum::extract::Request) -> Result<Self, Answer> {
        use axum::http::{Method, StatusCode};
        match *request.method() {
            Method::GET => Self::parse(request.uri().query().unwrap_or("")),
            Method::POST => {
                let body = axum::body::to_bytes(request.into_body(), BODY_LIMIT)
                    .await
                    .map_err(|_| Answer::invalid("body", format!("The form body is larger than {BODY_LIMIT} bytes")))?;
                let text = std::str::from_utf8(&body).map_err(|_| Answer::invalid("body", "The form body is not UTF-8"))?;
                Self::parse(text)
            }
            ref other => Err(Answer::transport(StatusCode::METHOD_NOT_ALLOWED, "method", format!("{other} is not allowed: use GET or POST"))),
        }
    }

    /// Reads `form` (a query string or a form body).
    pub fn parse(form: &str) -> Result<Self, Answer> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(form).map_err(|_| Answer::invalid("query", "The parameters are not URL-encoded"))?;
        let mut params = HashMap::new();
        for (name, value) in pairs {
            if params.contains_key(&name) {
                return Err(Answer::invalid(&name, format!("{name} is given twice")));
            }
            params.insert(name, value);
        }
        Ok(Self(params))
    }

    /// The value of `name`; `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str).filter(|value| !value.is_empty())
    }

    /// The value of `name`, or `invalid` with cause `name`.
    pub fn required(&self, name: &str) -> Result<&str, Answer> {
        self.get(name).ok_or_else(|| Answer::invalid(name, format!("{name} is required")))
    }

    /// `name` parsed by `parse`, if given; `invalid` with cause `name` when it does not parse.
    pub fn optional<T, E: std::fmt::Display>(&self, name: &str, parse: impl Fn(&str) -> Result<T, E>) -> Result<Option<T>, Answer> {
        self.get(name).map(|value| parse(value).map_err(|error| Answer::invalid(name, error.to_string()))).transpose()
    }

    /// `name` parsed by `parse`; missing or malformed → `invalid` with cause `name`.
    pub fn parsed<T, E: std::fmt::Display>(&self, name: &str, parse: impl Fn(&str) -> Result<T, E>) -> Result<T, Answer> {
        parse(self.required(name)?).map_err(|error| Answer::invalid(name, error.to_string()))
    }

    /// The user a node names: `username` + `domain`, or `extra` (`user`, or `address` for
    /// user/get) as `user@domain`. Both forms must agree when both are given.
    pub fn address(&self, extra: &str) -> Result<SipAddress, Answer> {
        let split = match (self.get("username"), self.get("domain")) {
            (Some(user), Some(domain)) => Some(
                SipAddress::from_parts(user, domain).map_err(|error| {
                    let cause = if steward_model::sip::SipUser::parse(user).is_err() { "username" } else { "domain" };
                    Answer::invalid(cause, error.to_string())
                })?,
            ),
            (Some(_), None) if self.get(extra).is_none() => return Err(Answer::invalid("domain", "domain is required")),
            (None, Some(_)) if self.get(extra).is_none() => return Err(Answer::invalid("username", "username is required")),
            _ => None,
        };
        let joined = self
            .get(extra)
            .map(|raw| SipAddress::parse(raw).map_err(|error| Answer::invalid(extra, error.to_string())))
            .transpose()?;
        match (split, joined) {
            (Some(split), Some(joined)) if split != joined => {
                Err(Answer::invalid(extra, format!("{extra} and username/domain name different users")))
            }
            (Some(address), _) | (None, Some(address)) => Ok(address),
            (None, None) => Err(Answer::invalid("username", "username is required")),
        }
    }
}
