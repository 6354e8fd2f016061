//! HUD elements recorded for records (`HudElementsRecorded`), by record: each row's latest
//! recording. An event holds the rows of one client's records, sealed together (an identifying
//! value after the first is sealed with the first), so the event is kept whole in its compact
//! bytes and each record points at its rows inside it. Rows are read only through the record
//! they belong to, so they are seen exactly where the record is (see
//! [`crate::OrgView::elements`]).

use std::collections::HashMap;

use caseledger_core::Event;
use caseledger_core::events::{ElementRow, ElementSubject};
use caseledger_core::hud::elements::HudFile;
use serde::{Deserialize, Serialize};

use crate::compact::{Compact, Keys};

/// The element rows of every record, by the record's raw id (the CoC's rows under 0, which no
/// ULID is).
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct Elements {
    /// Every `HudElementsRecorded`, in log order.
    events: Vec<Compact>,
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
    /// Folds an event (only `HudElementsRecorded` matters): a row replaces the row of the same
    /// record, file and row id. Answers the records whose rows it recorded.
    pub fn apply(&mut self, event: &Event, compact: impl FnOnce() -> Compact) -> Vec<u128> {
        let Event::HudElementsRecorded(e) = event else {
            return Vec::new();
        };
        let at = self.events.len();
        self.events.push(compact());
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

    fn open(&self, row: &Row, keys: &Keys) -> Option<ElementRow> {
        match self.events.get(row.event)?.event(keys) {
            Event::HudElementsRecorded(mut e) if row.index < e.rows.len() => {
                Some(e.rows.swap_remove(row.index))
            }
            _ => None,
        }
    }

    /// Every row recorded for `record` (a raw id; 0 for the CoC), in the order first recorded.
    pub fn of(&self, record: u128, keys: &Keys) -> Vec<ElementRow> {
        self.rows
            .get(&record)
            .into_iter()
            .flatten()
            .filter_map(|r| self.open(r, keys))
            .collect()
    }

    /// The row of `file` and `row_id` recorded for `subject`, if any.
    pub fn row(
        &self,
        subject: ElementSubject,
        file: HudFile,
        row_id: Option<&str>,
        keys: &Keys,
    ) -> Option<ElementRow> {
        let row = self
            .rows
            .get(&key(subject))?
            .iter()
            .find(|r| r.file == file && r.row_id.as_deref() == row_id)?;
        self.open(row, keys)
    }

    /// Erases the identifying values of every event holding a row of `record` (its client was
    /// forgotten; the events hold only that client's rows).
    pub fn erase(&mut self, record: u128) {
        let events: Vec<usize> = self
            .rows
            .get(&record)
            .into_iter()
            .flatten()
            .map(|r| r.event)
            .collect();
        for event in events {
            if let Some(e) = self.events.get_mut(event) {
                e.erase();
            }
        }
    }
}
