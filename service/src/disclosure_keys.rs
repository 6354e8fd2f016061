//! Whose keys seal the disclosure records at given log positions, read from the records'
//! headers alone: what forgetting a client destroys besides the client's own key.
//!
//! Its own module because both the service's start (finishing a forgetting a crash interrupted)
//! and the disclosure writer (forgetting now) need it, and the writer is built on the service.

use caseledger_core::pii::KeyOwner;

use crate::ServiceError;

/// The disclosure records' key owners at `positions`, from their headers alone.
pub(crate) fn disclosure_owners(
    log: &dyn caseledger_log_store::EventLog,
    positions: &[u64],
) -> Result<Vec<KeyOwner>, ServiceError> {
    let mut out = Vec::with_capacity(positions.len());
    for &position in positions {
        for record in log.read_all(position, 1)? {
            if record.position != position {
                continue;
            }
            let (_, header) = caseledger_core::decode_header(&record.payload)
                .map_err(|source| ServiceError::Decode { position, source })?;
            out.push(KeyOwner::Disclosure(header.event_id));
        }
    }
    Ok(out)
}
