//! The event catalog: every fact the log records, one payload struct per event.
//!
//! # Format rules (the log is permanent)
//!
//! Payloads are encoded with bincode (standard config), which is not self-describing:
//! bytes mean something only together with the payload's exact shape. Therefore:
//!
//! - Never reorder, remove, rename-by-reordering or retype a field of a payload struct,
//!   and never reorder or remove an enum variant. New enum variants go at the end.
//! - Any other change to a payload's shape (adding a field included) is a new schema
//!   version: bump the version in the catalog below, keep the old struct in a legacy
//!   module, and add one upcaster arm in [`crate::envelope`]'s `decode_payload`.
//! - Event type codes are permanent: never reuse or renumber one; new events take the next
//!   unused code.
//! - bincode 2 cannot represent `#[serde(flatten)]`, `skip_serializing_if`, internally
//!   tagged or untagged enums, or self-describing values such as `serde_json::Value`; do not
//!   use them in payloads.
//!
//! The [`Event`] enum itself is never serialized: the envelope stores the event type code
//! and schema version, which select the payload type to decode. The Rust variant order of
//! `Event` is therefore free.

pub(crate) mod casework;
mod client;
mod corrections;
mod disclosure;
mod elements;
mod enrollment;
mod facility;
mod household;
pub(crate) mod legacy;
mod merges;
mod record_request;
mod setup;
mod sharing;
mod voids;

use std::fmt;
use std::str::FromStr;

pub use casework::*;
pub use client::*;
pub use corrections::*;
pub use disclosure::{
    ClientDisclosure, DeniedLookup, DisclosedRecord, QueryDigest, RecordsAccessed,
};
pub use elements::*;
pub use enrollment::*;
pub use facility::*;
pub use household::*;
pub use merges::*;
pub use record_request::*;
pub use setup::*;
pub use sharing::*;
pub use voids::*;

use crate::ids::ClientId;
use crate::stream::StreamId;

macro_rules! event_catalog {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, schema $version:literal; )+) => {
        /// Every fact the log records: one variant per event type, holding its payload.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Event {
            $( $(#[$doc])* $name($name), )+
        }

        /// The type of an event, with its permanent numeric code (stored in every envelope).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(u16)]
        pub enum EventType {
            $( $(#[$doc])* $name = $code, )+
        }

        impl EventType {
            /// Every event type, in code order.
            pub const ALL: &'static [EventType] = &[$(EventType::$name),+];

            /// The permanent numeric code stored in envelopes.
            pub const fn code(self) -> u16 {
                self as u16
            }

            /// The event type with code `code`, or `None` if no such type exists (in this
            /// build).
            pub const fn from_code(code: u16) -> Option<Self> {
                match code {
                    $($code => Some(EventType::$name),)+
                    _ => None,
                }
            }

            /// The event type's name, e.g. `"ClientIntakeRecorded"` (also the golden fixture
            /// file name).
            pub const fn name(self) -> &'static str {
                match self {
                    $(EventType::$name => stringify!($name),)+
                }
            }

            /// The event type named `name`, or `None`.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $(stringify!($name) => Some(EventType::$name),)+
                    _ => None,
                }
            }

            /// The schema version this build writes for the event type. Every version from 1
            /// up to this one is readable (older ones through upcasters).
            pub const fn schema_version(self) -> u16 {
                match self {
                    $(EventType::$name => $version,)+
                }
            }
        }

        impl Event {
            /// The event's type.
            pub const fn event_type(&self) -> EventType {
                match self {
                    $(Event::$name(_) => EventType::$name,)+
                }
            }
        }

        $(
            impl From<$name> for Event {
                fn from(payload: $name) -> Self {
                    Event::$name(payload)
                }
            }
        )+

        /// Encodes the payload alone (not the enum) with the given config.
        pub(crate) fn encode_payload<C: bincode::config::Config>(
            event: &Event,
            out: &mut Vec<u8>,
            config: C,
        ) -> Result<(), bincode::error::EncodeError> {
            match event {
                $(Event::$name(payload) => {
                    bincode::serde::encode_into_std_write(payload, out, config).map(|_| ())
                })+
            }
        }

        /// Decodes a payload of the current schema version of `event_type`, returning the
        /// event and the number of bytes read.
        pub(crate) fn decode_current<C: bincode::config::Config>(
            event_type: EventType,
            bytes: &[u8],
            config: C,
        ) -> Result<(Event, usize), bincode::error::DecodeError> {
            match event_type {
                $(EventType::$name => decode_as::<$name, C>(bytes, config),)+
            }
        }
    };
}

/// Decodes a payload of type `P` and wraps it as an [`Event`] (also used by upcasters,
/// with `P` an old payload shape that converts into the current event).
pub(crate) fn decode_as<P, C>(
    bytes: &[u8],
    config: C,
) -> Result<(Event, usize), bincode::error::DecodeError>
where
    P: serde::de::DeserializeOwned + Into<Event>,
    C: bincode::config::Config,
{
    let (payload, read) = bincode::serde::decode_from_slice::<P, C>(bytes, config)?;
    Ok((payload.into(), read))
}

event_catalog! {
    /// An organization joined the HMIS.
    OrganizationCreated = 1, schema 1;
    /// An organization's details changed.
    OrganizationUpdated = 2, schema 1;
    /// A user account was created.
    UserCreated = 3, schema 1;
    /// A user's role changed.
    UserRoleChanged = 4, schema 1;
    /// A user account was deactivated.
    UserDeactivated = 5, schema 1;
    /// An API token was issued.
    TokenIssued = 6, schema 2;
    /// An API token was revoked.
    TokenRevoked = 7, schema 1;
    /// A program was created.
    ProgramCreated = 8, schema 1;
    /// The sharing policy was set.
    SharingPolicySet = 9, schema 1;
    /// A client's intake was recorded.
    ClientIntakeRecorded = 10, schema 2;
    /// A client's intake was edited or corrected.
    ClientIntakeEdited = 11, schema 1;
    /// A client's address changed.
    ClientAddressUpdated = 12, schema 1;
    /// A client's restriction changed.
    ClientRestrictionChanged = 13, schema 1;
    /// An MOU was created.
    MouCreated = 14, schema 1;
    /// An MOU was changed.
    MouChanged = 15, schema 2;
    /// A client was assigned to an MOU.
    MouAssigned = 16, schema 1;
    /// A client's MOU assignment ended.
    MouAssignmentEnded = 17, schema 1;
    /// A release exception was granted.
    ReleaseExceptionGranted = 18, schema 1;
    /// A release exception was revoked.
    ReleaseExceptionRevoked = 19, schema 1;
    /// A household was formed.
    HouseholdCreated = 20, schema 1;
    /// A client joined a household.
    HouseholdMemberAdded = 21, schema 1;
    /// A client left a household.
    HouseholdMemberRemoved = 22, schema 1;
    /// A client entered a program.
    ClientEnrolled = 23, schema 1;
    /// An enrollment's move-in date was set.
    EnrollmentMoveInSet = 24, schema 1;
    /// A client exited a program.
    EnrollmentExited = 25, schema 1;
    /// A service was recorded.
    ServiceRecorded = 26, schema 1;
    /// An assessment was recorded.
    AssessmentRecorded = 27, schema 1;
    /// A case note was added.
    CaseNoteAdded = 28, schema 1;
    /// A document was added.
    DocumentAdded = 29, schema 1;
    /// A facility was created.
    FacilityCreated = 30, schema 1;
    /// A room was added to a facility.
    RoomAdded = 31, schema 1;
    /// A bed was added to a room.
    BedAdded = 32, schema 1;
    /// A bed was reserved.
    BedReserved = 33, schema 1;
    /// A reservation was cancelled.
    ReservationCancelled = 34, schema 1;
    /// A client checked in.
    ClientCheckedIn = 35, schema 1;
    /// A client checked out.
    ClientCheckedOut = 36, schema 1;
    /// A client was barred.
    ClientBarred = 37, schema 1;
    /// A bar was lifted.
    BarLifted = 38, schema 1;
    /// A client record request was submitted.
    RecordRequestSubmitted = 39, schema 1;
    /// Work on a client record request started.
    RecordRequestStarted = 40, schema 1;
    /// A client record request's dashboard was produced.
    RecordRequestFulfilled = 41, schema 1;
    /// A client record request's dashboard was delivered.
    RecordRequestDelivered = 42, schema 2;
    /// A client record request was denied.
    RecordRequestDenied = 43, schema 1;
    /// A client asked for a revision of their record.
    RecordRevisionRequested = 44, schema 1;
    /// Client data was disclosed (or lookups denied) in an API response.
    RecordsAccessed = 45, schema 3;
    /// A client's identifiers were forgotten (their data key destroyed).
    ClientIdentifiersForgotten = 46, schema 1;
    /// The CoC's HUD code was set.
    CocCodeSet = 47, schema 1;
    /// HUD data elements of a record were recorded (imported or collected).
    HudElementsRecorded = 48, schema 1;
    /// A record was voided ("entered in error").
    RecordVoided = 49, schema 1;
    /// A record's void was undone.
    RecordUnvoided = 50, schema 1;
    /// A record's fields were corrected.
    RecordCorrected = 51, schema 1;
    /// A duplicate client was merged into a survivor.
    ClientsMerged = 52, schema 1;
    /// A merge was undone.
    ClientsUnmerged = 53, schema 1;
    /// An agency flagged a client it thinks is already in HMIS under another record.
    PossibleDuplicateFlagged = 54, schema 1;
    /// A pair of clients was marked "not a duplicate".
    DuplicatePairDismissed = 55, schema 1;
    /// A duplicate flag was reviewed and cleared.
    DuplicateFlagCleared = 56, schema 1;
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for EventType {
    type Err = UnknownEventTypeName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventType::from_name(s).ok_or(UnknownEventTypeName)
    }
}

/// A string is not the name of an event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown event type name")]
pub struct UnknownEventTypeName;

impl Event {
    /// The stream this event is appended to (see [`StreamId`]).
    pub fn stream(&self) -> StreamId {
        use StreamId as S;
        match self {
            Event::OrganizationCreated(e) => S::Organization(e.organization_id),
            Event::OrganizationUpdated(e) => S::Organization(e.organization_id),
            Event::UserCreated(e) => S::User(e.user_id),
            Event::UserRoleChanged(e) => S::User(e.user_id),
            Event::UserDeactivated(e) => S::User(e.user_id),
            Event::TokenIssued(e) => S::User(e.user_id),
            Event::TokenRevoked(e) => S::User(e.user_id),
            Event::ProgramCreated(e) => S::Program(e.program_id),
            Event::SharingPolicySet(_) => S::Policy,
            Event::CocCodeSet(_) => S::Policy,
            Event::ClientIntakeRecorded(e) => S::Client(e.client_id),
            Event::ClientIntakeEdited(e) => S::Client(e.client_id),
            Event::ClientAddressUpdated(e) => S::Client(e.client_id),
            Event::ClientRestrictionChanged(e) => S::Client(e.client_id),
            Event::MouCreated(e) => S::Mou(e.mou_id),
            Event::MouChanged(e) => S::Mou(e.mou_id),
            Event::MouAssigned(e) => S::Client(e.client_id),
            Event::MouAssignmentEnded(e) => S::Client(e.client_id),
            Event::ReleaseExceptionGranted(e) => S::Client(e.client_id),
            Event::ReleaseExceptionRevoked(e) => S::Client(e.client_id),
            Event::HouseholdCreated(e) => S::Household(e.household_id),
            Event::HouseholdMemberAdded(e) => S::Household(e.household_id),
            Event::HouseholdMemberRemoved(e) => S::Household(e.household_id),
            Event::ClientEnrolled(e) => S::Client(e.client_id),
            Event::EnrollmentMoveInSet(e) => S::Client(e.client_id),
            Event::EnrollmentExited(e) => S::Client(e.client_id),
            Event::ServiceRecorded(e) => S::Client(e.client_id),
            Event::AssessmentRecorded(e) => S::Client(e.client_id),
            Event::CaseNoteAdded(e) => S::Client(e.client_id),
            Event::DocumentAdded(e) => S::Client(e.client_id),
            Event::FacilityCreated(e) => S::Facility(e.facility_id),
            Event::RoomAdded(e) => S::Facility(e.facility_id),
            Event::BedAdded(e) => S::Facility(e.facility_id),
            Event::BedReserved(e) => S::Facility(e.facility_id),
            Event::ReservationCancelled(e) => S::Facility(e.facility_id),
            Event::ClientCheckedIn(e) => S::Facility(e.facility_id),
            Event::ClientCheckedOut(e) => S::Facility(e.facility_id),
            Event::ClientBarred(e) => S::Client(e.client_id),
            Event::BarLifted(e) => S::Client(e.client_id),
            Event::RecordRequestSubmitted(e) => S::Request(e.request_id),
            Event::RecordRequestStarted(e) => S::Request(e.request_id),
            Event::RecordRequestFulfilled(e) => S::Request(e.request_id),
            Event::RecordRequestDelivered(e) => S::Request(e.request_id),
            Event::RecordRequestDenied(e) => S::Request(e.request_id),
            Event::RecordRevisionRequested(e) => S::Request(e.request_id),
            Event::RecordsAccessed(e) => S::Access(e.date),
            Event::ClientIdentifiersForgotten(e) => S::Client(e.client_id),
            // Rows about no client go with the policy: they describe the HMIS itself.
            Event::HudElementsRecorded(e) => match e.client_id {
                Some(client) => S::Client(client),
                None => S::Policy,
            },
            Event::RecordVoided(e) => S::Client(e.client_id),
            Event::RecordUnvoided(e) => S::Client(e.client_id),
            Event::RecordCorrected(e) => S::Client(e.client_id),
            Event::ClientsMerged(e) => S::Client(e.duplicate_id),
            Event::ClientsUnmerged(e) => S::Client(e.duplicate_id),
            Event::PossibleDuplicateFlagged(e) => S::Client(e.client_id),
            Event::DuplicatePairDismissed(e) => S::Client(e.first),
            Event::DuplicateFlagCleared(e) => S::Client(e.client_id),
        }
    }

    /// The one client this event is about, where the payload names one (for a household,
    /// its head). Every event carrying [`Pii`](crate::Pii) names its client, whose key will
    /// seal it — except disclosure records, about no client or many, whose stated purpose is
    /// sealed under their own key (see [`Envelope::key_owner`](crate::Envelope::key_owner)).
    /// `None` for events about no client or many.
    pub fn client(&self) -> Option<ClientId> {
        match self {
            Event::OrganizationCreated(_)
            | Event::OrganizationUpdated(_)
            | Event::UserCreated(_)
            | Event::UserRoleChanged(_)
            | Event::UserDeactivated(_)
            | Event::TokenIssued(_)
            | Event::TokenRevoked(_)
            | Event::ProgramCreated(_)
            | Event::SharingPolicySet(_)
            | Event::CocCodeSet(_)
            | Event::MouCreated(_)
            | Event::MouChanged(_)
            | Event::FacilityCreated(_)
            | Event::RoomAdded(_)
            | Event::BedAdded(_)
            | Event::RecordRequestStarted(_)
            | Event::RecordRequestFulfilled(_)
            | Event::RecordsAccessed(_) => None,
            Event::RecordRequestDelivered(e) => e.client_id,
            Event::ClientIntakeRecorded(e) => Some(e.client_id),
            Event::ClientIntakeEdited(e) => Some(e.client_id),
            Event::ClientAddressUpdated(e) => Some(e.client_id),
            Event::ClientRestrictionChanged(e) => Some(e.client_id),
            Event::MouAssigned(e) => Some(e.client_id),
            Event::MouAssignmentEnded(e) => Some(e.client_id),
            Event::ReleaseExceptionGranted(e) => Some(e.client_id),
            Event::ReleaseExceptionRevoked(e) => Some(e.client_id),
            Event::HouseholdCreated(e) => Some(e.head),
            Event::HouseholdMemberAdded(e) => Some(e.client_id),
            Event::HouseholdMemberRemoved(e) => Some(e.client_id),
            Event::ClientEnrolled(e) => Some(e.client_id),
            Event::EnrollmentMoveInSet(e) => Some(e.client_id),
            Event::EnrollmentExited(e) => Some(e.client_id),
            Event::ServiceRecorded(e) => Some(e.client_id),
            Event::AssessmentRecorded(e) => Some(e.client_id),
            Event::CaseNoteAdded(e) => Some(e.client_id),
            Event::DocumentAdded(e) => Some(e.client_id),
            Event::BedReserved(e) => Some(e.client_id),
            Event::ReservationCancelled(e) => Some(e.client_id),
            Event::ClientCheckedIn(e) => Some(e.client_id),
            Event::ClientCheckedOut(e) => Some(e.client_id),
            Event::ClientBarred(e) => Some(e.client_id),
            Event::BarLifted(e) => Some(e.client_id),
            Event::RecordRequestSubmitted(e) => Some(e.client_id),
            Event::RecordRequestDenied(e) => Some(e.client_id),
            Event::RecordRevisionRequested(e) => Some(e.client_id),
            Event::ClientIdentifiersForgotten(e) => Some(e.client_id),
            Event::HudElementsRecorded(e) => e.client_id,
            Event::RecordVoided(e) => Some(e.client_id),
            Event::RecordUnvoided(e) => Some(e.client_id),
            Event::RecordCorrected(e) => Some(e.client_id),
            Event::ClientsMerged(e) => Some(e.duplicate_id),
            Event::ClientsUnmerged(e) => Some(e.duplicate_id),
            Event::PossibleDuplicateFlagged(e) => Some(e.client_id),
            Event::DuplicatePairDismissed(e) => Some(e.first),
            Event::DuplicateFlagCleared(e) => Some(e.client_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_are_unique_dense_and_round_trip() {
        let codes: BTreeSet<u16> = EventType::ALL.iter().map(|t| t.code()).collect();
        assert_eq!(codes.len(), EventType::ALL.len());
        assert_eq!(codes, (1..=EventType::ALL.len() as u16).collect());
        for &t in EventType::ALL {
            assert_eq!(EventType::from_code(t.code()), Some(t));
            assert_eq!(EventType::from_name(t.name()), Some(t));
            assert_eq!(t.to_string().parse::<EventType>(), Ok(t));
            assert!(t.schema_version() >= 1);
        }
        assert_eq!(EventType::from_code(0), None);
        assert_eq!(EventType::from_code(57), None);
        assert_eq!(
            EventType::ClientIntakeRecorded.name(),
            "ClientIntakeRecorded"
        );
        assert_eq!(EventType::RecordsAccessed.code(), 45);
    }

    #[test]
    fn stream_of_a_token_is_its_user() {
        let event = Event::from(TokenRevoked {
            token_id: crate::TokenId::new(9),
            user_id: crate::UserId::new(3),
        });
        assert_eq!(event.stream(), StreamId::User(crate::UserId::new(3)));
        assert_eq!(event.event_type(), EventType::TokenRevoked);
        assert_eq!(event.client(), None);
    }
}
