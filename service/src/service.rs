//! The service handle shared by every interface.

use std::sync::Arc;

use caseledger_core::Envelope;
use caseledger_log_store::{
    AppendRequest, EventLog, ExpectedVersion, Head, NewEvent, RecordedEvent, SledLog,
    SledLogOptions,
};

use crate::{ServiceConfig, ServiceError};

/// A decoded event with where the log put it.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    /// The log record (position, stream, version, id, raw bytes, chain hash).
    pub record: RecordedEvent,
    /// The decoded envelope.
    pub envelope: Envelope,
}

/// The running service: owns the log (and, as the product grows, the projections).
#[derive(Clone)]
pub struct Service {
    log: Arc<SledLog>,
}

impl Service {
    /// Opens the data directory, creating it when missing. Refuses to start when the log's hash
    /// chain head does not match its last record.
    pub fn open(config: &ServiceConfig) -> Result<Self, ServiceError> {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| ServiceError::DataDir {
            path: config.data_dir.display().to_string(),
            reason: e.to_string(),
        })?;
        let options = SledLogOptions {
            durability: config.durability,
            ..SledLogOptions::default()
        };
        let log = SledLog::open_with(&config.data_dir, options)?;
        tracing::info!(data = %config.data_dir.display(), head = log.head().position, "log opened");
        Ok(Service { log })
    }

    /// The log's durable head.
    pub fn head(&self) -> Head {
        self.log.head()
    }

    /// The log, for read-side components of this crate and for operator tools.
    pub fn log(&self) -> Arc<dyn EventLog> {
        self.log.clone()
    }

    /// Appends envelopes atomically, each to its own stream with no version check, and waits
    /// until they are durable. Returns the position of each. Retrying with the same event ids is
    /// a no-op that returns the original positions.
    pub async fn append(&self, envelopes: &[Envelope]) -> Result<Vec<u64>, ServiceError> {
        let mut request = AppendRequest::default();
        for envelope in envelopes {
            let payload = envelope
                .encode()
                .map_err(|e| ServiceError::Encode(e.to_string()))?;
            let stream = envelope.stream().to_string();
            let event = NewEvent {
                id: envelope.event_id.as_u128(),
                payload,
            };
            match request.parts.last_mut() {
                Some(part) if part.stream == stream => part.events.push(event),
                _ => request = request.and(stream, ExpectedVersion::Any, vec![event]),
            }
        }
        Ok(self.log.append(request).await?.positions)
    }

    /// Reads and decodes up to `limit` events from position `from` on.
    pub fn read(&self, from: u64, limit: usize) -> Result<Vec<StoredEvent>, ServiceError> {
        self.log
            .read_all(from, limit)?
            .into_iter()
            .map(decode_stored)
            .collect()
    }

    /// Stops the log writer after the queued appends.
    pub fn close(&self) {
        self.log.close();
    }
}

/// Decodes a log record into a [`StoredEvent`].
pub fn decode_stored(record: RecordedEvent) -> Result<StoredEvent, ServiceError> {
    let envelope = Envelope::decode(&record.payload).map_err(|source| ServiceError::Decode {
        position: record.position,
        source,
    })?;
    Ok(StoredEvent { record, envelope })
}
