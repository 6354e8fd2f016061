//! `visibility_as_of` against the reference evaluator: for dates before and after each sharing
//! change of a history appended through the service, the answer equals the reference over the
//! events recorded by the end of that date, for every organization and record; and events
//! appended later never change the answer for a past date.

use std::collections::BTreeSet;

use caseledger_core::hud::ProjectType;
use caseledger_core::sharing::{RecordRef, Viewer, transaction_facts, visibility};
use caseledger_core::testkit::{HistoryBuilder, POLICY_DEFAULT, date, window};
use caseledger_core::{
    Actor, ClientId, ClientRestriction, Envelope, MouDirection, OrganizationId, Role,
    SharingPolicy, TransactionRestriction, UserId,
};
use caseledger_service::{CouldSee, Service, ServiceConfig};

type Row = (OrganizationId, Option<UserId>, u128, String, String);

/// The organizations' (and restricted users') rows; the CoC roles' rows are checked apart.
fn rows(answer: Vec<CouldSee>) -> BTreeSet<Row> {
    answer
        .into_iter()
        .filter(|c| c.role.is_none())
        .map(|c| {
            (
                c.organization,
                c.user,
                c.record,
                format!("{:?}", c.level),
                format!("{:?}", c.reason),
            )
        })
        .collect()
}

/// The reference's answer, computed here from the whole history: every organization (and the
/// owners of records restricted to them) for the intake and every transaction of the client.
fn expected(
    envelopes: &[Envelope],
    organizations: &[OrganizationId],
    client: ClientId,
    on: &str,
) -> BTreeSet<Row> {
    let day = date(on);
    let history: Vec<_> = envelopes
        .iter()
        .filter(|e| {
            caseledger_core::Date::from_naive(e.recorded_at.to_datetime().date_naive()) <= day
        })
        .map(|e| e.event.clone())
        .collect();
    let mut records = vec![(client.as_u128(), RecordRef::Intake(client))];
    let mut restricted_users = Vec::new();
    for event in &history {
        if let Some(f) = transaction_facts(event)
            && f.client == client
        {
            records.push((f.id, RecordRef::Transaction(f.id)));
            if f.restriction == TransactionRestriction::RestrictToUser {
                restricted_users.push((f.owner.organization, f.owner.user));
            }
        }
    }
    let mut out = BTreeSet::new();
    for (id, record) in &records {
        for org in organizations {
            let viewer = Viewer {
                user: UserId::new(0),
                organization: *org,
                role: Role::CaseManager,
            };
            let v = visibility(&history, &viewer, record, day);
            if let Some(reason) = v.reason {
                out.insert((
                    *org,
                    None,
                    *id,
                    format!("{:?}", v.level),
                    format!("{reason:?}"),
                ));
            }
        }
        for (org, user) in &restricted_users {
            let viewer = Viewer {
                user: *user,
                organization: *org,
                role: Role::CaseManager,
            };
            let v = visibility(&history, &viewer, record, day);
            if v.reason == Some(caseledger_core::AccessReason::OwnUser) {
                out.insert((
                    *org,
                    Some(*user),
                    *id,
                    format!("{:?}", v.level),
                    format!("{:?}", v.reason.unwrap()),
                ));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visibility_as_of_a_date_is_the_reference_over_what_was_recorded_by_then() {
    let mut h = HistoryBuilder::new(SharingPolicy::clienttrack("UTC"), date("2026-01-01"));
    let lead = h.coc_lead("CoC");
    let auditor = h.user(lead, Role::Auditor);
    let (a, b, c) = (
        h.organization("A"),
        h.organization("B"),
        h.organization("C"),
    );
    let (ua, ub) = (h.user(a, Role::CaseManager), h.user(b, Role::CaseManager));
    let program = h.program(a, "RRH", ProjectType::RapidReHousing);
    let mou = h.mou(
        "0001",
        &[(a, MouDirection::Both), (b, MouDirection::Both)],
        window("2026-01-01", None),
    );
    let client = h.intake(ua, ClientRestriction::ShareWithMou);
    h.enroll(ua, client, program, date("2026-01-01"), POLICY_DEFAULT);
    h.case_note(
        ua,
        client,
        "Private note",
        TransactionRestriction::RestrictToUser,
    );
    h.on(date("2026-02-01"));
    h.assign_mou(ua, client, mou, window("2026-02-01", None));
    h.service(ub, client, None, POLICY_DEFAULT);
    h.on(date("2026-03-01"));
    let release = h.grant_release(ua, client, c, window("2026-03-01", Some("2026-03-31")));
    h.on(date("2026-03-10"));
    h.revoke_release(ua, release, date("2026-03-15"));
    h.on(date("2026-04-01"));
    h.restrict(
        ua,
        client,
        ClientRestriction::RestrictToOrganization,
        date("2026-04-01"),
    );
    let envelopes = h.envelopes();
    let organizations = [lead, a, b, c];

    let dir = tempfile::tempdir().unwrap();
    let mut config = ServiceConfig::new(dir.path());
    config.today = Some(date("2026-05-01"));
    let service = Service::open(&config).unwrap();
    service.start();
    let written = service.append(&envelopes).await.unwrap();
    service
        .wait_for(*written.last().unwrap(), std::time::Duration::from_secs(10))
        .await
        .unwrap();
    let actor = Actor {
        user: auditor,
        organization: lead,
        role: Role::Auditor,
    };
    let days = [
        "2025-12-31",
        "2026-01-01",
        "2026-01-31",
        "2026-02-01",
        "2026-02-28",
        "2026-03-01",
        "2026-03-12",
        "2026-03-16",
        "2026-03-31",
        "2026-04-01",
        "2026-04-30",
    ];
    let mut answers = Vec::new();
    for day in days {
        let got = rows(
            service
                .visibility_as_of(&service.session_for(actor.user).unwrap(), client, date(day))
                .unwrap(),
        );
        assert_eq!(
            got,
            expected(&envelopes, &organizations, client, day),
            "on {day}"
        );
        answers.push(got);
    }
    // The CoC roles, by role: system administrators edit the intake and read the rest,
    // auditors read everything; the help desk reads no case note.
    let by_role = service
        .visibility_as_of(
            &service.session_for(actor.user).unwrap(),
            client,
            date("2026-04-30"),
        )
        .unwrap();
    let role_rows = |role: Role| -> Vec<(u128, String)> {
        by_role
            .iter()
            .filter(|c| c.role == Some(role))
            .inspect(|c| assert_eq!(c.organization, lead))
            .map(|c| (c.record, format!("{:?}", c.reason)))
            .collect()
    };
    let admin = role_rows(Role::SystemAdmin);
    assert!(admin.contains(&(client.as_u128(), "SystemAdministrator".into())));
    assert_eq!(admin.len(), role_rows(Role::Auditor).len());
    assert!(
        role_rows(Role::Auditor)
            .iter()
            .all(|(_, reason)| reason == "Auditor")
    );
    assert!(role_rows(Role::HelpDesk).contains(&(client.as_u128(), "HelpDesk".into())));

    // B sees the intake through the MOU in February, and not once restricted in April.
    let b_intake = |rows: &BTreeSet<Row>| rows.iter().any(|r| r.0 == b && r.2 == client.as_u128());
    assert!(b_intake(&answers[4]) && !b_intake(&answers[10]));

    // Later events (recorded on 2026-05-01) change nothing about the past.
    let backdated = Envelope::new(
        caseledger_core::Header {
            event_id: caseledger_core::EventId::new(u128::MAX - 1),
            correlation_id: caseledger_core::CorrelationId::new(u128::MAX - 1),
            recorded_at: caseledger_core::Timestamp::from_datetime(
                "2026-05-01T12:00:00Z".parse().unwrap(),
            ),
            actor: Actor {
                user: ua,
                organization: a,
                role: Role::CaseManager,
            },
        },
        caseledger_core::events::ClientRestrictionChanged {
            client_id: client,
            restriction: ClientRestriction::ShareGlobally,
            effective: date("2026-01-01"),
        },
    );
    let at = service.append(&[backdated]).await.unwrap();
    service
        .wait_for(at[0], std::time::Duration::from_secs(10))
        .await
        .unwrap();
    for (day, before) in days.iter().zip(&answers) {
        let again = rows(
            service
                .visibility_as_of(&service.session_for(actor.user).unwrap(), client, date(day))
                .unwrap(),
        );
        assert_eq!(
            &again, before,
            "the answer for {day} changed after a later, backdated event"
        );
    }
    // A never-used id is NOT_FOUND, for the date and the history alike.
    let never = ClientId::new(u128::MAX - 7);
    for error in [
        service
            .visibility_as_of(
                &service.session_for(actor.user).unwrap(),
                never,
                date("2026-04-30"),
            )
            .unwrap_err(),
        service
            .client_history(&service.session_for(actor.user).unwrap(), never)
            .unwrap_err(),
    ] {
        assert_eq!(error.code, caseledger_service::ErrorCode::NotFound);
        assert_eq!(error.field.as_deref(), Some("clientId"));
    }
    // Only auditors and system administrators may ask.
    let viewer = Actor {
        user: ub,
        organization: b,
        role: Role::CaseManager,
    };
    assert!(
        service
            .visibility_as_of(
                &service.session_for(viewer.user).unwrap(),
                client,
                date("2026-02-01")
            )
            .is_err()
    );
    service.shutdown().await;
}
