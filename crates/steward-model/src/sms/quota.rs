//! Janua's `sms_quota`: `"<limit> <D|W|M|Y>"`, SMS parts allowed per day, week, month or
//! year (janua.md §5 ADMIN, §6.2).

use std::fmt;

use time::OffsetDateTime;

use crate::ParseError;
use crate::quota_window::{CalendarError, QuotaWindow, TimeWindow, TimeZone};

/// How many SMS parts an admin may send per window. Valid by construction: it matches
/// `^[0-9]+ [DWMY]$` in at most 10 characters (the original accepted anything and then
/// crashed its quota code).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SmsQuota {
    /// The string as given, leading zeros and all: `sms-usage` shows it back verbatim.
    text: String,
    /// Parts allowed per window; at most 99 999 999 (eight digits fit in ten characters).
    limit: u64,
    /// The window the parts are counted over.
    window: QuotaWindow,
}

impl SmsQuota {
    /// The one message every malformed quota gets (janua.md §4.7, ADMIN).
    pub const INVALID: &'static str = "Invalid quota, expected '<number> <D|W|M|Y>'";

    /// Longest quota string, as long as Janua's `sms_quota` column.
    pub const MAX_LEN: usize = 10;

    /// Largest limit [`SmsQuota::new`] accepts: what fits in [`SmsQuota::MAX_LEN`].
    pub const MAX_LIMIT: u64 = 99_999_999;

    /// Parses `"100 M"`: ASCII digits, one space, one of `D W M Y`, ten characters at most.
    /// Leading zeros are allowed (`"007 D"`) and kept for display.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let invalid = || ParseError(Self::INVALID.into());
        if raw.len() > Self::MAX_LEN {
            return Err(invalid());
        }
        let (digits, letter) = raw.split_once(' ').ok_or_else(invalid)?;
        if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(invalid());
        }
        let mut letters = letter.chars();
        let window = match (letters.next(), letters.next()) {
            (Some(letter), None) => QuotaWindow::from_letter(letter).ok_or_else(invalid)?,
            _ => return Err(invalid()),
        };
        // At most eight digits after the length check, so this always fits.
        let limit = digits.parse::<u64>().map_err(|_| invalid())?;
        Ok(Self {
            text: raw.to_owned(),
            limit,
            window,
        })
    }

    /// A quota the code chooses (`"<limit> <letter>"`), refused above [`SmsQuota::MAX_LIMIT`].
    pub fn new(limit: u64, window: QuotaWindow) -> Result<Self, ParseError> {
        if limit > Self::MAX_LIMIT {
            return Err(ParseError(format!(
                "a quota limit is at most {}",
                Self::MAX_LIMIT
            )));
        }
        Ok(Self {
            text: format!("{limit} {}", window.letter()),
            limit,
            window,
        })
    }

    /// Parts allowed per window.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// The window they are counted over.
    pub fn window(&self) -> QuotaWindow {
        self.window
    }

    /// The string as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The current window holding `now`, cut in `zone`: what usage is summed over.
    pub fn current_window(&self, now: OffsetDateTime, zone: &TimeZone) -> Result<TimeWindow, CalendarError> {
        self.window.bounds(now, zone)
    }

    /// Whether `used` parts reach the quota (usage ≥ limit): the worker then drops the SMS
    /// and mails the sender once per window.
    pub fn is_reached(&self, used: u64) -> bool {
        used >= self.limit
    }

    /// Whether `additional` parts may be queued on top of `used`: `used + additional ≤
    /// limit`. A request whose parts (times recipients) would exceed it is refused whole.
    pub fn allows(&self, used: u64, additional: u64) -> bool {
        used.saturating_add(additional) <= self.limit
    }
}

impl Default for SmsQuota {
    /// Janua's default, `"100 M"`.
    fn default() -> Self {
        Self {
            text: "100 M".to_owned(),
            limit: 100,
            window: QuotaWindow::Month,
        }
    }
}

impl fmt::Display for SmsQuota {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for SmsQuota {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw)
    }
}

impl TryFrom<String> for SmsQuota {
    type Error = ParseError;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<SmsQuota> for String {
    fn from(quota: SmsQuota) -> Self {
        quota.text
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn parses_every_window() {
        for (raw, limit, window) in [
            ("100 M", 100, QuotaWindow::Month),
            ("200 D", 200, QuotaWindow::Day),
            ("5 W", 5, QuotaWindow::Week),
            ("1000 Y", 1000, QuotaWindow::Year),
            ("0 D", 0, QuotaWindow::Day),
            ("99999999 Y", 99_999_999, QuotaWindow::Year),
        ] {
            let quota = SmsQuota::parse(raw).unwrap();
            assert_eq!((quota.limit(), quota.window()), (limit, window), "{raw}");
            assert_eq!(quota.to_string(), raw);
            assert_eq!(quota.as_str(), raw);
        }
    }

    #[test]
    fn displays_back_exactly_what_was_given() {
        let quota = SmsQuota::parse("007 D").unwrap();
        assert_eq!((quota.limit(), quota.to_string()), (7, "007 D".to_owned()));
        assert_eq!(String::from(quota), "007 D");
    }

    #[test]
    fn refuses_everything_else_with_janua_s_message() {
        for raw in [
            "",
            " ",
            "100",
            "M",
            "100M",
            "100 m",
            "100 H",
            "100  M",
            " 100 M",
            "100 M ",
            "100 MM",
            "-1 M",
            "+1 M",
            "1.5 M",
            "1e3 M",
            "100\tM",
            "100 M\n",
            "１００ M",
            "100 Ｍ",
            "999999999 M",
            "0000000001 M",
        ] {
            assert_eq!(
                SmsQuota::parse(raw),
                Err(ParseError(SmsQuota::INVALID.into())),
                "{raw:?}"
            );
        }
        assert_eq!(SmsQuota::INVALID, "Invalid quota, expected '<number> <D|W|M|Y>'");
    }

    #[test]
    fn ten_characters_at_most() {
        assert!(SmsQuota::parse("00000001 M").is_ok());
        assert!(SmsQuota::parse("000000001 M").is_err());
    }

    #[test]
    fn built_quotas_and_the_default() {
        assert_eq!(SmsQuota::default(), SmsQuota::parse("100 M").unwrap());
        let quota = SmsQuota::new(250, QuotaWindow::Week).unwrap();
        assert_eq!(quota, SmsQuota::parse("250 W").unwrap());
        assert!(SmsQuota::new(SmsQuota::MAX_LIMIT, QuotaWindow::Year).is_ok());
        assert!(SmsQuota::new(SmsQuota::MAX_LIMIT + 1, QuotaWindow::Year).is_err());
    }

    #[test]
    fn reached_and_allowed() {
        let quota = SmsQuota::parse("10 D").unwrap();
        assert!(!quota.is_reached(9));
        assert!(quota.is_reached(10));
        assert!(quota.is_reached(11));
        assert!(quota.allows(7, 3));
        assert!(!quota.allows(7, 4));
        assert!(quota.allows(10, 0));
        assert!(!quota.allows(u64::MAX, 1));
        let nothing = SmsQuota::parse("0 M").unwrap();
        assert!(nothing.is_reached(0));
        assert!(!nothing.allows(0, 1));
    }

    #[test]
    fn the_current_window_follows_the_letter() {
        let quota = SmsQuota::parse("100 W").unwrap();
        let window = quota
            .current_window(datetime!(2027-01-01 08:00 UTC), &TimeZone::utc())
            .unwrap();
        assert_eq!(
            (window.start(), window.end()),
            (datetime!(2026-12-28 0:00 UTC), datetime!(2027-01-04 0:00 UTC))
        );
        assert_eq!(
            format!(
                "SMS quota reached ({} per {})",
                quota.limit(),
                quota.window().noun()
            ),
            "SMS quota reached (100 per week)"
        );
    }

    #[test]
    fn serde_goes_through_parse() {
        let quota: SmsQuota = serde_json::from_str("\"200 D\"").unwrap();
        assert_eq!(quota.limit(), 200);
        assert_eq!(serde_json::to_string(&quota).unwrap(), "\"200 D\"");
        let error = serde_json::from_str::<SmsQuota>("\"lots\"").unwrap_err();
        assert!(error.to_string().contains(SmsQuota::INVALID), "{error}");
    }
}
