//! The service's projector: live folding equals a rebuild from zero, whatever the append batch
//! boundaries, equals the reference evaluator, and reads can wait for their own writes.

use std::time::Duration;

use caseledger_core::sharing::{RecordRef, Viewer, reference};
use caseledger_core::testkit::{HistoryBuilder, POLICY_DEFAULT, date, window};
use caseledger_core::{
    ClientId, ClientRestriction, Date, MouDirection, Role, SharingPolicy, TransactionRestriction,
    hud::ProjectType,
};
use caseledger_service::{Service, ServiceConfig};

/// The HPRP MOU 0001 scenario of the seeds plus an outsider, a release that expires and a
/// restriction change, with a few records each.
fn history() -> (HistoryBuilder, Vec<Viewer>) {
    let mut h = HistoryBuilder::new(
        SharingPolicy::clienttrack("America/Los_Angeles"),
        date("2011-06-01"),
    );
    let lead = h.coc_lead("Stanislaus CoC");
    let admin = h.user(lead, Role::SystemAdmin);
    let ccc = h.organization("Children's Crisis Center");
    let chss = h.organization("Community Housing and Shelter Services");
    let city = h.organization("City of Modesto");
    let outside = h.organization("Agency outside the MOU");
    let users: Vec<_> = [ccc, chss, city, outside]
        .iter()
        .map(|o| h.user(*o, Role::CaseManager))
        .collect();
    let mou = h.mou(
        "0001",
        &[
            (ccc, MouDirection::Both),
            (chss, MouDirection::Both),
            (city, MouDirection::Receives),
        ],
        window("2011-06-01", None),
    );
    let hprp = h.program(ccc, "HPRP Rapid Re-Housing", ProjectType::RapidReHousing);
    let shared = h.intake(users[0], ClientRestriction::ShareWithMou);
    h.assign_mou(users[0], shared, mou, window("2011-06-15", None));
    let e = h.enroll(
        users[0],
        shared,
        hprp,
        date("2011-06-16"),
        TransactionRestriction::Unrestricted,
    );
    h.exit(users[0], e, date("2011-08-01"));
    h.case_note(users[0], shared, "first visit", POLICY_DEFAULT);
    let private = h.intake(users[1], ClientRestriction::RestrictToOrganization);
    h.assign_mou(users[1], private, mou, window("2011-06-15", None));
    h.grant_release(users[1], private, outside, window("2011-06-15", None));
    let global = h.intake(users[2], ClientRestriction::ShareGlobally);
    h.grant_release(
        users[2],
        global,
        outside,
        window("2011-06-20", Some("2011-06-30")),
    );
    h.restrict(
        users[2],
        global,
        ClientRestriction::RestrictToOrganization,
        date("2011-07-01"),
    );
    let viewers = users.iter().chain([&admin]).map(|u| h.viewer(*u)).collect();
    (h, viewers)
}

fn records(h: &HistoryBuilder) -> Vec<RecordRef> {
    h.events()
        .iter()
        .filter_map(|e| match e {
            caseledger_core::Event::ClientIntakeRecorded(i) => Some(RecordRef::Intake(i.client_id)),
            other => caseledger_core::sharing::transaction_facts(other)
                .map(|t| RecordRef::Transaction(t.id)),
        })
        .collect()
}

/// Everything each viewer can see through the service, as comparable values.
fn snapshot(service: &Service, viewers: &[Viewer], records: &[RecordRef]) -> Vec<String> {
    viewers
        .iter()
        .flat_map(|v| {
            service.read(&service.session_for(v.user).unwrap(), |view| {
                let mut lines: Vec<String> = records
                    .iter()
                    .map(|r| format!("{v:?} {r:?} {:?}", view.visibility(r)))
                    .collect();
                lines.push(format!("{v:?} clients {:?}", view.visible_clients()));
                for c in view.visible_clients() {
                    let tx: Vec<_> = view
                        .transactions(c, None)
                        .into_iter()
                        .map(|t| (t.id, t.events.len(), t.access))
                        .collect();
                    lines.push(format!("{v:?} {c} {tx:?}"));
                }
                lines
            })
        })
        .collect()
}

fn config(dir: &std::path::Path, today: Date) -> ServiceConfig {
    let mut c = ServiceConfig::new(dir);
    c.today = Some(today);
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_projection_equals_rebuild_and_reference_whatever_the_batches() {
    let (h, viewers) = history();
    let envelopes = h.envelopes();
    let records = records(&h);
    let today = date("2011-06-25");
    for batch_size in [1usize, 3, 7, envelopes.len()] {
        let dir = tempfile::tempdir().unwrap();
        let service = Service::open(&config(dir.path(), today)).unwrap();
        service.start();
        let mut last = 0;
        for chunk in envelopes.chunks(batch_size) {
            last = *service.append(chunk).await.unwrap().last().unwrap();
        }
        service
            .wait_for(last, Duration::from_secs(10))
            .await
            .unwrap();
        let live = snapshot(&service, &viewers, &records);

        // Each answer equals the reference on the service's date.
        for v in &viewers {
            for r in &records {
                let expected = reference::visibility(h.events(), v, r, today);
                assert_eq!(
                    service.read(&service.session_for(v.user).unwrap(), |view| view
                        .visibility(r)),
                    expected,
                    "{v:?} {r:?}"
                );
            }
        }
        service.shutdown().await;
        drop(service);

        let rebuilt = Service::open(&config(dir.path(), today)).unwrap();
        assert_eq!(rebuilt.projected_position(), last);
        assert_eq!(
            snapshot(&rebuilt, &viewers, &records),
            live,
            "rebuild differs (batch size {batch_size})"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_can_wait_for_its_own_write_and_a_timeout_says_how_far_the_views_got() {
    let (h, viewers) = history();
    let dir = tempfile::tempdir().unwrap();
    let service = Service::open(&config(dir.path(), date("2011-06-25"))).unwrap();
    service.start();
    let positions = service.append(&h.envelopes()).await.unwrap();
    let last = *positions.last().unwrap();
    service
        .wait_for(last, Duration::from_secs(10))
        .await
        .unwrap();
    let ccc = viewers[0];
    let visible: Vec<ClientId> = service.read(&service.session_for(ccc.user).unwrap(), |view| {
        view.visible_clients()
    });
    assert_eq!(
        visible.len(),
        2,
        "the MOU client and the global client; not the private one"
    );

    let err = service
        .wait_for(last + 5, Duration::from_millis(50))
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains(&format!("reached log position {last}"))
            && message.contains(&(last + 5).to_string()),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn views_move_with_the_business_date_without_any_new_event() {
    let (h, viewers) = history();
    let records = records(&h);
    let dir = tempfile::tempdir().unwrap();
    // Before the global client's restriction change, after it, and after the release expired.
    for day in ["2011-06-14", "2011-06-25", "2011-07-02"] {
        let service = Service::open(&config(dir.path(), date(day))).unwrap();
        if service.head().position == 0 {
            service.start();
            let last = *service
                .append(&h.envelopes())
                .await
                .unwrap()
                .last()
                .unwrap();
            service
                .wait_for(last, Duration::from_secs(10))
                .await
                .unwrap();
        }
        for v in &viewers {
            for r in &records {
                let expected = reference::visibility(h.events(), v, r, date(day));
                assert_eq!(
                    service.read(&service.session_for(v.user).unwrap(), |view| view
                        .visibility(r)),
                    expected,
                    "{day} {v:?} {r:?}"
                );
            }
        }
        let outsider = viewers[3];
        let sees = service.read(&service.session_for(outsider.user).unwrap(), |view| {
            view.visible_clients().len()
        });
        // The global client until its restriction changes on 07-01; never the private one,
        // whose release cannot override its restriction.
        let expected = usize::from(day != "2011-07-02");
        assert_eq!(sees, expected, "outsider on {day}");
        service.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_plus_catch_up_equals_a_rebuild_and_a_bad_snapshot_is_ignored() {
    let (h, viewers) = history();
    let envelopes = h.envelopes();
    let records = records(&h);
    let today = date("2011-06-25");
    let dir = tempfile::tempdir().unwrap();
    let half = envelopes.len() / 2;

    // First run: half the history; shutdown writes a snapshot at that position.
    let service = Service::open(&config(dir.path(), today)).unwrap();
    service.start();
    let mid = *service
        .append(&envelopes[..half])
        .await
        .unwrap()
        .last()
        .unwrap();
    service
        .wait_for(mid, Duration::from_secs(10))
        .await
        .unwrap();
    service.shutdown().await;
    drop(service);

    // Second run: restored from the snapshot, then the rest of the history arrives live.
    let service = Service::open(&config(dir.path(), today)).unwrap();
    assert_eq!(service.restored_from_snapshot(), mid);
    service.start();
    let last = *service
        .append(&envelopes[half..])
        .await
        .unwrap()
        .last()
        .unwrap();
    service
        .wait_for(last, Duration::from_secs(10))
        .await
        .unwrap();
    let via_snapshot = snapshot(&service, &viewers, &records);
    service.shutdown().await;
    drop(service);

    // Third run: the snapshot is at the head; no replay needed, same answers.
    let service = Service::open(&config(dir.path(), today)).unwrap();
    assert_eq!(service.restored_from_snapshot(), last);
    assert_eq!(snapshot(&service, &viewers, &records), via_snapshot);
    service.shutdown().await;
    drop(service);

    // A damaged snapshot is ignored: the projections are rebuilt from the log, identically.
    let file = dir.path().join("snapshots").join("projections.snap");
    let mut bytes = std::fs::read(&file).unwrap();
    let n = bytes.len();
    bytes[n - 3] ^= 0x40;
    std::fs::write(&file, &bytes).unwrap();
    let rebuilt = Service::open(&config(dir.path(), today)).unwrap();
    assert_eq!(
        rebuilt.restored_from_snapshot(),
        0,
        "a snapshot failing its checksum must not be used"
    );
    assert_eq!(rebuilt.projected_position(), last);
    assert_eq!(snapshot(&rebuilt, &viewers, &records), via_snapshot);
    rebuilt.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_of_another_history_is_refused() {
    let (h, _) = history();
    let envelopes = h.envelopes();
    let today = date("2011-06-25");
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    // b holds the same events shifted by one position, so every position's chain hash differs
    // (a snapshot of a prefix of the same history, by contrast, is valid and used).
    for (dir, events) in [(a.path(), &envelopes[..]), (b.path(), &envelopes[1..])] {
        let service = Service::open(&config(dir, today)).unwrap();
        service.start();
        let last = *service.append(events).await.unwrap().last().unwrap();
        service
            .wait_for(last, Duration::from_secs(10))
            .await
            .unwrap();
        service.shutdown().await;
    }
    // Put b's snapshot into a: its position exists in a, but holds a different event.
    std::fs::copy(
        b.path().join("snapshots/projections.snap"),
        a.path().join("snapshots/projections.snap"),
    )
    .unwrap();
    let service = Service::open(&config(a.path(), today)).unwrap();
    assert_eq!(service.restored_from_snapshot(), 0);
    assert_eq!(service.projected_position(), envelopes.len() as u64);
    service.shutdown().await;
}
