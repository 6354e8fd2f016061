//! Corrections of a record's fields. Who may is who may void it (`voids::authorize`); each
//! corrected value passes the rules the field passes when recorded (the date rule, the text
//! rule, an enrollment's dates in order, one enrollment per program at a time, a service or
//! assessment within its enrollment's dates), and a correction that changes nothing is
//! refused.

use caseledger_core::commands::voids::{CorrectRecord, CorrectSharingFact};
use caseledger_core::corrections::{applies_to, corrected};
use caseledger_core::events::BarScope;
use caseledger_core::events::{Correction, RecordCorrected};
use caseledger_core::input::{self, DateKind};
use caseledger_core::{BedId, Date, Event, Pii};
use caseledger_projections::Projections;

use crate::commands::{
    check_date, check_text, check_window, conflict, forbidden, forgotten, not_found, require_text,
};
use crate::decisions::voids::{authorize, enrollment_of, sharing_fact_of, spans_overlap};
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
            .any(|e| matches!(e, Event::EnrollmentExited(_) | Event::ClientCheckedOut(_)));
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
                    "not a field of this record (an exit's fields need an exit, a check-out date a \
                     check-out)",
                ));
            }
            match c {
                // A reservation is for a night to come; everything else dated has happened.
                Correction::Date(d) if matches!(creation, Event::BedReserved(_)) => {
                    check_date(p, &field, *d, DateKind::Planned, Some(facts.client))?;
                }
                Correction::EntryDate(d)
                | Correction::ExitDate(d)
                | Correction::Date(d)
                | Correction::CheckOutDate(d) => {
                    check_date(p, &field, *d, DateKind::Happened, Some(facts.client))?;
                }
                Correction::Window(window) => {
                    check_window(p, &field, window, Some(facts.client))?;
                }
                Correction::BarScope(scope) => {
                    own_scope(p, &field, *scope, facts.owner.organization)?;
                }
                Correction::Text(t) => {
                    let text = t.as_clear().map_or("", |s| s);
                    match creation {
                        Event::CaseNoteAdded(_) => check_text(&field, text, input::CASE_NOTE)?,
                        // A document is known by its name: it stays named, trimmed.
                        Event::DocumentAdded(_) => {
                            require_text(&field, text, input::DOCUMENT_NAME)?;
                            if text.trim() != text {
                                return Err(CommandError::validation(
                                    &field,
                                    "no spaces before or after the name",
                                ));
                            }
                        }
                        _ => check_text(&field, text, input::FREE_TEXT)?,
                    }
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

impl Command for CorrectSharingFact {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let (kind, voided) = sharing_fact_of(p, session, self.client, self.fact, &self.reason)?;
        if voided {
            return Err(conflict("factId", "it is voided: un-void it first"));
        }
        check_window(p, "window", &self.window, Some(self.client))?;
        if p.write_model().sharing_fact_window(self.client, self.fact) == Some(self.window) {
            return Err(conflict("window", "the window already is this"));
        }
        Ok(Decision::events(vec![
            RecordCorrected {
                record_id: self.fact,
                client_id: self.client,
                kind,
                corrections: vec![Correction::Window(self.window)],
                reason: Pii::new(self.reason.clone()),
            }
            .into(),
        ]))
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
        Some(Event::ClientCheckedIn(c)) => {
            let left = after.iter().rev().find_map(|x| match x {
                Event::ClientCheckedOut(o) => Some(o.date),
                _ => None,
            });
            if left.is_some_and(|left| left < c.date) {
                return Err(CommandError::validation(
                    "corrections",
                    "the check-out date is before the check-in date",
                ));
            }
            let stay = (c.date, left);
            let other_stay = w
                .client_records(facts.client)
                .into_iter()
                .filter(|(f, _)| f.id != facts.id)
                .filter_map(|(_, events)| stay_span(&events))
                .any(|other| spans_overlap(stay, other));
            if other_stay {
                return Err(conflict(
                    "corrections",
                    "the client has another stay on those nights: one stay at a time",
                ));
            }
            if let Some(bed) = c.bed_id {
                // The reservation the stay fulfils holds the same bed for it.
                let fulfilled = c.reservation_id.map(|r| r.as_u128());
                bed_free(p, bed, stay, &[facts.id], fulfilled)?;
            }
        }
        Some(Event::BedReserved(r)) => {
            let night = (r.date, r.date.add_days(1));
            bed_free(p, r.bed_id, night, &[facts.id], None)?;
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

/// The nights of a stay (from its check-in date to the date it left, exclusive), from its
/// events as they stand; `None` for a record that is not a stay.
fn stay_span(events: &[Event]) -> Option<(Date, Option<Date>)> {
    let Some(Event::ClientCheckedIn(c)) = events.first() else {
        return None;
    };
    let left = events.iter().rev().find_map(|x| match x {
        Event::ClientCheckedOut(o) => Some(o.date),
        _ => None,
    });
    Some((c.date, left))
}

/// Refuses a bed taken on any of the nights `span` (from, until exclusive) by a use other
/// than `except` and `fulfilled` (the reservation a stay fulfils).
fn bed_free(
    p: &Projections,
    bed: BedId,
    span: (Date, Option<Date>),
    except: &[u128],
    fulfilled: Option<u128>,
) -> Result<(), CommandError> {
    let taken = p.write_model().bed_uses(bed).iter().any(|u| {
        if except.contains(&u.record) || Some(u.record) == fulfilled {
            return false;
        }
        let other = if u.reservation {
            (u.from, u.from.add_days(1))
        } else {
            (u.from, u.until)
        };
        spans_overlap(span, other)
    });
    if taken {
        return Err(conflict(
            "corrections",
            "the bed is taken on those nights by another stay or reservation",
        ));
    }
    Ok(())
}

/// Refuses a bar's scope outside the organization that recorded the bar (a facility or
/// program of another organization, or one never created).
fn own_scope(
    p: &Projections,
    field: &str,
    scope: BarScope,
    organization: caseledger_core::OrganizationId,
) -> Result<(), CommandError> {
    let owner = match scope {
        BarScope::Facility(f) => p
            .catalog()
            .facility(f)
            .map(|f| f.organization)
            .ok_or_else(|| not_found(field, "facility"))?,
        BarScope::Program(pr) => p
            .catalog()
            .program(pr)
            .map(|pr| pr.organization)
            .ok_or_else(|| not_found(field, "program"))?,
        BarScope::Organization | BarScope::AllEnforcingOrganizations => return Ok(()),
    };
    if owner != organization {
        return Err(forbidden(
            "a bar covers the recording organization's own facilities and programs",
        ));
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
    use crate::decisions::given::{Given, given};

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

    #[test]
    fn a_release_window_typed_wrong_is_corrected_and_shares_on_the_corrected_dates_only() {
        use caseledger_core::commands::sharing::{GrantReleaseException, RevokeReleaseException};
        use caseledger_core::sharing::RecordRef;
        use caseledger_core::{AccessLevel, DateWindow, ReleaseId};
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let b = agency(&mut g, "Valley");
        let c = shared_client(&mut g, &a);
        let service = crate::decisions::voids::tests::service(&mut g, &a, c, None, None);
        // The form was signed for a window that ended last month; it was typed open-ended.
        let release: ReleaseId = g.id();
        g.run(
            &a.cm,
            &GrantReleaseException {
                client_id: c,
                release_id: release,
                accessing_organization_id: b.org,
                window: Some(DateWindow::open(date("2026-10-01"))),
            },
        );
        let b_sees = |g: &Given| {
            g.state
                .org_view(b.cm.viewer())
                .visibility(&RecordRef::Transaction(service))
                .level
                != AccessLevel::None
        };
        assert!(b_sees(&g));
        let signed = DateWindow::closed(date("2026-10-01"), date("2026-11-15"));
        let fix = CorrectSharingFact {
            client: c,
            fact: release.as_u128(),
            window: signed,
            reason: "the signed form ends on Nov 15".into(),
        };
        g.when(&a.cm, &fix).then(vec![
            RecordCorrected {
                record_id: release.as_u128(),
                client_id: c,
                kind: RecordKind::ReleaseException,
                corrections: vec![Correction::Window(signed)],
                reason: Pii::new("the signed form ends on Nov 15".into()),
            }
            .into(),
        ]);
        // Only the granting organization (or a system administrator).
        g.when(&b.cm, &fix).then_refused(ErrorCode::Forbidden, None);
        g.when(&g.admin(), &fix).decided();
        g.run(&a.cm, &fix);
        assert!(!b_sees(&g), "the corrected window ended before today");
        g.when(&a.cm, &fix)
            .then_refused(ErrorCode::Conflict, Some("window"));
        g.when(
            &a.cm,
            &CorrectSharingFact {
                window: DateWindow::closed(date("2026-11-15"), date("2026-10-01")),
                ..fix.clone()
            },
        )
        .then_refused(ErrorCode::Validation, Some("window"));
        g.when(
            &a.cm,
            &CorrectSharingFact {
                fact: 7,
                ..fix.clone()
            },
        )
        .then_refused(ErrorCode::NotFound, Some("factId"));
        // A revocation still ends the release early, whatever its window says since.
        g.run(
            &a.cm,
            &CorrectSharingFact {
                window: DateWindow::open(date("2026-10-01")),
                ..fix.clone()
            },
        );
        assert!(b_sees(&g));
        g.run(
            &a.cm,
            &RevokeReleaseException {
                client_id: c,
                release_id: release,
                last_day: None,
            },
        );
        assert!(!b_sees(&g));
    }

    #[test]
    fn a_documents_date_and_name_are_corrected_and_the_old_name_read_where_the_name_is() {
        use caseledger_core::DocumentId;
        use caseledger_core::commands::care::AddDocument;
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let c = shared_client(&mut g, &a);
        let d: DocumentId = g.id();
        g.run(
            &a.cm,
            &AddDocument {
                id: d,
                client: c,
                enrollment: None,
                name: "ID card".into(),
                document_type: "Identification".into(),
                date: Some(date("2026-11-01")),
                content_sha256: None,
                restriction: None,
            },
        );
        let renamed = correct(
            d.as_u128(),
            vec![
                Correction::Date(date("2026-10-30")),
                Correction::Text(Pii::new("State ID card".into())),
            ],
        );
        g.run(&a.cm, &renamed);
        let records = g.state.org_view(a.cm.viewer()).transactions(c, None);
        let doc = records.iter().find(|t| t.id == d.as_u128()).expect("seen");
        let Some(Event::DocumentAdded(now)) = doc.events.first() else {
            panic!("a document");
        };
        assert_eq!(now.date, date("2026-10-30"));
        assert_eq!(
            now.name.as_clear().map(String::as_str),
            Some("State ID card")
        );
        let earlier: Vec<_> = doc
            .replaced_texts
            .iter()
            .filter_map(|t| t.as_clear())
            .collect();
        assert_eq!(earlier, vec!["ID card"]);
        for name in [" ", " padded "] {
            g.when(
                &a.cm,
                &correct(d.as_u128(), vec![Correction::Text(Pii::new(name.into()))]),
            )
            .then_refused(ErrorCode::Validation, Some("corrections[0].text"));
        }
    }
}
