//! Write-before-respond disclosure recording.
//!
//! Every resolver that puts client data into a response notes here what it showed (client,
//! record kind and id, the fields selected, the rule that allowed it, deliberate or
//! incidental), and every lookup of an id the viewer may not see is noted as denied. After the
//! operation ran, the handler appends one `RecordsAccessed` event with all of it and sends the
//! response only once that event is durable; if it cannot be written, the client gets an error
//! instead of the data. The request's text goes to the service with it: the service digests
//! it (under a key this crate never holds) and seals a stated purpose.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_graphql::Context;
use caseledger_core::events::{ClientDisclosure, DeniedLookup, DisclosedRecord};
use caseledger_core::{AccessReason, ClientId, Date, RecordKind, RequestId};
use caseledger_service::Disclosure;

/// What one request disclosed so far.
#[derive(Default)]
pub struct Disclosures {
    collected: Mutex<Collected>,
}

#[derive(Default)]
struct Collected {
    clients: BTreeMap<ClientId, ClientEntry>,
    denied: Vec<DeniedLookup>,
    view_position: u64,
    purpose: Option<String>,
}

#[derive(Default)]
struct ClientEntry {
    deliberate: bool,
    /// In first-shown order.
    records: Vec<Shown>,
}

/// One record shown: its kind and id, the fields and the rule that allowed it.
pub struct Shown {
    /// The kind of record.
    pub kind: RecordKind,
    /// The record's id (the client's own id for its intake).
    pub id: u128,
    /// The fields of the record the response selected.
    pub fields: Vec<String>,
    /// The sharing rule that allowed the viewer to see it.
    pub reason: AccessReason,
}

impl Disclosures {
    /// Notes that `record` of `client` was shown (opened by id when `deliberate`), as of log
    /// position `position`.
    pub fn shown(&self, client: ClientId, deliberate: bool, record: Shown, position: u64) {
        let Shown {
            kind,
            id: record,
            fields,
            reason,
        } = record;
        let mut c = self.collected.lock().expect("disclosures lock");
        c.view_position = c.view_position.max(position);
        let entry = c.clients.entry(client).or_default();
        entry.deliberate |= deliberate;
        match entry
            .records
            .iter_mut()
            .find(|s| s.kind == kind && s.id == record)
        {
            Some(known) => {
                for f in fields {
                    if !known.fields.contains(&f) {
                        known.fields.push(f);
                    }
                }
            }
            None => entry.records.push(Shown {
                kind,
                id: record,
                fields,
                reason,
            }),
        }
    }

    /// Records why the user looked (a stated reason), kept with the disclosure.
    pub fn purpose(&self, purpose: &str) {
        self.collected.lock().expect("disclosures lock").purpose = Some(purpose.to_string());
    }

    /// Notes a lookup answered "not found".
    pub fn denied(&self, id: u128, operation: &str, position: u64) {
        let mut c = self.collected.lock().expect("disclosures lock");
        c.view_position = c.view_position.max(position);
        c.denied.push(DeniedLookup {
            client_id: id,
            operation: operation.to_string(),
        });
    }

    /// The disclosure of the request (what was noted so far, with the request's query and
    /// variables for the service to digest), or `None` when nothing was shown or denied.
    pub fn take_event(
        &self,
        request_id: RequestId,
        date: Date,
        operation: &str,
        query: &str,
        variables: &str,
    ) -> Option<Disclosure> {
        // Taken, not consumed: whoever else still holds the collector cannot make this
        // request's disclosures disappear.
        let c = std::mem::take(&mut *self.collected.lock().expect("disclosures lock"));
        if c.clients.is_empty() && c.denied.is_empty() {
            return None;
        }
        Some(Disclosure {
            request_id,
            date,
            operation: operation.to_string(),
            query: query.to_string(),
            variables: variables.to_string(),
            view_position: c.view_position,
            clients: c
                .clients
                .into_iter()
                .map(|(client_id, e)| ClientDisclosure {
                    client_id,
                    deliberate: e.deliberate,
                    records: e
                        .records
                        .into_iter()
                        .map(|s| DisclosedRecord {
                            kind: s.kind,
                            record_id: s.id,
                            fields: s.fields,
                            reason: s.reason,
                        })
                        .collect(),
                })
                .collect(),
            denied: c.denied,
            purpose: c.purpose,
        })
    }
}

/// The request's collector.
pub fn of<'a>(ctx: &Context<'a>) -> &'a Disclosures {
    ctx.data_unchecked::<std::sync::Arc<Disclosures>>()
}

/// Names of the fields selected under the current field (fragments flattened), skipping
/// `__typename`.
pub fn selected(ctx: &Context<'_>) -> Vec<String> {
    let mut names: Vec<String> = ctx
        .field()
        .selection_set()
        .map(|f| f.name().to_string())
        .filter(|n| n != "__typename")
        .collect();
    names.sort();
    names.dedup();
    names
}
