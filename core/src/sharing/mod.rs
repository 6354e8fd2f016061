//! Sharing: who may see and edit which client data, as DESIGN.md's "Sharing rules (normative)"
//! state it — the words, the policy, and the rules, in one place.
//!
//! - [`vocabulary`]: roles, restrictions, MOU directions, record kinds, access levels and the
//!   reasons access was granted (the enums events carry; their variant order is log format).
//! - [`policy`]: the sharing policy as data ([`SharingPolicy`]), recorded in the log so that
//!   history answers the same way forever.
//! - [`transactions`]: which events create the records the transaction rules govern, and those
//!   records' sharing-relevant facts (owner, restriction, client), so the reference and the
//!   projections read events the same way.
//! - [`merges`]: which client a duplicate was merged into, the clients a merged client is
//!   made of, and which sharing facts count for a record of each origin.
//! - [`reference`](mod@reference): the reference evaluator. [`reference::visibility`] answers,
//!   from a history of events and nothing else, what a viewer may do with one record on one
//!   date and which rule allowed it. It is written to be read against the normative text, not
//!   to be fast; the projections are the fast path and are property-tested against it.

pub mod merges;
pub mod policy;
pub mod reference;
pub mod transactions;
pub mod vocabulary;

pub use policy::{
    IntakeEditors, PolicyPreset, RestrictionDefault, RestrictionDefaultKey, SharingPolicy,
    SummaryReaders,
};
pub use reference::{
    ClientSight, RECENT_EXIT_DAYS, RecordRef, Viewer, Visibility, caseload, client_sight,
    visibility,
};
pub use transactions::{TransactionFacts, metadata_only, transaction_facts};
pub use vocabulary::{
    AccessLevel, AccessReason, AssessmentKind, ClientRestriction, MouDirection, PolicyRule,
    RecordKind, RecordOwner, Role, TransactionRestriction,
};
