//! caseledger core: the pure domain of an event-sourced HMIS (Homeless Management
//! Information System) case-management service.
//!
//! This crate defines what the log stores — ids, dates, the PII wrapper, HUD code lists,
//! the sharing vocabulary and policy, the event catalog — and the permanent byte encoding
//! of events. It performs no IO and reads no clock: callers supply ids and times, so that
//! everything here is deterministic and replayable.
//!
//! Modules:
//! - [`ids`]: typed ULID ids, serialized as `u128`.
//! - [`time`]: [`Date`], [`Timestamp`], [`DateWindow`].
//! - [`pii`]: [`Pii`], the one wrapper around personally identifying values.
//! - [`hud`]: HUD HMIS code lists.
//! - [`input`]: the text rule and the date rule every entered value passes.
//! - [`sharing`]: the sharing vocabulary (roles, restrictions, record kinds, access levels
//!   and reasons), the policy as data, and the reference evaluator of the rules.
//! - [`events`]: the event catalog ([`Event`], [`EventType`]).
//! - [`commands`]: every write as a value, decided by the service.
//! - [`stream`]: stream names ([`StreamId`]).
//! - [`envelope`]: [`Envelope`] and [`encode`]/[`decode`]; [`limits`]: the decoding bound.
//! - [`error`]: the errors of encoding and decoding events; [`parse`]: of parsing text forms.
//! - `testkit` (feature `testkit`, off by default): history builders for tests and generated
//!   data.

#![forbid(unsafe_code)]

pub mod commands;
pub mod corrections;
pub mod duplicates;
pub mod envelope;
pub mod error;
pub mod events;
pub mod hud;
pub mod ids;
pub mod input;
pub mod limits;
pub mod parse;
pub mod pii;
pub mod sharing;
pub mod stream;
// Behind a feature: builders for tests and generated data, never needed by a deployment.
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod time;

pub use envelope::{
    Actor, Envelope, FORMAT_V1, Header, SealedEncodeError, decode, decode_event, decode_header,
    decode_prefix, decode_with_event_bytes, encode, encode_event, event_bytes,
};
pub use error::{DecodeError, EncodeError};
pub use events::{Event, EventType};
pub use ids::*;
pub use parse::ParseError;
pub use pii::{KeyRing, Pii, SealError, SecretKey};
pub use sharing::{
    AccessLevel, AccessReason, AssessmentKind, ClientRestriction, MouDirection, RecordKind,
    RecordOwner, Role, SharingPolicy, TransactionRestriction,
};
pub use stream::StreamId;
pub use time::{Date, DateWindow, Timestamp};
