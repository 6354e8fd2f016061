//! Identifiers of every entity in the log.
//!
//! Every id is a [ULID](https://github.com/ulid/spec): 128 bits, the first 48 of which are
//! a millisecond timestamp, so ids sort roughly by creation time and can be made by any node
//! without coordination. Each kind of entity has its own newtype so that a `ClientId` can
//! never be passed where an `EnrollmentId` is expected.
//!
//! In events an id is serialized as a plain `u128` (16 bytes or fewer in bincode's varint
//! encoding) rather than as the 26-character ULID text: compact, fast, and independent of the
//! `ulid` crate's own serde format. Text form (`Display`/`FromStr`) is the canonical ULID
//! Crockford base32 string, used in stream names, URLs and logs.
//!
//! `core` does not generate ids (generation needs a clock and randomness, which are IO);
//! callers build them with [`ulid::Ulid::new`] or a deterministic generator and wrap them with
//! `from_ulid`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ulid::Ulid;

use crate::parse::ParseError;

macro_rules! define_ids {
    ($( $(#[$meta:meta])* $name:ident => $label:literal ; )+) => {
        $(
            $(#[$meta])*
            #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
            pub struct $name(Ulid);

            impl $name {
                /// The kind of entity this id names, as used in error messages.
                pub const KIND: &'static str = $label;

                /// Wraps the raw 128-bit value of a ULID.
                pub const fn new(value: u128) -> Self {
                    Self(Ulid(value))
                }

                /// Wraps a ULID made by the caller (core never generates ids itself).
                pub const fn from_ulid(ulid: Ulid) -> Self {
                    Self(ulid)
                }

                /// The raw 128-bit value, as stored in events.
                pub const fn as_u128(self) -> u128 {
                    self.0 .0
                }

                /// The id as a [`Ulid`].
                pub const fn as_ulid(self) -> Ulid {
                    self.0
                }
            }

            impl fmt::Debug for $name {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    write!(f, "{}({})", stringify!($name), self.0)
                }
            }

            impl fmt::Display for $name {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    fmt::Display::fmt(&self.0, f)
                }
            }

            impl FromStr for $name {
                type Err = ParseError;

                fn from_str(s: &str) -> Result<Self, Self::Err> {
                    Ulid::from_string(s)
                        .map(Self)
                        .map_err(|_| ParseError::InvalidId { kind: $label })
                }
            }

            impl From<Ulid> for $name {
                fn from(ulid: Ulid) -> Self {
                    Self(ulid)
                }
            }

            impl From<$name> for Ulid {
                fn from(id: $name) -> Self {
                    id.0
                }
            }

            impl Serialize for $name {
                fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.serialize_u128(self.as_u128())
                }
            }

            impl<'de> Deserialize<'de> for $name {
                fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    u128::deserialize(deserializer).map(Self::new)
                }
            }
        )+
    };
}

define_ids! {
    /// An organization (agency) participating in the HMIS, including the CoC lead.
    OrganizationId => "organization";
    /// A person who signs in: case manager, administrator, help desk, auditor.
    UserId => "user";
    /// A program (HUD "project") run by an organization.
    ProgramId => "program";
    /// A client: a person served by participating organizations (HUD "PersonalID").
    ClientId => "client";
    /// An MOU (information release agreement) between organizations.
    MouId => "mou";
    /// One assignment of a client to an MOU, with its own window.
    MouAssignmentId => "MOU assignment";
    /// One release exception (client release of information) from one organization to another.
    ReleaseId => "release exception";
    /// A household: clients served together, one of whom is the head of household.
    HouseholdId => "household";
    /// One enrollment of a client in a program (entry through exit).
    EnrollmentId => "enrollment";
    /// One service provided to a client.
    ServiceId => "service";
    /// One assessment (a set of answers collected on a date).
    AssessmentId => "assessment";
    /// One case note.
    CaseNoteId => "case note";
    /// One document uploaded on a client's behalf.
    DocumentId => "document";
    /// A shelter facility with rooms and beds.
    FacilityId => "facility";
    /// A room in a facility.
    RoomId => "room";
    /// A bed in a room.
    BedId => "bed";
    /// A bed reservation.
    ReservationId => "reservation";
    /// One stay: a check-in and (later) its check-out.
    CheckInId => "check-in";
    /// One bar-list entry.
    BarId => "bar";
    /// A client record request (a client asking for a copy of their HMIS record).
    RecordRequestId => "record request";
    /// A revision a client asked for while reviewing their record.
    RevisionId => "revision";
    /// An API token issued to a user.
    TokenId => "token";
    /// One event in the log; a retried append with the same event id is a no-op.
    EventId => "event";
    /// Ties together the events written for one command or one workflow.
    CorrelationId => "correlation";
    /// One API request (the unit a disclosure record describes).
    RequestId => "request";
    /// One merge of a duplicate client into a survivor (undone by its id).
    MergeId => "merge";
    /// One flag "this person is already in HMIS" raised for the duplicate queue.
    DuplicateFlagId => "duplicate flag";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trip() {
        let id = ClientId::new(0x0191_2f3c_4d5e_6f70_8192_a3b4_c5d6_e7f8);
        let text = id.to_string();
        assert_eq!(text.len(), 26);
        assert_eq!(text.parse::<ClientId>().unwrap(), id);
        assert_eq!(id.as_u128(), 0x0191_2f3c_4d5e_6f70_8192_a3b4_c5d6_e7f8);
        assert_eq!(ClientId::from_ulid(id.as_ulid()), id);
    }

    #[test]
    fn rejects_bad_text() {
        assert_eq!(
            "not-a-ulid".parse::<EnrollmentId>(),
            Err(ParseError::InvalidId { kind: "enrollment" })
        );
    }

    #[test]
    fn serializes_as_u128() {
        let id = UserId::new(300);
        let bytes = bincode::serde::encode_to_vec(id, bincode::config::standard()).unwrap();
        let plain = bincode::serde::encode_to_vec(300u128, bincode::config::standard()).unwrap();
        assert_eq!(bytes, plain);
        let (back, _): (UserId, usize) =
            bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
        assert_eq!(back, id);
    }

    #[test]
    fn debug_names_the_kind() {
        assert!(format!("{:?}", BedId::new(1)).starts_with("BedId("));
    }
}
