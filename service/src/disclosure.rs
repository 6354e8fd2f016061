//! Writing disclosure records: what a response showed, appended before the response leaves.
//!
//! The interface (GraphQL, the dashboard page, the CLI, the HMIS export) collects what it
//! showed as a [`Disclosure`] with the request's text; the service turns it into the
//! `RecordsAccessed` event: it digests the request under the query digest key (the interface
//! never holds a key) and gives a stated purpose to the record's own key to be sealed under.
//!
//! That key ([`KeyOwner::Disclosure`]) is destroyed when any client the record names is
//! forgotten, and by the retention rule. A purpose stated about a client already forgotten is
//! recorded as erased at once. The two races with forgetting are closed: a record appended
//! before the forgetting's sweep of the client's records is folded by then (the sweep waits
//! for the log head), and one appended after finds the client forgotten and destroys its own
//! key.

use caseledger_core::events::{ClientDisclosure, DeniedLookup, RecordsAccessed};
use caseledger_core::pii::KeyOwner;
use caseledger_core::{
    ClientId, CorrelationId, Date, Envelope, Event, EventId, Header, Pii, RequestId,
};

use crate::Session;
use crate::{Service, ServiceError};

/// What one response disclosed, as the interface collected it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    /// The API request (or export, or page) it answered.
    pub request_id: RequestId,
    /// The business date the sharing rules were applied on.
    pub date: Date,
    /// The operation's name.
    pub operation: String,
    /// The request's query document as received: digested, never stored.
    pub query: String,
    /// The request's variables (JSON) as received: digested, never stored.
    pub variables: String,
    /// Global log position the view reflected.
    pub view_position: u64,
    /// Clients shown.
    pub clients: Vec<ClientDisclosure>,
    /// Lookups answered "not found".
    pub denied: Vec<DeniedLookup>,
    /// The reason the user had to state, if they had to (sealed at rest).
    pub purpose: Option<String>,
}

impl Disclosure {
    /// Every id the record names, shown or denied.
    fn named(&self) -> impl Iterator<Item = ClientId> + '_ {
        self.clients
            .iter()
            .map(|c| c.client_id)
            .chain(self.denied.iter().map(|d| ClientId::new(d.client_id)))
    }
}

impl Service {
    /// Appends a disclosure record for `actor` and waits until it is durable. Not a command:
    /// reads do not queue behind writes, and a disclosure is group-committed with whatever
    /// else is being appended. The caller sends no client data unless this succeeds.
    pub async fn record_access(
        &self,
        session: &Session,
        disclosure: Disclosure,
    ) -> Result<u64, ServiceError> {
        let actor = session.actor();
        let event_id = EventId::from_ulid(ulid::Ulid::new());
        let any_forgotten = || {
            let named: Vec<ClientId> = disclosure.named().collect();
            self.keys_forgotten(&named)
        };
        let sealed_purpose = disclosure.purpose.is_some() && !any_forgotten();
        let purpose = disclosure.purpose.as_ref().map(|text| {
            if sealed_purpose {
                Pii::new(text.clone())
            } else {
                Pii::Erased
            }
        });
        let access = RecordsAccessed {
            request_id: disclosure.request_id,
            date: disclosure.date,
            operation: disclosure.operation.clone(),
            query_digest: self.query_digest(&disclosure.query, &disclosure.variables),
            view_position: disclosure.view_position,
            clients: disclosure.clients.clone(),
            denied: disclosure.denied.clone(),
            purpose,
        };
        let header = Header {
            event_id,
            correlation_id: CorrelationId::from_ulid(disclosure.request_id.as_ulid()),
            recorded_at: self.now(),
            actor,
        };
        let positions = self
            .append_at(&[Envelope::new(header, Event::from(access))], None)
            .await?;
        metrics::counter!("caseledger_disclosures_written_total").increment(1);
        if sealed_purpose && any_forgotten() {
            // A client it names was forgotten while it was being written, after the forgetting
            // swept the client's records: the reason goes with the client.
            self.keys().forget(&[KeyOwner::Disclosure(event_id)])?;
        }
        Ok(positions.last().copied().unwrap_or_default())
    }

    /// Whether any of `clients` is forgotten (in the log as folded, or its key destroyed).
    fn keys_forgotten(&self, clients: &[ClientId]) -> bool {
        self.with_projections(|p| {
            let w = p.write_model();
            clients
                .iter()
                .any(|c| w.forgotten(*c) || self.keys().is_forgotten(*c))
        })
    }

    /// The keys to destroy with `clients`' own: those of every disclosure record naming one
    /// of them (only records that stated a purpose have one; the key store skips the rest).
    pub(crate) fn disclosure_keys_naming(
        &self,
        clients: &[ClientId],
    ) -> Result<Vec<KeyOwner>, ServiceError> {
        let mut positions: Vec<u64> = self.with_projections(|p| {
            let w = p.write_model();
            clients
                .iter()
                .flat_map(|c| w.disclosures_naming(*c).iter().copied())
                .collect()
        });
        positions.sort_unstable();
        positions.dedup();
        crate::disclosure_keys::disclosure_owners(&*self.log(), &positions)
    }
}
