//! Calendar windows cut in the configured local zone: the current day, week, month or year
//! of an SMS quota (janua.md §6.2), the calendar month of `sms-usage`'s `global`, and the
//! twelve months of `sms-stats`.
//!
//! Every window is half-open, `[start, end)`, with both ends in UTC so they compare directly
//! with stored timestamps; the original's inclusive ends counted an SMS sent exactly at
//! midnight in two windows. Ends are local midnights, so a day is 23 or 25 hours long on a
//! daylight-saving change.
//!
//! # Layout
//! - [`QuotaWindow`]: the `D|W|M|Y` of a quota, and its current [`TimeWindow`].
//! - [`calendar_month`], [`months_of_year`]: windows for the statistics.
//! - [`zone`]: [`TimeZone`], the `timezone` setting.

pub mod zone;

use std::fmt;

use time::{Date, Month, OffsetDateTime, UtcOffset};

pub use zone::TimeZone;

/// A calendar computation fell outside what the calendar or the zone's rules cover (years
/// beyond ±9999, a corrupt rule): never for the present, so callers report it as an internal
/// error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CalendarError(pub String);

/// The period a quota is counted over: `D`, `W`, `M` or `Y` in Janua's `sms_quota`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuotaWindow {
    /// Today, 00:00 to tomorrow 00:00.
    Day,
    /// Monday 00:00 of the current week to the next Monday 00:00 (ISO weeks).
    Week,
    /// The first of the month 00:00 to the first of the next month 00:00.
    Month,
    /// 1 January 00:00 to the next 1 January 00:00.
    Year,
}

impl QuotaWindow {
    /// The window a quota letter names: `D`, `W`, `M` or `Y` (upper case only, as Janua's
    /// pattern `[DWMY]`).
    pub fn from_letter(letter: char) -> Option<Self> {
        match letter {
            'D' => Some(Self::Day),
            'W' => Some(Self::Week),
            'M' => Some(Self::Month),
            'Y' => Some(Self::Year),
            _ => None,
        }
    }

    /// The letter `sms_quota` spells it with.
    pub const fn letter(self) -> char {
        match self {
            Self::Day => 'D',
            Self::Week => 'W',
            Self::Month => 'M',
            Self::Year => 'Y',
        }
    }

    /// The English noun Janua's messages and mail templates use: `day`, `week`, `month`,
    /// `year` (as in "SMS quota reached (100 per month)").
    pub const fn noun(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Year => "year",
        }
    }

    /// The window of this kind that holds `now`, cut at local midnights of `zone`. The week
    /// runs Monday to Monday even when its Monday is in the previous month or year.
    pub fn bounds(self, now: OffsetDateTime, zone: &TimeZone) -> Result<TimeWindow, CalendarError> {
        let today = zone.to_local(now)?.date();
        let (first_day, next_first_day) = match self {
            Self::Day => (today, day_after(today)?),
            Self::Week => {
                let days_since_monday = i32::from(today.weekday().number_days_from_monday());
                let monday = julian_day(today.to_julian_day() - days_since_monday)?;
                (monday, julian_day(monday.to_julian_day() + 7)?)
            }
            Self::Month => {
                let first = first_of_month(today.year(), today.month())?;
                (first, first_of_next_month(first)?)
            }
            Self::Year => (
                first_of_month(today.year(), Month::January)?,
                first_of_month(today.year() + 1, Month::January)?,
            ),
        };
        TimeWindow::between(zone.start_of_day(first_day)?, zone.start_of_day(next_first_day)?)
    }
}

impl fmt::Display for QuotaWindow {
    /// The letter, as in `sms_quota`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.letter())
    }
}

/// A half-open span of time `[start, end)`, both ends in UTC, `start` strictly before `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeWindow {
    /// First instant inside the window.
    start: OffsetDateTime,
    /// First instant after it.
    end: OffsetDateTime,
}

impl TimeWindow {
    /// The window from `start` to `end`, refused unless `start < end`.
    fn between(start: OffsetDateTime, end: OffsetDateTime) -> Result<Self, CalendarError> {
        if start >= end {
            return Err(CalendarError(format!("a window from {start} to {end} is empty")));
        }
        let in_utc = |instant: OffsetDateTime| {
            instant
                .checked_to_offset(UtcOffset::UTC)
                .ok_or_else(|| CalendarError(format!("{instant} is outside the calendar in UTC")))
        };
        Ok(Self {
            start: in_utc(start)?,
            end: in_utc(end)?,
        })
    }

    /// First instant inside the window (UTC): count rows with `date_time >= start`.
    pub fn start(&self) -> OffsetDateTime {
        self.start
    }

    /// First instant after the window (UTC): count rows with `date_time < end`.
    pub fn end(&self) -> OffsetDateTime {
        self.end
    }

    /// Whether `instant` falls inside: `start <= instant < end`.
    pub fn contains(&self, instant: OffsetDateTime) -> bool {
        self.start <= instant && instant < self.end
    }
}

/// One calendar month of `sms-stats`: which month, and its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MonthWindow {
    /// The month.
    month: Month,
    /// Its first of the month 00:00 to the next first 00:00, local time, as UTC.
    window: TimeWindow,
}

impl MonthWindow {
    /// The month.
    pub fn month(&self) -> Month {
        self.month
    }

    /// Its English three-letter name, as `sms-stats` shows it: `Jan` … `Dec`.
    pub fn abbreviation(&self) -> &'static str {
        match self.month {
            Month::January => "Jan",
            Month::February => "Feb",
            Month::March => "Mar",
            Month::April => "Apr",
            Month::May => "May",
            Month::June => "Jun",
            Month::July => "Jul",
            Month::August => "Aug",
            Month::September => "Sep",
            Month::October => "Oct",
            Month::November => "Nov",
            Month::December => "Dec",
        }
    }

    /// Its window.
    pub fn window(&self) -> TimeWindow {
        self.window
    }
}

/// The calendar month holding `now` in `zone`: `sms-usage`'s `global` count.
pub fn calendar_month(now: OffsetDateTime, zone: &TimeZone) -> Result<TimeWindow, CalendarError> {
    QuotaWindow::Month.bounds(now, zone)
}

/// The twelve months, January to December, of the local year holding `now`: `sms-stats`.
/// Each month ends where the next begins, and together they cover the year exactly.
pub fn months_of_year(now: OffsetDateTime, zone: &TimeZone) -> Result<[MonthWindow; 12], CalendarError> {
    let year = zone.to_local(now)?.date().year();
    let month = |month: Month| -> Result<MonthWindow, CalendarError> {
        let first = first_of_month(year, month)?;
        let window = TimeWindow::between(
            zone.start_of_day(first)?,
            zone.start_of_day(first_of_next_month(first)?)?,
        )?;
        Ok(MonthWindow { month, window })
    };
    Ok([
        month(Month::January)?,
        month(Month::February)?,
        month(Month::March)?,
        month(Month::April)?,
        month(Month::May)?,
        month(Month::June)?,
        month(Month::July)?,
        month(Month::August)?,
        month(Month::September)?,
        month(Month::October)?,
        month(Month::November)?,
        month(Month::December)?,
    ])
}

/// The 1st of `month` in `year`.
fn first_of_month(year: i32, month: Month) -> Result<Date, CalendarError> {
    Date::from_calendar_date(year, month, 1)
        .map_err(|error| CalendarError(format!("1 {month} {year}: {error}")))
}

/// The 1st of the month after the one `first` is in (December rolls into January).
fn first_of_next_month(first: Date) -> Result<Date, CalendarError> {
    let year = if first.month() == Month::December {
        first.year() + 1
    } else {
        first.year()
    };
    first_of_month(year, first.month().next())
}

/// The day after `date`.
fn day_after(date: Date) -> Result<Date, CalendarError> {
    date.next_day()
        .ok_or_else(|| CalendarError(format!("{date} is the last day of the calendar")))
}

/// The date of a Julian day number.
fn julian_day(day: i32) -> Result<Date, CalendarError> {
    Date::from_julian_day(day).map_err(|error| CalendarError(format!("Julian day {day}: {error}")))
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn zone(name: &str) -> TimeZone {
        TimeZone::parse(name).unwrap()
    }

    fn bounds(window: QuotaWindow, now: OffsetDateTime, zone_name: &str) -> (OffsetDateTime, OffsetDateTime) {
        let window = window.bounds(now, &zone(zone_name)).unwrap();
        assert!(window.contains(now), "{window:?} should hold {now}");
        assert_eq!(
            (window.start().offset(), window.end().offset()),
            (UtcOffset::UTC, UtcOffset::UTC)
        );
        (window.start(), window.end())
    }

    #[test]
    fn letters_and_nouns() {
        for (letter, window, noun) in [
            ('D', QuotaWindow::Day, "day"),
            ('W', QuotaWindow::Week, "week"),
            ('M', QuotaWindow::Month, "month"),
            ('Y', QuotaWindow::Year, "year"),
        ] {
            assert_eq!(QuotaWindow::from_letter(letter), Some(window));
            assert_eq!(
                (window.letter(), window.noun(), window.to_string()),
                (letter, noun, letter.to_string())
            );
        }
        for refused in ['d', 'H', ' ', 'Д'] {
            assert_eq!(QuotaWindow::from_letter(refused), None);
        }
    }

    #[test]
    fn utc_windows() {
        let now = datetime!(2026-05-14 15:30 UTC); // a Thursday
        assert_eq!(
            bounds(QuotaWindow::Day, now, "UTC"),
            (datetime!(2026-05-14 0:00 UTC), datetime!(2026-05-15 0:00 UTC))
        );
        assert_eq!(
            bounds(QuotaWindow::Week, now, "UTC"),
            (datetime!(2026-05-11 0:00 UTC), datetime!(2026-05-18 0:00 UTC))
        );
        assert_eq!(
            bounds(QuotaWindow::Month, now, "UTC"),
            (datetime!(2026-05-01 0:00 UTC), datetime!(2026-06-01 0:00 UTC))
        );
        assert_eq!(
            bounds(QuotaWindow::Year, now, "UTC"),
            (datetime!(2026-01-01 0:00 UTC), datetime!(2027-01-01 0:00 UTC))
        );
    }

    #[test]
    fn windows_are_half_open() {
        let utc = zone("UTC");
        let midnight = datetime!(2026-05-15 0:00 UTC);
        let today = QuotaWindow::Day.bounds(midnight, &utc).unwrap();
        assert_eq!(today.start(), midnight);
        assert!(today.contains(midnight));
        let yesterday = QuotaWindow::Day
            .bounds(midnight - time::Duration::nanoseconds(1), &utc)
            .unwrap();
        assert_eq!(yesterday.end(), midnight);
        assert!(!yesterday.contains(midnight));
        // A Monday starts its own week.
        let monday = datetime!(2026-05-18 0:00 UTC);
        assert_eq!(QuotaWindow::Week.bounds(monday, &utc).unwrap().start(), monday);
        // A Sunday just before midnight is still in the week that began six days earlier.
        let sunday = datetime!(2026-05-17 23:59:59.999 UTC);
        assert_eq!(
            QuotaWindow::Week.bounds(sunday, &utc).unwrap().start(),
            datetime!(2026-05-11 0:00 UTC)
        );
    }

    #[test]
    fn a_week_may_start_in_the_previous_month_or_year() {
        // 2026-03-01 is a Sunday: its week started on Monday 23 February.
        assert_eq!(
            bounds(QuotaWindow::Week, datetime!(2026-03-01 12:00 UTC), "UTC"),
            (datetime!(2026-02-23 0:00 UTC), datetime!(2026-03-02 0:00 UTC))
        );
        // 2027-01-01 is a Friday: its week started on Monday 28 December 2026.
        assert_eq!(
            bounds(QuotaWindow::Week, datetime!(2027-01-01 08:00 UTC), "UTC"),
            (datetime!(2026-12-28 0:00 UTC), datetime!(2027-01-04 0:00 UTC))
        );
        assert_eq!(
            bounds(QuotaWindow::Week, datetime!(2027-01-01 08:00 UTC), "Europe/Paris"),
            (datetime!(2026-12-27 23:00 UTC), datetime!(2027-01-03 23:00 UTC))
        );
        // A week may also end in the next year: 2025-12-31 is a Wednesday.
        assert_eq!(
            bounds(QuotaWindow::Week, datetime!(2025-12-31 12:00 UTC), "UTC"),
            (datetime!(2025-12-29 0:00 UTC), datetime!(2026-01-05 0:00 UTC))
        );
        // And a leap day: 2028-02-29 is a Tuesday.
        assert_eq!(
            bounds(QuotaWindow::Week, datetime!(2028-02-29 12:00 UTC), "UTC"),
            (datetime!(2028-02-28 0:00 UTC), datetime!(2028-03-06 0:00 UTC))
        );
    }

    #[test]
    fn december_rolls_into_next_year() {
        let now = datetime!(2026-12-31 23:59 UTC);
        assert_eq!(
            bounds(QuotaWindow::Month, now, "UTC"),
            (datetime!(2026-12-01 0:00 UTC), datetime!(2027-01-01 0:00 UTC))
        );
        assert_eq!(
            bounds(QuotaWindow::Day, now, "UTC"),
            (datetime!(2026-12-31 0:00 UTC), datetime!(2027-01-01 0:00 UTC))
        );
        assert_eq!(
            bounds(QuotaWindow::Month, datetime!(2028-02-10 0:00 UTC), "UTC"),
            (datetime!(2028-02-01 0:00 UTC), datetime!(2028-03-01 0:00 UTC))
        );
    }

    #[test]
    fn the_local_date_decides_the_window() {
        // 2026-12-31 23:30 UTC is already 2027 in Paris, still 2026 in New York.
        let now = datetime!(2026-12-31 23:30 UTC);
        assert_eq!(
            bounds(QuotaWindow::Year, now, "Europe/Paris"),
            (datetime!(2026-12-31 23:00 UTC), datetime!(2027-12-31 23:00 UTC))
        );
        assert_eq!(
            bounds(QuotaWindow::Year, now, "America/New_York"),
            (datetime!(2026-01-01 05:00 UTC), datetime!(2027-01-01 05:00 UTC))
        );
        // Paris in summer: the month begins at 22:00 UTC the evening before.
        assert_eq!(
            bounds(
                QuotaWindow::Month,
                datetime!(2026-06-30 22:30 UTC),
                "Europe/Paris"
            ),
            (datetime!(2026-06-30 22:00 UTC), datetime!(2026-07-31 22:00 UTC))
        );
    }

    #[test]
    fn paris_in_spring_loses_an_hour() {
        // Sunday 29 March 2026, 02:00 CET → 03:00 CEST: a 23-hour day.
        let now = datetime!(2026-03-29 12:00 UTC);
        assert_eq!(
            bounds(QuotaWindow::Day, now, "Europe/Paris"),
            (datetime!(2026-03-28 23:00 UTC), datetime!(2026-03-29 22:00 UTC))
        );
        // Its week opens in winter time and closes in summer time.
        assert_eq!(
            bounds(QuotaWindow::Week, now, "Europe/Paris"),
            (datetime!(2026-03-22 23:00 UTC), datetime!(2026-03-29 22:00 UTC))
        );
        assert_eq!(
            bounds(QuotaWindow::Month, now, "Europe/Paris"),
            (datetime!(2026-02-28 23:00 UTC), datetime!(2026-03-31 22:00 UTC))
        );
        // The day before and after are ordinary.
        assert_eq!(
            bounds(
                QuotaWindow::Day,
                datetime!(2026-03-28 22:59:59 UTC),
                "Europe/Paris"
            ),
            (datetime!(2026-03-27 23:00 UTC), datetime!(2026-03-28 23:00 UTC))
        );
        assert_eq!(
            bounds(QuotaWindow::Day, datetime!(2026-03-29 22:00 UTC), "Europe/Paris"),
            (datetime!(2026-03-29 22:00 UTC), datetime!(2026-03-30 22:00 UTC))
        );
    }

    #[test]
    fn paris_in_autumn_gains_an_hour() {
        // Sunday 25 October 2026, 03:00 CEST → 02:00 CET: a 25-hour day.
        let now = datetime!(2026-10-25 12:00 UTC);
        assert_eq!(
            bounds(QuotaWindow::Day, now, "Europe/Paris"),
            (datetime!(2026-10-24 22:00 UTC), datetime!(2026-10-25 23:00 UTC))
        );
        // Inside the repeated hour (02:30 happens twice), still the same day.
        assert_eq!(
            bounds(QuotaWindow::Day, datetime!(2026-10-25 00:30 UTC), "Europe/Paris").0,
            datetime!(2026-10-24 22:00 UTC)
        );
        assert_eq!(
            bounds(QuotaWindow::Day, datetime!(2026-10-25 01:30 UTC), "Europe/Paris").0,
            datetime!(2026-10-24 22:00 UTC)
        );
        assert_eq!(
            bounds(QuotaWindow::Week, now, "Europe/Paris"),
            (datetime!(2026-10-18 22:00 UTC), datetime!(2026-10-25 23:00 UTC))
        );
        assert_eq!(
            bounds(QuotaWindow::Month, now, "Europe/Paris"),
            (datetime!(2026-09-30 22:00 UTC), datetime!(2026-10-31 23:00 UTC))
        );
    }

    #[test]
    fn fixed_offset_windows() {
        // 03:00 UTC on 1 January is still 31 December 21:30 at -05:30.
        let now = datetime!(2026-01-01 03:00 UTC);
        assert_eq!(
            bounds(QuotaWindow::Day, now, "-05:30"),
            (datetime!(2025-12-31 05:30 UTC), datetime!(2026-01-01 05:30 UTC))
        );
        assert_eq!(
            bounds(QuotaWindow::Year, now, "-05:30"),
            (datetime!(2025-01-01 05:30 UTC), datetime!(2026-01-01 05:30 UTC))
        );
        // At +01:00 it is already 04:00 on 1 January; no daylight saving, ever.
        assert_eq!(
            bounds(QuotaWindow::Month, now, "+01:00"),
            (datetime!(2025-12-31 23:00 UTC), datetime!(2026-01-31 23:00 UTC))
        );
        assert_eq!(
            bounds(QuotaWindow::Day, datetime!(2026-03-29 12:00 UTC), "+01:00"),
            (datetime!(2026-03-28 23:00 UTC), datetime!(2026-03-29 23:00 UTC))
        );
    }

    #[test]
    fn now_may_carry_any_offset() {
        let paris = zone("Europe/Paris");
        let same_instant = datetime!(2026-03-29 14:00 +02:00);
        assert_eq!(
            QuotaWindow::Day.bounds(same_instant, &paris).unwrap(),
            QuotaWindow::Day
                .bounds(datetime!(2026-03-29 12:00 UTC), &paris)
                .unwrap()
        );
    }

    #[test]
    fn a_skipped_midnight_starts_the_day_at_the_jump() {
        // America/Santiago, 2024-09-08: 00:00 -04 jumped to 01:00 -03.
        assert_eq!(
            bounds(
                QuotaWindow::Day,
                datetime!(2024-09-08 12:00 UTC),
                "America/Santiago"
            ),
            (datetime!(2024-09-08 04:00 UTC), datetime!(2024-09-09 03:00 UTC))
        );
    }

    #[test]
    fn the_calendar_month_is_the_month_window() {
        let paris = zone("Europe/Paris");
        let now = datetime!(2026-03-29 12:00 UTC);
        assert_eq!(
            calendar_month(now, &paris).unwrap(),
            QuotaWindow::Month.bounds(now, &paris).unwrap()
        );
    }

    #[test]
    fn twelve_months_tile_the_local_year() {
        let paris = zone("Europe/Paris");
        let now = datetime!(2026-12-31 23:30 UTC); // already 2027 in Paris
        let months = months_of_year(now, &paris).unwrap();
        let names: Vec<&str> = months.iter().map(MonthWindow::abbreviation).collect();
        assert_eq!(
            names,
            [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
            ]
        );
        assert_eq!(months[0].month(), Month::January);
        assert_eq!(months[0].window().start(), datetime!(2026-12-31 23:00 UTC));
        assert_eq!(months[11].window().end(), datetime!(2027-12-31 23:00 UTC));
        for pair in months.windows(2) {
            assert_eq!(pair[0].window().end(), pair[1].window().start());
        }
        // March 2027 closes in summer time, October reopens winter time.
        assert_eq!(months[2].window().end(), datetime!(2027-03-31 22:00 UTC));
        assert_eq!(months[10].window().start(), datetime!(2027-10-31 23:00 UTC));
        assert_eq!(
            QuotaWindow::Year.bounds(now, &paris).unwrap(),
            TimeWindow::between(months[0].window().start(), months[11].window().end()).unwrap()
        );
        // February of a leap year in UTC.
        let leap = months_of_year(datetime!(2028-06-01 0:00 UTC), &zone("UTC")).unwrap();
        assert_eq!(
            (leap[1].window().start(), leap[1].window().end()),
            (datetime!(2028-02-01 0:00 UTC), datetime!(2028-03-01 0:00 UTC))
        );
    }

    #[test]
    fn the_ends_of_the_calendar_are_errors_not_panics() {
        let utc = zone("UTC");
        let error = QuotaWindow::Year
            .bounds(datetime!(9999-06-01 0:00 UTC), &utc)
            .unwrap_err();
        assert!(error.0.contains("9999") || error.0.contains("10000"), "{error}");
        assert!(
            QuotaWindow::Day
                .bounds(datetime!(9999-12-31 12:00 UTC), &utc)
                .is_err()
        );
        assert!(months_of_year(datetime!(9999-06-01 0:00 UTC), &utc).is_err());
        assert!(
            QuotaWindow::Day
                .bounds(datetime!(-9999-01-01 12:00 UTC), &utc)
                .is_ok()
        );
        assert!(TimeWindow::between(datetime!(2026-01-01 0:00 UTC), datetime!(2026-01-01 0:00 UTC)).is_err());
    }
}
