//! Append, read, optimistic concurrency and idempotency, on every durable backend.

mod common;

use caseledger_log_store::{AppendRequest, ExpectedVersion, LogError, NewEvent};
use common::{durable_backends, ev, one, payload};

#[test]
fn positions_and_versions_are_gapless_from_one() {
    for backend in durable_backends() {
        eprintln!("backend: {}", backend.name);
        let log = backend.log.clone();
        let a = log
            .append(AppendRequest::single(
                "a",
                ExpectedVersion::NoStream,
                vec![ev(1), ev(2)],
            ))
            .wait()
            .unwrap();
        let b = log.append(one("b", 3)).wait().unwrap();
        let c = log
            .append(AppendRequest::single(
                "a",
                ExpectedVersion::Exact(2),
                vec![ev(4)],
            ))
            .wait()
            .unwrap();
        assert_eq!((a.positions, a.versions), (vec![1, 2], vec![1, 2]));
        assert_eq!((b.positions, b.versions), (vec![3], vec![1]));
        assert_eq!((c.positions, c.versions), (vec![4], vec![3]));
        assert_eq!(log.head().position, 4);

        let all = log.read_all(1, 100).unwrap();
        assert_eq!(
            all.iter().map(|e| e.position).collect::<Vec<_>>(),
            vec![1, 2, 3, 4]
        );
        assert_eq!(
            all.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![1, 2, 3, 4]
        );
        assert_eq!(all[3].payload, payload(4));
        assert_eq!(&*all[2].stream, "b");

        let stream_a = log.read_stream("a", 2, 10).unwrap();
        assert_eq!(
            stream_a
                .iter()
                .map(|e| (e.version, e.position))
                .collect::<Vec<_>>(),
            vec![(2, 2), (3, 4)]
        );
        assert_eq!(log.read_all(3, 1).unwrap().len(), 1);
        assert!(log.read_all(5, 10).unwrap().is_empty());
        assert_eq!(log.stream_version("a").unwrap(), Some(3));
        assert_eq!(log.stream_version("nope").unwrap(), None);
        assert_eq!(log.read_event(3).unwrap().unwrap().position, 3);
        assert!(log.read_event(99).unwrap().is_none());
    }
}

#[test]
fn every_expected_version_kind_is_enforced_and_a_conflict_writes_nothing() {
    for backend in durable_backends() {
        eprintln!("backend: {}", backend.name);
        let log = backend.log.clone();
        let conflict = |r: Result<_, LogError>, exp: ExpectedVersion, act: Option<u64>| match r {
            Err(LogError::Conflict {
                stream,
                expected,
                actual,
            }) => {
                assert_eq!((stream.as_str(), expected, actual), ("s", exp, act));
            }
            other => panic!("expected a conflict, got {other:?}"),
        };
        conflict(
            log.append(AppendRequest::single(
                "s",
                ExpectedVersion::StreamExists,
                vec![ev(1)],
            ))
            .wait(),
            ExpectedVersion::StreamExists,
            None,
        );
        conflict(
            log.append(AppendRequest::single(
                "s",
                ExpectedVersion::Exact(1),
                vec![ev(1)],
            ))
            .wait(),
            ExpectedVersion::Exact(1),
            None,
        );
        assert_eq!(log.head().position, 0);

        log.append(AppendRequest::single(
            "s",
            ExpectedVersion::NoStream,
            vec![ev(1)],
        ))
        .wait()
        .unwrap();
        conflict(
            log.append(AppendRequest::single(
                "s",
                ExpectedVersion::NoStream,
                vec![ev(2)],
            ))
            .wait(),
            ExpectedVersion::NoStream,
            Some(1),
        );
        conflict(
            log.append(AppendRequest::single(
                "s",
                ExpectedVersion::Exact(0),
                vec![ev(2)],
            ))
            .wait(),
            ExpectedVersion::Exact(0),
            Some(1),
        );
        conflict(
            log.append(AppendRequest::single(
                "s",
                ExpectedVersion::Exact(2),
                vec![ev(2)],
            ))
            .wait(),
            ExpectedVersion::Exact(2),
            Some(1),
        );
        assert_eq!(log.head().position, 1);
        assert!(
            log.read_event(2).unwrap().is_none(),
            "a rejected id is not indexed"
        );

        log.append(AppendRequest::single(
            "s",
            ExpectedVersion::StreamExists,
            vec![ev(2)],
        ))
        .wait()
        .unwrap();
        log.append(AppendRequest::single(
            "s",
            ExpectedVersion::Exact(2),
            vec![ev(3)],
        ))
        .wait()
        .unwrap();
        log.append(AppendRequest::single(
            "s",
            ExpectedVersion::Any,
            vec![ev(4)],
        ))
        .wait()
        .unwrap();
        assert_eq!(log.stream_version("s").unwrap(), Some(4));

        let message = log
            .append(AppendRequest::single(
                "s",
                ExpectedVersion::Exact(1),
                vec![ev(9)],
            ))
            .wait()
            .unwrap_err()
            .to_string();
        assert!(message.contains("expected 1, actual 4"), "{message}");
    }
}

#[test]
fn a_multi_stream_append_is_all_or_nothing() {
    for backend in durable_backends() {
        eprintln!("backend: {}", backend.name);
        let log = backend.log.clone();
        log.append(one("b", 1)).wait().unwrap();
        let req = AppendRequest::single("a", ExpectedVersion::NoStream, vec![ev(2)]).and(
            "b",
            ExpectedVersion::NoStream,
            vec![ev(3)],
        );
        assert!(matches!(
            log.append(req).wait(),
            Err(LogError::Conflict { .. })
        ));
        assert_eq!(log.head().position, 1);
        assert_eq!(log.stream_version("a").unwrap(), None);

        let req = AppendRequest::single("a", ExpectedVersion::NoStream, vec![ev(2)])
            .and("b", ExpectedVersion::Exact(1), vec![ev(3)])
            .and("a", ExpectedVersion::Exact(1), vec![ev(4)]);
        let done = log.append(req).wait().unwrap();
        assert_eq!(done.positions, vec![2, 3, 4]);
        assert_eq!(done.versions, vec![1, 2, 2]);
    }
}

#[test]
fn retrying_the_same_ids_returns_the_original_positions_and_writes_nothing() {
    for mut backend in durable_backends() {
        eprintln!("backend: {}", backend.name);
        let log = backend.log.clone();
        let req = AppendRequest::single("a", ExpectedVersion::NoStream, vec![ev(1), ev(2)]);
        let first = log.append(req.clone()).wait().unwrap();
        log.append(one("a", 3)).wait().unwrap();
        let again = log.append(req.clone()).wait().unwrap();
        assert_eq!(again.positions, first.positions);
        assert_eq!(again.versions, first.versions);
        assert!(again.replayed && !first.replayed);
        assert_eq!(log.head().position, 3);

        // Permanent, not a cache: still a no-op after reopening.
        drop(log);
        backend.reopen();
        let log = backend.log.clone();
        assert_eq!(log.append(req).wait().unwrap().positions, vec![1, 2]);
        assert_eq!(log.head().position, 3);
    }
}

#[test]
fn reusing_an_id_with_other_content_or_mixing_old_and_new_ids_is_refused() {
    for backend in durable_backends() {
        eprintln!("backend: {}", backend.name);
        let log = backend.log.clone();
        log.append(one("a", 1)).wait().unwrap();
        let other_payload = AppendRequest::single(
            "a",
            ExpectedVersion::Any,
            vec![NewEvent {
                id: 1,
                payload: b"different".to_vec(),
            }],
        );
        assert!(matches!(
            log.append(other_payload).wait(),
            Err(LogError::EventIdReused { id: 1, position: 1 })
        ));
        assert!(matches!(
            log.append(one("elsewhere", 1)).wait(),
            Err(LogError::EventIdReused { id: 1, position: 1 })
        ));
        let mixed = AppendRequest::single("a", ExpectedVersion::Any, vec![ev(1), ev(2)]);
        assert!(matches!(
            log.append(mixed).wait(),
            Err(LogError::PartialRetry { known: 1, new: 1 })
        ));
        let dup = AppendRequest::single("a", ExpectedVersion::Any, vec![ev(5), ev(5)]);
        assert!(matches!(
            log.append(dup).wait(),
            Err(LogError::DuplicateId(5))
        ));
        assert!(matches!(
            log.append(AppendRequest::single("", ExpectedVersion::Any, vec![ev(6)]))
                .wait(),
            Err(LogError::InvalidStream { .. })
        ));
        assert!(matches!(
            log.append(AppendRequest::single("a", ExpectedVersion::Any, vec![]))
                .wait(),
            Err(LogError::EmptyAppend)
        ));
        assert_eq!(log.head().position, 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_share_group_commits_and_conflicts_stay_exact() {
    for backend in durable_backends() {
        eprintln!("backend: {}", backend.name);
        let log = backend.log.clone();
        // 64 writers race for the same stream with Exact versions: every version is won by exactly one.
        let mut tasks = Vec::new();
        for w in 0..64u128 {
            let log = log.clone();
            tasks.push(tokio::spawn(async move {
                let mut won = 0;
                for i in 0..20u128 {
                    loop {
                        let v = log.stream_version("contended").unwrap().unwrap_or(0);
                        let id = (w << 32) | (i << 8) | (v as u128 & 0xff) | (1 << 100);
                        match log
                            .append(AppendRequest::single(
                                "contended",
                                ExpectedVersion::Exact(v),
                                vec![ev(id)],
                            ))
                            .await
                        {
                            Ok(_) => {
                                won += 1;
                                break;
                            }
                            Err(LogError::Conflict { .. }) => continue,
                            Err(e) => panic!("{e}"),
                        }
                    }
                }
                won
            }));
        }
        let mut total = 0;
        for t in tasks {
            total += t.await.unwrap();
        }
        assert_eq!(total, 64 * 20);
        assert_eq!(log.stream_version("contended").unwrap(), Some(64 * 20));
        let all = log.read_stream("contended", 1, usize::MAX).unwrap();
        assert_eq!(
            all.iter().map(|e| e.version).collect::<Vec<_>>(),
            (1..=1280).collect::<Vec<_>>()
        );
        assert!(log.verify(&mut |_| {}).unwrap().is_ok());
    }
}

/// Bulk commits that grow the file by their own write (an import's batches), then small ones
/// that grow it by zeroes, across a restart: every event reads back and the chain verifies.
#[test]
fn bulk_and_small_commits_past_the_files_end_read_back_after_a_restart() {
    for mut backend in durable_backends() {
        eprintln!("backend: {}", backend.name);
        let mut id = 0u128;
        let mut next = |n: usize| {
            (0..n)
                .map(|_| {
                    id += 1;
                    ev(id)
                })
                .collect::<Vec<_>>()
        };
        // 4,000 events of 300 bytes: a commit of more than a MiB, six times, so that one
        // starts inside the zeroes made ahead of the records and runs past them.
        for round in 0..6 {
            let stream = format!("bulk-{round}");
            backend
                .log
                .append(AppendRequest::single(
                    &stream,
                    ExpectedVersion::NoStream,
                    next(4_000),
                ))
                .wait()
                .unwrap();
            for _ in 0..5 {
                backend
                    .log
                    .append(AppendRequest::single(
                        "small",
                        ExpectedVersion::Any,
                        next(1),
                    ))
                    .wait()
                    .unwrap();
            }
        }
        backend.reopen();
        let log = &backend.log;
        assert_eq!(log.head().position, 24_030);
        let all = log.read_all(1, 30_000).unwrap();
        assert_eq!(all.len(), 24_030);
        for (i, event) in all.iter().enumerate() {
            assert_eq!(event.position, i as u64 + 1);
            assert_eq!(event.payload, payload(i as u128 + 1));
        }
        assert_eq!(log.stream_version("bulk-5").unwrap(), Some(4_000));
        assert_eq!(log.stream_version("small").unwrap(), Some(30));
        let report = log.verify(&mut |_| {}).unwrap();
        assert!(report.failure.is_none(), "{:?}", report.failure);
        let appended = log
            .append(AppendRequest::single(
                "small",
                ExpectedVersion::Exact(30),
                next(1),
            ))
            .wait()
            .unwrap();
        assert_eq!(appended.positions, vec![24_031]);
    }
}
