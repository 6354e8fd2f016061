//! Commands that set up the CoC's services: programs and MOUs (system administrators),
//! shelter facilities, rooms and beds (system administrators, or the agency administrators of
//! the organization that runs the facility).

use crate::events::{MouParticipant, RoomDesignator};
use crate::hud::ProjectType;
use crate::{BedId, DateWindow, FacilityId, MouId, OrganizationId, ProgramId, RoomId};

/// Creates a program (HUD project) run by an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateProgram {
    /// The new program's id.
    pub id: ProgramId,
    /// The organization that runs it.
    pub organization: OrganizationId,
    /// Its name.
    pub name: String,
    /// HUD project type.
    pub project_type: ProjectType,
    /// Operating dates; from today on, open-ended, when `None`.
    pub operating: Option<DateWindow>,
    /// HUD `ProjectID`, when imported from another system's export.
    pub source_id: Option<String>,
}

/// Creates an MOU: a unique number, and every participant an existing organization, listed
/// once, at least one granting and one receiving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateMou {
    /// The new MOU's id.
    pub id: MouId,
    /// Its number, e.g. `0001`.
    pub number: String,
    /// Its title.
    pub title: String,
    /// The organizations taking part, and in which direction.
    pub participants: Vec<MouParticipant>,
    /// When it is in force.
    pub window: DateWindow,
}

/// Changes an MOU's title, participants and directions, or window, from a date on (before it
/// the MOU is as it was, so history reads the same). System administrators only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeMou {
    /// The MOU.
    pub mou: MouId,
    /// Its new title; unchanged when `None`.
    pub title: Option<String>,
    /// All its participants after the change; unchanged when `None`.
    pub participants: Option<Vec<MouParticipant>>,
    /// Its new window; unchanged when `None`.
    pub window: Option<DateWindow>,
    /// The first date the change applies.
    pub effective: crate::Date,
}

/// Ends an MOU: nothing is shared along it after `last_day` (its participants and what it
/// shared until then are unchanged). System administrators only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndMou {
    /// The MOU.
    pub mou: MouId,
    /// The last date it is in force; yesterday when `None`, so sharing stops at once.
    pub last_day: Option<crate::Date>,
}

/// Creates a shelter facility of an organization, optionally producing bed nights for one of
/// its programs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateFacility {
    /// The new facility's id.
    pub id: FacilityId,
    /// The organization that runs it.
    pub organization: OrganizationId,
    /// The program its bed nights count for.
    pub program: Option<ProgramId>,
    /// Its name.
    pub name: String,
}

/// Adds a room, with who it may hold, to a facility.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddRoom {
    /// The new room's id.
    pub id: RoomId,
    /// The facility.
    pub facility: FacilityId,
    /// Its name, unique in the facility.
    pub name: String,
    /// Who it admits.
    pub designators: Vec<RoomDesignator>,
}

/// Adds a bed to a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddBed {
    /// The new bed's id.
    pub id: BedId,
    /// The room.
    pub room: RoomId,
    /// Its label, unique in the facility.
    pub label: String,
}

/// Sets the CoC's HUD code (`CA-502`), which the HMIS CSV export names the implementation by.
/// System administrators only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCocCode {
    /// Two letters, a dash and three digits.
    pub code: String,
}
