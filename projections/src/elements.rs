//! HUD elements recorded for records (`HudElementsRecorded`), by record: each row's latest
//! set, kept in its compact (still sealed) bytes. They are read only through the record they
//! belong to, so they are seen exactly where the record is (see [`crate::OrgView::elements`]).

use std::collections::HashMap;

use caseledger_core::Event;
use caseledger_core::events::{ElementSubject, HudElementsRecorded};
use caseledger_core::hud::elements::HudFile;
use serde::{Deserialize, Serialize};

use crate::compact::{Compact, Keys};

/// The element rows of every record, by the record's raw id (the CoC's rows under 0, which no
/// ULID is).
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct Elements {
    rows: HashMap<u128, Vec<Row>>,
}

#[derive(Clone, Serialize, Deserialize)]
struct Row {
    file: HudFile,
    row_id: Option<String>,
    event: Compact,
}

fn key(subject: ElementSubject) -> u128 {
    subject.record_id().unwrap_or(0)
}

impl Elements {
    /// Folds an event (only `HudElementsRecorded` matters): a row replaces the row of the same
    /// file and row id.
    pub fn apply(&mut self, event: &Event, compact: impl FnOnce() -> Compact) {
        let Event::HudElementsRecorded(e) = event else {
            return;
        };
        let rows = self.rows.entry(key(e.subject)).or_default();
        let row = Row {
            file: e.file,
            row_id: e.row_id.clone(),
            event: compact(),
        };
        match rows
            .iter_mut()
            .find(|r| r.file == e.file && r.row_id == e.row_id)
        {
            Some(existing) => *existing = row,
            None => rows.push(row),
        }
    }

    /// Every row recorded for `record` (a raw id; 0 for the CoC), in the order first recorded.
    pub fn of(&self, record: u128, keys: &Keys) -> Vec<HudElementsRecorded> {
        self.rows
            .get(&record)
            .into_iter()
            .flatten()
            .filter_map(|r| match r.event.event(keys) {
                Event::HudElementsRecorded(e) => Some(e),
                _ => None,
            })
            .collect()
    }

    /// The row of `file` and `row_id` recorded for `subject`, if any.
    pub fn row(
        &self,
        subject: ElementSubject,
        file: HudFile,
        row_id: Option<&str>,
        keys: &Keys,
    ) -> Option<HudElementsRecorded> {
        let row = self
            .rows
            .get(&key(subject))?
            .iter()
            .find(|r| r.file == file && r.row_id.as_deref() == row_id)?;
        match row.event.event(keys) {
            Event::HudElementsRecorded(e) => Some(e),
            _ => None,
        }
    }

    /// Erases the identifying values of `record`'s rows (its client was forgotten).
    pub fn erase(&mut self, record: u128) {
        for row in self.rows.get_mut(&record).into_iter().flatten() {
            row.event.erase();
        }
    }
}
