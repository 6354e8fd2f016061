//! Client record requests as the help desk queue and the command processor see them.

use std::collections::BTreeMap;

use caseledger_core::events::{DeliveryMethod, Event, GuardianRelationship, Recipient};
use caseledger_core::{
    ClientId, Date, OrganizationId, Pii, RecordRequestId, RevisionId, Timestamp,
};
use serde::{Deserialize, Serialize};

/// Where a request is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RequestStatus {
    /// Submitted by the agency, not yet picked up.
    Submitted,
    /// The help desk is producing the dashboard.
    InProgress,
    /// The dashboard was produced (frozen at a log position).
    Fulfilled,
    /// The agency handed the dashboard over.
    Delivered,
    /// Denied, with a reason.
    Denied,
}

/// A client record request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestFacts {
    /// The request.
    pub id: RecordRequestId,
    /// Whose record.
    pub client: ClientId,
    /// The agency that submitted it and hands the dashboard over.
    pub organization: OrganizationId,
    /// How the dashboard reaches the client.
    pub delivery: DeliveryMethod,
    /// Who receives it.
    pub recipient: Recipient,
    /// Set when a parent or guardian asked for a minor's record.
    pub requester_relationship: Option<GuardianRelationship>,
    /// When the client asked.
    pub submitted: Timestamp,
    /// Five business days after.
    pub due: Date,
    /// Where it is.
    pub status: RequestStatus,
    /// The log position the dashboard reflects, once fulfilled.
    pub frozen_position: Option<u64>,
    /// When and how it was delivered.
    pub delivered: Option<(DeliveryMethod, Timestamp)>,
    /// Why it was delivered by another method than the one agreed (`None` when as agreed).
    pub delivery_reason: Option<Pii<String>>,
    /// Why the help desk denied it.
    pub denial_reason: Option<Pii<String>>,
    /// Revisions the client asked for, in order.
    pub revisions: Vec<RevisionFacts>,
}

/// A revision the client asked for while reviewing the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionFacts {
    /// The revision.
    pub id: RevisionId,
    /// The dashboard section.
    pub section: String,
    /// What the client wants changed.
    pub description: Pii<String>,
}

impl RequestFacts {
    /// Still waiting for the help desk (submitted or in progress).
    pub fn is_open(&self) -> bool {
        matches!(
            self.status,
            RequestStatus::Submitted | RequestStatus::InProgress
        )
    }

    /// Open and past its due date on `today`.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.is_open() && self.due < today
    }
}

/// Every request, by id.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct RecordRequests {
    pub by_id: BTreeMap<RecordRequestId, RequestFacts>,
}

impl RecordRequests {
    /// Erases the recipients (names, email addresses) and the texts (reasons, revision
    /// descriptions) of `client`'s requests.
    pub(crate) fn forget(&mut self, client: ClientId) {
        let erase = |text: &mut Option<Pii<String>>| {
            if let Some(t) = text {
                *t = Pii::Erased;
            }
        };
        for facts in self.by_id.values_mut().filter(|f| f.client == client) {
            facts.recipient = caseledger_core::pii::erased_copy(&facts.recipient);
            erase(&mut facts.delivery_reason);
            erase(&mut facts.denial_reason);
            for r in &mut facts.revisions {
                r.description = Pii::Erased;
            }
        }
    }

    pub(crate) fn apply(&mut self, event: &Event) {
        let status = |r: &mut Self, id, status| {
            if let Some(f) = r.by_id.get_mut(id) {
                f.status = status;
            }
        };
        match event {
            Event::RecordRequestSubmitted(s) => {
                self.by_id.insert(
                    s.request_id,
                    RequestFacts {
                        id: s.request_id,
                        client: s.client_id,
                        organization: s.organization_id,
                        delivery: s.delivery,
                        recipient: s.recipient.clone(),
                        requester_relationship: s.requester_relationship,
                        submitted: s.submitted,
                        due: s.due,
                        status: RequestStatus::Submitted,
                        frozen_position: None,
                        delivered: None,
                        delivery_reason: None,
                        denial_reason: None,
                        revisions: Vec::new(),
                    },
                );
            }
            Event::RecordRequestStarted(e) => {
                status(self, &e.request_id, RequestStatus::InProgress)
            }
            Event::RecordRequestFulfilled(e) => {
                status(self, &e.request_id, RequestStatus::Fulfilled);
                if let Some(f) = self.by_id.get_mut(&e.request_id) {
                    f.frozen_position = Some(e.frozen_position);
                }
            }
            Event::RecordRequestDelivered(e) => {
                status(self, &e.request_id, RequestStatus::Delivered);
                if let Some(f) = self.by_id.get_mut(&e.request_id) {
                    f.delivered = Some((e.method, e.at));
                    f.delivery_reason = e.reason.clone();
                }
            }
            Event::RecordRequestDenied(e) => {
                status(self, &e.request_id, RequestStatus::Denied);
                if let Some(f) = self.by_id.get_mut(&e.request_id) {
                    f.denial_reason = Some(e.reason.clone());
                }
            }
            Event::RecordRevisionRequested(e) => {
                if let Some(f) = self.by_id.get_mut(&e.request_id) {
                    f.revisions.push(RevisionFacts {
                        id: e.revision_id,
                        section: e.section.clone(),
                        description: e.description.clone(),
                    });
                }
            }
            _ => {}
        }
    }
}
