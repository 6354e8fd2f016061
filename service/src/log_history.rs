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
        let failed = |reason: String| HistoryError { position, reason };
        let record = self
            .0
            .read_all(position, 1)
            .map_err(|e| failed(e.to_string()))?
            .into_iter()
            .next()
            .filter(|r| r.position == position)
            .ok_or_else(|| failed("the log does not reach it".into()))?;
        caseledger_core::decode_with_event_bytes(&record.payload)
            .map(|(_, event)| event)
            .map_err(|e| failed(e.to_string()))
    }
}
