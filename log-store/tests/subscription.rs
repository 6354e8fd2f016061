//! Catch-up subscriptions: replay from a checkpoint, then follow live appends, exactly once, on
//! every durable backend.

mod common;

use std::sync::Arc;

use caseledger_log_store::{EventLog, Subscription};
use common::{durable_backends, one};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn subscribers_switching_from_catch_up_to_live_see_every_position_once_in_order() {
    for backend in durable_backends() {
        eprintln!("backend: {}", backend.name);
        let log = backend.log.clone();
        const WRITERS: u128 = 16;
        const PER_WRITER: u128 = 150;
        let total = (WRITERS * PER_WRITER) as u64;

        // Some history before anyone subscribes.
        for i in 0..200u128 {
            log.append(one("pre", 1_000_000 + i)).await.unwrap();
        }

        let mut writers = Vec::new();
        for w in 0..WRITERS {
            let log = log.clone();
            writers.push(tokio::spawn(async move {
                for i in 0..PER_WRITER {
                    log.append(one(&format!("w{w}"), (w << 64) | i))
                        .await
                        .unwrap();
                    if i % 7 == 0 {
                        tokio::task::yield_now().await;
                    }
                }
            }));
        }

        // Subscribers start at different checkpoints while the writers run, so each one switches
        // from catching up to following live at a different moment of the race.
        let mut subscribers = Vec::new();
        for (k, from) in [0u64, 1, 50, 199, 201].into_iter().enumerate() {
            let log: Arc<dyn EventLog> = log.clone();
            subscribers.push(tokio::spawn(async move {
                tokio::time::sleep(std::time::Duration::from_millis(3 * k as u64)).await;
                let mut sub = Subscription::new(log, from);
                let mut expected = from.max(1);
                while expected <= 200 + total {
                    let e = sub.next().await.unwrap();
                    assert_eq!(
                        e.position, expected,
                        "gap or duplicate for subscriber from {from}"
                    );
                    expected += 1;
                }
                expected - 1
            }));
        }
        for w in writers {
            w.await.unwrap();
        }
        for s in subscribers {
            assert_eq!(s.await.unwrap(), 200 + total);
        }

        // A subscriber that is caught up gets nothing more until a new append arrives.
        let mut sub = Subscription::new(log.clone(), 200 + total + 1);
        assert!(sub.poll_batch(10).unwrap().is_empty());
        log.append(one("late", u128::MAX)).await.unwrap();
        let got = sub.poll_batch(10).unwrap();
        assert_eq!(
            got.iter().map(|e| e.position).collect::<Vec<_>>(),
            vec![200 + total + 1]
        );
    }
}

#[tokio::test]
async fn poll_batch_pages_through_history_without_duplicates() {
    for backend in durable_backends() {
        eprintln!("backend: {}", backend.name);
        let log = backend.log.clone();
        for i in 0..25u128 {
            log.append(one("s", i)).await.unwrap();
        }
        let mut sub = Subscription::new(log.clone(), 3);
        let mut seen = Vec::new();
        loop {
            let batch = sub.poll_batch(4).unwrap();
            if batch.is_empty() {
                break;
            }
            seen.extend(batch.into_iter().map(|e| e.position));
        }
        assert_eq!(seen, (3..=25).collect::<Vec<_>>());
    }
}
