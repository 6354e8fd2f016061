//! Helpers shared by the log-store tests.
#![allow(dead_code)]

use caseledger_log_store::{AppendRequest, ExpectedVersion, NewEvent};

/// A payload of about 300 bytes that says which event it is.
pub fn payload(tag: u128) -> Vec<u8> {
    let mut p = format!("event-{tag:032x}-").into_bytes();
    p.resize(300, b'x');
    p
}

/// A new event with id `id` and its deterministic payload.
pub fn ev(id: u128) -> NewEvent {
    NewEvent {
        id,
        payload: payload(id),
    }
}

/// One event appended to `stream` with no version check.
pub fn one(stream: &str, id: u128) -> AppendRequest {
    AppendRequest::single(stream, ExpectedVersion::Any, vec![ev(id)])
}
