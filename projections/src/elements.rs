//! HUD elements recorded for records (`HudElementsRecorded`), by record: each row's latest
//! recording. An event holds the rows of one client's records, sealed together (an identifying
//! value after the first is sealed with the first), so the event is read back whole by its log
//! position and each record points at its rows inside it. Rows are read only through the record
//! they belong to, so they are seen exactly where the record is (see
//! [`crate::OrgView::elements`]).

use std::collections::HashMap;

use caseledger_core::Event;
use caseledger_core::events::{ElementRow, ElementSubject};
use caseledger_core::hud::elements::HudFile;
use serde::{Deserialize, Serialize};

use crate::compact::{Keys, Records};

/// The element rows of every record, by the record's raw id (the CoC's rows under 0, which no
/// ULID is).
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct Elements {
    /// The log position of every `HudElementsRecorded`, in log order.
    events: Vec<u64>,
    rows: HashMap<u128, Vec<Row>>,
}

/// Where a row is: the event, and its place among the event's rows.
#[derive(Clone, Serialize, Deserialize)]
struct Row {
    file: HudFile,
    row_id: Option<String>,
    event: usize,
    index: usize,
}

fn key(subject: ElementSubject) -> u128 {
    subject.record_id().unwrap_or(0)
}

impl Elements {
    /// Makes room for the records and events `other` holds beyond these (see
    /// `Projections::reserve_like`).
    pub(crate) fn reserve_like(&mut self, other: &Elements) {
        self.events
            .reserve(other.events.len().saturating_sub(self.events.len()));
        self.rows
            .reserve(other.rows.len().saturating_sub(self.rows.len()));
    }

    /// Folds an event (only `HudElementsRecorded` matters): a row replaces the row of the same
    /// record, file and row id. Answers the records whose rows it recorded.
    pub fn apply(&mut self, position: u64, event: &Event) -> Vec<u128> {
        let Event::HudElementsRecorded(e) = event else {
            return Vec::new();
        };
        let at = self.events.len();
        self.events.push(position);
        let mut records = Vec::new();
        for (index, r) in e.rows.iter().enumerate() {
            let record = key(r.subject);
            records.push(record);
            let rows = self.rows.entry(record).or_default();
            let row = Row {
                file: r.file,
                row_id: r.row_id.clone(),
                event: at,
                index,
            };
            match rows
                .iter_mut()
                .find(|x| x.file == r.file && x.row_id == r.row_id)
            {
                Some(existing) => *existing = row,
                None => rows.push(row),
            }
        }
        records
    }

    /// The rows of the event at `event` (an index into `events`).
    fn read(&self, event: usize, records: &Records, keys: &Keys) -> Vec<ElementRow> {
        match self.events.get(event).map(|p| records.event(*p, keys)) {
            Some(Event::HudElementsRecorded(e)) => e.rows,
            _ => Vec::new(),
        }
    }

    fn open(&self, row: &Row, records: &Records, keys: &Keys) -> Option<ElementRow> {
        let mut rows = self.read(row.event, records, keys);
        (row.index < rows.len()).then(|| rows.swap_remove(row.index))
    }

    /// Every row recorded for `record` (a raw id; 0 for the CoC), in the order first recorded.
    /// Each event is read once however many of its rows the record has.
    pub fn of(&self, record: u128, records: &Records, keys: &Keys) -> Vec<ElementRow> {
        let Some(rows) = self.rows.get(&record) else {
            return Vec::new();
        };
        let mut read: HashMap<usize, Vec<Option<ElementRow>>> = HashMap::new();
        rows.iter()
            .filter_map(|r| {
                read.entry(r.event)
                    .or_insert_with(|| {
                        self.read(r.event, records, keys)
                            .into_iter()
                            .map(Some)
                            .collect()
                    })
                    .get_mut(r.index)?
                    .take()
            })
            .collect()
    }

    /// The row of `file` and `row_id` recorded for `subject`, if any.
    pub fn row(
        &self,
        subject: ElementSubject,
        file: HudFile,
        row_id: Option<&str>,
        records: &Records,
        keys: &Keys,
    ) -> Option<ElementRow> {
        let row = self
            .rows
            .get(&key(subject))?
            .iter()
            .find(|r| r.file == file && r.row_id.as_deref() == row_id)?;
        self.open(row, records, keys)
    }

    /// Erases the identifying values of every event holding a row of `record` (its client was
    /// forgotten; the events hold only that client's rows).
    pub fn erase(&mut self, record: u128, records: &mut Records) {
        let events: Vec<usize> = self
            .rows
            .get(&record)
            .into_iter()
            .flatten()
            .map(|r| r.event)
            .collect();
        for event in events {
            if let Some(position) = self.events.get(event) {
                records.erase(*position);
            }
        }
    }
}
