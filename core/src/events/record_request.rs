//! Client record requests: a client asking for a copy of their HMIS record.
//!
//! Lifecycle: submitted → started (in progress) → fulfilled → delivered, or denied.

use serde::{Deserialize, Serialize};

use crate::ids::{ClientId, OrganizationId, RecordRequestId, RevisionId};
use crate::pii::Pii;
use crate::time::{Date, Timestamp};

/// How the dashboard reaches the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeliveryMethod {
    /// The client (or trusted contact) picks it up at the agency.
    InPersonPickup,
    /// Encrypted or password-protected email.
    EncryptedEmail,
}

/// Who receives the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Recipient {
    /// The client.
    Client {
        /// Email address for encrypted delivery; empty for pickup.
        email: Pii<String>,
    },
    /// Someone the client approved: case manager, advocate, friend.
    TrustedContact {
        /// Their name.
        name: Pii<String>,
        /// Email address for encrypted delivery; empty for pickup.
        email: Pii<String>,
    },
}

/// When someone other than the client asks: a parent or guardian of a minor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GuardianRelationship {
    /// Parent of the minor client.
    Parent,
    /// Legal guardian of the minor client.
    LegalGuardian,
}

/// An agency administrator submitted a request, naming the client by HMIS id only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRequestSubmitted {
    /// The new request.
    pub request_id: RecordRequestId,
    /// The client whose record is requested.
    pub client_id: ClientId,
    /// The agency that received the request and will hand over the dashboard.
    pub organization_id: OrganizationId,
    /// Delivery method agreed with the client.
    pub delivery: DeliveryMethod,
    /// Who receives it.
    pub recipient: Recipient,
    /// Set when a parent or guardian asks for a minor's record.
    pub requester_relationship: Option<GuardianRelationship>,
    /// When the client asked.
    pub submitted: Timestamp,
    /// Deadline: five business days after the request.
    pub due: Date,
}

/// The help desk started producing the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRequestStarted {
    /// The request.
    pub request_id: RecordRequestId,
}

/// The dashboard was produced from the log as of `frozen_position`, so it can be
/// reproduced exactly later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRequestFulfilled {
    /// The request.
    pub request_id: RecordRequestId,
    /// Global log position the dashboard reflects.
    pub frozen_position: u64,
}

/// The dashboard was handed over (schema 2; schema 1 had neither `client_id` nor `reason`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRequestDelivered {
    /// The request.
    pub request_id: RecordRequestId,
    /// How it was delivered.
    pub method: DeliveryMethod,
    /// When.
    pub at: Timestamp,
    /// The client, whose key seals the reason. Always set since schema 2; `None` only for a
    /// schema 1 event, which holds no reason.
    pub client_id: Option<ClientId>,
    /// Why the dashboard went by another method than the one agreed with the client (free text
    /// about the client, hence PII); `None` when it went as agreed. An `Option` outside `Pii`
    /// because its absence hides nothing: the agreed and the used methods are both on record.
    pub reason: Option<Pii<String>>,
}

/// The request was denied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRequestDenied {
    /// The request.
    pub request_id: RecordRequestId,
    /// The client (whose key seals the reason).
    pub client_id: ClientId,
    /// Why (free text about the client, hence PII).
    pub reason: Pii<String>,
}

/// While reviewing the dashboard the client asked for a correction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRevisionRequested {
    /// The request.
    pub request_id: RecordRequestId,
    /// The client (whose key seals the description).
    pub client_id: ClientId,
    /// This revision.
    pub revision_id: RevisionId,
    /// Dashboard section, e.g. "Client Profile", "Client Documentation".
    pub section: String,
    /// What the client wants changed.
    pub description: Pii<String>,
}
