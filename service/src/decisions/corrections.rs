//! Corrections of a record's fields. Who may is who may void it (`voids::authorize`); each
//! corrected value passes the rules the field passes when recorded (the date rule, the text
//! rule, an enrollment's dates in order, one enrollment per program at a time, a service or
//! assessment within its enrollment's dates), and a correction that changes nothing is
//! refused.

use caseledger_core::commands::voids::CorrectRecord;
use caseledger_core::corrections::{applies_to, corrected};
use caseledger_core::events::{Correction, RecordCorrected};
use caseledger_core::input::{self, DateKind};
use caseledger_core::{Event, Pii};
use caseledger_projections::Projections;

use crate::commands::{check_date, check_text, conflict, forgotten, not_found, require_text};
use crate::decisions::voids::{authorize, enrollment_of, spans_overlap};
use crate::{Command, CommandError, Decision, Session};

/// At most this many fields in one correction.
const MAX_CORRECTIONS: usize = 20;

impl Command for CorrectRecord {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let actor = session.actor();
        let w = p.write_model();
        let (facts, events) = w
            .record(self.record)
            .ok_or_else(|| not_found("recordId", "record"))?;
        authorize(p, &actor, &facts, ("recordId", "record"))?;
        require_text("reason", &self.reason, input::STATED_REASON)?;
        if self.corrections.is_empty() || self.corrections.len() > MAX_CORRECTIONS {
            return Err(CommandError::validation(
                "corrections",
                format!("between 1 and {MAX_CORRECTIONS} fields"),
            ));
        }
        if w.forgotten(facts.client) {
            return Err(forgotten());
        }
        let exited = events
            .iter()
            .any(|e| matches!(e, Event::EnrollmentExited(_)));
        let creation = events
            .first()
            .ok_or_else(|| not_found("recordId", "record"))?;
        for (i, c) in self.corrections.iter().enumerate() {
            let field = format!("corrections[{i}].{}", c.field());
            if self.corrections[..i].iter().any(|o| o.field() == c.field()) {
                return Err(CommandError::validation(&field, "each field once"));
            }
            if !applies_to(c, creation, exited) {
                return Err(CommandError::validation(
                    &field,
                    "not a field of this record (an exit's fields need an exit)",
                ));
            }
            match c {
                Correction::EntryDate(d) | Correction::ExitDate(d) | Correction::Date(d) => {
                    check_date(p, &field, *d, DateKind::Happened, Some(facts.client))?;
                }
                Correction::Text(t) => {
                    let rule = match creation {
                        Event::CaseNoteAdded(_) => input::CASE_NOTE,
                        _ => input::FREE_TEXT,
                    };
                    check_text(&field, t.as_clear().map_or("", |s| s), rule)?;
                }
                _ => {}
            }
        }
        let event = RecordCorrected {
            record_id: facts.id,
            client_id: facts.client,
            kind: facts.kind,
            corrections: self.corrections.clone(),
            reason: Pii::new(self.reason.clone()),
        };
        let mut after = events.clone();
        after.push(event.clone().into());
        let after = corrected(&after);
        if after == events {
            return Err(conflict(
                "corrections",
                "the record already has these values",
            ));
        }
        still_valid(p, &facts, &after)?;
        Ok(Decision::events(vec![event.into()]))
    }
}

/// The rules that hold across a record's fields and other records, checked on the record as
/// it would stand corrected.
fn still_valid(
    p: &Projections,
    facts: &caseledger_core::sharing::TransactionFacts,
    after: &[Event],
) -> Result<(), CommandError> {
    let w = p.write_model();
    let exit = after.iter().rev().find_map(|x| match x {
        Event::EnrollmentExited(x) => Some(x.exit_date),
        _ => None,
    });
    match after.first() {
        Some(Event::ClientEnrolled(e)) => {
            if exit.is_some_and(|x| x < e.entry_date) {
                return Err(CommandError::validation(
                    "corrections",
                    "the exit date is before the entry date",
                ));
            }
            let overlaps = w.enrollments(facts.client).into_iter().any(|other| {
                other.id != e.enrollment_id
                    && other.program == e.program_id
                    && spans_overlap((e.entry_date, exit), (other.entry, other.exit))
            });
            if overlaps {
                return Err(conflict(
                    "corrections",
                    "the client is enrolled in this program on those dates in another \
                     enrollment: one enrollment per program at a time",
                ));
            }
        }
        Some(first) => {
            // A service or assessment recorded by staff stays within its enrollment's dates
            // (an export's is kept as it came).
            let (date, imported) = match first {
                Event::ServiceRecorded(s) => (s.date, s.source_id.is_some()),
                Event::AssessmentRecorded(a) => (a.date, a.source_id.is_some()),
                _ => return Ok(()),
            };
            if let Some(enrollment) = enrollment_of(first)
                && !imported
                && let Some((_, e)) = w.enrollment(enrollment)
                && (date < e.entry || e.exit.is_some_and(|x| date > x))
            {
                return Err(CommandError::validation(
                    "corrections",
                    "the date is outside its enrollment's dates",
                ));
            }
        }
        None => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use caseledger_core::commands::care::{AddCaseNote, ExitEnrollment};
    use caseledger_core::hud::{Destination, RelationshipToHoH};
    use caseledger_core::testkit::date;
    use caseledger_core::{CaseNoteId, EnrollmentId, RecordKind, Role, TransactionRestriction};

    use super::*;
    use crate::ErrorCode;
    use crate::decisions::care::tests::{agency, enroll, shared_client};
    use crate::decisions::given::given;

    fn correct(record: u128, corrections: Vec<Correction>) -> CorrectRecord {
        CorrectRecord {
            record,
            corrections,
            reason: "typed the wrong date".into(),
        }
    }

    #[test]
    fn the_recording_organization_corrects_an_enrollment_field_by_field() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let c = shared_client(&mut g, &a);
        let e: EnrollmentId = g.id();
        g.run(&a.cm, &enroll(e, c, &a, "2026-06-01"));
        let fix = correct(
            e.as_u128(),
            vec![
                Correction::EntryDate(date("2026-05-28")),
                Correction::RelationshipToHoH(RelationshipToHoH::SelfHeadOfHousehold),
            ],
        );
        g.when(&a.cm, &fix).then(vec![
            RecordCorrected {
                record_id: e.as_u128(),
                client_id: c,
                kind: RecordKind::Enrollment,
                corrections: fix.corrections.clone(),
                reason: Pii::new("typed the wrong date".into()),
            }
            .into(),
        ]);
        g.run(&a.cm, &fix);
        let (_, facts) = g.state.write_model().enrollment(e).unwrap();
        assert_eq!(facts.entry, date("2026-05-28"), "read as corrected");
        // The same values again change nothing.
        g.when(&a.cm, &fix)
            .then_refused(ErrorCode::Conflict, Some("corrections"));
        // An exit's fields need an exit; then they are corrected, never before the entry.
        let destination = correct(e.as_u128(), vec![Correction::Destination(None)]);
        g.when(&a.cm, &destination)
            .then_refused(ErrorCode::Validation, Some("corrections[0].destination"));
        g.run(
            &a.cm,
            &ExitEnrollment {
                enrollment: e,
                exit_date: date("2026-07-01"),
                destination: Some(Destination::RentalNoSubsidy),
                destination_subsidy_type: None,
                other_destination: String::new(),
                whole_household: false,
                source_id: None,
            },
        );
        g.when(&a.cm, &destination).decided();
        g.when(
            &a.cm,
            &correct(e.as_u128(), vec![Correction::ExitDate(date("2026-05-01"))]),
        )
        .then_refused(ErrorCode::Validation, Some("corrections"));
        // A date the date rule refuses, a field given twice, no field, no reason.
        g.when(
            &a.cm,
            &correct(e.as_u128(), vec![Correction::EntryDate(date("2099-01-01"))]),
        )
        .then_refused(ErrorCode::Validation, Some("corrections[0].entryDate"));
        let twice = correct(
            e.as_u128(),
            vec![
                Correction::EntryDate(date("2026-05-20")),
                Correction::EntryDate(date("2026-05-21")),
            ],
        );
        g.when(&a.cm, &twice)
            .then_refused(ErrorCode::Validation, Some("corrections[1].entryDate"));
        g.when(&a.cm, &correct(e.as_u128(), vec![]))
            .then_refused(ErrorCode::Validation, Some("corrections"));
        g.when(
            &a.cm,
            &CorrectRecord {
                reason: String::new(),
                ..destination.clone()
            },
        )
        .then_refused(ErrorCode::Validation, Some("reason"));
    }

    #[test]
    fn an_entry_date_is_not_corrected_into_another_enrollment_in_the_program() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let c = shared_client(&mut g, &a);
        let first: EnrollmentId = g.id();
        g.run(&a.cm, &enroll(first, c, &a, "2026-01-01"));
        g.run(
            &a.cm,
            &ExitEnrollment {
                enrollment: first,
                exit_date: date("2026-03-01"),
                destination: None,
                destination_subsidy_type: None,
                other_destination: String::new(),
                whole_household: false,
                source_id: None,
            },
        );
        let second: EnrollmentId = g.id();
        g.run(&a.cm, &enroll(second, c, &a, "2026-06-01"));
        g.when(
            &a.cm,
            &correct(
                second.as_u128(),
                vec![Correction::EntryDate(date("2026-02-01"))],
            ),
        )
        .then_refused(ErrorCode::Conflict, Some("corrections"));
        g.when(
            &a.cm,
            &correct(
                second.as_u128(),
                vec![Correction::EntryDate(date("2026-03-01"))],
            ),
        )
        .decided();
    }

    #[test]
    fn a_service_date_is_not_corrected_out_of_its_enrollment() {
        use caseledger_core::commands::care::RecordService;
        use caseledger_core::hud::ServiceTypeCode;
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let c = shared_client(&mut g, &a);
        let e: EnrollmentId = g.id();
        g.run(&a.cm, &enroll(e, c, &a, "2026-06-01"));
        let service: caseledger_core::ServiceId = g.id();
        g.run(
            &a.cm,
            &RecordService {
                id: service,
                client: c,
                enrollment: Some(e),
                date: date("2026-07-01"),
                service_type: ServiceTypeCode {
                    record_type: 144,
                    type_provided: 1,
                },
                description: String::new(),
                restriction: None,
                source_id: None,
            },
        );
        let to = |on: &str| correct(service.as_u128(), vec![Correction::Date(date(on))]);
        g.when(&a.cm, &to("2026-05-31"))
            .then_refused(ErrorCode::Validation, Some("corrections"));
        g.when(&a.cm, &to("2026-06-01")).decided();
    }

    #[test]
    fn a_case_note_is_corrected_by_who_may_and_hidden_from_who_may_not_see_it() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let b = agency(&mut g, "Valley");
        let c = shared_client(&mut g, &a);
        let note: CaseNoteId = g.id();
        g.run(
            &a.cm,
            &AddCaseNote {
                id: note,
                client: c,
                enrollment: None,
                date: None,
                text: "Discussed the lease.".into(),
                restriction: Some(TransactionRestriction::RestrictToUser),
            },
        );
        let fix = correct(
            note.as_u128(),
            vec![Correction::Text(Pii::new(
                "Discussed the lease and the deposit.".into(),
            ))],
        );
        let colleague = g.user(a.org, Role::CaseManager);
        let never = correct(g.id::<CaseNoteId>().as_u128(), fix.corrections.clone());
        let unseen = g
            .when(&b.cm, &fix)
            .then_refused(ErrorCode::NotFound, Some("recordId"));
        assert_eq!(
            unseen,
            g.when(&b.cm, &never)
                .then_refused(ErrorCode::NotFound, Some("recordId"))
        );
        g.when(&colleague, &fix)
            .then_refused(ErrorCode::NotFound, Some("recordId"));
        // A case note has no service type.
        g.when(
            &a.cm,
            &correct(
                note.as_u128(),
                vec![Correction::ServiceType(
                    caseledger_core::hud::ServiceTypeCode {
                        record_type: 144,
                        type_provided: 1,
                    },
                )],
            ),
        )
        .then_refused(ErrorCode::Validation, Some("corrections[0].serviceType"));
        g.when(&a.cm, &fix).decided();
        g.when(&g.admin(), &fix).decided();
    }
}
