//! Disclosure records: who was shown which client data, when, and why.
//!
//! One `RecordsAccessed` is appended for every API response that reveals client data,
//! before the response leaves the server. The actor (user, organization, role) comes from
//! the envelope. No values are recorded, only record ids and field names — and, when the user
//! had to say why they looked, that reason, sealed under the record's own key (schema 3).

use serde::{Deserialize, Serialize};

use crate::ids::{ClientId, RequestId};
use crate::pii::Pii;
use crate::sharing::{AccessReason, RecordKind};
use crate::time::Date;

/// One record shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosedRecord {
    /// What kind of record.
    pub kind: RecordKind,
    /// Its id (the raw value of the record's typed id; the client id for `Intake`).
    pub record_id: u128,
    /// Names of the fields returned.
    pub fields: Vec<String>,
    /// The rule that allowed it.
    pub reason: AccessReason,
}

/// What was shown about one client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientDisclosure {
    /// The client.
    pub client_id: ClientId,
    /// `true` when the user opened this client; `false` for a row in a search or list.
    pub deliberate: bool,
    /// The records shown.
    pub records: Vec<DisclosedRecord>,
}

/// A lookup that found nothing the viewer may see (answered exactly like an unknown id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeniedLookup {
    /// The id asked for, which may not name any client.
    pub client_id: u128,
    /// The field or operation that asked.
    pub operation: String,
}

/// The digest of the request (query document and variables) a disclosure answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueryDigest {
    /// Schemas 1 and 2: plain SHA-256 of `query ‖ 0 ‖ variables`. Unkeyed, so anyone holding
    /// the log can test guesses against it (10,000 guesses give a searched SSN's last four):
    /// only records written before schema 3 hold one.
    Sha256([u8; 32]),
    /// Schema 3: HMAC-SHA256 of `query ‖ 0 ‖ variables` under a key derived from the master
    /// key. With the master key, an auditor can check that a given query and variables produced
    /// the record; without it, the digest says nothing.
    HmacSha256([u8; 32]),
}

/// An API response disclosed client data (or refused to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordsAccessed {
    /// The API request.
    pub request_id: RequestId,
    /// The business date (deployment time zone) at which the sharing rules were applied;
    /// names the `access-<date>` stream.
    pub date: Date,
    /// GraphQL operation name.
    pub operation: String,
    /// Digest of the query document and variables (keyed since schema 3).
    pub query_digest: QueryDigest,
    /// Global log position the view reflected.
    pub view_position: u64,
    /// Clients touched.
    pub clients: Vec<ClientDisclosure>,
    /// Lookups that were answered "not found".
    pub denied: Vec<DeniedLookup>,
    /// Why the data was looked at, when the user had to say (a help desk search by name
    /// states the agency's call it answers, which can name people); `None` otherwise. Sealed
    /// under the record's own key ([`KeyOwner::Disclosure`](crate::pii::KeyOwner)), which
    /// forgetting any client the record names destroys, and so does retention.
    ///
    /// `Option` outside `Pii`, against the usual rule, on purpose: whether a reason was stated
    /// follows from the operation (the help desk's name search always states one), so its
    /// absence hides nothing, and the many records without one need no key. Schema 2 stored it
    /// clear (`""` for none); schema 3 made it this.
    pub purpose: Option<Pii<String>>,
}
