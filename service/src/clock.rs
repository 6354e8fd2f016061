//! The business date: today in the deployment's time zone.

use caseledger_core::{Date, Timestamp};
use chrono::{DateTime, TimeZone, Utc};

/// Today's date in the IANA time zone `zone` at instant `now`; UTC when the name is unknown
/// (logged, since dates would then turn over at the wrong hour).
pub fn today_in(zone: &str, now: DateTime<Utc>) -> Date {
    match zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => Date::from_naive(now.with_timezone(&tz).date_naive()),
        Err(_) => {
            tracing::warn!(
                zone,
                "unknown time zone in the sharing policy; using UTC dates"
            );
            Date::from_naive(now.date_naive())
        }
    }
}

/// `at` as the wall-clock time in the IANA time zone `zone` (UTC when the name is unknown): how
/// HUD's CSV timestamps (`DateCreated`, `DateUpdated`) are written.
pub fn local_time_in(zone: &str, at: Timestamp) -> chrono::NaiveDateTime {
    let at = at.to_datetime();
    match zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => at.with_timezone(&tz).naive_local(),
        Err(_) => at.naive_utc(),
    }
}

/// The instant to record an event at: `now` itself, or — under a fixed business date — that
/// date at `now`'s local time of day in `zone`. Audit answers place events on dates by when
/// they were recorded, so a service whose views run on a fixed date (training, tests, a replay
/// of a past day) must record its events on that date too, or "who could see it on that day"
/// would not see the day's own work.
pub fn recording_time(zone: &str, fixed: Option<Date>, now: DateTime<Utc>) -> Timestamp {
    let Some(day) = fixed else {
        return Timestamp::from_datetime(now);
    };
    let on_day = |local_time: chrono::NaiveTime| day.to_naive().and_time(local_time);
    let at = match zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => {
            let local = on_day(now.with_timezone(&tz).time());
            // A time skipped by a daylight-saving jump falls back to the same time in UTC, which
            // is still on the fixed date for every zone within a day of UTC.
            tz.from_local_datetime(&local)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| Utc.from_utc_datetime(&local))
        }
        Err(_) => Utc.from_utc_datetime(&on_day(now.time())),
    };
    Timestamp::from_datetime(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_turns_at_local_midnight() {
        // 06:30 UTC on 2026-03-10 is still 2026-03-09 in California (UTC-7 in March, DST).
        let now: DateTime<Utc> = "2026-03-10T06:30:00Z".parse().unwrap();
        assert_eq!(
            today_in("America/Los_Angeles", now).to_string(),
            "2026-03-09"
        );
        assert_eq!(today_in("UTC", now).to_string(), "2026-03-10");
        assert_eq!(today_in("Not/AZone", now).to_string(), "2026-03-10");
    }

    #[test]
    fn a_fixed_business_date_is_the_recorded_date() {
        let now: DateTime<Utc> = "2026-12-01T06:30:00Z".parse().unwrap();
        let fixed = Date::from_ymd(2026, 6, 15);
        for zone in [
            "America/Los_Angeles",
            "UTC",
            "Pacific/Kiritimati",
            "Not/AZone",
        ] {
            let at = recording_time(zone, fixed, now);
            assert_eq!(today_in(zone, at.to_datetime()), fixed.unwrap(), "{zone}");
        }
        assert_eq!(
            recording_time("UTC", None, now),
            Timestamp::from_datetime(now)
        );
    }
}
