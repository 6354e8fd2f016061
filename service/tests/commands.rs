//! Commands: bootstrap and the sharing policy, checked by one writer, rejected with a stable
//! code and nothing written.

use std::time::Duration;

use caseledger_core::{Date, Event, Role, SharingPolicy};
use caseledger_service::{Bootstrap, ErrorCode, Service, ServiceConfig};

fn bootstrap_request(policy: SharingPolicy) -> Bootstrap {
    Bootstrap {
        policy,
        lead_name: "Stanislaus CoC".into(),
        admin_username: "hmis-admin".into(),
    }
}

async fn started(dir: &std::path::Path) -> Service {
    let service = Service::open(&ServiceConfig::new(dir)).unwrap();
    service.start();
    service
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstrap_records_policy_lead_admin_and_a_hashed_token_once() {
    let dir = tempfile::tempdir().unwrap();
    let service = started(dir.path()).await;
    let done = service
        .bootstrap(bootstrap_request(SharingPolicy::clienttrack(
            "America/Los_Angeles",
        )))
        .await
        .unwrap();
    assert_eq!(done.written.positions, vec![1, 2, 3, 4]);
    assert!(
        done.token.starts_with("clt_") && done.token.len() > 64,
        "{}",
        done.token
    );

    let events: Vec<Event> = service
        .read_log(1, 10)
        .unwrap()
        .into_iter()
        .map(|s| s.envelope.event)
        .collect();
    assert!(
        matches!(&events[0], Event::SharingPolicySet(p) if p.policy.time_zone == "America/Los_Angeles")
    );
    assert!(
        matches!(&events[1], Event::OrganizationCreated(o) if o.is_coc_lead && o.name == "Stanislaus CoC")
    );
    assert!(
        matches!(&events[2], Event::UserCreated(u) if u.role == Role::SystemAdmin && u.user_id == done.admin)
    );
    let Event::TokenIssued(t) = &events[3] else {
        panic!("token event")
    };
    let secret = done.token.rsplit('_').next().unwrap();
    assert_eq!(
        t.token_hash,
        <[u8; 32]>::from(sha2::Sha256::digest(secret.as_bytes())),
        "only the secret's hash is stored"
    );
    let bytes: Vec<u8> = service.read_log(4, 1).unwrap()[0].record.payload.clone();
    assert!(
        !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "the secret is not in the log"
    );

    let actor = service.actor(done.admin).unwrap();
    assert_eq!(
        (actor.role, actor.organization),
        (Role::SystemAdmin, done.organization)
    );

    let again = service
        .bootstrap(bootstrap_request(SharingPolicy::clienttrack("UTC")))
        .await
        .unwrap_err();
    assert_eq!(again.code, ErrorCode::Conflict);
    assert_eq!(
        service.head().position,
        4,
        "a rejected bootstrap writes nothing"
    );
    service.shutdown().await;
}

use sha2::Digest;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_system_administrator_changes_the_policy_and_bad_values_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let service = started(dir.path()).await;
    let bad = service
        .bootstrap(bootstrap_request(SharingPolicy::clienttrack(
            "Mars/Olympus_Mons",
        )))
        .await
        .unwrap_err();
    assert_eq!(
        (bad.code, bad.field.as_deref()),
        (ErrorCode::Validation, Some("timeZone"))
    );
    assert_eq!(service.head().position, 0);

    let done = service
        .bootstrap(bootstrap_request(SharingPolicy::clienttrack("UTC")))
        .await
        .unwrap();
    let effective = Date::from_ymd(2030, 1, 1).unwrap();
    let (_, written) = service
        .run(
            &service.session_for(done.admin).unwrap(),
            &caseledger_core::commands::sharing::SetSharingPolicy {
                policy: SharingPolicy::open_intake("UTC"),
                effective,
            },
        )
        .await
        .unwrap();
    assert_eq!(written.position(), 5);
    let zone = service
        .run(
            &service.session_for(done.admin).unwrap(),
            &caseledger_core::commands::sharing::SetSharingPolicy {
                policy: SharingPolicy::open_intake("Nowhere"),
                effective,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        (zone.code, zone.field.as_deref()),
        (ErrorCode::Validation, Some("timeZone"))
    );
    // An unknown user opens no session, so can change nothing.
    let unknown = service
        .session_for(caseledger_core::UserId::new(42))
        .unwrap_err();
    assert_eq!(unknown.code, ErrorCode::Unauthenticated);
    // A case manager of the lead organization (created directly: user commands come with the
    // GraphQL API) is refused.
    let case_manager = caseledger_core::UserId::new(7);
    let header = caseledger_core::Header {
        event_id: caseledger_core::EventId::new(99),
        correlation_id: caseledger_core::CorrelationId::new(99),
        recorded_at: caseledger_core::Timestamp::from_micros(0).unwrap(),
        actor: service.actor(done.admin).unwrap(),
    };
    let user = caseledger_core::events::UserCreated {
        user_id: case_manager,
        organization_id: done.organization,
        username: "cm".into(),
        display_name: "Case Manager".into(),
        role: Role::CaseManager,
    };
    let at = service
        .append(&[caseledger_core::Envelope::new(header, user)])
        .await
        .unwrap()[0];
    service.wait_for(at, Duration::from_secs(5)).await.unwrap();
    let forbidden = service
        .run(
            &service.session_for(case_manager).unwrap(),
            &caseledger_core::commands::sharing::SetSharingPolicy {
                policy: SharingPolicy::clienttrack("UTC"),
                effective,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(forbidden.code, ErrorCode::Forbidden);
    assert_eq!(service.head().position, 6, "rejections write nothing");
    service.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bearer_token_authenticates_its_user_and_nothing_else_does() {
    let dir = tempfile::tempdir().unwrap();
    let service = started(dir.path()).await;
    let done = service
        .bootstrap(bootstrap_request(SharingPolicy::clienttrack("UTC")))
        .await
        .unwrap();
    let actor = service.authenticate(&done.token).unwrap();
    assert_eq!(
        (actor.user(), actor.role()),
        (done.admin, Role::SystemAdmin)
    );
    let mut wrong_secret = done.token.clone();
    let last = wrong_secret.pop().unwrap();
    wrong_secret.push(if last == '0' { '1' } else { '0' });
    for bad in [
        wrong_secret.as_str(),
        "",
        "clt_",
        "Bearer x",
        "clt_01ARZ3NDEKTSV4RRFFQ69G5FAV_00",
        &done.token[4..],
    ] {
        let e = service.authenticate(bad).unwrap_err();
        assert_eq!(e.code, ErrorCode::Unauthenticated, "{bad:?}");
    }
    service.shutdown().await;
}
