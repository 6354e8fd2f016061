//! Read models that keep only positions, reading records' events back through a `History`,
//! answer exactly what read models keeping the events answer — live, after forgetting, and
//! restored from a snapshot — and keep none of the events themselves.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use caseledger_core::events::{ClientIdentifiersForgotten, Event};
use caseledger_core::hud::ProjectType;
use caseledger_core::testkit::{HistoryBuilder, date};
use caseledger_core::{ClientId, ClientRestriction, Role, SharingPolicy, TransactionRestriction};
use caseledger_projections::{History, HistoryError, Projections};

/// The envelopes of a history as a log would store them, by position; counts its reads.
struct StoredLog {
    envelopes: Vec<Vec<u8>>,
    reads: AtomicUsize,
}

impl History for StoredLog {
    fn event_bytes(&self, position: u64) -> Result<Vec<u8>, HistoryError> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        let stored = self
            .envelopes
            .get(position as usize - 1)
            .ok_or(HistoryError {
                position,
                reason: "beyond the log".into(),
            })?;
        caseledger_core::event_bytes(stored).map_err(|e| HistoryError {
            position,
            reason: e.to_string(),
        })
    }
}

fn fold(h: &HistoryBuilder, history: Option<Arc<StoredLog>>) -> Projections {
    let mut p = Projections::new(h.today());
    if let Some(history) = history {
        p.set_history(history);
    }
    for (i, envelope) in h.envelopes().iter().enumerate() {
        p.apply_by(i as u64 + 1, &envelope.header(), &envelope.event);
    }
    p
}

#[test]
fn positions_read_back_answer_what_kept_events_answer_and_forgetting_still_erases() {
    let mut h = HistoryBuilder::new(SharingPolicy::clienttrack("UTC"), date("2024-01-01"));
    let ccc = h.organization("Children's Crisis Center");
    let cm = h.user(ccc, Role::CaseManager);
    let program = h.program(
        ccc,
        "Emergency Shelter",
        ProjectType::EmergencyShelterEntryExit,
    );
    h.on(date("2024-02-01"));
    let kept = h.intake_named(cm, "Ana", "Lopez", ClientRestriction::ShareWithMou);
    let forgotten = h.intake_named(cm, "Zeb", "Quill", ClientRestriction::ShareWithMou);
    let mut clients: Vec<ClientId> = vec![kept, forgotten];
    for &client in &clients {
        let stay = h.enroll(
            cm,
            client,
            program,
            date("2024-02-01"),
            TransactionRestriction::Unrestricted,
        );
        h.service(cm, client, Some(stay), TransactionRestriction::Unrestricted);
        h.case_note(
            cm,
            client,
            "keeps his papers at the library",
            TransactionRestriction::Unrestricted,
        );
        h.on(date("2024-03-01"));
        h.exit(cm, stay, date("2024-03-01"));
    }
    h.push(ClientIdentifiersForgotten {
        client_id: forgotten,
        reason: "the client asked".into(),
        retention_last_changed: None,
    });
    clients.push(ClientId::new(12345));

    let log = Arc::new(StoredLog {
        envelopes: h
            .envelopes()
            .iter()
            .map(|e| caseledger_core::encode(e).expect("encodes"))
            .collect(),
        reads: AtomicUsize::new(0),
    });
    let in_memory = fold(&h, None);
    let positions = fold(&h, Some(log.clone()));
    assert!(in_memory.keeps_events());
    assert!(!positions.keeps_events());

    let viewer = h.viewer(cm);
    let answers = |p: &Projections| {
        let view = p.org_view(viewer);
        clients
            .iter()
            .map(|c| (view.client(*c), view.transactions(*c, None)))
            .collect::<Vec<_>>()
    };
    let expected = answers(&in_memory);
    assert_eq!(answers(&positions), expected);
    assert!(
        log.reads.load(Ordering::Relaxed) > 0,
        "the records were read back"
    );
    // Forgetting erased the note of the forgotten client, read back from the log too.
    let note = |p: &Projections, c| {
        p.org_view(viewer)
            .transactions(c, None)
            .into_iter()
            .flat_map(|t| t.events)
            .find_map(|e| match e {
                Event::CaseNoteAdded(n) => Some(n.text),
                _ => None,
            })
            .expect("a note")
    };
    assert!(note(&positions, forgotten).is_erased());
    assert_eq!(
        note(&positions, kept).as_clear().map(String::as_str),
        Some("keeps his papers at the library")
    );

    // The snapshot holds no events, and restored it answers the same.
    let snapshot = positions.snapshot().expect("snapshot");
    assert!(snapshot.len() < in_memory.snapshot().expect("snapshot").len());
    assert!(
        !snapshot.windows(b"library".len()).any(|w| w == b"library"),
        "no event content in the snapshot"
    );
    let mut restored = Projections::from_snapshot(&snapshot, h.today()).expect("restores");
    restored.set_history(log);
    assert_eq!(answers(&restored), expected);
}
