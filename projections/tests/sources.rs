//! Imported records are found by the id they had in the exporting system, on the live path
//! and on the replay path alike, and a source id keeps its first record.

use caseledger_core::hud::ProjectType;
use caseledger_core::testkit::{HistoryBuilder, date};
use caseledger_core::{
    ClientRestriction, Envelope, Event, Role, SharingPolicy, TransactionRestriction,
};
use caseledger_projections::{Projections, SourceKind};

/// A small history whose records carry source ids, as an import writes them.
fn imported() -> (Vec<Envelope>, [u128; 5]) {
    let mut h = HistoryBuilder::new(SharingPolicy::clienttrack("UTC"), date("2024-01-01"));
    let org = h.organization("Shelter Inc");
    let cm = h.user(org, Role::CaseManager);
    let program = h.program(org, "Shelter", ProjectType::EmergencyShelterEntryExit);
    let client = h.intake_named(cm, "Ana", "Lopez", ClientRestriction::ShareWithMou);
    let twin = h.intake_named(cm, "Ana", "Lopez", ClientRestriction::ShareWithMou);
    let enrollment = h.enroll(
        cm,
        client,
        program,
        date("2024-01-05"),
        TransactionRestriction::Unrestricted,
    );
    h.exit(cm, enrollment, date("2024-02-01"));
    let mut envelopes = h.envelopes();
    for e in &mut envelopes {
        match &mut e.event {
            Event::OrganizationCreated(o) => o.source_id = Some("O1".into()),
            Event::ProgramCreated(p) => p.source_id = Some("P1".into()),
            // Both intakes claim PersonalID 7: the first keeps it.
            Event::ClientIntakeRecorded(c) => c.source_id = Some("7".into()),
            Event::ClientEnrolled(x) => x.source_id = Some("E1".into()),
            Event::EnrollmentExited(x) => x.source_id = Some("X1".into()),
            _ => {}
        }
    }
    let ids = [
        org.as_u128(),
        program.as_u128(),
        client.as_u128(),
        enrollment.as_u128(),
        twin.as_u128(),
    ];
    (envelopes, ids)
}

fn check(p: &Projections, [org, program, client, enrollment, twin]: [u128; 5]) {
    let w = p.write_model();
    assert_eq!(w.by_source(SourceKind::Organization, "O1"), Some(org));
    assert_eq!(w.by_source(SourceKind::Project, "P1"), Some(program));
    assert_eq!(w.by_source(SourceKind::Client, "7"), Some(client));
    assert_ne!(w.by_source(SourceKind::Client, "7"), Some(twin));
    assert_eq!(w.by_source(SourceKind::Enrollment, "E1"), Some(enrollment));
    assert_eq!(w.by_source(SourceKind::Exit, "X1"), Some(enrollment));
    assert_eq!(
        w.by_source(SourceKind::Client, "P1"),
        None,
        "kinds have their own id spaces"
    );
    assert_eq!(w.by_source(SourceKind::Organization, "O2"), None);
}

#[test]
fn imported_records_are_found_by_source_id_live_and_on_replay() {
    let (envelopes, ids) = imported();
    let mut live = Projections::new(date("2024-03-01"));
    for (i, e) in envelopes.iter().enumerate() {
        live.apply_by(i as u64 + 1, &e.header(), &e.event);
    }
    check(&live, ids);

    let mut replayed = Projections::new(date("2024-03-01"));
    let batch: Vec<(u64, Vec<u8>)> = envelopes
        .iter()
        .enumerate()
        .map(|(i, e)| (i as u64 + 1, e.encode().expect("encodes")))
        .collect();
    replayed
        .fold_encoded(std::iter::once(Ok::<_, std::io::Error>(batch)), &mut |_| {})
        .expect("replays");
    check(&replayed, ids);

    let restored =
        Projections::from_snapshot(&replayed.snapshot().expect("snapshot"), date("2024-03-01"))
            .expect("restores");
    check(&restored, ids);
}
