//! Several nodes on one PostgreSQL log: each a `PgLog` of its own on the same database, as
//! several `serve` processes would be. Conflicting appends from both at once, one winner;
//! a write on one node read on the other; and the subscription race of out-of-order commits,
//! where every node must see every position once, in order.

use std::sync::Arc;
use std::time::Duration;

use caseledger_log_postgres::{PgLog, testkit};
use caseledger_log_store::{
    AppendRequest, EventLog, ExpectedVersion, LogError, NewEvent, Subscription,
};

fn ev(id: u128) -> NewEvent {
    NewEvent {
        id,
        payload: format!("event {id:x}").into_bytes(),
    }
}

fn two_nodes() -> (Arc<PgLog>, Arc<PgLog>) {
    let conninfo = testkit::database();
    (
        PgLog::open(&conninfo).unwrap(),
        PgLog::open(&conninfo).unwrap(),
    )
}

/// Waits (a bounded while) for `log`'s known head to reach `position`.
async fn reaches(log: &Arc<PgLog>, position: u64) {
    let mut head = log.watch_head();
    tokio::time::timeout(Duration::from_secs(10), head.wait_for(|&p| p >= position))
        .await
        .expect("the other node learns of the append")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_conflicting_appends_from_two_nodes_exactly_one_wins_each_version() {
    let (a, b) = two_nodes();
    // Both nodes race for every version of one stream (two check-ins to one bed, two exits
    // of one enrollment): each version is won exactly once, whichever node asked.
    let mut tasks = Vec::new();
    for (n, node) in [a.clone(), b.clone()].into_iter().enumerate() {
        for w in 0..8u128 {
            let node = node.clone();
            tasks.push(tokio::spawn(async move {
                let mut won = 0u32;
                for i in 0..10u128 {
                    loop {
                        let v = node.stream_version("bed-7").unwrap().unwrap_or(0);
                        let id = ((n as u128) << 120) | (w << 64) | (i << 32) | v as u128;
                        match node
                            .append(AppendRequest::single(
                                "bed-7",
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
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    assert_eq!(total, 2 * 8 * 10);
    let stream = a.read_stream("bed-7", 1, usize::MAX).unwrap();
    assert_eq!(
        stream.iter().map(|e| e.version).collect::<Vec<_>>(),
        (1..=160).collect::<Vec<_>>()
    );
    assert!(b.verify(&mut |_| {}).unwrap().is_ok());

    // The whole-log form: two nodes decided on the same head; one append lands.
    let head = a.head().position;
    reaches(&b, head).await;
    let (first, second) = tokio::join!(
        a.append(
            AppendRequest::single("x", ExpectedVersion::Any, vec![ev(u128::MAX - 1)]).at_head(head)
        ),
        b.append(
            AppendRequest::single("y", ExpectedVersion::Any, vec![ev(u128::MAX - 2)]).at_head(head)
        ),
    );
    assert_eq!(
        [first.is_ok(), second.is_ok()]
            .iter()
            .filter(|ok| **ok)
            .count(),
        1,
        "{first:?} / {second:?}"
    );
    let loser = if first.is_ok() { second } else { first };
    assert!(
        matches!(loser, Err(LogError::HeadMoved { expected, actual }) if expected == head && actual == head + 1),
        "{loser:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_write_on_one_node_is_read_on_the_other() {
    let (a, b) = two_nodes();
    let done = a
        .append(AppendRequest::single(
            "client-1",
            ExpectedVersion::NoStream,
            vec![ev(10)],
        ))
        .await
        .unwrap();
    // What a reader on the other node does with minPosition: wait for the position, then read.
    reaches(&b, done.last_position()).await;
    let read = b
        .read_event(10)
        .unwrap()
        .expect("the event, on the other node");
    assert_eq!(
        (read.position, &*read.stream),
        (done.positions[0], "client-1")
    );
    assert_eq!(b.stream_version("client-1").unwrap(), Some(1));
    // And its expected versions see it: a stale decision on the other node is refused.
    let stale = b
        .append(AppendRequest::single(
            "client-1",
            ExpectedVersion::NoStream,
            vec![ev(11)],
        ))
        .await;
    assert!(
        matches!(
            stale,
            Err(LogError::Conflict {
                actual: Some(1),
                ..
            })
        ),
        "{stale:?}"
    );
    // A retry sent to the other node is answered from the log, not written twice.
    let retry = b
        .append(AppendRequest::single(
            "client-1",
            ExpectedVersion::NoStream,
            vec![ev(10)],
        ))
        .await
        .unwrap();
    assert!(retry.replayed);
    assert_eq!(retry.positions, done.positions);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_node_sees_every_position_once_in_order_while_many_writers_commit_concurrently() {
    let conninfo = testkit::database();
    let nodes: Vec<Arc<PgLog>> = (0..3).map(|_| PgLog::open(&conninfo).unwrap()).collect();
    const WRITERS: u128 = 12;
    const PER_WRITER: u128 = 60;
    // Each writer commits from its own node, one event or several, so transactions of
    // different sizes from different connections race for the head.
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let node = nodes[w as usize % nodes.len()].clone();
        writers.push(tokio::spawn(async move {
            for i in 0..PER_WRITER {
                let events = (0..(i % 3 + 1))
                    .map(|k| ev((w << 64) | (i << 8) | k))
                    .collect();
                node.append(AppendRequest::single(
                    format!("w{w}"),
                    ExpectedVersion::Any,
                    events,
                ))
                .await
                .unwrap();
            }
        }));
    }
    let total: u64 = (0..PER_WRITER).map(|i| (i % 3 + 1) as u64).sum::<u64>() * WRITERS as u64;
    let mut subscribers = Vec::new();
    for (k, node) in nodes.iter().enumerate() {
        let log: Arc<dyn EventLog> = node.clone();
        subscribers.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(5 * k as u64)).await;
            let mut sub = Subscription::new(log, 1);
            let mut expected = 1;
            while expected <= total {
                let e = tokio::time::timeout(Duration::from_secs(30), sub.next())
                    .await
                    .expect("the subscription keeps up")
                    .unwrap();
                assert_eq!(e.position, expected, "node {k}: gap or duplicate");
                expected += 1;
            }
            expected - 1
        }));
    }
    // What the proof says, seen without the log's own reads: no snapshot ever holds a
    // position without every position before it (count = max in one statement).
    let observer = {
        let conninfo = conninfo.clone();
        tokio::spawn(async move {
            let (client, connection) = tokio_postgres::connect(&conninfo, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(connection);
            let mut looks = 0u64;
            loop {
                let row = client
                    .query_one(
                        "SELECT count(*), coalesce(max(position), 0) FROM caseledger_events",
                        &[],
                    )
                    .await
                    .unwrap();
                let (count, max): (i64, i64) = (row.get(0), row.get(1));
                assert_eq!(
                    count, max,
                    "a snapshot saw position {max} with a gap before it"
                );
                looks += 1;
                if max as u64 >= total {
                    return looks;
                }
            }
        })
    };
    for w in writers {
        w.await.unwrap();
    }
    for s in subscribers {
        assert_eq!(s.await.unwrap(), total);
    }
    assert!(observer.await.unwrap() > 1);
    assert!(nodes[2].verify(&mut |_| {}).unwrap().is_ok());
}
