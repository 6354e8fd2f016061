//! Records' events, kept as log positions and read back when a view or a command needs them
//! ([`Records`], through the [`History`] seam), the compact byte encoding they are read in
//! ([`Compact`]), and the key ring views open them with ([`Keys`]).

use std::sync::Arc;

use caseledger_core::Event;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::{Deserialize, Serialize};

/// The key ring the views open identifying values with (none: sealed values stay sealed).
#[derive(Clone, Default)]
pub struct Keys(pub(crate) Option<std::sync::Arc<dyn caseledger_core::KeyRing>>);

/// Where the read models read back the events they keep only the positions of: the log, in the
/// service. The read models hold facts and positions, not histories, so memory and snapshots
/// grow with records, not with what the records say.
pub trait History: Send + Sync {
    /// The event stored at `position`, in the compact event encoding with its identifying
    /// values sealed (the bytes `caseledger_core::decode_with_event_bytes` cuts from a stored
    /// envelope).
    fn event_bytes(&self, position: u64) -> Result<Vec<u8>, HistoryError>;

    /// [`History::event_bytes`] of each of `positions`, in that order (one read of the log
    /// for a record's events).
    fn events_bytes(&self, positions: &[u64]) -> Result<Vec<Vec<u8>>, HistoryError> {
        positions.iter().map(|p| self.event_bytes(*p)).collect()
    }
}

/// Why [`History::event_bytes`] could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the event at log position {position} could not be read: {reason}")]
pub struct HistoryError {
    /// The position asked for.
    pub position: u64,
    /// What went wrong (the log's own error).
    pub reason: String,
}

/// An event kept in its compact byte encoding (`caseledger_core::encode_event`): an `Event`
/// value is as large as the largest variant, so bytes keep what is held in memory small.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Compact(pub(crate) Box<[u8]>);

impl Compact {
    pub fn new(event: &Event) -> Self {
        Compact(
            caseledger_core::encode_event(event)
                .expect("an event in memory always encodes")
                .into_boxed_slice(),
        )
    }

    /// The event, its identifying values opened with `keys` (erased where the key is gone).
    /// The bytes were cut from a stored event or encoded by this process, so they decode.
    pub fn event(&self, keys: &Keys) -> Event {
        decode(&self.0, keys).expect("compact event bytes decode")
    }

    /// The same event with every identifying value erased, sealed ones included (forgetting).
    pub(crate) fn erase(&mut self) {
        let event = caseledger_core::decode_event(&self.0).expect("compact event bytes decode");
        *self = Compact::new(&event.erased());
    }
}

fn decode(bytes: &[u8], keys: &Keys) -> Result<Event, caseledger_core::DecodeError> {
    let decode = || caseledger_core::decode_event(bytes);
    match &keys.0 {
        Some(keys) => caseledger_core::pii::opening(keys, decode),
        None => decode(),
    }
}

/// The events of records by log position. With a [`History`] (the service's log) an event is
/// not kept at all: it is read back by position when asked for. Events are kept here only where
/// no history holds them: read models without a history (tests, tools), and a scratch copy's
/// own events (a batch decided before anything is written).
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct Records {
    /// Events kept in memory, by position.
    local: HashMap<u64, Compact>,
    /// Positions whose identifying values read as erased whatever the log holds (their
    /// client was forgotten; the log's copy may predate sealing).
    erased: HashSet<u64>,
    #[serde(skip)]
    history: Option<Arc<dyn History>>,
    /// Keep every event folded from now on in memory (a scratch copy's own events).
    #[serde(skip)]
    retain: bool,
}

impl Records {
    /// Reads events by position from `history` from now on.
    pub fn set_history(&mut self, history: Arc<dyn History>) {
        self.history = Some(history);
    }

    /// Keeps every event folded from now on in memory: they are not in the history.
    pub fn retain_from_now(&mut self) {
        self.retain = true;
    }

    /// Whether events folded now are kept in memory (so folding wants their bytes).
    pub fn keeps(&self) -> bool {
        self.retain || self.history.is_none()
    }

    /// Notes the event folded at `position`; `compact` gives its bytes where they must be kept.
    pub fn keep(&mut self, position: u64, compact: impl FnOnce() -> Compact) {
        if self.keeps() {
            self.local.insert(position, compact());
        }
    }

    /// The event at `position`, its identifying values opened with `keys` (erased where the
    /// key is gone or the client was forgotten).
    ///
    /// Panics when the log cannot be read there: the position came from the log, so that is a
    /// damaged disk, and an answer without the record would be a wrong answer.
    pub fn event(&self, position: u64, keys: &Keys) -> Event {
        self.events(&[position], keys)
            .pop()
            .expect("one event per position")
    }

    /// The events at `positions`, in that order (see [`Records::event`]); those the history
    /// holds are read from it together.
    pub fn events(&self, positions: &[u64], keys: &Keys) -> Vec<Event> {
        let unkept: Vec<u64> = positions
            .iter()
            .copied()
            .filter(|p| !self.local.contains_key(p))
            .collect();
        let mut read = match (&self.history, unkept.is_empty()) {
            (_, true) => Vec::new(),
            (Some(history), false) => history
                .events_bytes(&unkept)
                .unwrap_or_else(|e| panic!("{e}")),
            (None, false) => {
                panic!("no event is kept or readable at log position {}", unkept[0])
            }
        }
        .into_iter();
        positions
            .iter()
            .map(|&position| {
                let event = match self.local.get(&position) {
                    Some(compact) => compact.event(keys),
                    None => {
                        let bytes = read.next().expect("one answer per position");
                        decode(&bytes, keys).unwrap_or_else(|e| {
                            panic!("the event at log position {position} does not decode: {e}")
                        })
                    }
                };
                if self.erased.contains(&position) {
                    event.erased()
                } else {
                    event
                }
            })
            .collect()
    }

    /// Makes the event at `position` read with every identifying value erased (forgetting).
    pub fn erase(&mut self, position: u64) {
        if let Some(compact) = self.local.get_mut(&position) {
            compact.erase();
        }
        self.erased.insert(position);
    }
}
