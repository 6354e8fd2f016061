//! A log as one portable file, and back: what a backup holds of the log.
//!
//! Layout: `CLLOGBK1`, then per record `[body length: u32 BE][body]`, the body as the chain
//! hashes it (`record::encode`: format, stream, version, id, payload). Positions are not
//! stored: records are in order from position 1, gapless. Chain hashes are not stored either:
//! [`import`] appends every record again through [`EventLog::append`] with its stream version
//! as the expected version, so the new log recomputes the chain, and the caller compares the
//! head it reaches with the one the backup states (a changed byte anywhere changes it).

use std::io::{self, Read, Write};

use crate::record::{RECORD_FORMAT_V1, encode};
use crate::{
    AppendRequest, EventLog, ExpectedVersion, Head, LogError, NewEvent, PendingAppend, Position,
};

const MAGIC: &[u8; 8] = b"CLLOGBK1";

/// Records read per [`EventLog::read_all`] call, and appended per request on import.
const BATCH: usize = 2048;

/// Appends in flight at once on import (group commit makes several one sync).
const IN_FLIGHT: usize = 8;

/// Why an export or import failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// Reading or writing the file.
    #[error("backup file: {0}")]
    Io(#[from] io::Error),
    /// Reading or appending to the log.
    #[error(transparent)]
    Log(#[from] LogError),
    /// The file is not a log backup, or is damaged at `offset`.
    #[error("not a readable log backup at byte {offset}: {reason}")]
    Format {
        /// Where in the file.
        offset: u64,
        /// What was wrong there.
        reason: String,
    },
}

/// Writes records `1..=upto` of `log` to `out`; the head reached (position and chain hash of
/// record `upto`). `progress` is called with each position written.
pub fn export(
    log: &dyn EventLog,
    upto: Position,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(Position),
) -> Result<Head, BackupError> {
    out.write_all(MAGIC)?;
    let mut head = Head {
        position: 0,
        hash: crate::GENESIS_HASH,
    };
    while head.position < upto {
        let batch = log.read_all(head.position + 1, BATCH)?;
        if batch.is_empty() {
            return Err(LogError::Cut {
                head: head.position,
                expected: upto,
                evidence: "the backup's stated position".into(),
            }
            .into());
        }
        for record in batch {
            if record.position > upto {
                break;
            }
            let body = encode(&record.stream, record.version, record.id, &record.payload);
            out.write_all(&(body.len() as u32).to_be_bytes())?;
            out.write_all(&body)?;
            head = Head {
                position: record.position,
                hash: record.hash,
            };
            progress(head.position);
        }
    }
    out.flush()?;
    Ok(head)
}

/// Appends every record of a backup to `log`, which must be empty; the head reached.
pub fn import(
    input: &mut dyn Read,
    log: &dyn EventLog,
    progress: &mut dyn FnMut(Position),
) -> Result<Head, BackupError> {
    if log.head().position != 0 {
        return Err(BackupError::Format {
            offset: 0,
            reason: "the log to restore into is not empty".into(),
        });
    }
    let mut magic = [0u8; 8];
    input.read_exact(&mut magic)?;
    if &magic != MAGIC {
        return Err(BackupError::Format {
            offset: 0,
            reason: "it does not start with CLLOGBK1".into(),
        });
    }
    let mut offset = MAGIC.len() as u64;
    let mut request = AppendRequest::default();
    let mut in_request = 0;
    let mut pending: Vec<PendingAppend> = Vec::new();
    let mut appended: Position = 0;
    let settle = |pending: &mut Vec<PendingAppend>,
                  appended: &mut Position,
                  progress: &mut dyn FnMut(Position)|
     -> Result<(), BackupError> {
        for p in pending.drain(..) {
            let done = p.wait()?;
            if let Some(&last) = done.positions.last() {
                *appended = last;
            }
            progress(*appended);
        }
        Ok(())
    };
    loop {
        let mut length = [0u8; 4];
        match input.read_exact(&mut length) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e.into()),
        }
        let length = u32::from_be_bytes(length) as usize;
        let mut body = vec![0u8; length];
        input
            .read_exact(&mut body)
            .map_err(|e| BackupError::Format {
                offset,
                reason: format!("a record is cut short: {e}"),
            })?;
        let (stream, version, id, payload) = decode(&body).ok_or_else(|| BackupError::Format {
            offset,
            reason: "a record's header is malformed".into(),
        })?;
        offset += 4 + length as u64;
        // One request may name a stream once: a stream met again starts the next request.
        let repeats = request.parts[..request.parts.len().saturating_sub(1)]
            .iter()
            .any(|p| p.stream == stream);
        if repeats || in_request >= BATCH {
            pending.push(log.append(std::mem::take(&mut request)));
            in_request = 0;
            if pending.len() >= IN_FLIGHT {
                settle(&mut pending, &mut appended, progress)?;
            }
        }
        let event = NewEvent { id, payload };
        match request.parts.last_mut() {
            Some(last) if last.stream == stream => last.events.push(event),
            _ => {
                let expected = if version == 1 {
                    ExpectedVersion::NoStream
                } else {
                    ExpectedVersion::Exact(version - 1)
                };
                request = request.and(stream, expected, vec![event]);
            }
        }
        in_request += 1;
    }
    if !request.parts.is_empty() {
        pending.push(log.append(request));
    }
    settle(&mut pending, &mut appended, progress)?;
    Ok(log.head())
}

/// `(stream, version, id, payload)` of a record body.
fn decode(body: &[u8]) -> Option<(String, u64, u128, Vec<u8>)> {
    let (&format, rest) = body.split_first()?;
    if format != RECORD_FORMAT_V1 {
        return None;
    }
    let stream_len = u16::from_be_bytes(rest.get(..2)?.try_into().ok()?) as usize;
    let rest = &rest[2..];
    let stream = std::str::from_utf8(rest.get(..stream_len)?)
        .ok()?
        .to_string();
    let rest = &rest[stream_len..];
    let version = u64::from_be_bytes(rest.get(..8)?.try_into().ok()?);
    let id = u128::from_be_bytes(rest.get(8..24)?.try_into().ok()?);
    Some((stream, version, id, rest[24..].to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryLog;

    #[test]
    fn a_log_round_trips_with_its_chain() {
        let from = MemoryLog::new();
        for i in 0..50u128 {
            let stream = format!("s-{}", i % 3);
            let request = AppendRequest::single(
                stream,
                ExpectedVersion::Any,
                vec![NewEvent {
                    id: i + 1,
                    payload: vec![i as u8; 5],
                }],
            )
            .and(
                "other",
                ExpectedVersion::Any,
                vec![NewEvent {
                    id: 1000 + i,
                    payload: vec![],
                }],
            );
            from.append(request).wait().unwrap();
        }
        let mut file = Vec::new();
        let head = export(&*from, 80, &mut file, &mut |_| {}).unwrap();
        assert_eq!(head.position, 80);
        let into = MemoryLog::new();
        let restored = import(&mut &file[..], &*into, &mut |_| {}).unwrap();
        assert_eq!(restored, head, "the same chain to the same position");
        assert_eq!(
            into.read_all(1, 100).unwrap(),
            from.read_all(1, 80).unwrap()
        );
        // One changed payload byte: the chain differs.
        let last = file.len() - 1;
        file[last] ^= 1;
        let into = MemoryLog::new();
        assert_ne!(import(&mut &file[..], &*into, &mut |_| {}).unwrap(), head);
    }
}
