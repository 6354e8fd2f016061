//! The stored form of one event and its parsing.

use std::sync::Arc;

use crate::{ChainHash, LogError, Position};

/// Format byte of a stored record; a new layout gets a new byte.
pub(crate) const RECORD_FORMAT_V1: u8 = 1;

/// A durable event as read back from the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEvent {
    /// Global position (gapless, from 1).
    pub position: Position,
    /// The stream it was appended to.
    pub stream: Arc<str>,
    /// Version inside the stream (gapless, from 1).
    pub version: u64,
    /// The event id given at append time.
    pub id: u128,
    /// The opaque event bytes.
    pub payload: Vec<u8>,
    /// Chain hash after this record.
    pub hash: ChainHash,
}

/// Encodes the hashed part of a record:
/// `[format u8][stream len u16 BE][stream][version u64 BE][id u128 BE][payload]`.
pub(crate) fn encode(stream: &str, version: u64, id: u128, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + 2 + stream.len() + 8 + 16 + payload.len());
    out.push(RECORD_FORMAT_V1);
    out.extend_from_slice(&(stream.len() as u16).to_be_bytes());
    out.extend_from_slice(stream.as_bytes());
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// The parsed fields of a record, borrowing from the stored bytes.
pub(crate) struct ParsedRecord<'a> {
    pub stream: &'a str,
    pub version: u64,
    pub id: u128,
    pub payload: &'a [u8],
}

/// Parses the hashed part of a record.
pub(crate) fn decode(position: Position, bytes: &[u8]) -> Result<ParsedRecord<'_>, LogError> {
    let corrupt = |reason: &str| LogError::Corrupt {
        position,
        reason: reason.to_string(),
    };
    let (&format, rest) = bytes.split_first().ok_or_else(|| corrupt("empty record"))?;
    if format != RECORD_FORMAT_V1 {
        return Err(corrupt("unknown record format byte"));
    }
    let (len, rest) = rest
        .split_first_chunk::<2>()
        .ok_or_else(|| corrupt("truncated stream length"))?;
    let len = u16::from_be_bytes(*len) as usize;
    if rest.len() < len + 8 + 16 {
        return Err(corrupt("truncated record header"));
    }
    let (stream, rest) = rest.split_at(len);
    let stream = std::str::from_utf8(stream).map_err(|_| corrupt("stream name is not UTF-8"))?;
    let (version, rest) = rest
        .split_first_chunk::<8>()
        .ok_or_else(|| corrupt("truncated version"))?;
    let (id, payload) = rest
        .split_first_chunk::<16>()
        .ok_or_else(|| corrupt("truncated id"))?;
    Ok(ParsedRecord {
        stream,
        version: u64::from_be_bytes(*version),
        id: u128::from_be_bytes(*id),
        payload,
    })
}

/// Splits a stored value into its chain hash and its record bytes.
pub(crate) fn split_stored(
    position: Position,
    stored: &[u8],
) -> Result<(ChainHash, &[u8]), LogError> {
    let (hash, record) = stored
        .split_first_chunk::<32>()
        .ok_or_else(|| LogError::Corrupt {
            position,
            reason: "stored value shorter than its chain hash".to_string(),
        })?;
    Ok((*hash, record))
}

/// Builds a [`RecordedEvent`] from a stored value.
pub(crate) fn to_recorded(position: Position, stored: &[u8]) -> Result<RecordedEvent, LogError> {
    let (hash, record) = split_stored(position, stored)?;
    let r = decode(position, record)?;
    Ok(RecordedEvent {
        position,
        stream: Arc::from(r.stream),
        version: r.version,
        id: r.id,
        payload: r.payload.to_vec(),
        hash,
    })
}
