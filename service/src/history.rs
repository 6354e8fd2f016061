//! A client's history as auditors read it: field-level changes of the intake, the address and
//! the restriction, the details of the client's releases of information (MOU assignments,
//! release exceptions) and record requests, the voids of records and their undoing, and their corrections field by field (free text shown
//! only as changed), computed by folding the client's events — and the
//! MOU events they refer to — in log order.
//!
//! Field names and enum values are spelled as the API spells them (`firstName`,
//! `SHARE_WITH_MOU`), so an auditor can match a change with the input that made it.

use std::collections::HashMap;

use caseledger_core::events::{ClientIntakeRecorded, Event, MouParticipant};
use caseledger_core::{
    DateWindow, MouAssignmentId, MouId, Pii, RecordKind, RecordRequestId, ReleaseId,
};

/// A field that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The field.
    pub field: String,
    /// Its value before (`None` when it had none or the event created it).
    pub before: Option<String>,
    /// Its value after.
    pub after: Option<String>,
}

/// Shown for a value that can no longer be read (its key destroyed).
const UNREADABLE: &str = "[erased]";

fn pii<T>(value: &Pii<T>, show: impl Fn(&T) -> Option<String>) -> Option<String> {
    match value.as_clear() {
        Some(v) => show(v),
        None => Some(UNREADABLE.to_string()),
    }
}

/// A unit enum value as the API's enums spell it: the Rust variant name in SCREAMING_SNAKE_CASE,
/// which is how async-graphql names the variants of the API's mirror enums.
pub(crate) fn api_enum(value: impl std::fmt::Debug) -> String {
    let name = format!("{value:?}");
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
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
        // The name parts separately, as the API takes them: an auditor sees which part changed.
        ("firstName", pii(&i.name, |n| text(&n.first))),
        ("middleName", pii(&i.name, |n| text(&n.middle))),
        ("lastName", pii(&i.name, |n| text(&n.last))),
        ("nameSuffix", pii(&i.name, |n| text(&n.suffix))),
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
        ("restriction", Some(api_enum(i.restriction))),
    ]
}

/// What the history fold remembers between events: the intake as it stands, the MOUs (number
/// and participants) as last recorded, and the windows of the client's MOU assignments and
/// release exceptions, so an ending shows the end it replaced.
#[derive(Default)]
pub(crate) struct Fold {
    intake: Option<ClientIntakeRecorded>,
    mous: HashMap<MouId, (String, Vec<MouParticipant>)>,
    assignments: HashMap<MouAssignmentId, DateWindow>,
    releases: HashMap<ReleaseId, DateWindow>,
    /// The client's records' events so far (creation, exits, corrections), so a correction
    /// shows each field before and after.
    records: HashMap<u128, Vec<Event>>,
    /// Each household membership's creation (the household's for its head), by household
    /// and member: memberships are corrected by those two.
    memberships: HashMap<(u128, caseledger_core::ClientId), Vec<Event>>,
}

fn created(field: &str, value: Option<String>) -> Option<FieldChange> {
    value.map(|after| FieldChange {
        field: field.to_string(),
        before: None,
        after: Some(after),
    })
}

fn window_changes(window: &DateWindow) -> Vec<FieldChange> {
    [
        created("start", Some(window.start.to_string())),
        created("end", window.end.map(|d| d.to_string())),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn ended(before: Option<&DateWindow>, end: caseledger_core::Date) -> Vec<FieldChange> {
    let before = before.and_then(|w| w.end).map(|d| d.to_string());
    let after = Some(end.to_string());
    if before == after {
        return Vec::new();
    }
    vec![FieldChange {
        field: "end".into(),
        before,
        after,
    }]
}

impl Fold {
    /// Folds an event that is not about the client but that its events refer to (an MOU's
    /// creation or change).
    pub(crate) fn context(&mut self, event: &Event) {
        match event {
            Event::MouCreated(m) => {
                self.mous
                    .insert(m.mou_id, (m.number.clone(), m.participants.clone()));
            }
            Event::MouChanged(m) => {
                if let Some(mou) = self.mous.get_mut(&m.mou_id) {
                    mou.1 = m.participants.clone();
                }
            }
            _ => {}
        }
    }

    /// The field changes and details of one of the client's events, folding it in.
    pub(crate) fn changes(&mut self, event: &Event) -> Vec<FieldChange> {
        if let Some(t) = caseledger_core::sharing::transaction_facts(event) {
            self.records
                .entry(t.id)
                .or_insert_with(|| vec![event.clone()]);
        }
        match event {
            Event::EnrollmentExited(x) => {
                if let Some(events) = self.records.get_mut(&x.enrollment_id.as_u128()) {
                    events.push(event.clone());
                }
            }
            Event::ClientCheckedOut(x) => {
                if let Some(events) = self.records.get_mut(&x.check_in_id.as_u128()) {
                    events.push(event.clone());
                }
            }
            // Sharing facts and memberships are corrected too: their creation is the record.
            Event::MouAssigned(a) => {
                self.records
                    .insert(a.assignment_id.as_u128(), vec![event.clone()]);
            }
            Event::ReleaseExceptionGranted(g) => {
                self.records
                    .insert(g.release_id.as_u128(), vec![event.clone()]);
            }
            Event::HouseholdCreated(h) => {
                self.memberships
                    .insert((h.household_id.as_u128(), h.head), vec![event.clone()]);
            }
            Event::HouseholdMemberAdded(m) => {
                self.memberships
                    .insert((m.household_id.as_u128(), m.client_id), vec![event.clone()]);
            }
            Event::RecordCorrected(c) => {
                for correction in &c.corrections {
                    if let caseledger_core::events::Correction::Window(w) = correction {
                        if let Some(window) =
                            self.assignments.get_mut(&MouAssignmentId::new(c.record_id))
                        {
                            *window = *w;
                        }
                        if let Some(window) = self.releases.get_mut(&ReleaseId::new(c.record_id)) {
                            *window = *w;
                        }
                    }
                }
                let events = if c.kind == RecordKind::HouseholdMembership {
                    self.memberships
                        .entry((c.record_id, c.client_id))
                        .or_default()
                } else {
                    self.records.entry(c.record_id).or_default()
                };
                let before = caseledger_core::corrections::corrected(events);
                events.push(event.clone());
                let after = caseledger_core::corrections::corrected(events);
                let mut out: Vec<FieldChange> = c
                    .corrections
                    .iter()
                    .map(|field| {
                        use caseledger_core::corrections::shown_in;
                        FieldChange {
                            field: field.field().to_string(),
                            before: shown_in(field, &before),
                            after: shown_in(field, &after),
                        }
                    })
                    .collect();
                out.extend(created("reason", pii(&c.reason, |t| text(t))));
                return out;
            }
            _ => {}
        }
        match event {
            Event::MouAssigned(a) => {
                self.assignments.insert(a.assignment_id, a.window);
                let mou = self.mous.get(&a.mou_id);
                let participants = mou.map(|(_, p)| {
                    p.iter()
                        .map(|p| format!("{} {}", p.organization, api_enum(p.direction)))
                        .collect::<Vec<_>>()
                        .join(", ")
                });
                let mut out: Vec<FieldChange> = [
                    created("mouId", Some(a.mou_id.to_string())),
                    created("mouNumber", mou.map(|(n, _)| n.clone())),
                    created("participants", participants),
                ]
                .into_iter()
                .flatten()
                .collect();
                out.extend(window_changes(&a.window));
                return out;
            }
            Event::MouAssignmentEnded(e) => {
                let out = ended(self.assignments.get(&e.assignment_id), e.end);
                if let Some(w) = self.assignments.get_mut(&e.assignment_id) {
                    w.end = Some(e.end);
                }
                return out;
            }
            Event::ReleaseExceptionGranted(r) => {
                self.releases.insert(r.release_id, r.window);
                let mut out: Vec<FieldChange> = [
                    created(
                        "grantingOrganizationId",
                        Some(r.granting_organization.to_string()),
                    ),
                    created(
                        "accessingOrganizationId",
                        Some(r.accessing_organization.to_string()),
                    ),
                ]
                .into_iter()
                .flatten()
                .collect();
                out.extend(window_changes(&r.window));
                return out;
            }
            Event::ReleaseExceptionRevoked(r) => {
                let out = ended(self.releases.get(&r.release_id), r.end);
                if let Some(w) = self.releases.get_mut(&r.release_id) {
                    w.end = Some(r.end);
                }
                return out;
            }
            Event::RecordRequestSubmitted(r) => {
                return [
                    created("organizationId", Some(r.organization_id.to_string())),
                    created("deliveryMethod", Some(api_enum(r.delivery))),
                    created("dueDate", Some(r.due.to_string())),
                ]
                .into_iter()
                .flatten()
                .collect();
            }
            Event::RecordVoided(v) => return voiding(true, &v.reason),
            Event::RecordUnvoided(u) => return voiding(false, &u.reason),
            Event::RecordRequestDelivered(r) => {
                return [
                    created("deliveryMethod", Some(api_enum(r.method))),
                    created("deliveredAt", Some(r.at.to_datetime().to_rfc3339())),
                ]
                .into_iter()
                .flatten()
                .collect();
            }
            _ => {}
        }
        intake_changes(&mut self.intake, event)
    }
}

/// A void (or its undoing) as field changes: `voided` and the reason given.
fn voiding(voided: bool, reason: &Pii<String>) -> Vec<FieldChange> {
    let mut out = vec![FieldChange {
        field: "voided".into(),
        before: Some((!voided).to_string()),
        after: Some(voided.to_string()),
    }];
    out.extend(created("reason", pii(reason, |t| text(t))));
    out
}

/// The field changes `event` makes to the client's intake (`intake` is the state before, and
/// is moved to the state after).
pub(crate) fn intake_changes(
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

/// The client record request an event is about.
pub(crate) fn request(event: &Event) -> Option<RecordRequestId> {
    Some(match event {
        Event::RecordRequestSubmitted(r) => r.request_id,
        Event::RecordRequestStarted(r) => r.request_id,
        Event::RecordRequestFulfilled(r) => r.request_id,
        Event::RecordRequestDelivered(r) => r.request_id,
        Event::RecordRequestDenied(r) => r.request_id,
        Event::RecordRevisionRequested(r) => r.request_id,
        _ => return None,
    })
}

/// The record a follow-up event (an exit, a check-out, a lifted bar...) or an intake event
/// changes.
pub(crate) fn follow_up(event: &Event) -> Option<(RecordKind, u128)> {
    let intake = |client: caseledger_core::ClientId| (RecordKind::Intake, client.as_u128());
    Some(match event {
        Event::ClientIntakeRecorded(x) => intake(x.client_id),
        Event::ClientIntakeEdited(x) => intake(x.client_id),
        Event::ClientAddressUpdated(x) => intake(x.client_id),
        Event::ClientRestrictionChanged(x) => intake(x.client_id),
        Event::ClientIdentifiersForgotten(x) => intake(x.client_id),
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
        Event::RecordVoided(x) => (x.kind, x.record_id),
        Event::RecordUnvoided(x) => (x.kind, x.record_id),
        Event::RecordCorrected(x) => (x.kind, x.record_id),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use caseledger_core::ClientRestriction;
    use caseledger_core::events::DeliveryMethod;

    #[test]
    fn enum_values_are_spelled_as_the_api_spells_them() {
        assert_eq!(
            api_enum(ClientRestriction::RestrictToOrganization),
            "RESTRICT_TO_ORGANIZATION"
        );
        assert_eq!(api_enum(ClientRestriction::ShareWithMou), "SHARE_WITH_MOU");
        assert_eq!(api_enum(ClientRestriction::ShareGlobally), "SHARE_GLOBALLY");
        assert_eq!(api_enum(DeliveryMethod::InPersonPickup), "IN_PERSON_PICKUP");
        assert_eq!(api_enum(caseledger_core::MouDirection::Both), "BOTH");
    }
}
