//! A client's history as auditors read it: field-level changes of the intake, the address and
//! the restriction, computed by folding the client's events in log order.

use caseledger_core::events::{ClientIntakeRecorded, Event, PersonName};
use caseledger_core::{Pii, RecordKind};

use crate::audit::FieldChange;

/// Shown for a value that can no longer be read (its key destroyed).
const UNREADABLE: &str = "[erased]";

fn pii<T>(value: &Pii<T>, show: impl Fn(&T) -> Option<String>) -> Option<String> {
    match value.as_clear() {
        Some(v) => show(v),
        None => Some(UNREADABLE.to_string()),
    }
}

fn name(n: &PersonName) -> Option<String> {
    let parts: Vec<&str> = [&n.first, &n.middle, &n.last, &n.suffix]
        .into_iter()
        .map(String::as_str)
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn text(t: &str) -> Option<String> {
    (!t.is_empty()).then(|| t.to_string())
}

fn codes<T: Copy>(values: &[T], code: fn(T) -> u16) -> Option<String> {
    (!values.is_empty()).then(|| {
        values
            .iter()
            .map(|v| code(*v).to_string())
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// The intake's fields as (name, shown value), in a fixed order.
fn fields(i: &ClientIntakeRecorded) -> Vec<(&'static str, Option<String>)> {
    vec![
        ("name", pii(&i.name, name)),
        (
            "nameDataQuality",
            Some(i.name_data_quality.code().to_string()),
        ),
        ("ssn", pii(&i.ssn, |t| text(t))),
        (
            "ssnDataQuality",
            Some(i.ssn_data_quality.code().to_string()),
        ),
        ("dob", pii(&i.dob, |d| d.map(|d| d.to_string()))),
        (
            "dobDataQuality",
            Some(i.dob_data_quality.code().to_string()),
        ),
        ("raceEthnicity", codes(&i.race_ethnicity, |r| r.code())),
        ("raceNone", i.race_none.map(|r| r.code().to_string())),
        (
            "additionalRaceEthnicity",
            pii(&i.additional_race_ethnicity, |t| text(t)),
        ),
        ("sex", i.sex.map(|s| s.code().to_string())),
        ("genders", codes(&i.genders, |g| g.code())),
        ("genderNone", i.gender_none.map(|g| g.code().to_string())),
        (
            "differentIdentityText",
            pii(&i.different_identity_text, |t| text(t)),
        ),
        ("veteranStatus", Some(i.veteran_status.code().to_string())),
        (
            "address",
            pii(&i.address, |a| {
                a.as_ref().map(|a| {
                    [&a.line1, &a.line2, &a.city, &a.state, &a.zip]
                        .into_iter()
                        .filter(|p| !p.is_empty())
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                })
            }),
        ),
        ("restriction", Some(format!("{:?}", i.restriction))),
    ]
}

/// The field changes `event` makes to the client's intake (`intake` is the state before, and
/// is moved to the state after).
pub(crate) fn changes(
    intake: &mut Option<ClientIntakeRecorded>,
    event: &Event,
) -> Vec<FieldChange> {
    let before = intake.as_ref().map(fields);
    match event {
        Event::ClientIntakeRecorded(i) if intake.is_none() => *intake = Some(i.clone()),
        Event::ClientIntakeEdited(e) => {
            if let Some(i) = intake.as_mut() {
                e.apply_to(i);
            }
        }
        Event::ClientAddressUpdated(a) => {
            if let Some(i) = intake.as_mut() {
                i.address = a.address.clone();
            }
        }
        Event::ClientRestrictionChanged(r) => {
            if let Some(i) = intake.as_mut() {
                i.restriction = r.restriction;
            }
        }
        _ => return Vec::new(),
    }
    let after = intake.as_ref().map(fields).unwrap_or_default();
    after
        .into_iter()
        .enumerate()
        .filter_map(|(n, (field, value))| {
            let old = before.as_ref().and_then(|b| b[n].1.clone());
            (old != value).then(|| FieldChange {
                field: field.to_string(),
                before: old,
                after: value,
            })
        })
        .collect()
}

/// The record a follow-up event (an exit, a check-out, a lifted bar...) changes.
pub(crate) fn follow_up(event: &Event) -> Option<(RecordKind, u128)> {
    Some(match event {
        Event::EnrollmentExited(x) => (RecordKind::Enrollment, x.enrollment_id.as_u128()),
        Event::EnrollmentMoveInSet(x) => (RecordKind::Enrollment, x.enrollment_id.as_u128()),
        Event::ClientCheckedOut(x) => (RecordKind::CheckIn, x.check_in_id.as_u128()),
        Event::ReservationCancelled(x) => (RecordKind::Reservation, x.reservation_id.as_u128()),
        Event::BarLifted(x) => (RecordKind::BarListEntry, x.bar_id.as_u128()),
        Event::MouAssigned(x) => (RecordKind::MouAssignment, x.assignment_id.as_u128()),
        Event::MouAssignmentEnded(x) => (RecordKind::MouAssignment, x.assignment_id.as_u128()),
        Event::ReleaseExceptionGranted(x) => (RecordKind::ReleaseException, x.release_id.as_u128()),
        Event::ReleaseExceptionRevoked(x) => (RecordKind::ReleaseException, x.release_id.as_u128()),
        Event::HouseholdMemberAdded(x) => {
            (RecordKind::HouseholdMembership, x.household_id.as_u128())
        }
        Event::HouseholdMemberRemoved(x) => {
            (RecordKind::HouseholdMembership, x.household_id.as_u128())
        }
        Event::HouseholdCreated(x) => (RecordKind::HouseholdMembership, x.household_id.as_u128()),
        _ => return None,
    })
}
