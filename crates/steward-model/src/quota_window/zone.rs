//! The configured time zone (`timezone`, default `UTC`) in which calendar days, weeks,
//! months and years are cut: UTC, a fixed offset, or an IANA zone read from the system's
//! TZif files with its daylight-saving rules.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

use super::CalendarError;
use crate::ParseError;

/// A time zone, valid by construction: `UTC`, a fixed offset `±HH:MM`, or an IANA name
/// (`Europe/Paris`) whose rules were loaded from the zone database when it was parsed, so a
/// zone in hand never touches the file system again.
#[derive(Clone, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct TimeZone {
    /// The name as configured, shown back in messages and logs.
    name: String,
    /// How offsets are found.
    rules: Rules,
}

/// Where a zone's offsets come from.
#[derive(Clone)]
enum Rules {
    /// UTC itself: needs no database, so the default works even without tzdata.
    Utc,
    /// One offset all year round.
    Fixed(UtcOffset),
    /// Transitions and the POSIX rule of a TZif file; shared because zones are cloned into
    /// every service that cuts windows.
    Database(Arc<tz::TimeZone>),
}

impl TimeZone {
    /// The name of the default zone.
    pub const DEFAULT_NAME: &'static str = "UTC";

    /// Where [`TimeZone::parse`] looks for TZif files, in order (Debian's tzdata installs
    /// into the first).
    pub const ZONEINFO_DIRECTORIES: &'static [&'static str] = &[
        "/usr/share/zoneinfo",
        "/usr/lib/zoneinfo",
        "/usr/share/lib/zoneinfo",
    ];

    /// Longest name accepted; the longest IANA name has 32 characters.
    const MAX_NAME_LEN: usize = 128;

    /// UTC, the default zone.
    pub fn utc() -> Self {
        Self {
            name: Self::DEFAULT_NAME.to_owned(),
            rules: Rules::Utc,
        }
    }

    /// Parses the `timezone` setting: `UTC`, a fixed offset such as `+01:00` or `-05:30`, or
    /// an IANA name such as `Europe/Paris`, loaded from [`TimeZone::ZONEINFO_DIRECTORIES`].
    /// An unknown name is an error that names it and the directories searched.
    pub fn parse(name: &str) -> Result<Self, ParseError> {
        let directories: Vec<&Path> = Self::ZONEINFO_DIRECTORIES.iter().map(Path::new).collect();
        Self::parse_with_zoneinfo(name, &directories)
    }

    /// [`TimeZone::parse`] with IANA names looked up in `zoneinfo_directories` instead (a
    /// distribution that installs the database elsewhere, or a test).
    pub fn parse_with_zoneinfo(name: &str, zoneinfo_directories: &[&Path]) -> Result<Self, ParseError> {
        if name == Self::DEFAULT_NAME {
            return Ok(Self::utc());
        }
        if let Some(offset) = parse_fixed_offset(name)? {
            return Ok(Self {
                name: name.to_owned(),
                rules: Rules::Fixed(offset),
            });
        }
        if !is_zone_name(name) {
            return Err(ParseError(format!(
                "`{name}` is not a time zone: expected UTC, an offset like +01:00 or -05:30, \
                 or an IANA name like Europe/Paris"
            )));
        }
        let rules = load_from_database(name, zoneinfo_directories)?;
        Ok(Self {
            name: name.to_owned(),
            rules: Rules::Database(Arc::new(rules)),
        })
    }

    /// The name as configured.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone's offset from UTC at `instant` (with daylight saving where the zone has it).
    pub fn offset_at(&self, instant: OffsetDateTime) -> Result<UtcOffset, CalendarError> {
        match &self.rules {
            Rules::Utc => Ok(UtcOffset::UTC),
            Rules::Fixed(offset) => Ok(*offset),
            Rules::Database(rules) => {
                let local_time_type = rules
                    .find_local_time_type(instant.unix_timestamp())
                    .map_err(|error| self.error(format!("no offset at {instant}: {error}")))?;
                UtcOffset::from_whole_seconds(local_time_type.ut_offset())
                    .map_err(|error| self.error(format!("unusable offset at {instant}: {error}")))
            }
        }
    }

    /// `instant` as the zone's wall clock shows it (same instant, local offset): for the
    /// local date, or to render a time the way Janua did (§10.13).
    pub fn to_local(&self, instant: OffsetDateTime) -> Result<OffsetDateTime, CalendarError> {
        let offset = self.offset_at(instant)?;
        instant
            .checked_to_offset(offset)
            .ok_or_else(|| self.error(format!("{instant} is outside the calendar")))
    }

    /// The first instant of the local day `date`, in UTC: local midnight, or when a
    /// daylight-saving change skips midnight (America/Santiago, Asia/Beirut), the instant
    /// the clocks jump; when midnight happens twice, the first.
    pub fn start_of_day(&self, date: Date) -> Result<OffsetDateTime, CalendarError> {
        self.from_local(date.midnight())
    }

    /// The instant the zone's wall clock reads `local`, in UTC. A time a daylight-saving
    /// change skips is read as the instant the clocks jump; one that happens twice, as the
    /// first.
    pub fn from_local(&self, local: PrimitiveDateTime) -> Result<OffsetDateTime, CalendarError> {
        let at_offset = |offset: UtcOffset| {
            local
                .assume_offset(offset)
                .checked_to_offset(UtcOffset::UTC)
                .ok_or_else(|| self.error(format!("{local} is outside the calendar")))
        };
        match &self.rules {
            Rules::Utc => at_offset(UtcOffset::UTC),
            Rules::Fixed(offset) => at_offset(*offset),
            Rules::Database(rules) => {
                let found = tz::DateTime::find(
                    local.year(),
                    u8::from(local.month()),
                    local.day(),
                    local.hour(),
                    local.minute(),
                    local.second(),
                    local.nanosecond(),
                    tz::TimeZone::as_ref(rules),
                )
                .map_err(|error| self.error(format!("no local time {local}: {error}")))?;
                // Candidates come in ascending order; for a skipped time the earliest is the
                // transition instant itself.
                let first = found.earliest().ok_or_else(|| self.error(format!("no local time type covers {local}")))?;
                let instant = OffsetDateTime::from_unix_timestamp(first.unix_time())
                    .map_err(|error| self.error(format!("{local}: {error}")))?;
                Ok(instant.replace_nanosecond(first.nanoseconds()).unwrap_or(instant))
            }
        }
    }

    /// A calendar error that names this zone.
    fn error(&self, reason: String) -> CalendarError {
        CalendarError(format!("time zone {}: {reason}", self.name))
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        Self::utc()
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl fmt::Debug for TimeZone {
    /// The name only: the rules of a database zone are hundreds of transitions.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TimeZone").field(&self.name).finish()
    }
}

impl PartialEq for TimeZone {
    /// Zones are the same when configured the same way; `+00:00` and `UTC` are not.
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for TimeZone {}

impl TryFrom<String> for TimeZone {
    type Error = ParseError;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        Self::parse(&name)
    }
}

impl serde::Serialize for TimeZone {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name)
    }
}

/// `±HH:MM` (hours 00–23, minutes 00–59) → the offset; `Ok(None)` when `name` does not start
/// like an offset, an error when it does but is malformed.
fn parse_fixed_offset(name: &str) -> Result<Option<UtcOffset>, ParseError> {
    let (sign, rest) = match name.strip_prefix('+') {
        Some(rest) => (1, rest),
        None => match name.strip_prefix('-') {
            Some(rest) => (-1, rest),
            None => return Ok(None),
        },
    };
    let malformed = || {
        ParseError(format!(
            "`{name}` is not a UTC offset: expected ±HH:MM, like +01:00 or -05:30"
        ))
    };
    let (hours, minutes) = rest.split_once(':').ok_or_else(malformed)?;
    let two_digits = |field: &str, max: i32| -> Option<i32> {
        if field.len() == 2 && field.bytes().all(|byte| byte.is_ascii_digit()) {
            field.parse::<i32>().ok().filter(|value| *value <= max)
        } else {
            None
        }
    };
    let hours = two_digits(hours, 23).ok_or_else(malformed)?;
    let minutes = two_digits(minutes, 59).ok_or_else(malformed)?;
    UtcOffset::from_whole_seconds(sign * (hours * 3600 + minutes * 60))
        .map(Some)
        .map_err(|_| malformed())
}

/// An IANA-style name: `/`-separated components of ASCII letters, digits, `_`, `-`, `+`,
/// none empty, none `.` or `..`, not absolute, so it can only name a file inside the
/// database directory.
fn is_zone_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= TimeZone::MAX_NAME_LEN
        && name.split('/').all(|component| {
            !component.is_empty()
                && component
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'+'))
        })
}

/// Reads and parses `name` from the first directory that has it.
fn load_from_database(name: &str, directories: &[&Path]) -> Result<tz::TimeZone, ParseError> {
    let searched = directories
        .iter()
        .map(|directory| directory.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let mut any_database = false;
    for directory in directories {
        if !directory.is_dir() {
            continue;
        }
        any_database = true;
        let path = directory.join(name);
        // A missing file, or a directory such as `Europe`, is simply not this database's zone.
        let Ok(bytes) = std::fs::read(&path) else { continue };
        return tz::TimeZone::from_tz_data(&bytes).map_err(|error| {
            ParseError(format!(
                "time zone `{name}`: {} is not a TZif time zone file ({error})",
                path.display()
            ))
        });
    }
    if any_database {
        Err(ParseError(format!(
            "unknown time zone `{name}`: no such zone in {searched} (expected UTC, an offset like \
             +01:00, or an IANA name like Europe/Paris)"
        )))
    } else {
        Err(ParseError(format!(
            "cannot load time zone `{name}`: no time zone database in {searched} (install the \
             tzdata package, or use UTC or an offset like +01:00)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime, offset};

    use super::*;

    #[test]
    fn utc_is_the_default_and_needs_no_database() {
        let zone = TimeZone::parse_with_zoneinfo("UTC", &[Path::new("/nonexistent")]).unwrap();
        assert_eq!(zone, TimeZone::default());
        assert_eq!(zone.name(), "UTC");
        assert_eq!(
            zone.offset_at(datetime!(2026-07-01 12:00 UTC)).unwrap(),
            UtcOffset::UTC
        );
        assert_eq!(
            zone.start_of_day(date!(2026 - 07 - 01)).unwrap(),
            datetime!(2026-07-01 00:00 UTC)
        );
    }

    #[test]
    fn fixed_offsets() {
        let zone = TimeZone::parse("+01:00").unwrap();
        assert_eq!(
            zone.offset_at(datetime!(2026-07-01 12:00 UTC)).unwrap(),
            offset!(+1)
        );
        assert_eq!(
            zone.start_of_day(date!(2026 - 07 - 01)).unwrap(),
            datetime!(2026-06-30 23:00 UTC)
        );
        let zone = TimeZone::parse("-05:30").unwrap();
        assert_eq!(
            zone.offset_at(datetime!(2026-01-01 00:00 UTC)).unwrap(),
            offset!(-5:30)
        );
        assert_eq!(
            zone.start_of_day(date!(2026 - 01 - 01)).unwrap(),
            datetime!(2026-01-01 05:30 UTC)
        );
        assert_eq!(zone.to_string(), "-05:30");
        assert_eq!(
            TimeZone::parse("+00:00")
                .unwrap()
                .offset_at(datetime!(2026-01-01 0:00 UTC))
                .unwrap(),
            UtcOffset::UTC
        );
        assert_eq!(
            TimeZone::parse("+23:59")
                .unwrap()
                .offset_at(datetime!(2026-01-01 0:00 UTC))
                .unwrap(),
            offset!(+23:59)
        );
    }

    #[test]
    fn malformed_offsets_are_refused_with_the_expected_form() {
        for name in [
            "+1",
            "+01",
            "+0100",
            "+1:00",
            "+01:0",
            "+24:00",
            "+01:60",
            "-",
            "+",
            "+ab:cd",
            "+01:00:00",
            "+٠١:٠٠",
        ] {
            let error = TimeZone::parse(name).unwrap_err();
            assert!(
                error.0.contains("is not a UTC offset: expected ±HH:MM"),
                "{name}: {error}"
            );
            assert!(error.0.contains(name), "{name}: {error}");
        }
    }

    #[test]
    fn iana_names_load_from_the_system_database() {
        let zone = TimeZone::parse("Europe/Paris").unwrap();
        assert_eq!(zone.name(), "Europe/Paris");
        assert_eq!(format!("{zone:?}"), "TimeZone(\"Europe/Paris\")");
        assert_eq!(
            zone.offset_at(datetime!(2026-01-15 12:00 UTC)).unwrap(),
            offset!(+1)
        );
        assert_eq!(
            zone.offset_at(datetime!(2026-07-15 12:00 UTC)).unwrap(),
            offset!(+2)
        );
        let local = zone.to_local(datetime!(2026-07-15 22:30 UTC)).unwrap();
        assert_eq!(
            (local.date(), local.offset()),
            (date!(2026 - 07 - 16), offset!(+2))
        );
        assert_eq!(local, datetime!(2026-07-15 22:30 UTC));
        // Far beyond the last transition in the file, the POSIX rule at its end takes over.
        assert_eq!(
            zone.offset_at(datetime!(2200-07-15 12:00 UTC)).unwrap(),
            offset!(+2)
        );
        assert_eq!(
            TimeZone::parse("Etc/UTC")
                .unwrap()
                .offset_at(datetime!(2026-07-15 12:00 UTC))
                .unwrap(),
            UtcOffset::UTC
        );
        assert_eq!(
            TimeZone::parse("Asia/Kolkata")
                .unwrap()
                .offset_at(datetime!(2026-07-15 12:00 UTC))
                .unwrap(),
            offset!(+5:30)
        );
    }

    #[test]
    fn a_day_starts_when_the_clocks_jump_over_midnight() {
        // Chile moved to summer time at local midnight on 2024-09-08: 00:00 -04 became 01:00 -03.
        let zone = TimeZone::parse("America/Santiago").unwrap();
        assert_eq!(
            zone.start_of_day(date!(2024 - 09 - 08)).unwrap(),
            datetime!(2024-09-08 04:00 UTC)
        );
        assert_eq!(
            zone.start_of_day(date!(2024 - 09 - 09)).unwrap(),
            datetime!(2024-09-09 03:00 UTC)
        );
    }

    #[test]
    fn unknown_names_are_errors_that_name_them() {
        let error = TimeZone::parse("Europe/Pariss").unwrap_err();
        assert!(
            error
                .0
                .starts_with("unknown time zone `Europe/Pariss`: no such zone in /usr/share/zoneinfo"),
            "{error}"
        );
        // A directory of the database is not a zone.
        let error = TimeZone::parse("Europe").unwrap_err();
        assert!(error.0.starts_with("unknown time zone `Europe`"), "{error}");
        // Names are case-sensitive, as file names are.
        assert!(TimeZone::parse("europe/paris").is_err());
        assert!(TimeZone::parse("utc").is_err());
    }

    #[test]
    fn a_file_that_is_no_tzif_file_is_refused() {
        let directory = std::env::temp_dir().join(format!("steward-model-zone-{}", std::process::id()));
        std::fs::create_dir_all(&directory).unwrap();
        std::fs::write(directory.join("Not_A_Zone"), "# a table, not a TZif file\n").unwrap();
        let result = TimeZone::parse_with_zoneinfo("Not_A_Zone", &[directory.as_path()]);
        std::fs::remove_dir_all(&directory).unwrap();
        let error = result.unwrap_err();
        assert!(error.0.starts_with("time zone `Not_A_Zone`: "), "{error}");
        assert!(
            error.0.contains("Not_A_Zone is not a TZif time zone file"),
            "{error}"
        );
    }

    #[test]
    fn names_that_could_leave_the_database_are_refused() {
        for name in [
            "../../etc/passwd",
            "/etc/localtime",
            "Europe/../Europe/Paris",
            "./UTC",
            "Europe//Paris",
            "Europe/",
            "",
            "Europe/Paris ",
            "Europe\\Paris",
        ] {
            let error = TimeZone::parse(name).unwrap_err();
            assert!(
                error.0.contains("is not a time zone: expected UTC"),
                "{name}: {error}"
            );
        }
    }

    #[test]
    fn a_missing_database_is_said_so() {
        let error =
            TimeZone::parse_with_zoneinfo("Europe/Paris", &[Path::new("/nonexistent/zoneinfo")]).unwrap_err();
        assert_eq!(
            error.0,
            "cannot load time zone `Europe/Paris`: no time zone database in /nonexistent/zoneinfo (install \
             the tzdata package, or use UTC or an offset like +01:00)"
        );
        // Offsets still work without one.
        assert!(TimeZone::parse_with_zoneinfo("+02:00", &[]).is_ok());
    }

    #[test]
    fn serde_goes_through_parse() {
        let zone: TimeZone = serde_json::from_str("\"Europe/Paris\"").unwrap();
        assert_eq!(zone.name(), "Europe/Paris");
        assert_eq!(serde_json::to_string(&zone).unwrap(), "\"Europe/Paris\"");
        let error = serde_json::from_str::<TimeZone>("\"Mars/Olympus\"").unwrap_err();
        assert!(
            error.to_string().contains("unknown time zone `Mars/Olympus`"),
            "{error}"
        );
    }
}
