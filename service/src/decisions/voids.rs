//! Voids and un-voids: a record "entered in error" and its return.
//!
//! Who may: the recording organization's staff — for a restrict-to-user record, its user or
//! the organization's agency administrator — and system administrators, always with a
//! reason. Anyone else who may read the record is refused; to anyone who may not, the record
//! is answered exactly as one never recorded. A void keeps what depends on it consistent:
//! an enrollment with records in force under it is not voided (they go first), and an
//! un-void that would break a rule the record passed when it was recorded (one enrollment
//! per program at a time, one client per bed, one stay per client) is refused.

use caseledger_core::commands::voids::{
    UnvoidExit, UnvoidRecord, VoidExit, VoidRecord, VoidSharingFact,
};
use caseledger_core::events::{RecordUnvoided, RecordVoided};
use caseledger_core::input;
use caseledger_core::sharing::{RecordRef, TransactionFacts};
use caseledger_core::{
    AccessLevel, Actor, Date, EnrollmentId, Event, Pii, RecordKind, Role, TransactionRestriction,
};
use caseledger_projections::Projections;

use crate::commands::{conflict, forbidden, forgotten, not_found, require_text, viewer};
use crate::{Command, CommandError, Decision, Session};

impl Command for VoidRecord {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let actor = session.actor();
        let w = p.write_model();
        let Some((facts, _)) = w.record(self.record) else {
            // A voided record is only ever quoted to who may un-void it.
            return match w.voided_record(self.record) {
                Some((facts, _)) if may_void(&actor, &facts) => {
                    Err(conflict("recordId", "the record is already voided"))
                }
                _ => Err(not_found("recordId", "record")),
            };
        };
        authorize(p, &actor, &facts, ("recordId", "record"))?;
        require_text("reason", &self.reason, input::STATED_REASON)?;
        // The reason is sealed under the client's key, which forgetting destroyed.
        if w.forgotten(facts.client) {
            return Err(forgotten());
        }
        if facts.kind == RecordKind::Enrollment {
            // Any record counts, a colleague's restrict-to-user one too; the message names no
            // number, so it says nothing of records the actor cannot see.
            let any_under = w.client_records(facts.client).iter().any(|(_, events)| {
                events.first().and_then(enrollment_of) == Some(EnrollmentId::new(facts.id))
            });
            if any_under {
                return Err(conflict(
                    "recordId",
                    "records are recorded under this enrollment (services, assessments, notes, \
                     documents, stays): void them first",
                ));
            }
        }
        Ok(Decision::events(vec![
            RecordVoided {
                record_id: facts.id,
                client_id: facts.client,
                kind: facts.kind,
                reason: Pii::new(self.reason.clone()),
            }
            .into(),
        ]))
    }
}

impl Command for UnvoidRecord {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let actor = session.actor();
        let w = p.write_model();
        let Some((facts, events)) = w.voided_record(self.record) else {
            if let Some((facts, _)) = w.record(self.record) {
                authorize(p, &actor, &facts, ("recordId", "record"))?;
                return Err(conflict("recordId", "the record is not voided"));
            }
            return Err(not_found("recordId", "record"));
        };
        if !may_void(&actor, &facts) {
            return Err(not_found("recordId", "record"));
        }
        require_text("reason", &self.reason, input::STATED_REASON)?;
        if w.forgotten(facts.client) {
            return Err(forgotten());
        }
        still_consistent(p, &facts, &events)?;
        Ok(Decision::events(vec![
            RecordUnvoided {
                record_id: facts.id,
                client_id: facts.client,
                kind: facts.kind,
                reason: Pii::new(self.reason.clone()),
            }
            .into(),
        ]))
    }
}

impl Command for VoidExit {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let (facts, events) = exit_of(p, session, self.enrollment, &self.reason)?;
        if !events
            .iter()
            .any(|e| matches!(e, Event::EnrollmentExited(_)))
        {
            return Err(conflict("enrollmentId", "the enrollment is not exited"));
        }
        Ok(Decision::events(vec![
            RecordVoided {
                record_id: facts.id,
                client_id: facts.client,
                kind: RecordKind::Exit,
                reason: Pii::new(self.reason.clone()),
            }
            .into(),
        ]))
    }
}

impl Command for UnvoidExit {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let (facts, events) = exit_of(p, session, self.enrollment, &self.reason)?;
        if events
            .iter()
            .any(|e| matches!(e, Event::EnrollmentExited(_)))
        {
            return Err(conflict(
                "enrollmentId",
                "the enrollment is exited: void that exit first",
            ));
        }
        // The events as recorded (uncorrected) say whether an exit was voided and not restored.
        let raw = p
            .write_model()
            .record_as_recorded(facts.id)
            .unwrap_or_default();
        let count = |void: bool| {
            raw.iter()
                .filter(|e| match e {
                    Event::RecordVoided(v) => void && v.kind == RecordKind::Exit,
                    Event::RecordUnvoided(u) => !void && u.kind == RecordKind::Exit,
                    _ => false,
                })
                .count()
        };
        if count(true) <= count(false) {
            return Err(conflict("enrollmentId", "no voided exit to bring back"));
        }
        Ok(Decision::events(vec![
            RecordUnvoided {
                record_id: facts.id,
                client_id: facts.client,
                kind: RecordKind::Exit,
                reason: Pii::new(self.reason.clone()),
            }
            .into(),
        ]))
    }
}

impl Command for VoidSharingFact {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let (kind, voided) = sharing_fact_of(p, session, self.client, self.fact, &self.reason)?;
        let field = "factId";
        let reason = Pii::new(self.reason.clone());
        let (record_id, client_id) = (self.fact, self.client);
        let event = match (self.undo, voided) {
            (false, false) => RecordVoided {
                record_id,
                client_id,
                kind,
                reason,
            }
            .into(),
            (true, true) => RecordUnvoided {
                record_id,
                client_id,
                kind,
                reason,
            }
            .into(),
            (false, true) => return Err(conflict(field, "it is already voided")),
            (true, false) => return Err(conflict(field, "it is not voided")),
        };
        Ok(Decision::events(vec![event]))
    }
}

/// The kind of a client's MOU assignment or release exception and whether it is voided,
/// after the rules every void or correction of one passes: only who may see the client learns
/// of its sharing facts; only the organization whose fact it is (the creator's for an
/// assignment, the granting one's for a release) or a system administrator changes it; a
/// reason; a client not forgotten.
pub(crate) fn sharing_fact_of(
    p: &Projections,
    session: &Session,
    client: caseledger_core::ClientId,
    fact: u128,
    reason: &str,
) -> Result<(RecordKind, bool), CommandError> {
    let actor = session.actor();
    crate::commands::client_access(p, &actor, client, "clientId")?;
    let w = p.write_model();
    let (kind, owner, voided) = w
        .sharing_fact(client, fact)
        .ok_or_else(|| not_found("factId", "MOU assignment or release exception"))?;
    let own_staff =
        matches!(actor.role, Role::CaseManager | Role::AgencyAdmin) && actor.organization == owner;
    if !(own_staff || actor.role == Role::SystemAdmin) {
        return Err(forbidden(
            "only the organization whose assignment or release it is (or a system \
             administrator) voids or corrects it",
        ));
    }
    require_text("reason", reason, input::STATED_REASON)?;
    if w.forgotten(client) {
        return Err(forgotten());
    }
    Ok((kind, voided))
}

/// The enrollment whose exit is voided or restored, after the rules every void passes.
fn exit_of(
    p: &Projections,
    session: &Session,
    enrollment: EnrollmentId,
    reason: &str,
) -> Result<(TransactionFacts, Vec<Event>), CommandError> {
    let actor = session.actor();
    let w = p.write_model();
    let (facts, events) = w
        .record(enrollment.as_u128())
        .filter(|(f, _)| f.kind == RecordKind::Enrollment)
        .ok_or_else(|| not_found("enrollmentId", "enrollment"))?;
    authorize(p, &actor, &facts, ("enrollmentId", "enrollment"))?;
    require_text("reason", reason, input::STATED_REASON)?;
    if w.forgotten(facts.client) {
        return Err(forgotten());
    }
    Ok((facts, events))
}

/// Whether `actor` may void (or un-void) the record: a system administrator; or staff of the
/// recording organization — for a restrict-to-user record, only its user or the agency
/// administrator.
pub(crate) fn may_void(actor: &Actor, facts: &TransactionFacts) -> bool {
    match actor.role {
        Role::SystemAdmin => true,
        Role::CaseManager | Role::AgencyAdmin if actor.organization == facts.owner.organization => {
            facts.restriction != TransactionRestriction::RestrictToUser
                || actor.user == facts.owner.user
                || actor.role == Role::AgencyAdmin
        }
        _ => false,
    }
}

/// [`may_void`] for a record in force (a void or a correction), answered as the views would:
/// `NOT_FOUND` naming `field` and `what` (as a lookup of an unused id names them) to whoever may
/// not see it, `FORBIDDEN` to whoever may see but not void it.
pub(crate) fn authorize(
    p: &Projections,
    actor: &Actor,
    facts: &TransactionFacts,
    (field, what): (&str, &str),
) -> Result<(), CommandError> {
    if may_void(actor, facts) {
        return Ok(());
    }
    let seen = p
        .org_view(viewer(actor))
        .visibility(&RecordRef::Transaction(facts.id))
        .level
        != AccessLevel::None;
    if seen {
        Err(forbidden(
            "only the recording organization (or a system administrator) voids or corrects a \
             record",
        ))
    } else {
        Err(not_found(field, what))
    }
}

/// The enrollment a record is recorded under, if any.
pub(crate) fn enrollment_of(event: &Event) -> Option<EnrollmentId> {
    match event {
        Event::ServiceRecorded(e) => e.enrollment_id,
        Event::AssessmentRecorded(e) => e.enrollment_id,
        Event::CaseNoteAdded(e) => e.enrollment_id,
        Event::DocumentAdded(e) => e.enrollment_id,
        Event::ClientCheckedIn(e) => e.enrollment_id,
        _ => None,
    }
}

/// Refuses an un-void that would break, today, a rule the record passed when recorded.
fn still_consistent(
    p: &Projections,
    facts: &TransactionFacts,
    events: &[Event],
) -> Result<(), CommandError> {
    let w = p.write_model();
    let Some(first) = events.first() else {
        return Ok(());
    };
    if let Some(enrollment) = enrollment_of(first)
        && w.enrollment(enrollment).is_none()
    {
        return Err(conflict(
            "recordId",
            "the enrollment the record is recorded under is voided: un-void it first",
        ));
    }
    match first {
        Event::ClientEnrolled(e) => {
            let exit = events.iter().rev().find_map(|x| match x {
                Event::EnrollmentExited(x) => Some(x.exit_date),
                _ => None,
            });
            let overlaps = w.enrollments(facts.client).into_iter().any(|other| {
                other.program == e.program_id
                    && spans_overlap((e.entry_date, exit), (other.entry, other.exit))
            });
            if overlaps {
                return Err(conflict(
                    "recordId",
                    "the client has been enrolled in this program on those dates since: \
                     one enrollment per program at a time",
                ));
            }
        }
        Event::ClientCheckedIn(c) if events.len() == 1 => {
            if w.current_stay(facts.client).is_some() {
                return Err(conflict(
                    "recordId",
                    "the client is checked in to another stay now",
                ));
            }
            if let Some(bed) = c.bed_id
                && w.bed_occupant(bed).is_some()
            {
                return Err(conflict("recordId", "the stay's bed is occupied now"));
            }
        }
        Event::BedReserved(r)
            if events.len() == 1 && w.bed_uses(r.bed_id).iter().any(|u| u.covers(r.date)) =>
        {
            return Err(conflict(
                "recordId",
                "the reserved bed is taken that night now",
            ));
        }
        _ => {}
    }
    Ok(())
}

/// Whether two enrollment spans (entry, exit) share a day; an open exit never ends, and an
/// exit day is not a day enrolled.
pub(crate) fn spans_overlap(a: (Date, Option<Date>), b: (Date, Option<Date>)) -> bool {
    let before = |start: Date, end: Option<Date>| end.is_none_or(|end| start < end);
    before(a.0, b.1) && before(b.0, a.1)
}

#[cfg(test)]
pub(crate) mod tests {
    use caseledger_core::commands::care::RecordService;
    use caseledger_core::hud::ServiceTypeCode;
    use caseledger_core::{ClientId, EnrollmentId, ServiceId};

    use super::*;
    use crate::ErrorCode;
    use crate::decisions::care::tests::{Agency, agency, enroll, shared_client};
    use crate::decisions::given::{Given, given};

    /// A service `a` records for `client` today; its record id.
    pub(crate) fn service(
        g: &mut Given,
        a: &Agency,
        client: ClientId,
        enrollment: Option<EnrollmentId>,
        restriction: Option<TransactionRestriction>,
    ) -> u128 {
        let id: ServiceId = g.id();
        g.run(
            &a.cm,
            &RecordService {
                id,
                client,
                enrollment,
                date: g.today(),
                service_type: ServiceTypeCode {
                    record_type: 144,
                    type_provided: 1,
                },
                description: String::new(),
                restriction,
                source_id: None,
            },
        );
        id.as_u128()
    }

    fn void(record: u128) -> VoidRecord {
        VoidRecord {
            record,
            reason: "recorded for the wrong client".into(),
        }
    }

    fn unvoid(record: u128) -> UnvoidRecord {
        UnvoidRecord {
            record,
            reason: "it was the right client".into(),
        }
    }

    fn visible(g: &Given, a: &Agency, client: ClientId, record: u128) -> bool {
        g.state
            .org_view(a.cm.viewer())
            .transactions(client, None)
            .iter()
            .any(|t| t.id == record)
    }

    #[test]
    fn the_recording_organization_voids_a_record_out_of_its_views_and_back() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let c = shared_client(&mut g, &a);
        let s = service(&mut g, &a, c, None, None);
        g.when(&a.cm, &void(s)).then(vec![
            RecordVoided {
                record_id: s,
                client_id: c,
                kind: RecordKind::Service,
                reason: Pii::new("recorded for the wrong client".into()),
            }
            .into(),
        ]);
        g.run(&a.cm, &void(s));
        assert!(!visible(&g, &a, c, s), "a voided record is in no view");
        g.when(&a.cm, &void(s))
            .then_refused(ErrorCode::Conflict, Some("recordId"));
        g.when(
            &a.cm,
            &UnvoidRecord {
                reason: String::new(),
                ..unvoid(s)
            },
        )
        .then_refused(ErrorCode::Validation, Some("reason"));
        g.run(&a.cm, &unvoid(s));
        assert!(
            visible(&g, &a, c, s),
            "an un-voided record is back as it was"
        );
        g.when(&a.cm, &unvoid(s))
            .then_refused(ErrorCode::Conflict, Some("recordId"));
        // A system administrator voids anything, with a reason.
        g.when(&g.admin(), &void(s)).decided();
    }

    #[test]
    fn whoever_may_not_see_a_record_learns_nothing_of_it_and_a_reader_is_refused() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let b = agency(&mut g, "Valley");
        let c = shared_client(&mut g, &a);
        let s = service(&mut g, &a, c, None, None);
        let never = g.id::<ServiceId>().as_u128();
        let unseen = g
            .when(&b.cm, &void(s))
            .then_refused(ErrorCode::NotFound, Some("recordId"));
        let unused = g
            .when(&b.cm, &void(never))
            .then_refused(ErrorCode::NotFound, Some("recordId"));
        assert_eq!(
            unseen, unused,
            "a hidden record answers as one never recorded"
        );
        g.run(&a.cm, &void(s));
        let voided = g
            .when(&b.cm, &unvoid(s))
            .then_refused(ErrorCode::NotFound, Some("recordId"));
        assert_eq!(
            voided,
            g.when(&b.cm, &unvoid(never))
                .then_refused(ErrorCode::NotFound, Some("recordId"))
        );
        let again = g
            .when(&b.cm, &void(s))
            .then_refused(ErrorCode::NotFound, Some("recordId"));
        assert_eq!(
            again, unused,
            "nor is a voided record quoted to another organization"
        );
        g.run(&a.cm, &unvoid(s));
        // An auditor reads every record's metadata, and voids none.
        let lead = g.lead();
        let auditor = g.user(lead, Role::Auditor);
        g.when(&auditor, &void(s))
            .then_refused(ErrorCode::Forbidden, None);
    }

    #[test]
    fn a_restrict_to_user_record_is_voided_by_its_user_or_the_agency_administrator() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let c = shared_client(&mut g, &a);
        let s = service(
            &mut g,
            &a,
            c,
            None,
            Some(TransactionRestriction::RestrictToUser),
        );
        let colleague = g.user(a.org, Role::CaseManager);
        let administrator = g.user(a.org, Role::AgencyAdmin);
        g.when(&colleague, &void(s))
            .then_refused(ErrorCode::NotFound, Some("recordId"));
        g.when(&administrator, &void(s)).decided();
        g.when(&a.cm, &void(s)).decided();
    }

    #[test]
    fn an_exit_entered_in_error_is_voided_the_enrollment_reopens_and_the_exit_can_come_back() {
        use caseledger_core::commands::care::ExitEnrollment;
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let b = agency(&mut g, "Valley");
        let c = shared_client(&mut g, &a);
        let e: EnrollmentId = g.id();
        g.run(&a.cm, &enroll(e, c, &a, "2026-06-01"));
        let void = VoidExit {
            enrollment: e,
            reason: "exited the wrong client".into(),
        };
        let unvoid = UnvoidExit {
            enrollment: e,
            reason: "it was the right client".into(),
        };
        g.when(&a.cm, &void)
            .then_refused(ErrorCode::Conflict, Some("enrollmentId"));
        let exit = |on: &str| ExitEnrollment {
            enrollment: e,
            exit_date: caseledger_core::testkit::date(on),
            destination: None,
            destination_subsidy_type: None,
            other_destination: String::new(),
            whole_household: false,
            source_id: None,
        };
        g.run(&a.cm, &exit("2026-07-01"));
        let hidden = g
            .when(&b.cm, &void)
            .then_refused(ErrorCode::NotFound, Some("enrollmentId"));
        let never = VoidExit {
            enrollment: g.id(),
            ..void.clone()
        };
        let unused = g
            .when(&b.cm, &never)
            .then_refused(ErrorCode::NotFound, Some("enrollmentId"));
        assert_eq!(
            hidden, unused,
            "a hidden enrollment answers as one never recorded"
        );
        g.run(&a.cm, &void);
        let open = |g: &Given| g.state.write_model().enrollment(e).unwrap().1.exit;
        assert_eq!(open(&g), None, "the enrollment is open again");
        // Exited anew: the voided exit cannot come back over it.
        g.run(&a.cm, &exit("2026-08-01"));
        g.when(&a.cm, &unvoid)
            .then_refused(ErrorCode::Conflict, Some("enrollmentId"));
        g.run(&a.cm, &void);
        g.run(&a.cm, &unvoid);
        assert_eq!(open(&g), Some(caseledger_core::testkit::date("2026-08-01")));
        g.run(&a.cm, &void);
        g.run(&a.cm, &unvoid);
        g.run(&a.cm, &void);
        g.run(&a.cm, &unvoid);
        g.when(&a.cm, &void).decided();
    }

    #[test]
    fn a_release_signed_in_error_is_voided_and_shares_nothing_then_or_before() {
        use caseledger_core::commands::sharing::GrantReleaseException;
        use caseledger_core::{AccessLevel, ReleaseId};
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let b = agency(&mut g, "Valley");
        let c = shared_client(&mut g, &a);
        let s = service(&mut g, &a, c, None, None);
        let release: ReleaseId = g.id();
        g.run(
            &a.cm,
            &GrantReleaseException {
                client_id: c,
                release_id: release,
                accessing_organization_id: b.org,
                window: None,
            },
        );
        let b_sees = |g: &Given| {
            g.state
                .org_view(b.cm.viewer())
                .visibility(&RecordRef::Transaction(s))
                .level
                != AccessLevel::None
        };
        assert!(b_sees(&g));
        let void = VoidSharingFact {
            client: c,
            fact: release.as_u128(),
            undo: false,
            reason: "signed for another client".into(),
        };
        g.when(&b.cm, &void)
            .then_refused(ErrorCode::Forbidden, None);
        g.run(&a.cm, &void);
        assert!(!b_sees(&g), "a voided release shares nothing");
        g.when(&a.cm, &void)
            .then_refused(ErrorCode::Conflict, Some("factId"));
        let undo = VoidSharingFact {
            undo: true,
            ..void.clone()
        };
        g.run(&a.cm, &undo);
        assert!(b_sees(&g));
        g.when(
            &a.cm,
            &VoidSharingFact {
                fact: 7,
                ..void.clone()
            },
        )
        .then_refused(ErrorCode::NotFound, Some("factId"));
    }

    #[test]
    fn an_enrollment_goes_after_what_is_recorded_under_it_and_comes_back_before_it() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let c = shared_client(&mut g, &a);
        let e: EnrollmentId = g.id();
        g.run(&a.cm, &enroll(e, c, &a, "2026-06-01"));
        let s = service(&mut g, &a, c, Some(e), None);
        g.when(&a.cm, &void(e.as_u128()))
            .then_refused(ErrorCode::Conflict, Some("recordId"));
        g.run(&a.cm, &void(s));
        g.run(&a.cm, &void(e.as_u128()));
        g.when(&a.cm, &unvoid(s))
            .then_refused(ErrorCode::Conflict, Some("recordId"));
        // Re-enrolled in the program meanwhile: the voided enrollment cannot come back over it.
        let again: EnrollmentId = g.id();
        g.run(&a.cm, &enroll(again, c, &a, "2026-07-01"));
        g.when(&a.cm, &unvoid(e.as_u128()))
            .then_refused(ErrorCode::Conflict, Some("recordId"));
        g.run(&a.cm, &void(again.as_u128()));
        g.run(&a.cm, &unvoid(e.as_u128()));
        g.when(&a.cm, &unvoid(s)).decided();
    }
}
