//! HUD elements and record times as the projections keep them: a record's element rows are
//! read exactly where the record's content is, replaced row by row, erased with the client's
//! identifiers; each record knows when it was first recorded and last changed.

use caseledger_core::Pii;
use caseledger_core::events::{AnswerValue, ElementRow, ElementSubject, HudElementsRecorded};
use caseledger_core::hud::ProjectType;
use caseledger_core::hud::elements::{HudElement, HudFile};
use caseledger_core::testkit::{HistoryBuilder, date};
use caseledger_core::{
    ClientRestriction, EnrollmentId, RecordKind, Role, SharingPolicy, TransactionRestriction,
};
use caseledger_projections::Projections;

fn fold(h: &HistoryBuilder) -> Projections {
    let mut p = Projections::new(h.today());
    for (i, envelope) in h.envelopes().iter().enumerate() {
        p.apply_by(i as u64 + 1, &envelope.header(), &envelope.event);
    }
    p
}

fn row(
    enrollment: EnrollmentId,
    client: caseledger_core::ClientId,
    code: u16,
) -> HudElementsRecorded {
    HudElementsRecorded {
        client_id: Some(client),
        rows: vec![ElementRow {
            subject: ElementSubject::Enrollment(enrollment),
            file: HudFile::Enrollment,
            row_id: None,
            elements: vec![
                HudElement {
                    column: "LengthOfStay".into(),
                    value: AnswerValue::Code(code),
                },
                HudElement {
                    column: "VAMCStation".into(),
                    value: AnswerValue::Text(Pii::new("636A8".into())),
                },
            ],
            source: None,
            blank: Vec::new(),
        }],
    }
}

#[test]
fn element_rows_follow_their_record_and_times_follow_its_changes() {
    let mut h = HistoryBuilder::new(SharingPolicy::clienttrack("UTC"), date("2018-01-01"));
    let ccc = h.organization("Children's Crisis Center");
    let cm = h.user(ccc, Role::CaseManager);
    let other = h.organization("Outside Agency");
    let outsider = h.user(other, Role::CaseManager);
    let lead = h.coc_lead("HMIS Lead");
    let auditor = h.user(lead, Role::Auditor);
    let program = h.program(ccc, "Rapid Re-Housing", ProjectType::RapidReHousing);
    h.on(date("2018-01-10"));
    let ana = h.intake_named(
        cm,
        "Ana",
        "Lopez",
        ClientRestriction::RestrictToOrganization,
    );
    let enrollment = h.enroll(
        cm,
        ana,
        program,
        date("2018-01-10"),
        TransactionRestriction::Unrestricted,
    );
    h.on(date("2018-02-01"));
    h.push_as(cm, row(enrollment, ana, 11));
    h.on(date("2018-03-01"));
    h.push_as(cm, row(enrollment, ana, 10));

    let p = fold(&h);
    let view = p.org_view(h.viewer(cm));
    let records = view.transactions(ana, Some(RecordKind::Enrollment));
    assert_eq!(records.len(), 1);
    // The second row replaced the first.
    assert_eq!(records[0].elements.len(), 1);
    assert_eq!(
        records[0].elements[0].elements[0].value,
        AnswerValue::Code(10)
    );
    let (first, last) = records[0].times.expect("times of a recorded enrollment");
    assert_eq!(first.utc_date(), date("2018-01-10"));
    assert_eq!(last.utc_date(), date("2018-03-01"));

    // An organization that may not see the client sees no element of its records.
    let outside = p.org_view(h.viewer(outsider));
    assert!(outside.transactions(ana, None).is_empty());
    assert!(
        outside
            .elements(ElementSubject::Enrollment(enrollment))
            .is_empty()
    );
    assert!(
        !view
            .elements(ElementSubject::Enrollment(enrollment))
            .is_empty()
    );
    // An auditor reads what the record is, not what it says: no elements either.
    let audit = p.org_view(h.viewer(auditor));
    let seen = audit.transactions(ana, Some(RecordKind::Enrollment));
    assert_eq!(seen.len(), 1);
    assert!(seen[0].elements.is_empty());
}
