//! Calendar dates, instants, and date windows.
//!
//! Business facts (entry dates, MOU windows, birth dates) are calendar dates with no time
//! of day, interpreted in the deployment's time zone (see
//! [`SharingPolicy::time_zone`](crate::sharing::SharingPolicy::time_zone)). Instants (when an
//! event was recorded, when a client checked in) are UTC [`Timestamp`]s.
//!
//! Both serialize as integers, which are compact in bincode's varint encoding and compare
//! and sort without parsing. Deserialization checks the range, so every `Date` and
//! `Timestamp` value converts to `chrono` without failure.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::parse::ParseError;

/// A calendar date (no time of day, no zone), stored as the number of days since
/// 0001-01-01 counting that day as 1 (chrono's `num_days_from_ce`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

impl Date {
    /// Builds a date from year, month (1–12) and day (1–31); `None` if no such date exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(year, month, day).map(Self::from_naive)
    }

    /// Builds a date from its stored form; `None` outside chrono's supported range.
    pub fn from_days_from_ce(days: i32) -> Option<Self> {
        NaiveDate::from_num_days_from_ce_opt(days).map(|_| Self(days))
    }

    /// A date from its stored form in a `const` context. Only for constants this crate knows to
    /// be in range (each is checked by a test).
    pub(crate) const fn from_days_from_ce_const(days: i32) -> Self {
        Self(days)
    }

    /// The last date the calendar supports (chrono's `NaiveDate::MAX`).
    pub fn max() -> Self {
        Self::from_naive(NaiveDate::MAX)
    }

    /// The stored form: days since 0001-01-01, where 0001-01-01 is 1.
    pub const fn days_from_ce(self) -> i32 {
        self.0
    }

    /// Converts from chrono.
    pub fn from_naive(date: NaiveDate) -> Self {
        Self(date.num_days_from_ce())
    }

    /// Converts to chrono. Never fails: every `Date` value is range-checked on creation.
    pub fn to_naive(self) -> NaiveDate {
        NaiveDate::from_num_days_from_ce_opt(self.0).unwrap_or(NaiveDate::MIN)
    }

    /// The calendar year.
    pub fn year(self) -> i32 {
        self.to_naive().year()
    }

    /// The month, 1–12.
    pub fn month(self) -> u32 {
        self.to_naive().month()
    }

    /// The day of the month, 1–31.
    pub fn day(self) -> u32 {
        self.to_naive().day()
    }

    /// The date `days` later (earlier if negative); `None` outside the supported range.
    pub fn add_days(self, days: i64) -> Option<Self> {
        let target = i64::from(self.0).checked_add(days)?;
        Self::from_days_from_ce(i32::try_from(target).ok()?)
    }
}

impl From<NaiveDate> for Date {
    fn from(date: NaiveDate) -> Self {
        Self::from_naive(date)
    }
}

impl From<Date> for NaiveDate {
    fn from(date: Date) -> Self {
        date.to_naive()
    }
}

impl fmt::Display for Date {
    /// ISO 8601 `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_naive().format("%Y-%m-%d"))
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl FromStr for Date {
    type Err = ParseError;

    /// Parses exactly `YYYY-MM-DD` with a year of four digits (0000–9999), zero-padded, no
    /// sign and no surrounding space. chrono alone would read `+10000-01-01` and
    /// `-0001-01-01`, which no business date is. Whether a date is a plausible business date
    /// (1900 or later, ...) is [`crate::input::check_date`]'s question, not the parser's.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let shape_ok = s.len() == 10
            && s.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        if !shape_ok {
            return Err(ParseError::InvalidDate);
        }
        let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| ParseError::InvalidDate)?;
        let date = Self::from_naive(date);
        if date.to_string() == s {
            Ok(date)
        } else {
            Err(ParseError::InvalidDate)
        }
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i32(self.0)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let days = i32::deserialize(deserializer)?;
        Self::from_days_from_ce(days).ok_or_else(|| D::Error::custom("date out of range"))
    }
}

/// An instant, stored as UTC microseconds since 1970-01-01T00:00:00Z.
///
/// Microseconds, not nanoseconds: they fit an `i64` for ±292,000 years, and no clock this
/// service reads is more precise.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The Unix epoch, 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH: Timestamp = Timestamp(0);

    /// Builds a timestamp from its stored form; `None` outside chrono's supported range.
    pub fn from_micros(micros: i64) -> Option<Self> {
        DateTime::<Utc>::from_timestamp_micros(micros).map(|_| Self(micros))
    }

    /// The stored form: microseconds since the Unix epoch, UTC.
    pub const fn as_micros(self) -> i64 {
        self.0
    }

    /// Converts from chrono, truncating below a microsecond.
    pub fn from_datetime(at: DateTime<Utc>) -> Self {
        Self(at.timestamp_micros())
    }

    /// Converts to chrono. Never fails: every `Timestamp` is range-checked on creation.
    pub fn to_datetime(self) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp_micros(self.0).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// The calendar date of this instant in UTC. Business dates use the deployment's time
    /// zone instead; core has no time zone database, so that conversion is the caller's.
    pub fn utc_date(self) -> Date {
        Date::from_naive(self.to_datetime().date_naive())
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(at: DateTime<Utc>) -> Self {
        Self::from_datetime(at)
    }
}

impl From<Timestamp> for DateTime<Utc> {
    fn from(at: Timestamp) -> Self {
        at.to_datetime()
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC with microseconds, e.g. `2026-01-31T14:05:00.000000Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            &self
                .to_datetime()
                .to_rfc3339_opts(SecondsFormat::Micros, true),
        )
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl FromStr for Timestamp {
    type Err = ParseError;

    /// Parses any RFC 3339 timestamp (any offset; converted to UTC; digits below a
    /// microsecond are truncated).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let at = DateTime::parse_from_rfc3339(s).map_err(|_| ParseError::InvalidTimestamp)?;
        Ok(Self::from_datetime(at.with_timezone(&Utc)))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let micros = i64::deserialize(deserializer)?;
        Self::from_micros(micros).ok_or_else(|| D::Error::custom("timestamp out of range"))
    }
}

/// A span of calendar dates: `start` inclusive, `end` inclusive or open (`None`).
///
/// Every sharing fact (MOU, MOU assignment, release exception, bar) has one. A window whose
/// end is before its start contains no date; commands reject such windows, but decoding
/// accepts them so that history always replays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DateWindow {
    /// First date in the window.
    pub start: Date,
    /// Last date in the window, or `None` if it has no end yet.
    pub end: Option<Date>,
}

impl DateWindow {
    /// A window from `start` with no end.
    pub const fn open(start: Date) -> Self {
        Self { start, end: None }
    }

    /// A window from `start` through `end`, both inclusive.
    pub const fn closed(start: Date, end: Date) -> Self {
        Self {
            start,
            end: Some(end),
        }
    }

    /// Whether `date` lies in the window.
    pub fn contains(&self, date: Date) -> bool {
        self.start <= date && self.end.is_none_or(|end| date <= end)
    }

    /// Whether the end (if any) is not before the start.
    pub fn is_well_formed(&self) -> bool {
        self.end.is_none_or(|end| self.start <= end)
    }

    /// Whether some date lies in both windows.
    pub fn overlaps(&self, other: &DateWindow) -> bool {
        let start = self.start.max(other.start);
        match (self.end, other.end) {
            (None, None) => true,
            (Some(end), None) | (None, Some(end)) => start <= end,
            (Some(a), Some(b)) => start <= a.min(b),
        }
    }

    /// This window ended no later than `end` (what an "ended"/"revoked" event does to it).
    pub fn closed_at(&self, end: Date) -> DateWindow {
        let end = match self.end {
            Some(current) => current.min(end),
            None => end,
        };
        DateWindow {
            start: self.start,
            end: Some(end),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn date_stored_form_is_days_from_ce() {
        assert_eq!(Date::from_ymd(1, 1, 1).unwrap().days_from_ce(), 1);
        assert_eq!(Date::from_ymd(1970, 1, 1).unwrap().days_from_ce(), 719_163);
        let date = Date::from_ymd(2026, 2, 28).unwrap();
        assert_eq!(Date::from_days_from_ce(date.days_from_ce()), Some(date));
    }

    #[test]
    fn date_chrono_round_trip() {
        let naive = NaiveDate::from_ymd_opt(1982, 10, 17).unwrap();
        let date = Date::from(naive);
        assert_eq!(NaiveDate::from(date), naive);
        assert_eq!((date.year(), date.month(), date.day()), (1982, 10, 17));
    }

    #[test]
    fn date_text() {
        let date = Date::from_ymd(2015, 2, 7).unwrap();
        assert_eq!(date.to_string(), "2015-02-07");
        assert_eq!(d("2015-02-07"), date);
        assert_eq!(format!("{date:?}"), "Date(2015-02-07)");
        for bad in [
            "2015-2-07",
            " 2015-02-07",
            "2015-02-30",
            "2015/02/07",
            "",
            "17-JUN-20",
            "+10000-01-01",
            "-0001-01-01",
            "10000-01-01",
            "+2015-02-07",
            "２０１５-02-07",
        ] {
            assert_eq!(bad.parse::<Date>(), Err(ParseError::InvalidDate), "{bad:?}");
        }
    }

    #[test]
    fn date_range_checked() {
        assert_eq!(Date::from_days_from_ce(i32::MAX), None);
        assert_eq!(Date::from_ymd(2024, 2, 30), None);
        let bytes = bincode::serde::encode_to_vec(i32::MAX, bincode::config::standard()).unwrap();
        let decoded: Result<(Date, usize), _> =
            bincode::serde::decode_from_slice(&bytes, bincode::config::standard());
        assert!(decoded.is_err());
    }

    #[test]
    fn date_add_days() {
        assert_eq!(d("2024-02-28").add_days(1), Some(d("2024-02-29")));
        assert_eq!(d("2024-03-01").add_days(-1), Some(d("2024-02-29")));
        assert_eq!(d("2024-03-01").add_days(i64::MAX), None);
    }

    #[test]
    fn timestamp_micros_and_chrono() {
        let at = DateTime::parse_from_rfc3339("2026-01-31T14:05:06.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        let ts = Timestamp::from(at);
        assert_eq!(ts.as_micros(), 1_769_868_306_123_456);
        assert_eq!(DateTime::<Utc>::from(ts), at);
        assert_eq!(Timestamp::from_micros(ts.as_micros()), Some(ts));
        assert_eq!(
            Timestamp::UNIX_EPOCH.to_string(),
            "1970-01-01T00:00:00.000000Z"
        );
        assert_eq!(Timestamp::from_micros(i64::MAX), None);
    }

    #[test]
    fn timestamp_text() {
        let ts: Timestamp = "2026-01-31T06:05:06.5-08:00".parse().unwrap();
        assert_eq!(ts.to_string(), "2026-01-31T14:05:06.500000Z");
        assert_eq!(ts.to_string().parse::<Timestamp>(), Ok(ts));
        assert_eq!(ts.utc_date(), d("2026-01-31"));
        assert_eq!(
            "2026-01-31".parse::<Timestamp>(),
            Err(ParseError::InvalidTimestamp)
        );
    }

    #[test]
    fn timestamp_range_checked_on_decode() {
        let bytes = bincode::serde::encode_to_vec(i64::MIN, bincode::config::standard()).unwrap();
        let decoded: Result<(Timestamp, usize), _> =
            bincode::serde::decode_from_slice(&bytes, bincode::config::standard());
        assert!(decoded.is_err());
    }

    #[test]
    fn window_contains_is_inclusive() {
        let window = DateWindow::closed(d("2026-01-01"), d("2026-01-31"));
        assert!(!window.contains(d("2025-12-31")));
        assert!(window.contains(d("2026-01-01")));
        assert!(window.contains(d("2026-01-31")));
        assert!(!window.contains(d("2026-02-01")));
        let open = DateWindow::open(d("2026-01-01"));
        assert!(open.contains(d("9999-12-31")));
        assert!(!open.contains(d("2025-12-31")));
    }

    #[test]
    fn inverted_window_contains_nothing() {
        let window = DateWindow::closed(d("2026-01-31"), d("2026-01-01"));
        assert!(!window.is_well_formed());
        assert!(!window.contains(d("2026-01-15")));
        assert!(!window.contains(d("2026-01-31")));
    }

    #[test]
    fn window_overlaps_and_closes() {
        let jan = DateWindow::closed(d("2026-01-01"), d("2026-01-31"));
        let feb_on = DateWindow::open(d("2026-02-01"));
        assert!(!jan.overlaps(&feb_on));
        assert!(jan.overlaps(&DateWindow::open(d("2026-01-31"))));
        assert!(feb_on.overlaps(&DateWindow::open(d("2030-01-01"))));
        assert_eq!(feb_on.closed_at(d("2026-03-01")).end, Some(d("2026-03-01")));
        assert_eq!(jan.closed_at(d("2026-03-01")).end, Some(d("2026-01-31")));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn any_date() -> impl Strategy<Value = Date> {
            let min = NaiveDate::MIN.num_days_from_ce();
            let max = NaiveDate::MAX.num_days_from_ce();
            (min..=max).prop_map(|days| Date::from_days_from_ce(days).expect("in range"))
        }

        proptest! {
            /// Text round-trips for years of four digits; other years are written (with a sign
            /// or five digits) but never read back.
            #[test]
            fn date_text_and_chrono_round_trip(date in any_date()) {
                let parsed = date.to_string().parse::<Date>();
                if (0..=9999).contains(&date.year()) {
                    prop_assert_eq!(parsed, Ok(date));
                } else {
                    prop_assert_eq!(parsed, Err(ParseError::InvalidDate));
                }
                prop_assert_eq!(Date::from_naive(date.to_naive()), date);
            }

            #[test]
            fn timestamp_text_round_trip(micros in -62_135_596_800_000_000i64..253_402_300_799_999_999) {
                let ts = Timestamp::from_micros(micros).expect("years 1 to 9999");
                prop_assert_eq!(ts.to_string().parse::<Timestamp>(), Ok(ts));
                prop_assert_eq!(Timestamp::from_datetime(ts.to_datetime()), ts);
            }

            #[test]
            fn overlap_agrees_with_contains(
                a in any_date(), b in any_date(), c in any_date(), d in any_date(),
                open_ended in any::<bool>(),
            ) {
                let first = DateWindow::closed(a.min(b), a.max(b));
                let second = if open_ended {
                    DateWindow::open(c.min(d))
                } else {
                    DateWindow::closed(c.min(d), c.max(d))
                };
                let shared_start = first.start.max(second.start);
                prop_assert_eq!(
                    first.overlaps(&second),
                    first.contains(shared_start) && second.contains(shared_start)
                );
                prop_assert_eq!(first.overlaps(&second), second.overlaps(&first));
            }
        }
    }
}
