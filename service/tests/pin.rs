//! One response, one position: a pinned session's reads all see the views at one position
//! while writes land in the log; a command run by the pinned session reads its own write; a
//! pin held past `PIN_WAIT` gives way to the fold and reports that it broke.

use std::time::Duration;

use caseledger_core::commands::sharing::SetSharingPolicy;
use caseledger_core::{Date, SharingPolicy};
use caseledger_service::{PIN_WAIT, Service, ServiceConfig, Session};

async fn started(dir: &std::path::Path) -> (Service, Session) {
    let service = Service::open(&ServiceConfig::new(dir)).unwrap();
    service.start();
    let done = service
        .bootstrap(SharingPolicy::clienttrack("UTC"), "CoC", "admin")
        .await
        .unwrap();
    let admin = service.session_for(done.admin).unwrap();
    (service, admin)
}

fn policy_change() -> SetSharingPolicy {
    SetSharingPolicy {
        policy: SharingPolicy::open_intake("UTC"),
        effective: Date::from_ymd(2030, 1, 1).unwrap(),
    }
}

/// The position a session's view reads at.
fn seen(service: &Service, session: &Session) -> u64 {
    service.read(session, |v| v.position())
}

async fn until_head(service: &Service, position: u64) {
    while service.head().position < position {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_request_reads_one_position_while_another_write_lands() {
    let dir = tempfile::tempdir().unwrap();
    let (service, admin) = started(dir.path()).await;
    let before = seen(&service, &admin);
    let reader = service.pin(admin.clone()).await;

    let writer = {
        let service = service.clone();
        let admin = admin.clone();
        tokio::spawn(async move { service.run(&admin, &policy_change()).await })
    };
    // Durable in the log, but not folded while the reader holds its view.
    until_head(&service, before + 1).await;
    assert_eq!(seen(&service, &reader), before);
    assert_eq!(seen(&service, &reader), before, "every read of the request");

    service.unpin(&reader);
    assert!(service.pin_held(&reader), "released in time: nothing mixed");
    let (_, written) = writer.await.unwrap().unwrap();
    assert_eq!(seen(&service, &admin), written.position());
    service.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_of_the_pinned_request_reads_its_own_write() {
    let dir = tempfile::tempdir().unwrap();
    let (service, admin) = started(dir.path()).await;
    let request = service.pin(admin).await;
    // Would wait for a fold the request itself blocks, were the pin not let go meanwhile.
    let (_, written) = service.run(&request, &policy_change()).await.unwrap();
    assert_eq!(seen(&service, &request), written.position());
    assert!(service.pin_held(&request));
    service.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pin_held_too_long_gives_way_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (service, admin) = started(dir.path()).await;
    let before = seen(&service, &admin);
    let slow = service.pin(admin.clone()).await;
    // Writers are not held up for longer than PIN_WAIT by a slow reader.
    let (_, written) = service.run(&admin, &policy_change()).await.unwrap();
    assert_eq!(written.position(), before + 1);
    assert!(
        !service.pin_held(&slow),
        "the reader's view moved after {PIN_WAIT:?}: its answer must not be sent"
    );
    service.shutdown().await;
}
