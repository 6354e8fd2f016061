//! Dates and timestamps as HMIS exports write them.
//!
//! The specification says `YYYY-MM-DD` and `YYYY-MM-DD HH:MM:SS`, but exports from older systems
//! (and hand-edited files) also carry Oracle's `DD-MON-YY` (`17-JUN-20`), US month-first dates
//! with `/` or `-` (`9/10/2015`, `04-28-19`), with or without a time. A two-digit year means the
//! most recent year with those last two digits that is not after the reference year (the year the
//! import runs): `20` is 2020 and `67` is 1967 when importing in 2026. Numeric dates are
//! month-first unless the column shows otherwise: a column where some value can only be
//! day-first (`13-06-19`) and none only month-first is read day-first throughout (see
//! [`day_first`]), so `03-11-21` beside it is 3 November, not 11 March.

use caseledger_core::Date;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// A year as written: four digits, or two resolved against `reference_year`.
fn year(text: &str, reference_year: i32) -> Option<i32> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match text.len() {
        4 => text.parse().ok(),
        2 => {
            let yy: i32 = text.parse().ok()?;
            let century = reference_year - reference_year.rem_euclid(100);
            let candidate = century + yy;
            Some(if candidate > reference_year {
                candidate - 100
            } else {
                candidate
            })
        }
        _ => None,
    }
}

fn number(text: &str) -> Option<u32> {
    (!text.is_empty() && text.len() <= 2 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// Whether a column's numeric dates are day-first: some value's first part is over 12 (so it
/// cannot be a month) and no value's second part is (so none is month-first for certain).
pub fn day_first<'a>(values: impl Iterator<Item = &'a str>) -> bool {
    let (mut day_first, mut month_first) = (false, false);
    for v in values {
        let v = v.trim();
        let date = v.split_once([' ', 'T']).map_or(v, |(d, _)| d);
        if !(6..=10).contains(&date.len()) || date.as_bytes().get(4) == Some(&b'-') {
            continue;
        }
        let mut parts = date.split(['/', '-']);
        let (Some(a), Some(b), Some(_), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        match (number(a), number(b)) {
            (Some(a), Some(b)) if a > 12 && b <= 12 => day_first = true,
            (Some(a), Some(b)) if b > 12 && a <= 12 => month_first = true,
            _ => {}
        }
    }
    day_first && !month_first
}

fn date_part(text: &str, reference_year: i32, day_first: bool) -> Option<NaiveDate> {
    let text = text.trim();
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        && text.len() == 10
    {
        return Some(d);
    }
    let separator = if text.contains('/') { '/' } else { '-' };
    let parts: Vec<&str> = text.split(separator).collect();
    let [a, b, c] = parts[..] else {
        return None;
    };
    // DD-MON-YY or DD-MON-YYYY (Oracle).
    if let Some(month) = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(b)) {
        return NaiveDate::from_ymd_opt(year(c, reference_year)?, month as u32 + 1, number(a)?);
    }
    // US month-first: M/D/YY, M/D/YYYY, MM-DD-YY, M-D-YYYY; or, in a day-first column,
    // D/M/YY and DD-MM-YY.
    let (month, day) = if day_first { (b, a) } else { (a, b) };
    NaiveDate::from_ymd_opt(year(c, reference_year)?, number(month)?, number(day)?)
}

/// A date (`DOB`, `EntryDate`, ...), or `None` when no spelling fits or the day does not exist.
pub fn parse_date(text: &str, reference_year: i32) -> Option<Date> {
    parse_date_in(text, reference_year, false)
}

/// [`parse_date`] in a column whose numeric dates are day-first when `day_first`.
pub fn parse_date_in(text: &str, reference_year: i32, day_first: bool) -> Option<Date> {
    date_part(text, reference_year, day_first).map(Date::from_naive)
}

/// A timestamp (`DateCreated`, `DateUpdated`, `DateDeleted`): a date, optionally followed by a
/// time `HH:MM` or `HH:MM:SS`; `None` when it does not parse.
pub fn parse_timestamp(text: &str, reference_year: i32) -> Option<NaiveDateTime> {
    parse_timestamp_in(text, reference_year, false)
}

/// [`parse_timestamp`] in a column whose numeric dates are day-first when `day_first`.
pub fn parse_timestamp_in(
    text: &str,
    reference_year: i32,
    day_first: bool,
) -> Option<NaiveDateTime> {
    let text = text.trim();
    let (date, time) = match text.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (text, None),
    };
    let date = date_part(date, reference_year, day_first)?;
    let time = match time {
        None | Some("") => NaiveTime::MIN,
        Some(t) => NaiveTime::parse_from_str(t, "%H:%M:%S")
            .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
            .ok()?,
    };
    Some(date.and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Option<String> {
        parse_date(text, 2026).map(|d| d.to_string())
    }

    #[test]
    fn every_spelling_seen_in_exports() {
        assert_eq!(d("1984-01-08").as_deref(), Some("1984-01-08"));
        assert_eq!(d("17-JUN-20").as_deref(), Some("2020-06-17"));
        assert_eq!(d("08-may-67").as_deref(), Some("1967-05-08"));
        assert_eq!(d("17-JUN-2020").as_deref(), Some("2020-06-17"));
        assert_eq!(d("9/10/2015").as_deref(), Some("2015-09-10"));
        assert_eq!(d("7/14/16").as_deref(), Some("2016-07-14"));
        assert_eq!(d("04-28-19").as_deref(), Some("2019-04-28"));
        assert_eq!(d("9-10-2015").as_deref(), Some("2015-09-10"));
    }

    #[test]
    fn two_digit_years_go_to_the_most_recent_past_century() {
        assert_eq!(d("01-JAN-26").as_deref(), Some("2026-01-01"));
        assert_eq!(d("01-JAN-27").as_deref(), Some("1927-01-01"));
        assert_eq!(
            parse_date("01-JAN-99", 2000)
                .map(|d| d.to_string())
                .as_deref(),
            Some("1999-01-01")
        );
    }

    #[test]
    fn nonsense_is_refused() {
        for bad in [
            "",
            "2020-13-01",
            "2021-02-29",
            "31-FOO-20",
            "1/2",
            "abc",
            "2020-1-1x",
            "123-01-01",
        ] {
            assert_eq!(d(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_column_with_a_day_first_value_is_read_day_first_throughout() {
        let column = ["03-11-21", "13-06-19", "2001-05-18 12:46:00", ""];
        assert!(day_first(column.into_iter()));
        let t = |s: &str| parse_timestamp_in(s, 2026, true).map(|t| t.to_string());
        assert_eq!(t("03-11-21").as_deref(), Some("2021-11-03 00:00:00"));
        assert_eq!(t("13-06-19").as_deref(), Some("2019-06-13 00:00:00"));
        assert!(
            !day_first(["04-28-19", "03-11-21"].into_iter()),
            "month-first"
        );
        assert!(
            !day_first(["13-06-19", "04-28-19"].into_iter()),
            "both: no evidence"
        );
        assert!(
            !day_first(["03-11-21"].into_iter()),
            "ambiguous stays month-first"
        );
    }

    #[test]
    fn timestamps_with_and_without_time() {
        let t = |s: &str| parse_timestamp(s, 2026).map(|t| t.to_string());
        assert_eq!(
            t("2016-05-18 05:33:00").as_deref(),
            Some("2016-05-18 05:33:00")
        );
        assert_eq!(
            t("9/10/2015 21:39:00").as_deref(),
            Some("2015-09-10 21:39:00")
        );
        assert_eq!(t("04-28-19 05:17").as_deref(), Some("2019-04-28 05:17:00"));
        assert_eq!(t("2016-05-18").as_deref(), Some("2016-05-18 00:00:00"));
        assert_eq!(t("2016-05-18 25:00:00"), None);
    }
}
