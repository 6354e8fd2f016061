//! The business date: today in the deployment's time zone.

use caseledger_core::Date;
use chrono::{DateTime, Utc};

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
}
