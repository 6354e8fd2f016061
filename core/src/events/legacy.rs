//! Retired payload shapes, each with its upcaster (`From<..> for Event`), kept so that bytes
//! written at an older schema version keep decoding ([`crate::envelope`]'s `decode_payload`
//! picks the shape by the stored version).
//!
//! In one file apart from the current payloads because an upcaster builds an [`Event`], and the
//! event catalog is built from the current payloads: the old shapes sit above both.

use serde::{Deserialize, Serialize};

use super::Event;
use super::client::{Address, ClientIntakeRecorded, PersonName};
use super::disclosure::{ClientDisclosure, DeniedLookup, QueryDigest, RecordsAccessed};
use super::record_request::{DeliveryMethod, RecordRequestDelivered};
use super::setup::TokenIssued;
use crate::hud::{
    DataQuality, Gender, HashStatus, MissingReason, NoYesReasons, RaceEthnicity, Sex,
};
use crate::ids::{ClientId, OrganizationId, RecordRequestId, RequestId, TokenId, UserId};
use crate::pii::Pii;
use crate::sharing::ClientRestriction;
use crate::time::{Date, Timestamp};

/// `RecordsAccessed` schema 1: without `purpose`, an unkeyed SHA-256.
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

impl From<RecordsAccessedV1> for Event {
    fn from(v1: RecordsAccessedV1) -> Self {
        RecordsAccessed {
            request_id: v1.request_id,
            date: v1.date,
            operation: v1.operation,
            query_digest: QueryDigest::Sha256(v1.query_sha256),
            view_position: v1.view_position,
            clients: v1.clients,
            denied: v1.denied,
            purpose: None,
        }
        .into()
    }
}

/// `RecordsAccessed` schema 2: the purpose in clear (`""` for none), an unkeyed SHA-256.
/// Records of this shape keep their reason readable forever: it cannot be sealed after the
/// fact in an append-only log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordsAccessedV2 {
    pub request_id: RequestId,
    pub date: Date,
    pub operation: String,
    pub query_sha256: [u8; 32],
    pub view_position: u64,
    pub clients: Vec<ClientDisclosure>,
    pub denied: Vec<DeniedLookup>,
    pub purpose: String,
}

impl From<RecordsAccessedV2> for Event {
    fn from(v2: RecordsAccessedV2) -> Self {
        RecordsAccessed {
            request_id: v2.request_id,
            date: v2.date,
            operation: v2.operation,
            query_digest: QueryDigest::Sha256(v2.query_sha256),
            view_position: v2.view_position,
            clients: v2.clients,
            denied: v2.denied,
            purpose: (!v2.purpose.is_empty()).then(|| Pii::new(v2.purpose)),
        }
        .into()
    }
}

/// `RecordRequestDelivered` schema 1: no client, no reason (the method used was never
/// checked against the one agreed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRequestDeliveredV1 {
    pub request_id: RecordRequestId,
    pub method: DeliveryMethod,
    pub at: Timestamp,
}

impl From<RecordRequestDeliveredV1> for Event {
    fn from(v1: RecordRequestDeliveredV1) -> Self {
        RecordRequestDelivered {
            request_id: v1.request_id,
            method: v1.method,
            at: v1.at,
            client_id: None,
            reason: None,
        }
        .into()
    }
}

/// `MouChanged` schema 1: before dated changes (every change applied on every date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MouChangedV1 {
    pub mou_id: crate::ids::MouId,
    pub title: String,
    pub participants: Vec<super::MouParticipant>,
    pub window: crate::time::DateWindow,
}

impl From<MouChangedV1> for Event {
    fn from(v1: MouChangedV1) -> Self {
        super::MouChanged {
            mou_id: v1.mou_id,
            title: v1.title,
            participants: v1.participants,
            window: v1.window,
            effective: None,
        }
        .into()
    }
}

/// `ClientIntakeRecorded` schema 1: before hashed identifiers (every intake's are values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientIntakeRecordedV1 {
    pub client_id: ClientId,
    pub organization_id: OrganizationId,
    pub name: Pii<PersonName>,
    pub name_data_quality: DataQuality,
    pub ssn: Pii<String>,
    pub ssn_data_quality: DataQuality,
    pub dob: Pii<Option<Date>>,
    pub dob_data_quality: DataQuality,
    pub race_ethnicity: Vec<RaceEthnicity>,
    pub race_none: Option<MissingReason>,
    pub additional_race_ethnicity: Pii<String>,
    pub sex: Option<Sex>,
    pub genders: Vec<Gender>,
    pub gender_none: Option<MissingReason>,
    pub different_identity_text: Pii<String>,
    pub veteran_status: NoYesReasons,
    pub address: Pii<Option<Address>>,
    pub restriction: ClientRestriction,
    pub source_id: Option<String>,
}

impl From<ClientIntakeRecordedV1> for Event {
    fn from(v1: ClientIntakeRecordedV1) -> Self {
        ClientIntakeRecorded {
            client_id: v1.client_id,
            organization_id: v1.organization_id,
            name: v1.name,
            name_data_quality: v1.name_data_quality,
            ssn: v1.ssn,
            ssn_data_quality: v1.ssn_data_quality,
            dob: v1.dob,
            dob_data_quality: v1.dob_data_quality,
            race_ethnicity: v1.race_ethnicity,
            race_none: v1.race_none,
            additional_race_ethnicity: v1.additional_race_ethnicity,
            sex: v1.sex,
            genders: v1.genders,
            gender_none: v1.gender_none,
            different_identity_text: v1.different_identity_text,
            veteran_status: v1.veteran_status,
            address: v1.address,
            restriction: v1.restriction,
            source_id: v1.source_id,
            hash_status: HashStatus::Unhashed,
        }
        .into()
    }
}

/// `TokenIssued` schema 1: without a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenIssuedV1 {
    pub token_id: TokenId,
    pub user_id: UserId,
    pub token_hash: [u8; 32],
    pub expires: Option<Timestamp>,
}

impl From<TokenIssuedV1> for Event {
    fn from(v1: TokenIssuedV1) -> Self {
        TokenIssued {
            token_id: v1.token_id,
            user_id: v1.user_id,
            token_hash: v1.token_hash,
            expires: v1.expires,
            name: String::new(),
        }
        .into()
    }
}
