//! What the views answer: hidden clients look exactly like nonexistent ones in every view API,
//! search finds only what the viewer may see, and the CoC roles' views exist only for them.

use caseledger_core::hud::ProjectType;
use caseledger_core::sharing::RecordRef;
use caseledger_core::testkit::{HistoryBuilder, POLICY_DEFAULT, date, window};
use caseledger_core::{
    AccessReason, ClientId, ClientRestriction, MouDirection, RecordKind, Role, SharingPolicy,
    TransactionRestriction,
};
use caseledger_projections::{ClientQuery, Projections};

struct World {
    p: Projections,
    h: HistoryBuilder,
    ccc_cm: caseledger_core::UserId,
    outsider_cm: caseledger_core::UserId,
    help_desk: caseledger_core::UserId,
    auditor: caseledger_core::UserId,
    admin: caseledger_core::UserId,
    hidden: ClientId,
    shared: ClientId,
}

fn world() -> World {
    let mut h = HistoryBuilder::new(
        SharingPolicy::clienttrack("America/Los_Angeles"),
        date("2011-06-01"),
    );
    let lead = h.coc_lead("Stanislaus CoC");
    let admin = h.user(lead, Role::SystemAdmin);
    let help_desk = h.user(lead, Role::HelpDesk);
    let auditor = h.user(lead, Role::Auditor);
    let ccc = h.organization("Children's Crisis Center");
    let outsider = h.organization("Modesto Gospel Mission");
    let ccc_cm = h.user(ccc, Role::CaseManager);
    let outsider_cm = h.user(outsider, Role::CaseManager);
    let mou = h.mou(
        "0001",
        &[(ccc, MouDirection::Both)],
        window("2011-06-01", None),
    );
    let program = h.program(ccc, "HPRP", ProjectType::RapidReHousing);
    let hidden = h.intake_named(
        ccc_cm,
        "Rosa",
        "Hidden",
        ClientRestriction::RestrictToOrganization,
    );
    h.assign_mou(ccc_cm, hidden, mou, window("2011-06-01", None));
    h.enroll(
        ccc_cm,
        hidden,
        program,
        date("2011-06-02"),
        TransactionRestriction::Unrestricted,
    );
    h.document(
        ccc_cm,
        hidden,
        "Birth certificate",
        TransactionRestriction::Unrestricted,
    );
    h.case_note(ccc_cm, hidden, "private", POLICY_DEFAULT);
    let shared = h.intake_named(ccc_cm, "Rosa", "Shared", ClientRestriction::ShareGlobally);
    let mut p = Projections::new(date("2011-06-10"));
    for (i, e) in h.events().iter().enumerate() {
        p.apply(i as u64 + 1, e);
    }
    World {
        p,
        h,
        ccc_cm,
        outsider_cm,
        help_desk,
        auditor,
        admin,
        hidden,
        shared,
    }
}

#[test]
fn a_hidden_client_answers_exactly_like_a_nonexistent_one() {
    let mut w = world();
    let unknown: ClientId = w.h.unused_id();
    let outsider = w.p.org_view(w.h.viewer(w.outsider_cm));
    assert_eq!(outsider.client(w.hidden), outsider.client(unknown));
    assert_eq!(outsider.client(w.hidden), None);
    assert_eq!(
        outsider.transactions(w.hidden, None),
        outsider.transactions(unknown, None)
    );
    assert!(outsider.transactions(w.hidden, None).is_empty());
    assert_eq!(
        outsider.visibility(&RecordRef::Intake(w.hidden)),
        outsider.visibility(&RecordRef::Intake(unknown))
    );
    let by_id = |id| ClientQuery {
        client_id: Some(id),
        ..ClientQuery::default()
    };
    assert_eq!(
        outsider.find_clients(&by_id(w.hidden), None, 10),
        outsider.find_clients(&by_id(unknown), None, 10)
    );
    // A name search finds the shared Rosa and not the hidden one.
    let rosa = ClientQuery {
        name: vec!["rosa".into()],
        ..ClientQuery::default()
    };
    let found: Vec<ClientId> = outsider
        .find_clients(&rosa, None, 10)
        .iter()
        .map(|c| c.intake.client_id)
        .collect();
    assert_eq!(found, vec![w.shared]);
    assert_eq!(outsider.visible_clients(), vec![w.shared]);
    // The creator finds both, and pages through them.
    let ccc = w.p.org_view(w.h.viewer(w.ccc_cm));
    let first = ccc.find_clients(&rosa, None, 1);
    let second = ccc.find_clients(&rosa, Some(first[0].intake.client_id), 1);
    assert_eq!(first.len() + second.len(), 2);
    assert_ne!(first[0].intake.client_id, second[0].intake.client_id);
}

#[test]
fn the_coc_views_exist_only_for_their_roles() {
    let w = world();
    let cm = w.h.viewer(w.ccc_cm);
    assert!(
        w.p.admin_view(cm).is_none()
            && w.p.help_desk_view(cm).is_none()
            && w.p.audit_view(cm).is_none()
    );
    let hd = w.h.viewer(w.help_desk);
    assert!(
        w.p.help_desk_view(hd).is_some()
            && w.p.admin_view(hd).is_none()
            && w.p.audit_view(hd).is_none()
    );
    assert!(w.p.admin_view(w.h.viewer(w.admin)).is_some());
    assert!(w.p.audit_view(w.h.viewer(w.auditor)).is_some());
}

#[test]
fn the_help_desk_finds_a_restricted_client_and_sees_its_dashboard_only_while_a_request_is_open() {
    let mut w = world();
    let hd = w.h.viewer(w.help_desk);
    {
        let view = w.p.help_desk_view(hd).unwrap();
        let found = view
            .client_by_hmis_id(w.hidden)
            .expect("the help desk finds any client by HMIS id");
        assert_eq!(found.access.reason, Some(AccessReason::HelpDesk));
    }
    let request = w.h.submit_record_request(w.ccc_cm, w.hidden);
    let n = w.h.events().len();
    w.p.apply(n as u64, &w.h.events()[n - 1]);
    let view = w.p.help_desk_view(hd).unwrap();
    let records = view.dashboard_records(w.hidden, request);
    let kinds: Vec<RecordKind> = records.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        vec![RecordKind::Enrollment, RecordKind::Document],
        "enrollments and documents, never case notes"
    );
    let other: caseledger_core::RecordRequestId = w.h.unused_id();
    assert!(view.dashboard_records(w.hidden, other).is_empty());
}
