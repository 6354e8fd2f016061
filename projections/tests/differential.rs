//! Differential property test: the projections' access decisions equal the reference
//! evaluator's, for every viewer and every record, after every event and on several dates.
//!
//! Histories are random sequences of sharing facts and records over a few organizations,
//! users, MOUs (every direction, overlapping windows, changes from a date on), assignments (ended or not), release
//! exceptions (granted, revoked, expired), restriction changes, every transaction kind with
//! every restriction, record requests, policy changes, voids and un-voids of records, of exits
//! and of MOU assignments and release exceptions, corrections of their dates, and merges and
//! unmerges of clients (with records and sharing facts recorded between them, for the merged
//! client as a whole, and clients of different restrictions and releases merged). Clients lose
//! sight of their viewers
//! (restriction changes, revoked and expiring releases) while those viewers' organizations keep
//! records of them; restrict-to-user enrollments sit beside colleagues' enrollments in the same
//! program; the help desk and an auditor of the CoC lead look at everything. Beyond each
//! decision, every view is checked against the reference: the client as a whole (profile, id
//! only or nothing), its records with their content or metadata only, Find Client by HMIS id,
//! the caseload (dates run far enough past the exits for "recent" to end), and what an
//! overlapping enrollment may be quoted as. `PROPTEST_CASES` raises the number of
//! cases (2,000 by default). Counterexamples are kept by proptest in
//! `tests/differential.proptest-regressions` and named below as regression tests.

use caseledger_core::events::*;
use caseledger_core::hud::*;
use caseledger_core::sharing::{
    RecordRef, TransactionFacts, Viewer, Visibility, merges, reference,
};
use caseledger_core::*;
use caseledger_projections::Projections;
use proptest::prelude::*;

const ORGS: usize = 4;
const BASE: i32 = 738_000; // a day number in 2021; dates are BASE + 0..40

fn day(offset: u8) -> Date {
    Date::from_days_from_ce(BASE + offset as i32).expect("valid day")
}

fn window(start: u8, len: Option<u8>) -> DateWindow {
    DateWindow {
        start: day(start),
        end: len.map(|l| day(start.saturating_add(l))),
    }
}

fn org(i: usize) -> OrganizationId {
    OrganizationId::new(1000 + i as u128)
}

/// Users: two case managers per organization; organization 0 (the CoC lead) also has a system
/// administrator, a help desk user and an auditor.
fn viewers() -> Vec<Viewer> {
    let mut v = Vec::new();
    for o in 0..ORGS {
        for k in 0..2 {
            v.push(Viewer {
                user: UserId::new((2000 + o * 10 + k) as u128),
                organization: org(o),
                role: Role::CaseManager,
            });
        }
    }
    v.push(Viewer {
        user: UserId::new(2900),
        organization: org(0),
        role: Role::SystemAdmin,
    });
    v.push(Viewer {
        user: UserId::new(2901),
        organization: org(0),
        role: Role::HelpDesk,
    });
    v.push(Viewer {
        user: UserId::new(2902),
        organization: org(0),
        role: Role::Auditor,
    });
    v
}

fn case_manager(o: usize, k: usize) -> RecordOwner {
    RecordOwner {
        organization: org(o % ORGS),
        user: UserId::new((2000 + (o % ORGS) * 10 + k % 2) as u128),
    }
}

#[derive(Debug, Clone)]
enum Op {
    Policy {
        open: bool,
        effective: u8,
    },
    Mou {
        participants: Vec<(usize, u8)>,
        start: u8,
        len: Option<u8>,
    },
    ChangeMou {
        mou: usize,
        participants: Vec<(usize, u8)>,
        start: u8,
        len: Option<u8>,
        /// From which day the change applies (every day when `None`).
        effective: Option<u8>,
    },
    Intake {
        org: usize,
        restriction: u8,
        /// Which name, date of birth and SSN (from small pools, so duplicates arise).
        who: u8,
    },
    /// Changes a client's name, date of birth and SSN.
    EditIntake {
        client: usize,
        who: u8,
    },
    /// Forgets a client's identifiers.
    Forget {
        client: usize,
    },
    /// Marks a proposed pair "not a duplicate".
    Dismiss {
        pair: usize,
    },
    Restrict {
        client: usize,
        restriction: u8,
        effective: u8,
    },
    Assign {
        client: usize,
        mou: usize,
        start: u8,
        len: Option<u8>,
    },
    EndAssignment {
        assignment: usize,
        end: u8,
    },
    Grant {
        client: usize,
        from_creator: bool,
        from: usize,
        to: usize,
        start: u8,
        len: Option<u8>,
    },
    Revoke {
        release: usize,
        end: u8,
    },
    Record {
        client: usize,
        org: usize,
        user: usize,
        kind: u8,
        restriction: u8,
    },
    Exit {
        record: usize,
        day: u8,
    },
    Request {
        client: usize,
    },
    CloseRequest {
        request: usize,
        fulfil: bool,
    },
    /// Voids a record not voided ("entered in error").
    Void {
        record: usize,
    },
    /// Undoes the void of a voided record.
    Unvoid {
        record: usize,
    },
    /// Voids an MOU assignment or release exception (or undoes that).
    VoidSharing {
        which: usize,
        undo: bool,
    },
    /// Corrects the window of an MOU assignment or release exception not voided.
    CorrectSharing {
        which: usize,
        start: u8,
        len: Option<u8>,
    },
    /// Voids an enrollment's exit (the enrollment is open again), or undoes that.
    VoidExit {
        record: usize,
        undo: bool,
    },
    /// Corrects a date of a record in force: an enrollment's entry (or its exit's date), a
    /// service's, an assessment's or a case note's.
    Correct {
        record: usize,
        day: u8,
        exit: bool,
    },
    /// Merges a client into another (neither merged away, the duplicate not itself a
    /// survivor of a merge in force).
    Merge {
        survivor: usize,
        duplicate: usize,
    },
    /// Undoes a merge in force.
    Unmerge {
        merge: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let participants = prop::collection::vec((0..ORGS, 0u8..3), 1..=ORGS);
    let len = prop::option::of(0u8..20);
    prop_oneof![
        1 => (any::<bool>(), 0u8..40).prop_map(|(open, effective)| Op::Policy { open, effective }),
        2 => (participants.clone(), 0u8..20, len.clone()).prop_map(|(participants, start, len)| Op::Mou { participants, start, len }),
        2 => (0usize..4, participants, 0u8..20, len.clone(), prop::option::of(0u8..40)).prop_map(|(mou, participants, start, len, effective)| Op::ChangeMou { mou, participants, start, len, effective }),
        4 => (0..ORGS, 0u8..3, any::<u8>()).prop_map(|(org, restriction, who)| Op::Intake { org, restriction, who }),
        1 => (0usize..8, any::<u8>()).prop_map(|(client, who)| Op::EditIntake { client, who }),
        1 => (0usize..8).prop_map(|client| Op::Forget { client }),
        1 => (0usize..8).prop_map(|pair| Op::Dismiss { pair }),
        2 => (0usize..8, 0u8..3, 0u8..40).prop_map(|(client, restriction, effective)| Op::Restrict { client, restriction, effective }),
        3 => (0usize..8, 0usize..4, 0u8..30, len.clone()).prop_map(|(client, mou, start, len)| Op::Assign { client, mou, start, len }),
        1 => (0usize..8, 0u8..40).prop_map(|(assignment, end)| Op::EndAssignment { assignment, end }),
        3 => (0usize..8, any::<bool>(), 0..ORGS, 0..ORGS, 0u8..30, len.clone()).prop_map(|(client, from_creator, from, to, start, len)| Op::Grant { client, from_creator, from, to, start, len }),
        1 => (0usize..8, 0u8..40).prop_map(|(release, end)| Op::Revoke { release, end }),
        6 => (0usize..8, 0..ORGS, 0usize..2, 0u8..9, 0u8..3).prop_map(|(client, org, user, kind, restriction)| Op::Record { client, org, user, kind, restriction }),
        2 => (0usize..12, 0u8..40).prop_map(|(record, day)| Op::Exit { record, day }),
        1 => (0usize..8).prop_map(|client| Op::Request { client }),
        1 => (0usize..4, any::<bool>()).prop_map(|(request, fulfil)| Op::CloseRequest { request, fulfil }),
        2 => (0usize..16).prop_map(|record| Op::Void { record }),
        1 => (0usize..16).prop_map(|record| Op::Unvoid { record }),
        2 => (0usize..16, 0u8..40, any::<bool>()).prop_map(|(record, day, exit)| Op::Correct { record, day, exit }),
        1 => (0usize..12, any::<bool>()).prop_map(|(record, undo)| Op::VoidExit { record, undo }),
        2 => (0usize..16, any::<bool>()).prop_map(|(which, undo)| Op::VoidSharing { which, undo }),
        2 => (0usize..16, 0u8..30, len).prop_map(|(which, start, len)| Op::CorrectSharing { which, start, len }),
        2 => (0usize..8, 0usize..8).prop_map(|(survivor, duplicate)| Op::Merge { survivor, duplicate }),
        1 => (0usize..4).prop_map(|merge| Op::Unmerge { merge }),
    ]
}

fn client_restriction(r: u8) -> ClientRestriction {
    [
        ClientRestriction::RestrictToOrganization,
        ClientRestriction::ShareWithMou,
        ClientRestriction::ShareGlobally,
    ][r as usize % 3]
}

fn tx_restriction(r: u8) -> TransactionRestriction {
    [
        TransactionRestriction::Unrestricted,
        TransactionRestriction::RestrictToOrganization,
        TransactionRestriction::RestrictToUser,
    ][r as usize % 3]
}

fn direction(d: u8) -> MouDirection {
    [
        MouDirection::Grants,
        MouDirection::Receives,
        MouDirection::Both,
    ][d as usize % 3]
}

fn participants(p: &[(usize, u8)]) -> Vec<MouParticipant> {
    let mut seen = std::collections::HashSet::new();
    p.iter()
        .filter(|(o, _)| seen.insert(*o))
        .map(|(o, d)| MouParticipant {
            organization: org(*o),
            direction: direction(*d),
        })
        .collect()
}

/// A name from a small pool, two of which sound alike.
fn name(who: u8) -> PersonName {
    let (first, last) = [
        ("Maria", "Lopez"),
        ("Maria", "Lopes"),
        ("Mario", "Lopez"),
        ("Dana", "Client"),
    ][who as usize % 4];
    PersonName {
        first: first.into(),
        middle: String::new(),
        last: last.into(),
        suffix: String::new(),
    }
}

/// A date of birth from a small pool (two with day and month swapped), or none.
fn birth(who: u8) -> Option<Date> {
    [
        Date::from_ymd(1990, 4, 2),
        Date::from_ymd(1990, 2, 4),
        Date::from_ymd(1991, 7, 9),
        None,
    ][(who as usize / 4) % 4]
}

/// An SSN from a small pool: whole, partial with the same last four, none, another.
fn ssn(who: u8) -> String {
    ["234567891", "xxxxx7891", "", "234567892"][(who as usize / 16) % 4].into()
}

/// The `i`-th element, wrapping around, so that most ops find something to refer to.
fn pick<T: Copy>(items: &[T], i: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[i % items.len()])
}

/// Turns ops into events, skipping ops that refer to nothing yet (as commands would refuse).
struct Builder {
    events: Vec<Event>,
    next: u128,
    mous: Vec<MouId>,
    clients: Vec<(ClientId, usize)>,
    assignments: Vec<(ClientId, MouAssignmentId)>,
    releases: Vec<(ClientId, ReleaseId)>,
    records: Vec<(ClientId, EnrollmentId)>,
    requests: Vec<(ClientId, RecordRequestId)>,
    /// Merges recorded: (merge, survivor, duplicate, still in force).
    merges: Vec<(MergeId, ClientId, ClientId, bool)>,
}

impl Builder {
    fn id(&mut self) -> u128 {
        self.next += 1;
        self.next
    }

    /// The `i`-th client, unless it was merged away: commands naming a merged-away client are
    /// refused (they name its survivor).
    fn live(&self, i: usize) -> Option<(ClientId, usize)> {
        pick(&self.clients, i).filter(|(c, _)| !self.merged_away(*c))
    }

    /// The MOU assignments and release exceptions recorded, voided (`voided`) or in force.
    fn sharing_facts(&self, voided: bool) -> Vec<(ClientId, u128, RecordKind)> {
        self.assignments
            .iter()
            .map(|(c, a)| (*c, a.as_u128(), RecordKind::MouAssignment))
            .chain(
                self.releases
                    .iter()
                    .map(|(c, r)| (*c, r.as_u128(), RecordKind::ReleaseException)),
            )
            .filter(|(_, id, _)| reference::voided(&self.events, *id) == voided)
            .collect()
    }

    fn merged_away(&self, client: ClientId) -> bool {
        self.merges.iter().any(|m| m.3 && m.2 == client)
    }

    fn push(&mut self, op: &Op) -> Option<()> {
        let event: Event = match op.clone() {
            Op::Policy { open, effective } => SharingPolicySet {
                policy: if open {
                    SharingPolicy::open_intake("UTC")
                } else {
                    SharingPolicy::clienttrack("UTC")
                },
                effective: day(effective),
            }
            .into(),
            Op::Mou {
                participants: p,
                start,
                len,
            } => {
                let mou_id = MouId::new(self.id());
                self.mous.push(mou_id);
                MouCreated {
                    mou_id,
                    number: format!("{:04}", self.mous.len()),
                    title: "MOU".into(),
                    participants: participants(&p),
                    window: window(start, len),
                }
                .into()
            }
            Op::ChangeMou {
                mou,
                participants: p,
                start,
                len,
                effective,
            } => {
                let mou_id = pick(&self.mous, mou)?;
                MouChanged {
                    mou_id,
                    title: "MOU".into(),
                    participants: participants(&p),
                    window: window(start, len),
                    effective: effective.map(day),
                }
                .into()
            }
            Op::Intake {
                org: o,
                restriction,
                who,
            } => {
                let client_id = ClientId::new(self.id());
                self.clients.push((client_id, o));
                ClientIntakeRecorded {
                    client_id,
                    organization_id: org(o),
                    name: Pii::new(name(who)),
                    name_data_quality: DataQuality::Full,
                    ssn: Pii::new(ssn(who)),
                    ssn_data_quality: DataQuality::Full,
                    dob: Pii::new(birth(who)),
                    dob_data_quality: DataQuality::Full,
                    race_ethnicity: vec![],
                    race_none: None,
                    additional_race_ethnicity: Pii::new(String::new()),
                    sex: None,
                    genders: vec![],
                    gender_none: None,
                    different_identity_text: Pii::new(String::new()),
                    veteran_status: NoYesReasons::No,
                    address: Pii::new(None),
                    restriction: client_restriction(restriction),
                    source_id: None,
                    hash_status: caseledger_core::hud::HashStatus::Unhashed,
                }
                .into()
            }
            Op::Restrict {
                client,
                restriction,
                effective,
            } => {
                let (client_id, _) = self.live(client)?;
                ClientRestrictionChanged {
                    client_id,
                    restriction: client_restriction(restriction),
                    effective: day(effective),
                }
                .into()
            }
            Op::Assign {
                client,
                mou,
                start,
                len,
            } => {
                let (client_id, _) = self.live(client)?;
                let mou_id = pick(&self.mous, mou)?;
                let assignment_id = MouAssignmentId::new(self.id());
                self.assignments.push((client_id, assignment_id));
                MouAssigned {
                    client_id,
                    assignment_id,
                    mou_id,
                    window: window(start, len),
                }
                .into()
            }
            Op::EndAssignment { assignment, end } => {
                let (client_id, assignment_id) = pick(&self.assignments, assignment)?;
                MouAssignmentEnded {
                    client_id,
                    assignment_id,
                    end: day(end),
                }
                .into()
            }
            Op::Grant {
                client,
                from_creator,
                from,
                to,
                start,
                len,
            } => {
                let (client_id, creator) = self.live(client)?;
                let release_id = ReleaseId::new(self.id());
                self.releases.push((client_id, release_id));
                let granting = org(if from_creator { creator } else { from });
                ReleaseExceptionGranted {
                    client_id,
                    release_id,
                    granting_organization: granting,
                    accessing_organization: org(to),
                    window: window(start, len),
                }
                .into()
            }
            Op::Revoke { release, end } => {
                let (client_id, release_id) = pick(&self.releases, release)?;
                ReleaseExceptionRevoked {
                    client_id,
                    release_id,
                    end: day(end),
                }
                .into()
            }
            Op::Record {
                client,
                org: o,
                user,
                kind,
                restriction,
            } => {
                let (client_id, _) = self.live(client)?;
                let owner = case_manager(o, user);
                let restriction = tx_restriction(restriction);
                let id = self.id();
                match kind {
                    0 => {
                        self.records.push((client_id, EnrollmentId::new(id)));
                        ClientEnrolled {
                            enrollment_id: EnrollmentId::new(id),
                            client_id,
                            program_id: ProgramId::new(7),
                            owner,
                            entry_date: day(1),
                            household_id: None,
                            relationship_to_hoh: RelationshipToHoH::SelfHeadOfHousehold,
                            living_situation: None,
                            rental_subsidy_type: None,
                            disabling_condition: NoYesReasons::No,
                            enrollment_coc: None,
                            move_in_date: None,
                            case_manager: None,
                            restriction,
                            source_id: None,
                        }
                        .into()
                    }
                    1 => ServiceRecorded {
                        service_id: ServiceId::new(id),
                        client_id,
                        enrollment_id: None,
                        owner,
                        date: day(2),
                        service_type: ServiceTypeCode {
                            record_type: 141,
                            type_provided: 1,
                        },
                        description: Pii::new(String::new()),
                        restriction,
                        source_id: None,
                    }
                    .into(),
                    2 => CaseNoteAdded {
                        note_id: CaseNoteId::new(id),
                        client_id,
                        enrollment_id: None,
                        owner,
                        date: day(2),
                        text: Pii::new("note".into()),
                        restriction,
                    }
                    .into(),
                    3 => DocumentAdded {
                        document_id: DocumentId::new(id),
                        client_id,
                        enrollment_id: None,
                        owner,
                        name: Pii::new("id.pdf".into()),
                        document_type: "ID".into(),
                        date: day(2),
                        content_sha256: None,
                        restriction,
                    }
                    .into(),
                    4 => ClientCheckedIn {
                        check_in_id: CheckInId::new(id),
                        facility_id: FacilityId::new(9),
                        bed_id: None,
                        client_id,
                        owner,
                        enrollment_id: None,
                        reservation_id: None,
                        at: Timestamp::from_micros(0).expect("epoch"),
                        date: day(3),
                        restriction,
                    }
                    .into(),
                    5 => ClientBarred {
                        bar_id: BarId::new(id),
                        client_id,
                        owner,
                        window: window(3, Some(5)),
                        scope: BarScope::Organization,
                        enforcing: vec![],
                        reason: Pii::new(String::new()),
                        restriction,
                    }
                    .into(),
                    6 => BedReserved {
                        reservation_id: ReservationId::new(id),
                        facility_id: FacilityId::new(9),
                        bed_id: BedId::new(10),
                        client_id,
                        owner,
                        date: day(4),
                        restriction,
                    }
                    .into(),
                    k => {
                        let kinds = [AssessmentKind::Health, AssessmentKind::General];
                        AssessmentRecorded {
                            assessment_id: AssessmentId::new(id),
                            client_id,
                            enrollment_id: None,
                            owner,
                            date: day(2),
                            kind: kinds[k as usize % 2],
                            data_collection_stage: None,
                            answers: vec![],
                            restriction,
                            source_id: None,
                        }
                        .into()
                    }
                }
            }
            Op::Exit { record, day: exit } => {
                let (client_id, enrollment_id) = pick(&self.records, record)?;
                EnrollmentExited {
                    enrollment_id,
                    client_id,
                    exit_date: day(exit),
                    destination: None,
                    destination_subsidy_type: None,
                    other_destination: Pii::new(String::new()),
                    source_id: None,
                }
                .into()
            }
            Op::Request { client } => {
                let (client_id, creator) = self.live(client)?;
                let request_id = RecordRequestId::new(self.id());
                self.requests.push((client_id, request_id));
                RecordRequestSubmitted {
                    request_id,
                    client_id,
                    organization_id: org(creator),
                    delivery: DeliveryMethod::InPersonPickup,
                    recipient: Recipient::Client {
                        email: Pii::new(String::new()),
                    },
                    requester_relationship: None,
                    submitted: Timestamp::from_micros(0).expect("epoch"),
                    due: day(7),
                }
                .into()
            }
            Op::Void { record } | Op::Unvoid { record } => {
                // As the commands do: only a record in force is voided, only a voided one
                // un-voided.
                let void = matches!(op, Op::Void { .. });
                let candidates: Vec<TransactionFacts> = self
                    .events
                    .iter()
                    .filter_map(caseledger_core::sharing::transaction_facts)
                    .filter(|t| reference::voided(&self.events, t.id) != void)
                    .collect();
                let t = pick(&candidates, record)?;
                let reason = Pii::new("entered in error".to_string());
                if void {
                    RecordVoided {
                        record_id: t.id,
                        client_id: t.client,
                        kind: t.kind,
                        reason,
                    }
                    .into()
                } else {
                    RecordUnvoided {
                        record_id: t.id,
                        client_id: t.client,
                        kind: t.kind,
                        reason,
                    }
                    .into()
                }
            }
            Op::VoidSharing { which, undo } => {
                let facts = self.sharing_facts(undo);
                let (client_id, record_id, kind) = pick(&facts, which)?;
                let reason = Pii::new("signed for another client".to_string());
                if undo {
                    RecordUnvoided {
                        record_id,
                        client_id,
                        kind,
                        reason,
                    }
                    .into()
                } else {
                    RecordVoided {
                        record_id,
                        client_id,
                        kind,
                        reason,
                    }
                    .into()
                }
            }
            Op::CorrectSharing { which, start, len } => {
                // As the command does: a voided fact is un-voided before it is corrected.
                let facts = self.sharing_facts(false);
                let (client_id, record_id, kind) = pick(&facts, which)?;
                RecordCorrected {
                    record_id,
                    client_id,
                    kind,
                    corrections: vec![Correction::Window(window(start, len))],
                    reason: Pii::new("the signed form says otherwise".to_string()),
                }
                .into()
            }
            Op::VoidExit { record, undo } => {
                let (client_id, enrollment) = pick(&self.records, record)?;
                let id = enrollment.as_u128();
                if reference::voided(&self.events, id) {
                    return None;
                }
                let exited = record_events(&self.events, id)
                    .iter()
                    .any(|e| matches!(e, Event::EnrollmentExited(_)));
                let exit_voids = |void: bool| {
                    self.events
                        .iter()
                        .filter(|e| match e {
                            Event::RecordVoided(v) => {
                                void && v.record_id == id && v.kind == RecordKind::Exit
                            }
                            Event::RecordUnvoided(u) => {
                                !void && u.record_id == id && u.kind == RecordKind::Exit
                            }
                            _ => false,
                        })
                        .count()
                };
                // As the commands do: an exit in force is voided; a voided one comes back only
                // while the enrollment is open.
                let reason = Pii::new("wrong exit".to_string());
                if !undo && exited {
                    RecordVoided {
                        record_id: id,
                        client_id,
                        kind: RecordKind::Exit,
                        reason,
                    }
                    .into()
                } else if undo && !exited && exit_voids(true) > exit_voids(false) {
                    RecordUnvoided {
                        record_id: id,
                        client_id,
                        kind: RecordKind::Exit,
                        reason,
                    }
                    .into()
                } else {
                    return None;
                }
            }
            Op::Correct {
                record,
                day: d,
                exit,
            } => {
                let candidates: Vec<TransactionFacts> = self
                    .events
                    .iter()
                    .filter_map(caseledger_core::sharing::transaction_facts)
                    .filter(|t| !reference::voided(&self.events, t.id))
                    .collect();
                let t = pick(&candidates, record)?;
                let events = record_events(&self.events, t.id);
                let exited = events
                    .iter()
                    .any(|e| matches!(e, Event::EnrollmentExited(_)));
                let correction = if exit && exited {
                    Correction::ExitDate(day(d))
                } else if t.kind == RecordKind::Enrollment {
                    Correction::EntryDate(day(d))
                } else {
                    Correction::Date(day(d))
                };
                // As the command does: only a field the record has.
                if !caseledger_core::corrections::applies_to(&correction, events.first()?, exited) {
                    return None;
                }
                RecordCorrected {
                    record_id: t.id,
                    client_id: t.client,
                    kind: t.kind,
                    corrections: vec![correction],
                    reason: Pii::new("typed the wrong date".to_string()),
                }
                .into()
            }
            Op::CloseRequest { request, fulfil } => {
                let (client_id, request_id) = pick(&self.requests, request)?;
                if fulfil {
                    RecordRequestFulfilled {
                        request_id,
                        frozen_position: 1,
                    }
                    .into()
                } else {
                    RecordRequestDenied {
                        request_id,
                        client_id,
                        reason: Pii::new("no".into()),
                    }
                    .into()
                }
            }
            Op::EditIntake { client, who } => {
                let (client_id, _) = self.live(client)?;
                // Nothing identifying is recorded for a forgotten client again.
                let forgotten = self.events.iter().any(|e| {
                    matches!(e, Event::ClientIdentifiersForgotten(f) if f.client_id == client_id)
                });
                if forgotten {
                    return None;
                }
                ClientIntakeEdited {
                    name: Some(Pii::new(name(who))),
                    ssn: Some(Pii::new(ssn(who))),
                    dob: Some(Pii::new(birth(who))),
                    ..ClientIntakeEdited::new(client_id)
                }
                .into()
            }
            Op::Forget { client } => {
                let (client_id, _) = self.live(client)?;
                ClientIdentifiersForgotten {
                    client_id,
                    reason: "asked to be forgotten".into(),
                    retention_last_changed: None,
                }
                .into()
            }
            Op::Dismiss { pair } => {
                let queue = caseledger_core::duplicates::queue(&self.events);
                let c = queue.get(pair % queue.len().max(1))?;
                DuplicatePairDismissed {
                    first: c.first,
                    second: c.second,
                    reason: Pii::new("not the same person".into()),
                }
                .into()
            }
            Op::Merge {
                survivor,
                duplicate,
            } => {
                let (survivor_id, _) = self.live(survivor)?;
                let (duplicate_id, _) = self.live(duplicate)?;
                let survives = self.merges.iter().any(|m| m.3 && m.1 == duplicate_id);
                if survivor_id == duplicate_id || survives {
                    return None;
                }
                let merge_id = MergeId::new(self.id());
                self.merges
                    .push((merge_id, survivor_id, duplicate_id, true));
                ClientsMerged {
                    merge_id,
                    survivor_id,
                    duplicate_id,
                    reason: Pii::new("same person".into()),
                }
                .into()
            }
            Op::Unmerge { merge } => {
                let in_force: Vec<usize> = (0..self.merges.len())
                    .filter(|i| self.merges[*i].3)
                    .collect();
                let i = pick(&in_force, merge)?;
                self.merges[i].3 = false;
                let (merge_id, survivor_id, duplicate_id, _) = self.merges[i];
                ClientsUnmerged {
                    merge_id,
                    survivor_id,
                    duplicate_id,
                    reason: Pii::new("not the same person".into()),
                }
                .into()
            }
        };
        self.events.push(event);
        Some(())
    }
}

/// Every record the history holds (intakes and transactions), plus ids never used.
fn records(events: &[Event]) -> Vec<RecordRef> {
    let mut r: Vec<RecordRef> = events
        .iter()
        .filter_map(|e| match e {
            Event::ClientIntakeRecorded(i) => Some(RecordRef::Intake(i.client_id)),
            other => caseledger_core::sharing::transaction_facts(other)
                .map(|t| RecordRef::Transaction(t.id)),
        })
        .collect();
    r.push(RecordRef::Intake(ClientId::new(999_999)));
    r.push(RecordRef::Transaction(999_998));
    r
}

/// Replays `ops` event by event and compares both evaluators on `dates` after each one.
fn check(ops: &[Op], dates: &[u8]) -> Result<(), TestCaseError> {
    let mut b = Builder {
        events: vec![],
        next: 10_000,
        mous: vec![],
        clients: vec![],
        assignments: vec![],
        releases: vec![],
        records: vec![],
        requests: vec![],
        merges: vec![],
    };
    let mut projections = Projections::new(day(0));
    let viewers = viewers();
    for op in ops {
        if b.push(op).is_none() {
            continue;
        }
        let position = b.events.len() as u64;
        projections.apply(position, b.events.last().expect("pushed"));
        let records = records(&b.events);
        // The duplicate queue, for a system administrator.
        let admin = viewers
            .iter()
            .find(|v| v.role == Role::SystemAdmin)
            .expect("a system administrator");
        let queue = projections
            .admin_view(*admin)
            .expect("an administrator's view")
            .duplicate_queue();
        prop_assert_eq!(
            queue,
            caseledger_core::duplicates::queue(&b.events),
            "duplicate queue after {} events",
            position
        );
        for &d in dates {
            projections.set_today(day(d));
            for viewer in &viewers {
                let view = projections.org_view(*viewer);
                for record in &records {
                    let expected = reference::visibility(&b.events, viewer, record, day(d));
                    let actual = view.visibility(record);
                    prop_assert_eq!(
                        actual,
                        expected,
                        "viewer {:?}, record {:?}, day {}, after {} events",
                        viewer,
                        record,
                        d,
                        position
                    );
                }
                // Listing agrees with per-record decisions: exactly the visible intakes, a merged
                // client once, as its survivor.
                let listed = view.visible_clients();
                let expected: Vec<ClientId> = {
                    let mut v: Vec<ClientId> = records
                        .iter()
                        .filter_map(|r| match r {
                            RecordRef::Intake(c)
                                if reference::visibility(&b.events, viewer, r, day(d)).level
                                    != AccessLevel::None =>
                            {
                                Some(merges::resolved(&b.events, *c))
                            }
                            _ => None,
                        })
                        .collect();
                    v.sort();
                    v.dedup();
                    v
                };
                prop_assert_eq!(
                    listed,
                    expected,
                    "visible clients for {:?} on day {}",
                    viewer,
                    d
                );
                // The whole views cost more: checked every fourth event and at the end.
                if position.is_multiple_of(4) || std::ptr::eq(op, ops.last().expect("an op")) {
                    check_views(&b.events, &projections, viewer, day(d))?;
                }
            }
        }
    }
    Ok(())
}

/// The events that make up a transaction in the history as it stands: its creation, then its
/// follow-ups, corrections applied.
fn record_events(events: &[Event], id: u128) -> Vec<Event> {
    let client = events
        .iter()
        .filter_map(caseledger_core::sharing::transaction_facts)
        .find(|t| t.id == id)
        .map(|t| t.client);
    // Forgetting erases the identifying values of what was recorded by then.
    let forgotten_at = events.iter().rposition(
        |e| matches!(e, Event::ClientIdentifiersForgotten(f) if Some(f.client_id) == client),
    );
    let mine: Vec<Event> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| match e {
            Event::EnrollmentExited(x) => x.enrollment_id.as_u128() == id,
            Event::RecordCorrected(c) => c.record_id == id,
            Event::RecordVoided(v) => v.record_id == id && v.kind == RecordKind::Exit,
            Event::RecordUnvoided(u) => u.record_id == id && u.kind == RecordKind::Exit,
            other => caseledger_core::sharing::transaction_facts(other).is_some_and(|t| t.id == id),
        })
        .map(|(i, e)| {
            if forgotten_at.is_some_and(|f| i < f) {
                e.erased()
            } else {
                e.clone()
            }
        })
        .collect();
    caseledger_core::corrections::corrected(&mine)
}

/// The views of one viewer on one date against the reference: the client as a whole, its
/// records (content or metadata), Find Client by id, the caseload and overlapping enrollments.
fn check_views(
    events: &[Event],
    projections: &Projections,
    viewer: &Viewer,
    date: Date,
) -> Result<(), TestCaseError> {
    use caseledger_core::sharing::{ClientSight, client_sight, metadata_only};
    use caseledger_projections::{ClientQuery, Overlap};
    let view = projections.org_view(*viewer);
    let mut clients: Vec<ClientId> = events
        .iter()
        .filter_map(|e| match e {
            Event::ClientIntakeRecorded(i) => Some(i.client_id),
            _ => None,
        })
        .collect();
    clients.push(ClientId::new(999_999));
    let facts: Vec<TransactionFacts> = events
        .iter()
        .filter_map(caseledger_core::sharing::transaction_facts)
        .collect();
    for &client in &clients {
        let sight = client_sight(events, viewer, client, date);
        let card = view.client_card(client);
        let actual = match &card {
            None => ClientSight::Nothing,
            Some(c) => match &c.profile {
                None => ClientSight::IdOnly,
                Some(p) => ClientSight::Intake(p.access),
            },
        };
        prop_assert_eq!(actual, sight, "client {:?} for {:?}", client, viewer);
        // A merged client's records are its members', each judged by its own origin's rules.
        let members = if sight == ClientSight::Nothing {
            Vec::new()
        } else {
            merges::members(events, merges::resolved(events, client))
        };
        // Find Client by HMIS id answers the same row.
        let query = ClientQuery {
            client_id: Some(client),
            ..ClientQuery::default()
        };
        let found = view.find_client_cards(&query, None, 10);
        prop_assert_eq!(found, card.into_iter().collect::<Vec<_>>());
        // The records under the client: exactly the visible ones, in log order, whole or as
        // metadata.
        let expected: Vec<(u128, Visibility, Vec<Event>)> = facts
            .iter()
            .filter(|t| members.contains(&t.client))
            .filter_map(|t| {
                let v = reference::visibility(events, viewer, &RecordRef::Transaction(t.id), date);
                (v.level != AccessLevel::None).then(|| {
                    let evs = record_events(events, t.id);
                    let evs = if v.shows_content() {
                        evs
                    } else {
                        evs.iter().map(metadata_only).collect()
                    };
                    (t.id, v, evs)
                })
            })
            .collect();
        if sight == ClientSight::IdOnly {
            // An id-only client carries the viewer's own records and those its recorder shares
            // with the viewer along a sharing path (DESIGN rule 5), nothing the intake's reach
            // would give.
            for (id, v, _) in &expected {
                let t = facts.iter().find(|t| t.id == *id).expect("a record");
                prop_assert!(
                    t.owner.organization == viewer.organization
                        || matches!(
                            v.reason,
                            Some(AccessReason::Mou(_) | AccessReason::ReleaseException(_))
                        ),
                    "{:?} on an id-only client for {:?}",
                    v,
                    viewer
                );
            }
        }
        let actual: Vec<(u128, Visibility, Vec<Event>)> = view
            .transactions(client, None)
            .into_iter()
            .map(|t| (t.id, t.access, t.events))
            .collect();
        prop_assert_eq!(actual, expected, "records of {:?} for {:?}", client, viewer);
        // An overlapping enrollment is quoted only when the viewer may see it.
        let program = ProgramId::new(7);
        let person = merges::members(events, merges::resolved(events, client));
        let overlapping: Vec<&TransactionFacts> = facts
            .iter()
            .filter(|t| person.contains(&t.client) && t.kind == RecordKind::Enrollment)
            .filter(|t| !reference::voided(events, t.id))
            .filter(|t| {
                let exit = record_events(events, t.id)
                    .iter()
                    .rev()
                    .find_map(|e| match e {
                        Event::EnrollmentExited(x) => Some(x.exit_date),
                        _ => None,
                    });
                exit.is_none_or(|x| x > date)
            })
            .collect();
        let expected = if overlapping.is_empty() {
            None
        } else {
            Some(
                overlapping
                    .iter()
                    .find(|t| {
                        reference::visibility(events, viewer, &RecordRef::Transaction(t.id), date)
                            .level
                            != AccessLevel::None
                    })
                    .map_or(Overlap::Unseen, |t| {
                        let entry = match record_events(events, t.id).first() {
                            Some(Event::ClientEnrolled(e)) => e.entry_date,
                            _ => day(1),
                        };
                        Overlap::Seen(EnrollmentId::new(t.id), entry)
                    }),
            )
        };
        prop_assert_eq!(
            view.overlapping_enrollment(client, program, date),
            expected,
            "overlap for {:?}",
            viewer
        );
    }
    // The caseload, whole and in pages of two.
    let expected = reference::caseload(events, viewer, date);
    let whole: Vec<ClientId> = view.caseload(None, 100).iter().map(|c| c.id).collect();
    prop_assert_eq!(&whole, &expected, "caseload of {:?}", viewer);
    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = view.caseload(after, 2);
        if page.is_empty() {
            break;
        }
        after = page.last().map(|c| c.id);
        paged.extend(page.iter().map(|c| c.id));
    }
    prop_assert_eq!(paged, expected);
    for card in view.caseload(None, 100) {
        prop_assert_eq!(Some(card.clone()), view.client_card(card.id));
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn projections_agree_with_the_reference(ops in prop::collection::vec(op(), 1..40), dates in prop::collection::vec(prop_oneof![3 => 0u8..40, 1 => 100u8..140], 1..3)) {
        check(&ops, &dates)?;
    }
}
