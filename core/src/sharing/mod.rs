//! The sharing rules of DESIGN.md ("Sharing rules (normative)"), once, in plain code.
//!
//! [`reference::visibility`] is the reference evaluator: it answers, from a history of events
//! and nothing else, what a viewer may do with one record on one date and which rule allowed it.
//! It is written to be read against the normative text, not to be fast; the projections are the
//! fast path and are property-tested against it.
//!
//! [`records`] maps events to the sharing-relevant facts of the records they create (owner,
//! restriction, client), so the reference and the projections read events the same way.

pub mod records;
pub mod reference;

pub use records::{TransactionFacts, metadata_only, transaction_facts};
pub use reference::{
    ClientSight, RECENT_EXIT_DAYS, RecordRef, Viewer, Visibility, caseload, client_sight,
    visibility,
};
