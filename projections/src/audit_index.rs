//! Where in the log the auditors' answers are: the positions of every event about each client,
//! of the events every visibility question depends on (policies, MOUs), and of the disclosure
//! records by client and by user. Positions only: the events themselves are read from the log,
//! so the index costs 8 bytes per event, not a copy of the log.

use rustc_hash::FxHashMap as HashMap;

use caseledger_core::events::Event;
use caseledger_core::{ClientId, RecordRequestId, UserId};
use serde::{Deserialize, Serialize};

/// Positions for audit queries.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct AuditIndex {
    /// Every event about a client (as `Event::client` names it, record-request follow-ups
    /// included), in log order.
    pub client_events: HashMap<ClientId, Vec<u64>>,
    /// Policy and MOU events, in log order.
    pub sharing_events: Vec<u64>,
    /// Every disclosure record, in log order.
    pub disclosures: Vec<u64>,
    /// Disclosure records naming a client (shown or denied), in log order.
    pub disclosures_by_client: HashMap<u128, Vec<u64>>,
    /// Disclosure records by the user who was shown the data, in log order.
    pub disclosures_by_user: HashMap<UserId, Vec<u64>>,
    /// Which client a record request is about (its follow-ups do not name the client).
    request_clients: HashMap<RecordRequestId, ClientId>,
}

impl AuditIndex {
    /// Notes the event at `position`, recorded by `actor` when known.
    pub(crate) fn note(&mut self, position: u64, actor: Option<UserId>, event: &Event) {
        let request = |id: &RecordRequestId| self.request_clients.get(id).copied();
        let client = match event {
            Event::RecordRequestSubmitted(s) => {
                self.request_clients.insert(s.request_id, s.client_id);
                Some(s.client_id)
            }
            Event::RecordRequestStarted(e) => request(&e.request_id),
            Event::RecordRequestFulfilled(e) => request(&e.request_id),
            Event::RecordRequestDelivered(e) => request(&e.request_id),
            Event::SharingPolicySet(_)
            | Event::CocCodeSet(_)
            | Event::MouCreated(_)
            | Event::MouChanged(_) => {
                self.sharing_events.push(position);
                None
            }
            Event::RecordsAccessed(r) => {
                self.disclosures.push(position);
                let mut named: Vec<u128> = r
                    .clients
                    .iter()
                    .map(|c| c.client_id.as_u128())
                    .chain(r.denied.iter().map(|d| d.client_id))
                    .collect();
                named.sort_unstable();
                named.dedup();
                for id in named {
                    self.disclosures_by_client
                        .entry(id)
                        .or_default()
                        .push(position);
                }
                if let Some(user) = actor {
                    self.disclosures_by_user
                        .entry(user)
                        .or_default()
                        .push(position);
                }
                None
            }
            other => other.client(),
        };
        if let Some(client) = client {
            self.client_events.entry(client).or_default().push(position);
        }
    }
}
