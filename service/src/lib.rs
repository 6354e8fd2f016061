//! The running caseledger service: opens the log, appends domain events through it, and (as the
//! product grows) runs the command processor, the projector loop, the clock and snapshots.
//!
//! Interfaces (the GraphQL API, the CLI) talk to a [`Service`]; the service talks to the
//! projections and to the log. Nothing above this crate touches the log directly.
#![forbid(unsafe_code)]

mod accounts;
mod audit;
mod auth;
pub mod backup;
mod bars;
pub mod batch;
pub mod checkpoint;
mod clients;
mod clock;
mod commands;
mod config;
mod dashboard;
pub mod decision;
mod decisions;
pub mod digest;
mod disclosure;
mod disclosure_keys;
mod duplicates;
mod error;
pub mod format;
mod gate;
mod history;
pub mod integrity;
pub mod keys;
mod log_history;
mod pin;
mod record_requests;
mod retention;
mod search;
mod service;
mod session;
mod snapshots;
mod token_uses;
mod tokens;

pub use accounts::{Bootstrapped, DirectoryUser};
pub use audit::{
    AccessEntry, AccessFilter, AccessSummaryRow, Anomaly, AnomalyKind, AnomalyThresholds, CouldSee,
    HistoryEntry,
};
pub use clients::{check_full_ssn, ssn_digits};
pub use clock::local_time_in;
pub use commands::{CommandError, ErrorCode, Written, new_id};
pub use config::{DEFAULT_HELP_DESK, DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, Progress, ServiceConfig};
pub use dashboard::{
    Dashboard, DisclosureLine, DocumentLine, EnrollmentLine, MouLine, ReleaseLine,
};
pub use decision::{Command, Decision};
pub use disclosure::Disclosure;
pub use duplicates::DuplicateQueue;
pub use error::ServiceError;
pub use gate::PIN_WAIT;
pub use history::FieldChange;
pub use record_requests::{RequestStep, SECTIONS, business_days_after};
pub use retention::{MAX_REASON_LEN, RetentionReport, years_before};
pub use search::{MIN_SEARCH_REASON, SearchAs};
pub use service::{Service, StoredEvent, Vitals};
pub use session::Session;
pub use tokens::TokenListing;
