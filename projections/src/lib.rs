//! Read models of caseledger, with the sharing rules applied where they are built.
//!
//! [`Projections`] folds events in log order into one store of records, each kept once and
//! indexed by audience (creating organization, global share, MOU, release grantee) rather than
//! copied per organization. Nothing outside this crate can reach the store: callers get a
//! view for an authenticated viewer — [`OrgView`] for agency users, and [`AdminView`],
//! [`HelpDeskView`], [`AuditView`] only for viewers of those roles — and every question passes
//! through it, so an organization can never be handed a record it may not see, nor learn that a
//! hidden client exists.
//!
//! The access decisions in [`access`] restate `caseledger_core::sharing::reference` over the
//! indexed state (constant-time lookups instead of history scans); the property tests in
//! `tests/differential.rs` hold the two equal.
#![forbid(unsafe_code)]

mod access;
mod accounts;
mod audit_index;
mod capabilities;
mod catalog;
mod compact;
mod duplicates;
mod elements;
mod export_view;
mod merges;
mod record_requests;
mod replay;
mod search;
mod shelter;
mod snapshot;
mod sources;
mod store;
mod view;
mod write_model;

pub use accounts::{OrganizationFacts, TokenFacts, UserFacts};
pub use capabilities::{AdminView, AuditView, HelpDeskView};
pub use catalog::{
    Catalog, FacilityFacts, HouseholdFacts, HouseholdMember, MouFacts, ProgramFacts, RoomFacts,
};
pub use compact::{History, HistoryError};
pub use duplicates::DuplicateFlag;
pub use export_view::ExportView;
pub use record_requests::{RequestFacts, RequestStatus, RevisionFacts};
pub use replay::{EncodedBatch, ReplayError};
pub use search::ClientQuery;
pub use shelter::BedUse;
pub use snapshot::SnapshotError;
pub use sources::SourceKind;
pub use store::{Projections, RequestPositions, folds_identifiers};
pub use view::{
    AssignmentSummary, BedNight, BedStatus, ClientCard, ClientSharing, ClientSummary, OrgView,
    Overlap, ReleaseSummary, TransactionSummary,
};
pub use write_model::{EnrollmentEvents, EnrollmentFacts, WriteModel};
