//! Forgetting a client's identifiers and the retention rule, as the projections fold them:
//! which clients are due around the boundary date, and what is erased and what stays.

use caseledger_core::events::{ClientIdentifiersForgotten, ClientIntakeEdited};
use caseledger_core::hud::ProjectType;
use caseledger_core::testkit::{HistoryBuilder, date};
use caseledger_core::{
    ClientRestriction, Pii, ProgramId, Role, SharingPolicy, TransactionRestriction, UserId,
};
use caseledger_projections::{ClientQuery, Projections};

fn fold(h: &HistoryBuilder) -> Projections {
    let mut p = Projections::new(h.today());
    for (i, envelope) in h.envelopes().iter().enumerate() {
        p.apply_by(i as u64 + 1, &envelope.header(), &envelope.event);
    }
    p
}

/// An agency with a case manager and an emergency shelter program.
fn agency(h: &mut HistoryBuilder) -> (UserId, ProgramId) {
    let ccc = h.organization("Children's Crisis Center");
    let cm = h.user(ccc, Role::CaseManager);
    let program = h.program(
        ccc,
        "Emergency Shelter",
        ProjectType::EmergencyShelterEntryExit,
    );
    (cm, program)
}

#[test]
fn retention_selects_exactly_the_clients_past_the_boundary_without_an_open_enrollment() {
    let mut h = HistoryBuilder::new(SharingPolicy::clienttrack("UTC"), date("2017-01-01"));
    let (cm, program) = agency(&mut h);

    h.on(date("2018-01-10"));
    let never_enrolled = h.intake_named(cm, "Ana", "Lopez", ClientRestriction::ShareWithMou);
    let edited_later = h.intake_named(cm, "Ben", "Okafor", ClientRestriction::ShareWithMou);
    let still_enrolled = h.intake_named(cm, "Cy", "Ruiz", ClientRestriction::ShareWithMou);
    let exited = h.intake_named(cm, "Di", "Chen", ClientRestriction::ShareWithMou);
    h.enroll(
        cm,
        still_enrolled,
        program,
        date("2018-01-10"),
        TransactionRestriction::Unrestricted,
    );
    let closed = h.enroll(
        cm,
        exited,
        program,
        date("2018-01-10"),
        TransactionRestriction::Unrestricted,
    );
    h.on(date("2018-06-01"));
    h.exit(cm, closed, date("2018-06-01"));
    h.on(date("2019-06-01"));
    let mut edit = ClientIntakeEdited::new(edited_later);
    edit.ssn = Some(Pii::new("123456789".into()));
    h.push_as(cm, edit);
    h.on(date("2019-07-01"));
    let recent = h.intake_named(cm, "Eve", "Adams", ClientRestriction::ShareWithMou);

    let p = fold(&h);
    let w = p.write_model();
    let due = |cutoff: &str| -> Vec<_> {
        w.retention_due(date(cutoff))
            .into_iter()
            .map(|(c, _)| c)
            .collect()
    };
    let mut first_wave = vec![never_enrolled, exited];
    first_wave.sort();
    assert_eq!(due("2018-01-09"), vec![], "the day before the intakes");
    assert_eq!(
        due("2018-01-10"),
        first_wave,
        "the intakes' own day is included"
    );
    assert_eq!(
        due("2019-05-31"),
        first_wave,
        "the edit moved Ben's date on"
    );
    let mut second_wave = vec![never_enrolled, exited, edited_later];
    second_wave.sort();
    assert_eq!(due("2019-06-01"), second_wave);
    assert!(
        !due("2030-01-01").contains(&still_enrolled),
        "an open enrollment keeps the client"
    );
    assert!(due("2030-01-01").contains(&recent));
    assert_eq!(
        w.retention_due(date("2019-06-01"))
            .into_iter()
            .find(|(c, _)| *c == edited_later)
            .map(|(_, d)| d),
        Some(date("2019-06-01"))
    );
}

#[test]
fn forgetting_erases_the_identifiers_and_keeps_the_facts() {
    let mut h = HistoryBuilder::new(SharingPolicy::clienttrack("UTC"), date("2024-01-01"));
    let (cm, program) = agency(&mut h);
    let zeb = h.intake_named(
        cm,
        "Zebulon",
        "Quillfeather",
        ClientRestriction::ShareWithMou,
    );
    let other = h.intake_named(cm, "Marisol", "Okonkwo", ClientRestriction::ShareWithMou);
    h.enroll(
        cm,
        zeb,
        program,
        date("2024-01-05"),
        TransactionRestriction::Unrestricted,
    );
    h.case_note(
        cm,
        zeb,
        "Zebulon keeps his papers at the library",
        TransactionRestriction::Unrestricted,
    );
    h.case_note(
        cm,
        other,
        "Marisol starts work Monday",
        TransactionRestriction::Unrestricted,
    );
    h.push(ClientIdentifiersForgotten {
        client_id: zeb,
        reason: "the client asked".into(),
        retention_last_changed: None,
    });

    let p = fold(&h);
    let viewer = h.viewer(cm);
    let view = p.org_view(viewer);
    let summary = view.client(zeb).expect("still a client of CCC");
    assert!(summary.intake.name.is_erased() && summary.intake.ssn.is_erased());
    assert!(summary.intake.dob.is_erased() && summary.intake.address.is_erased());
    let by_name = ClientQuery {
        name: vec!["quillfeather".into()],
        ..ClientQuery::default()
    };
    assert!(view.find_clients(&by_name, None, 10).is_empty());
    let records = view.transactions(zeb, None);
    assert_eq!(records.len(), 2, "the enrollment and the note stay");
    let snapshot = p.snapshot().expect("snapshot");
    for needle in ["Zebulon", "Quillfeather", "papers at the library"] {
        assert!(
            !snapshot
                .windows(needle.len())
                .any(|w| w == needle.as_bytes()),
            "{needle} is still in the read models"
        );
    }
    assert!(
        snapshot.windows(7).any(|w| w == b"Marisol"),
        "other clients are untouched"
    );
    assert!(p.write_model().forgotten(zeb) && !p.write_model().forgotten(other));
}
