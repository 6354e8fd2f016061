//! Shelter facilities, rooms and beds; reservations, check-ins and check-outs; the bar list.

use serde::{Deserialize, Serialize};

use crate::ids::{
    BarId, BedId, CheckInId, ClientId, EnrollmentId, FacilityId, OrganizationId, ProgramId,
    ReservationId, RoomId,
};
use crate::pii::Pii;
use crate::sharing::{RecordOwner, TransactionRestriction};
use crate::time::{Date, DateWindow, Timestamp};

/// An organization set up a shelter facility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacilityCreated {
    /// The new facility.
    pub facility_id: FacilityId,
    /// The organization that runs it.
    pub organization_id: OrganizationId,
    /// The program whose bed nights it produces, if any.
    pub program_id: Option<ProgramId>,
    /// Display name.
    pub name: String,
}

/// Who a room may hold. A client must meet every designator of the room, except that in a
/// `Family` room a child of any gender may check in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RoomDesignator {
    /// Male clients only.
    Male,
    /// Female clients only.
    Female,
    /// Adults only.
    Adult,
    /// Youth only.
    Youth,
    /// Families.
    Family,
}

/// A room was added to a facility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomAdded {
    /// The new room.
    pub room_id: RoomId,
    /// The facility.
    pub facility_id: FacilityId,
    /// Display name, e.g. "Dorm B".
    pub name: String,
    /// Who the room may hold.
    pub designators: Vec<RoomDesignator>,
}

/// A bed was added to a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BedAdded {
    /// The new bed.
    pub bed_id: BedId,
    /// The room.
    pub room_id: RoomId,
    /// The facility (names the stream).
    pub facility_id: FacilityId,
    /// Display label, e.g. "B-12".
    pub label: String,
}

/// A bed was reserved for a client for a night.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BedReserved {
    /// The new reservation.
    pub reservation_id: ReservationId,
    /// The facility.
    pub facility_id: FacilityId,
    /// The bed.
    pub bed_id: BedId,
    /// The client.
    pub client_id: ClientId,
    /// Who made it.
    pub owner: RecordOwner,
    /// The night reserved.
    pub date: Date,
    /// Who may see it beyond the owner.
    pub restriction: TransactionRestriction,
}

/// A reservation was cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservationCancelled {
    /// The reservation.
    pub reservation_id: ReservationId,
    /// The facility (names the stream).
    pub facility_id: FacilityId,
    /// The client.
    pub client_id: ClientId,
}

/// A client checked in to a facility. The bed may be chosen at check-in or left open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientCheckedIn {
    /// The new stay.
    pub check_in_id: CheckInId,
    /// The facility.
    pub facility_id: FacilityId,
    /// The bed, if assigned at check-in.
    pub bed_id: Option<BedId>,
    /// The client.
    pub client_id: ClientId,
    /// Who checked the client in.
    pub owner: RecordOwner,
    /// The enrollment the stay belongs to (for bed nights), if any.
    pub enrollment_id: Option<EnrollmentId>,
    /// The reservation this check-in fulfils, if any.
    pub reservation_id: Option<ReservationId>,
    /// When the client arrived.
    pub at: Timestamp,
    /// The night of the stay, in the deployment's time zone.
    pub date: Date,
    /// Who may see it beyond the owner.
    pub restriction: TransactionRestriction,
}

/// A client checked out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientCheckedOut {
    /// The stay.
    pub check_in_id: CheckInId,
    /// The facility (names the stream).
    pub facility_id: FacilityId,
    /// The client.
    pub client_id: ClientId,
    /// When the client left.
    pub at: Timestamp,
    /// The date of leaving, in the deployment's time zone.
    pub date: Date,
}

/// What a bar keeps a client out of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BarScope {
    /// One facility.
    Facility(FacilityId),
    /// One program.
    Program(ProgramId),
    /// Everything the owning organization runs.
    Organization,
    /// Everything every enforcing organization runs.
    AllEnforcingOrganizations,
}

/// A client was put on the bar list: they may not check in or receive services in scope
/// during the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientBarred {
    /// The new bar-list entry.
    pub bar_id: BarId,
    /// The client.
    pub client_id: ClientId,
    /// Who recorded it.
    pub owner: RecordOwner,
    /// When the bar applies.
    pub window: DateWindow,
    /// What it applies to.
    pub scope: BarScope,
    /// Organizations that enforce it (turn the client away).
    pub enforcing: Vec<OrganizationId>,
    /// Why.
    pub reason: Pii<String>,
    /// Who may see it beyond the owner.
    pub restriction: TransactionRestriction,
}

/// A bar was lifted or ended early.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BarLifted {
    /// The bar-list entry.
    pub bar_id: BarId,
    /// The client (names the stream).
    pub client_id: ClientId,
    /// Last date the bar applies.
    pub end: Date,
}
