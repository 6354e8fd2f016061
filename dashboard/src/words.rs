//! What the dashboard says instead of codes: HUD's words for HUD codes, people's names for
//! roles, record kinds and sharing rules, and dates and times in the CoC's own time zone.
//!
//! The page is read by a client with an agency administrator beside them, so nothing on it
//! is an internal identifier or a code they would have to look up.

use caseledger_core::hud::{NoYesReasons, ProjectType, RaceEthnicity, Sex};
use caseledger_core::{AccessReason, Date, MouDirection, RecordKind, Role, Timestamp};

/// A date as people write it ("June 15, 2026").
pub(crate) fn date(d: Date) -> String {
    d.to_naive().format("%B %-d, %Y").to_string()
}

/// A moment in the CoC's time zone, with the zone's abbreviation ("June 15, 2026, 9:05 AM
/// PDT"). An unknown zone name (never written by the policy commands) prints UTC, saying so.
pub(crate) fn moment(at: Timestamp, zone: &str) -> String {
    let utc = at.to_datetime();
    match zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => utc
            .with_timezone(&tz)
            .format("%B %-d, %Y, %-I:%M %p %Z")
            .to_string(),
        Err(_) => utc.format("%B %-d, %Y, %-I:%M %p UTC").to_string(),
    }
}

/// The calendar date of a moment in the CoC's time zone.
pub(crate) fn day(at: Timestamp, zone: &str) -> String {
    let utc = at.to_datetime();
    match zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => date(Date::from_naive(utc.with_timezone(&tz).date_naive())),
        Err(_) => date(Date::from_naive(utc.date_naive())),
    }
}

/// A window of dates ("January 1, 2026 to June 30, 2026"; "from January 1, 2026" when open).
pub(crate) fn window(w: &caseledger_core::DateWindow) -> String {
    match w.end {
        Some(end) => format!("{} to {}", date(w.start), date(end)),
        None => format!("From {}", date(w.start)),
    }
}

/// Race and ethnicity as HUD words them; several are listed.
pub(crate) fn race_ethnicity(values: &[RaceEthnicity]) -> String {
    if values.is_empty() {
        return "Not given".into();
    }
    values
        .iter()
        .map(|r| r.words())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Sex as HUD words it.
pub(crate) fn sex(value: Option<Sex>) -> &'static str {
    value.map_or("Not given", Sex::words)
}

/// Veteran status as HUD words it.
pub(crate) fn veteran(value: NoYesReasons) -> &'static str {
    value.words()
}

/// A project type code as HUD words it (an empty cell when the program has none).
pub(crate) fn project_type(code: Option<u16>) -> String {
    code.and_then(ProjectType::from_code)
        .map_or(String::new(), |t| t.words().to_string())
}

/// A role as people name it.
pub(crate) fn role(role: Role) -> &'static str {
    match role {
        Role::CaseManager => "Case manager",
        Role::AgencyAdmin => "Agency administrator",
        Role::SystemAdmin => "System administrator",
        Role::HelpDesk => "Help desk",
        Role::Auditor => "Auditor",
        Role::System => "HMIS system",
    }
}

/// What part of a record a disclosure showed, as people name it.
pub(crate) fn record_kind(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Intake => "Profile",
        RecordKind::Enrollment => "Enrollments",
        RecordKind::Exit => "Exits",
        RecordKind::Service => "Services",
        RecordKind::Assessment => "Assessments",
        RecordKind::CaseNote => "Case notes",
        RecordKind::Document => "Documents",
        RecordKind::CheckIn => "Shelter stays",
        RecordKind::Reservation => "Bed reservations",
        RecordKind::BarListEntry => "Bar list",
        RecordKind::HouseholdMembership => "Household",
        RecordKind::MouAssignment => "Release of information (MOU)",
        RecordKind::ReleaseException => "Release of information (exception)",
        RecordKind::AccessLog => "Accounting of disclosures",
        RecordKind::History => "Record history",
        RecordKind::RecordRequest => "Client record request",
    }
}

/// The sharing rule that allowed a disclosure, as people name it.
pub(crate) fn rule(reason: AccessReason) -> &'static str {
    match reason {
        AccessReason::OwnOrganization => "The agency that entered it",
        AccessReason::OwnUser => "The person who entered it",
        AccessReason::GlobalShare => "Shared with all agencies",
        AccessReason::Mou(_) => "Shared through an MOU",
        AccessReason::ReleaseException(_) => "A release of information",
        AccessReason::SystemAdministrator => "HMIS system administration",
        AccessReason::HelpDesk => "The HMIS help desk",
        AccessReason::Auditor => "An HMIS audit",
        AccessReason::PolicyRule(_) => "The CoC's sharing policy",
        AccessReason::ClientRecordRequest(_) => "A client record request",
    }
}

/// How an organization takes part in an MOU, as people say it.
pub(crate) fn direction(direction: MouDirection) -> &'static str {
    match direction {
        MouDirection::Grants => "shares its clients' records",
        MouDirection::Receives => "sees shared records",
        MouDirection::Both => "shares and sees records",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_print_in_the_cocs_zone_with_its_abbreviation() {
        let at = Timestamp::from_datetime(
            chrono::DateTime::parse_from_rfc3339("2026-06-15T16:05:00Z")
                .unwrap()
                .with_timezone(&chrono::Utc),
        );
        assert_eq!(
            moment(at, "America/Los_Angeles"),
            "June 15, 2026, 9:05 AM PDT"
        );
        assert_eq!(moment(at, "no such zone"), "June 15, 2026, 4:05 PM UTC");
        // Late evening in Los Angeles is already the next day in UTC.
        let evening = Timestamp::from_datetime(
            chrono::DateTime::parse_from_rfc3339("2026-06-16T05:30:00Z")
                .unwrap()
                .with_timezone(&chrono::Utc),
        );
        assert_eq!(day(evening, "America/Los_Angeles"), "June 15, 2026");
    }

    #[test]
    fn codes_read_as_hud_words() {
        assert_eq!(project_type(Some(13)), "PH – Rapid Re-Housing");
        assert_eq!(project_type(None), "");
        assert_eq!(
            race_ethnicity(&[RaceEthnicity::White, RaceEthnicity::HispanicLatinao]),
            "White; Hispanic/Latina/e/o"
        );
        assert_eq!(sex(Some(Sex::Female)), "Female");
        assert_eq!(
            veteran(NoYesReasons::ClientDoesntKnow),
            "Client doesn’t know"
        );
    }
}
