//! Which format a request wants, as Rails decides it: a final `.json`, `.xml` or `.html` on
//! the path first, else the `Accept` header, HTML when neither says; any other format asked
//! for is 406.

use axum::http::{HeaderMap, header};

/// One of the three formats every resource is served in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/json`.
    Json,
    /// `application/xml`.
    Xml,
    /// `text/html`.
    Html,
}

/// The client asked for a format dRofus does not serve (406).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAcceptable;

impl Format {
    /// The format a path suffix names (`json`, `xml`, `html`).
    pub fn of_suffix(suffix: &str) -> Option<Self> {
        match suffix {
            "json" => Some(Self::Json),
            "xml" => Some(Self::Xml),
            "html" => Some(Self::Html),
            _ => None,
        }
    }

    /// The `Content-Type` of an answer in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json; charset=utf-8",
            Self::Xml => "application/xml; charset=utf-8",
            Self::Html => "text/html; charset=utf-8",
        }
    }

    /// The format `Accept` asks for: the first of its media types (by quality, then order)
    /// that is one of ours; `*/*`, `text/*`-less browsers' lists and no header mean HTML.
    pub fn of_accept(headers: &HeaderMap) -> Result<Self, NotAcceptable> {
        let Some(accept) = headers.get(header::ACCEPT).and_then(|value| value.to_str().ok()) else {
            return Ok(Self::Html);
        };
        let mut ranges: Vec<(f32, usize, &str)> = accept
            .split(',')
            .enumerate()
            .filter_map(|(position, range)| {
                let mut parts = range.split(';');
                let media = parts.next()?.trim();
                let quality = parts
                    .filter_map(|parameter| parameter.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (!media.is_empty() && quality > 0.0).then_some((quality, position, media))
            })
            .collect();
        if accept.trim().is_empty() {
            return Ok(Self::Html);
        }
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, _, media) in ranges {
            match media.to_ascii_lowercase().as_str() {
                "application/json" | "text/json" => return Ok(Self::Json),
                "application/xml" | "text/xml" => return Ok(Self::Xml),
                "text/html" | "application/xhtml+xml" | "*/*" | "text/*" => return Ok(Self::Html),
                "application/*" => return Ok(Self::Json),
                _ => {}
            }
        }
        Err(NotAcceptable)
    }
}

/// A path segment and the format its suffix names: `hakon.clausen.json` is
/// (`hakon.clausen`, JSON); `hakon.clausen` has no format suffix (only a final `.json`,
/// `.xml` or `.html` is one).
pub fn split_suffix(segment: &str) -> (&str, Option<Format>) {
    if let Some((stem, suffix)) = segment.rsplit_once('.')
        && let Some(format) = Format::of_suffix(suffix)
    {
        return (stem, Some(format));
    }
    (segment, None)
}

/// The format of a request whose suffix said `suffix`: the suffix, else `Accept`.
pub fn negotiate(suffix: Option<Format>, headers: &HeaderMap) -> Result<Format, NotAcceptable> {
    match suffix {
        Some(format) => Ok(format),
        None => Format::of_accept(headers),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn accept(value: &str) -> Result<Format, NotAcceptable> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        Format::of_accept(&headers)
    }

    #[test]
    fn accept_picks_the_best_of_ours() {
        assert_eq!(Format::of_accept(&HeaderMap::new()), Ok(Format::Html));
        assert_eq!(accept("application/json"), Ok(Format::Json));
        assert_eq!(accept("application/xml"), Ok(Format::Xml));
        assert_eq!(accept("text/xml"), Ok(Format::Xml));
        assert_eq!(accept("*/*"), Ok(Format::Html));
        assert_eq!(accept("text/csv, application/json;q=0.5"), Ok(Format::Json));
        assert_eq!(accept("application/json;q=0.2, application/xml"), Ok(Format::Xml));
        assert_eq!(accept("text/csv"), Err(NotAcceptable));
        assert_eq!(accept("application/json;q=0"), Err(NotAcceptable));
    }

    #[test]
    fn only_a_known_final_suffix_is_a_format() {
        assert_eq!(split_suffix("hakon.clausen"), ("hakon.clausen", None));
        assert_eq!(split_suffix("hakon.clausen.json"), ("hakon.clausen", Some(Format::Json)));
        assert_eq!(split_suffix("a.json.json"), ("a.json", Some(Format::Json)));
        assert_eq!(split_suffix("12.xml"), ("12", Some(Format::Xml)));
        assert_eq!(split_suffix("12.csv"), ("12.csv", None));
        assert_eq!(split_suffix("projects"), ("projects", None));
    }
}
