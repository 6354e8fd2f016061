//! Reading a record as corrected: which fields a correction may fix, how it changes the
//! record's events, and how a corrected field is shown in the history
//! ([`crate::events::RecordCorrected`]).

use crate::events::{BarScope, Correction, Event};
use crate::sharing::RecordKind;
use crate::time::DateWindow;

/// Whether the correction is of a field the record has: `creation` is the record's first
/// event; exit fields need an exit and a stay's check-out date a check-out (`exited`).
pub fn applies_to(correction: &Correction, creation: &Event, exited: bool) -> bool {
    use Correction as C;
    match (correction, creation) {
        (
            C::EntryDate(_)
            | C::RelationshipToHoH(_)
            | C::LivingSituation(_)
            | C::DisablingCondition(_),
            Event::ClientEnrolled(_),
        ) => true,
        (C::ExitDate(_) | C::Destination(_), Event::ClientEnrolled(_)) => exited,
        (
            C::Date(_),
            Event::ServiceRecorded(_)
            | Event::AssessmentRecorded(_)
            | Event::CaseNoteAdded(_)
            | Event::DocumentAdded(_)
            | Event::BedReserved(_)
            | Event::ClientCheckedIn(_)
            | Event::HouseholdCreated(_)
            | Event::HouseholdMemberAdded(_),
        ) => true,
        (C::ServiceType(_), Event::ServiceRecorded(_)) => true,
        (
            C::Text(_),
            Event::ServiceRecorded(_)
            | Event::CaseNoteAdded(_)
            | Event::DocumentAdded(_)
            | Event::ClientBarred(_),
        ) => true,
        (C::RelationshipToHoH(_), Event::HouseholdMemberAdded(_)) => true,
        (
            C::Window(_),
            Event::ClientBarred(_) | Event::MouAssigned(_) | Event::ReleaseExceptionGranted(_),
        ) => true,
        (C::BarScope(_), Event::ClientBarred(_)) => true,
        // A stay's check-out fields need a check-out, as an exit's do.
        (C::CheckOutDate(_), Event::ClientCheckedIn(_)) => exited,
        _ => false,
    }
}

/// Applies the correction to `event` (the record's creation, or its exit for exit fields);
/// events it does not concern are left as they are.
fn apply(correction: &Correction, event: &mut Event) {
    use Correction as C;
    match (correction, event) {
        (C::EntryDate(d), Event::ClientEnrolled(e)) => e.entry_date = *d,
        (C::RelationshipToHoH(r), Event::ClientEnrolled(e)) => e.relationship_to_hoh = *r,
        (C::LivingSituation(l), Event::ClientEnrolled(e)) => e.living_situation = *l,
        (C::DisablingCondition(c), Event::ClientEnrolled(e)) => e.disabling_condition = *c,
        (C::ExitDate(d), Event::EnrollmentExited(x)) => x.exit_date = *d,
        (C::Destination(d), Event::EnrollmentExited(x)) => x.destination = *d,
        (C::Date(d), Event::ServiceRecorded(s)) => s.date = *d,
        (C::Date(d), Event::AssessmentRecorded(a)) => a.date = *d,
        (C::Date(d), Event::CaseNoteAdded(n)) => n.date = *d,
        (C::ServiceType(t), Event::ServiceRecorded(s)) => s.service_type = *t,
        (C::Text(t), Event::ServiceRecorded(s)) => s.description = t.clone(),
        (C::Text(t), Event::CaseNoteAdded(n)) => n.text = t.clone(),
        (C::Date(d), Event::DocumentAdded(x)) => x.date = *d,
        (C::Text(t), Event::DocumentAdded(x)) => x.name = t.clone(),
        (C::Date(d), Event::BedReserved(r)) => r.date = *d,
        (C::Date(d), Event::ClientCheckedIn(c)) => c.date = *d,
        (C::Date(d), Event::HouseholdCreated(h)) => h.date = *d,
        (C::Date(d), Event::HouseholdMemberAdded(m)) => m.joined = *d,
        (C::RelationshipToHoH(r), Event::HouseholdMemberAdded(m)) => m.relationship = *r,
        (C::CheckOutDate(d), Event::ClientCheckedOut(c)) => c.date = *d,
        (C::Text(t), Event::ClientBarred(b)) => b.reason = t.clone(),
        (C::Window(w), Event::ClientBarred(b)) => b.window = *w,
        (C::Window(w), Event::MouAssigned(a)) => a.window = *w,
        (C::Window(w), Event::ReleaseExceptionGranted(g)) => g.window = *w,
        (C::BarScope(scope), Event::ClientBarred(b)) => b.scope = *scope,
        _ => {}
    }
}

/// The field's value in a record's events as corrected, as the history shows it: codes as
/// HUD's numbers, dates as YYYY-MM-DD; free text is never shown (`None`): the history is
/// read by auditors, who read no content.
pub fn shown_in(correction: &Correction, events: &[Event]) -> Option<String> {
    use Correction as C;
    let exit = || {
        events.iter().rev().find_map(|e| match e {
            Event::EnrollmentExited(x) => Some(x),
            _ => None,
        })
    };
    let check_out = || {
        events.iter().rev().find_map(|e| match e {
            Event::ClientCheckedOut(x) => Some(x.date.to_string()),
            _ => None,
        })
    };
    match (correction, events.first()?) {
        (C::EntryDate(_), Event::ClientEnrolled(e)) => Some(e.entry_date.to_string()),
        (C::RelationshipToHoH(_), Event::ClientEnrolled(e)) => {
            Some(e.relationship_to_hoh.code().to_string())
        }
        (C::LivingSituation(_), Event::ClientEnrolled(e)) => {
            e.living_situation.map(|l| l.code().to_string())
        }
        (C::DisablingCondition(_), Event::ClientEnrolled(e)) => {
            Some(e.disabling_condition.code().to_string())
        }
        (C::ExitDate(_), _) => exit().map(|x| x.exit_date.to_string()),
        (C::Destination(_), _) => exit()?.destination.map(|d| d.code().to_string()),
        (C::Date(_), Event::ServiceRecorded(s)) => Some(s.date.to_string()),
        (C::Date(_), Event::AssessmentRecorded(a)) => Some(a.date.to_string()),
        (C::Date(_), Event::CaseNoteAdded(n)) => Some(n.date.to_string()),
        (C::ServiceType(_), Event::ServiceRecorded(s)) => Some(format!(
            "{}/{}",
            s.service_type.record_type, s.service_type.type_provided
        )),
        (C::Date(_), Event::DocumentAdded(x)) => Some(x.date.to_string()),
        (C::Date(_), Event::BedReserved(r)) => Some(r.date.to_string()),
        (C::Date(_), Event::ClientCheckedIn(c)) => Some(c.date.to_string()),
        (C::Date(_), Event::HouseholdCreated(h)) => Some(h.date.to_string()),
        (C::Date(_), Event::HouseholdMemberAdded(m)) => Some(m.joined.to_string()),
        (C::RelationshipToHoH(_), Event::HouseholdMemberAdded(m)) => {
            Some(m.relationship.code().to_string())
        }
        (C::CheckOutDate(_), _) => check_out(),
        (C::Window(_), Event::ClientBarred(b)) => Some(interval(b.window)),
        (C::Window(_), Event::MouAssigned(a)) => Some(interval(a.window)),
        (C::Window(_), Event::ReleaseExceptionGranted(g)) => Some(interval(g.window)),
        (C::BarScope(_), Event::ClientBarred(b)) => Some(match b.scope {
            BarScope::Facility(f) => format!("facility {f}"),
            BarScope::Program(p) => format!("program {p}"),
            BarScope::Organization => "organization".to_string(),
            BarScope::AllEnforcingOrganizations => "allEnforcingOrganizations".to_string(),
        }),
        _ => None,
    }
}

/// A window as an ISO 8601 interval of dates (`start/end`, `start/..` while open).
fn interval(window: DateWindow) -> String {
    let end = window.end.map_or("..".to_string(), |d| d.to_string());
    format!("{}/{end}", window.start)
}

/// A record's events (its creation first, then its follow-ups, in log order) as corrected:
/// every `RecordCorrected` applied where it stands — exit fields to the exit recorded before
/// it, a check-out date to the check-out — and left out; an exit's void (`RecordVoided` of kind `Exit`) takes the last exit out,
/// and its un-void puts the exit voided last back.
pub fn corrected(events: &[Event]) -> Vec<Event> {
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    let mut voided_exits: Vec<Event> = Vec::new();
    for event in events {
        match event {
            Event::RecordVoided(v) if v.kind == RecordKind::Exit => {
                if let Some(i) = out
                    .iter()
                    .rposition(|e| matches!(e, Event::EnrollmentExited(_)))
                {
                    voided_exits.push(out.remove(i));
                }
                continue;
            }
            Event::RecordUnvoided(u) if u.kind == RecordKind::Exit => {
                out.extend(voided_exits.pop());
                continue;
            }
            _ => {}
        }
        let Event::RecordCorrected(c) = event else {
            out.push(event.clone());
            continue;
        };
        for correction in &c.corrections {
            let target = match correction {
                Correction::ExitDate(_) | Correction::Destination(_) => out
                    .iter_mut()
                    .rev()
                    .find(|e| matches!(e, Event::EnrollmentExited(_))),
                Correction::CheckOutDate(_) => out
                    .iter_mut()
                    .rev()
                    .find(|e| matches!(e, Event::ClientCheckedOut(_))),
                _ => out.first_mut(),
            };
            if let Some(target) = target {
                apply(correction, target);
            }
        }
    }
    out
}

/// The texts a record's text corrections replaced (a case note's text, a service's
/// description, a bar's reason, a document's name), oldest first: what the record said before each correction of its text. They
/// are the record's content, so they are read exactly where the record's text is.
pub fn replaced_texts(events: &[Event]) -> Vec<crate::pii::Pii<String>> {
    let current = |e: &Event| match e {
        Event::CaseNoteAdded(n) => Some(n.text.clone()),
        Event::ServiceRecorded(s) => Some(s.description.clone()),
        Event::ClientBarred(b) => Some(b.reason.clone()),
        Event::DocumentAdded(x) => Some(x.name.clone()),
        _ => None,
    };
    let Some(mut text) = events.first().and_then(current) else {
        return Vec::new();
    };
    let mut replaced = Vec::new();
    for event in &events[1..] {
        if let Event::RecordCorrected(c) = event {
            for correction in &c.corrections {
                if let Correction::Text(new) = correction {
                    replaced.push(std::mem::replace(&mut text, new.clone()));
                }
            }
        }
    }
    replaced
}
