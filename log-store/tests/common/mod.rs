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

use std::sync::Arc;

use caseledger_log_postgres::{PgLog, testkit};
use caseledger_log_store::memory::MemoryLog;
use caseledger_log_store::{EventLog, SledLog};

/// One backend under test, which can be closed and opened again on the same storage.
pub struct Backend {
    /// Its name, for assertion messages.
    pub name: &'static str,
    /// The open log.
    pub log: Arc<dyn EventLog>,
    open: Box<dyn Fn() -> Arc<dyn EventLog>>,
    _dir: Option<tempfile::TempDir>,
}

impl Backend {
    /// Closes the log and opens its storage again (a restart; the in-memory log keeps its
    /// records, having nothing to reopen).
    pub fn reopen(&mut self) {
        if self.name == "memory" {
            return;
        }
        self.log.close();
        // The embedded log's directory lock goes with its last handle.
        drop(std::mem::replace(&mut self.log, MemoryLog::new()));
        self.log = (self.open)();
    }
}

/// The backends that keep their records: the embedded log and PostgreSQL (a scratch server
/// of this test process, one database per call).
pub fn durable_backends() -> Vec<Backend> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let conninfo = testkit::database();
    vec![
        Backend {
            name: "sled",
            log: SledLog::open(&path).unwrap(),
            open: Box::new(move || SledLog::open(&path).unwrap() as Arc<dyn EventLog>),
            _dir: Some(dir),
        },
        Backend {
            name: "postgres",
            log: PgLog::open(&conninfo).unwrap(),
            open: Box::new(move || PgLog::open(&conninfo).unwrap() as Arc<dyn EventLog>),
            _dir: None,
        },
    ]
}

/// Every backend: the durable ones and the in-memory one.
pub fn backends() -> Vec<Backend> {
    let mut all = durable_backends();
    all.push(Backend {
        name: "memory",
        log: MemoryLog::new(),
        open: Box::new(|| MemoryLog::new() as Arc<dyn EventLog>),
        _dir: None,
    });
    all
}
