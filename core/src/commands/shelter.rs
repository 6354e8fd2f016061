//! Commands about shelter: bed reservations, check-ins and check-outs, and the bar list.

use crate::events::BarScope;
use crate::{
    BarId, BedId, CheckInId, ClientId, Date, DateWindow, EnrollmentId, FacilityId, OrganizationId,
    ReservationId, Timestamp, TransactionRestriction,
};

/// Reserves a bed for a client for the night of `date` (today or later).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReserveBed {
    /// The new reservation's id.
    pub id: ReservationId,
    /// The bed (in a facility the actor's organization runs).
    pub bed: BedId,
    /// The client.
    pub client: ClientId,
    /// The night.
    pub date: Date,
    /// Who may see it beyond the owner; the policy's default when `None`.
    pub restriction: Option<TransactionRestriction>,
}

/// Checks a client in for tonight, into a bed or (without one) a facility.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckIn {
    /// The new stay's id.
    pub id: CheckInId,
    /// The client.
    pub client: ClientId,
    /// The facility (taken from the bed when a bed is given).
    pub facility: Option<FacilityId>,
    /// The bed, if assigned now.
    pub bed: Option<BedId>,
    /// The enrollment the stay belongs to.
    pub enrollment: Option<EnrollmentId>,
    /// The reservation fulfilled.
    pub reservation: Option<ReservationId>,
    /// Who may see it beyond the owner; the policy's default when `None`.
    pub restriction: Option<TransactionRestriction>,
    /// When the client arrived, on the service's clock (`Service::now`): the caller reads the
    /// clock so the decision stays a pure function of its inputs.
    pub at: Timestamp,
}

/// Checks a client out of a stay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOut {
    /// The client.
    pub client: ClientId,
    /// The stay.
    pub stay: CheckInId,
    /// When the client left, on the service's clock (`Service::now`).
    pub at: Timestamp,
}

/// Puts a client on the bar list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarClient {
    /// The new bar-list entry's id.
    pub id: BarId,
    /// The client.
    pub client: ClientId,
    /// When it applies.
    pub window: DateWindow,
    /// What it keeps the client out of.
    pub scope: BarScope,
    /// Other organizations that enforce it.
    pub enforcing: Vec<OrganizationId>,
    /// Why.
    pub reason: String,
    /// Who may see it beyond the owner; the policy's default when `None`.
    pub restriction: Option<TransactionRestriction>,
}
