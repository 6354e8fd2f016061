//! The log as the read models' history: the projections keep records' positions, not their
//! events, and read a record's events back from the log by position when a view or a command
//! needs them.

use std::sync::Arc;

use caseledger_log_store::EventLog;
use caseledger_projections::{History, HistoryError};

/// Reads events back from the service's log by position.
pub(crate) struct LogHistory(pub(crate) Arc<dyn EventLog>);

impl History for LogHistory {
    fn event_bytes(&self, position: u64) -> Result<Vec<u8>, HistoryError> {
        Ok(self
            .events_bytes(&[position])?
            .pop()
            .expect("one event per position"))
    }

    fn events_bytes(&self, positions: &[u64]) -> Result<Vec<Vec<u8>>, HistoryError> {
        let first = positions.first().copied().unwrap_or(0);
        let records = self.0.read_positions(positions).map_err(|e| HistoryError {
            position: first,
            reason: e.to_string(),
        })?;
        records
            .into_iter()
            .map(|record| {
                caseledger_core::event_bytes(&record.payload).map_err(|e| HistoryError {
                    position: record.position,
                    reason: e.to_string(),
                })
            })
            .collect()
    }
}
