//! How commands print what they list: a table for a person, JSON lines for a program.
//!
//! A table by default on a terminal; JSON lines with `--json`, and also when stdout is not
//! a terminal, because CONTRACT.md promises JSON lines from `project list` and
//! `audit tail` to the scripts that pipe them. Times are RFC 3339 (UTC) in both forms.

use std::io::{IsTerminal, Write};

use comfy_table::{ContentArrangement, Table, presets};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// One kind of thing a command lists.
pub trait Listed {
    /// The table's column titles.
    const COLUMNS: &'static [&'static str];
    /// This item's cells, in [`Listed::COLUMNS`]'s order.
    fn cells(&self) -> Vec<String>;
    /// This item as one JSON object (one line of `--json`).
    fn json(&self) -> Value;
}

/// Table or JSON lines, chosen once per command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns with a header.
    Table,
    /// One JSON object per line.
    JsonLines,
}

impl Format {
    /// `--json`, or stdout is not a terminal: JSON lines; else a table.
    pub fn choose(json: bool) -> Self {
        if json || !std::io::stdout().is_terminal() { Self::JsonLines } else { Self::Table }
    }

    /// Whether a person is watching: progress bars and chatter only then.
    pub fn for_people(self) -> bool {
        self == Self::Table
    }

    /// Prints `items`; an empty table prints only its header.
    pub fn print<T: Listed>(self, items: &[T]) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        match self {
            Self::JsonLines => {
                for item in items {
                    writeln!(out, "{}", item.json())?;
                }
            }
            Self::Table => {
                let mut table = Table::new();
                table
                    .load_style(presets::NOTHING)
                    .set_content_arrangement(ContentArrangement::Disabled)
                    .set_header(T::COLUMNS.iter().map(|title| title.to_uppercase()));
                for item in items {
                    table.add_row(item.cells());
                }
                writeln!(out, "{table}")?;
            }
        }
        Ok(())
    }

    /// Prints one item: a two-column table of field and value, or one JSON line.
    pub fn print_one<T: Listed>(self, item: &T) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        match self {
            Self::JsonLines => writeln!(out, "{}", item.json()),
            Self::Table => {
                let mut table = Table::new();
                table.load_style(presets::NOTHING).set_content_arrangement(ContentArrangement::Disabled);
                for (title, cell) in T::COLUMNS.iter().zip(item.cells()) {
                    table.add_row(vec![format!("{title}:"), cell]);
                }
                writeln!(out, "{table}")
            }
        }
    }
}

/// RFC 3339 in UTC, to the second: `2026-12-06T16:04:05Z`.
pub fn rfc3339(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC).replace_nanosecond(0).unwrap_or(at);
    at.format(&Rfc3339).unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// [`rfc3339`], or `-` in a table cell for nothing.
pub fn rfc3339_or_dash(at: Option<OffsetDateTime>) -> String {
    at.map_or_else(|| "-".to_owned(), rfc3339)
}

/// [`rfc3339`] as JSON, `null` for nothing.
pub fn rfc3339_json(at: Option<OffsetDateTime>) -> Value {
    at.map_or(Value::Null, |at| Value::String(rfc3339(at)))
}

/// Role names, in the order given.
pub fn role_names(roles: &[steward_model::Role]) -> Vec<&str> {
    roles.iter().map(steward_model::Role::as_str).collect()
}

/// A cell for an optional text: the text, or `-`.
pub fn or_dash(text: Option<&str>) -> String {
    text.filter(|text| !text.is_empty()).unwrap_or("-").to_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn times_are_rfc3339_in_utc_to_the_second() {
        let at = time::macros::datetime!(2026-12-06 17:04:05.678 +01:00);
        assert_eq!(rfc3339(at), "2026-12-06T16:04:05Z");
        assert_eq!(rfc3339_json(None), Value::Null);
        assert_eq!(rfc3339_or_dash(None), "-");
    }
}
