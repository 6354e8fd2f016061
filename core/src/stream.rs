//! Names of the log's streams.
//!
//! A stream groups the events that one command must see to decide (its consistency
//! boundary, appended with an expected version) and that one projection reads together.
//! The log store treats names as opaque strings; this type is the one place that spells
//! them.

use std::fmt;
use std::str::FromStr;

use crate::ids::{
    ClientId, FacilityId, HouseholdId, MouId, OrganizationId, ProgramId, RecordRequestId, UserId,
};
use crate::parse::ParseError;
use crate::time::Date;

/// The stream an event belongs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StreamId {
    /// `org-<id>`: an organization's details.
    Organization(OrganizationId),
    /// `user-<id>`: a user account and its API tokens.
    User(UserId),
    /// `program-<id>`: a program's details.
    Program(ProgramId),
    /// `mou-<id>`: an MOU and its changes.
    Mou(MouId),
    /// `client-<id>`: intake, restriction, MOU assignments, releases, and all the client's
    /// transactions except those in a facility stream.
    Client(ClientId),
    /// `household-<id>`: a household and its members.
    Household(HouseholdId),
    /// `facility-<id>`: rooms, beds, reservations, check-ins and check-outs (so bed
    /// assignment is decided against one stream).
    Facility(FacilityId),
    /// `request-<id>`: a client record request.
    Request(RecordRequestId),
    /// `access-<yyyy-mm-dd>`: disclosure records of one business date.
    Access(Date),
    /// `policy`: the sharing policy in force.
    Policy,
}

impl StreamId {
    /// The category prefix (`org`, `client`, ..., `policy`), for subscribing by category.
    pub const fn category(&self) -> &'static str {
        match self {
            StreamId::Organization(_) => "org",
            StreamId::User(_) => "user",
            StreamId::Program(_) => "program",
            StreamId::Mou(_) => "mou",
            StreamId::Client(_) => "client",
            StreamId::Household(_) => "household",
            StreamId::Facility(_) => "facility",
            StreamId::Request(_) => "request",
            StreamId::Access(_) => "access",
            StreamId::Policy => "policy",
        }
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let category = self.category();
        match self {
            StreamId::Organization(id) => write!(f, "{category}-{id}"),
            StreamId::User(id) => write!(f, "{category}-{id}"),
            StreamId::Program(id) => write!(f, "{category}-{id}"),
            StreamId::Mou(id) => write!(f, "{category}-{id}"),
            StreamId::Client(id) => write!(f, "{category}-{id}"),
            StreamId::Household(id) => write!(f, "{category}-{id}"),
            StreamId::Facility(id) => write!(f, "{category}-{id}"),
            StreamId::Request(id) => write!(f, "{category}-{id}"),
            StreamId::Access(date) => write!(f, "{category}-{date}"),
            StreamId::Policy => f.write_str(category),
        }
    }
}

impl FromStr for StreamId {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "policy" {
            return Ok(StreamId::Policy);
        }
        let (category, rest) = s.split_once('-').ok_or(ParseError::InvalidStream)?;
        let id = |_| ParseError::InvalidStream;
        Ok(match category {
            "org" => StreamId::Organization(rest.parse().map_err(id)?),
            "user" => StreamId::User(rest.parse().map_err(id)?),
            "program" => StreamId::Program(rest.parse().map_err(id)?),
            "mou" => StreamId::Mou(rest.parse().map_err(id)?),
            "client" => StreamId::Client(rest.parse().map_err(id)?),
            "household" => StreamId::Household(rest.parse().map_err(id)?),
            "facility" => StreamId::Facility(rest.parse().map_err(id)?),
            "request" => StreamId::Request(rest.parse().map_err(id)?),
            "access" => StreamId::Access(rest.parse().map_err(id)?),
            _ => return Err(ParseError::InvalidStream),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        let date = Date::from_ymd(2026, 3, 9).unwrap();
        let streams = [
            StreamId::Organization(OrganizationId::new(1)),
            StreamId::User(UserId::new(2)),
            StreamId::Program(ProgramId::new(3)),
            StreamId::Mou(MouId::new(4)),
            StreamId::Client(ClientId::new(5)),
            StreamId::Household(HouseholdId::new(6)),
            StreamId::Facility(FacilityId::new(7)),
            StreamId::Request(RecordRequestId::new(8)),
            StreamId::Access(date),
            StreamId::Policy,
        ];
        for stream in streams {
            let name = stream.to_string();
            assert_eq!(name.parse::<StreamId>(), Ok(stream), "{name}");
            assert!(name.starts_with(stream.category()));
        }
        assert_eq!(StreamId::Access(date).to_string(), "access-2026-03-09");
        assert_eq!(
            StreamId::Client(ClientId::new(5)).to_string(),
            "client-00000000000000000000000005"
        );
    }

    #[test]
    fn rejects_unknown_names() {
        for bad in [
            "",
            "policy-1",
            "client",
            "client-",
            "clients-00000000000000000000000005",
            "access-2026-3-9",
        ] {
            assert_eq!(
                bad.parse::<StreamId>(),
                Err(ParseError::InvalidStream),
                "{bad}"
            );
        }
    }
}
