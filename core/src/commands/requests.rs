//! Commands about client record requests: a client asks an agency that served them for a
//! copy of their HMIS record, and the help desk produces it.

use crate::events::{DeliveryMethod, GuardianRelationship, Recipient};
use crate::{ClientId, Date, RecordRequestId, RevisionId, Timestamp};

/// An agency administrator submits a request for a client their organization served. A
/// client has at most one open request at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitRecordRequest {
    /// The new request's id (chosen by the caller).
    pub request_id: RecordRequestId,
    /// The client's HMIS id (no names).
    pub client_id: ClientId,
    /// How the dashboard reaches the client.
    pub delivery: DeliveryMethod,
    /// Who receives it.
    pub recipient: Recipient,
    /// Set when a parent or guardian asks for a minor's record.
    pub requester_relationship: Option<GuardianRelationship>,
    /// When the client asked (the service's clock, read by the caller: a decision reads no
    /// clock).
    pub submitted: Timestamp,
    /// The service's holidays, which the five business days to the due date skip (the
    /// service's configuration, not recorded state).
    pub holidays: Vec<Date>,
}

/// The help desk starts producing the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartRecordRequest {
    /// The request.
    pub request_id: RecordRequestId,
}

/// The help desk produces the dashboard, frozen at the log position decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FulfillRecordRequest {
    /// The request.
    pub request_id: RecordRequestId,
}

/// The help desk denies an open request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DenyRecordRequest {
    /// The request.
    pub request_id: RecordRequestId,
    /// Why.
    pub reason: String,
}

/// The requesting agency records that the dashboard was handed over. Another method than the
/// one agreed needs a reason, and a reason is taken only then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordDelivery {
    /// The request.
    pub request_id: RecordRequestId,
    /// How it was handed over.
    pub method: DeliveryMethod,
    /// When.
    pub at: Timestamp,
    /// Why another method than the one agreed (blank counts as none).
    pub reason: Option<String>,
}

/// The client asked, reviewing the dashboard, for a correction of one section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecordRevision {
    /// The request.
    pub request_id: RecordRequestId,
    /// The new revision's id (chosen by the caller).
    pub revision_id: RevisionId,
    /// The dashboard section (one of the service's `SECTIONS`).
    pub section: String,
    /// What the client asks to correct.
    pub description: String,
}
