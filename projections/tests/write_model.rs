//! The write model answers what commands check: creator, restriction, assignment, enrollments
//! with exits, active bars, bed occupancy.

use caseledger_core::events::{ClientCheckedIn, ClientCheckedOut};
use caseledger_core::hud::ProjectType;
use caseledger_core::testkit::{HistoryBuilder, date, window};
use caseledger_core::{
    CheckInId, ClientRestriction, MouDirection, Role, SharingPolicy, Timestamp,
    TransactionRestriction,
};
use caseledger_projections::Projections;

#[test]
fn commands_see_creator_restriction_assignment_enrollments_bars_and_beds() {
    let mut h = HistoryBuilder::new(SharingPolicy::clienttrack("UTC"), date("2024-01-01"));
    let ccc = h.organization("Children's Crisis Center");
    let cm = h.user(ccc, Role::CaseManager);
    let mou = h.mou(
        "0001",
        &[(ccc, MouDirection::Both)],
        window("2024-01-01", None),
    );
    let program = h.program(
        ccc,
        "Emergency Shelter",
        ProjectType::EmergencyShelterEntryExit,
    );
    let client = h.intake(cm, ClientRestriction::ShareWithMou);
    let assignment = h.assign_mou(cm, client, mou, window("2024-02-01", None));
    h.restrict(
        cm,
        client,
        ClientRestriction::ShareGlobally,
        date("2024-03-01"),
    );
    let first = h.enroll(
        cm,
        client,
        program,
        date("2024-01-05"),
        TransactionRestriction::Unrestricted,
    );
    h.exit(cm, first, date("2024-01-20"));
    let second = h.enroll(
        cm,
        client,
        program,
        date("2024-02-01"),
        TransactionRestriction::Unrestricted,
    );
    let bar = h.bar(
        cm,
        client,
        window("2024-02-10", Some("2024-03-10")),
        TransactionRestriction::Unrestricted,
    );
    h.lift_bar(cm, bar, date("2024-02-20"));
    let facility = h.facility(ccc, "Family Shelter");
    let bed = h.bed(facility, "A1");
    let owner = caseledger_core::RecordOwner {
        organization: ccc,
        user: cm,
    };
    let stay: CheckInId = h.unused_id();
    h.push_as(
        cm,
        ClientCheckedIn {
            check_in_id: stay,
            facility_id: facility,
            bed_id: Some(bed),
            client_id: client,
            owner,
            enrollment_id: Some(second),
            reservation_id: None,
            at: Timestamp::from_micros(0).unwrap(),
            date: date("2024-02-02"),
            restriction: TransactionRestriction::Unrestricted,
        },
    );

    let mut p = Projections::new(date("2024-02-15"));
    for (i, e) in h.events().iter().enumerate() {
        p.apply(i as u64 + 1, e);
    }
    let w = p.write_model();
    assert_eq!(w.client_creator(client), Some(ccc));
    assert_eq!(
        w.restriction(client, date("2024-02-15")),
        Some(ClientRestriction::ShareWithMou)
    );
    assert_eq!(
        w.restriction(client, date("2024-03-01")),
        Some(ClientRestriction::ShareGlobally)
    );
    assert_eq!(w.mou_assignment(client, date("2024-01-15")), None);
    assert_eq!(
        w.mou_assignment(client, date("2024-02-15")),
        Some((assignment, mou))
    );
    assert!(w.mou_participant(mou, ccc));
    let enrollments = w.enrollments(client);
    assert_eq!(
        enrollments
            .iter()
            .map(|e| (e.id, e.exit))
            .collect::<Vec<_>>(),
        vec![(first, Some(date("2024-01-20"))), (second, None)]
    );
    assert_eq!(w.active_bars(client, date("2024-02-15")).len(), 1);
    assert!(
        w.active_bars(client, date("2024-02-21")).is_empty(),
        "lifted on 02-20 (inclusive)"
    );
    assert_eq!(w.bed_occupant(bed), Some((client, stay)));
    assert_eq!(w.current_stay(client), Some((stay, Some(bed))));
    assert_eq!(w.bed(bed).map(|b| b.0), Some(facility));

    h.push_as(
        cm,
        ClientCheckedOut {
            check_in_id: stay,
            facility_id: facility,
            client_id: client,
            at: Timestamp::from_micros(1).unwrap(),
            date: date("2024-02-16"),
        },
    );
    let n = h.events().len();
    p.apply(n as u64, &h.events()[n - 1]);
    let w = p.write_model();
    assert_eq!(w.bed_occupant(bed), None);
    assert_eq!(w.current_stay(client), None);
    assert_eq!(w.client_creator(h.unused_id()), None);
}
