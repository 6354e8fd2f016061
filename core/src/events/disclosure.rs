//! Disclosure records: who was shown which client data, when, and why.
//!
//! One `RecordsAccessed` is appended for every API response that reveals client data,
//! before the response leaves the server. The actor (user, organization, role) comes from
//! the envelope. No values are recorded, only record ids and field names.

use serde::{Deserialize, Serialize};

use crate::ids::{ClientId, RequestId};
use crate::sharing_types::{AccessReason, RecordKind};
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
    /// SHA-256 of the normalized query document and variables.
    pub query_sha256: [u8; 32],
    /// Global log position the view reflected.
    pub view_position: u64,
    /// Clients touched.
    pub clients: Vec<ClientDisclosure>,
    /// Lookups that were answered "not found".
    pub denied: Vec<DeniedLookup>,
    /// Why the data was looked at, when the user had to say (a help desk search by name
    /// states the agency's call it answers); empty otherwise. Added in schema 2.
    pub purpose: String,
}

/// Retired payload shapes, kept so old bytes keep decoding.
pub(crate) mod legacy {
    use serde::{Deserialize, Serialize};

    use super::{ClientDisclosure, DeniedLookup, RecordsAccessed};
    use crate::ids::RequestId;
    use crate::time::Date;

    /// `RecordsAccessed` schema 1: without `purpose`.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct RecordsAccessedV1 {
        pub request_id: RequestId,
        pub date: Date,
        pub operation: String,
        pub query_sha256: [u8; 32],
        pub view_position: u64,
        pub clients: Vec<ClientDisclosure>,
        pub denied: Vec<DeniedLookup>,
    }

    impl From<RecordsAccessedV1> for crate::events::Event {
        fn from(v1: RecordsAccessedV1) -> Self {
            RecordsAccessed {
                request_id: v1.request_id,
                date: v1.date,
                operation: v1.operation,
                query_sha256: v1.query_sha256,
                view_position: v1.view_position,
                clients: v1.clients,
                denied: v1.denied,
                purpose: String::new(),
            }
            .into()
        }
    }
}
