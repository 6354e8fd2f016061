//! The contract every backend keeps, run against the embedded log, PostgreSQL (a scratch
//! server, `scripts/postgres/start.sh`) and the in-memory one: the
//! service relies on exactly these answers (above all the expected head, which keeps commands
//! decided on stale state out of the log whichever process appended first).

mod common;

use caseledger_log_store::{AppendRequest, ExpectedVersion, LogError};
use common::{backends, ev, one};

#[test]
fn an_append_at_the_head_it_decided_on_is_accepted_and_a_stale_one_writes_nothing() {
    for common::Backend { name, log, .. } in backends() {
        log.append(one("a", 1)).wait().unwrap();
        let accepted = log.append(one("b", 2).at_head(1)).wait().unwrap();
        assert_eq!(accepted.positions, vec![2], "{name}");
        let stale = log.append(one("c", 3).at_head(1)).wait();
        assert!(
            matches!(
                stale,
                Err(LogError::HeadMoved {
                    expected: 1,
                    actual: 2
                })
            ),
            "{name}: {stale:?}"
        );
        assert_eq!(log.head().position, 2, "{name}");
        assert_eq!(log.read_event(3).unwrap(), None, "{name}");
    }
}

#[test]
fn of_two_appends_queued_on_one_head_exactly_one_wins() {
    for common::Backend { name, log, .. } in backends() {
        // Queued before either is awaited: the embedded writer may put both in one group
        // commit, where the head already counts the first.
        let first = log.append(one("x", 10).at_head(0));
        let second = log.append(one("y", 11).at_head(0));
        let (first, second) = (first.wait(), second.wait());
        assert!(first.is_ok(), "{name}: {first:?}");
        assert!(
            matches!(second, Err(LogError::HeadMoved { expected: 0, .. })),
            "{name}: {second:?}"
        );
        assert_eq!(log.head().position, 1, "{name}");
    }
}

#[test]
fn a_retry_of_a_stored_append_is_answered_whatever_the_head_now_is() {
    for common::Backend { name, log, .. } in backends() {
        let request = one("a", 1).at_head(0);
        let original = log.append(request.clone()).wait().unwrap();
        log.append(one("b", 2)).wait().unwrap();
        let retry = log.append(request).wait().unwrap();
        assert!(retry.replayed, "{name}");
        assert_eq!(retry.positions, original.positions, "{name}");
    }
}

#[test]
fn versions_ids_streams_and_the_chain_agree_across_backends() {
    let mut heads = Vec::new();
    for common::Backend { name, log, .. } in backends() {
        log.append(AppendRequest::single(
            "s",
            ExpectedVersion::NoStream,
            vec![ev(1), ev(2)],
        ))
        .wait()
        .unwrap();
        let wrong = log
            .append(AppendRequest::single(
                "s",
                ExpectedVersion::Exact(1),
                vec![ev(3)],
            ))
            .wait();
        assert!(
            matches!(
                wrong,
                Err(LogError::Conflict {
                    actual: Some(2),
                    ..
                })
            ),
            "{name}: {wrong:?}"
        );
        log.append(one("t", 4)).wait().unwrap();
        assert_eq!(log.stream_version("s").unwrap(), Some(2), "{name}");
        assert_eq!(log.read_stream("s", 2, 10).unwrap()[0].id, 2, "{name}");
        assert_eq!(log.read_event(4).unwrap().unwrap().position, 3, "{name}");
        assert!(log.verify(&mut |_| {}).unwrap().is_ok(), "{name}");
        heads.push(log.head());
    }
    // The same appends give the same chain on every backend.
    assert_eq!(heads[0], heads[1]);
    assert_eq!(heads[0], heads[2]);
}

#[test]
fn events_read_by_position_are_the_events_at_those_positions_in_the_order_asked() {
    for common::Backend { name, log, .. } in backends() {
        // Three blocks of the position index (64 positions each) and some.
        let ids: Vec<u128> = (1..=200).collect();
        for chunk in ids.chunks(50) {
            let batch = chunk.iter().map(|&id| ev(id)).collect();
            log.append(AppendRequest::single("s", ExpectedVersion::Any, batch))
                .wait()
                .unwrap();
        }
        let all = log.read_all(1, 200).unwrap();
        // Ascending within a block, back within a block, across blocks, repeated, the ends.
        let asked = [3, 9, 64, 5, 65, 130, 129, 200, 1, 1, 127, 128];
        let read = log.read_positions(&asked).unwrap();
        assert_eq!(read.len(), asked.len(), "{name}");
        for (position, record) in asked.iter().zip(&read) {
            assert_eq!(
                record,
                &all[*position as usize - 1],
                "{name}: position {position}"
            );
        }
        assert!(log.read_positions(&[]).unwrap().is_empty(), "{name}");
        for beyond in [0, 201] {
            let refused = log.read_positions(&[5, beyond]);
            assert!(
                matches!(refused, Err(LogError::Corrupt { position, .. }) if position == beyond),
                "{name}: {refused:?}"
            );
        }
    }
}
